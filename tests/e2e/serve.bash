# Shared by the end-to-end tests of `anbud serve` (service.sh, kill9.sh), after lib.bash:
# start the real server on a free loopback port, talk HTTP to it with curl, and always
# stop it (the EXIT trap kills a server still running, then removes $TMP).
REPO=$(cd "$E2E/../.." && pwd)
SERVER_PID=""
PORT=""
LOG=$TMP/serve.log
: >"$LOG"
trap 'serve_kill; rm -rf "$TMP"' EXIT

serve_kill() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=""
}

# serve_on PORT ARGS...: starts `anbud serve --listen 127.0.0.1:PORT ARGS...`, its log
# appended to $LOG; waits (at most 30 s) until it logs that it listens and /healthz answers.
# Returns 0, 2 when the address is in use, 1 otherwise.
serve_on() {
  local port=$1
  shift
  local mark
  mark=$(wc -l <"$LOG" 2>/dev/null || echo 0)
  "$ANBUD" serve --listen "127.0.0.1:$port" "$@" 2>>"$LOG" &
  SERVER_PID=$!
  PORT=$port
  local i
  for i in $(seq 300); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      wait "$SERVER_PID" 2>/dev/null
      SERVER_PID=""
      tail -n +"$((mark + 1))" "$LOG" | grep -q "address already in use" && return 2
      return 1
    fi
    if tail -n +"$((mark + 1))" "$LOG" | grep -q "listening on http://127.0.0.1:$port " &&
      curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"; then
      return 0
    fi
    sleep 0.1
  done
  serve_kill
  return 1
}

# serve_start ARGS...: as serve_on, on a random free port in 20000-52767 (tries 20).
serve_start() {
  local try rc
  for try in $(seq 20); do
    local port=$((20000 + RANDOM))
    # skip a port something already answers on
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && continue
    serve_on "$port" "$@"
    rc=$?
    [ "$rc" -eq 2 ] && continue
    return "$rc"
  done
  return 1
}

# serve_stop [SIGNAL]: sends SIGTERM (or SIGNAL), waits at most 60 s; sets STOPPED to the
# exit status (or 124 when it had to be killed).
serve_stop() {
  local sig=${1:-TERM} i
  STOPPED=124
  [ -n "$SERVER_PID" ] || return 1
  kill -"$sig" "$SERVER_PID" 2>/dev/null
  for i in $(seq 600); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      wait "$SERVER_PID"
      STOPPED=$?
      SERVER_PID=""
      return 0
    fi
    sleep 0.1
  done
  serve_kill
  return 1
}

# h METHOD PATH TOKEN [CURL ARGS...]: one request (TOKEN "" sends none). Sets ST to the
# HTTP status, OUT to the body, HDR to the headers, ERR to the end of the server's log.
h() {
  local method=$1 path=$2 token=$3
  shift 3
  local auth=()
  [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
  ST=$(curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 30 -X "$method" \
    "${auth[@]}" "$@" "http://127.0.0.1:$PORT$path")
  OUT=$(cat "$TMP/body")
  HDR=$(cat "$TMP/headers")
  ERR=$(tail -n 5 "$LOG")
}

# post TOKEN FILE: POST /v1/releases with FILE as the body.
post() { h POST /v1/releases "$1" --data-binary @"$2"; }

# pending: the queue depth /healthz reports.
pending() { curl -s --max-time 5 "http://127.0.0.1:$PORT/healthz" | jq -r '.pending'; }

# drained: waits (at most 30 s) until every stored event is evaluated.
drained() {
  local i
  for i in $(seq 600); do
    [ "$(pending)" = 0 ] && return 0
    sleep 0.05
  done
  return 1
}

# metric NAME_WITH_LABELS: its value in /metrics.
metric() {
  curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" | grep -F -- "$1 " | head -n 1 | awk '{print $NF}'
}

# rel OCID ID DATE TAG [TITLE] [KOMMUNE]: a small release of a purchase by kommune (4631).
rel() {
  jq -cn --arg o "$1" --arg i "$2" --arg d "$3" --arg t "$4" --arg title "${5:-Kontorrekvisita}" \
    --arg k "${6:-4631}" \
    '{ocid: $o, id: $i, date: $d, tag: [$t], buyer: {id: "b", name: "Kommunen"},
      parties: [{id: "b", name: "Kommunen", roles: ["buyer"], details: {municipalityCode: $k}}],
      tender: {id: "t", title: $title, status: "active",
               value: {amount: 50000, currency: "NOK"}}}'
}

# sql QUERY: runs a query on $DB.
sql() { sqlite3 "$DB" "$1"; }
