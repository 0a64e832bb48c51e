/*
 * serve_main: anbud-serve, the program behind `anbud serve` (cli_serve.c executes it with
 * the arguments after "serve"): the options, then service_run. The only program that
 * links libuv and libh2o.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "service.h"

typedef struct serve_opts {
    const char *listen, *max_body;
} serve_opts;

static int on_serve_option(const char *name, const char *value, void *arg)
{
    serve_opts *so = arg;
    if (strcmp(name, "--listen") == 0)
        so->listen = value;
    else if (strcmp(name, "--max-body") == 0)
        so->max_body = value;
    return 0;
}

static const char SERVE_HELP[] =
    "usage: anbud serve [--listen HOST:PORT] [--db PATH] [--rules DIR] [--ruleset ID]\n"
    "                   [--now DATE] [--max-body BYTES]\n"
    "\n"
    "Runs the service (default --listen " SERVICE_DEFAULT_LISTEN "): other systems POST releases\n"
    "to /v1/releases; each is stored before the answer 202 and evaluated at once after; the\n"
    "verdicts are in the store and at /v1/processes. Every /v1 request needs\n"
    "'Authorization: Bearer TOKEN' (anbud token create). /healthz and /metrics need none.\n"
    "A rule set whose files change is reloaded (SIGHUP reloads too); one that does not load\n"
    "leaves the sets in force, and /v1/rulesets/ID says why. Timed re-checks run on their\n"
    "day. SIGTERM or SIGINT: stop accepting, evaluate what is stored, exit 0. One log line per\n"
    "request and per evaluation batch goes to stderr.\n"
    "\n"
    "--now DATE      fix the day the rules and re-checks see as today (for tests);\n"
    "                without it, today is the real date (UTC) and re-checks run on their day\n"
    "--max-body N    largest request body in bytes (default 16 MiB); larger answers 413\n"
    "\n"
    "exit status: 0 stopped by a signal, 2 bad usage or a store, rule sets or address that\n"
    "cannot be used, 3 internal error.\n";

static const char *const SERVE_OPTS[] = {"--listen", "--max-body", NULL};

static int serve(int argc, char **argv)
{
    cli_opts o;
    serve_opts so = {0};
    int status = cli_parse(argc, argv, &o, SERVE_OPTS, on_serve_option, &so);
    if (status)
        return status;
    if (o.help || o.n_args) {
        fputs(SERVE_HELP, o.help ? stdout : stderr);
        cli_opts_free(&o);
        return o.help ? EXIT_CLEAN : EXIT_USAGE;
    }
    size_t max_body = SERVICE_DEFAULT_MAX_BODY;
    if (so.max_body) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(so.max_body, &end, 10);
        if (errno || *end || end == so.max_body || v < 1 || v > ((size_t)1 << 30)) {
            fprintf(stderr, "anbud serve: --max-body must be a number of bytes, 1 to 1 GiB\n");
            cli_opts_free(&o);
            return EXIT_USAGE;
        }
        max_body = (size_t)v;
    }
    int fixed_day = 0; /* was --now given? */
    for (int i = 0; i < argc; i++)
        fixed_day |= strcmp(argv[i], "--now") == 0 || strncmp(argv[i], "--now=", 6) == 0;
    service_options opt = {so.listen ? so.listen : SERVICE_DEFAULT_LISTEN,
                           o.db,
                           o.rules_dir,
                           o.lua_dir,
                           o.ruleset,
                           o.now_days,
                           fixed_day,
                           max_body,
                           stderr};
    anbud_err err;
    int rc = service_run(&opt, &err);
    if (rc)
        fprintf(stderr, "anbud serve: %s\n", err.msg);
    cli_opts_free(&o);
    return cli_status(rc);
}

int main(int argc, char **argv)
{
    return serve(argc - 1, argv + 1);
}
