#!/usr/bin/env bash
# Checks what a release publishes, as a project outside this repository sees it (.ci/run runs it):
#
#   scripts/release-check.sh
#
# 1. Builds the published modules (every module of the root pom that does not set maven.deploy.skip) with
#    -P release twice from clean: the jars (classes, sources, Javadoc) and the SBOMs must be byte-identical.
#    Javadoc runs with doclint on: any warning that names a source line fails the check.
# 2. The second build deploys to a file repository, target/release-check/staging-repo.
# 3. Builds the consumer projects of mlp4j/src/test/consumer against that repository and runs each on the module
#    path and on the class path: "core" declares only io.mlp4j:mlp4j (and must get no GPU jar) and classifies
#    MNIST digits with Classifier.pretrained(); "picture" declares only io.mlp4j:mlp4j-picture and classifies
#    MNIST digits drawn as PNG pictures; "aparapi" also declares io.mlp4j:mlp4j-aparapi (which brings Aparapi)
#    and trains with -Dmlp4j.backend=aparapi on the OpenCL device present (PoCL in CI): the core finds the
#    provider as a service on both paths.
#
# The consumer builds use a local repository of their own, target/release-check/m2: it links every folder of the
# user's local repository except io/mlp4j, so they run offline on what is already downloaded and resolve
# io.mlp4j only from the staging repository, and nothing they do can replace the io.mlp4j snapshots that other
# checkouts built into ~/.m2. Needs MLP4J_DATA (gzipped MNIST) and network access to Maven Central for the
# CycloneDX plugin (it refuses to run offline). Exit status 0 when every step passed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
DATA="$(cd "${MLP4J_DATA:-$ROOT/../shared/mnist}" && pwd)"
WORK="$ROOT/target/release-check"
FIRST="$(mktemp -d)"
trap 'rm -rf "$FIRST"' EXIT
fail() { echo "release-check: FAILED: $*" >&2; exit 1; }

published=()
for m in $(sed -n 's|^ *<module>\(.*\)</module>.*|\1|p' pom.xml); do
  grep -q '<maven.deploy.skip>true</maven.deploy.skip>' "$m/pom.xml" || published+=("$m")
done
modules=$(IFS=,; echo "${published[*]}")
version=$(sed -n '0,/<version>/s|.*<version>\(.*\)</version>.*|\1|p' pom.xml)
echo "release-check: published modules: $modules (version $version)"

artifact_id() { sed -n '/<\/parent>/,$p' "$1/pom.xml" | grep -m1 -o '<artifactId>[^<]*' | cut -d'>' -f2; }

# The files compared between the two builds: every jar and SBOM of the published modules.
artifacts() { for m in "${published[@]}"; do ls "$m"/target/*.jar "$m"/target/bom.json "$m"/target/bom.xml; done; }

release_build() { # $1: log file; more arguments go to mvn
  local log="$FIRST/$1"; shift
  local ok=true
  mvn -B -P release -pl "$modules" -am -DskipTests clean "$@" >"$log" 2>&1 || ok=false
  mkdir -p "$WORK"; cp "$log" "$WORK/"
  $ok || { tail -40 "$log" >&2; fail "the release build failed (log: $WORK/$(basename "$log"))"; }
  if grep -E '\.java:[0-9]+: (warning|error)' "$log"; then
    fail "Javadoc warnings (above; log: $WORK/$(basename "$log"))"
  fi
}

echo "release-check: build 1 of 2"
release_build build1.log package
for f in $(artifacts); do mkdir -p "$FIRST/$(dirname "$f")"; cp "$f" "$FIRST/$f"; done

echo "release-check: build 2 of 2, deployed to $WORK/staging-repo"
release_build build2.log deploy -DaltDeploymentRepository="staging::file://$WORK/staging-repo"
count=0
for f in $(artifacts); do
  cmp -s "$f" "$FIRST/$f" || fail "$f differs between two builds of the same sources"
  count=$((count + 1))
done
echo "release-check: reproducible: $count files byte-identical ($(artifacts | xargs -n1 basename | tr '\n' ' '))"
for m in "${published[@]}"; do
  for c in sources javadoc cyclonedx; do
    ls "$WORK/staging-repo/io/mlp4j/$(artifact_id "$m")/$version"/*-"$c".* >/dev/null 2>&1 ||
      fail "no $c artifact deployed for $m"
  done
done

# A local repository for the consumers: links to the user's, except io/mlp4j.
user_repo=$(mvn -B -q -o help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null || true)
[ -d "$user_repo" ] || user_repo="$HOME/.m2/repository"
m2="$WORK/m2"
rm -rf "$m2"; mkdir -p "$m2/io"
for d in "$user_repo"/*; do [ -e "$d" ] && [ "$(basename "$d")" != io ] && ln -s "$d" "$m2/"; done
for d in "$user_repo"/io/*; do [ -e "$d" ] && [ "$(basename "$d")" != mlp4j ] && ln -s "$d" "$m2/io/"; done

run_consumer() { # $1: consumer name; more arguments go to java before the main class; $CONSUMER_PRELOAD: LD_PRELOAD
                 # of the java runs
  local name=$1; shift
  local dir="$WORK/consumer-$name"
  rm -rf "$dir"; cp -r "$ROOT/mlp4j/src/test/consumer/$name" "$dir"
  if ! mvn -B -f "$dir/pom.xml" -Dmaven.repo.local="$m2" -Dstaging.url="file://$WORK/staging-repo" \
      -Dmlp4j.version="$version" -Daether.offline.protocols=file -o \
      compile dependency:build-classpath -Dmdep.outputFile="$dir/classpath.txt" >"$dir/build.log" 2>&1; then
    tail -40 "$dir/build.log" >&2; fail "consumer $name did not build (log: $dir/build.log)"
  fi
  local deps; deps=$(cat "$dir/classpath.txt")
  case ":$deps:" in *":$m2/io/mlp4j/mlp4j/"*) ;; *) fail "consumer $name: io.mlp4j did not come from the staging repository: $deps" ;; esac
  echo "release-check: consumer $name: dependencies: $(echo "$deps" | tr ':' '\n' | xargs -n1 basename | tr '\n' ' ')"
  if [ "$name" = core ] && echo "$deps" | grep -qE 'aparapi|bytedeco'; then
    fail "consumer core got a GPU jar although it declared only io.mlp4j:mlp4j: $deps"
  fi
  local out
  out=$(env ${CONSUMER_PRELOAD:+LD_PRELOAD="$CONSUMER_PRELOAD"} java -p "$dir/target/classes:$deps" "$@" -m "consumer.$name/consumer.$name.Main" "$DATA") ||
    fail "consumer $name on the module path: $out"
  echo "release-check: consumer $name: $out"
  out=$(env ${CONSUMER_PRELOAD:+LD_PRELOAD="$CONSUMER_PRELOAD"} java -cp "$dir/target/classes:$deps" "$@" "consumer.$name.Main" "$DATA") ||
    fail "consumer $name on the class path: $out"
  echo "release-check: consumer $name: $out"
}

run_consumer core
run_consumer picture
# The consumer's module requires only io.mlp4j: io.mlp4j.aparapi joins the module graph as a provider of the
# service io.mlp4j uses. It turns on the JVM's signal chaining, which PoCL needs (see README).
CONSUMER_PRELOAD="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/libjsig.so" \
  run_consumer aparapi -Dmlp4j.backend=aparapi
echo "release-check: passed"
