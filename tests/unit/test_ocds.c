/*
 * test_ocds: reading the four input forms and their errors, the checks every release must
 * pass (ocid, date, tags, NOK, dates, organisation numbers), and stages. The types of the
 * extension fields: test_ocds_validate.c; merge, grouping and readings: test_ocds_merge.c.
 */
#include "ocds.h"
#include "test.h"
#include "test_json.h"

#include <stdlib.h>
#include <unistd.h>

/* ---- input forms ---- */

static void test_read_single_release(void)
{
    ocds_batch b = {0};
    anbud_err err;
    CHECK_INT(rd(&b, "t.json", REL(",'tender':{'status':'active'}"), &err), ANBUD_OK);
    CHECK_INT(b.n, 1);
    ocds_release *r = &b.items[0];
    CHECK_STR(r->ocid, "ocds-x-1");
    CHECK_STR(r->id, "r1");
    CHECK_STR(r->where, "t.json");
    CHECK_INT(r->compiled, 0);
    CHECK_INT(r->stage, STAGE_TENDER);
    CHECK_INT(r->days, date_days_from_civil(2024, 3, 1));
    CHECK_INT(r->secs, r->days * 86400 + 10 * 3600);
    ocds_batch_free(&b);
    CHECK(b.items == NULL && b.n == 0);
}

static void test_read_release_without_id(void)
{
    ocds_batch b = {0};
    anbud_err err;
    CHECK_INT(rd(&b, "t.json", "{'ocid':'o','date':'2024-01-01','tag':['planning']}", &err),
              ANBUD_OK);
    CHECK_STR(b.items[0].id, "");
    CHECK_INT(b.items[0].stage, STAGE_PLANNING);
    ocds_batch_free(&b);
}

static void test_read_single_compiled_release(void)
{
    ocds_batch b = {0};
    anbud_err err;
    CHECK_INT(rd(&b, "c.json",
                 "{'ocid':'o','date':'2024-01-01','tag':['compiled'],"
                 "'awards':[{'id':'a1'}]}",
                 &err),
              ANBUD_OK);
    CHECK_INT(b.items[0].compiled, 1);
    CHECK_INT(b.items[0].stage, STAGE_AWARD);
    ocds_batch_free(&b);
}

static void test_read_release_package(void)
{
    ocds_batch b = {0};
    anbud_err err;
    /* clang-format off */
    const char *text = "{'uri':'x','releases':["
        REL2("o1", "a", "2024-01-01", "planning", "") ","
        REL2("o2", "b", "2024-01-02", "award", "") "]}";
    /* clang-format on */
    CHECK_INT(rd(&b, "p.json", text, &err), ANBUD_OK);
    CHECK_INT(b.n, 2);
    CHECK_STR(b.items[0].where, "p.json: releases[0]");
    CHECK_STR(b.items[1].where, "p.json: releases[1]");
    CHECK_STR(b.items[1].ocid, "o2");
    CHECK_INT(b.items[1].stage, STAGE_AWARD);
    ocds_batch_free(&b);
}

static void test_read_record_package_compiled(void)
{
    ocds_batch b = {0};
    anbud_err err;
    CHECK_INT(rd(&b, "r.json",
                 "{'records':[{'ocid':'o1','compiledRelease':"
                 "{'ocid':'o1','date':'2024-02-01','tag':['compiled'],"
                 "'contracts':[{'id':'c1','implementation':{}}]},"
                 "'releases':[{'url':'http://x/1'}]}]}",
                 &err),
              ANBUD_OK);
    CHECK_INT(b.n, 1);
    CHECK_STR(b.items[0].where, "r.json: records[0].compiledRelease");
    CHECK_INT(b.items[0].compiled, 1);
    CHECK_INT(b.items[0].stage, STAGE_IMPLEMENTATION);
    ocds_batch_free(&b);
}

static void test_read_record_package_full_releases(void)
{
    ocds_batch b = {0};
    anbud_err err;
    /* clang-format off */
    const char *text = "{'records':[{'ocid':'o1','releases':["
        REL2("o1", "a", "2024-01-01", "tender", "") ","
        REL2("o1", "b", "2024-01-05", "award", "") "]}]}";
    /* clang-format on */
    CHECK_INT(rd(&b, "r.json", text, &err), ANBUD_OK);
    CHECK_INT(b.n, 2);
    CHECK_STR(b.items[1].where, "r.json: records[0].releases[1]");
    CHECK_INT(b.items[1].compiled, 0);
    CHECK_INT(b.items[1].stage, STAGE_AWARD);
    ocds_batch_free(&b);
}

static void test_read_record_linked_releases_refused(void)
{
    CHECK(refused("r.json", "{'records':[{'ocid':'o1','releases':[{'url':'http://x/1'}]}]}",
                  "r.json: records[0].releases[0]: a linked release"));
    CHECK(refused("r.json", "{'records':[{'ocid':'o1'}]}", "r.json: records[0]: no compiled"));
    CHECK(refused("r.json", "{'records':[7]}",
                  "r.json: records[0]: expected an object, found "
                  "number"));
}

static void test_read_json_lines(void)
{
    ocds_batch b = {0};
    anbud_err err;
    /* clang-format off */
    const char *text =
        REL2("o1", "a", "2024-01-01", "tender", "") "\n"
        "\n"
        REL2("o1", "b", "2024-01-02", "award", "") "\r\n"
        "   \n"
        REL2("o2", "c", "2024-01-03", "planning", "") "\n";
    /* clang-format on */
    CHECK_INT(rd(&b, "t.jsonl", text, &err), ANBUD_OK);
    CHECK_INT(b.n, 3);
    CHECK_STR(b.items[0].where, "t.jsonl: line 1");
    CHECK_STR(b.items[1].where, "t.jsonl: line 3");
    CHECK_STR(b.items[2].where, "t.jsonl: line 5");
    CHECK_STR(b.items[2].ocid, "o2");
    ocds_batch_free(&b);
}

static void test_read_json_lines_detected_by_content(void)
{
    ocds_batch b = {0};
    anbud_err err;
    /* clang-format off */
    const char *text =
        REL2("o1", "a", "2024-01-01", "tender", "") "\n"
        REL2("o1", "b", "2024-01-02", "award", "");
    /* clang-format on */
    CHECK_INT(rd(&b, "stdin", text, &err), ANBUD_OK);
    CHECK_INT(b.n, 2);
    CHECK_STR(b.items[1].where, "stdin: line 2");
    ocds_batch_free(&b);
}

static void test_read_json_lines_one_line_by_name(void)
{
    ocds_batch b = {0};
    anbud_err err;
    CHECK_INT(rd(&b, "one.ndjson", REL(""), &err), ANBUD_OK);
    CHECK_STR(b.items[0].where, "one.ndjson: line 1");
    ocds_batch_free(&b);
}

static void test_read_json_lines_bad_line(void)
{
    /* clang-format off */
    const char *text =
        REL2("o1", "a", "2024-01-01", "tender", "") "\n"
        REL2("o1", "b", "2024-01-02", "award", "") "\n"
        "{'ocid':'o1','date':}\n";
    /* clang-format on */
    CHECK(refused("t.jsonl", text, "t.jsonl: line 3, column 21: unexpected token"));
    CHECK(refused("t.json", text, "t.json: line 3, column 21: unexpected token"));
    /* a line that parses but is not a valid release names its line too */
    CHECK(refused("t.jsonl", REL("") "\n[1,2]\n", "t.jsonl: line 2: expected a release"));
    CHECK(refused("t.jsonl", REL("") "\n" REL2("o", "x", "2024-02-30", "award", ""),
                  "t.jsonl: line 2 (ocid o): date: \"2024-02-30\" is not a valid date"));
}

static void test_read_value_followed_by_garbage(void)
{
    /* one pretty-printed value then more text: the whole-text error, not "line 1" alone */
    CHECK(refused("t.json", "{\n 'ocid': 'o'\n}\n}\n",
                  "t.json: line 4, column 1: end of file "
                  "expected"));
}

static void test_read_empty_input(void)
{
    CHECK(refused("e.json", "", "e.json: empty input"));
    CHECK(refused("e.json", " \n\t\r\n ", "e.json: empty input"));
    CHECK(refused("e.jsonl", "\n\n", "e.jsonl: empty input"));
}

static void test_read_wrong_top_level(void)
{
    CHECK(refused("t.json", "[" REL("") "]",
                  "t.json: expected a release, release package or "
                  "record package (an object), found array"));
    CHECK(refused("t.json", "42", "found number"));
    CHECK(refused("t.json", "'text'", "found string"));
    CHECK(refused("t.json", "{'uri':'x'}", "t.json: not OCDS"));
    CHECK(refused("t.json", "{'releases':{}}",
                  "t.json: releases: expected an array, found "
                  "object"));
    CHECK(refused("t.json", "{'releases':[7]}",
                  "t.json: releases[0]: expected a release (an "
                  "object), found number"));
}

static void test_read_parse_error_position(void)
{
    CHECK(refused("t.json", "{\n  'ocid': 'o',\n  'date': ,\n}",
                  "t.json: line 3, column 11: "
                  "unexpected token"));
}

static void test_read_duplicate_keys(void)
{
    CHECK(refused("t.json", "{'ocid':'o',\n'ocid':'p','date':'2024-01-01','tag':['tender']}",
                  "t.json: line 2, column 6: duplicate object key"));
    CHECK(refused("t.json", REL(",'tender':{'value':{'amount':1,'amount':2}}"),
                  "duplicate object key"));
}

static void test_read_escaped_nul(void)
{
    CHECK(refused("t.json", REL(",'title':'a\\u0000b'"), "\\u0000 is not allowed"));
    CHECK(refused("t.json", REL(",'title':'a\\u0000b'"), "t.json: line 1, column"));
}

static void test_read_raw_nul_byte(void)
{
    ocds_batch b = {0};
    anbud_err err;
    const char text[] = "{\"ocid\":\"o\"}\n\0";
    CHECK_INT(ocds_read(&b, "bin.json", text, sizeof text - 1, &err), ANBUD_EINPUT);
    CHECK_STR(err.msg, "bin.json: line 2, column 1: a NUL byte; JSON text cannot contain one (is "
                       "this a binary file?)");
    CHECK_INT(b.n, 0);
}

static void test_read_invalid_utf8(void)
{
    CHECK(refused("t.json",
                  REL(",'title':'bl\xe5"
                      "b\xe6"
                      "r'"),
                  "t.json: line 1, column"));
    CHECK(refused("t.json",
                  REL(",'title':'bl\xe5"
                      "b\xe6"
                      "r'"),
                  "unable to decode byte 0xe5"));
    CHECK(accepted(REL(",'title':'bl\xc3\xa5\x62\xc3\xa6r'"))); /* the same word in UTF-8 */
}

static void test_read_byte_order_mark(void)
{
    char text[256];
    snprintf(text, sizeof text, "\xEF\xBB\xBF%s", REL(""));
    CHECK(accepted(text));
}

/* A release whose tender nests `depth` objects {"x":...} around {"endDate": end}. */
static int deep_release(sbuf *s, int depth, const char *end)
{
    int fail = sbuf_adds(s, "{\"ocid\":\"o\",\"date\":\"2024-01-01\",\"tag\":[\"tender\"],"
                            "\"tender\":");
    for (int i = 0; i < depth; i++)
        fail |= sbuf_adds(s, "{\"x\":");
    fail |= sbuf_printf(s, "{\"endDate\":\"%s\"}", end);
    for (int i = 0; i <= depth; i++)
        fail |= sbuf_adds(s, "}");
    return fail;
}

static void test_read_deep_nesting(void)
{
    ocds_batch b = {0};
    ocds_set set;
    anbud_err err;
    /* deeper than jansson's limit (2048): a clean error, no crash */
    size_t n = 100000;
    char *deep = malloc(n);
    CHECK(deep != NULL);
    memset(deep, '[', n);
    int rc = ocds_read(&b, "deep.json", deep, n, &err);
    free(deep);
    CHECK_INT(rc, ANBUD_EINPUT);
    CHECK(strstr(err.msg, "deep.json: line 1, column 2049: maximum parsing depth") != NULL);

    /* deep but allowed: validation walks it and names the (shortened) path */
    sbuf bad = {0}, good = {0};
    int fail = deep_release(&bad, 1500, "2024-13-01") | deep_release(&good, 1500, "2024-12-01");
    int bad_rc = fail ? -99 : ocds_read(&b, "t.json", bad.data, bad.len, &err);
    int named = strncmp(err.msg, "t.json (ocid o): tender.x.x.x.x", 31) == 0 &&
                strstr(err.msg, ": \"2024-13-01\" is not a valid date") != NULL;
    int good_rc = fail ? -99 : ocds_read(&b, "t.json", good.data, good.len, &err);
    sbuf_free(&bad);
    sbuf_free(&good);
    CHECK_INT(bad_rc, ANBUD_EINPUT);
    CHECK(named);
    CHECK_INT(good_rc, ANBUD_OK);
    CHECK_INT(b.n, 1);
    /* and the merge copies all of it */
    CHECK_INT(ocds_group(&b, &set, &err), ANBUD_OK);
    CHECK(json_equal(json_object_get(set.items[0].compiled, "tender"),
                     json_object_get(b.items[0].json, "tender")));
    ocds_set_free(&set);
    ocds_batch_free(&b);
}

static void test_read_all_or_nothing(void)
{
    ocds_batch b = {0};
    anbud_err err;
    CHECK_INT(rd(&b, "a.json", REL(""), &err), ANBUD_OK);
    CHECK_INT(b.n, 1);
    /* the second release of the package is bad: nothing of the package is kept */
    /* clang-format off */
    const char *bad = "{'releases':["
        REL2("o1", "a", "2024-01-01", "tender", "") ","
        REL2("o1", "b", "2024-01-02", "awrd", "") "]}";
    /* clang-format on */
    CHECK_INT(rd(&b, "b.json", bad, &err), ANBUD_EINPUT);
    CHECK_STR(err.msg, "b.json: releases[1] (ocid o1): tag[0]: unknown tag \"awrd\" (not in the "
                       "OCDS release tag codelist)");
    CHECK_INT(b.n, 1);
    CHECK_STR(b.items[0].where, "a.json");
    /* and the batch still takes more */
    CHECK_INT(rd(&b, "c.jsonl", REL("") "\n" REL(""), &err), ANBUD_OK);
    CHECK_INT(b.n, 3);
    CHECK_STR(b.items[2].where, "c.jsonl: line 2");
    CHECK_STR(b.items[0].ocid, "ocds-x-1");
    ocds_batch_free(&b);
}

static void test_read_file(void)
{
    char path[] = "/tmp/anbud_ocds_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char *text = q(REL(""));
    ssize_t w = write(fd, text, strlen(text));
    close(fd);
    ocds_batch b = {0};
    anbud_err err;
    int rc = w == (ssize_t)strlen(text) ? ocds_read_file(&b, path, &err) : -99;
    unlink(path);
    CHECK_INT(rc, ANBUD_OK);
    CHECK_INT(b.n, 1);
    CHECK_STR(b.items[0].where, path);
    ocds_batch_free(&b);

    CHECK_INT(ocds_read_file(&b, "/nonexistent/x.json", &err), ANBUD_EINPUT);
    CHECK_STR(err.msg, "/nonexistent/x.json: No such file or directory");
    CHECK_INT(b.n, 0);
}

/* ---- validation ---- */

static void test_validate_ocid(void)
{
    CHECK(refused("t.json", "{'date':'2024-01-01','tag':['tender'],'ocid':''}",
                  "t.json: ocid: empty"));
    CHECK(refused("t.json", "{'releases':[{'date':'2024-01-01','tag':['tender']}]}",
                  "t.json: releases[0]: ocid: missing"));
    CHECK(refused("t.json", "{'ocid':7,'date':'2024-01-01','tag':['tender']}",
                  "t.json: ocid: expected a string, found number"));
}

static void test_validate_date(void)
{
    CHECK(refused("t.json", "{'ocid':'o','tag':['tender']}", "t.json (ocid o): date: missing"));
    CHECK(refused("t.json", "{'ocid':'o','date':'2023-02-29','tag':['tender']}",
                  "t.json (ocid o): date: \"2023-02-29\" is not a valid date"));
    CHECK(refused("t.json", "{'ocid':'o','date':20240101,'tag':['tender']}",
                  "t.json (ocid o): date: expected a date string, found number"));
    CHECK(refused("t.json", "{'ocid':'o','date':null,'tag':['tender']}",
                  "date: expected a date string, found null"));
}

static void test_validate_tags(void)
{
    CHECK(refused("t.json", "{'ocid':'o','date':'2024-01-01'}", "(ocid o): tag: missing"));
    CHECK(refused("t.json", "{'ocid':'o','date':'2024-01-01','tag':[]}", "tag: empty"));
    CHECK(refused("t.json", "{'ocid':'o','date':'2024-01-01','tag':'tender'}",
                  "tag: expected an array of tags, found string"));
    CHECK(refused("t.json", "{'ocid':'o','date':'2024-01-01','tag':['tender','tendr']}",
                  "(ocid o): tag[1]: unknown tag \"tendr\""));
    CHECK(refused("t.json", "{'ocid':'o','date':'2024-01-01','tag':['tender',3]}",
                  "tag[1]: expected a string, found number"));
    CHECK(accepted("{'ocid':'o','date':'2024-01-01','tag':['planning','planningUpdate','tender',"
                   "'tenderAmendment','tenderUpdate','tenderCancellation','award','awardUpdate',"
                   "'awardCancellation','contract','contractUpdate','contractAmendment',"
                   "'implementation','implementationUpdate','contractTermination']}"));
}

static void test_validate_release_id_type(void)
{
    CHECK(refused("t.json", "{'ocid':'o','id':12,'date':'2024-01-01','tag':['tender']}",
                  "(ocid o): id: expected a string, found number"));
}

static void test_validate_currency(void)
{
    CHECK(refused("t.json", REL(",'tender':{'value':{'amount':100,'currency':'EUR'}}"),
                  "t.json (ocid ocds-x-1): tender.value.currency: \"EUR\" is not NOK; anbud reads "
                  "amounts in NOK (excluding VAT) only"));
    CHECK(refused("t.json",
                  REL(",'awards':[{'id':'1','value':{'currency':'NOK'}},"
                      "{'id':'2','value':{'currency':'SEK'}}]"),
                  "awards[1].value.currency: \"SEK\""));
    CHECK(refused("t.json", REL(",'tender':{'value':{'currency':578}}"),
                  "tender.value.currency: expected a currency code, found number"));
    CHECK(accepted(REL(",'tender':{'value':{'amount':100,'currency':'NOK'}}")));
}

static void test_validate_amount(void)
{
    CHECK(refused("t.json", REL(",'tender':{'value':{'amount':'100','currency':'NOK'}}"),
                  "tender.value.amount: expected a number, found string"));
    CHECK(refused("t.json", REL(",'contracts':[{'id':'c','value':{'amount':-5}}]"),
                  "contracts[0].value.amount: -5 is negative"));
    CHECK(accepted(REL(",'tender':{'value':{'amount':1.5e6}}")));
    /* OCDS 1.1 keeps a Value object under planning.budget.amount */
    CHECK(accepted(REL(",'planning':{'budget':{'amount':{'amount':5,'currency':'NOK'}}}")));
    CHECK(refused("t.json", REL(",'planning':{'budget':{'amount':{'amount':5,'currency':'DKK'}}}"),
                  "planning.budget.amount.currency: \"DKK\" is not NOK"));
}

static void test_validate_date_fields(void)
{
    CHECK(refused("t.json", REL(",'contracts':[{'id':'c','period':{'endDate':'2024-06-31'}}]"),
                  "contracts[0].period.endDate: \"2024-06-31\" is not a valid date"));
    CHECK(refused("t.json",
                  REL(",'tender':{'notices':[{'platform':'doffin','datePublished':"
                      "'2024-01-01T25:00:00Z'}]}"),
                  "tender.notices[0].datePublished: \"2024-01-01T25:00:00Z\""));
    CHECK(refused("t.json", REL(",'contracts':[{'id':'c','dateSigned':'yesterday'}]"),
                  "contracts[0].dateSigned: \"yesterday\""));
    CHECK(refused("t.json", REL(",'tender':{'tenderPeriod':{'maxExtentDate':5}}"),
                  "tender.tenderPeriod.maxExtentDate: expected a date string, found number"));
    CHECK(accepted(REL(",'tender':{'tenderPeriod':{'startDate':'2024-01-01T00:00:00+01:00',"
                       "'endDate':null}}")));
}

static void test_validate_orgnr_check_digit(void)
{
    CHECK(refused("t.json",
                  REL(",'parties':[{'id':'b','identifier':{'scheme':'NO-BRC','id':'964338531'}},"
                      "{'id':'s','identifier':{'scheme':'NO-BRC','id':'974760674'}}]"),
                  "t.json (ocid ocds-x-1): parties[1].identifier.id: \"974760674\" is not an "
                  "organisation number: the MOD11 check digit (the last) fails"));
}

static void test_validate_orgnr_shape(void)
{
    CHECK(
        refused("t.json",
                REL(",'parties':[{'id':'s','identifier':{'scheme':'NO-BRC','id':'974 760 673'}}]"),
                "parties[0].identifier.id: \"974 760 673\" is not an organisation number: it "
                "must be 9 digits"));
    CHECK(refused("t.json",
                  REL(",'parties':[{'id':'s','identifier':{'scheme':'NO-BRC','id':"
                      "974760673}}]"),
                  "parties[0].identifier.id: expected the organisation number as a string"));
    CHECK(refused("t.json",
                  REL(",'parties':[{'id':'s','additionalIdentifiers':["
                      "{'scheme':'NO-BRC','id':'12345678'}]}]"),
                  "parties[0].additionalIdentifiers[0].id: \"12345678\""));
    CHECK(refused("t.json", REL(",'parties':[{'id':'s','identifier':{'scheme':'NO-BRC'}}]"),
                  "parties[0].identifier: scheme NO-BRC without an id"));
    /* other schemes are not organisation numbers */
    CHECK(accepted(REL(",'parties':[{'id':'s','identifier':{'scheme':'SE-ON','id':'5560000'}}]")));
}

static void test_validate_municipality_code(void)
{
    CHECK(refused("t.json", REL(",'parties':[{'id':'b','details':{'municipalityCode':'460'}}]"),
                  "parties[0].details.municipalityCode: \"460\" is not a kommunenummer"));
    CHECK(refused("t.json", REL(",'parties':[{'id':'b','details':{'municipalityCode':4601}}]"),
                  "parties[0].details.municipalityCode: expected a kommunenummer as a string"));
    CHECK(accepted(REL(",'parties':[{'id':'b','details':{'municipalityCode':'0301'}}]")));
}

/* ---- stages ---- */

static void test_stage_names(void)
{
    for (int s = 0; s < STAGE_COUNT; s++)
        CHECK_INT(ocds_stage_parse(ocds_stage_name((ocds_stage)s)), s);
    CHECK_STR(ocds_stage_name(STAGE_NONE), "none");
    CHECK_STR(ocds_stage_name(STAGE_IMPLEMENTATION), "implementation");
    CHECK_INT(ocds_stage_parse("Tender"), STAGE_NONE);
    CHECK_INT(ocds_stage_parse(NULL), STAGE_NONE);
}

static void test_stage_of_tags(void)
{
    static const struct {
        const char *doc;
        ocds_stage want;
    } cases[] = {
        {"{'tag':['planning']}", STAGE_PLANNING},
        {"{'tag':['tenderAmendment']}", STAGE_TENDER},
        {"{'tag':['tender','award']}", STAGE_AWARD},
        {"{'tag':['contractAmendment','tenderUpdate']}", STAGE_CONTRACT},
        {"{'tag':['implementationUpdate']}", STAGE_IMPLEMENTATION},
        {"{'tag':['tenderCancellation']}", STAGE_CLOSED},
        {"{'tag':['awardCancellation']}", STAGE_CLOSED},
        {"{'tag':['contractTermination','contract']}", STAGE_CLOSED},
        {"{'tag':['compiled']}", STAGE_NONE},
        {"{}", STAGE_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = js(cases[i].doc);
        ocds_stage got = ocds_stage_of_tags(doc);
        json_decref(doc);
        if (got != cases[i].want)
            fprintf(stderr, "  %s\n", cases[i].doc);
        CHECK_INT(got, cases[i].want);
    }
}

static void test_stage_of_compiled(void)
{
    static const struct {
        const char *doc;
        ocds_stage want;
    } cases[] = {
        {"{}", STAGE_PLANNING},
        {"{'tender':{'status':'planning'}}", STAGE_PLANNING},
        {"{'tender':{'status':'active'}}", STAGE_TENDER},
        {"{'tender':{'tenderPeriod':{}}}", STAGE_TENDER},
        {"{'tender':{'notices':[{'id':'n'}]}}", STAGE_TENDER},
        {"{'tender':{'notices':[]}}", STAGE_PLANNING},
        {"{'tender':{'status':'active'},'awards':[{'id':'a'}]}", STAGE_AWARD},
        {"{'awards':[{'id':'a'}],'contracts':[{'id':'c'}]}", STAGE_CONTRACT},
        {"{'contracts':[{'id':'c'},{'id':'d','implementation':{'transactions':[]}}]}",
         STAGE_IMPLEMENTATION},
        {"{'contracts':[{'id':'c','status':'terminated'},{'id':'d','status':'active'}]}",
         STAGE_CONTRACT},
        {"{'contracts':[{'id':'c','status':'terminated','implementation':{}},"
         "{'id':'d','status':'terminated'}]}",
         STAGE_CLOSED},
        {"{'tender':{'status':'cancelled','tenderPeriod':{}},'awards':[{'id':'a'}]}", STAGE_CLOSED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = js(cases[i].doc);
        ocds_stage got = ocds_stage_of_compiled(doc);
        json_decref(doc);
        if (got != cases[i].want)
            fprintf(stderr, "  %s\n", cases[i].doc);
        CHECK_INT(got, cases[i].want);
    }
}

static const test_case tests[] = {
    {"read_single_release", test_read_single_release},
    {"read_release_without_id", test_read_release_without_id},
    {"read_single_compiled_release", test_read_single_compiled_release},
    {"read_release_package", test_read_release_package},
    {"read_record_package_compiled", test_read_record_package_compiled},
    {"read_record_package_full_releases", test_read_record_package_full_releases},
    {"read_record_linked_releases_refused", test_read_record_linked_releases_refused},
    {"read_json_lines", test_read_json_lines},
    {"read_json_lines_detected_by_content", test_read_json_lines_detected_by_content},
    {"read_json_lines_one_line_by_name", test_read_json_lines_one_line_by_name},
    {"read_json_lines_bad_line", test_read_json_lines_bad_line},
    {"read_value_followed_by_garbage", test_read_value_followed_by_garbage},
    {"read_empty_input", test_read_empty_input},
    {"read_wrong_top_level", test_read_wrong_top_level},
    {"read_parse_error_position", test_read_parse_error_position},
    {"read_duplicate_keys", test_read_duplicate_keys},
    {"read_escaped_nul", test_read_escaped_nul},
    {"read_raw_nul_byte", test_read_raw_nul_byte},
    {"read_invalid_utf8", test_read_invalid_utf8},
    {"read_byte_order_mark", test_read_byte_order_mark},
    {"read_deep_nesting", test_read_deep_nesting},
    {"read_all_or_nothing", test_read_all_or_nothing},
    {"read_file", test_read_file},
    {"validate_ocid", test_validate_ocid},
    {"validate_date", test_validate_date},
    {"validate_tags", test_validate_tags},
    {"validate_release_id_type", test_validate_release_id_type},
    {"validate_currency", test_validate_currency},
    {"validate_amount", test_validate_amount},
    {"validate_date_fields", test_validate_date_fields},
    {"validate_orgnr_check_digit", test_validate_orgnr_check_digit},
    {"validate_orgnr_shape", test_validate_orgnr_shape},
    {"validate_municipality_code", test_validate_municipality_code},
    {"stage_names", test_stage_names},
    {"stage_of_tags", test_stage_of_tags},
    {"stage_of_compiled", test_stage_of_compiled},
};

TEST_MAIN(tests)
