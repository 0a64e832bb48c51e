/*
 * test_ocds_merge: the OCDS merge, grouping by ocid with the backward-move refusal, and the
 * shared readings of a compiled release.
 */
#include "ocds.h"
#include "test.h"
#include "test_json.h"

#include <stdlib.h>

/* ---- merge ---- */

/* Merges each of the docs into a fresh object and compares with want (jansson equality). */
static int merges_to(const char *const *docs, size_t n, const char *want)
{
    json_t *compiled = json_object(), *expected = js(want);
    int ok = compiled && expected;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *release = js(docs[i]);
        ok = release && ocds_merge(compiled, release, NULL) == ANBUD_OK;
        json_decref(release);
    }
    ok = ok && json_equal(compiled, expected);
    if (!ok) {
        char *got = json_dumps(compiled, JSON_SORT_KEYS | JSON_COMPACT);
        fprintf(stderr, "  merged: %s\n  wanted: %s\n", got ? got : "?", q(want));
        free(got);
    }
    json_decref(compiled);
    json_decref(expected);
    return ok;
}

static void test_merge_objects_key_by_key(void)
{
    const char *docs[] = {
        "{'ocid':'o','tender':{'title':'A','value':{'amount':1,'currency':'NOK'}}}",
        "{'tender':{'value':{'amount':2},'status':'active'}}",
    };
    CHECK(merges_to(docs, 2,
                    "{'ocid':'o','tender':{'title':'A','status':'active',"
                    "'value':{'amount':2,'currency':'NOK'}}}"));
}

static void test_merge_arrays_by_id(void)
{
    const char *docs[] = {
        "{'awards':[{'id':'1','status':'pending','value':{'amount':5}},{'id':2,'status':'x'}]}",
        "{'awards':[{'id':'3','status':'active'},{'id':'1','status':'active'},"
        "{'id':'2','title':'two'}]}",
    };
    CHECK(merges_to(docs, 2,
                    "{'awards':[{'id':'1','status':'active','value':{'amount':5}},"
                    "{'id':'2','status':'x','title':'two'},{'id':'3','status':'active'}]}"));
}

static void test_merge_replaces_other_arrays(void)
{
    const char *docs[] = {
        "{'tag':['tender'],'tender':{'submissionMethod':['a','b'],"
        "'items':[{'id':'1'},{'id':'2'}],'mixed':[{'id':'1'}],'plain':[{'x':1},{'x':2}]}}",
        "{'tag':['award'],'tender':{'submissionMethod':['c'],"
        "'items':[{'id':'2'}],'mixed':[{'id':'1'},'text'],'plain':[{'x':3}]}}",
    };
    CHECK(merges_to(docs, 2,
                    "{'tag':['award'],'tender':{'submissionMethod':['c'],"
                    "'items':[{'id':'1'},{'id':'2'}],'mixed':[{'id':'1'},'text'],"
                    "'plain':[{'x':3}]}}"));
}

static void test_merge_null_removes(void)
{
    const char *docs[] = {
        "{'title':'t','tender':{'value':{'amount':1,'currency':'NOK'},'status':'active'},"
        "'awards':[{'id':'1','title':'x','date':'2024-01-01'}]}",
        "{'title':null,'tender':{'value':{'amount':null}},'awards':[{'id':'1','date':null}],"
        "'absent':null,'fresh':{'keep':1,'drop':null}}",
    };
    CHECK(merges_to(docs, 2,
                    "{'tender':{'value':{'currency':'NOK'},'status':'active'},"
                    "'awards':[{'id':'1','title':'x'}],'fresh':{'keep':1}}"));
}

static void test_merge_nested_id_arrays(void)
{
    const char *docs[] = {
        "{'contracts':[{'id':'c','implementation':{'hourReports':[{'id':'h1','totalHours':10}]}}]}",
        "{'contracts':[{'id':'c','implementation':{'hourReports':[{'id':'h2','totalHours':5},"
        "{'id':'h1','apprenticeHours':2}]}}]}",
    };
    CHECK(merges_to(docs, 2,
                    "{'contracts':[{'id':'c','implementation':{'hourReports':["
                    "{'id':'h1','totalHours':10,'apprenticeHours':2},"
                    "{'id':'h2','totalHours':5}]}}]}"));
}

static void test_merge_type_changes_replace(void)
{
    const char *docs[] = {
        "{'a':{'x':1},'b':[1],'c':'s','d':[{'id':'1'}]}",
        "{'a':'now text','b':{'y':2},'c':[{'id':'1','z':null}],'d':[]}",
    };
    CHECK(merges_to(docs, 2, "{'a':'now text','b':{'y':2},'c':[{'id':'1'}],'d':[{'id':'1'}]}"));
}

static void test_merge_deep_copies(void)
{
    json_t *compiled = json_object();
    json_t *release = js("{'tender':{'items':[{'id':'1','d':{'x':1}}],'list':[[1,2]]}}");
    CHECK(compiled && release);
    CHECK_INT(ocds_merge(compiled, release, NULL), ANBUD_OK);
    json_t *ct = json_object_get(compiled, "tender"), *rt = json_object_get(release, "tender");
    CHECK(ct != rt);
    CHECK(json_array_get(json_object_get(ct, "list"), 0) !=
          json_array_get(json_object_get(rt, "list"), 0));
    /* changing the release afterwards leaves the compiled release alone */
    json_object_set_new(json_object_get(json_array_get(json_object_get(rt, "items"), 0), "d"), "x",
                        json_integer(99));
    json_decref(release);
    json_t *x =
        json_object_get(json_object_get(json_array_get(json_object_get(ct, "items"), 0), "d"), "x");
    CHECK_INT(json_integer_value(x), 1);
    json_decref(compiled);
}

static void test_merge_rejects_non_objects(void)
{
    json_t *arr = json_array(), *obj = json_object();
    anbud_err err;
    CHECK_INT(ocds_merge(arr, obj, &err), ANBUD_EINTERNAL);
    CHECK(strstr(err.msg, "array") != NULL);
    CHECK_INT(ocds_merge(obj, arr, &err), ANBUD_EINTERNAL);
    CHECK_INT(json_object_size(obj), 0);
    json_decref(arr);
    json_decref(obj);
}

static void test_id_equal(void)
{
    json_t *s7 = json_string("7"), *i7 = json_integer(7), *r7 = json_real(7.0);
    json_t *s8 = json_string("8"), *t = json_true();
    CHECK(ocds_id_equal(s7, i7));
    CHECK(ocds_id_equal(i7, r7));
    CHECK(!ocds_id_equal(s7, s8));
    CHECK(!ocds_id_equal(s7, t));
    CHECK(!ocds_id_equal(NULL, s7));
    json_decref(s7);
    json_decref(i7);
    json_decref(r7);
    json_decref(s8);
    json_decref(t);
}

/* ---- grouping ---- */

static void test_group_orders_and_merges(void)
{
    ocds_batch b = {0};
    ocds_set set;
    anbud_err err;
    /* clang-format off */
    const char *text = "{'releases':["
        REL2("B", "b2", "2024-02-01", "award", ",'awards':[{'id':'a','status':'active'}]") ","
        REL2("A", "a1", "2024-01-01", "tender", ",'tender':{'title':'first'}") ","
        REL2("B", "b1", "2024-01-10T08:00:00+01:00", "tender", ",'tender':{'title':'B'}") ","
        REL2("A", "a2", "2024-01-05", "tenderUpdate", ",'tender':{'title':'second'}") "]}";
    /* clang-format on */
    CHECK_INT(rd(&b, "p.json", text, &err), ANBUD_OK);
    CHECK_INT(ocds_group(&b, &set, &err), ANBUD_OK);
    CHECK_INT(set.n, 2);
    ocds_process *pb = &set.items[0], *pa = &set.items[1];
    CHECK_STR(pb->ocid, "B"); /* B appeared first in the input */
    CHECK_INT(pb->n, 2);
    CHECK_STR(pb->releases[0]->id, "b1");
    CHECK_STR(pb->releases[1]->id, "b2");
    CHECK_INT(pb->stage, STAGE_AWARD);
    CHECK_INT(pb->first_days, date_days_from_civil(2024, 1, 10));
    CHECK_STR(pa->ocid, "A");
    CHECK_STR(pa->releases[1]->id, "a2");
    CHECK_INT(pa->stage, STAGE_TENDER);
    CHECK_STR(json_string_value(json_object_get(json_object_get(pa->compiled, "tender"), "title")),
              "second");
    json_t *tag = json_object_get(pb->compiled, "tag");
    CHECK_INT(json_array_size(tag), 1);
    CHECK_STR(json_string_value(json_array_get(tag, 0)), "compiled");
    CHECK_STR(json_string_value(json_object_get(pb->compiled, "date")), "2024-02-01");
    CHECK_STR(json_string_value(json_object_get(pb->compiled, "id")), "b2");
    CHECK_INT(json_array_size(json_object_get(pb->compiled, "awards")), 1);
    CHECK(json_object_get(pb->compiled, "tender") != json_object_get(b.items[2].json, "tender"));
    ocds_set_free(&set);
    CHECK(set.items == NULL && set.n == 0);
    ocds_batch_free(&b);
}

static void test_group_ties_keep_input_order(void)
{
    ocds_batch b = {0};
    ocds_set set;
    anbud_err err;
    /* clang-format off */
    const char *text =
        REL2("o", "x", "2024-01-01", "tender", ",'title':'one'") "\n"
        REL2("o", "y", "2024-01-01T00:00:00Z", "tender", ",'title':'two'");
    /* clang-format on */
    CHECK_INT(rd(&b, "t.jsonl", text, &err), ANBUD_OK);
    CHECK_INT(ocds_group(&b, &set, &err), ANBUD_OK);
    CHECK_STR(set.items[0].releases[0]->id, "x");
    CHECK_STR(json_string_value(json_object_get(set.items[0].compiled, "title")), "two");
    ocds_set_free(&set);
    ocds_batch_free(&b);
}

static void test_group_refuses_backward_move(void)
{
    ocds_batch b = {0};
    ocds_set set = {(ocds_process *)&b, 99}; /* must be reset by ocds_group */
    anbud_err err;
    /* clang-format off */
    const char *text = "{'releases':["
        REL2("o", "r1", "2024-01-01", "tender", "") ","
        REL2("o", "r3", "2024-03-01", "tenderUpdate", "") ","
        REL2("o", "r2", "2024-02-01", "award", "") "]}";
    /* clang-format on */
    CHECK_INT(rd(&b, "p.json", text, &err), ANBUD_OK);
    CHECK_INT(ocds_group(&b, &set, &err), ANBUD_EINPUT);
    CHECK_STR(err.msg, "p.json: releases[1]: release \"r3\" (dated 2024-03-01) would move ocid o "
                       "back from award to tender");
    CHECK(set.items == NULL);
    CHECK_INT(set.n, 0);
    ocds_batch_free(&b);
}

static void test_group_forward_and_closed(void)
{
    ocds_batch b = {0};
    ocds_set set;
    anbud_err err;
    /* clang-format off */
    const char *text =
        REL2("o", "1", "2024-01-01", "planning", "") "\n"
        REL2("o", "2", "2024-01-02", "tender", "") "\n"
        REL2("o", "3", "2024-01-03", "tenderUpdate", "") "\n"
        REL2("o", "4", "2024-01-04", "tenderCancellation", ",'tender':{'status':'cancelled'}");
    /* clang-format on */
    CHECK_INT(rd(&b, "t.jsonl", text, &err), ANBUD_OK);
    CHECK_INT(ocds_group(&b, &set, &err), ANBUD_OK);
    CHECK_INT(set.items[0].stage, STAGE_CLOSED);
    ocds_set_free(&set);
    /* once closed, a later tender update is a backward move */
    CHECK_INT(rd(&b, "more.json", REL2("o", "5", "2024-01-05", "tenderUpdate", ""), &err),
              ANBUD_OK);
    CHECK_INT(ocds_group(&b, &set, &err), ANBUD_EINPUT);
    CHECK(strstr(err.msg, "more.json: release \"5\"") != NULL);
    CHECK(strstr(err.msg, "back from closed to tender") != NULL);
    ocds_batch_free(&b);
}

static void test_group_compiled_release_alone(void)
{
    ocds_batch b = {0};
    ocds_set set;
    anbud_err err;
    CHECK_INT(rd(&b, "r.json",
                 "{'records':[{'ocid':'o','compiledRelease':{'ocid':'o','id':'o-c',"
                 "'date':'2024-04-01','tag':['compiled'],'contracts':[{'id':'c'}]}}]}",
                 &err),
              ANBUD_OK);
    CHECK_INT(ocds_group(&b, &set, &err), ANBUD_OK);
    CHECK_INT(set.n, 1);
    CHECK_INT(set.items[0].stage, STAGE_CONTRACT);
    CHECK_INT(set.items[0].first_days, date_days_from_civil(2024, 4, 1));
    CHECK(set.items[0].compiled != b.items[0].json);
    CHECK(json_equal(json_object_get(set.items[0].compiled, "contracts"),
                     json_object_get(b.items[0].json, "contracts")));
    ocds_set_free(&set);
    ocds_batch_free(&b);
}

static void test_apply_one_at_a_time(void)
{
    ocds_batch b = {0};
    anbud_err err;
    /* clang-format off */
    const char *text =
        REL2("o", "2", "2024-02-01", "award", ",'awards':[{'id':'a'}]") "\n"
        REL2("o", "1", "2024-01-01", "tenderUpdate", ",'title':'late'") "\n"
        REL2("o", "0", "2024-01-01", "planning", "");
    /* clang-format on */
    CHECK_INT(rd(&b, "s.jsonl", text, &err), ANBUD_OK);
    json_t *compiled = json_object();
    ocds_stage stage = STAGE_NONE;
    CHECK(compiled != NULL);
    CHECK_INT(ocds_apply(compiled, &stage, &b.items[0], &err), ANBUD_OK);
    CHECK_INT(stage, STAGE_AWARD);
    /* a release with an older date arriving later: the compiled date stays the newest */
    b.items[1].stage = STAGE_AWARD; /* as if it were an award update, to pass the stage check */
    CHECK_INT(ocds_apply(compiled, &stage, &b.items[1], &err), ANBUD_OK);
    CHECK_STR(json_string_value(json_object_get(compiled, "date")), "2024-02-01");
    CHECK_STR(json_string_value(json_object_get(compiled, "title")), "late");
    CHECK_STR(json_string_value(json_array_get(json_object_get(compiled, "tag"), 0)), "compiled");
    CHECK_INT(json_array_size(json_object_get(compiled, "tag")), 1);
    /* a planning release now is a backward move, and leaves the stage alone */
    CHECK_INT(ocds_apply(compiled, &stage, &b.items[2], &err), ANBUD_EINPUT);
    CHECK_STR(err.msg, "s.jsonl: line 3: release \"0\" (dated 2024-01-01) would move ocid o back "
                       "from award to planning");
    CHECK_INT(stage, STAGE_AWARD);
    json_decref(compiled);
    ocds_batch_free(&b);
}

static void test_group_empty_batch(void)
{
    ocds_batch b = {0};
    ocds_set set;
    CHECK_INT(ocds_group(&b, &set, NULL), ANBUD_OK);
    CHECK_INT(set.n, 0);
    CHECK(set.items == NULL);
    ocds_set_free(&set);
}

/* ---- out of memory ---- */

/* jansson allocations fail once `allocs_left` reaches 0 (when counting is on). */
static long allocs_left = -1;

static void *failing_malloc(size_t n)
{
    if (allocs_left == 0)
        return NULL;
    if (allocs_left > 0)
        allocs_left--;
    return malloc(n);
}

/*
 * Runs read, then group, with jansson's allocations failing after 0, 1, 2, ... successes
 * until each goes through. A failed read keeps nothing (jansson may report an allocation
 * failure inside its lexer as a syntax error, so the code may be either); a failed group is
 * ANBUD_EINTERNAL with an empty set. ASan and valgrind check nothing leaks on the way out.
 */
static void test_out_of_memory(void)
{
    /* clang-format off */
    const char *text = q("{'releases':["
        REL2("o", "1", "2024-01-01", "tender", ",'tender':{'items':[{'id':'1','x':[1,{'y':2}]}]}") ","
        REL2("o", "2", "2024-01-02", "award", ",'tender':{'items':[{'id':'1','x':null},{'id':'2'}]},"
             "'awards':[{'id':'a','value':{'amount':5,'currency':'NOK'}}]") ","
        REL2("p", "3", "2024-01-03", "planning", ",'title':'t'") "]}");
    /* clang-format on */
    ocds_batch b = {0};
    ocds_set set = {0};
    anbud_err err;
    int read_failures = 0, group_failures = 0, rc = -1, bad = 0, first_rc = 0;
    anbud_err first = {0};
    json_set_alloc_funcs(failing_malloc, free);
    for (long limit = 0; rc != ANBUD_OK && !bad && limit < 100000; limit++) {
        allocs_left = limit;
        rc = ocds_read(&b, "p.json", text, strlen(text), &err);
        allocs_left = -1;
        if (limit == 0) { /* jansson cannot even start: no position to report */
            first_rc = rc;
            first = err;
        }
        read_failures += rc != ANBUD_OK;
        bad = rc != ANBUD_OK && (b.n != 0 || (rc != ANBUD_EINTERNAL && rc != ANBUD_EINPUT));
    }
    for (long limit = 0; rc == ANBUD_OK && !bad && limit < 100000; limit++) {
        allocs_left = limit;
        int grc = ocds_group(&b, &set, &err);
        allocs_left = -1;
        if (grc == ANBUD_OK)
            break;
        group_failures++;
        bad = grc != ANBUD_EINTERNAL || set.n != 0 || set.items != NULL;
    }
    json_set_alloc_funcs(malloc, free);
    if (bad)
        fprintf(stderr, "  %s\n", err.msg);
    CHECK(!bad);
    CHECK_INT(first_rc, ANBUD_EINTERNAL);
    CHECK_STR(first.msg, "p.json: out of memory parsing JSON");
    CHECK_INT(rc, ANBUD_OK);
    CHECK_INT(b.n, 3);
    CHECK_INT(set.n, 2);
    CHECK_INT(set.items[0].stage, STAGE_AWARD);
    CHECK(read_failures > 10 && group_failures > 10); /* the failures came from all the work */
    ocds_set_free(&set);
    ocds_batch_free(&b);
}

/* ---- readings ---- */

static void test_value(void)
{
    json_t *with = js("{'tender':{'value':{'amount':1300000.5,'currency':'NOK'}}}");
    json_t *without = js("{'tender':{'value':{'currency':'NOK'}}}");
    double amount = -1;
    CHECK_INT(ocds_value(with, &amount), 0);
    CHECK(amount == 1300000.5);
    CHECK_INT(ocds_value(without, &amount), -1);
    CHECK_INT(ocds_value(NULL, &amount), -1);
    json_decref(with);
    json_decref(without);
}

static void test_relevant_days(void)
{
    json_t *notices = js("{'tender':{'notices':[{'datePublished':'2024-03-05T10:00:00Z'},"
                         "{'datePublished':'2024-02-20'},{'datePublished':null}],"
                         "'tenderPeriod':{'startDate':'2024-01-01'}}}");
    json_t *period = js("{'tender':{'notices':[],'tenderPeriod':{'startDate':'2024-01-01'}}}");
    json_t *neither = js("{'tender':{}}");
    CHECK_INT(ocds_relevant_days(notices, 5), date_days_from_civil(2024, 2, 20));
    CHECK_INT(ocds_relevant_days(period, 5), date_days_from_civil(2024, 1, 1));
    CHECK_INT(ocds_relevant_days(neither, 5), 5);
    json_decref(notices);
    json_decref(period);
    json_decref(neither);
}

static void test_buyer(void)
{
    json_t *doc = js("{'buyer':{'id':12,'name':'Alver kommune'},'parties':["
                     "{'id':'s','name':'Leverandor'},"
                     "{'id':'12','name':'Alver kommune','identifier':{'scheme':'NO-BRC','id':"
                     "'920290922'},'details':{'municipalityCode':'4631'}}]}");
    char key[64];
    CHECK(doc != NULL);
    const json_t *party = ocds_buyer_party(doc);
    CHECK(party == json_array_get(json_object_get(doc, "parties"), 1));
    CHECK_STR(ocds_buyer_municipality(doc), "4631");
    ocds_buyer_key(doc, key, sizeof key);
    CHECK_STR(key, "NO-BRC:920290922");
    ocds_buyer_key(doc, key, 8);
    CHECK_STR(key, "NO-BRC:");
    json_decref(doc);
}

static void test_buyer_fallbacks(void)
{
    json_t *by_name = js("{'buyer':{'id':'x','name':'Bergen kommune'},'parties':[{'id':'y'}]}");
    json_t *extra_id = js("{'buyer':{'id':'b'},'parties':[{'id':'b','additionalIdentifiers':["
                          "{'scheme':'NO-BRC','id':'964338531'}]}]}");
    json_t *nothing = js("{'parties':[{'id':'b','details':{'municipalityCode':'4601'}}]}");
    char key[64];
    CHECK(ocds_buyer_party(by_name) == NULL);
    CHECK(ocds_buyer_municipality(by_name) == NULL);
    ocds_buyer_key(by_name, key, sizeof key);
    CHECK_STR(key, "name:Bergen kommune");
    ocds_buyer_key(extra_id, key, sizeof key);
    CHECK_STR(key, "NO-BRC:964338531");
    CHECK(ocds_buyer_party(nothing) == NULL);
    ocds_buyer_key(nothing, key, sizeof key);
    CHECK_STR(key, "");
    json_decref(by_name);
    json_decref(extra_id);
    json_decref(nothing);
}

static const test_case tests[] = {
    {"merge_objects_key_by_key", test_merge_objects_key_by_key},
    {"merge_arrays_by_id", test_merge_arrays_by_id},
    {"merge_replaces_other_arrays", test_merge_replaces_other_arrays},
    {"merge_null_removes", test_merge_null_removes},
    {"merge_nested_id_arrays", test_merge_nested_id_arrays},
    {"merge_type_changes_replace", test_merge_type_changes_replace},
    {"merge_deep_copies", test_merge_deep_copies},
    {"merge_rejects_non_objects", test_merge_rejects_non_objects},
    {"id_equal", test_id_equal},
    {"group_orders_and_merges", test_group_orders_and_merges},
    {"group_ties_keep_input_order", test_group_ties_keep_input_order},
    {"group_refuses_backward_move", test_group_refuses_backward_move},
    {"group_forward_and_closed", test_group_forward_and_closed},
    {"group_compiled_release_alone", test_group_compiled_release_alone},
    {"apply_one_at_a_time", test_apply_one_at_a_time},
    {"group_empty_batch", test_group_empty_batch},
    {"out_of_memory", test_out_of_memory},
    {"value", test_value},
    {"relevant_days", test_relevant_days},
    {"buyer", test_buyer},
    {"buyer_fallbacks", test_buyer_fallbacks},
};

TEST_MAIN(tests)
