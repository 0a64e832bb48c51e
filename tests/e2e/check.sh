# End-to-end tests of `anbud check`: exit statuses, output shapes, error messages.
source "$(dirname "$0")/lib.bash"
R=(--rules "$RULES" --now 2024-06-15)

a --help
t "help exits 0 and lists commands" eval 'status_is 0 && out_has "check FILE"'
a
t "no command exits 2 with usage" eval 'status_is 2 && err_has "usage: anbud"'
a frobnicate
t "unknown command exits 2" eval 'status_is 2 && err_has "unknown command"'
a check --help
t "check --help describes exit statuses" eval 'status_is 0 && out_has "exit status"'
a check "${R[@]}"
t "check without files exits 2" eval 'status_is 2 && err_has "at least one FILE"'
a check --bogus "$DATA/pass.json"
t "unknown option exits 2 naming it" eval 'status_is 2 && err_has "--bogus"'
a check --now 2024-13-01 "$DATA/pass.json"
t "bad --now exits 2" eval 'status_is 2 && err_has "--now"'

a check "${R[@]}" "$DATA/pass.json"
t "passing document exits 0" status_is 0
t "text output names the process and rule set" eval 'out_has "ocds-e2e-pass" && out_has "regelsett: demo"'
t "text output shows outcomes" eval 'out_has "PASS" && out_has "base.value-known"'
t "disabled rule never runs" eval '! out_has "base.switched-off"'

a check "${R[@]}" "$DATA/novalue.json"
t "failing rule exits 1" status_is 1
t "failing rule shows FAIL and the source" eval 'out_has "FAIL" && out_has "test: base"'

a check "${R[@]}" --json "$DATA/pass.json"
t "--json is one document with processes" jq_true '.processes | length == 1'
t "--json process has ocid, stage, ruleset" \
  jq_true '.processes[0] | (.ocid == "ocds-e2e-pass" and .stage == "planning" and .ruleset == "demo")'
t "--json results carry the SPEC fields" \
  jq_true '[.processes[0].results[] | keys] | all(. == ["evidence","message","outcome","rule","severity","source","stage"])'
t "--json evidence is data" jq_true '.processes[0].results[] | select(.rule == "base.over-limit") | .evidence.limit == 2000'
t "dated parameter uses the value on the relevant date" \
  eval '[ "$(outcome ocds-e2e-pass base.over-limit planning)" = pass ]'

a check "${R[@]}" "$DATA/truncated.json"
t "malformed JSON exits 2" status_is 2
t "malformed JSON names file and position" eval 'err_has "truncated.json" && err_has "line"'
t "malformed JSON prints no verdicts" out_empty
a check "${R[@]}" "$DATA/pass.json" "$DATA/truncated.json"
t "one bad file among good ones: exit 2, no verdicts" eval 'status_is 2 && out_empty'
a check "${R[@]}" "$DATA/does-not-exist.json"
t "missing file exits 2 naming it" eval 'status_is 2 && err_has "does-not-exist.json"'
a check "${R[@]}" "$DATA/eur.json"
t "foreign currency exits 2 naming the field" eval 'status_is 2 && err_has "currency" && err_has "EUR"'
a check "${R[@]}" "$DATA/badorg.json"
t "bad organisation number exits 2 naming the field" eval 'status_is 2 && err_has "identifier"'
a check "${R[@]}" "$DATA/badkommune.json"
t "bad kommunenummer exits 2" eval 'status_is 2 && err_has "municipalityCode"'
a check "${R[@]}" "$DATA/baddate.json"
t "impossible date exits 2" eval 'status_is 2 && err_has "date"'
a check "${R[@]}" "$DATA/backward.json"
t "backward stage move exits 2" eval 'status_is 2 && err_has "back" && out_empty'
a check "${R[@]}" "$DATA/badline.jsonl"
t "bad JSON Lines line exits 2 naming the line" eval 'status_is 2 && err_has "line 2"'

a check "${R[@]}" --json "$DATA/package.json"
t "release package is replayed stage by stage" \
  jq_true '[.processes[0].results[] | .stage] | unique == ["award","planning","tender"]'
t "replay runs planning rules before tender rules" \
  jq_true '[.processes[0].results[] | .stage] | (index("planning") < index("tender") and index("tender") < index("award"))'
t "final stage comes from the newest release" jq_true '.processes[0].stage == "award"'
t "merged value at planning is the planning release's" \
  jq_true '.processes[0].results[] | select(.rule=="base.value-known" and .stage=="planning") | .message | test("900")'
t "merged value at tender is the tender release's" \
  jq_true '.processes[0].results[] | select(.rule=="base.value-known" and .stage=="tender") | .message | test("1 500")'
t "supplier asked twice counts once; parties resolve; override min=2 fails with 1" \
  eval '[ "$(outcome ocds-e2e-pkg demo.quotes award)" = fail ]'
t "relevant date is the tender period start" \
  jq_true '.processes[0].results[] | select(.rule=="demo.today" and .stage=="tender") | .message | test("relevant 2024-03-01")'
t "today() is --now" \
  jq_true '.processes[0].results[] | select(.rule=="demo.today" and .stage=="tender") | .message | test("today 2024-06-15")'
t "p:get reads a path; buyer resolves to its party" \
  jq_true '.processes[0].results[] | select(.rule=="demo.today" and .stage=="tender") | .message | test("title Pakke buyer 4631")'

a check "${R[@]}" --json "$DATA/record.json"
t "compiled release runs only its current stage" \
  jq_true '[.processes[0].results[] | .stage] | unique == ["tender"]'
t "dated parameter switches on its date" \
  eval '[ "$(outcome ocds-e2e-rec base.over-limit tender)" = warn ]'

a check "${R[@]}" --json "$DATA/lines.jsonl"
t "JSON Lines gives one process a line" jq_true '.processes | length == 2'
t "processes in one invocation see each other" \
  jq_true '.processes[0].results[] | select(.rule=="demo.others") | .message | test("1 andre: ocds-e2e-l2@planning")'

a check "${R[@]}" --json "$DATA/pass.json" "$DATA/other.json"
t "several files form one store" \
  jq_true '.processes[0].results[] | select(.rule=="demo.others") | .evidence.others == ["ocds-e2e-other@planning"]'
t "--json, printed a process at a time, is the text of one document indented by 2" \
  eval 'cmp -s <(jq --indent 2 . <<<"$OUT") <(cat <<<"$OUT")'

sed -e 's/4631/4601/g' -e 's/ocds-e2e-pass/ocds-e2e-unserved/g' "$DATA/pass.json" >"$TMP/unserved.json"
a check "${R[@]}" "$DATA/pass.json" "$TMP/unserved.json"
t "a process no rule set serves stops the check before any verdict is printed" \
  eval 'status_is 2 && out_empty && err_has "ocds-e2e-unserved" && err_has "--ruleset"'

a check "${R[@]}" --ruleset base --json "$DATA/pass.json"
t "--ruleset forces a set" jq_true '.processes[0].ruleset == "base"'
a check "${R[@]}" --ruleset nope "$DATA/pass.json"
t "--ruleset unknown exits 2" eval 'status_is 2 && err_has "nope"'
a check --rules "$TMP/none" "$DATA/pass.json"
t "missing rules folder exits 2" eval 'status_is 2 && err_has "rules folder"'

finish
