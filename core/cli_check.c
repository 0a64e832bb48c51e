/*
 * cli_check: `anbud check FILE...`: read every document (all must be valid before any
 * verdict is printed), replay each process stage by stage, print the verdicts.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "report.h"

static const char HELP[] =
    "usage: anbud check [--json] [--now DATE] [--ruleset ID] [--rules DIR] FILE...\n"
    "\n"
    "Evaluates OCDS documents without storing them. FILE is a release, a release package,\n"
    "a record package or JSON Lines of releases; several files form one set, so rules see\n"
    "the other processes of the same buyer. Each process is replayed: its releases merge\n"
    "in date order and each release's stage runs its rules. The rule set is the one\n"
    "serving the buyer's kommunenummer (else the national set `no`), or --ruleset.\n"
    "\n"
    "exit status: 0 no rule gave fail or error, 1 one did, 2 bad usage or input (nothing\n"
    "is evaluated), 3 internal error.\n";

typedef struct check_output {
    int json;
    size_t printed; /* --json: processes written so far */
    int findings;
} check_output;

/* Writes text with `indent` spaces after each newline: a nested value of the document
 * cli_print_json would print, so the streamed output is the same bytes. */
static int put_indented(const char *text, int indent)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (fwrite(line, 1, len, stdout) != len)
            return EXIT_INTERNAL;
        line += len;
        if (nl && *line && printf("%*s", indent, "") < 0)
            return EXIT_INTERNAL;
    }
    return 0;
}

/* Prints one process as it is checked: as text, or (--json) as the next element of
 * {"processes": [...]}, so no process's report is kept after it is printed. */
static int print_process(void *arg, const ocds_process *p, const ruleset *set,
                         const verdict_list *verdicts)
{
    check_output *out = arg;
    out->findings |= report_has_findings(verdicts);
    json_t *pj = report_process_json(p->ocid, ocds_stage_name(p->stage), ruleset_id(set),
                                     verdicts);
    if (!pj)
        return ANBUD_EINTERNAL;
    int rc = 0;
    if (!out->json) {
        cli_print_process(stdout, pj, ruleset_language(set));
    } else {
        char *text = json_dumps(pj, JSON_INDENT(2));
        if (!text || fputs(out->printed ? ",\n    " : "{\n  \"processes\": [\n    ", stdout) < 0 ||
            put_indented(text, 4) != 0)
            rc = ANBUD_EINTERNAL;
        free(text);
        out->printed++;
    }
    json_decref(pj);
    return rc;
}

/* Ends what print_process began (--json). */
static int finish_json(const check_output *out)
{
    const char *end = out->printed ? "\n  ]\n}\n" : "{\n  \"processes\": []\n}\n";
    return fputs(end, stdout) < 0 || fflush(stdout) != 0 ? ANBUD_EINTERNAL : 0;
}

int cmd_check(int argc, char **argv)
{
    cli_opts o;
    int status = cli_parse(argc, argv, &o, NULL, NULL, NULL);
    if (status || o.help || o.n_args == 0) {
        if (!status && o.help)
            fputs(HELP, stdout);
        else if (!status) {
            fputs("anbud check: name at least one FILE\n", stderr);
            status = EXIT_USAGE;
        }
        cli_opts_free(&o);
        return status;
    }
    ocds_batch batch = {0};
    ocds_set set = {0};
    check_output out = {o.json, 0, 0};
    anbud_err err = {0};
    engine *e = NULL;
    int rc = 0;
    for (int i = 0; i < o.n_args && !rc; i++)
        rc = ocds_read_file(&batch, o.args[i], &err);
    if (!rc)
        rc = ocds_group(&batch, &set, &err);
    if (!rc && !(e = cli_engine(&o, &status)))
        rc = -1; /* cli_engine has said why */
    if (!rc)
        rc = check_processes(e, &set, o.ruleset, o.now_days, print_process, &out, &err);
    if (rc == ANBUD_EINTERNAL && !err.msg[0])
        err_set(&err, ANBUD_EINTERNAL, "writing the output failed");
    if (!rc && o.json && finish_json(&out) != 0)
        rc = err_set(&err, ANBUD_EINTERNAL, "writing the output failed");
    if (rc > 0 || rc < -1) {
        fprintf(stderr, "anbud: %s\n", err.msg);
        status = cli_status(rc);
    } else if (!rc) {
        status = out.findings ? EXIT_FINDINGS : EXIT_CLEAN;
    }
    engine_free(e);
    ocds_set_free(&set);
    ocds_batch_free(&batch);
    cli_opts_free(&o);
    return status;
}
