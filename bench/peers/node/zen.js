'use strict';
/*
 * The zen-engine peer: no.regime, no.doffin-notice, alver.local-quotes and
 * bergen.apprentice-share as one JDM decision graph (expression nodes for the facts,
 * loop-mode expression nodes for the per-supplier and per-trade sums, a decision table
 * for the dated thresholds and one decision table per rule), evaluated once per process
 * on its compiled release at its current stage; only that loop is timed.
 *
 *   node bench/peers/node/zen.js COMPILED.jsonl DECISIONS.tsv
 *
 * COMPILED: build/bench/compile FILE.jsonl; DECISIONS: bench/eval --decisions. Prints one
 * JSON line (see common.js).
 *
 * What the graph gets: {stage, first_date, compiled, rationale_ok, lq_ok}; the last two
 * are derived in plain JS before the evaluation, as the CLIPS peer derives them in C (the
 * justification texts have at least 20 characters that are not white space). Everything
 * else (relevant date, thresholds in force on it, distinct local suppliers, hour shares
 * per contract and trade, the outcomes) is computed by the graph.
 */
const { ZenEngine } = require('@gorules/zen-engine');
const { run } = require('./common');

const PEER = 'zen-engine';

let ids = 0;
const id = () => `n${++ids}`;

function expressions(name, exprs, attrs) {
  return {
    id: id(), name, type: 'expressionNode',
    content: {
      expressions: Object.entries(exprs).map(([key, value]) => ({ id: id(), key, value })),
      passThrough: true, inputField: null, outputPath: null, executionMode: 'single', ...attrs,
    },
  };
}

/* A decision table, hit policy first: inputs [{name, field?}], outputs [field], rows [[in..., out...]]. */
function table(name, inputs, outputs, rows) {
  const ins = inputs.map((i) => ({ id: id(), name: i.name, field: i.field || null }));
  const outs = outputs.map((f) => ({ id: id(), name: f, field: f }));
  return {
    id: id(), name, type: 'decisionTableNode',
    content: {
      hitPolicy: 'first', passThrough: true, inputField: null, outputPath: null, executionMode: 'single',
      inputs: ins, outputs: outs,
      rules: rows.map((row) => {
        const r = { _id: id() };
        ins.forEach((c, k) => { r[c.id] = row[k]; });
        outs.forEach((c, k) => { r[c.id] = row[ins.length + k]; });
        return r;
      }),
    },
  };
}

const arr = (e) => `(type(${e}) == "array" ? ${e} : [])`;
const S = (s) => JSON.stringify(s);

function graph() {
  ids = 0;
  const nodes = [
    { id: id(), name: 'process', type: 'inputNode' },
    expressions('facts', {
      parties: arr('compiled.parties'),
      value: 'type(compiled.tender.value.amount) == "number" ? compiled.tender.value.amount : null',
      known: '$.value != null and $.value > 0',
      v: '$.value ?? 0',
      notices: arr('compiled.tender.notices'),
      noticeDays: 'map(filter($.notices, type(#.datePublished) == "string"), date(#.datePublished[0:9]))',
      startDate: 'compiled.tender.tenderPeriod.startDate',
      /* RULES.md: earliest notice, else the tender period's start, else the first release */
      rel: 'len($.noticeDays) > 0 ? min($.noticeDays) : (type($.startDate) == "string" ? ' +
        'date($.startDate[0:9]) : date(first_date))',
      doffin: 'some($.notices, #.platform == "doffin")',
      withoutNotice: 'compiled.tender.procurementMethod in ["limited", "direct"]',
      works: 'compiled.tender.mainProcurementCategory == "works"',
      required: 'compiled.tender.apprenticeRequirement.required == true',
      /* the suppliers and hours only at the stages whose rule reads them (as anbud runs a
         rule only at its stages) */
      quotes: 'stage in ["award", "contract"] ? ' +
        `map(filter(${arr('compiled.tender.quoteRequests')}, #.supplier != null), ` +
        '{ref: #.supplier, parties: $.parties}) : []',
      contracts: 'stage == "implementation" ? ' +
        `map(${arr('compiled.contracts')}, {reports: ${arr('#.implementation.hourReports')}}) : []`,
    }),
    /* rules/no/ruleset.lua: the dated parameters in force on the relevant date */
    table('thresholds', [{ name: 'relevant date', field: 'rel' }],
      ['regulation_floor', 'national_threshold', 'eea_goods_services', 'eea_works'], [
        ['>= date("2024-03-01")', '100000', '1300000', '2300000', '57800000'],
        ['>= date("2022-01-01")', '100000', '1300000', '2200000', '56000000'],
        ['>= date("2020-02-12")', '100000', '1300000', '2050000', '51500000'],
        ['>= date("2018-01-01")', '100000', '1300000', '2000000', '51000000'],
        ['>= date("2017-01-01")', '100000', '1100000', '1750000', '44000000'],
      ]),
    /* each supplier asked for a quote: the party it refers to, its key, whether it is local */
    expressions('supplier asked', {
      party: 'ref.id != null and ref.identifier == null and ref.details == null ? ' +
        '(filter(parties, #.id == ref.id)[0] ?? ref) : ref',
      org: '$.party.identifier.scheme == "NO-BRC" and type($.party.identifier.id) == "string" and ' +
        '$.party.identifier.id != "" ? $.party.identifier.id : null',
      name: 'type($.party.name) == "string" ? trim($.party.name) : ""',
      key: '$.org != null ? "org:" + $.org : ($.name != "" ? "name:" + lower($.name) : ' +
        '($.party.id != null ? "id:" + string($.party.id) : null))',
      local: '$.party.details.municipalityCode in ["4631"]',
    }, { inputField: 'quotes', outputPath: 'asked', executionMode: 'loop', passThrough: true }),
    expressions('distinct local suppliers', {
      keys: 'map(asked, #.key)',
      localAsked: 'count(keys($.keys), $.keys[#] != null and (# == 0 or not ($.keys[#] in $.keys[0:# - 1])) ' +
        'and asked[#].local)',
    }),
    /* per contract: its trades in order of first report (reports without a trade together) */
    expressions('trades', {
      g: 'map(reports, type(#.trade) == "string" and len(trim(#.trade)) > 0 ? "t:" + #.trade : "-")',
      groups: 'map(filter(keys($.g), # == 0 or not ($.g[#] in $.g[0:# - 1])), {k: $.g[#], g: $.g, reports: reports})',
    }, { inputField: 'contracts', outputPath: 'perContract', executionMode: 'loop', passThrough: true }),
    expressions('all trades', {
      allGroups: 'flatten(map(perContract, #.groups))',
      reported: 'sum(map(contracts, len(#.reports)))',
    }),
    expressions('hours per trade', {
      idx: 'filter(keys(g), g[#] == k)',
      total: 'sum(map($.idx, type(reports[#].totalHours) == "number" ? reports[#].totalHours : 0))',
      apprentice: 'sum(map($.idx, type(reports[#].apprenticeHours) == "number" ? reports[#].apprenticeHours : 0))',
      below: '$.total > 0 and $.apprentice / $.total < 0.10',
    }, { inputField: 'allGroups', outputPath: 'sums', executionMode: 'loop', passThrough: true }),
    /* no.regime: planning and tender */
    table('no.regime', [{ name: 'stage', field: 'stage' }, { name: 'known', field: 'known' }, { name: 'band' }],
      ['regime', 'band'], [
        ['"planning", "tender"', 'false', '', S('na'), 'null'],
        ['"planning", "tender"', 'true', 'v < regulation_floor', S('info'), S('utenfor anskaffelsesforskriften')],
        ['"planning", "tender"', 'true', 'v < national_threshold', S('info'), S('FOA del I')],
        ['"planning", "tender"', 'true', 'v < (works ? eea_works : eea_goods_services)', S('info'), S('FOA del I og II')],
        ['"planning", "tender"', 'true', '', S('info'), S('FOA del I og III')],
        ['', '', '', S('-'), 'null'],
      ]),
    /* no.doffin-notice: tender and award */
    table('no.doffin-notice', [{ name: 'stage', field: 'stage' }, { name: 'known', field: 'known' },
      { name: 'below threshold' }, { name: 'notice', field: 'doffin' },
      { name: 'limited or direct', field: 'withoutNotice' }, { name: 'rationale', field: 'rationale_ok' }],
    ['doffin'], [
      ['"tender", "award"', 'false', '', '', '', '', S('na')],
      ['"tender", "award"', '', 'v < national_threshold', '', '', '', S('na')],
      ['"tender", "award"', '', '', 'true', '', '', S('pass')],
      ['"tender", "award"', '', '', '', 'true', 'true', S('warn')],
      ['"tender", "award"', '', '', '', '', '', S('fail')],
      ['', '', '', '', '', '', S('-')],
    ]),
    /* alver.local-quotes: award and contract */
    table('alver.local-quotes', [{ name: 'stage', field: 'stage' }, { name: 'known', field: 'known' },
      { name: 'value', field: 'v' }, { name: 'local suppliers', field: 'localAsked' },
      { name: 'justification', field: 'lq_ok' }],
    ['lq'], [
      ['"award", "contract"', 'false', '', '', '', S('na')],
      ['"award", "contract"', '', '>= 100000', '', '', S('na')],
      ['"award", "contract"', '', '', '>= 3', '', S('pass')],
      ['"award", "contract"', '', '', '', 'true', S('warn')],
      ['"award", "contract"', '', '', '', '', S('fail')],
      ['', '', '', '', '', S('-')],
    ]),
    /* bergen.apprentice-share: implementation */
    table('bergen.apprentice-share', [{ name: 'stage', field: 'stage' }, { name: 'clause', field: 'required' },
      { name: 'reports', field: 'reported' }, { name: 'a trade below 10 %' }],
    ['as'], [
      ['"implementation"', 'false', '', '', S('na')],
      ['"implementation"', '', '0', '', S('info')],
      ['"implementation"', '', '', 'some(sums, #.below)', S('fail')],
      ['"implementation"', '', '', '', S('pass')],
      ['', '', '', '', S('-')],
    ]),
    expressions('decisions', { regime: 'regime', band: 'band', doffin: 'doffin', lq: 'lq', as: 'as' },
      { passThrough: false }),
    { id: id(), name: 'decisions', type: 'outputNode' },
  ];
  const edges = [];
  for (let k = 1; k < nodes.length; k++)
    edges.push({ id: id(), sourceId: nodes[k - 1].id, targetId: nodes[k].id, type: 'edge' });
  return { nodes, edges };
}

run(PEER, require('@gorules/zen-engine/package.json').version, () => {
  const engine = new ZenEngine();
  const decision = engine.createDecision(graph());
  return {
    decide: async (input) => {
      const { result: r } = await decision.evaluate(input);
      return [r.regime, r.doffin, r.lq, r.as];
    },
    close: () => engine.dispose(),
  };
});
