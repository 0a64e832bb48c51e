# The benchmark data generator (bench/gen.c, issue 7): its municipality list is the 357
# kommunenummer of 2024, its output is the same for the same N and seed, and what it
# writes passes the input validation of `anbud check` and `anbud import` (exit 0 or 1,
# never 2). Compiled here from bench/gen.c with cc, so `make test` needs no bench build.
source "$(dirname "$0")/lib.bash"
ROOT=$(cd "$E2E/../.." && pwd)
GEN=$TMP/gen
ST=0 OUT="" ERR=""

cc -std=c11 -O1 -Wall -Wextra -Werror -o "$GEN" "$ROOT/bench/gen.c" -lm 2>"$TMP/cc-err"
ST=$?
ERR=$(cat "$TMP/cc-err")
t "bench/gen.c compiles" status_is 0
[ "$ST" -eq 0 ] || { finish; exit; }

OUT=$("$GEN" --municipalities 2>"$TMP/err")
ST=$?
ERR=$(cat "$TMP/err")
t "--municipalities lists 357 codes" eval '[ "$(wc -l <<<"$OUT")" = 357 ]'
t "the codes are distinct and 4 digits" \
  eval '[ "$(sort -u <<<"$OUT" | grep -c "^[0-9][0-9][0-9][0-9]$")" = 357 ]'
# The list, code for code: the SHA-256 of the 357 lines as transcribed from the 2024 list and
# found identical to SSB Klass 131 (bench/README.md says where both come from).
t "the list is exactly the checked 2024 list" \
  eval '[ "$(sha256sum <<<"$OUT" | cut -d" " -f1)" = 21d5729517e8220f573501a420a54f3d8ccb618f3275dcf44277bc527553dd76 ]'
has_codes() {
  local c
  for c in "$@"; do grep -qx "$c" <<<"$OUT" || return 1; done
}
t "Oslo 0301, Bergen 4601, Alver 4631 and Haram 1580 are among them" \
  has_codes 0301 4601 4631 1580
# The 15 counties of 2024 and how many municipalities each had.
per_county() { cut -c1-2 <<<"$OUT" | sort | uniq -c | awk '{ print $2 ":" $1 }' | paste -sd' '; }
t "county prefixes and counts are those of 2024" eval \
  '[ "$(per_county)" = "03:1 11:23 15:27 18:41 31:12 32:21 33:18 34:46 39:6 40:17 42:25 46:43 50:38 55:21 56:18" ]'

"$GEN" --processes 120 --seed 7 >"$TMP/a.jsonl"
"$GEN" --processes 120 --seed 7 >"$TMP/b.jsonl"
"$GEN" --processes 120 --seed 8 >"$TMP/c.jsonl"
t "same N and seed: byte-identical output" cmp -s "$TMP/a.jsonl" "$TMP/b.jsonl"
t "another seed: other output" eval '! cmp -s "$TMP/a.jsonl" "$TMP/c.jsonl"'
t "the first 60 processes are a prefix of the 120 (streamed, nothing depends on N)" \
  eval '"$GEN" --processes 60 --seed 7 | cmp -s - <(head -c "$("$GEN" --processes 60 --seed 7 | wc -c)" "$TMP/a.jsonl")'
unknown_codes() {
  grep -o '"municipalityCode":"[0-9]*"' "$TMP/a.jsonl" | cut -d'"' -f4 | sort -u |
    comm -23 - <("$GEN" --municipalities | sort)
}
t "every municipality code in the output is in the list" eval '[ -z "$(unknown_codes)" ]'

a check --json --now 2026-01-01 --ruleset bergen "$TMP/a.jsonl"
t "anbud check --ruleset bergen accepts the generated file (exit 0 or 1)" \
  eval '[ "$ST" -le 1 ] && jq_true "(.processes | length) == 120"'
a check --now 2026-01-01 --ruleset alver "$TMP/a.jsonl"
t "anbud check --ruleset alver accepts it (exit 0 or 1)" eval '[ "$ST" -le 1 ]'
a import --db "$TMP/gen.db" --now 2026-01-01 "$TMP/a.jsonl"
t "anbud import stores it (exit 0 or 1, 120 processes)" \
  eval '[ "$ST" -le 1 ] && [ "$(sqlite3 "$TMP/gen.db" "SELECT count(*) FROM processes")" = 120 ]'

"$GEN" --processes abc >/dev/null 2>&1
ST=$?
t "a bad argument exits 2" status_is 2
finish
