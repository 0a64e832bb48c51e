#!/usr/bin/env bash
# Writes the seed corpus of one fuzz target into DIR: the examples, the end-to-end data,
# tests/badinput/, the documents of every rule set's tests (and the other processes they
# list), and the target's own regressions; for fuzz_ruleset, rule files and manifests.
# Usage: fuzz/seeds.sh TARGET DIR
set -eu
cd "$(dirname "$0")/.."
t=$1
dir=$2
n=0
add() { # FILE...: copies each into DIR under a unique name
  for f in "$@"; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    cp "$f" "$dir/$n-$(basename "$f")"
  done
}
case $t in
fuzz_ruleset)
  add rules/*/*.lua rules/*/lib/*.lua tests/hostile/*.lua tests/e2e/rules/*/*.lua fuzz/rules/fz/*.lua
  # a rule and a manifest of its own, split by the line the target looks for
  printf 'rule { id = "fz.a", title = "t", source = "s", stages = { "tender" },\n  severity = "info", check = function(p) return info(p.ocid) end }\n--8<--\nruleset { id = "fz", name = "F", extends = { "fz" } }\n' >"$dir/manifest-cycle.lua"
  ;;
*)
  add examples/*.json tests/e2e/data/*
  add $(find tests/badinput -type f ! -name EXPECT ! -name ACCEPTED ! -name '*.sh' | sort)
  for f in rules/*/tests/*.json; do
    n=$((n + 1))
    jq -c '.document' "$f" >"$dir/$n-doc-$(basename "$f")"
    if jq -e '.others | type == "array"' "$f" >/dev/null; then
      jq -c '.others[]' "$f" >"$dir/$n-others-$(basename "$f" .json).jsonl"
    fi
  done
  ;;
esac
if [ -d "fuzz/regressions/$t" ]; then
  add "fuzz/regressions/$t"/*
fi
exit 0
