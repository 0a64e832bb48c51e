'use strict';
/*
 * What both Node peers share: reading their input (bench/compile's output, untimed),
 * the two facts derived in plain JS before an engine sees them (as the CLIPS peer
 * derives them in C), the comparison with bench/eval --decisions and the one JSON line
 * they print.
 */
const fs = require('fs');

const RULES = ['no.regime', 'no.doffin-notice', 'alver.local-quotes', 'bergen.apprentice-share'];

function fail(peer, msg) {
  process.stderr.write(`${peer}: ${msg}\n`);
  process.exit(3);
}

function args(peer) {
  const a = process.argv.slice(2);
  if (a.length !== 2) {
    process.stderr.write(`usage: node bench/peers/node/${require('path').basename(process.argv[1])} COMPILED.jsonl DECISIONS.tsv\n` +
      '  COMPILED from build/bench/compile FILE.jsonl, DECISIONS from bench/eval --decisions\n');
    process.exit(2);
  }
  return { compiled: a[0], decisions: a[1] };
}

function lines(peer, path) {
  let text;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    fail(peer, `${path}: ${e.message}`);
  }
  const out = text.split('\n');
  if (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

/* One {ocid, stage, first_date, compiled} per process, in bench/eval's order. */
function readProcesses(peer, path) {
  return lines(peer, path).map((l, i) => {
    let p;
    try {
      p = JSON.parse(l);
    } catch (e) {
      return fail(peer, `${path}: line ${i + 1}: ${e.message}`);
    }
    if (!p || typeof p.ocid !== 'string' || typeof p.stage !== 'string' || typeof p.first_date !== 'string' ||
        !p.compiled || typeof p.compiled !== 'object')
      fail(peer, `${path}: line ${i + 1}: not a line of build/bench/compile (ocid, stage, first_date, compiled)`);
    return p;
  });
}

/*
 * justified(text), as anbud's (core/luaapi.c): a string with at least 20 characters that
 * are not white space (space, \t \n \v \f \r, no-break space).
 */
function justified(s) {
  if (typeof s !== 'string') return false;
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d && c !== 0xa0) n++;
  }
  return n >= 20;
}

/* The two facts every peer gets from JS: the justification texts judged (CLIPS: same). */
function justifications(compiled) {
  const t = compiled.tender || {};
  return {
    rationale_ok: justified(t.procurementMethodRationale),
    lq_ok: justified(t.localQuotesJustification),
  };
}

/*
 * Compares got (per process: 4 outcomes, '-' when the rule did not run) with the lines
 * of the decisions file (ref) and prints one JSON line. rules_per_s counts the decisions
 * of the rules that ran at each process's stage per second of the timed loop (wall
 * clock); null unless every decision matches. extra: cpu_seconds (user + system time
 * of all the process's threads during that loop) and the engine's version.
 */
function report(peer, procs, got, decisionsPath, ref, seconds, extra) {
  if (ref.length !== procs.length)
    fail(peer, `${decisionsPath} has ${ref.length} lines for ${procs.length} processes`);
  let mismatches = 0;
  let decisions = 0;
  const first = [];
  for (let i = 0; i < procs.length; i++) {
    const f = ref[i].split('\t');
    if (f.length !== 5 || f[0] !== procs[i].ocid)
      fail(peer, `${decisionsPath} out of step at line ${i + 1}`);
    for (let r = 0; r < 4; r++) {
      if (got[i][r] !== '-') decisions++;
      if (got[i][r] !== f[r + 1]) {
        mismatches++;
        if (first.length < 5)
          first.push({ ocid: f[0], stage: procs[i].stage, rule: RULES[r], anbud: f[r + 1], peer: got[i][r] });
      }
    }
  }
  const out = {
    peer,
    processes: procs.length,
    decisions,
    mismatches,
    seconds: Number(seconds.toFixed(3)),
    rules_per_s: mismatches === 0 ? Math.round(decisions / seconds) : null,
    peak_rss_kb: process.resourceUsage().maxRSS,
    ...extra,
  };
  if (first.length) out.first_mismatches = first;
  process.stdout.write(JSON.stringify(out) + '\n');
}

/*
 * The whole of a peer: reads its arguments and input (untimed), builds each process's
 * input {stage, first_date, compiled, rationale_ok, lq_ok}, then times only the loop of
 * `await decide(input)` (which returns the 4 outcomes, '-' for a rule that did not run)
 * and reports. setup() builds the engine before the clock starts; close() after it stops.
 */
function run(peer, version, setup) {
  (async () => {
    const a = args(peer);
    const procs = readProcesses(peer, a.compiled);
    const ref = lines(peer, a.decisions);
    const inputs = procs.map((p) => ({ stage: p.stage, first_date: p.first_date, compiled: p.compiled,
      ...justifications(p.compiled) }));
    const { decide, close } = setup();
    const got = new Array(procs.length);
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < procs.length; i++) got[i] = await decide(inputs[i]);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(c0);
    if (close) close();
    report(peer, procs, got, a.decisions, ref, seconds,
      { cpu_seconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)), version });
  })().catch((e) => {
    process.stderr.write(`${peer}: ${e.stack || e}\n`);
    process.exit(3);
  });
}

module.exports = { RULES, run, justified };
