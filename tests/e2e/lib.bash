# Shared by the end-to-end tests: run the real binary, record results, print the closing
# line "N passed, N failed". Each test file sources this, runs `t` checks, then `finish`.
set -u
: "${ANBUD:?set ANBUD to the anbud binary}"
E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=$E2E/data
RULES=$E2E/rules
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PASSED=0
FAILED=0

# a CMD...: runs anbud; sets ST (exit status), OUT (stdout), ERR (stderr).
a() {
  "$ANBUD" "$@" >"$TMP/out" 2>"$TMP/err"
  ST=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}

# t NAME TEST...: one check; TEST is a command that succeeds when the check holds.
t() {
  local name=$1
  shift
  if "$@"; then
    PASSED=$((PASSED + 1))
    echo "ok   $name"
  else
    FAILED=$((FAILED + 1))
    echo "FAIL $name"
    echo "     exit $ST; stdout: $(head -c 600 <<<"$OUT")"
    echo "     stderr: $(head -c 600 <<<"$ERR")"
  fi
}

status_is() { [ "$ST" -eq "$1" ]; }
out_has() { grep -qF -- "$1" <<<"$OUT"; }
err_has() { grep -qF -- "$1" <<<"$ERR"; }
out_empty() { [ -z "$OUT" ]; }
# jq_true FILTER: the JSON on stdout satisfies FILTER (which must print true).
jq_true() { [ "$(jq -r "$1" <<<"$OUT" 2>/dev/null)" = "true" ]; }
# outcome OCID RULE STAGE: prints the outcome of a rule at a stage in `check --json` output.
outcome() {
  jq -r --arg o "$1" --arg r "$2" --arg s "$3" \
    '.processes[] | select(.ocid == $o) | .results[] | select(.rule == $r and .stage == $s) | .outcome' <<<"$OUT"
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
