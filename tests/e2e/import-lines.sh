# End-to-end tests of `import` reading JSON Lines one process at a time: a process whose
# releases are spread over the file (and out of date order) is stored and evaluated as when
# read from a package; bad input anywhere, the last line included, stores nothing.
source "$(dirname "$0")/lib.bash"
S=(--rules "$RULES" --now 2024-06-15)

# the releases of package.json (ocds-e2e-pkg: r2, r1, r3) and lifecycle.json
# (ocds-e2e-life: l1, l2), one a line, the two processes' lines interleaved
jq -c '.releases[]' "$DATA/package.json" >"$TMP/pkg.lines"
jq -c '.releases[]' "$DATA/lifecycle.json" >"$TMP/life.lines"
{
  sed -n 1p "$TMP/pkg.lines"
  sed -n 2p "$TMP/life.lines"
  sed -n 2p "$TMP/pkg.lines"
  sed -n 1p "$TMP/life.lines"
  sed -n 3p "$TMP/pkg.lines"
} >"$TMP/mixed.jsonl"

# dump DB: what a store holds, in a form to compare (no times)
dump() {
  sqlite3 "$1" "SELECT ocid, stage, ruleset, compiled FROM processes ORDER BY ocid;
    SELECT ocid, release_id, stage, hash, body FROM events ORDER BY ocid, id;
    SELECT ocid, rule, stage, outcome, message FROM verdicts ORDER BY ocid, event_id, rule;"
}
count() { sqlite3 "$1" "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM processes)"; }

a import --db "$TMP/whole.db" "${S[@]}" "$DATA/package.json" "$DATA/lifecycle.json"
t "the packages import" eval 'status_is 0 || status_is 1'
a import --db "$TMP/mixed.db" "${S[@]}" "$TMP/mixed.jsonl"
t "interleaved lines import: 5 releases stored" eval '(status_is 0 || status_is 1) && out_has "5 releases, 5 stored"'
t "interleaved lines store the same processes, events (in date order) and verdicts" \
  eval '[ -n "$(dump "$TMP/whole.db")" ] && [ "$(dump "$TMP/whole.db")" = "$(dump "$TMP/mixed.db")" ]'
a history --db "$TMP/mixed.db" --json ocds-e2e-pkg
t "a process's events are in date order, whatever the lines' order" \
  jq_true '[.events[].release_id] == ["r1","r2","r3"]'
a import --db "$TMP/mixed.db" "${S[@]}" "$TMP/mixed.jsonl"
t "importing the lines again stores nothing" eval 'status_is 0 && out_has "0 stored, 5 already stored"'

# bad input on the last line: nothing of the file is stored
cp "$TMP/mixed.jsonl" "$TMP/last-bad.jsonl"
jq -c '.ocid = "ocds-e2e-last" | .id = "z" | .tender.value.currency = "EUR"' "$TMP/life.lines" |
  sed -n 1p >>"$TMP/last-bad.jsonl"
a import --db "$TMP/last-bad.db" "${S[@]}" "$TMP/last-bad.jsonl"
t "a bad field on the last line exits 2 naming line 6 and the field" \
  eval 'status_is 2 && err_has "last-bad.jsonl: line 6" && err_has "currency" && out_empty'
t "... and stores nothing" eval '[ ! -e "$TMP/last-bad.db" ] || [ "$(count "$TMP/last-bad.db")" = 0 ]'

cp "$TMP/mixed.jsonl" "$TMP/last-broken.jsonl"
printf '{"ocid": "ocds-e2e-last", "id": \n' >>"$TMP/last-broken.jsonl"
a import --db "$TMP/last-broken.db" "${S[@]}" "$TMP/last-broken.jsonl"
t "broken JSON on the last line exits 2 naming line 6, nothing stored" \
  eval 'status_is 2 && err_has "last-broken.jsonl: line 6" && { [ ! -e "$TMP/last-broken.db" ] || [ "$(count "$TMP/last-broken.db")" = 0 ]; }'

# a move back found only once a process's lines are put together (an earlier line of
# another process is stored first, then rolled back)
{
  sed -n 1p "$TMP/life.lines"
  sed -n 1p "$TMP/pkg.lines" | jq -c '.date = "2023-11-01T09:00:00Z"'
  sed -n 2p "$TMP/pkg.lines"
} >"$TMP/back.jsonl"
a import --db "$TMP/back.db" "${S[@]}" "$TMP/back.jsonl"
t "a move back across lines exits 2 naming the release" eval 'status_is 2 && err_has "back" && err_has "r1"'
t "... and stores nothing, not even the process before it" eval '[ "$(count "$TMP/back.db")" = 0 ]'

# a NUL byte further on is reported before a syntax error earlier, as when read whole
{ printf '{"ocid": \n'; cat "$TMP/life.lines"; printf '{"a": "\0"}\n'; } >"$TMP/nul.jsonl"
a check "${S[@]}" "$TMP/nul.jsonl"
WHOLE=$ERR
a import --db "$TMP/nul.db" "${S[@]}" "$TMP/nul.jsonl"
t "a NUL byte on line 4 is the error import reports, as check does" \
  eval 'status_is 2 && err_has "line 4, column 8: a NUL byte" && [ "$ERR" = "$WHOLE" ]'

finish
