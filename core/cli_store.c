/*
 * cli_store: the commands over the SQLite store: import, advance, show, history, list and
 * protocol. Each opens the store named by --db (default anbud.db), creating it and
 * migrating its schema as needed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lifecycle.h"
#include "protocol.h"
#include "store.h"

/* Options only some of these commands take. */
typedef struct store_opts {
    const char *release, *reason, *by, *stage, *outcome, *municipality, *format;
    int force;
} store_opts;

static int on_store_option(const char *name, const char *value, void *arg)
{
    store_opts *so = arg;
    if (strcmp(name, "--release") == 0)
        so->release = value;
    else if (strcmp(name, "--reason") == 0)
        so->reason = value;
    else if (strcmp(name, "--by") == 0)
        so->by = value;
    else if (strcmp(name, "--stage") == 0)
        so->stage = value;
    else if (strcmp(name, "--outcome") == 0)
        so->outcome = value;
    else if (strcmp(name, "--municipality") == 0)
        so->municipality = value;
    else if (strcmp(name, "--format") == 0)
        so->format = value;
    else if (strcmp(name, "--force") == 0)
        so->force = 1;
    return 0;
}

/*
 * The start every store command shares: parse, answer --help, check the number of
 * arguments, open the store. Returns -1 to go on, else the exit status.
 */
static int start(int argc, char **argv, const char *help, int min_args, int max_args,
                 const char *const *extra, cli_opts *o, store_opts *so, store **s)
{
    memset(so, 0, sizeof *so);
    *s = NULL;
    int status = cli_parse(argc, argv, o, extra, on_store_option, so);
    if (status)
        return status;
    if (o->help) {
        fputs(help, stdout);
        return EXIT_CLEAN;
    }
    if (o->n_args < min_args || o->n_args > max_args) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    anbud_err err;
    int rc = store_open(o->db, s, &err);
    if (rc) {
        fprintf(stderr, "anbud: %s\n", err.msg);
        return cli_status(rc);
    }
    return -1;
}

static int finish(cli_opts *o, store *s, engine *e, int status)
{
    engine_free(e);
    store_close(s);
    cli_opts_free(o);
    return status;
}

static int fail(int code, const anbud_err *err)
{
    fprintf(stderr, "anbud: %s\n", err->msg);
    return cli_status(code);
}

/* ---- import ------------------------------------------------------------------------ */

static const char IMPORT_HELP[] =
    "usage: anbud import [--db PATH] [--now DATE] [--ruleset ID] [--json] FILE...\n"
    "\n"
    "Stores releases (any input form of `check`), advances each process through its\n"
    "stages in date order, runs the rules of every stage it enters and records the\n"
    "verdicts. Each FILE is all or nothing: a bad release (invalid field, a move back to\n"
    "an earlier stage, an id stored with other content) stores nothing of that file. All\n"
    "files are read and validated before any is stored, and all are stored before any is\n"
    "evaluated, so a rule looking at the buyer's other processes sees every file given,\n"
    "in any order. A JSON Lines file (*.jsonl, *.ndjson) is read one process at a time\n"
    "(its lines are indexed, then each process's lines read again), so memory does not\n"
    "grow with the file; processes are evaluated buyer by buyer, each buyer's in date\n"
    "order. A release already stored is skipped, so importing a file twice adds nothing.\n"
    "One transaction holds the whole import: it survives a crash or a power cut once\n"
    "anbud has returned, and is never kept in half. When no other program has the\n"
    "database open, the import writes through a rollback journal (synchronous=FULL)\n"
    "instead of the WAL, which slows down as it grows; the file is in WAL mode again\n"
    "afterwards; another program that opens it meanwhile (anbud serve) finds it locked.\n"
    "\n"
    "exit status: 0 no new verdict is fail or error, 1 one is, 2 bad input, 3 internal.\n";

int cmd_import(int argc, char **argv)
{
    cli_opts o;
    store_opts so;
    store *s;
    int status = start(argc, argv, IMPORT_HELP, 1, 1 << 20, NULL, &o, &so, &s);
    if (status >= 0)
        return finish(&o, s, NULL, status);
    anbud_err err;
    ocds_source **inputs = calloc((size_t)o.n_args, sizeof *inputs);
    if (!inputs) {
        fputs("anbud: out of memory\n", stderr);
        return finish(&o, s, NULL, EXIT_INTERNAL);
    }
    int rc = 0;
    for (int i = 0; i < o.n_args && !rc; i++)
        rc = ocds_source_open(o.args[i], &inputs[i], &err);
    engine *e = rc ? NULL : cli_engine(&o, &status);
    if (rc)
        status = fail(rc, &err);
    int findings = 0;
    import_stats *st = e ? calloc((size_t)o.n_args, sizeof *st) : NULL;
    size_t imported = 0;
    if (e && !st)
        status = EXIT_INTERNAL;
    if (st) {
        store_bulk(s, 1);
        rc = lifecycle_import_sources(s, e, inputs, (size_t)o.n_args, o.ruleset, o.now_days, st,
                                      &imported, &err);
        if (store_bulk(s, 0) < 0 && !rc)
            rc = err_set(&err, ANBUD_EINTERNAL, "%s: could not switch back to WAL", o.db);
    }
    for (size_t i = 0; st && i < imported; i++) {
        findings |= st[i].findings > 0;
        if (o.json)
            printf("{\"file\": \"%s\", \"releases\": %zu, \"stored\": %zu, \"duplicates\": %zu, "
                   "\"verdicts\": %zu, \"findings\": %zu}\n",
                   o.args[i], st[i].releases, st[i].stored, st[i].duplicates, st[i].verdicts,
                   st[i].findings);
        else
            printf("%s: %zu releases, %zu stored, %zu already stored; %zu verdicts, %zu fail or "
                   "error\n",
                   o.args[i], st[i].releases, st[i].stored, st[i].duplicates, st[i].verdicts,
                   st[i].findings);
    }
    if (st && rc)
        status = fail(rc, &err);
    free(st);
    if (status < 0)
        status = findings ? EXIT_FINDINGS : EXIT_CLEAN;
    for (int i = 0; i < o.n_args; i++)
        ocds_source_close(inputs[i]);
    free(inputs);
    return finish(&o, s, e, status);
}

/* ---- advance ----------------------------------------------------------------------- */

static const char ADVANCE_HELP[] =
    "usage: anbud advance [--db PATH] [--now DATE] [--release FILE]\n"
    "                     [--force --reason TEXT [--by NAME]] OCID STAGE\n"
    "\n"
    "Moves a stored process to STAGE (planning, tender, award, contract, implementation,\n"
    "closed) and runs that stage's rules. With --release, the release (one release of this\n"
    "process, tagged for STAGE) is stored and merged first. When a gate rule of STAGE fails\n"
    "(e.g. the reserved and inclusive assessments before tender), the move is refused and\n"
    "the reasons printed, unless --force --reason TEXT: then it is made, and the reason,\n"
    "who forced it (--by, default $USER) and the failing rules are recorded for history\n"
    "and the protocol. Moving back to an earlier stage is refused.\n"
    "\n"
    "exit status: 0 moved, 1 refused by a gate, 2 bad input, 3 internal.\n";

static const char *const ADVANCE_OPTS[] = {"--release", "--reason", "--by", "--force!", NULL};

int cmd_advance(int argc, char **argv)
{
    cli_opts o;
    store_opts so;
    store *s;
    int status = start(argc, argv, ADVANCE_HELP, 2, 2, ADVANCE_OPTS, &o, &so, &s);
    if (status >= 0)
        return finish(&o, s, NULL, status);
    anbud_err err;
    ocds_stage to = ocds_stage_parse(o.args[1]);
    if (to == STAGE_NONE || so.force != (so.reason != NULL) ||
        (so.reason && !so.reason[strspn(so.reason, " \t\n")])) {
        fprintf(stderr, "anbud advance: %s\n",
                to == STAGE_NONE ? "STAGE must be planning, tender, award, contract, "
                                   "implementation or closed"
                                 : "--force needs --reason TEXT (and --reason needs --force)");
        return finish(&o, s, NULL, EXIT_USAGE);
    }
    ocds_batch release = {0};
    int rc = so.release ? ocds_read_file(&release, so.release, &err) : 0;
    engine *e = rc ? NULL : cli_engine(&o, &status);
    if (rc)
        status = fail(rc, &err);
    if (e) {
        const char *user = getenv("USER");
        advance_request req = {o.args[0], to, so.release ? &release : NULL,
                               so.force ? so.reason : NULL, so.by ? so.by : (user ? user : "unknown"),
                               o.now_days};
        verdict_list refusals = {0};
        rc = lifecycle_advance(s, e, &req, &refusals, &err);
        if (rc < 0) {
            status = fail(rc, &err);
        } else {
            for (size_t i = 0; i < refusals.n; i++)
                printf("%s %s: %s\n  %s\n", rc ? "refused by" : "forced past",
                       refusals.items[i].rule, refusals.items[i].message,
                       refusals.items[i].source);
            printf("%s: %s %s\n", o.args[0], rc ? "stays; not moved to" : "moved to",
                   ocds_stage_name(to));
            status = rc ? EXIT_FINDINGS : EXIT_CLEAN;
        }
        verdict_list_free(&refusals);
    }
    ocds_batch_free(&release);
    return finish(&o, s, e, status);
}

/* ---- show, history, list ----------------------------------------------------------- */

static const char SHOW_HELP[] =
    "usage: anbud show [--db PATH] [--json] OCID\n"
    "\n"
    "The stored process: its stage, rule set and the latest verdict of each rule at each\n"
    "stage (the same shapes as `check`). exit status: 0, 1 when a latest verdict is fail\n"
    "or error, 2 when there is no such process.\n";

int cmd_show(int argc, char **argv)
{
    cli_opts o;
    store_opts so;
    store *s;
    int status = start(argc, argv, SHOW_HELP, 1, 1, NULL, &o, &so, &s);
    if (status >= 0)
        return finish(&o, s, NULL, status);
    anbud_err err;
    json_t *doc = store_show(s, o.args[0], &err);
    if (!doc)
        return finish(&o, s, NULL, fail(err.code, &err));
    json_t *p = json_array_get(json_object_get(doc, "processes"), 0);
    status = EXIT_CLEAN;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(p, "results"), i, r)
    {
        int oc = outcome_parse(json_string_value(json_object_get(r, "outcome")));
        if (oc == OUTCOME_FAIL || oc == OUTCOME_ERROR)
            status = EXIT_FINDINGS;
    }
    if (o.json) {
        if (cli_print_json(doc))
            status = EXIT_INTERNAL;
    } else {
        cli_print_process(stdout, p, NULL);
    }
    json_decref(doc);
    return finish(&o, s, NULL, status);
}

static const char HISTORY_HELP[] =
    "usage: anbud history [--db PATH] [--json] OCID\n"
    "\n"
    "Every event of the process (releases received, moves) and the verdicts each produced,\n"
    "oldest first, then the forced moves with their reasons.\n";

int cmd_history(int argc, char **argv)
{
    cli_opts o;
    store_opts so;
    store *s;
    int status = start(argc, argv, HISTORY_HELP, 1, 1, NULL, &o, &so, &s);
    if (status >= 0)
        return finish(&o, s, NULL, status);
    anbud_err err;
    json_t *doc = store_history(s, o.args[0], &err);
    if (!doc)
        return finish(&o, s, NULL, fail(err.code, &err));
    status = EXIT_CLEAN;
    if (o.json) {
        status = cli_print_json(doc);
    } else {
        size_t i, j;
        json_t *ev, *v;
        printf("%s\n", o.args[0]);
        json_array_foreach(json_object_get(doc, "events"), i, ev)
        {
            printf("#%lld %s %-9s %-14s %s (received %s)\n",
                   (long long)json_integer_value(json_object_get(ev, "id")),
                   json_string_value(json_object_get(ev, "date")),
                   json_string_value(json_object_get(ev, "kind")),
                   json_string_value(json_object_get(ev, "stage")),
                   json_string_value(json_object_get(ev, "release_id")),
                   json_string_value(json_object_get(ev, "received_at")));
            json_array_foreach(json_object_get(ev, "verdicts"), j, v)
            {
                printf("    %-5s %s: %s\n", json_string_value(json_object_get(v, "outcome")),
                       json_string_value(json_object_get(v, "rule")),
                       json_string_value(json_object_get(v, "message")));
            }
        }
        json_array_foreach(json_object_get(doc, "forced_moves"), i, v)
        {
            char *rules = json_dumps(json_object_get(v, "rules"), JSON_COMPACT);
            printf("forced %s -> %s by %s at %s: %s (past %s)\n",
                   json_string_value(json_object_get(v, "from")),
                   json_string_value(json_object_get(v, "to")),
                   json_string_value(json_object_get(v, "by")),
                   json_string_value(json_object_get(v, "at")),
                   json_string_value(json_object_get(v, "reason")), rules ? rules : "?");
            free(rules);
        }
    }
    json_decref(doc);
    return finish(&o, s, NULL, status);
}

static const char LIST_HELP[] =
    "usage: anbud list [--db PATH] [--json] [--municipality CODE] [--stage STAGE]\n"
    "                  [--outcome OUTCOME]\n"
    "\n"
    "The stored processes, by municipality: stage, value and how many latest verdicts have\n"
    "each outcome. --outcome fail lists those with a failing rule.\n";

static const char *const LIST_OPTS[] = {"--municipality", "--stage", "--outcome", NULL};

int cmd_list(int argc, char **argv)
{
    cli_opts o;
    store_opts so;
    store *s;
    int status = start(argc, argv, LIST_HELP, 0, 0, LIST_OPTS, &o, &so, &s);
    if (status >= 0)
        return finish(&o, s, NULL, status);
    if ((so.stage && ocds_stage_parse(so.stage) == STAGE_NONE) ||
        (so.outcome && outcome_parse(so.outcome) < 0) ||
        (so.municipality && !kommunenr_valid(so.municipality))) {
        fputs("anbud list: --stage must name a stage, --outcome an outcome (pass fail warn "
              "info na error), --municipality a kommunenummer\n", stderr);
        return finish(&o, s, NULL, EXIT_USAGE);
    }
    anbud_err err;
    json_t *doc = store_list(s, so.municipality, so.stage, so.outcome, &err);
    if (!doc)
        return finish(&o, s, NULL, fail(err.code, &err));
    status = EXIT_CLEAN;
    if (o.json) {
        status = cli_print_json(doc);
    } else {
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(doc, "processes"), i, p)
        {
            char *outcomes = json_dumps(json_object_get(p, "outcomes"), JSON_COMPACT);
            const json_t *value = json_object_get(p, "value");
            printf("%-4s  %-26s %-14s %14.0f  %s  %s\n",
                   json_string_value(json_object_get(p, "municipality"))
                       ? json_string_value(json_object_get(p, "municipality")) : "-",
                   json_string_value(json_object_get(p, "ocid")),
                   json_string_value(json_object_get(p, "stage")),
                   json_is_number(value) ? json_number_value(value) : 0.0,
                   outcomes ? outcomes : "{}",
                   json_string_value(json_object_get(p, "title"))
                       ? json_string_value(json_object_get(p, "title")) : "");
            free(outcomes);
        }
    }
    json_decref(doc);
    return finish(&o, s, NULL, status);
}

/* ---- protocol ---------------------------------------------------------------------- */

static const char PROTOCOL_HELP[] =
    "usage: anbud protocol [--db PATH] [--format md|html|json] OCID\n"
    "\n"
    "The procurement protocol (FOA § 7-1) in the municipality's Norwegian: the facts, the\n"
    "assessments with their justifications, every rule's latest verdict with its source,\n"
    "and the forced moves with their reasons. Markdown by default; HTML prints on A4.\n";

static const char *const PROTOCOL_OPTS[] = {"--format", NULL};

int cmd_protocol(int argc, char **argv)
{
    cli_opts o;
    store_opts so;
    store *s;
    int status = start(argc, argv, PROTOCOL_HELP, 1, 1, PROTOCOL_OPTS, &o, &so, &s);
    if (status >= 0)
        return finish(&o, s, NULL, status);
    const char *format = so.format ? so.format : (o.json ? "json" : "md");
    if (strcmp(format, "md") && strcmp(format, "html") && strcmp(format, "json")) {
        fprintf(stderr, "anbud protocol: --format must be md, html or json\n");
        return finish(&o, s, NULL, EXIT_USAGE);
    }
    engine *e = cli_engine(&o, &status);
    if (!e)
        return finish(&o, s, NULL, status);
    anbud_err err;
    json_t *doc = store_protocol_doc(s, e, o.args[0], &err);
    sbuf out = {0};
    int rc = doc ? protocol_render(doc, format, &out, &err) : err.code;
    if (rc)
        status = fail(rc, &err);
    else if (fwrite(out.data, 1, out.len, stdout) != out.len)
        status = EXIT_INTERNAL;
    else
        status = EXIT_CLEAN;
    sbuf_free(&out);
    json_decref(doc);
    return finish(&o, s, e, status);
}

/* ---- recheck ----------------------------------------------------------------------- */

static const char RECHECK_HELP[] =
    "usage: anbud recheck [--db PATH] [--rules DIR] [--ruleset ID] [--municipality CODE]\n"
    "                     [--now DATE] [--json]\n"
    "\n"
    "After a rule change: runs the rules of each stored process's current stage again,\n"
    "with the rule sets as they are now on disk, and records the verdicts under a new\n"
    "event of kind \"recheck\" (see `history`). --ruleset ID re-checks only the processes\n"
    "whose set is ID or extends it (a change to `no` reaches every municipality's set);\n"
    "--municipality CODE only the processes of buyers in that kommunenummer. Every rule set\n"
    "the stored processes use must load, else nothing is re-checked. The processes are\n"
    "read and recorded in batches of 2 000, each one transaction; if it stops on an error,\n"
    "the batches before it stay recorded.\n"
    "\n"
    "exit status: 0 no new verdict is fail or error, 1 one is, 2 bad usage or input (an\n"
    "unknown --ruleset, a rule set that does not load), 3 internal.\n";

static const char *const RECHECK_OPTS[] = {"--municipality", NULL};

int cmd_recheck(int argc, char **argv)
{
    cli_opts o;
    store_opts so;
    store *s;
    int status = start(argc, argv, RECHECK_HELP, 0, 0, RECHECK_OPTS, &o, &so, &s);
    if (status >= 0)
        return finish(&o, s, NULL, status);
    if (so.municipality && !kommunenr_valid(so.municipality)) {
        fputs("anbud recheck: --municipality must be a kommunenummer (four digits)\n", stderr);
        return finish(&o, s, NULL, EXIT_USAGE);
    }
    engine *e = cli_engine(&o, &status);
    if (!e)
        return finish(&o, s, NULL, status);
    anbud_err err;
    recheck_request req = {o.ruleset, so.municipality, o.now_days, 0};
    recheck_stats st;
    int rc = lifecycle_recheck(s, e, &req, &st, &err);
    if (rc)
        return finish(&o, s, e, fail(rc, &err));
    if (o.json)
        printf("{\"processes\": %zu, \"verdicts\": %zu, \"findings\": %zu}\n", st.processes,
               st.verdicts, st.findings);
    else
        printf("%zu processes re-checked; %zu verdicts, %zu fail or error\n", st.processes,
               st.verdicts, st.findings);
    return finish(&o, s, e, st.findings ? EXIT_FINDINGS : EXIT_CLEAN);
}
