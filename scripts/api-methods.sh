#!/usr/bin/env bash
# Lists the public methods and constructors of the core's exported API, one a line, and counts them:
# every public type in an exported package of module io.mlp4j (from the built jar), as javap -public shows it
# (inherited methods are not listed, nor equals/hashCode/toString; a record's constructor and accessors are).
# Usage: scripts/api-methods.sh [jar]   (default mlp4j/target/mlp4j-*.jar; build it with mvn -pl mlp4j package)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${1:-$(ls mlp4j/target/mlp4j-*.jar | grep -v -e sources -e javadoc | head -1)}
packages=$(jar --describe-module --file "$jar" | awk '$1 == "exports" { print $2 }')
classes=()
for p in $packages; do
    dir=${p//.//}
    while read -r entry; do
        classes+=("${entry%.class}")
    done < <(jar tf "$jar" | grep -E "^$dir/[^/]+\.class$" | grep -v module-info)
done
javap -public -cp "$jar" "${classes[@]//\//.}" | awk '
    /^Compiled from / { type = "" }
    /^[a-z].* (class|interface|enum|record) / { type = ""; if ($1 != "public") next; for (i = 1; i <= NF; i++) if ($i ~ /^(class|interface|enum|record)$/) { type = $(i + 1); break } }
    type != "" && /^  (public|protected) .*\(/ && !/ (equals|hashCode|toString)\(/ { sub(/^  /, ""); print type ": " $0 }' | sort -u > /tmp/api-methods.$$
cat /tmp/api-methods.$$
echo "public methods and constructors: $(wc -l < /tmp/api-methods.$$)"
rm -f /tmp/api-methods.$$
