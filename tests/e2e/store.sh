# End-to-end tests of the store commands on a real SQLite file: import, advance, show,
# history, list, protocol; idempotence, rollback, gates and forced moves.
source "$(dirname "$0")/lib.bash"
DB=$TMP/anbud.db
S=(--db "$DB" --rules "$RULES" --now 2024-06-15)
rows() { sqlite3 "$DB" "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM verdicts) || ' ' || (SELECT count(*) FROM processes) || ' ' || (SELECT count(*) FROM forced_moves)"; }

a import "${S[@]}" "$DATA/lifecycle.json"
t "import stores the releases" eval 'status_is 0 && out_has "2 releases, 2 stored, 0 already stored"'
t "the schema is at the latest version, in WAL mode" \
  eval '[ "$(sqlite3 "$DB" "PRAGMA user_version")" = 6 ] && [ "$(sqlite3 "$DB" "PRAGMA journal_mode")" = wal ]'
a show "${S[@]}" --json ocds-e2e-life
t "the process is at tender" jq_true '.processes[0].stage == "tender" and .processes[0].ruleset == "demo"'
t "verdicts are recorded for both stages" \
  jq_true '[.processes[0].results[].stage] | unique == ["planning","tender"]'
t "show results carry the check fields" \
  jq_true '[.processes[0].results[] | keys] | all(. == ["evidence","message","outcome","rule","severity","source","stage"])'
BEFORE=$(rows)
a import "${S[@]}" "$DATA/lifecycle.json"
t "importing the same file again stores nothing" \
  eval 'status_is 0 && out_has "0 stored, 2 already stored" && [ "$(rows)" = "$BEFORE" ]'

a history "${S[@]}" --json ocds-e2e-life
t "history has the SPEC shape" \
  jq_true '.ocid == "ocds-e2e-life" and (.events | length == 2) and ([.events[] | keys] | all(index("release_id") and index("received_at") and index("verdicts")))'
t "history events are oldest first with their verdicts" \
  jq_true '[.events[].release_id] == ["l1","l2"] and (.events[0].verdicts | length > 0) and ([.events[1].verdicts[] | keys] | all(. == ["message","outcome","rule","severity","stage"]))'
a history "${S[@]}" ocds-e2e-life
t "history as text lists each event" eval 'status_is 0 && out_has "#1" && out_has "release" && out_has "l2"'

BEFORE=$(rows)
a import "${S[@]}" "$DATA/late-backward.json"
t "a backward move exits 2 naming the release" eval 'status_is 2 && err_has "back" && err_has "l3"'
t "a backward move leaves no trace, not even of the good process before it" \
  eval '[ "$(rows)" = "$BEFORE" ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM processes WHERE ocid = '"'"'ocds-e2e-new'"'"'")" = 0 ]'
a import "${S[@]}" "$DATA/conflict.json"
t "a release id stored with other content exits 2" eval 'status_is 2 && err_has "other content" && [ "$(rows)" = "$BEFORE" ]'
a import "${S[@]}" "$DATA/eur.json"
t "bad input exits 2 naming the field and stores nothing" \
  eval 'status_is 2 && err_has "currency" && [ "$(rows)" = "$BEFORE" ]'
a import "${S[@]}" "$DATA/pass.json" "$DATA/truncated.json"
t "every file is read before any is stored" eval 'status_is 2 && [ "$(rows)" = "$BEFORE" ]'

a import "${S[@]}" "$DATA/gate.json"
t "import of a planning release warns about the gate" eval 'status_is 0'
a advance "${S[@]}" ocds-e2e-gate tender
t "advance is refused when a gate rule fails" eval 'status_is 1 && out_has "refused by demo.assessed" && out_has "test: gate"'
a show "${S[@]}" --json ocds-e2e-gate
t "a refused move leaves the process where it was" jq_true '.processes[0].stage == "planning"'
a advance "${S[@]}" ocds-e2e-gate tender --force
t "--force without --reason is bad usage" status_is 2
a advance "${S[@]}" ocds-e2e-gate planning2
t "an unknown stage is bad usage" status_is 2
a advance "${S[@]}" --force --reason "Akutt behov etter brann; vurderinga kjem i ettertid." --by "innkjøpar" ocds-e2e-gate tender
t "a forced move is made" eval 'status_is 0 && out_has "forced past demo.assessed" && out_has "moved to tender"'
a history "${S[@]}" --json ocds-e2e-gate
t "the forced move's reason is in history" \
  jq_true '(.forced_moves[0].reason | test("Akutt behov")) and (.forced_moves | length == 1)'
t "the forced move names the rules and who" \
  jq_true '.forced_moves[0].rules == ["demo.assessed"] and .forced_moves[0].by == "innkjøpar"'
a protocol "${S[@]}" ocds-e2e-gate
t "the protocol names each rule's id and source" \
  eval 'status_is 0 && out_has "demo.assessed" && out_has "test: gate" && out_has "base.value-known" && out_has "test: base"'
t "the protocol gives the forced move's reason" eval 'out_has "Akutt behov etter brann"'
a protocol "${S[@]}" --format html ocds-e2e-gate
t "the HTML protocol is a page with the reason" eval 'status_is 0 && out_has "<html" && out_has "Akutt behov"'
a protocol "${S[@]}" --format json ocds-e2e-gate
t "the JSON protocol parses" eval 'status_is 0 && jq -e . >/dev/null <<<"$OUT"'
a protocol "${S[@]}" --format pdf ocds-e2e-gate
t "an unknown protocol format is bad usage" status_is 2
a advance "${S[@]}" ocds-e2e-gate planning
t "advance back to an earlier stage exits 2" eval 'status_is 2 && err_has "back"'
a advance "${S[@]}" --release "$DATA/gate-tender.json" ocds-e2e-gate tender
t "advance with a release that passes the gate" eval 'status_is 0 && ! out_has "refused"'
a show "${S[@]}" --json ocds-e2e-gate
t "the gate passes once the assessment is there" \
  jq_true '[.processes[0].results[] | select(.rule == "demo.assessed" and .stage == "tender") | .outcome] == ["pass"]'

a import "${S[@]}" "$DATA/pass.json"
a list "${S[@]}" --json
t "list shows every process" jq_true '[.processes[].ocid] | sort == ["ocds-e2e-gate","ocds-e2e-life","ocds-e2e-pass"]'
a list "${S[@]}" --json --stage planning
t "list filters by stage" jq_true '[.processes[].ocid] == ["ocds-e2e-pass"]'
a list "${S[@]}" --json --municipality 4601
t "list filters by municipality" jq_true '.processes == []'
a list "${S[@]}" --outcome bogus
t "list refuses an unknown outcome" status_is 2
a show "${S[@]}" ocds-missing
t "show of an unknown process exits 2" eval 'status_is 2 && err_has "ocds-missing"'

echo "not a database" > "$TMP/junk.db"
a import --db "$TMP/junk.db" --rules "$RULES" "$DATA/pass.json"
t "a file that is not a database exits 2 naming it" eval 'status_is 2 && err_has "junk.db"'
sqlite3 "$TMP/new.db" "PRAGMA user_version = 99"
a list --db "$TMP/new.db"
t "a database from a newer anbud is refused" eval 'status_is 2 && err_has "newer"'
cp "$DB" "$TMP/ro.db"
chmod 444 "$TMP/ro.db"
if [ "$(id -u)" != 0 ]; then
  a import --db "$TMP/ro.db" --rules "$RULES" "$DATA/other.json"
  t "a read-only database exits 2" status_is 2
fi
finish
