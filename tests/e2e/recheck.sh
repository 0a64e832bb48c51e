# End-to-end tests of `anbud recheck` (re-evaluating the stored portfolio after a rule
# change) and of `import` storing every file before evaluating any, on real SQLite files.
source "$(dirname "$0")/lib.bash"
ROOT=$(cd "$E2E/../.." && pwd)
DB=$TMP/recheck.db
R=$TMP/rules
cp -r "$RULES" "$R"
S=(--db "$DB" --rules "$R" --now 2024-06-15)
count() { sqlite3 "$DB" "$1"; }

a recheck --help
t "recheck --help explains the command" eval 'status_is 0 && out_has "usage: anbud recheck" && out_has "--municipality"'

a import "${S[@]}" "$DATA/lifecycle.json" "$DATA/pass.json"
t "two processes imported" status_is 0
a recheck "${S[@]}"
t "recheck re-evaluates every process" eval 'status_is 0 && out_has "2 processes re-checked"'
t "each process gets one event of kind recheck at its current stage" \
  eval '[ "$(count "SELECT group_concat(ocid || '"'"':'"'"' || stage, '"'"' '"'"') FROM (SELECT ocid, stage FROM events WHERE kind = '"'"'recheck'"'"' ORDER BY ocid)")" = "ocds-e2e-life:tender ocds-e2e-pass:planning" ]'
t "the recheck events are evaluated and carry the verdicts" \
  eval '[ "$(count "SELECT count(*) FROM events WHERE kind = '"'"'recheck'"'"' AND evaluated_at IS NULL")" = 0 ] && [ "$(count "SELECT count(*) FROM verdicts v JOIN events e ON e.id = v.event_id WHERE e.kind = '"'"'recheck'"'"'")" -gt 0 ]'
a history "${S[@]}" --json ocds-e2e-pass
t "history shows the recheck with its verdicts" \
  jq_true '(.events | last | .kind == "recheck" and (.verdicts | length > 0))'
a protocol "${S[@]}" ocds-e2e-pass
t "the protocol names the recheck in words, not by its code" \
  eval 'status_is 0 && out_has "| ny kontroll |" && ! out_has "| recheck |"'
a recheck "${S[@]}" --json
t "a second recheck adds a second event per process" \
  eval 'status_is 0 && jq_true ".processes == 2" && [ "$(count "SELECT count(*) FROM events WHERE kind = '"'"'recheck'"'"'")" = 4 ]'

# a rule change: demo.today now fails, and the recheck records it
cat >"$R/demo/today.lua" <<'EOF'
rule {
  id = "demo.today",
  title = "Dato",
  source = "test: a changed rule",
  stages = { "planning", "tender", "award", "contract" },
  severity = "error",
  check = function(p)
    return fail("changed rule: " .. p.ocid)
  end,
}
EOF
a recheck "${S[@]}"
t "after a rule change the recheck reports the new failures (exit 1)" \
  eval 'status_is 1 && out_has "2 processes re-checked" && out_has "2 fail or error"'
a show "${S[@]}" --json ocds-e2e-life
t "show has the new verdict as the latest" \
  jq_true '[.processes[0].results[] | select(.rule == "demo.today" and .stage == "tender") | .outcome] == ["fail"]'

a recheck "${S[@]}" --ruleset base --json
t "--ruleset selects the processes whose set extends it" eval 'status_is 1 && jq_true ".processes == 2"'
a recheck "${S[@]}" --municipality 0301 --json
t "--municipality selects by the buyer's kommunenummer" eval 'status_is 0 && jq_true ".processes == 0"'
BEFORE=$(count "SELECT count(*) FROM events")
a recheck "${S[@]}" --ruleset nope
t "an unknown --ruleset exits 2" eval 'status_is 2 && err_has "nope"'
a recheck "${S[@]}" --municipality 46
t "a malformed --municipality exits 2" status_is 2
mv "$R/demo" "$R/gone"
a recheck "${S[@]}" --ruleset base
t "a stored set that no longer loads exits 2 and stores nothing" \
  eval 'status_is 2 && err_has "demo" && [ "$(count "SELECT count(*) FROM events")" = "$BEFORE" ]'

# the framework agreement given after the purchase that leaks from it still counts
DB2=$TMP/order.db
a import --db "$DB2" --rules "$ROOT/rules" --now 2025-06-01 \
  "$ROOT/examples/alver-kjop-utanfor-rammeavtale.json" "$ROOT/examples/alver-rammeavtale-kontorrekvisita.json"
t "import of the purchase before its framework agreement" status_is 0
t "the purchase finds the framework agreement given after it (framework-loyalty warns)" \
  eval '[ "$(sqlite3 "$DB2" "SELECT outcome FROM verdicts WHERE ocid = '"'"'ocds-anbud-alver-2025-052'"'"' AND rule = '"'"'bergen-innkjopssamarbeid.framework-loyalty'"'"'")" = warn ]'
DB3=$TMP/partial.db
a import --db "$DB3" --rules "$RULES" --now 2024-06-15 "$DATA/pass.json" "$DATA/lifecycle.json" \
  "$DATA/late-backward.json"
t "a refused third file exits 2, naming it" \
  eval 'status_is 2 && err_has "late-backward.json" && err_has "back" && out_has "pass.json" && out_has "lifecycle.json"'
t "the files before it are stored and evaluated, nothing of the refused one" \
  eval '[ "$(sqlite3 "$DB3" "SELECT group_concat(ocid) FROM (SELECT ocid FROM processes ORDER BY ocid)")" = ocds-e2e-life,ocds-e2e-pass ] && [ "$(sqlite3 "$DB3" "SELECT count(*) FROM events")" = 3 ] && [ "$(sqlite3 "$DB3" "SELECT count(*) FROM events WHERE evaluated_at IS NULL")" = 0 ] && [ "$(sqlite3 "$DB3" "SELECT count(*) FROM verdicts")" -gt 0 ]'
finish
