#!/usr/bin/env bash
# Fetches the Kafka broker jars from Maven Central into .local/kafka/libs, once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
libs="$here/../../.local/kafka/libs"
stamp="$libs/.fetched-$(sha1sum "$here/pom.xml" | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" package
  rm -rf "$here/target"
  touch "$stamp"
fi
