/*
 * test_util: errors, the string buffer, calendar dates and ISO 8601 parsing, organisation
 * numbers and kommunenummer, file reading.
 */
#include "test.h"
#include "util.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- errors ---- */

static void test_err_set_formats_and_returns_code(void)
{
    anbud_err err = {0};
    CHECK_INT(err_set(&err, ANBUD_EINPUT, "%s: line %d", "a.json", 3), ANBUD_EINPUT);
    CHECK_STR(err.msg, "a.json: line 3");
}

static void test_err_set_accepts_null(void)
{
    CHECK_INT(err_set(NULL, ANBUD_EINTERNAL, "dropped %d", 1), ANBUD_EINTERNAL);
}

static void test_err_set_truncates_long_message(void)
{
    anbud_err err;
    char long_text[3000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    err_set(&err, ANBUD_EINPUT, "%s", long_text);
    CHECK_INT(strlen(err.msg), sizeof err.msg - 1);
}

static void test_err_prefix(void)
{
    anbud_err err;
    err_set(&err, ANBUD_EINPUT, "line 3: bad");
    err_prefix(&err, "%s", "rules/no/x.lua");
    CHECK_STR(err.msg, "rules/no/x.lua: line 3: bad");
    err_prefix(NULL, "ignored");
}

static void test_err_prefix_keeps_within_buffer(void)
{
    anbud_err err;
    char long_text[1100];
    memset(long_text, 'p', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    err_set(&err, ANBUD_EINPUT, "tail");
    err_prefix(&err, "%s", long_text);
    CHECK_INT(strlen(err.msg), sizeof err.msg - 1);
    CHECK(err.msg[0] == 'p');
}

/* ---- string buffer ---- */

static void test_sbuf_add_and_grow(void)
{
    sbuf b = {0};
    for (int i = 0; i < 1000; i++)
        CHECK_INT(sbuf_add(&b, "abc", 3), 0);
    CHECK_INT(b.len, 3000);
    CHECK(b.cap > b.len);
    CHECK_INT(b.data[3000], '\0');
    CHECK(memcmp(b.data + 2997, "abc", 3) == 0);
    sbuf_free(&b);
    CHECK(b.data == NULL);
    CHECK_INT(b.len, 0);
    CHECK_INT(b.cap, 0);
}

static void test_sbuf_empty_add_gives_string(void)
{
    sbuf b = {0};
    CHECK_INT(sbuf_adds(&b, ""), 0);
    CHECK_STR(b.data, "");
    CHECK_INT(b.len, 0);
    sbuf_free(&b);
}

static void test_sbuf_binary_bytes(void)
{
    sbuf b = {0};
    CHECK_INT(sbuf_add(&b, "a\0b", 3), 0);
    CHECK_INT(b.len, 3);
    CHECK(b.data[1] == '\0' && b.data[2] == 'b' && b.data[3] == '\0');
    sbuf_free(&b);
}

static void test_sbuf_printf(void)
{
    sbuf b = {0};
    CHECK_INT(sbuf_adds(&b, "x="), 0);
    CHECK_INT(sbuf_printf(&b, "%d;%s", 42, "ok"), 0);
    CHECK_STR(b.data, "x=42;ok");
    CHECK_INT(b.len, 7);
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(sbuf_printf(&b, "[%s]", big), 0);
    CHECK_INT(b.len, 7 + 2 + 4999);
    CHECK_INT(b.data[b.len - 1], ']');
    sbuf_free(&b);
}

/* ---- calendar ---- */

static void test_days_from_civil_known_values(void)
{
    CHECK_INT(date_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(date_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(date_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(date_days_from_civil(2024, 2, 29), 19782);
    CHECK_INT(date_days_from_civil(1900, 3, 1), -25508);
    CHECK_INT(date_days_from_civil(1, 1, 1), -719162);
    CHECK_INT(date_days_from_civil(9999, 12, 31), 2932896);
}

static void test_civil_from_days_round_trip(void)
{
    /* every day from year 1 to 9999, checked against the forward function */
    int y0, m0, d0;
    date_civil_from_days(-719162, &y0, &m0, &d0);
    CHECK(y0 == 1 && m0 == 1 && d0 == 1);
    for (int64_t days = -719162; days <= 2932896; days++) {
        int y, m, d;
        date_civil_from_days(days, &y, &m, &d);
        if (date_days_from_civil(y, m, d) != days || d < 1 || d > 31 || m < 1 || m > 12) {
            fprintf(stderr, "  day %lld -> %d-%d-%d\n", (long long)days, y, m, d);
            CHECK(0);
        }
        /* consecutive days are consecutive dates */
        int next = (y == y0 && m == m0 && d == d0 + 1) || (y == y0 && m == m0 + 1 && d == 1) ||
                   (y == y0 + 1 && m == 1 && d == 1 && m0 == 12 && d0 == 31);
        if (!next && days != -719162) {
            fprintf(stderr, "  day %lld jumps from %d-%d-%d to %d-%d-%d\n", (long long)days, y0, m0,
                    d0, y, m, d);
            CHECK(0);
        }
        y0 = y, m0 = m, d0 = d;
    }
}

static void test_date_parse_date_only(void)
{
    int64_t days = -1, secs = -1;
    CHECK_INT(date_parse("2024-03-01", &days, &secs), 0);
    CHECK_INT(days, date_days_from_civil(2024, 3, 1));
    CHECK_INT(secs, days * 86400);
}

static void test_date_parse_utc_time(void)
{
    int64_t days, secs;
    CHECK_INT(date_parse("2024-03-01T12:34:56Z", &days, &secs), 0);
    CHECK_INT(days, 19783);
    CHECK_INT(secs, 19783LL * 86400 + 12 * 3600 + 34 * 60 + 56);
}

static void test_date_parse_fraction_and_no_zone(void)
{
    int64_t secs_a, secs_b, days;
    CHECK_INT(date_parse("2024-03-01T00:00:01.123456Z", &days, &secs_a), 0);
    CHECK_INT(date_parse("2024-03-01T00:00:01", NULL, &secs_b), 0);
    CHECK_INT(secs_a, secs_b);
    CHECK_INT(secs_a, 19783LL * 86400 + 1);
    CHECK_INT(date_parse("2024-03-01T00:00:01.", NULL, NULL), -1);
}

static void test_date_parse_offsets(void)
{
    int64_t days, secs;
    /* Midnight in Oslo in winter is 23:00 UTC the day before; the day stays as written. */
    CHECK_INT(date_parse("2024-03-01T00:00:00+01:00", &days, &secs), 0);
    CHECK_INT(days, 19783);
    CHECK_INT(secs, 19783LL * 86400 - 3600);
    CHECK_INT(date_parse("2024-03-01T20:00:00-05:30", &days, &secs), 0);
    CHECK_INT(days, 19783);
    CHECK_INT(secs, 19783LL * 86400 + 20 * 3600 + 5 * 3600 + 30 * 60);
    CHECK_INT(date_parse("2024-03-01T20:00:00+24:00", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-03-01T20:00:00+0100", NULL, NULL), -1);
}

static void test_date_parse_leap_days(void)
{
    CHECK_INT(date_parse("2024-02-29", NULL, NULL), 0);
    CHECK_INT(date_parse("2000-02-29", NULL, NULL), 0);
    CHECK_INT(date_parse("2023-02-29", NULL, NULL), -1);
    CHECK_INT(date_parse("1900-02-29", NULL, NULL), -1);
    CHECK_INT(date_parse("2100-02-29T10:00:00Z", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-02-30", NULL, NULL), -1);
}

static void test_date_parse_rejects_bad_fields(void)
{
    CHECK_INT(date_parse("2024-13-01", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-00-10", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-04-31", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-01-00", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-01-32", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-01-01T25:00:00Z", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-01-01T24:00:00Z", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-01-01T10:60:00Z", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-01-01T10:00:60Z", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-01-01T23:59:59Z", NULL, NULL), 0);
}

static void test_date_parse_rejects_bad_shape(void)
{
    CHECK_INT(date_parse("2024-03-01x", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-03-01T12:00:00Zjunk", NULL, NULL), -1);
    CHECK_INT(date_parse(" 2024-03-01", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-3-1", NULL, NULL), -1);
    CHECK_INT(date_parse("24-03-01", NULL, NULL), -1);
    CHECK_INT(date_parse("2024/03/01", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-03-01T12:00Z", NULL, NULL), -1);
    CHECK_INT(date_parse("2024-03-01 12:00:00Z", NULL, NULL), -1);
    CHECK_INT(date_parse("", NULL, NULL), -1);
    CHECK_INT(date_parse(NULL, NULL, NULL), -1);
}

static void test_date_parse_failure_leaves_outputs(void)
{
    int64_t days = 7, secs = 8;
    CHECK_INT(date_parse("2023-02-29", &days, &secs), -1);
    CHECK_INT(days, 7);
    CHECK_INT(secs, 8);
}

static void test_date_format(void)
{
    char out[11];
    date_format(0, out);
    CHECK_STR(out, "1970-01-01");
    date_format(19782, out);
    CHECK_STR(out, "2024-02-29");
    date_format(-1, out);
    CHECK_STR(out, "1969-12-31");
    date_format(date_days_from_civil(987, 6, 5), out);
    CHECK_STR(out, "0987-06-05");
}

static void test_date_today(void)
{
    int64_t now_days = (int64_t)time(NULL) / 86400;
    int64_t today = date_today();
    CHECK(today == now_days || today == now_days + 1); /* midnight may pass between calls */
    CHECK(today > date_days_from_civil(2024, 1, 1));
}

/* ---- Norwegian numbers ---- */

static void test_orgnr_valid_examples(void)
{
    CHECK(orgnr_valid("974760673")); /* Brønnøysundregistrene */
    CHECK(orgnr_valid("964338531")); /* Bergen kommune */
    CHECK(orgnr_valid("938644500")); /* check digit 0 */
    CHECK(orgnr_valid("910000020")); /* 11 - (sum mod 11) == 11 gives check digit 0 */
}

static void test_orgnr_wrong_check_digit(void)
{
    CHECK(!orgnr_valid("974760674"));
    CHECK(!orgnr_valid("964338530"));
    CHECK(!orgnr_valid("910000021"));
    /* 91000008x: 11 - (sum mod 11) == 10, so no check digit makes it valid */
    for (char c = '0'; c <= '9'; c++) {
        char s[10] = "91000008?";
        s[8] = c;
        CHECK(!orgnr_valid(s));
    }
}

static void test_orgnr_wrong_shape(void)
{
    CHECK(!orgnr_valid("97476067"));
    CHECK(!orgnr_valid("9747606730"));
    CHECK(!orgnr_valid("974 760 673"));
    CHECK(!orgnr_valid("97476067a"));
    CHECK(!orgnr_valid(" 974760673"));
    CHECK(!orgnr_valid(""));
    CHECK(!orgnr_valid(NULL));
}

static void test_kommunenr_valid(void)
{
    CHECK(kommunenr_valid("4601"));
    CHECK(kommunenr_valid("0301"));
    CHECK(!kommunenr_valid("460"));
    CHECK(!kommunenr_valid("46011"));
    CHECK(!kommunenr_valid("46a1"));
    CHECK(!kommunenr_valid(""));
    CHECK(!kommunenr_valid(NULL));
}

/* ---- files ---- */

/* Writes n bytes to a new temporary file; its path goes into path (size 64). */
static int write_temp(char *path, const char *bytes, size_t n)
{
    strcpy(path, "/tmp/anbud_test_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, bytes, n);
    close(fd);
    return w == (ssize_t)n ? 0 : -1;
}

static void test_file_read_contents(void)
{
    char path[64], *text = NULL;
    size_t len = 0;
    anbud_err err;
    CHECK_INT(write_temp(path, "{\"a\":\0 1}\n", 10), 0);
    int rc = file_read(path, &text, &len, &err);
    unlink(path);
    CHECK_INT(rc, ANBUD_OK);
    CHECK_INT(len, 10);
    CHECK(memcmp(text, "{\"a\":\0 1}\n", 10) == 0);
    CHECK_INT(text[10], '\0');
    free(text);
}

static void test_file_read_large(void)
{
    char path[64], *text = NULL;
    size_t len = 0, n = 100000;
    anbud_err err;
    char *bytes = malloc(n);
    CHECK(bytes != NULL);
    for (size_t i = 0; i < n; i++)
        bytes[i] = (char)('a' + i % 26);
    int wrote = write_temp(path, bytes, n);
    int rc = wrote == 0 ? file_read(path, &text, &len, &err) : -1;
    unlink(path);
    int same = rc == 0 && len == n && memcmp(text, bytes, n) == 0;
    free(bytes);
    free(text);
    CHECK(same);
}

static void test_file_read_empty_file(void)
{
    char path[64], *text = NULL;
    size_t len = 99;
    anbud_err err;
    CHECK_INT(write_temp(path, "", 0), 0);
    int rc = file_read(path, &text, &len, &err);
    unlink(path);
    CHECK_INT(rc, ANBUD_OK);
    CHECK_INT(len, 0);
    CHECK(text != NULL);
    CHECK_STR(text, "");
    free(text);
}

static void test_file_read_missing(void)
{
    char *text = (char *)"unchanged?";
    anbud_err err;
    CHECK_INT(file_read("/nonexistent/anbud.json", &text, NULL, &err), ANBUD_EINPUT);
    CHECK_STR(err.msg, "/nonexistent/anbud.json: No such file or directory");
    CHECK(text == NULL);
}

static void test_file_read_directory(void)
{
    char dir[] = "/tmp/anbud_dir_XXXXXX", *text = NULL;
    anbud_err err;
    CHECK(mkdtemp(dir) != NULL);
    int rc = file_read(dir, &text, NULL, &err);
    rmdir(dir);
    CHECK_INT(rc, ANBUD_EINPUT);
    CHECK(strstr(err.msg, "Is a directory") != NULL);
    CHECK(strncmp(err.msg, dir, strlen(dir)) == 0);
}

static void test_file_read_unreadable(void)
{
    char path[64], *text = NULL;
    anbud_err err;
    CHECK_INT(write_temp(path, "{}", 2), 0);
    chmod(path, 0);
    int rc = file_read(path, &text, NULL, &err);
    int root = geteuid() == 0; /* root reads it anyway */
    unlink(path);
    free(text);
    if (root) {
        CHECK_INT(rc, ANBUD_OK);
        return;
    }
    CHECK_INT(rc, ANBUD_EINPUT);
    CHECK(strstr(err.msg, "Permission denied") != NULL);
}

static void test_xstrdup(void)
{
    const char *s = "kontraktsforvalter";
    char *copy = xstrdup(s);
    CHECK(copy != NULL);
    CHECK(copy != s);
    CHECK_STR(copy, s);
    free(copy);
}

/* utf8_valid: what JSON text may hold, as jansson decides, at every place in a run of
 * ASCII (the eight-byte skip) and at the end. */
static void test_utf8_valid(void)
{
    static const struct {
        const char *s;
        size_t n;
        int ok;
    } cases[] = {
        {"", 0, 1},
        {"plain ASCII text, longer than eight", 35, 1},
        {"bl\xC3\xA5" "b\xC3\xA6r", 9, 1},         /* å, æ */
        {"\xE2\x80\x9Cquoted\xE2\x80\x9D", 12, 1}, /* curly quotes */
        {"\xF0\x9F\x98\x80", 4, 1},                  /* U+1F600 */
        {"a\0b", 3, 1},                                /* NUL is text here */
        {"\xC0\xAF", 2, 0},                            /* overlong '/' */
        {"\xE0\x80\xAF", 3, 0},                        /* overlong, three bytes */
        {"\xED\xA0\x80", 3, 0},                        /* a surrogate */
        {"\xF4\x90\x80\x80", 4, 0},                    /* past U+10FFFF */
        {"abcdefgh\xC3", 9, 0},                        /* cut short after a skipped run */
        {"abcdefghijklmnop\x80", 17, 0},               /* a lone continuation byte */
        {"\xFF", 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_INT(utf8_valid(cases[i].s, cases[i].n), cases[i].ok);
}

static const test_case tests[] = {
    {"err_set_formats_and_returns_code", test_err_set_formats_and_returns_code},
    {"err_set_accepts_null", test_err_set_accepts_null},
    {"err_set_truncates_long_message", test_err_set_truncates_long_message},
    {"err_prefix", test_err_prefix},
    {"err_prefix_keeps_within_buffer", test_err_prefix_keeps_within_buffer},
    {"sbuf_add_and_grow", test_sbuf_add_and_grow},
    {"sbuf_empty_add_gives_string", test_sbuf_empty_add_gives_string},
    {"sbuf_binary_bytes", test_sbuf_binary_bytes},
    {"sbuf_printf", test_sbuf_printf},
    {"days_from_civil_known_values", test_days_from_civil_known_values},
    {"civil_from_days_round_trip", test_civil_from_days_round_trip},
    {"date_parse_date_only", test_date_parse_date_only},
    {"date_parse_utc_time", test_date_parse_utc_time},
    {"date_parse_fraction_and_no_zone", test_date_parse_fraction_and_no_zone},
    {"date_parse_offsets", test_date_parse_offsets},
    {"date_parse_leap_days", test_date_parse_leap_days},
    {"date_parse_rejects_bad_fields", test_date_parse_rejects_bad_fields},
    {"date_parse_rejects_bad_shape", test_date_parse_rejects_bad_shape},
    {"date_parse_failure_leaves_outputs", test_date_parse_failure_leaves_outputs},
    {"date_format", test_date_format},
    {"date_today", test_date_today},
    {"orgnr_valid_examples", test_orgnr_valid_examples},
    {"orgnr_wrong_check_digit", test_orgnr_wrong_check_digit},
    {"orgnr_wrong_shape", test_orgnr_wrong_shape},
    {"kommunenr_valid", test_kommunenr_valid},
    {"file_read_contents", test_file_read_contents},
    {"file_read_large", test_file_read_large},
    {"file_read_empty_file", test_file_read_empty_file},
    {"file_read_missing", test_file_read_missing},
    {"file_read_directory", test_file_read_directory},
    {"file_read_unreadable", test_file_read_unreadable},
    {"xstrdup", test_xstrdup},
    {"utf8_valid", test_utf8_valid},
};

TEST_MAIN(tests)
