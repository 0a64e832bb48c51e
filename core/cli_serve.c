/*
 * cli_serve: `anbud serve` and `anbud token create`. The service is a program of its own,
 * anbud-serve (core/serve_main.c), next to this one: it alone links libuv and libh2o (and
 * through libh2o OpenSSL), which every other command would otherwise load at start for
 * nothing. `anbud serve ARGS` executes it in place of this process (same pid, so a signal
 * sent to `anbud serve` reaches the service).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"

int cmd_serve(int argc, char **argv)
{
    static const char NAME[] = "anbud-serve";
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self);
    char *slash = NULL;
    if (n > 0 && (size_t)n < sizeof self) {
        self[n] = 0;
        slash = strrchr(self, '/');
    }
    if (!slash || (size_t)(slash - self) + sizeof NAME >= sizeof self) {
        fprintf(stderr, "anbud serve: cannot tell where this program is (/proc/self/exe)\n");
        return EXIT_INTERNAL;
    }
    memcpy(slash + 1, NAME, sizeof NAME);
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args) {
        fprintf(stderr, "anbud: out of memory\n");
        return EXIT_INTERNAL;
    }
    args[0] = self;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    execv(self, args);
    fprintf(stderr, "anbud serve: %s: %s (`make` builds it next to anbud)\n", self,
            strerror(errno));
    free(args);
    return EXIT_INTERNAL;
}

static int on_token_option(const char *name, const char *value, void *arg)
{
    if (strcmp(name, "--municipality") == 0)
        *(const char **)arg = value;
    return 0;
}

static const char TOKEN_HELP[] =
    "usage: anbud token create --municipality CODE [--db PATH]\n"
    "\n"
    "Creates an API token for the service, for one kommunenummer (4631 Alver, 4601 Bergen),\n"
    "and prints it alone on stdout. It is shown this once: the store keeps only a salted\n"
    "SHA-256 of it. A token reads the processes of its municipality (a cooperation host's\n"
    "token also its members') and sends releases of its own municipality's processes.\n";

static const char *const TOKEN_OPTS[] = {"--municipality", NULL};

int cmd_token(int argc, char **argv)
{
    cli_opts o;
    const char *municipality = NULL;
    int status = cli_parse(argc, argv, &o, TOKEN_OPTS, on_token_option, &municipality);
    if (status)
        return status;
    if (o.help) {
        fputs(TOKEN_HELP, stdout);
        cli_opts_free(&o);
        return EXIT_CLEAN;
    }
    if (o.n_args != 1 || strcmp(o.args[0], "create") != 0 || !municipality) {
        fputs(TOKEN_HELP, stderr);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    if (!kommunenr_valid(municipality)) {
        fprintf(stderr, "anbud token: --municipality '%s' is not a kommunenummer (4 digits)\n",
                municipality);
        cli_opts_free(&o);
        return EXIT_USAGE;
    }
    anbud_err err;
    store *s = NULL;
    char token[STORE_TOKEN_SIZE];
    int rc = store_open(o.db, &s, &err);
    if (!rc)
        rc = store_token_create(s, municipality, token, &err);
    store_close(s);
    if (rc) {
        fprintf(stderr, "anbud token: %s\n", err.msg);
        cli_opts_free(&o);
        return cli_status(rc);
    }
    status = printf("%s\n", token) < 0 || fflush(stdout) ? EXIT_INTERNAL : EXIT_CLEAN;
    memset(token, 0, sizeof token);
    cli_opts_free(&o);
    return status;
}
