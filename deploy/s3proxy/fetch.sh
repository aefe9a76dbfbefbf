#!/usr/bin/env bash
# Fetches S3Proxy (https://github.com/gaul/s3proxy), an S3 API server over a local directory, from
# Maven Central into .local/s3proxy/, once: the document store's S3 tests run against it
# (tests/kit/s3proxy.py). The jar-with-dependencies is one self-contained jar for JDK 17; its SHA-1
# is the one Maven Central publishes beside it, checked before the jar is kept.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="2.6.0"
dest="$here/../../.local/s3proxy"
jar="$dest/s3proxy-$version.jar"
url="https://repo1.maven.org/maven2/org/gaul/s3proxy/$version/s3proxy-$version-jar-with-dependencies.jar"
[ -f "$jar" ] && exit 0
mkdir -p "$dest"
curl -fsSL --retry 3 -o "$jar.part" "$url"
expected="$(curl -fsSL --retry 3 "$url.sha1" | cut -c1-40)"
actual="$(sha1sum "$jar.part" | cut -c1-40)"
if [ "$expected" != "$actual" ]; then
  rm -f "$jar.part"
  echo "s3proxy: SHA-1 mismatch (expected $expected, got $actual)" >&2
  exit 1
fi
mv "$jar.part" "$jar"
