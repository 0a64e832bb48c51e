/*
 * util: the small things every layer needs and none owns: error messages that travel
 * with return codes, a growable string buffer, calendar dates, Norwegian organisation
 * numbers and municipality numbers. Knows only libc.
 */
#ifndef ANBUD_UTIL_H
#define ANBUD_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Return codes shared by every module. Negative is failure. */
enum {
    ANBUD_OK = 0,
    ANBUD_EINPUT = -2,    /* bad input from a user or another system: exit status 2 */
    ANBUD_EINTERNAL = -3, /* out of memory, I/O, a bug: exit status 3 */
};

/* An error message owned by the caller; functions that fail fill it. */
typedef struct anbud_err {
    int code; /* the ANBUD_E* code err_set was given */
    char msg[1024];
} anbud_err;

/* Sets err->msg from a printf format. Accepts err == NULL (message dropped). Returns code. */
int err_set(anbud_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "prefix: " to the message already in err (used to add a file name). */
void err_prefix(anbud_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable, always NUL-terminated byte string. Zero-initialise before use. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf;

/* Append functions return 0, or -1 when memory runs out (the buffer keeps its old text). */
int sbuf_add(sbuf *b, const char *s, size_t n);
int sbuf_adds(sbuf *b, const char *s);
int sbuf_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_free(sbuf *b);

/* Calendar dates as days since 1970-01-01 (proleptic Gregorian). */
int64_t date_days_from_civil(int y, int m, int d);
void date_civil_from_days(int64_t days, int *y, int *m, int *d);

/*
 * Parses an ISO 8601 date ("2024-03-01") or date-time ("2024-03-01T12:00:00Z",
 * fractional seconds and "+01:00" offsets allowed). The calendar date must exist.
 * On success stores the calendar day as written (no time-zone shift) in *days and the
 * instant in seconds since the epoch (UTC) in *secs; either may be NULL. Returns 0 or -1.
 */
int date_parse(const char *s, int64_t *days, int64_t *secs);

/* Writes "YYYY-MM-DD" (11 bytes with the NUL) for a day number. */
void date_format(int64_t days, char out[11]);

/* Today's date in UTC as a day number. */
int64_t date_today(void);

/* True when s is nine digits whose last is the MOD11 check digit (weights 3 2 7 6 5 4 3 2). */
/* The length of the UTF-8 sequence at s (n > 0 bytes readable) when it is one JSON text
 * may hold (no overlong form, surrogate or code point past U+10FFFF; NUL counts as one
 * byte), else 0. */
size_t utf8_sequence(const unsigned char *s, size_t n);
/* Is s[0, n) UTF-8 as JSON text must be (the check jansson makes)? Runs of ASCII are
 * skipped eight bytes at a time. */
int utf8_valid(const char *s, size_t n);

int orgnr_valid(const char *s);

/* True when s is exactly four ASCII digits (a kommunenummer). */
int kommunenr_valid(const char *s);

/* Reads a whole file into a NUL-terminated heap buffer. Returns 0 or an ANBUD_E* code. */
int file_read(const char *path, char **out, size_t *len, anbud_err *err);
/* The message file_read gives when a file cannot be opened or read (errnum: errno). */
int file_error(anbud_err *err, const char *path, int errnum);

/* A 128-bit content fingerprint of s as 32 hex digits (not cryptographic). */
void hash_hex(const char *s, size_t n, char out[33]);

/* The current time in UTC as "YYYY-MM-DDThh:mm:ssZ". */
void time_now_iso(char out[21]);

/* strdup that reports failure by returning NULL; never called with NULL. */
char *xstrdup(const char *s);

/* Room for one more element of `size` bytes in an array of n used of *cap: items itself
 * when n < *cap, else the array grown (doubling, from 16) with *cap updated; NULL when
 * memory runs out (items then unchanged, still the caller's). */
void *array_grow(void *items, size_t *cap, size_t n, size_t size);

#endif
