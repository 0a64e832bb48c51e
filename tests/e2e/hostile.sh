# Hostile rules (tests/hostile/*.lua): each is dropped into a rule set beside well-behaved
# rules. For each: anbud neither crashes nor hangs, the hostile rule yields `error`, and
# every other verdict on the same document is exactly what it is without it.
source "$(dirname "$0")/lib.bash"
HOSTILE=$E2E/../hostile
DOC=$DATA/package.json

make_rules() { # DIR: base + demo + set h (extends demo) with a canary rule
  mkdir -p "$1/h"
  cp -r "$RULES/base" "$RULES/demo" "$1/"
  cat >"$1/h/ruleset.lua" <<'LUA'
ruleset {
  id = "h",
  name = "Hostile",
  extends = { "demo" },
  params = { local_municipalities = { "4631" } },
}
LUA
  # the canary runs last: its message changes if anything shared was tampered with
  cat >"$1/h/zz-canary.lua" <<'LUA'
rule {
  id = "h.zz-canary",
  title = "canary",
  source = "tests/e2e/hostile.sh",
  stages = { "planning", "tender", "award" },
  severity = "error",
  check = function(p, params)
    local parts = {
      ("abc"):upper(), string.upper("def"), string.rep("ab", 2), kr(1234567), type(pass),
      table.concat({ 1, 2 }, ","), tostring(getmetatable("")), today(), tostring(p.ocid),
      tostring(p.tender.title), tostring(params.limit), tostring(params.local_municipalities[1]),
      tostring(#p.parties), tostring(("x y"):find(" ")), tostring(justified("  kort  ")),
    }
    return pass(table.concat(parts, "|"))
  end,
}
LUA
}

verdicts() { # the verdicts of every rule but the hostile one, one line each
  jq -r '.processes[].results[] | select((.rule | startswith("h.") | not) or .rule == "h.zz-canary")
         | select(.rule | contains("tests/hostile") | not)
         | [.rule, .stage, .outcome, .message] | @tsv' <<<"$OUT" | grep -v -F "$1" | sort
}

make_rules "$TMP/clean"
a check --rules "$TMP/clean" --ruleset h --now 2024-06-15 --json "$DOC"
t "baseline runs" eval 'status_is 1 && jq_true ".processes | length == 1"'
t "baseline canary passes" eval 'verdicts none | grep -q "h.zz-canary.*pass.*ABC|DEF|abab|1 234 567 kr|function|1,2|string|2024-06-15"'
BASE=$(verdicts none)

for f in "$HOSTILE"/*.lua; do
  name=$(basename "$f" .lua)
  dir="$TMP/$name"
  make_rules "$dir"
  cp "$f" "$dir/h/a-$name.lua"
  start=$(date +%s)
  timeout -s KILL 60 "$ANBUD" check --rules "$dir" --ruleset h --now 2024-06-15 --json "$DOC" \
    >"$TMP/out" 2>"$TMP/err"
  ST=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
  secs=$(( $(date +%s) - start ))
  hostile_errors=$(jq -r --arg n "$name" '[.processes[].results[]
      | select(.rule == ("h." + $n) or (.rule | contains("a-" + $n + ".lua")) or (.rule | startswith("h.twice")))
      | .outcome] | if length > 0 and any(. == "error") then "yes" else "no" end' <<<"$OUT" 2>/dev/null)
  others=$(verdicts "a-$name.lua" | grep -v -E "^h\.$name	|^h\.twice" )
  t "hostile $name: exits 1, no crash or hang (${secs}s)" status_is 1
  t "hostile $name: the rule is error" eval '[ "$hostile_errors" = yes ]'
  t "hostile $name: every other verdict unchanged" eval '[ "$others" = "$BASE" ]'
done
rm -f /tmp/anbud-pwned
finish
