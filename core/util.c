/*
 * util: error messages that travel with return codes, the growable string buffer,
 * calendar arithmetic and ISO 8601 parsing, the organisation-number and kommunenummer
 * checks, and whole-file reading. Knows only libc; never prints.
 */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- errors ------------------------------------------------------------------------ */

int err_set(anbud_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void err_prefix(anbud_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);

    char joined[sizeof err->msg];
    if (snprintf(joined, sizeof joined, "%s: %s", prefix, err->msg) < 0)
        return; /* an encoding error: keep the message as it was */
    memcpy(err->msg, joined, sizeof err->msg);
}

/* ---- string buffer ----------------------------------------------------------------- */

/* Makes room for `extra` more bytes plus the NUL. Returns 0, or -1 leaving b unchanged. */
static int sbuf_reserve(sbuf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *data = realloc(b->data, cap);
    if (!data)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

int sbuf_add(sbuf *b, const char *s, size_t n)
{
    if (sbuf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sbuf_adds(sbuf *b, const char *s)
{
    return sbuf_add(b, s, strlen(s));
}

int sbuf_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sbuf_reserve(b, (size_t)n) != 0) {
        va_end(again);
        return -1;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
    return 0;
}

void sbuf_free(sbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- calendar ---------------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Days before the first of month m (1..12) in a common year. */
static const int days_before_month[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

/* Leap years among the years 1 .. y-1 (a negative count for years before 1). */
static int64_t leaps_before(int64_t y)
{
    return floor_div(y - 1, 4) - floor_div(y - 1, 100) + floor_div(y - 1, 400);
}

/* Day number of January 1st of year y. */
static int64_t days_from_year(int64_t y)
{
    return 365 * (y - 1970) + leaps_before(y) - leaps_before(1970);
}

int64_t date_days_from_civil(int y, int m, int d)
{
    int64_t days = days_from_year(y) + days_before_month[m - 1] + d - 1;
    return m > 2 && is_leap(y) ? days + 1 : days;
}

void date_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    /* 146097 days make 400 Gregorian years: estimate, then correct by at most a year.
       (Split so that days * 400 cannot overflow.) */
    int64_t cycles = floor_div(days, 146097), rest_of_cycle = days - cycles * 146097;
    int64_t year = 1970 + cycles * 400 + rest_of_cycle * 400 / 146097;
    while (days_from_year(year) > days)
        year--;
    while (days_from_year(year + 1) <= days)
        year++;
    int64_t rest = days - days_from_year(year); /* 0 .. 365 */
    int month = 1;
    while (rest >= days_in_month(year, month)) {
        rest -= days_in_month(year, month);
        month++;
    }
    *y = (int)year;
    *m = month;
    *d = (int)rest + 1;
}

/* Reads exactly n ASCII digits at *p into *out and advances *p. Returns 0 or -1. */
static int take_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* Consumes the character c at *p. Returns 0, or -1 when another character is there. */
static int take_char(const char **p, char c)
{
    if (**p != c)
        return -1;
    (*p)++;
    return 0;
}

/*
 * Grammar: YYYY-MM-DD [ T hh:mm:ss [.fraction] [ Z | (+|-)hh:mm ] ]. Leap seconds (ss = 60)
 * and hour 24 are refused; a time without a zone is read as UTC.
 */
int date_parse(const char *s, int64_t *days, int64_t *secs)
{
    if (!s)
        return -1;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, offset = 0;
    if (take_digits(&p, 4, &y) || take_char(&p, '-') || take_digits(&p, 2, &mo) ||
        take_char(&p, '-') || take_digits(&p, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    if (*p == 'T') {
        p++;
        if (take_digits(&p, 2, &h) || take_char(&p, ':') || take_digits(&p, 2, &mi) ||
            take_char(&p, ':') || take_digits(&p, 2, &sec))
            return -1;
        if (h > 23 || mi > 59 || sec > 59)
            return -1;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om;
            p++;
            if (take_digits(&p, 2, &oh) || take_char(&p, ':') || take_digits(&p, 2, &om))
                return -1;
            if (oh > 23 || om > 59)
                return -1;
            offset = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0')
        return -1;
    int64_t day = date_days_from_civil(y, mo, d);
    if (days)
        *days = day;
    if (secs)
        *secs = day * 86400 + h * 3600 + mi * 60 + sec - offset;
    return 0;
}

void date_format(int64_t days, char out[11])
{
    int y, m, d;
    date_civil_from_days(days, &y, &m, &d);
    /* Written digit by digit: years outside 0..9999 keep their last four digits. */
    int64_t yy = y < 0 ? -(int64_t)y : y;
    out[0] = (char)('0' + yy / 1000 % 10);
    out[1] = (char)('0' + yy / 100 % 10);
    out[2] = (char)('0' + yy / 10 % 10);
    out[3] = (char)('0' + yy % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int64_t date_today(void)
{
    time_t now = time(NULL);
    return floor_div((int64_t)now, 86400);
}

/* ---- Norwegian numbers ------------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
    if (!s || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int orgnr_valid(const char *s)
{
    static const int weight[8] = {3, 2, 7, 6, 5, 4, 3, 2};
    if (!all_digits(s, 9))
        return 0;
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (s[i] - '0') * weight[i];
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    return check != 10 && check == s[8] - '0';
}

int kommunenr_valid(const char *s)
{
    return all_digits(s, 4);
}

/* ---- files ------------------------------------------------------------------------- */

int file_error(anbud_err *err, const char *path, int errnum)
{
    char why[128];
    if (strerror_r(errnum, why, sizeof why) != 0)
        snprintf(why, sizeof why, "error %d", errnum);
    return err_set(err, ANBUD_EINPUT, "%s: %s", path, why);
}

/* Reads in chunks rather than trusting a size, so pipes and /dev/stdin work too. */
int file_read(const char *path, char **out, size_t *len, anbud_err *err)
{
    *out = NULL;
    if (len)
        *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return file_error(err, path, errno);

    sbuf text = {0};
    char chunk[16384];
    for (;;) {
        size_t got = fread(chunk, 1, sizeof chunk, f);
        if (got && sbuf_add(&text, chunk, got) != 0) {
            fclose(f);
            sbuf_free(&text);
            return err_set(err, ANBUD_EINTERNAL, "%s: out of memory reading the file", path);
        }
        if (got < sizeof chunk)
            break;
    }
    if (ferror(f)) {
        int errnum = errno ? errno : EIO;
        fclose(f);
        sbuf_free(&text);
        return file_error(err, path, errnum);
    }
    fclose(f);
    if (sbuf_add(&text, "", 0) != 0) /* an empty file still gets a buffer */
        return err_set(err, ANBUD_EINTERNAL, "%s: out of memory reading the file", path);
    *out = text.data;
    if (len)
        *len = text.len;
    return ANBUD_OK;
}

void *array_grow(void *items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return items;
    size_t grown = *cap ? *cap * 2 : 16;
    if (grown > SIZE_MAX / size)
        return NULL;
    void *p = realloc(items, grown * size);
    if (p)
        *cap = grown;
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

/*
 * FNV-1a over two 64-bit lanes with different offsets, as 32 hex digits. Not a
 * cryptographic hash: it tells whether a release or a rule file changed, and anbud never
 * trusts it alone (a release is also identified by its ocid and id).
 */
void hash_hex(const char *s, size_t n, char out[33])
{
    uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
    for (size_t i = 0; i < n; i++) {
        a = (a ^ (unsigned char)s[i]) * 0x100000001b3ULL;
        b = (b ^ (unsigned char)s[i]) * 0x100000001b3ULL;
        b ^= b >> 29;
    }
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

void time_now_iso(char out[21])
{
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, 21, "1970-01-01T00:00:00Z");
        return;
    }
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned c = s[0], size, value;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        size = 2, value = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        size = 3, value = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        size = 4, value = c & 0x07;
    else
        return 0;
    if (n < size)
        return 0;
    for (unsigned i = 1; i < size; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
        value = (value << 6) | (s[i] & 0x3F);
    }
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) ||
        (size == 3 && value < 0x800) || (size == 4 && value < 0x10000))
        return 0;
    return size;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        uint64_t w;
        if (end - p >= 8 && (memcpy(&w, p, 8), (w & 0x8080808080808080u) == 0)) {
            p += 8;
            continue;
        }
        size_t size = utf8_sequence(p, (size_t)(end - p));
        if (!size)
            return 0;
        p += size;
    }
    return 1;
}
