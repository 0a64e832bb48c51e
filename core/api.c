/*
 * api: the embedding library of include/anbud.h, a thin layer over ocds, engine and check.
 */
#include "anbud.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report.h"

struct anbud {
    engine *engine;
};

const char *anbud_version(void)
{
    return "0.1.0";
}

static int status_of(int code)
{
    return code == ANBUD_EINPUT ? ANBUD_BAD_INPUT : ANBUD_INTERNAL;
}

static void copy_err(char *out, size_t size, const char *msg)
{
    if (out && size)
        snprintf(out, size, "%s", msg);
}

anbud *anbud_open(const char *lua_dir, const char *rules_dir, char *err, size_t err_size)
{
    anbud_err e;
    int code = 0;
    anbud *a = calloc(1, sizeof *a);
    if (!a) {
        copy_err(err, err_size, "out of memory");
        return NULL;
    }
    a->engine = engine_new(lua_dir, rules_dir, NULL, &code, &e);
    if (!a->engine) {
        copy_err(err, err_size, e.msg);
        free(a);
        return NULL;
    }
    return a;
}

void anbud_close(anbud *a)
{
    if (!a)
        return;
    engine_free(a->engine);
    free(a);
}

typedef struct collect {
    json_t *processes;
    int findings;
} collect;

static int collect_process(void *arg, const ocds_process *p, const ruleset *set,
                           const verdict_list *verdicts)
{
    collect *c = arg;
    c->findings |= report_has_findings(verdicts);
    json_t *pj = report_process_json(p->ocid, ocds_stage_name(p->stage), ruleset_id(set),
                                     verdicts);
    return !pj || json_array_append_new(c->processes, pj) ? ANBUD_EINTERNAL : 0;
}

int anbud_check(anbud *a, const char *text, size_t len, const char *today, const char *ruleset_id,
                char **json_out, char *err, size_t err_size)
{
    *json_out = NULL;
    int64_t now = date_today();
    if (today && date_parse(today, &now, NULL) != 0) {
        copy_err(err, err_size, "today: not a date (YYYY-MM-DD)");
        return ANBUD_BAD_INPUT;
    }
    ocds_batch batch = {0};
    ocds_set set = {0};
    collect c = {json_array(), 0};
    anbud_err e;
    int rc = c.processes ? ocds_read(&batch, "input", text, len, &e)
                         : err_set(&e, ANBUD_EINTERNAL, "out of memory");
    if (!rc)
        rc = ocds_group(&batch, &set, &e);
    if (!rc)
        rc = check_processes(a->engine, &set, ruleset_id, now, collect_process, &c, &e);
    if (!rc) {
        json_t *doc = json_pack("{s:O}", "processes", c.processes);
        *json_out = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
        json_decref(doc);
        if (!*json_out)
            rc = err_set(&e, ANBUD_EINTERNAL, "out of memory");
    }
    json_decref(c.processes);
    ocds_set_free(&set);
    ocds_batch_free(&batch);
    if (rc) {
        copy_err(err, err_size, e.msg);
        return status_of(rc);
    }
    return c.findings ? ANBUD_FINDINGS : ANBUD_CLEAN;
}

void anbud_free(void *p)
{
    free(p);
}
