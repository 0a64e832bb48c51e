/* Unit tests of engine, ruleset and bind: rule sets from a real folder, real Lua, objects. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "memstore.h"
#include "test.h"

static char root[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    mkdir(path, 0755);
    *slash = '/';
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void fresh_root(void)
{
    if (root[0])
        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    strcpy(root, "/tmp/anbud-test-XXXXXX");
    if (!mkdtemp(root))
        root[0] = 0;
}

#define RULE(id, stages, body)                                                                \
    "rule { id = \"" id "\", title = \"t\", source = \"s\", stages = " stages                  \
    ", severity = \"error\",\n check = function(p, params)\n" body "\n end }\n"

static const char MANIFEST_T[] = "ruleset { id = \"t\", name = \"T\", municipalities = "
                                 "{\"4631\"}, params = { limit = by_date { {\"2020-01-01\", 10}, "
                                 "{\"2024-01-01\", 20} } } }\n";

static const char DOC[] =
    "{\"ocid\":\"ocds-1\",\"id\":\"r1\",\"date\":\"2024-05-01T00:00:00Z\",\"tag\":[\"contract\"],"
    "\"buyer\":{\"id\":\"b\",\"name\":\"Alver kommune\"},"
    "\"parties\":[{\"id\":\"b\",\"name\":\"Alver kommune\",\"identifier\":{\"scheme\":\"NO-BRC\","
    "\"id\":\"920290922\"},\"details\":{\"municipalityCode\":\"4631\"}},"
    "{\"id\":\"s\",\"name\":\"Snekker AS\",\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":"
    "\"987654325\"},\"details\":{\"municipalityCode\":\"4601\",\"approvedApprenticeCompany\":true}}],"
    "\"tender\":{\"id\":\"t\",\"title\":\"Skule\",\"value\":{\"amount\":1500000,\"currency\":\"NOK\"},"
    "\"mainProcurementCategory\":\"works\",\"apprenticeRequirement\":{\"required\":true,"
    "\"minShareOfHours\":0.1},\"items\":[{\"id\":\"1\",\"classification\":{\"scheme\":\"CPV\","
    "\"id\":\"45214200-2\"}},{\"id\":\"2\",\"classification\":{\"scheme\":\"CPV\",\"id\":"
    "\"45214210-5\"}}],\"contractPeriod\":{\"startDate\":\"2024-06-01\",\"endDate\":\"2025-06-01\"},"
    "\"notices\":[{\"platform\":\"doffin\",\"id\":\"n\",\"datePublished\":\"2024-02-01\"}]},"
    "\"contracts\":[{\"id\":\"c\",\"awardID\":\"a\",\"dateSigned\":\"2024-05-01\","
    "\"period\":{\"startDate\":\"2024-06-01\",\"endDate\":\"2025-06-01\"},"
    "\"implementation\":{\"hourReports\":[{\"id\":\"h1\",\"period\":\"2024-06\",\"trade\":\"tømrar\","
    "\"totalHours\":100,\"apprenticeHours\":12}]}}]}";

static engine *eng;
static int indexed; /* evaluate with memstore_new instead of memstore_over */
static ocds_batch batch;
static ocds_set set;
static verdict_list out;

static void clear(void)
{
    verdict_list_free(&out);
    engine_free(eng);
    eng = NULL;
    ocds_set_free(&set);
    ocds_batch_free(&batch);
}

/* Opens the engine over root, reads DOC (or doc), evaluates the first process's stage. */
static int evaluate(const char *doc, const char *other)
{
    anbud_err err;
    int code;
    clear();
    eng = engine_new(ANBUD_LUA_DIR, root, NULL, &code, &err);
    if (!eng) {
        fprintf(stderr, "  engine_new: %s\n", err.msg);
        return code;
    }
    if (ocds_read(&batch, "doc", doc, strlen(doc), &err) ||
        (other && ocds_read(&batch, "other", other, strlen(other), &err)) ||
        ocds_group(&batch, &set, &err)) {
        fprintf(stderr, "  %s\n", err.msg);
        return ANBUD_EINPUT;
    }
    const ocds_process *p = &set.items[0];
    engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
    memstore *m = indexed ? memstore_new(&set, &err) : NULL;
    if (indexed && !m)
        return ANBUD_EINTERNAL;
    engine_store store = indexed ? memstore_store(m) : memstore_over(&set);
    int64_t now;
    date_parse("2024-06-15", &now, NULL);
    int rc = engine_evaluate(eng, engine_ruleset_by_id(eng, "t"), &ep, p->stage, now, &store,
                             &out, &err);
    memstore_free(m);
    return rc;
}

/* The verdict of a rule, or NULL. */
static const verdict *find(const char *id)
{
    for (size_t i = 0; i < out.n; i++)
        if (strcmp(out.items[i].rule, id) == 0)
            return &out.items[i];
    return NULL;
}

static const char *message_of(const char *id)
{
    const verdict *v = find(id);
    return v ? v->message : "(no verdict)";
}

static void objects_read_snake_case_fields(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "return info(p.ocid .. '|' .. p.stage .. '|' .. p.value .. '|' .."
                               " p.tender.main_procurement_category .. '|' .. "
                               "tostring(p.tender.apprentice_requirement.min_share_of_hours) .. "
                               "'|' .. p.tender.title .. '|' .. p.category)"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "ocds-1|contract|1500000|works|0.1|Skule|works");
}

static void suppliers_and_contracts_have_computed_fields(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "local s = p.parties[2]\n"
                               "local c = p.contracts[1]\n"
                               "local h = c.hour_reports[1]\n"
                               "return info(#p.parties .. '|' .. s.org_number .. '|' .. "
                               "s.municipality_code .. '|' .. tostring(s.is_local) .. '|' .. "
                               "tostring(s.approved_apprentice_company) .. '|' .. "
                               "tostring(p.buyer.is_local) .. '|' .. h.trade .. '|' .. "
                               "h.total_hours .. '|' .. c.duration_days .. '|' .. c.end_date)"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "2|987654325|4601|false|true|true|tømrar|100|365|2025-06-01");
}

static void cpv_groups_relevant_date_and_get(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "return info(table.concat(p.cpv_codes, ',') .. '|' .. "
                               "table.concat(p.cpv_groups, ',') .. '|' .. p.relevant_date .. '|' .."
                               " p:get('tender/items/2/classification/id') .. '|' .. "
                               "tostring(p:get('tender/nothing/here')) .. '|' .. p.duration_days)"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "45214200-2,45214210-5|452|2024-02-01|45214210-5|nil|365");
}

/* Messages must be UTF-8 (JSON text); long ASCII runs are checked eight bytes at a time,
 * so the bad byte is put after such a run, and at each position within the last word. */
static void messages_that_are_not_utf8_are_replaced(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "return pass(string.rep('a', 21) .. 'bl\\195\\165b\\226\\130\\172r')"));
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}",
                               "return pass(string.rep('a', 21) .. '\\255bcdefgh')"));
    write_file("t/c.lua", RULE("t.c", "{\"contract\"}",
                               "return pass(string.rep('a', 17) .. 'bcdefg\\192\\128')"));
    write_file("t/d.lua", RULE("t.d", "{\"contract\"}",
                               "return pass(string.rep('a', 16) .. '\\237\\160\\128' .. "
                               "string.rep('z', 9))"));
    write_file("t/e.lua", RULE("t.e", "{\"contract\"}",
                               "return pass(string.rep('a', 9) .. '\\0\\255')"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "aaaaaaaaaaaaaaaaaaaaabl\xc3\xa5" "b\xe2\x82\xac" "r");
    CHECK_STR(message_of("t.b"), "(message not UTF-8)");
    CHECK_STR(message_of("t.c"), "(message not UTF-8)");
    CHECK_STR(message_of("t.d"), "(message not UTF-8)");
    CHECK_STR(message_of("t.e"), "aaaaaaaaa"); /* the text ends at its first NUL */
}

static void objects_are_read_only(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}", "p.tender.title = 'x' return pass('')"));
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}", "return pass(p.tender.title)"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_INT(find("t.a")->outcome, OUTCOME_ERROR);
    CHECK(strstr(find("t.a")->message, "read-only") != NULL);
    CHECK_STR(message_of("t.b"), "Skule");
}

static void pairs_over_an_object_gives_snake_case(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "local keys = {}\n"
                               "for k, v in pairs(p.tender.apprentice_requirement) do "
                               "keys[#keys + 1] = k .. '=' .. tostring(v) end\n"
                               "table.sort(keys)\n"
                               "local n = 0 for i, party in ipairs(p.parties) do n = n + i end\n"
                               "return info(table.concat(keys, ',') .. '|' .. n)"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "min_share_of_hours=0.1,required=true|3");
}

static void dated_parameters_resolve_on_the_relevant_date(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}", "return info(tostring(params.limit))"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "20");
}

/* Parameters are resolved once and shared; what a rule writes into its params stays in
 * that call: the next rule and the next evaluation see the value of the rule set. */
static void params_written_by_a_rule_stay_in_its_call(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "local before = params.limit\n"
                               "params.limit = 99\n"
                               "local n = 0\n"
                               "for k in pairs(params) do n = n + 1 end\n"
                               "return info(before .. '/' .. params.limit .. '/' .. n,"
                               " { params = params })"));
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}", "return info(tostring(params.limit))"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "20/99/1");
    CHECK_STR(find("t.a")->evidence, "{\"params\":{\"limit\":99}}");
    CHECK_STR(message_of("t.b"), "20");
    verdict_list_free(&out);
    const ocds_process *p = &set.items[0];
    engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
    anbud_err err;
    CHECK_INT(engine_evaluate(eng, engine_ruleset_by_id(eng, "t"), &ep, p->stage, 0, NULL, &out,
                              &err),
              0);
    CHECK_STR(message_of("t.a"), "20/99/1");
    CHECK_STR(message_of("t.b"), "20");
}

/* engine_evaluate_only runs the named rules of the set and no other; a name the set does
 * not have runs nothing. */
static void evaluate_only_runs_the_named_rules(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}", "return info('a')"));
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}", "return info('b')"));
    write_file("t/c.lua", RULE("t.c", "{\"contract\"}", "return info('c')"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_INT((long long)out.n, 3);
    verdict_list_free(&out);
    memset(&out, 0, sizeof out);
    const ocds_process *p = &set.items[0];
    engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
    const ruleset *t = engine_ruleset_by_id(eng, "t");
    static const char *const only[] = {"t.c", "t.a", "t.nowhere"};
    anbud_err err;
    CHECK_INT(engine_evaluate_only(eng, t, only, 3, &ep, p->stage, 0, NULL, &out, &err), 0);
    CHECK_INT((long long)out.n, 2);
    CHECK_STR(message_of("t.a"), "a");
    CHECK_STR(message_of("t.c"), "c");
    CHECK(find("t.b") == NULL);
    verdict_list_free(&out);
    memset(&out, 0, sizeof out);
    CHECK_INT(engine_evaluate_only(eng, t, only + 2, 1, &ep, p->stage, 0, NULL, &out, &err), 0);
    CHECK_INT((long long)out.n, 0);
}

static void layering_order_params_and_disabled(void)
{
    fresh_root();
    write_file("base/ruleset.lua", "ruleset { id = 'base', name = 'B', params = { x = 1, y = 1 },"
                                   " overrides = { ['base.r'] = { z = 'base' } } }");
    write_file("base/r.lua", RULE("base.r", "{\"contract\"}",
                                  "return info(params.x .. params.y .. params.z .. params.w)"));
    write_file("base/off.lua", RULE("base.off", "{\"contract\"}", "return fail('x')"));
    write_file("mid/ruleset.lua", "ruleset { id = 'mid', name = 'M', extends = { 'base' }, "
                                  "params = { y = 2 } }");
    write_file("t/ruleset.lua",
               "ruleset { id = 't', name = 'T', extends = { 'mid', 'base' }, params = { x = 3 },"
               " overrides = { ['base.r'] = { z = 't' } },"
               " disabled = { ['base.off'] = 'not for us' } }");
    write_file("base/r.lua", RULE("base.r", "{\"contract\"}",
                                  "return info(params.x .. params.y .. params.z)"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("base.r"), "32t");
    CHECK(find("base.off") == NULL);
    const ruleset *t = engine_ruleset_by_id(eng, "t");
    CHECK_INT(ruleset_order_count(t), 3);
    CHECK_STR(ruleset_id(ruleset_order_at(t, 0)), "base");
    CHECK_STR(ruleset_id(ruleset_order_at(t, 1)), "mid");
    CHECK_STR(ruleset_id(ruleset_order_at(t, 2)), "t");
    CHECK_INT(ruleset_disabled_count(t), 1);
}

static void applies_false_gives_na_with_reason(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", "rule { id = 't.a', title = 't', source = 's', stages = {'contract'},"
                          " severity = 'error', applies = function(p) return false, 'for lite' end,"
                          " check = function() return fail('x') end }");
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_INT(find("t.a")->outcome, OUTCOME_NA);
    CHECK_STR(message_of("t.a"), "for lite");
}

static void validity_period_outside_gives_na(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", "rule { id = 't.a', title = 't', source = 's', stages = {'contract'},"
                          " severity = 'error', valid_from = '2025-01-01',"
                          " check = function() return fail('x') end }");
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_INT(find("t.a")->outcome, OUTCOME_NA);
}

static void gates_recheck_and_evidence_reach_the_verdict(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", "rule { id = 't.a', title = 't', source = 'kilde', stages = {'contract'},"
                          " gate = {'contract'}, severity = 'warning', check = function(p)"
                          " return warn('w', { n = 2, list = {'a', 'b'}, party = p.parties[1] })"
                          ":again_on('2025-01-01') end }");
    CHECK_INT(evaluate(DOC, NULL), 0);
    const verdict *v = find("t.a");
    CHECK(v != NULL);
    CHECK_INT(v->outcome, OUTCOME_WARN);
    CHECK_INT(v->severity, SEVERITY_WARNING);
    CHECK(v->gate);
    CHECK_STR(v->source, "kilde");
    int64_t day;
    date_parse("2025-01-01", &day, NULL);
    CHECK_INT(v->recheck_days, day);
    json_t *evidence = json_loads(v->evidence, 0, NULL);
    CHECK(evidence != NULL);
    int n = (int)json_integer_value(json_object_get(evidence, "n"));
    size_t listed = json_array_size(json_object_get(evidence, "list"));
    const char *name =
        json_string_value(json_object_get(json_object_get(evidence, "party"), "name"));
    int named = name && strcmp(name, "Alver kommune") == 0;
    json_decref(evidence);
    CHECK_INT(n, 2);
    CHECK_INT(listed, 2);
    CHECK(named);
}

/* A Lua table's traversal order changes with the state's hash seed from run to run; the
 * evidence must be the same text every time, so its keys come out sorted. */
static void evidence_keys_come_out_sorted(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", "rule { id = 't.a', title = 't', source = 's', stages = {'contract'},"
                          " severity = 'warning', check = function() return warn('w', {"
                          " h = 1, c = 2, a = 3, g = 4, e = 5, b = 6, f = 7, d = { z = 1, y = 2 } })"
                          " end }");
    CHECK_INT(evaluate(DOC, NULL), 0);
    const verdict *v = find("t.a");
    CHECK(v != NULL);
    CHECK_STR(v->evidence, "{\"a\":3,\"b\":6,\"c\":2,\"d\":{\"y\":2,\"z\":1},"
                           "\"e\":5,\"f\":7,\"g\":4,\"h\":1}");
}

static void others_are_the_same_buyers_processes(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "local o = p:others()\n"
                               "return info(#o .. '|' .. (o[1] and o[1].ocid .. o[1].stage or ''))"));
    const char *other = "{\"ocid\":\"ocds-2\",\"id\":\"x\",\"date\":\"2024-01-01\",\"tag\":"
                        "[\"planning\"],\"buyer\":{\"id\":\"b\"},\"parties\":[{\"id\":\"b\","
                        "\"identifier\":{\"scheme\":\"NO-BRC\",\"id\":\"920290922\"}}]}";
    const char *stranger = "{\"ocid\":\"ocds-3\",\"id\":\"y\",\"date\":\"2024-01-01\",\"tag\":"
                           "[\"planning\"],\"buyer\":{\"id\":\"b\",\"name\":\"Andre\"}}";
    char both[2048];
    snprintf(both, sizeof both, "%s\n%s\n", other, stranger);
    CHECK_INT(evaluate(DOC, both), 0);
    CHECK_STR(message_of("t.a"), "1|ocds-2planning");
}

/* Another process of DOC's buyer (or of another one) with CPV codes and a date. */
static void other_doc(char *buf, size_t size, const char *ocid, const char *orgnr,
                      const char *date, const char *cpv, const char *extra_cpv)
{
    snprintf(buf, size,
             "{\"ocid\":\"%s\",\"id\":\"x\",\"date\":\"%s\",\"tag\":[\"planning\"],"
             "\"buyer\":{\"id\":\"b\"},\"parties\":[{\"id\":\"b\",\"identifier\":"
             "{\"scheme\":\"NO-BRC\",\"id\":\"%s\"},\"details\":{\"municipalityCode\":"
             "\"4631\"}}],\"tender\":{\"id\":\"t\",\"items\":[{\"id\":\"1\","
             "\"classification\":{\"scheme\":\"CPV\",\"id\":\"%s\"}%s%s%s}]}}\n",
             ocid, date, orgnr, cpv, extra_cpv ? ",\"additionalClassifications\":[{\"scheme\":"
                                                  "\"cpv\",\"id\":\"" : "",
             extra_cpv ? extra_cpv : "", extra_cpv ? "\"}]" : "");
}

static void others_filter_by_cpv_group_and_days(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "local function ids(list)\n"
                               "  local s = {}\n"
                               "  for _, o in ipairs(list) do s[#s + 1] = o.ocid end\n"
                               "  return table.concat(s, ',')\n"
                               "end\n"
                               "return info(ids(p:others { cpv_group = '452', from = '2024-01-01',"
                               " to = '2024-03-01' }) .. '|' .. ids(p:others { cpv_group = '301' })"
                               " .. '|' .. ids(p:others { municipality = '4631', cpv_group = '452' })"
                               " .. '|' .. ids(p:others { to = '2023-12-31' })"
                               " .. '|' .. ids(p:others { cpv_group = '4521' }))"));
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}", "p:others { from = '2024-13-01' }"));
    char docs[4096], one[800];
    docs[0] = 0;
    struct {
        const char *ocid, *orgnr, *date, *cpv, *extra;
    } others[] = {
        {"ocds-4", "920290922", "2024-02-10", "45214000-0", "30100000-0"},
        {"ocds-5", "920290922", "2023-01-01", "45200000-9", NULL}, /* too early */
        {"ocds-6", "920290922", "2024-02-01", "45300000-0", NULL}, /* another group */
        {"ocds-7", "974600951", "2024-02-01", "45200000-9", NULL}, /* another buyer */
        {"ocds-2", "920290922", "2024-01-01", "45210000-2", NULL},
        {"ocds-8", "920290922", "2024-03-01", "45", NULL},         /* a group of two */
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        other_doc(one, sizeof one, others[i].ocid, others[i].orgnr, others[i].date, others[i].cpv,
                  others[i].extra);
        strcat(docs, one);
    }
    const char *want = "ocds-4,ocds-2|ocds-4|ocds-4,ocds-5,ocds-7,ocds-2|ocds-5|";
    for (indexed = 0; indexed < 2; indexed++) {
        CHECK_INT(evaluate(DOC, docs), 0);
        CHECK_STR(message_of("t.a"), want);
        CHECK_INT(find("t.b")->outcome, OUTCOME_ERROR);
        CHECK(strstr(message_of("t.b"), "others{from = ...}: give a date") != NULL);
    }
    indexed = 0;
}

/* Another process of DOC's buyer at a stage (its tag), maybe a framework agreement. */
static void staged_doc(char *buf, size_t size, const char *ocid, const char *tag,
                       const char *date, const char *cpv, const char *extra_cpv, int framework)
{
    snprintf(buf, size,
             "{\"ocid\":\"%s\",\"id\":\"x\",\"date\":\"%s\",\"tag\":[\"%s\"],"
             "\"buyer\":{\"id\":\"b\"},\"parties\":[{\"id\":\"b\",\"identifier\":"
             "{\"scheme\":\"NO-BRC\",\"id\":\"920290922\"},\"details\":{\"municipalityCode\":"
             "\"4631\"}}],\"tender\":{\"id\":\"t\",\"techniques\":{\"hasFrameworkAgreement\":%s},"
             "\"items\":[{\"id\":\"1\",\"classification\":{\"scheme\":\"CPV\",\"id\":\"%s\"}%s%s%s}]}}"
             "\n",
             ocid, date, tag, framework ? "true" : "false", cpv,
             extra_cpv ? ",\"additionalClassifications\":[{\"scheme\":\"CPV\",\"id\":\"" : "",
             extra_cpv ? extra_cpv : "", extra_cpv ? "\"}]" : "");
}

static void others_filter_by_groups_stages_framework_and_first_date(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua",
               RULE("t.a", "{\"contract\"}",
                    "local function ids(list)\n"
                    "  local s = {}\n"
                    "  for _, o in ipairs(list) do s[#s + 1] = o.ocid:sub(6) end\n"
                    "  return table.concat(s, ',')\n"
                    "end\n"
                    "return info(table.concat({\n"
                    "  ids(p:others { cpv_groups = { '452', '453' } }),\n"
                    "  ids(p:others { stages = { 'planning', 'tender' } }),\n"
                    "  ids(p:others { is_framework = true }),\n"
                    "  ids(p:others { is_framework = false }),\n"
                    "  ids(p:others { first_from = '2024-03-01', first_to = '2024-06-30' }),\n"
                    "  ids(p:others { cpv_groups = {} }),\n"
                    "  ids(p:others { cpv_groups = { '4521' } }),\n"
                    "  ids(p:others { cpv_groups = p.cpv_groups, stages = { 'planning', 'tender' },"
                    " first_from = '2024-01-01' }),\n"
                    "  ids(p:others { municipality = '4631', is_framework = true,"
                    " cpv_groups = { '301', '452' } }),\n"
                    "  ids(p:others { stages = {} }),\n"
                    "}, '|'))"));
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}", "p:others { stages = { 'nope' } }"));
    write_file("t/c.lua", RULE("t.c", "{\"contract\"}", "p:others { is_framework = 'yes' }"));
    write_file("t/d.lua", RULE("t.d", "{\"contract\"}", "p:others { cpv_groups = '452' }"));
    write_file("t/e.lua", RULE("t.e", "{\"contract\"}", "p:others { first_to = 'soon' }"));
    char docs[4096], one[800];
    docs[0] = 0;
    struct {
        const char *ocid, *tag, *date, *cpv, *extra;
        int framework;
    } others[] = {
        {"ocds-10", "tender", "2024-03-01", "45210000-2", NULL, 0},
        {"ocds-11", "planning", "2024-06-01", "30100000-0", NULL, 1},
        {"ocds-12", "award", "2024-07-01", "45200000-9", NULL, 1},
        {"ocds-13", "planning", "2023-01-01", "45300000-0", "45200000-9", 0},
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        staged_doc(one, sizeof one, others[i].ocid, others[i].tag, others[i].date, others[i].cpv,
                   others[i].extra, others[i].framework);
        strcat(docs, one);
    }
    const char *want = "10,12,13|10,11,13|11,12|10,13|10,11|||10|11,12|";
    for (indexed = 0; indexed < 2; indexed++) {
        CHECK_INT(evaluate(DOC, docs), 0);
        CHECK_STR(message_of("t.a"), want);
        CHECK(strstr(message_of("t.b"), "others{stages = ...}: give stages by name") != NULL);
        CHECK(strstr(message_of("t.c"), "others{is_framework = ...}: give true or false") !=
              NULL);
        CHECK(strstr(message_of("t.d"), "others{cpv_groups = ...}: give a list") != NULL);
        CHECK(strstr(message_of("t.e"), "others{first_to = ...}: give a date") != NULL);
    }
    indexed = 0;
}

/* Field reads are kept per object for the evaluation, but never across what must differ:
 * a table one rule changes, or is_local under another rule's local_municipalities. */
static void field_reads_are_shared_only_where_nothing_differs(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua",
               "rule { id = 't.a', title = 't', source = 's', stages = {'contract'},"
               " severity = 'error', params = { local_municipalities = {'4601'} },"
               " check = function(p)\n"
               "  local g = p.cpv_groups\n"
               "  g[#g + 1] = 'x'\n"
               "  return info(tostring(p.buyer.is_local) .. '|' .. tostring(p.tender == p.tender)"
               " .. '|' .. tostring(rawequal(p.tender, p.tender)) .. '|' .. p.tender.title"
               " .. '|' .. tostring(p.tender.nothing_here) .. '|' .. tostring(p.tender.nothing_here))\n"
               " end }");
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}",
                               "return info(tostring(p.buyer.is_local) .. '|' .. #p.cpv_groups)"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "false|true|true|Skule|nil|nil");
    CHECK_STR(message_of("t.b"), "true|1");
}

static void misbehaving_rules_error_alone(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}", "return { outcome = 'pass', message = 'x' }"));
    write_file("t/b.lua", RULE("t.b", "{\"contract\"}", "error('boom')"));
    write_file("t/c.lua", "this is not lua");
    write_file("t/d.lua", RULE("t.d", "{\"contract\"}", "return pass('fine')"));
    write_file("t/e.lua", RULE("t.e", "{\"contract\"}", "return pass('x', { f = pairs })"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_INT(find("t.a")->outcome, OUTCOME_ERROR);
    CHECK(strstr(message_of("t.b"), "boom") != NULL);
    CHECK(find("t/c.lua") != NULL);
    CHECK_INT(find("t/c.lua")->outcome, OUTCOME_ERROR);
    CHECK_STR(message_of("t.d"), "fine");
    CHECK_INT(find("t.e")->outcome, OUTCOME_ERROR);
}

static void bad_declarations_are_load_errors(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", "rule { id = 't.a', title = 't', source = 's', stage = {'contract'},"
                          " severity = 'error', check = function() return pass('') end }");
    write_file("t/b.lua", "rule { id = 'other.b', title = 't', source = 's', stages = {'contract'},"
                          " severity = 'error', check = function() return pass('') end }");
    write_file("t/c.lua", "rule { id = 't.c', title = 't', source = 's', stages = {'nope'},"
                          " severity = 'error', check = function() return pass('') end }");
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_INT(out.n, 3);
    for (size_t i = 0; i < out.n; i++)
        CHECK_INT(out.items[i].outcome, OUTCOME_ERROR);
    CHECK(strstr(out.items[0].message, "unknown field 'stage'") != NULL);
    CHECK(strstr(out.items[1].message, "must start with 't.'") != NULL);
    CHECK(strstr(out.items[2].message, "unknown stage 'nope'") != NULL);
}

static void bad_manifests_stop_the_engine(void)
{
    static const char *const cases[][2] = {
        {"ruleset { id = 'other', name = 'T' }", "folder's name"},
        {"ruleset { id = 't', name = 'T', extends = { 'nowhere' } }", "unknown rule set"},
        {"ruleset { id = 't', name = 'T', extends = { 't' } }", "cycle"},
        {"ruleset { id = 't', name = 'T', disabled = { ['t.x'] = 'why' } }", "not a rule"},
        {"ruleset { id = 't', name = 'T', municipalities = { '46' } }", "4 digits"},
        {"ruleset { id = 't', name = 'T', language = 'en' }", "language"},
        {"ruleset { id = 't', name = 'T', colour = 'red' }", "unknown field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fresh_root();
        write_file("t/ruleset.lua", cases[i][0]);
        anbud_err err;
        int code = 0;
        engine *e = engine_new(ANBUD_LUA_DIR, root, NULL, &code, &err);
        engine_free(e);
        CHECK(e == NULL);
        CHECK_INT(code, ANBUD_EINPUT);
        if (!strstr(err.msg, cases[i][1]))
            fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, cases[i][1]);
        CHECK(strstr(err.msg, cases[i][1]) != NULL);
    }
}

static void two_sets_serving_one_municipality_are_refused(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("u/ruleset.lua", "ruleset { id = 'u', name = 'U', municipalities = {'4631'} }");
    anbud_err err;
    int code = 0;
    engine *e = engine_new(ANBUD_LUA_DIR, root, NULL, &code, &err);
    engine_free(e);
    CHECK(e == NULL);
    CHECK(strstr(err.msg, "4631") != NULL);
}

static void stale_objects_refuse_to_be_read(void)
{
    fresh_root();
    write_file("t/ruleset.lua", MANIFEST_T);
    write_file("t/a.lua", RULE("t.a", "{\"contract\"}",
                               "if KEPT then return pass(KEPT.ocid) end KEPT = p return pass('kept')"));
    CHECK_INT(evaluate(DOC, NULL), 0);
    CHECK_STR(message_of("t.a"), "kept");
    const ocds_process *p = &set.items[0];
    engine_process ep = {p->ocid, p->compiled, p->stage, p->first_days};
    anbud_err err;
    verdict_list_free(&out);
    CHECK_INT(engine_evaluate(eng, engine_ruleset_by_id(eng, "t"), &ep, p->stage, 0, NULL, &out,
                              &err), 0);
    CHECK_INT(find("t.a")->outcome, OUTCOME_ERROR);
    CHECK(strstr(message_of("t.a"), "earlier evaluation") != NULL);
}

static void teardown(void)
{
    clear();
    if (root[0])
        nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const test_case tests[] = {
    {"objects_read_snake_case_fields", objects_read_snake_case_fields},
    {"suppliers_and_contracts_have_computed_fields", suppliers_and_contracts_have_computed_fields},
    {"cpv_groups_relevant_date_and_get", cpv_groups_relevant_date_and_get},
    {"messages_that_are_not_utf8_are_replaced", messages_that_are_not_utf8_are_replaced},
    {"objects_are_read_only", objects_are_read_only},
    {"pairs_over_an_object_gives_snake_case", pairs_over_an_object_gives_snake_case},
    {"dated_parameters_resolve_on_the_relevant_date", dated_parameters_resolve_on_the_relevant_date},
    {"params_written_by_a_rule_stay_in_its_call", params_written_by_a_rule_stay_in_its_call},
    {"evaluate_only_runs_the_named_rules", evaluate_only_runs_the_named_rules},
    {"layering_order_params_and_disabled", layering_order_params_and_disabled},
    {"applies_false_gives_na_with_reason", applies_false_gives_na_with_reason},
    {"validity_period_outside_gives_na", validity_period_outside_gives_na},
    {"gates_recheck_and_evidence_reach_the_verdict", gates_recheck_and_evidence_reach_the_verdict},
    {"evidence_keys_come_out_sorted", evidence_keys_come_out_sorted},
    {"others_are_the_same_buyers_processes", others_are_the_same_buyers_processes},
    {"others_filter_by_cpv_group_and_days", others_filter_by_cpv_group_and_days},
    {"field_reads_are_shared_only_where_nothing_differs",
     field_reads_are_shared_only_where_nothing_differs},
    {"others_filter_by_groups_stages_framework_and_first_date",
     others_filter_by_groups_stages_framework_and_first_date},
    {"misbehaving_rules_error_alone", misbehaving_rules_error_alone},
    {"bad_declarations_are_load_errors", bad_declarations_are_load_errors},
    {"bad_manifests_stop_the_engine", bad_manifests_stop_the_engine},
    {"two_sets_serving_one_municipality_are_refused", two_sets_serving_one_municipality_are_refused},
    {"stale_objects_refuse_to_be_read", stale_objects_refuse_to_be_read},
    {"teardown", teardown},
};

TEST_MAIN(tests)
