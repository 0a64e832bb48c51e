# End-to-end tests of `anbud serve` and `anbud token create`: the real server on a free
# loopback port, spoken to with curl. HTTP gives the verdicts `import` gives; tokens and
# tenants; 400s that name the field and store nothing; rule reload (edit, break, SIGHUP);
# timed re-checks (live and after downtime); metrics; SIGTERM finishing what is stored.
source "$(dirname "$0")/lib.bash"
source "$E2E/serve.bash"
DB=$TMP/serve.db
RULES_COPY=$TMP/rules
cp -r "$REPO/rules" "$RULES_COPY"
NOW=2025-06-01
S=(--db "$DB" --rules "$RULES_COPY" --now "$NOW")
EXAMPLES=("$REPO/examples/alver-rammeavtale-kontorrekvisita.json")
for f in "$REPO"/examples/*.json; do
  [ "$f" = "${EXAMPLES[0]}" ] || EXAMPLES+=("$f")
done
rows() { sql "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM processes) || ' ' || (SELECT count(*) FROM verdicts)"; }

# ---- tokens ------------------------------------------------------------------------------
a token create --municipality 4631 --db "$DB"
TA=$OUT
t "token create prints one 64-hex token alone on stdout" \
  eval 'status_is 0 && [[ "$OUT" =~ ^[0-9a-f]{64}$ ]]'
a token create --municipality 4601 --db "$DB"
TB=$OUT
a token create --municipality 4602 --db "$DB"
TC=$OUT
t "each token is new" eval '[ "$TA" != "$TB" ] && [ "$TB" != "$TC" ] && [ "$(sql "SELECT count(*) FROM tokens")" = 3 ]'
t "the store keeps no token, only salted hashes" \
  eval '! grep -qaF "$TA" "$DB"* && [ "$(sql "SELECT count(*) FROM tokens WHERE length(hash) = 64 AND length(salt) = 32")" = 3 ]'
SALT_A=$(sql "SELECT salt FROM tokens ORDER BY id LIMIT 1")
HASH_A=$(sql "SELECT hash FROM tokens ORDER BY id LIMIT 1")
t "the stored hash is SHA-256(salt || token), as coreutils' sha256sum computes it" \
  eval '[ "$(printf "%s%s" "$SALT_A" "$TA" | sha256sum | cut -d" " -f1)" = "$HASH_A" ]'
t "anbud itself does not link libh2o, libuv or OpenSSL (anbud-serve does)" \
  eval '! ldd "$ANBUD" | grep -qE "libh2o|libuv|libssl|libcrypto" && ldd "$(dirname "$ANBUD")/anbud-serve" | grep -q libh2o'
a token create --municipality 46 --db "$DB"
t "token create refuses a bad kommunenummer" eval 'status_is 2 && err_has "kommunenummer"'
a token create --db "$DB"
t "token create without --municipality is bad usage" status_is 2

# ---- start -------------------------------------------------------------------------------
serve_start "${S[@]}"
t "the server starts and answers /healthz without a token" eval '[ -n "$SERVER_PID" ]'
h GET /healthz ""
t "/healthz is 200 with the queue depth" jq_true '.status == "ok" and .pending == 0'
h GET /metrics ""
t "/metrics needs no token" eval '[ "$ST" = 200 ] && out_has "anbud_events_pending 0"'

# ---- 401 ---------------------------------------------------------------------------------
h GET /v1/processes ""
t "no token: 401 with WWW-Authenticate" eval '[ "$ST" = 401 ] && grep -qi "www-authenticate: Bearer" <<<"$HDR"'
h GET /v1/processes "$(printf '%064d' 7)"
t "a wrong token: 401" eval '[ "$ST" = 401 ] && out_has "not valid"'
h GET /v1/processes "" -H "Authorization: Basic $TA"
t "a token not sent as Bearer: 401" eval '[ "$ST" = 401 ]'
h POST /v1/releases "" --data-binary @"${EXAMPLES[0]}"
t "posting without a token: 401, nothing stored" eval '[ "$ST" = 401 ] && [ "$(rows)" = "0 0 0" ]'

# ---- the examples over HTTP give import's verdicts ----------------------------------------
ok=1
for f in "${EXAMPLES[@]}"; do
  token=$TA
  case $(basename "$f") in bergen-*) token=$TB ;; esac
  post "$token" "$f"
  want=$(jq '[.releases | length] | add' "$f")
  if [ "$ST" != 202 ] || [ "$(jq '.events | length' <<<"$OUT")" != "$want" ]; then
    ok=0
    echo "     $(basename "$f"): $ST $OUT"
  fi
  drained || ok=0
done
t "each example posts: 202 with one event id per release, evaluated" eval '[ $ok = 1 ]'
a import --db "$TMP/import.db" --rules "$RULES_COPY" --now "$NOW" "${EXAMPLES[@]}"
OCIDS=$(sqlite3 "$TMP/import.db" "SELECT ocid FROM processes ORDER BY ocid")
same=1
for o in $OCIDS; do
  a show --json --db "$DB" "$o"
  served=$OUT
  a show --json --db "$TMP/import.db" "$o"
  if [ "$(jq -S . <<<"$served")" != "$(jq -S . <<<"$OUT")" ]; then
    same=0
    echo "     $o differs"
  fi
  hist='[.events[] | {kind, release_id, stage, verdicts}]'
  a history --json --db "$DB" "$o"
  served=$(jq -S "$hist" <<<"$OUT")
  a history --json --db "$TMP/import.db" "$o"
  [ "$served" = "$(jq -S "$hist" <<<"$OUT")" ] || { same=0; echo "     history of $o differs"; }
done
t "the verdicts of every example equal import's (show and history, times aside)" \
  eval '[ $same = 1 ] && [ "$(wc -w <<<"$OCIDS")" = 6 ]'
a show --json --db "$DB" ocds-anbud-alver-2025-031
CLI=$(jq -S '.processes[0].results' <<<"$OUT")
h GET /v1/processes/ocds-anbud-alver-2025-031 "$TA"
t "GET /v1/processes/{ocid} is show's document, with the compiled release" \
  eval '[ "$ST" = 200 ] && [ "$(jq -S ".processes[0].results" <<<"$OUT")" = "$CLI" ] && jq_true ".processes[0].compiled.ocid == \"ocds-anbud-alver-2025-031\" and .processes[0].municipality == \"4631\" and .processes[0].stage == \"award\""'
h GET /v1/processes/ocds-anbud-alver-2025-031/history "$TA"
t "GET .../history has every event with its verdicts" \
  jq_true '.ocid == "ocds-anbud-alver-2025-031" and (.events | length == 2) and (.events[0].verdicts | length > 0)'
BEFORE=$(rows)
post "$TA" "$REPO/examples/alver-smakjop.json"
t "posting a file again: 202, nothing new stored" \
  eval '[ "$ST" = 202 ] && jq_true ".events == [] and .duplicates == 2 and .stored == 0" && [ "$(rows)" = "$BEFORE" ]'

# ---- tenants -----------------------------------------------------------------------------
h GET /v1/processes "$TA"
t "Alver's token lists Alver's processes only" \
  jq_true '[.processes[].municipality] | unique == ["4631"] and length == 5'
h GET /v1/processes "$TB"
t "Bergen's token (the cooperation's host) also sees its member Alver" \
  jq_true '[.processes[].municipality] | unique == ["4601","4631"] and length == 6'
h GET /v1/processes/ocds-anbud-bergen-2024-118 "$TA"
t "Alver's token gets 404 for Bergen's process" eval '[ "$ST" = 404 ] && out_has "no process"'
h GET /v1/processes/ocds-anbud-bergen-2024-118/history "$TA"
t "... and for its history" eval '[ "$ST" = 404 ]'
all404=1
for o in $OCIDS; do
  for suffix in "" /history; do
    h GET "/v1/processes/$o$suffix" "$TC"
    [ "$ST" = 404 ] || { all404=0; echo "     $o$suffix: $ST"; }
  done
done
h GET /v1/processes "$TC"
t "another municipality's token (4602) gets 404 for every process and lists none" \
  eval '[ $all404 = 1 ] && jq_true ".processes == []"'
h GET /v1/processes/ocds-does-not-exist "$TA"
t "an unknown process is the same 404" eval '[ "$ST" = 404 ]'
BEFORE=$(rows)
rel ocds-e2e-bergen-by-alver 1 2025-05-01T09:00:00Z planning "Skulemøblar" 4601 >"$TMP/foreign.json"
post "$TA" "$TMP/foreign.json"
t "posting another municipality's process: 403 naming it, nothing stored" \
  eval '[ "$ST" = 403 ] && out_has "4601" && [ "$(rows)" = "$BEFORE" ]'
jq -c '{ocid, id: "extra", date: "2025-06-01T00:00:00Z", tag: ["awardUpdate"]}' \
  <<<'{"ocid":"ocds-anbud-bergen-2024-118"}' >"$TMP/foreign-update.json"
post "$TA" "$TMP/foreign-update.json"
t "an update to another municipality's stored process: 403, nothing stored" \
  eval '[ "$ST" = 403 ] && [ "$(rows)" = "$BEFORE" ]'

# ---- the README's curl examples, as they stand ----------------------------------------------
awk '/^<!-- service example/ { want = 1; next }
     want && /^```/ && !inside { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$REPO/README.md" | sed "s/127\.0\.0\.1:8473/127.0.0.1:$PORT/g" >"$TMP/readme.sh"
(cd "$REPO" && TOKEN=$TA bash -e "$TMP/readme.sh") >"$TMP/readme.out" 2>&1
ST=$?
OUT=$(cat "$TMP/readme.out")
t "the README's curl examples work" \
  eval 'status_is 0 && [ "$(grep -c curl "$TMP/readme.sh")" -ge 7 ] && out_has "\"status\":\"ok\"" && out_has "\"duplicates\":2" && out_has "\"ocid\":\"ocds-anbud-alver-2025-031\"" && out_has "\"release_id\"" && out_has "\"id\":\"alver\"" && out_has "anbud_events_pending 0"'

# ---- bad bodies: 400 naming the field, nothing stored --------------------------------------
BEFORE=$(rows)
post "$TA" "$DATA/eur.json"
t "a wrong currency: 400 naming tender.value.currency" \
  eval '[ "$ST" = 400 ] && out_has "currency" && [ "$(rows)" = "$BEFORE" ]'
post "$TA" "$DATA/truncated.json"
t "bad JSON: 400" eval '[ "$ST" = 400 ] && jq_true ".error | length > 0" && [ "$(rows)" = "$BEFORE" ]'
rel ocds-e2e-type 1 2025-05-01T09:00:00Z planning | jq -c '.tender.value.amount = "mange"' >"$TMP/type.json"
post "$TA" "$TMP/type.json"
t "a wrong type: 400 naming tender.value.amount" \
  eval '[ "$ST" = 400 ] && out_has "tender.value.amount" && [ "$(rows)" = "$BEFORE" ]'
rel ocds-e2e-tag 1 2025-05-01T09:00:00Z bogusStage >"$TMP/tag.json"
post "$TA" "$TMP/tag.json"
t "an unknown stage tag: 400 naming tag" eval '[ "$ST" = 400 ] && out_has "tag" && [ "$(rows)" = "$BEFORE" ]'
{ rel ocds-e2e-back 1 2025-05-01T09:00:00Z award; rel ocds-e2e-back 2 2025-05-02T09:00:00Z planning; } >"$TMP/back.jsonl"
post "$TA" "$TMP/back.jsonl"
t "a backward move: 400, nothing of the body stored" \
  eval '[ "$ST" = 400 ] && out_has "back" && [ "$(rows)" = "$BEFORE" ]'
rel ocds-e2e-nokommune 1 2025-05-01T09:00:00Z planning | jq -c 'del(.parties)' >"$TMP/nokommune.json"
post "$TA" "$TMP/nokommune.json"
t "a buyer without kommunenummer: 400 naming municipalityCode" \
  eval '[ "$ST" = 400 ] && out_has "municipalityCode" && [ "$(rows)" = "$BEFORE" ]'
h POST /v1/releases "$TA"
t "an empty body: 400" eval '[ "$ST" = 400 ] && out_has "body" && [ "$(rows)" = "$BEFORE" ]'
h GET /v1/releases "$TA"
t "a wrong method: 405 with Allow" eval '[ "$ST" = 405 ] && grep -qi "^allow: POST" <<<"$HDR"'
h GET /v1/processes?stage=award "$TA"
t "?stage= filters" jq_true '[.processes[].stage] | unique == ["award"] and length == 2'
h GET /v1/processes?outcome=fail "$TB"
t "?outcome= filters" jq_true '[.processes[].ocid] == ["ocds-anbud-bergen-2024-118"]'
h GET /v1/processes?stage=done "$TA"
t "?stage= of an unknown stage: 400 naming stage" eval '[ "$ST" = 400 ] && out_has "stage"'
h GET /v1/processes?colour=red "$TA"
t "an unknown query parameter: 400 naming it" eval '[ "$ST" = 400 ] && out_has "colour"'

# ---- rule sets ---------------------------------------------------------------------------
h GET /v1/rulesets "$TA"
t "/v1/rulesets lists the sets after layering" \
  jq_true '([.rulesets[].id] | sort) == ["alver","bergen","bergen-innkjopssamarbeid","no"] and (.rulesets[] | select(.id == "alver") | .order == ["no","bergen-innkjopssamarbeid","alver"] and .load.state == "loaded")'
h GET /v1/rulesets/alver "$TA"
t "/v1/rulesets/{id} has every rule with its source" \
  jq_true '(.rules | length) == .rule_count and all(.rules[]; (.source | length) > 0) and any(.rules[]; .id == "no.regime")'
V1=$(jq -r .version <<<"$OUT")
h GET /v1/rulesets/nope "$TA"
t "an unknown rule set: 404" eval '[ "$ST" = 404 ]'

# ---- reload --------------------------------------------------------------------------------
PROBE=$RULES_COPY/alver/service-probe.lua
probe() { # probe VERSION: the probe rule; a title with [recheck] asks to run again today
  cat >"$PROBE.tmp" <<EOF
rule {
  id = "alver.service-probe",
  title = "Prøve for tenesta",
  source = "tests/e2e/service.sh",
  stages = { "planning", "tender", "award", "contract", "implementation" },
  severity = "info",
  check = function(p)
    local o = info("probe $1")
    if p.title and p.title:find("[recheck]", 1, true) then
      return o:again_on(today())
    end
    return o
  end,
}
EOF
  mv "$PROBE.tmp" "$PROBE"
}
# version_not OLD: waits (at most 20 s) until alver's version in force is not OLD
version_not() {
  local i v
  for i in $(seq 200); do
    v=$(curl -s -H "Authorization: Bearer $TA" "http://127.0.0.1:$PORT/v1/rulesets/alver" | jq -r .version)
    [ -n "$v" ] && [ "$v" != "$1" ] && [ "$v" != null ] && { echo "$v"; return 0; }
    sleep 0.1
  done
  return 1
}
# probe_of OCID: the probe's message in the process's latest verdicts
probe_of() { a show --json --db "$DB" "$1"; jq -r '.processes[0].results[] | select(.rule == "alver.service-probe") | .message' <<<"$OUT"; }

probe v1
V2=$(version_not "$V1")
t "adding a rule file reloads alver without a restart" eval '[ -n "$V2" ] && grep -q "reloaded rule sets" "$LOG"'
rel ocds-e2e-r1 1 2025-05-01T09:00:00Z planning >"$TMP/r1.json"
post "$TA" "$TMP/r1.json"
drained
t "new verdicts use the new rule" eval '[ "$(probe_of ocds-e2e-r1)" = "probe v1" ]'
probe v2
V3=$(version_not "$V2")
rel ocds-e2e-r2 1 2025-05-01T09:00:00Z planning >"$TMP/r2.json"
post "$TA" "$TMP/r2.json"
drained
t "editing the rule file changes new verdicts" \
  eval '[ -n "$V3" ] && [ "$(probe_of ocds-e2e-r2)" = "probe v2" ] && [ "$(probe_of ocds-e2e-r1)" = "probe v1" ]'
t "verdicts record which version of the set ran" \
  eval '[ "$(sql "SELECT count(DISTINCT ruleset_version) FROM verdicts WHERE ocid IN ('"'"'ocds-e2e-r1'"'"','"'"'ocds-e2e-r2'"'"')")" = 2 ]'
printf 'rule { id = "alver.service-probe", check = function( }\n' >"$PROBE.tmp"
mv "$PROBE.tmp" "$PROBE"
broken=0
for i in $(seq 200); do
  h GET /v1/rulesets/alver "$TA"
  jq_true '.load.state == "reload_failed"' && { broken=1; break; }
  sleep 0.1
done
t "breaking the rule keeps the set in force and says why at /v1/rulesets/{id}" \
  eval '[ $broken = 1 ] && jq_true ".version == \"$V3\" and (.load.reload_error | test(\"service-probe.lua\"))"'
h GET /v1/rulesets "$TA"
t "... and at /v1/rulesets" jq_true '.reload.state == "failed" and (.reload.error | test("service-probe"))'
t "... and in the log" eval 'grep -q "reload .* failed; the rule sets in force stay" "$LOG"'
rel ocds-e2e-r3 1 2025-05-01T09:00:00Z planning >"$TMP/r3.json"
post "$TA" "$TMP/r3.json"
drained
t "new verdicts still come from the set in force" eval '[ "$(probe_of ocds-e2e-r3)" = "probe v2" ]'
probe v3
V4=$(version_not "$V3")
h GET /v1/rulesets/alver "$TA"
t "fixing it loads it again" eval '[ -n "$V4" ] && jq_true ".load.state == \"loaded\" and .load.reload_error == null"'
OK_BEFORE=$(metric 'anbud_ruleset_reloads_total{result="ok"}')
kill -HUP "$SERVER_PID"
for i in $(seq 100); do grep -q "reloaded rule sets (SIGHUP)" "$LOG" && break; sleep 0.1; done
t "SIGHUP reloads the rule sets, and the server goes on" \
  eval 'grep -q "reloaded rule sets (SIGHUP)" "$LOG" && kill -0 "$SERVER_PID" && [ "$(metric "anbud_ruleset_reloads_total{result=\"ok\"}")" -gt "$OK_BEFORE" ]'

# ---- timed re-checks, live ------------------------------------------------------------------
rel ocds-e2e-again 1 2025-05-01T09:00:00Z planning "Skrivarpapir [recheck]" >"$TMP/again.json"
post "$TA" "$TMP/again.json"
for i in $(seq 100); do
  [ "$(sql "SELECT count(*) FROM events WHERE ocid = 'ocds-e2e-again' AND kind = 'recheck'")" = 1 ] && drained && break
  sleep 0.1
done
t "a rule's again_on(today) fires its re-check at once: one recheck event, evaluated" \
  eval '[ "$(sql "SELECT count(*) FROM events WHERE ocid = '"'"'ocds-e2e-again'"'"' AND kind = '"'"'recheck'"'"' AND evaluated_at IS NOT NULL")" = 1 ]'
sleep 0.5
t "asked again the same day, it waits for the next day (no loop)" \
  eval '[ "$(sql "SELECT count(*) FROM events WHERE ocid = '"'"'ocds-e2e-again'"'"' AND kind = '"'"'recheck'"'"'")" = 1 ] && [ "$(sql "SELECT due FROM rechecks WHERE ocid = '"'"'ocds-e2e-again'"'"'")" = 2025-06-02 ]'
h GET /v1/processes/ocds-e2e-again/history "$TA"
t "the re-check is in the history with its verdicts" \
  jq_true '[.events[] | select(.kind == "recheck") | .release_id] == ["recheck-planning-2025-06-01"] and ([.events[] | select(.kind == "recheck") | .verdicts[] | select(.rule == "alver.service-probe")] | length == 1)'

# ---- metrics -------------------------------------------------------------------------------
h GET /metrics ""
t "metrics: requests by endpoint and status" \
  eval 'out_has "anbud_http_requests_total{endpoint=\"/v1/releases\",status=\"202\"}" && out_has "anbud_http_requests_total{endpoint=\"/v1/processes/{ocid}\",status=\"404\"}"'
t "metrics: events accepted, rule evaluations and errors by rule, a histogram, the queue" \
  eval 'out_has "anbud_events_accepted_total $(sql "SELECT count(*) FROM events WHERE kind = '"'"'release'"'"'")" && out_has "anbud_rule_evaluations_total{rule=\"alver.renewal\"}" && out_has "# TYPE anbud_rule_errors_total counter" && out_has "anbud_evaluation_seconds_bucket{le=\"+Inf\"}" && out_has "anbud_evaluation_seconds_count" && out_has "anbud_events_pending 0" && out_has "anbud_rechecks_fired_total 1"'
RELEASES=$(sql "SELECT count(*) FROM events WHERE kind = 'release' AND evaluated_at IS NOT NULL")
lat() { grep -F "anbud_event_latency_seconds_$1" <<<"$OUT" | awk '{print $NF}'; }
t "metrics: request-to-verdicts latency of every posted event, from receipt and from storing" \
  eval '[ "$RELEASES" -gt 0 ] && [ "$(lat "count{from=\"received\"}")" = "$RELEASES" ] && [ "$(lat "count{from=\"stored\"}")" = "$RELEASES" ] && [ "$(lat "bucket{from=\"received\",le=\"+Inf\"}")" = "$RELEASES" ] && out_has "anbud_event_latency_seconds_bucket{from=\"received\",le=\"0.005\"}"'
t "metrics: the latency buckets are cumulative and the maximum is at least the mean" \
  eval 'lat "bucket{from=\"received\"" | sort -c -n && awk -v s="$(lat "sum{from=\"received\"}")" -v n="$RELEASES" -v m="$(grep -F "anbud_event_latency_max_seconds{from=\"received\"}" <<<"$OUT" | awk "{print \$NF}")" "BEGIN { exit !(m > 0 && m >= s / n) }"'

# ---- a body too large; SIGTERM finishes what is stored ----------------------------------------
serve_stop TERM
serve_start "${S[@]}" --max-body 100000
head -c 200000 /dev/zero | tr '\0' ' ' >"$TMP/big.json"
post "$TA" "$TMP/big.json"
t "a body over --max-body: 413" eval '[ "$ST" = 413 ]'
for i in $(seq 60); do rel "ocds-e2e-many-$i" 1 2025-05-01T09:00:00Z tender; done >"$TMP/many.jsonl"
post "$TA" "$TMP/many.jsonl"
t "60 releases as JSON Lines: 202" eval '[ "$ST" = 202 ] && jq_true ".stored == 60"'
serve_stop TERM
t "SIGTERM right after: exit 0, every stored event evaluated, the store closed" \
  eval '[ "$STOPPED" = 0 ] && [ "$(sql "SELECT count(*) FROM events WHERE evaluated_at IS NULL")" = 0 ] && [ "$(sql "SELECT count(DISTINCT event_id) FROM verdicts WHERE ocid LIKE '"'"'ocds-e2e-many-%'"'"'")" = 60 ] && grep -q "SIGTERM: stopping" "$LOG" && grep -q "store closed; 0 events pending" "$LOG"'

# ---- timed re-checks that fell due while the service was down -----------------------------------
DB=$TMP/recheck.db
a import --db "$DB" --rules "$RULES_COPY" --now 2023-01-01 "$REPO/examples/alver-varmepumper-kontrakt-nar-slutt.json"
t "import on 2023-01-01: alver.renewal asks to run again on 2025-04-03" \
  eval '[ "$(sql "SELECT group_concat(stage || '"'"' '"'"' || due) FROM rechecks WHERE rule = '"'"'alver.renewal'"'"'")" = "contract 2025-04-03,implementation 2025-04-03" ]'
serve_start --db "$DB" --rules "$RULES_COPY" --now "$NOW"
drained
a history --json --db "$DB" ocds-anbud-alver-2022-019
t "started on $NOW, the service re-runs the stage the process is at" \
  jq_true '[.events[] | select(.kind == "recheck") | {stage, release_id}] == [{"stage": "implementation", "release_id": "recheck-implementation-2025-06-01"}]'
t "... and alver.renewal now warns that the renewal is late" \
  jq_true '[.events[] | select(.kind == "recheck") | .verdicts[] | select(.rule == "alver.renewal") | .outcome] == ["warn"]'
t "... the re-check of the stage left behind is dropped, none is left" \
  eval '[ "$(sql "SELECT count(*) FROM rechecks")" = 0 ] && grep -q "1 processes re-run at their stage; 1 re-checks of stages left behind dropped" "$LOG"'
serve_stop TERM
t "stopped with exit 0" eval '[ "$STOPPED" = 0 ]'
finish
