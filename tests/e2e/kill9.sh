# Durability of `anbud serve` under kill -9: a loader posts releases without pause while
# the server is killed with SIGKILL at random moments and started again, KILLS times; then
# a last kill right after the last post, a last start. Every event that got a 202 must
# have its verdicts exactly once: evaluated, the same number of verdicts as every other
# event (each is a new process at the same stage, checked with the same set), no verdict
# of one event twice, nothing left pending.
source "$(dirname "$0")/lib.bash"
source "$E2E/serve.bash"
DB=$TMP/kill9.db
KILLS=${KILLS:-5}
REQUESTS=${REQUESTS:-150} # each a JSON Lines body of 3 new processes
S=(--db "$DB" --rules "$RULES" --now 2024-06-15)
a token create --municipality 4631 --db "$DB"
TOKEN=$OUT
serve_start "${S[@]}"
t "the server starts" eval '[ -n "$SERVER_PID" ]'
START=$SECONDS

# The bodies: body i holds processes ocds-k9-i-1..3, as JSON Lines.
mkdir "$TMP/bodies"
rel ocds-k9 1 2024-05-01T10:00:00Z planning >"$TMP/template.json"
jq -c --argjson n "$REQUESTS" 'range(1; $n + 1) as $i | range(1; 4) as $k
  | .ocid = "ocds-k9-\($i)-\($k)" | .tender.title = "Kjøp \($i)-\($k)"' "$TMP/template.json" |
  split -l 3 -a 4 -d - "$TMP/bodies/b"
# The loader: posts each body until it gets a 202 (at most 50 tries); each 202's event ids
# go to accepted.
loader() {
  local body try code
  for body in "$TMP"/bodies/b*; do
    for try in $(seq 50); do
      code=$(curl -s -o "$TMP/load.out" -w '%{http_code}' --max-time 10 -X POST \
        -H "Authorization: Bearer $TOKEN" --data-binary @"$body" \
        "http://127.0.0.1:$PORT/v1/releases")
      if [ "$code" = 202 ]; then
        jq -r '.events[]' "$TMP/load.out" >>"$TMP/accepted"
        echo "$body" >>"$TMP/requests"
        break
      fi
      sleep 0.05
    done
  done
}
: >"$TMP/accepted"
: >"$TMP/requests"
loader &
LOADER=$!
kills=0
restarts_ok=1
while [ "$kills" -lt "$KILLS" ] && kill -0 "$LOADER" 2>/dev/null; do
  sleep "0.$((RANDOM % 6 + 2))"
  kill -9 "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  kills=$((kills + 1))
  serve_on "$PORT" "${S[@]}" || restarts_ok=0
done
wait "$LOADER"
# a last body of 30 processes, and kill -9 as soon as it is answered
for k in $(seq 30); do rel "ocds-k9-last-$k" 1 2024-05-01T10:00:00Z planning; done >"$TMP/last.jsonl"
h POST /v1/releases "$TOKEN" --data-binary @"$TMP/last.jsonl"
LAST=$ST
[ "$ST" = 202 ] && jq -r '.events[]' <<<"$OUT" >>"$TMP/accepted"
kill -9 "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""
PENDING_AT_KILL=$(sql "SELECT count(*) FROM events WHERE evaluated_at IS NULL")
serve_on "$PORT" "${S[@]}" || restarts_ok=0
drained
serve_stop TERM
ELAPSED=$((SECONDS - START))
ACCEPTED=$(sort -n "$TMP/accepted" | uniq | wc -l)
echo "     $KILLS kills + 1, $(wc -l <"$TMP/requests") requests answered 202, $ACCEPTED events accepted, $PENDING_AT_KILL pending at the last kill, ${ELAPSED}s"

t "the server was killed $KILLS times and came back each time" eval '[ "$kills" = "$KILLS" ] && [ $restarts_ok = 1 ]'
t "every request got its 202 in the end" \
  eval '[ "$(wc -l <"$TMP/requests")" = "$REQUESTS" ] && [ "$LAST" = 202 ]'
t "each process is stored once (a retry after a lost answer is a duplicate)" \
  eval '[ "$(sql "SELECT count(*) FROM events")" = $((REQUESTS * 3 + 30)) ] && [ "$(wc -l <"$TMP/accepted")" = "$ACCEPTED" ]'
sqlite3 "$DB" "CREATE TEMP TABLE accepted (id INTEGER PRIMARY KEY);" \
  ".import $TMP/accepted accepted" \
  "SELECT count(*) FROM accepted a JOIN events e ON e.id = a.id WHERE e.evaluated_at IS NOT NULL;" \
  "SELECT count(*) FROM accepted a WHERE (SELECT count(*) FROM verdicts v WHERE v.event_id = a.id) = 0;" \
  >"$TMP/check" 2>&1
t "every accepted event is stored and evaluated" eval '[ "$(sed -n 1p "$TMP/check")" = "$ACCEPTED" ]'
t "every accepted event has verdicts" eval '[ "$(sed -n 2p "$TMP/check")" = 0 ]'
t "no event has a verdict twice" \
  eval '[ "$(sql "SELECT count(*) FROM (SELECT event_id, rule, stage FROM verdicts GROUP BY 1, 2, 3 HAVING count(*) > 1)")" = 0 ]'
t "every event has the same number of verdicts (evaluated once, whole)" \
  eval '[ "$(sql "SELECT count(DISTINCT n) FROM (SELECT count(*) AS n FROM verdicts GROUP BY event_id)")" = 1 ]'
t "nothing is left pending" eval '[ "$(sql "SELECT count(*) FROM events WHERE evaluated_at IS NULL")" = 0 ]'
t "the last start found the events the kill left and evaluated them" \
  eval 'grep -q "$PENDING_AT_KILL events pending from before" "$LOG"'
t "the last stop was clean" eval '[ "$STOPPED" = 0 ]'
finish
