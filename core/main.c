/*
 * main: the `anbud` command: dispatch to a command, and help. The options the commands
 * share are parsed in cli_opts.c; `serve` runs the service binary (cli_serve.c).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char USAGE[] =
    "usage: anbud COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Checks Norwegian public procurements (OCDS) against the rules of the law and of each\n"
    "municipality, written in Lua.\n"
    "\n"
    "commands:\n"
    "  check FILE...        evaluate documents without storing them; print the verdicts\n"
    "  import FILE...       store releases, advance stages, record every verdict\n"
    "  advance OCID STAGE   move a stored process; failing gate rules refuse the move\n"
    "  show OCID            a stored process and its latest verdicts\n"
    "  history OCID         every event and verdict of a process, oldest first\n"
    "  list                 stored processes by municipality, stage and outcome\n"
    "  protocol OCID        the procurement protocol (Markdown, HTML or JSON)\n"
    "  rules list           list rule sets after layering, with every rule\n"
    "  rules lint           check that every rule file and manifest loads\n"
    "  rules test [SET...]  run each rule set's own tests (rules/<set>/tests/*.json)\n"
    "  serve                the service: HTTP intake, evaluation, re-checks, reload\n"
    "  token create         an API token for the service (--municipality CODE)\n"
    "\n"
    "options for every command:\n"
    "  --rules DIR     rule sets folder (default: $ANBUD_RULES or the in-tree rules/)\n"
    "  --db PATH       the SQLite store (default: anbud.db)\n"
    "  --ruleset ID    use this rule set instead of the one serving the buyer\n"
    "  --json          machine-readable output\n"
    "  --now DATE      the date rules see as today (YYYY-MM-DD; default: today)\n"
    "  --help          this text, or a command's own with `anbud COMMAND --help`\n"
    "\n"
    "exit status: 0 no rule failed, 1 a rule gave fail or error, 2 bad usage or input,\n"
    "3 internal error.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
    }
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {
        {"check", cmd_check}, {"rules", cmd_rules},     {"import", cmd_import},
        {"advance", cmd_advance}, {"show", cmd_show},   {"history", cmd_history},
        {"list", cmd_list},   {"protocol", cmd_protocol}, {"serve", cmd_serve},
        {"token", cmd_token},
        {"recheck", cmd_recheck},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "anbud: unknown command '%s' (see anbud --help)\n", argv[1]);
    return EXIT_USAGE;
}
