# Sourced by spark/run-*.sh: builds mlp4j-spark if needed and runs one of its jobs on a local JVM with Spark
# on the class path. On a cluster, use spark-submit instead (README, "Spark").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="$root/mlp4j-spark/target"

jar=$(ls "$target"/mlp4j-spark-*.jar 2>/dev/null | grep -v -e '-sources' -e '-javadoc' -e '-tests' | head -1 || true)
if [ -z "$jar" ] || [ ! -f "$target/spark-classpath.txt" ]; then
  echo "building mlp4j-spark (once): mvn -B -q -pl mlp4j-spark -am package -DskipTests" >&2
  (cd "$root" && mvn -B -q -pl mlp4j-spark -am package -DskipTests >&2)
  jar=$(ls "$target"/mlp4j-spark-*.jar | grep -v -e '-sources' -e '-javadoc' -e '-tests' | head -1)
fi

# Spark's own JVM options (org.apache.spark.launcher.JavaModuleOptions, what spark-submit passes); the same
# list is in mlp4j-spark/pom.xml for the tests.
spark_jvm_options=(
  -XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true
  -Dio.netty.allocator.type=pooled -Dio.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE
  --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
)

# run_job CLASS ARGS...: Spark's log at WARN unless the caller sets SPARK_LOG4J (a log4j2 properties file).
run_job() {
  local cls="$1"; shift
  local log4j="${SPARK_LOG4J:-$root/spark/log4j2.properties}"
  exec "${JAVA:-java}" "${spark_jvm_options[@]}" -Djava.awt.headless=true ${JAVA_OPTS:-} \
    -Dlog4j2.configurationFile="$log4j" \
    -cp "$jar:$(cat "$target/spark-classpath.txt")" "$cls" "$@"
}
