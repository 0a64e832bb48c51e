#!/usr/bin/env bash
# bench/service.sh: service latency (issue 7). Starts `anbud serve` on a free loopback port
# with a fresh SQLite file and one token for Bergen (4601), runs bench/load against it
# (single releases of Bergen's processes from bench/gen output, open loop), always stops
# the server, and prints load's one JSON line on stdout (the server's log and the load
# average go to stderr).
#
#   bench/service.sh [LOAD OPTIONS]      e.g. --rate 1000 --seconds 20, or --find-max
#
# Environment: BUILD (default build; needs $BUILD/anbud, $BUILD/anbud-serve when split,
# $BUILD/bench/gen and $BUILD/bench/load: make bench-build), BENCH_DATA (default
# bench/data), SERVICE_PROCESSES (size of the generated file, default 100000: 15 % are
# Bergen's, about 52 000 releases), SERVICE_NOW (the day the rules see, 2026-01-01),
# SERVICE_CPU (pin the server to this CPU with taskset; default 1, "" for none),
# LOAD_CPU (pin the load generator; default 0, "" for none), KEEP_LOG=1 keeps the server
# log (its path is printed on stderr). SERVICE_PERF="stat FILE" or "record FILE" attaches
# `perf stat -e task-clock` or `perf record -g` to the server while load runs (CPU per
# event = task-clock / events; the file is written when load ends). SERVICE_WRAP is put
# before the server's command, e.g. "valgrind --tool=callgrind --trace-children=yes".
set -u
cd "$(dirname "$0")/.." || exit 3
BUILD=${BUILD:-build}
DATA=${BENCH_DATA:-bench/data}
N=${SERVICE_PROCESSES:-100000}
NOW=${SERVICE_NOW:-2026-01-01}
SERVICE_CPU=${SERVICE_CPU-1}
LOAD_CPU=${LOAD_CPU-0}
ANBUD=$BUILD/anbud
for f in "$ANBUD" "$BUILD/bench/gen" "$BUILD/bench/load"; do
  [ -x "$f" ] || { echo "service.sh: $f is missing (make bench-build)" >&2; exit 2; }
done
mkdir -p "$DATA"
INPUT=$DATA/p$N-s1.jsonl
if [ ! -s "$INPUT" ]; then
  "$BUILD/bench/gen" --processes "$N" --seed 1 >"$INPUT.tmp" && mv "$INPUT.tmp" "$INPUT" ||
    { echo "service.sh: bench/gen failed" >&2; exit 3; }
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/anbud-service.XXXXXX")
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  if [ "${KEEP_LOG:-0}" = 1 ]; then
    echo "service.sh: server log kept in $TMP/serve.log" >&2
    rm -f "$TMP"/bench.db*
  else
    rm -rf "$TMP"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DB=$TMP/bench.db
TOKEN=$("$ANBUD" token create --municipality 4601 --db "$DB") ||
  { echo "service.sh: token create failed" >&2; exit 3; }
pin() { if [ -n "$1" ]; then echo taskset -c "$1"; fi; }

# a free port: start the server on random ports until one is not in use
PORT=""
for _ in $(seq 20); do
  port=$((20000 + RANDOM))
  : >"$TMP/serve.log"
  $(pin "$SERVICE_CPU") ${SERVICE_WRAP:-} "$ANBUD" serve --listen "127.0.0.1:$port" --db "$DB" --now "$NOW" \
    2>>"$TMP/serve.log" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    grep -q "listening on http://127.0.0.1:$port " "$TMP/serve.log" && { PORT=$port; break; }
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$PORT" ] && break
  stop_server
  grep -q "address already in use" "$TMP/serve.log" || { cat "$TMP/serve.log" >&2; exit 3; }
done
[ -n "$PORT" ] || { echo "service.sh: no free port" >&2; exit 3; }

PERF_PID=""
if [ -n "${SERVICE_PERF:-}" ]; then
  read -r perf_mode perf_out <<<"$SERVICE_PERF"
  case $perf_mode in
    stat) perf stat -e task-clock -p "$SERVER_PID" -o "$perf_out" & PERF_PID=$! ;;
    record) perf record ${SERVICE_PERF_RECORD:--g} -p "$SERVER_PID" -o "$perf_out" 2>/dev/null & PERF_PID=$! ;;
    *) echo "service.sh: SERVICE_PERF must be 'stat FILE' or 'record FILE'" >&2; exit 2 ;;
  esac
  sleep 0.5
fi
echo "service.sh: loadavg before: $(cat /proc/loadavg)" >&2
$(pin "$LOAD_CPU") "$BUILD/bench/load" --port "$PORT" --token "$TOKEN" --file "$INPUT" \
  --municipality 4601 "$@" >"$TMP/out.json"
status=$?
if [ -n "$PERF_PID" ]; then
  kill -INT "$PERF_PID" 2>/dev/null
  wait "$PERF_PID" 2>/dev/null
fi
echo "service.sh: loadavg after: $(cat /proc/loadavg)" >&2
stop_server
grep -E "evaluated|error|failed" "$TMP/serve.log" | tail -n 3 >&2
cat "$TMP/out.json"
exit "$status"
