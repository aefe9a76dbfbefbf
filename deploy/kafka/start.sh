#!/usr/bin/env bash
# Runs a single-node Kafka broker (KRaft) from the Maven-fetched jars, in the foreground.
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (.local/kafka/data)
# Fetches the jars on first use (mvn, cached in .local/kafka/libs), formats storage once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
data_dir="${KAFKA_DATA_DIR:-$root/.local/kafka/data}"
libs="$root/.local/kafka/libs"
conf_dir="$(dirname "$data_dir")"

"$here/fetch.sh"
mkdir -p "$data_dir"
conf="$conf_dir/server-$port.properties"
sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" -e "s|@DATA_DIR@|$data_dir|g" \
  "$here/server.properties.template" > "$conf"

java_opts=(-Dlog4j2.configurationFile="file:$here/log4j2.properties" -Djava.awt.headless=true)
if [ ! -f "$data_dir/meta.properties" ]; then
  cluster_id="$(java "${java_opts[@]}" -Xmx256m -cp "$libs/*" kafka.tools.StorageTool random-uuid)"
  java "${java_opts[@]}" -Xmx256m -cp "$libs/*" kafka.tools.StorageTool \
    format --standalone -t "$cluster_id" -c "$conf" >/dev/null
fi

# Heap and GC flags as kafka-run-class.sh sets them (docs/reference/stack-notes.md §1.3);
# 512 MiB is plenty here.
exec java "${java_opts[@]}" -Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
  -Dkafka.logs.dir="$conf_dir/logs" -cp "$libs/*" kafka.Kafka "$conf"
