# bench/fold.jq: folds the records of one bench/run (bench/data/records.jsonl, read with
# jq -s) into bench/results.json. Only copies and divides measured numbers; a measurement
# without a number is null with its reason. Used by bench/run after every measurement.

def recs(w): map(select(.what == w));
def lastrec(w; f): (recs(w) | map(select(f)) | .[-1]) // null;
def when: {started, load, load_end};
def nullish(r; what): if r == null then {reason: ("not run in this run (" + what + ")")}
  else ({reason: r.reason} + (r | when)) end;

. as $all
| (lastrec("settings"; true) // {}) as $s
| ($s.n // null) as $n | ($s.big // null) as $big
| lastrec("eval"; .n == $n) as $eval
| lastrec("eval_floor"; .n == $n) as $floor
| lastrec("check"; .n == $n) as $check
| lastrec("import"; .purpose == "import") as $imp
| lastrec("import"; .purpose == "recheck") as $imp_big
| lastrec("check_one"; true) as $one
| lastrec("service"; .mode == "rate") as $svc
| lastrec("service"; .mode == "find-max") as $svcmax
| lastrec("decisions"; true) as $four
| lastrec("recheck"; .n == $big) as $recheck
| lastrec("recheck"; .n != $big and .recheck_s != null) as $recheck_small
| def peer(name): lastrec("peer"; .peer == name) as $p
    | if $p == null then {mismatches: null, rules_per_s: null, reason: "not run in this run"}
      elif $p.result == null then {mismatches: null, rules_per_s: null} + nullish($p; "")
      else {mismatches: $p.result.mismatches,
            rules_per_s: (if $p.result.mismatches == 0 then $p.result.rules_per_s else null end),
            processes: $p.result.processes, decisions: $p.result.decisions,
            seconds: $p.result.seconds}
           + ($p.result | {cpu_seconds, version} | with_entries(select(.value != null)))
           + {
            peak_rss_kb: ($p.process.peak_rss_kb // $p.result.peak_rss_kb),
            n: $p.n} + ($p | when) + (if $p.note then {note: $p.note} else {} end)
        + (if $p.result.mismatches != 0 then {reason: "mismatches with anbud: rules_per_s is not reported", first_mismatches: $p.result.first_mismatches} else {} end)
      end;
{
  machine: {run_started: $all[0].started, last_record: $all[-1].started, host: $s.host, cpus: $s.cpus,
            cpu: $s.cpu, pinned: $s.pinned, commit: $s.commit,
            modified_tracked_files: $s.modified_tracked_files},
  settings: ($s | {n, big, seed, now, quick, timeout_s, timeout_big_s, mem_limit_kb}),
  # a run split in parts (BENCH_APPEND=1): each part's own settings, oldest first
  parts: [recs("settings")[] | {started, commit, modified_tracked_files, only, timeout_s,
                                timeout_big_s}],
  eval: (if $eval.result then
           ($eval.result | {rules_per_s, processes_per_s, processes, verdicts, releases, eval_s,
                            load_s, store, outcomes, ruleset}
                         + ({eval_cpu_s, rules_per_cpu_s} | with_entries(select(.value != null))))
           + {peak_rss_kb: ($eval.process.peak_rss_kb // $eval.result.peak_rss_kb),
              n: $eval.n} + ($eval | when)
         else {rules_per_s: null, processes_per_s: null, n: $n} + nullish($eval; "eval") end),
  # the engine's floor: bench/floor's six rules that read one field and pass
  eval_floor: (if $floor.result then
                 ($floor.result | {rules_per_s, verdicts, eval_s, eval_cpu_s, rules_per_cpu_s,
                                   ruleset})
                 + {peak_rss_kb: $floor.process.peak_rss_kb, n: $floor.n} + ($floor | when)
               else {rules_per_s: null, n: $n} + nullish($floor; "eval") end),
  check: (if $check.rules_per_s then
            ($check | {rules_per_s, processes_per_s, seconds, processes, verdicts, releases,
                       exit, user_s, sys_s, peak_rss_kb, n}) + ($check | when)
          else {rules_per_s: null, processes_per_s: null, n: $n} + nullish($check; "check") end),
  import: (if $imp.releases_per_s then
             ($imp | {releases_per_s, releases, seconds, db_bytes, exit, user_s, sys_s,
                         peak_rss_kb, n}) + ($imp | when)
           else {releases_per_s: null, n: $n} + nullish($imp; "import") end),
  # the import that made the store of recheck_s (its own size, BENCH_BIG)
  import_recheck: (if $imp_big.releases_per_s then
                 ($imp_big | {releases_per_s, releases, seconds, db_bytes, user_s, sys_s,
                                 peak_rss_kb, n}) + ($imp_big | when)
               elif $imp_big then {releases_per_s: null, n: $big} + nullish($imp_big; "")
               else null end),
  service: ((if $svc.result then
              ($svc.result | {p50_ms, p99_ms, rate_per_s, seconds, sent, accepted, errors,
                              events, sustained, max_ms, client_p50_ms, client_p99_ms, latency})
              + {peak_rss_kb: ($svc.result.server_peak_rss_kb // $svc.result.peak_rss_kb // null)}
              # anbud_event_latency_seconds ends at a 10 s bound (core/service_metrics.c),
              # and bench/load gives that bound for a quantile in the +Inf bucket
              + (if ($svc.result.p99_ms // 0) >= 10000
                 then {p99_note: "at least 10 000 ms: the quantile is beyond the latency histogram's highest bound (10 s), which bench/load reports"}
                 else {} end)
              + (if ($svc.result.server_peak_rss_kb // $svc.result.peak_rss_kb) == null
                 then {peak_rss_reason: "bench/service.sh does not report the server's peak resident memory"}
                 else {} end)
              + ($svc | when)
            else {p50_ms: null, p99_ms: null} + nullish($svc; "service") end)
           + (if $svcmax.result and ($svcmax.result.max_sustained_per_s // 0) > 0 then
                {max_sustained_per_s: $svcmax.result.max_sustained_per_s,
                 find_max: ($svcmax.result | {steps, max_sustained_per_s} + ($svcmax | when))}
              elif $svcmax.result then
                {max_sustained_per_s: null,
                 max_sustained_reason: "no step was sustained; the lowest rate tried was \([$svcmax.result.steps[]?.rate_per_s] + [$svcmax.result.rate_per_s] | map(select(. != null)) | min | . * 10 + 0.5 | floor / 10) events/s",
                 find_max: ($svcmax.result | {steps, max_sustained_per_s} + ($svcmax | when))}
              else {max_sustained_per_s: null,
                    max_sustained_reason: (nullish($svcmax; "service --find-max") | .reason),
                    find_max: nullish($svcmax; "service --find-max")} end)),
  check_one_ms: ($one.median_ms // null),
  check_one: (if $one.median_ms then ($one | del(.what)) else nullish($one; "check_one") end),
  recheck_s: ($recheck.recheck_s // null),
  recheck: (if $recheck.recheck_s then ($recheck | del(.what))
            else {n: $big} + nullish($recheck; "recheck") end),
  # when the portfolio could not be stored: the same measurement on the smaller store of
  # `import` (its n says which), never in recheck_s
  recheck_smaller: (if $recheck_small then ($recheck_small | del(.what)) else null end),
  # anbud on the peers' work: the four rules alone, timed in bench/eval --decisions
  eval_four_rules: (if $four.result then
                      ($four.result | {rules_per_s, decisions, seconds, cpu_s, rules_per_cpu_s})
                      + {n: $four.n} + ($four | when)
                    else {rules_per_s: null} + nullish($four; "peers") end),
  peers: {clips: peer("clips"), "json-rules-engine": peer("json-rules-engine"),
          "zen-engine": peer("zen-engine")},
  gen: (recs("gen") | map(del(.what)))
}
| . as $r
| ([$r.peers[] | .rules_per_s | select(. != null)]) as $peer_rates
| ([$r.peers | to_entries[] | select(.value.rules_per_s == null) | .key]) as $peers_missing
| def target(name; value; goal; met; note):
    {target: name, value: value, goal: goal,
     met: (if value == null then null else met end),
     note: (if value == null then "not measured" else note end)};
  def grp: if length <= 3 then . else (.[:-3] | grp) + " " + .[-3:] end;
  def size_note(n): if n != null and n < 100000 then "measured at \(n | tostring | grp) processes, not the issue's 100 000" else "" end;
. + {targets: [
  target("eval.rules_per_s"; $r.eval.rules_per_s; ">= 1 000 000";
         $r.eval.rules_per_s >= 1000000; size_note($r.eval.n)),
  target("eval.rules_per_s above every peer"; $r.eval.rules_per_s;
         "> max of peers.*.rules_per_s";
         (if ($peer_rates | length) == 0 then null
          else ($r.eval.rules_per_s > ($peer_rates | max)) end)
         | if . == true and ($peers_missing | length) > 0 then null else . end;
         ((if ($peer_rates | length) == 0 then "no peer has a rate"
           else "highest peer rate \($peer_rates | max | tostring | grp)" end)
          + (if ($peers_missing | length) > 0 then "; without a rate: \($peers_missing | join(", "))" else "" end)
          + "; anbud counts every Bergen rule at the stage, the peers the four compared rules"
          + (size_note($r.eval.n) | if . != "" then "; " + . else "" end))),
  target("like for like: anbud on the four rules above every peer"; $r.eval_four_rules.rules_per_s;
         "> max of peers.*.rules_per_s (not an issue target)";
         (if ($peer_rates | length) == 0 then null
          else ($r.eval_four_rules.rules_per_s > ($peer_rates | max)) end)
         | if . == true and ($peers_missing | length) > 0 then null else . end;
         (if ($peer_rates | length) == 0 then "no peer has a rate"
          else "highest peer rate \($peer_rates | max | tostring | grp)" end)
         + "; the same decisions, timed the same way (wall time of the loop)"
         + (size_note($r.eval_four_rules.n) | if . != "" then "; " + . else "" end)),
  target("import.releases_per_s"; $r.import.releases_per_s; ">= 50 000";
         $r.import.releases_per_s >= 50000; size_note($r.import.n)),
  target("service.p99_ms"; $r.service.p99_ms; "<= 5 at 1 000 events/s";
         $r.service.p99_ms <= 5;
         (if $r.service.rate_per_s then "at \($r.service.rate_per_s | tostring | grp) events/s" else "" end)
         + (if $r.service.p99_note then "; " + $r.service.p99_note else "" end)),
  target("check_one_ms"; $r.check_one_ms; "<= 20"; $r.check_one_ms <= 20; "")
]}
| . + {raw: $all}
