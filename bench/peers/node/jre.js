'use strict';
/*
 * The json-rules-engine peer: no.regime, no.doffin-notice, alver.local-quotes and
 * bergen.apprentice-share as json-rules-engine rules, one engine.run per process on its
 * compiled release at its current stage; only that loop is timed.
 *
 *   node bench/peers/node/jre.js COMPILED.jsonl DECISIONS.tsv
 *
 * COMPILED: build/bench/compile FILE.jsonl; DECISIONS: bench/eval --decisions. Prints one
 * JSON line (see common.js).
 *
 * What the engine sees: the runtime facts stage, compiled (the release, read by the
 * conditions through JSONPath `path`), first_date, and two facts derived in plain JS
 * before the run, as the CLIPS peer derives them in C: rationale_ok and lq_ok (the
 * justification texts have at least 20 characters that are not white space). The
 * conditions, thresholds and outcomes are rules; what json-rules-engine cannot express
 * as a condition is a dynamic fact (a JS function the engine calls and caches per run):
 * the relevant date, the dated thresholds in force on it (as anbud's engine resolves a
 * dated parameter before a rule sees it), the number of distinct local suppliers asked
 * for a quote, and the hour sums per contract and trade; plus two custom operators.
 */
const { Engine } = require('json-rules-engine');
const { run } = require('./common');

const PEER = 'json-rules-engine';

/* rules/no/ruleset.lua: the dated parameters of the national set (first day in force). */
const DATED = {
  regulation_floor: [['2017-01-01', 100000]],
  national_threshold: [['2017-01-01', 1100000], ['2018-01-01', 1300000]],
  eea_goods_services: [['2017-01-01', 1750000], ['2018-01-01', 2000000], ['2020-02-12', 2050000],
    ['2022-01-01', 2200000], ['2024-03-01', 2300000]],
  eea_works: [['2017-01-01', 44000000], ['2018-01-01', 51000000], ['2020-02-12', 51500000],
    ['2022-01-01', 56000000], ['2024-03-01', 57800000]],
};
const ALVER = ['4631']; /* the alver set's municipalities: its local suppliers */

/* "  Foo " -> "Foo" as anbud's trim (ASCII white space); lower as Lua's (ASCII). */
const trim = (s) => s.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
const lower = (s) => s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));

/* ---- dynamic facts ------------------------------------------------------------------- */

/* RULES.md: the earliest notice datePublished, else tenderPeriod.startDate, else the first release. */
async function relevantDate(params, almanac) {
  const c = await almanac.factValue('compiled');
  const t = c.tender || {};
  let best = null;
  for (const n of Array.isArray(t.notices) ? t.notices : []) {
    const d = n && typeof n.datePublished === 'string' ? n.datePublished.slice(0, 10) : null;
    if (d && (best === null || d < best)) best = d;
  }
  if (best) return best;
  const start = t.tenderPeriod && t.tenderPeriod.startDate;
  if (typeof start === 'string') return start.slice(0, 10);
  return almanac.factValue('first_date');
}

async function thresholds(params, almanac) {
  const day = await almanac.factValue('relevantDate');
  const out = {};
  for (const [name, table] of Object.entries(DATED)) {
    out[name] = null;
    for (const [from, amount] of table) if (day >= from) out[name] = amount;
  }
  return out;
}

/* anbud.suppliers.key: organisation number, else the name, else the party id. */
function supplierKey(s) {
  const ident = s.identifier;
  if (ident && ident.scheme === 'NO-BRC' && typeof ident.id === 'string' && ident.id !== '') return 'org:' + ident.id;
  if (typeof s.name === 'string' && trim(s.name) !== '') return 'name:' + lower(trim(s.name));
  if (s.id !== undefined && s.id !== null) return 'id:' + String(s.id);
  return null;
}

/* A reference {id, name} is the party with that id (bind_resolve_party). */
function resolveParty(parties, ref) {
  if (ref.id === undefined || ref.identifier || ref.details) return ref;
  for (const p of parties) if (p && p.id !== undefined && String(p.id) === String(ref.id)) return p;
  return ref;
}

/* Distinct suppliers asked for a price quote that are local to Alver. */
async function localSuppliersAsked(params, almanac) {
  const c = await almanac.factValue('compiled');
  const t = c.tender || {};
  const parties = Array.isArray(c.parties) ? c.parties : [];
  const seen = new Set();
  let local = 0;
  for (const q of Array.isArray(t.quoteRequests) ? t.quoteRequests : []) {
    if (!q || q.supplier === undefined || q.supplier === null) continue;
    const s = resolveParty(parties, q.supplier);
    const k = supplierKey(s);
    if (k === null || seen.has(k)) continue;
    seen.add(k);
    const code = s.details && s.details.municipalityCode;
    if (typeof code === 'string' && ALVER.includes(code)) local++;
  }
  return local;
}

/* anbud.hours: per contract, the hour reports summed by trade (blank trades together). */
async function apprenticeHours(params, almanac) {
  const c = await almanac.factValue('compiled');
  const num = (v) => (typeof v === 'number' ? v : 0);
  const sums = [];
  let reports = 0;
  for (const ct of Array.isArray(c.contracts) ? c.contracts : []) {
    const rs = ct && ct.implementation && ct.implementation.hourReports;
    const byTrade = new Map();
    for (const r of Array.isArray(rs) ? rs : []) {
      const k = typeof r.trade === 'string' && trim(r.trade) !== '' ? 't:' + r.trade : '-';
      let s = byTrade.get(k);
      if (!s) byTrade.set(k, (s = { total: 0, apprentice: 0 }));
      s.total += num(r.totalHours);
      s.apprentice += num(r.apprenticeHours);
      reports++;
    }
    for (const s of byTrade.values()) sums.push(s);
  }
  return { reports, sums };
}

/* ---- rules --------------------------------------------------------------------------- */

const stageIn = (...stages) => ({ fact: 'stage', operator: 'in', value: stages, priority: 10 });
const value = (operator, v) => ({ fact: 'compiled', path: '$.tender.value.amount', operator, value: v });
const known = value('greaterThan', 0);
const param = (name) => ({ fact: 'thresholds', path: '$.' + name });
const isWorks = { fact: 'compiled', path: '$.tender.mainProcurementCategory', operator: 'equal', value: 'works' };
const notWorks = { not: isWorks };
const eea = (operator) => ({
  any: [{ all: [isWorks, value(operator, param('eea_works'))] },
    { all: [notWorks, value(operator, param('eea_goods_services'))] }],
});
const doffin = { fact: 'compiled', path: '$.tender.notices[*].platform', operator: 'includesValue', value: 'doffin' };
const withoutNotice = { fact: 'compiled', path: '$.tender.procurementMethod', operator: 'in', value: ['limited', 'direct'] };
const required = { fact: 'compiled', path: '$.tender.apprenticeRequirement.required', operator: 'equal', value: true };

function rule(name, rule, outcome, conditions, extra) {
  return { name, conditions, event: { type: 'decision', params: { rule, outcome, ...extra } } };
}

const RULESET = [
  /* no.regime: planning and tender; which part of FOA governs, by value, category and date */
  rule('regime-na', 0, 'na', { all: [stageIn('planning', 'tender'), { not: known }] }),
  rule('regime-outside', 0, 'info', { all: [stageIn('planning', 'tender'), known,
    value('lessThan', param('regulation_floor'))] }, { regime: 'utenfor anskaffelsesforskriften' }),
  rule('regime-part1', 0, 'info', { all: [stageIn('planning', 'tender'), known,
    value('greaterThanInclusive', param('regulation_floor')), value('lessThan', param('national_threshold'))] },
  { regime: 'FOA del I' }),
  rule('regime-part2', 0, 'info', { all: [stageIn('planning', 'tender'), known,
    value('greaterThanInclusive', param('national_threshold')), eea('lessThan')] }, { regime: 'FOA del I og II' }),
  rule('regime-part3', 0, 'info', { all: [stageIn('planning', 'tender'), known,
    value('greaterThanInclusive', param('national_threshold')), eea('greaterThanInclusive')] },
  { regime: 'FOA del I og III' }),

  /* no.doffin-notice: tender and award, from the national threshold on the relevant date */
  rule('doffin-na', 1, 'na', { all: [stageIn('tender', 'award'),
    { any: [{ not: known }, value('lessThan', param('national_threshold'))] }] }),
  rule('doffin-pass', 1, 'pass', { all: [stageIn('tender', 'award'), known,
    value('greaterThanInclusive', param('national_threshold')), doffin] }),
  rule('doffin-warn', 1, 'warn', { all: [stageIn('tender', 'award'), known,
    value('greaterThanInclusive', param('national_threshold')), { not: doffin }, withoutNotice,
    { fact: 'rationale_ok', operator: 'equal', value: true }] }),
  rule('doffin-fail', 1, 'fail', { all: [stageIn('tender', 'award'), known,
    value('greaterThanInclusive', param('national_threshold')), { not: doffin },
    { any: [{ not: withoutNotice }, { fact: 'rationale_ok', operator: 'equal', value: false }] }] }),

  /* alver.local-quotes: award and contract, purchases under 100 000, three local suppliers */
  rule('lq-na', 2, 'na', { all: [stageIn('award', 'contract'),
    { any: [{ not: known }, value('greaterThanInclusive', 100000)] }] }),
  rule('lq-pass', 2, 'pass', { all: [stageIn('award', 'contract'), known, value('lessThan', 100000),
    { fact: 'localSuppliersAsked', operator: 'greaterThanInclusive', value: 3 }] }),
  rule('lq-warn', 2, 'warn', { all: [stageIn('award', 'contract'), known, value('lessThan', 100000),
    { fact: 'localSuppliersAsked', operator: 'lessThan', value: 3 },
    { fact: 'lq_ok', operator: 'equal', value: true }] }),
  rule('lq-fail', 2, 'fail', { all: [stageIn('award', 'contract'), known, value('lessThan', 100000),
    { fact: 'localSuppliersAsked', operator: 'lessThan', value: 3 },
    { fact: 'lq_ok', operator: 'equal', value: false }] }),

  /* bergen.apprentice-share: implementation, a share of apprentice hours of 10 % per trade */
  rule('as-na', 3, 'na', { all: [stageIn('implementation'), { not: required }] }),
  rule('as-info', 3, 'info', { all: [stageIn('implementation'), required,
    { fact: 'apprenticeHours', path: '$.reports', operator: 'equal', value: 0 }] }),
  rule('as-fail', 3, 'fail', { all: [stageIn('implementation'), required,
    { fact: 'apprenticeHours', path: '$.reports', operator: 'greaterThan', value: 0 },
    { fact: 'apprenticeHours', path: '$.sums', operator: 'someShareBelow', value: 0.10 }] }),
  rule('as-pass', 3, 'pass', { all: [stageIn('implementation'), required,
    { fact: 'apprenticeHours', path: '$.reports', operator: 'greaterThan', value: 0 },
    { not: { fact: 'apprenticeHours', path: '$.sums', operator: 'someShareBelow', value: 0.10 } }] }),
];

function makeEngine() {
  const engine = new Engine([], { allowUndefinedFacts: true });
  /* a JSONPath with a wildcard gives one value unwrapped, several as an array */
  engine.addOperator('includesValue', (a, b) => (Array.isArray(a) ? a.includes(b) : a === b));
  engine.addOperator('someShareBelow', (sums, min) => Array.isArray(sums) &&
    sums.some((s) => s.total > 0 && s.apprentice / s.total < min));
  engine.addFact('relevantDate', relevantDate);
  engine.addFact('thresholds', thresholds);
  engine.addFact('localSuppliersAsked', localSuppliersAsked);
  engine.addFact('apprenticeHours', apprenticeHours);
  for (const r of RULESET) engine.addRule(r);
  return engine;
}

run(PEER, require('json-rules-engine/package.json').version, () => {
  const engine = makeEngine();
  return {
    decide: async (facts) => {
      const got = ['-', '-', '-', '-'];
      const { events } = await engine.run(facts);
      for (const e of events) /* two outcomes for one rule would be a bug: a mismatch */
        got[e.params.rule] = got[e.params.rule] === '-' ? e.params.outcome : 'twice';
      return got;
    },
  };
});
