/*
 * test: the unit-test harness. Each tests/unit/test_<module>.c lists its tests in one
 * table; the program runs them all, or only those named on the command line, and ends
 * with the line "N passed, N failed". A test fails at its first failed CHECK.
 */
#ifndef ANBUD_TEST_H
#define ANBUD_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

static int test_failed_now;

#define CHECK(cond)                                                                         \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);      \
            test_failed_now = 1;                                                            \
            return;                                                                         \
        }                                                                                   \
    } while (0)

#define CHECK_STR(a, b)                                                                     \
    do {                                                                                    \
        const char *a_ = (a), *b_ = (b);                                                    \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                            \
            fprintf(stderr, "  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,              \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                \
            test_failed_now = 1;                                                            \
            return;                                                                         \
        }                                                                                   \
    } while (0)

#define CHECK_INT(a, b)                                                                     \
    do {                                                                                    \
        long long a_ = (long long)(a), b_ = (long long)(b);                                 \
        if (a_ != b_) {                                                                     \
            fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, \
                    a_, b_);                                                                \
            test_failed_now = 1;                                                            \
            return;                                                                         \
        }                                                                                   \
    } while (0)

static int test_selected(const char *name, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

static int test_main(const test_case *tests, size_t n, int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!test_selected(tests[i].name, argc, argv))
            continue;
        test_failed_now = 0;
        tests[i].fn();
        if (test_failed_now) {
            printf("FAIL %s\n", tests[i].name);
            failed++;
        } else {
            printf("ok   %s\n", tests[i].name);
            passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define TEST_MAIN(table)                                                                    \
    int main(int argc, char **argv)                                                         \
    {                                                                                       \
        return test_main(table, sizeof(table) / sizeof(table[0]), argc, argv);              \
    }

/* A fresh, absent SQLite path under /tmp for a test (store_open creates the file); the
 * previous one, with its -wal and -shm files, is removed first. */
static inline void test_db_path(char path[64], const char *stem)
{
    if (path[0]) {
        char side[80];
        unlink(path);
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    }
    snprintf(path, 64, "/tmp/anbud-%s-XXXXXX", stem);
    int fd = mkstemp(path);
    if (fd >= 0)
        close(fd);
    unlink(path);
}

#endif
