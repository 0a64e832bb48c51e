/* Unit tests of the embedding API (include/anbud.h), used as an embedder would. */
#include <string.h>

#include "anbud.h"
#include "test.h"

#define E2E_RULES "tests/e2e/rules"

static const char PASSING[] =
    "{\"ocid\":\"ocds-api\",\"id\":\"r\",\"date\":\"2024-05-01\",\"tag\":[\"planning\"],"
    "\"buyer\":{\"id\":\"b\"},\"parties\":[{\"id\":\"b\",\"details\":{\"municipalityCode\":"
    "\"4631\"}}],\"tender\":{\"id\":\"t\",\"value\":{\"amount\":5,\"currency\":\"NOK\"}}}";

static void open_and_check_a_document(void)
{
    char err[256], *json = NULL;
    anbud *a = anbud_open(ANBUD_LUA_DIR, E2E_RULES, err, sizeof err);
    CHECK(a != NULL);
    int st = anbud_check(a, PASSING, strlen(PASSING), "2024-06-01", NULL, &json, err, sizeof err);
    CHECK_INT(st, ANBUD_CLEAN);
    CHECK(json && strstr(json, "\"ruleset\": \"demo\"") && strstr(json, "base.value-known"));
    anbud_free(json);
    anbud_close(a);
}

static void findings_and_forced_ruleset(void)
{
    char err[256], *json = NULL;
    const char *doc = "{\"ocid\":\"ocds-api2\",\"id\":\"r\",\"date\":\"2024-05-01\","
                      "\"tag\":[\"planning\"],\"tender\":{\"id\":\"t\"}}";
    anbud *a = anbud_open(ANBUD_LUA_DIR, E2E_RULES, err, sizeof err);
    CHECK(a != NULL);
    int st = anbud_check(a, doc, strlen(doc), "2024-06-01", "base", &json, err, sizeof err);
    CHECK_INT(st, ANBUD_FINDINGS);
    CHECK(json && strstr(json, "\"outcome\": \"fail\""));
    anbud_free(json);
    anbud_close(a);
}

static void bad_input_names_the_problem(void)
{
    char err[256], *json = NULL;
    anbud *a = anbud_open(ANBUD_LUA_DIR, E2E_RULES, err, sizeof err);
    CHECK(a != NULL);
    CHECK_INT(anbud_check(a, "{\"ocid\":", 8, NULL, NULL, &json, err, sizeof err),
              ANBUD_BAD_INPUT);
    CHECK(json == NULL);
    CHECK(strstr(err, "input") != NULL);
    CHECK_INT(anbud_check(a, PASSING, strlen(PASSING), "yesterday", NULL, &json, err, sizeof err),
              ANBUD_BAD_INPUT);
    CHECK_INT(anbud_check(a, PASSING, strlen(PASSING), NULL, "missing", &json, err, sizeof err),
              ANBUD_BAD_INPUT);
    CHECK(strstr(err, "missing") != NULL);
    anbud_close(a);
}

static void open_reports_a_missing_folder(void)
{
    char err[256];
    CHECK(anbud_open(ANBUD_LUA_DIR, "/nonexistent/rules", err, sizeof err) == NULL);
    CHECK(strstr(err, "/nonexistent/rules") != NULL);
    CHECK(anbud_open("/nonexistent/lua", E2E_RULES, err, sizeof err) == NULL);
    CHECK_STR(anbud_version(), "0.1.0");
}

static const test_case tests[] = {
    {"open_and_check_a_document", open_and_check_a_document},
    {"findings_and_forced_ruleset", findings_and_forced_ruleset},
    {"bad_input_names_the_problem", bad_input_names_the_problem},
    {"open_reports_a_missing_folder", open_reports_a_missing_folder},
};

TEST_MAIN(tests)
