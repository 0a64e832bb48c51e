/*
 * fuzz_common: what the libFuzzer targets share: a temporary folder made once per process
 * and removed at exit, writing a file whole, and the small rule-set scaffolding the rule
 * and binding targets load. Static, so each target compiles its own copy.
 */
#ifndef ANBUD_FUZZ_COMMON_H
#define ANBUD_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char fuzz_tmp[256];

__attribute__((unused)) static void fuzz_rm_tmp(void)
{
    if (fuzz_tmp[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "fuzz: could not remove %s\n", fuzz_tmp);
    }
}

/* The process's temporary folder ($TMPDIR or /tmp), made on first use. */
__attribute__((unused)) static const char *fuzz_tmpdir(void)
{
    if (fuzz_tmp[0])
        return fuzz_tmp;
    const char *base = getenv("TMPDIR");
    snprintf(fuzz_tmp, sizeof fuzz_tmp, "%s/anbud-fuzz-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(fuzz_tmp)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fuzz_rm_tmp);
    return fuzz_tmp;
}

/* Writes n bytes to path, replacing it; aborts when it cannot (the harness is broken). */
__attribute__((unused)) static void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

__attribute__((unused)) static void fuzz_mkdir(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    if (system(cmd) != 0)
        abort();
}

/* Small budgets keep each execution fast; a rule that spends them is `error`, as always. */
#define FUZZ_LIMITS                                                                                \
    {                                                                                              \
        200000, (size_t)16 << 20, 500                                                              \
    }

#endif
