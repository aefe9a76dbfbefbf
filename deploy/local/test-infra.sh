#!/usr/bin/env bash
# Runs a command with the test infrastructure up: PostgreSQL and a throwaway Kafka broker on
# ports 19092/19093 (so a `make run` broker on 9092 is left alone). Stops both afterwards.
#   deploy/local/test-infra.sh <command...>
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
kafka_dir="$root/.local/kafka-test"
export KAFKA_PORT="${REDRESS_TEST_KAFKA_PORT:-19092}"
export KAFKA_CONTROLLER_PORT="$((KAFKA_PORT + 1))" KAFKA_DATA_DIR="$kafka_dir/data"
export KAFKA_BOOTSTRAP_SERVERS="localhost:$KAFKA_PORT"
export REDRESS_TEST_POSTGRES_URL="postgresql+asyncpg://redress:redress@127.0.0.1:5432/postgres"
kafka_pid=""

cleanup() {
  status=$?
  if [ -n "$kafka_pid" ]; then
    kill "$kafka_pid" 2>/dev/null || true
    wait "$kafka_pid" 2>/dev/null || true
  fi
  deploy/local/postgres.sh stop || true
  exit "$status"
}
trap cleanup EXIT INT TERM

deploy/local/postgres.sh start
deploy/kafka/fetch.sh
# The S3 API server the document store's S3 tests run against (tests/kit/s3proxy.py).
deploy/s3proxy/fetch.sh
rm -rf "$kafka_dir" && mkdir -p "$kafka_dir"
deploy/kafka/start.sh > "$kafka_dir/kafka.log" 2>&1 &
kafka_pid=$!
if ! .venv/bin/python -m deploy.local.topics --bootstrap "$KAFKA_BOOTSTRAP_SERVERS" --wait 120; then
  echo "Kafka did not start; its log:" >&2
  tail -n 50 "$kafka_dir/kafka.log" >&2
  exit 1
fi
# Rule checks and the scrape test: Debian's prometheus (promtool and the server).
deploy/local/prometheus.sh
# Browser tests: Debian's chromium and the pinned axe-core (tests/browser/package-lock.json).
deploy/local/browser.sh
# The decision PDFs (services/casework/decision_pdf.py): WeasyPrint's Pango and the fonts.
deploy/local/pdf-libraries.sh
[ -f tests/browser/node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --prefix tests/browser
"$@"
