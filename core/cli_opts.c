/*
 * cli_opts: the options every command shares (--rules, --db, --now ...), their parsing,
 * exit statuses and the engine they describe; used by `anbud` and by `anbud-serve`.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef ANBUD_RULES_DIR
#define ANBUD_RULES_DIR "rules"
#endif
#ifndef ANBUD_LUA_DIR
#define ANBUD_LUA_DIR "lua"
#endif

static int value_option(const char *name)
{
    static const char *const names[] = {"--rules", "--ruleset", "--db", "--now", "--lua", NULL};
    for (const char *const *n = names; *n; n++)
        if (strcmp(name, *n) == 0)
            return 1;
    return 0;
}

/* Looks up name in extra: 1 takes a value, 2 a flag, 0 unknown. */
static int extra_option(const char *const *extra, const char *name, size_t len)
{
    for (; extra && *extra; extra++) {
        size_t n = strlen(*extra);
        int flag = (*extra)[n - 1] == '!';
        if ((flag ? n - 1 : n) == len && strncmp(*extra, name, len) == 0)
            return flag ? 2 : 1;
    }
    return 0;
}

int cli_parse(int argc, char **argv, cli_opts *o, const char *const *extra,
              int (*on_extra)(const char *name, const char *value, void *arg), void *arg)
{
    memset(o, 0, sizeof *o);
    o->rules_dir = getenv("ANBUD_RULES") ? getenv("ANBUD_RULES") : ANBUD_RULES_DIR;
    o->lua_dir = getenv("ANBUD_LUA") ? getenv("ANBUD_LUA") : ANBUD_LUA_DIR;
    o->db = "anbud.db";
    o->now_days = date_today();
    o->args = calloc((size_t)argc + 1, sizeof *o->args);
    if (!o->args) {
        fprintf(stderr, "anbud: out of memory\n");
        return EXIT_INTERNAL;
    }
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
            o->args[o->n_args++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        char name[64];
        if (len >= sizeof name) {
            fprintf(stderr, "anbud: unknown option '%s' (see --help)\n", a);
            return EXIT_USAGE;
        }
        memcpy(name, a, len);
        name[len] = 0;
        if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
            o->help = 1;
            continue;
        }
        if (strcmp(name, "--json") == 0) {
            o->json = 1;
            continue;
        }
        int kind = value_option(name) ? 1 : extra_option(extra, name, len);
        if (kind == 0) {
            fprintf(stderr, "anbud: unknown option '%s' (see --help)\n", name);
            return EXIT_USAGE;
        }
        const char *value = NULL;
        if (kind == 1) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fprintf(stderr, "anbud: option %s needs a value\n", name);
                return EXIT_USAGE;
            }
        }
        if (strcmp(name, "--rules") == 0)
            o->rules_dir = value;
        else if (strcmp(name, "--lua") == 0)
            o->lua_dir = value;
        else if (strcmp(name, "--ruleset") == 0)
            o->ruleset = value;
        else if (strcmp(name, "--db") == 0)
            o->db = value;
        else if (strcmp(name, "--now") == 0) {
            if (date_parse(value, &o->now_days, NULL) != 0) {
                fprintf(stderr, "anbud: --now '%s' is not a date (YYYY-MM-DD)\n", value);
                return EXIT_USAGE;
            }
        } else if (on_extra(name, value, arg) != 0)
            return EXIT_USAGE;
    }
    return 0;
}

void cli_opts_free(cli_opts *o)
{
    free(o->args);
    o->args = NULL;
}

int cli_status(int code)
{
    return code == ANBUD_EINPUT ? EXIT_USAGE : code ? EXIT_INTERNAL : EXIT_CLEAN;
}

engine *cli_engine(const cli_opts *o, int *status)
{
    anbud_err err;
    int code = 0;
    engine *e = engine_new(o->lua_dir, o->rules_dir, NULL, &code, &err);
    if (!e) {
        fprintf(stderr, "anbud: %s\n", err.msg);
        *status = cli_status(code);
        return NULL;
    }
    if (o->ruleset && !engine_ruleset_by_id(e, o->ruleset)) {
        fprintf(stderr, "anbud: --ruleset: no rule set '%s' in %s\n", o->ruleset, o->rules_dir);
        engine_free(e);
        *status = EXIT_USAGE;
        return NULL;
    }
    return e;
}
