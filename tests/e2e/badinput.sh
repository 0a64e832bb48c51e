# Hostile and malformed input (tests/badinput/, issue 6). For each file EXPECT lists,
# `anbud check` and `anbud import` exit exactly 2 (any other status, a sanitizer report
# included, is a failure), name the file and the field or position EXPECT gives, print no
# verdicts and store nothing. Files ACCEPTED lists are odd but valid: both exit 0 or 1.
# Deeply nested and very large documents are made here at test time, in a temporary
# folder, rather than kept in the repository. Inputs the fuzzers found (fuzz/regressions/)
# are replayed through the binary. With ANBUD_SERVICE_URL and ANBUD_SERVICE_TOKEN set,
# every refused body is also POSTed to the service, which must answer 400.
source "$(dirname "$0")/lib.bash"
BAD=$(cd "$E2E/../badinput" && pwd)
ROOT=$(cd "$E2E/../.." && pwd)
NOW=(--now 2024-06-15)

# no_report: stderr shows no sanitizer report and no crash message
no_report() { ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|Segmentation|Aborted|core dumped' <<<"$ERR"; }
# stored DB: events and processes rows in the store ("0" when the file does not exist)
stored() {
  if [ ! -e "$1" ]; then echo 0; return; fi
  sqlite3 "$1" "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM processes)" 2>&1
}
# refused: the last command exited 2, naming $1 (the file) and $2 (the fragment), no verdicts
refused() { status_is 2 && err_has "$1" && err_has "$2" && out_empty && no_report; }

HTTP=0
if [ -n "${ANBUD_SERVICE_URL:-}" ] && [ -n "${ANBUD_SERVICE_TOKEN:-}" ]; then
  HTTP=1
else
  echo "note: ANBUD_SERVICE_URL and ANBUD_SERVICE_TOKEN are not set; the HTTP part (POST each refused body to /v1/releases, expect 400) is skipped"
fi

# post_badinput FILE [CODES]: POSTs FILE as the body of /v1/releases with the service token;
# the answer must be one of CODES (default 400).
post_badinput() {
  local file=$1 codes=${2:-400} code
  code=$(curl -s -o "$TMP/http-body" -w '%{http_code}' --max-time 120 -X POST \
    -H "Authorization: Bearer $ANBUD_SERVICE_TOKEN" -H 'Content-Type: application/json' \
    --data-binary @"$file" "$ANBUD_SERVICE_URL/v1/releases")
  ST=$code
  OUT=$(head -c 600 "$TMP/http-body" 2>/dev/null)
  ERR=""
  [[ " $codes " == *" $code "* ]]
}

# expect_refused FILE FRAGMENT [LIMIT_SECONDS]: check and import refuse it as described.
expect_refused() {
  local file=$1 frag=$2 limit=${3:-60} name db
  name=$(basename "$file")
  a_limited "$limit" check "${NOW[@]}" "$file"
  t "check $name: exit 2 naming the file and '$frag'" refused "$file" "$frag"
  db=$TMP/import-$name.db
  a_limited "$limit" import --db "$db" "${NOW[@]}" "$file"
  t "import $name: exit 2 naming the file, nothing stored" \
    eval 'refused "$file" "$frag" && [ "$(stored "$db")" = 0 ]'
  rm -f "$db" "$db-wal" "$db-shm"
  if [ "$HTTP" = 1 ]; then
    local codes=400
    [ "$(stat -c %s "$file")" -gt 10000000 ] && codes="400 413" # above the body limit
    t "POST $name answers $codes" post_badinput "$file" "$codes"
  fi
}

# a_limited SECONDS CMD...: as `a`, ended after SECONDS (status 124 then).
a_limited() {
  local limit=$1
  shift
  timeout "$limit" "$ANBUD" "$@" >"$TMP/out" 2>"$TMP/err"
  ST=$?
  OUT=$(cat "$TMP/out")
  ERR=$(head -c 20000 "$TMP/err")
}

# ---- the files in tests/badinput ----------------------------------------------------------
listed=$(grep -hv '^#' "$BAD/EXPECT" "$BAD/ACCEPTED" | cut -f1 | sort)
present=$(cd "$BAD" && ls | grep -vxE 'EXPECT|ACCEPTED' | sort)
t "every file in tests/badinput is listed once in EXPECT or ACCEPTED" \
  eval '[ "$listed" = "$present" ] && [ -z "$(uniq -d <<<"$listed")" ]'
t "at least 60 refused inputs" eval '[ "$(grep -cv "^#" "$BAD/EXPECT")" -ge 60 ]'

while IFS=$'\t' read -r file frag; do
  case $file in '#'* | '') continue ;; esac
  expect_refused "$BAD/$file" "$frag"
done <"$BAD/EXPECT"

while IFS=$'\t' read -r file what; do
  case $file in '#'* | '') continue ;; esac
  a check "${NOW[@]}" "$BAD/$file"
  t "check $file ($what): accepted, exit 0 or 1" eval '[ "$ST" -le 1 ] && ! out_empty && no_report'
  db=$TMP/accepted.db
  a import --db "$db" "${NOW[@]}" "$BAD/$file"
  t "import $file: accepted and stored" eval '[ "$ST" -le 1 ] && [ "$(stored "$db")" -gt 0 ] && no_report'
  rm -f "$db" "$db-wal" "$db-shm"
done <"$BAD/ACCEPTED"

# ---- made at test time: deep nesting ------------------------------------------------------
GEN=$TMP/gen
mkdir -p "$GEN"
# nest N OPEN CLOSE: N opening brackets then N closing ones
nest() { printf "%${1}s" '' | tr ' ' "$2"; printf "%${1}s" '' | tr ' ' "$3"; }
REL='"ocid":"ocds-deep-1","id":"1","date":"2024-03-01T10:00:00Z","tag":["tender"]'
nest 100000 '[' ']' >"$GEN/deep-arrays.json"
expect_refused "$GEN/deep-arrays.json" "maximum parsing depth"
{ printf '{"releases":'; nest 100000 '[' ']'; printf '}'; } >"$GEN/deep-releases.json"
expect_refused "$GEN/deep-releases.json" "maximum parsing depth"
{ printf '{%s,"tender":' "$REL"; for _ in $(seq 100000); do printf '{"a":'; done
  printf 1; printf "%100000s" '' | tr ' ' '}'; printf '}'; } >"$GEN/deep-objects.json"
expect_refused "$GEN/deep-objects.json" "maximum parsing depth"
{ printf '{%s}\n{%s,"x":' "$REL" "${REL/deep-1/deep-2}"; nest 100000 '[' ']'; printf '}\n'; } >"$GEN/deep-line.jsonl"
expect_refused "$GEN/deep-line.jsonl" "line 2"
# deep but within what JSON readers take: accepted, and the validation walk does not overflow
{ printf '{%s,"x-deep":' "$REL"; nest 1500 '[' ']'; printf '}'; } >"$GEN/deep-1500.json"
a check "${NOW[@]}" "$GEN/deep-1500.json"
t "check: nesting 1500 deep in an unknown field is accepted" eval '[ "$ST" -le 1 ] && no_report'

# ---- made at test time: very large documents ----------------------------------------------
# 50 lines of 1 MB each, then a line with a foreign currency: read whole, refused, in time
DESC=$(head -c 1000000 /dev/zero | tr '\0' 'x')
for i in $(seq 50); do
  printf '{"ocid":"ocds-big-%d","id":"1","date":"2024-03-01T10:00:00Z","tag":["planning"],"description":"%s"}\n' "$i" "$DESC"
done >"$GEN/large-50mb.jsonl"
printf '{"ocid":"ocds-big-x","id":"1","date":"2024-03-01T10:00:00Z","tag":["tender"],"tender":{"value":{"amount":1,"currency":"SEK"}}}\n' >>"$GEN/large-50mb.jsonl"
t "the large JSON Lines file is over 50 MB" eval '[ "$(stat -c %s "$GEN/large-50mb.jsonl")" -gt 50000000 ]'
start=$SECONDS
expect_refused "$GEN/large-50mb.jsonl" "line 51 (ocid ocds-big-x): tender.value.currency" 120
t "the 50 MB file is refused within 120 s (took $((SECONDS - start)) s)" eval '[ $((SECONDS - start)) -lt 240 ]'
# a 20 000-release package whose last release has a wrong type
{ printf '{"releases":['
  for i in $(seq 20000); do printf '{"ocid":"ocds-pkg-%d","id":"1","date":"2024-03-01T10:00:00Z","tag":["planning"]},' "$i"; done
  printf '{"ocid":"ocds-pkg-x","id":"1","date":"2024-03-01T10:00:00Z","tag":["tender"],"tender":{"title":7}}]}'
} >"$GEN/large-package.json"
expect_refused "$GEN/large-package.json" "releases[20000] (ocid ocds-pkg-x): tender.title" 120
# one valid release with a 20 MB description: accepted, every rule ends within its budget
printf '{"ocid":"ocds-big-ok","id":"1","date":"2024-03-01T10:00:00Z","tag":["tender"],"buyer":{"id":"b","name":"Alver kommune"},"parties":[{"id":"b","name":"Alver kommune","details":{"municipalityCode":"4631"}}],"tender":{"id":"t","title":"Stort","description":"%s","value":{"amount":80000,"currency":"NOK"}}}' \
  "$(for _ in $(seq 20); do printf '%s' "$DESC"; done)" >"$GEN/large-description.json"
a_limited 120 check "${NOW[@]}" "$GEN/large-description.json"
t "check: a 20 MB description is accepted within 120 s" eval '[ "$ST" -le 1 ] && no_report'

# ---- inputs the fuzzers found (fuzz/regressions/TARGET/) ----------------------------------
REG=$ROOT/fuzz/regressions
for file in "$REG"/fuzz_ocds/* "$REG"/fuzz_http_body/*; do
  [ -f "$file" ] || continue
  name=${file#"$REG"/}
  a_limited 60 check "${NOW[@]}" "$file"
  t "regression $name: check exits 0, 1 or 2" eval '[ "$ST" -le 2 ] && no_report'
  db=$TMP/regression.db
  a_limited 60 import --db "$db" "${NOW[@]}" "$file"
  t "regression $name: import exits 0, 1 or 2; 2 stores nothing" \
    eval '[ "$ST" -le 2 ] && no_report && { [ "$ST" -ne 2 ] || [ "$(stored "$db")" = 0 ]; }'
  rm -f "$db" "$db-wal" "$db-shm"
done
for file in "$REG"/fuzz_bindings/*; do
  [ -f "$file" ] || continue
  name=${file#"$REG"/}
  a_limited 60 check --json --rules "$ROOT/fuzz/rules" --ruleset fz "${NOW[@]}" "$file"
  t "regression $name: the walking rule gives no error" eval '[ "$ST" -le 2 ] && no_report && { [ "$ST" -eq 2 ] || jq_true "[.processes[].results[] | select(.outcome == \"error\" and (.message | test(\"budget\") | not))] | length == 0"; }'
done
for file in "$REG"/fuzz_ruleset/*; do
  [ -f "$file" ] || continue
  name=${file#"$REG"/}
  rs=$TMP/regression-rules
  rm -rf "$rs"
  mkdir -p "$rs/fz"
  # as fuzz_ruleset: the rule file, then after a line "--8<--" the manifest (else a fixed one)
  awk -v rule="$rs/fz/rule.lua" -v man="$rs/fz/ruleset.lua" \
    'BEGIN { out = rule } $0 == "--8<--" && out == rule { out = man; next } { print > out }' "$file"
  [ -f "$rs/fz/ruleset.lua" ] ||
    printf 'ruleset { id = "fz", name = "Fuzz", language = "nb", municipalities = { "4631" } }\n' >"$rs/fz/ruleset.lua"
  a_limited 60 check --rules "$rs" --ruleset fz "${NOW[@]}" "$BAD/contract.json"
  t "regression $name: check with the rule exits 0, 1 or 2" eval '[ "$ST" -le 2 ] && no_report'
done

finish
