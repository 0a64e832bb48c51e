/*
 * cli_check: `anbud check FILE...`: read every document (all must be valid before any
 * verdict is printed), replay each process stage by stage, print the verdicts.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "memstore.h"

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
    verdict_list verdicts = {0};
    json_t *out = NULL;
    anbud_err err;
    engine *e = NULL;
    for (int i = 0; i < o.n_args && !status; i++) {
        int rc = ocds_read_file(&batch, o.args[i], &err);
        if (rc) {
            fprintf(stderr, "anbud: %s\n", err.msg);
            status = cli_status(rc);
        }
    }
    if (!status) {
        int rc = ocds_group(&batch, &set, &err);
        if (rc) {
            fprintf(stderr, "anbud: %s\n", err.msg);
            status = cli_status(rc);
        }
    }
    if (!status)
        e = cli_engine(&o, &status);
    if (!status && o.json && !(out = json_pack("{s:[]}", "processes")))
        status = EXIT_INTERNAL;
    engine_store store = memstore_over(&set);
    int findings = 0;
    for (size_t i = 0; i < set.n && !status; i++) {
        const ocds_process *p = &set.items[i];
        const ruleset *rs = o.ruleset ? engine_ruleset_by_id(e, o.ruleset)
                                      : engine_ruleset_for_process(e, p->compiled);
        if (!rs) {
            fprintf(stderr, "anbud: %s: no rule set serves the buyer's kommunenummer and there "
                            "is no national set 'no'; name one with --ruleset\n", p->ocid);
            status = EXIT_USAGE;
            break;
        }
        int rc = engine_replay(e, rs, p, o.now_days, &store, &verdicts, &err);
        if (rc) {
            fprintf(stderr, "anbud: %s\n", err.msg);
            status = cli_status(rc);
            break;
        }
        findings |= cli_has_findings(&verdicts);
        if (o.json) {
            json_t *pj = cli_process_json(p->ocid, ocds_stage_name(p->stage), ruleset_id(rs),
                                          &verdicts);
            if (!pj || json_array_append_new(json_object_get(out, "processes"), pj))
                status = EXIT_INTERNAL;
        } else {
            cli_print_verdicts(stdout, p->ocid, ocds_stage_name(p->stage), rs, &verdicts);
        }
        verdict_list_free(&verdicts);
    }
    if (!status && o.json) {
        if (json_dumpf(out, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII * 0) != 0)
            status = EXIT_INTERNAL;
        else
            fputc('\n', stdout);
    }
    if (!status && findings)
        status = EXIT_FINDINGS;
    if (status == EXIT_INTERNAL)
        fprintf(stderr, "anbud: internal error (out of memory or output failed)\n");
    json_decref(out);
    verdict_list_free(&verdicts);
    engine_free(e);
    ocds_set_free(&set);
    ocds_batch_free(&batch);
    cli_opts_free(&o);
    return status;
}
