/*
 * cli: the commands of the `anbud` binary. Owns argument parsing, exit statuses
 * (0 no fail or error, 1 a fail or error, 2 bad usage or input, 3 internal error) and
 * every byte printed. Knows every layer below it.
 */
#ifndef ANBUD_CLI_H
#define ANBUD_CLI_H

#include <stdio.h>

#include "engine.h"

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* Options every command understands. */
typedef struct cli_opts {
    const char *rules_dir;
    const char *lua_dir;
    const char *ruleset;
    const char *db;
    int json;
    int help;
    int64_t now_days;
    char **args; /* positional arguments, NULL-terminated */
    int n_args;
} cli_opts;

/*
 * Parses argv (after the command name) into o. Options taking a value accept "--x v" and
 * "--x=v"; `extra` lists further options a command allows (flags end in '!'), whose values
 * are handed to on_extra. Returns 0 or EXIT_USAGE after printing why.
 */
int cli_parse(int argc, char **argv, cli_opts *o, const char *const *extra,
              int (*on_extra)(const char *name, const char *value, void *arg), void *arg);
void cli_opts_free(cli_opts *o);

/* Creates the engine from o, printing why it could not (returns NULL, *status set). */
engine *cli_engine(const cli_opts *o, int *status);

/* Maps an ANBUD_E* code to an exit status. */
int cli_status(int code);

/* Writes one process document ({"ocid","stage","ruleset","results"}) as text. */
void cli_print_process(FILE *f, const json_t *process, const char *language);
/* Prints a JSON document on stdout; EXIT_INTERNAL when writing fails. */
int cli_print_json(const json_t *doc);

int cmd_import(int argc, char **argv);
int cmd_advance(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_protocol(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_recheck(int argc, char **argv);

#endif
