/*
 * report: verdict lists as JSON (SPEC § 6).
 */
#include "report.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

int report_has_findings(const verdict_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].outcome == OUTCOME_FAIL || l->items[i].outcome == OUTCOME_ERROR)
            return 1;
    return 0;
}

/* ---- evidence text back to a tree -------------------------------------------------- */

/*
 * The evidence of a verdict is compact JSON text as jansson writes it (bind_json_text).
 * The report is a tree its callers print (indented), so the text is read back here into
 * a tree that prints as the text reads. Not jansson's json_loads: in 2.14 a failed
 * allocation in the middle of a string makes it read and write past its buffer. Reads
 * only what that text holds: no white space, escapes as jansson writes them.
 */
#define EVIDENCE_MAX_DEPTH 4096 /* more than a document jansson reads can nest, plus evidence */

static json_t *read_value(const char **at, int depth);

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The escape at p (after its backslash, before end) into out; returns the bytes written
 * and moves *p to its last character, or 0 when it is not one jansson writes. */
static size_t read_escape(const char **p, const char *end, char *out)
{
    static const char named[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    for (size_t i = 0; i + 1 < sizeof named; i += 2)
        if (**p == named[i]) {
            out[0] = named[i + 1];
            return 1;
        }
    if (**p != 'u' || end - *p < 5)
        return 0;
    unsigned code = 0;
    for (int i = 1; i <= 4; i++) {
        int d = hex_digit((*p)[i]);
        if (d < 0)
            return 0;
        code = code << 4 | (unsigned)d;
    }
    *p += 4;
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xC0 | code >> 6);
        out[1] = (char)(0x80 | (code & 0x3F));
        return 2;
    }
    if (code >= 0xD800 && code <= 0xDFFF) /* jansson writes no surrogates without flags */
        return 0;
    out[0] = (char)(0xE0 | code >> 12);
    out[1] = (char)(0x80 | (code >> 6 & 0x3F));
    out[2] = (char)(0x80 | (code & 0x3F));
    return 3;
}

/* The string whose opening quote is at *at: its bytes in *bytes and *len (in the text
 * itself when it has no escape, else in *copy, which the caller frees). Moves *at past
 * it. Returns 0, or -1 when it is no such string or memory runs out. */
static int read_string(const char **at, const char **bytes, size_t *len, char **copy)
{
    const char *s = *at + 1, *end = s;
    int escaped = 0;
    for (; *end != '"'; end++) {
        if (*end == '\\') { /* the character after it cannot end the string */
            escaped = 1;
            end++;
        }
        if (!*end)
            return -1;
    }
    *copy = NULL;
    *at = end + 1;
    if (!escaped) {
        *bytes = s;
        *len = (size_t)(end - s);
        return 0;
    }
    char *out = malloc((size_t)(end - s)); /* no escape is shorter than what it stands for */
    if (!out)
        return -1;
    size_t n = 0;
    for (const char *p = s; p < end; p++) {
        if (*p != '\\') {
            out[n++] = *p;
            continue;
        }
        p++;
        size_t k = read_escape(&p, end, out + n);
        if (!k) {
            free(out);
            return -1;
        }
        n += k;
    }
    *bytes = *copy = out;
    *len = n;
    return 0;
}

/* A number as jansson reads one: a real when it has a fraction or an exponent. */
static json_t *read_number(const char **at)
{
    const char *s = *at, *p = s + (*s == '-');
    int real = 0;
    for (; (*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' ||
           *p == '-';
         p++)
        real |= *p == '.' || *p == 'e' || *p == 'E';
    char text[64], *end;
    size_t n = (size_t)(p - s);
    if (n == 0 || n >= sizeof text)
        return NULL;
    memcpy(text, s, n);
    text[n] = '\0';
    *at = p;
    errno = 0;
    if (!real) {
        long long i = strtoll(text, &end, 10);
        return *end || errno ? NULL : json_integer(i);
    }
    char *point = strchr(text, '.'); /* strtod reads the locale's decimal point */
    if (point)
        *point = localeconv()->decimal_point[0];
    double d = strtod(text, &end);
    return *end || errno ? NULL : json_real(d);
}

static json_t *read_list(const char **at, int depth)
{
    json_t *list = json_array();
    if (*++*at == ']') {
        ++*at;
        return list;
    }
    while (list) {
        if (json_array_append_new(list, read_value(at, depth + 1)))
            break;
        if (**at == ']') {
            ++*at;
            return list;
        }
        if (*(*at)++ != ',')
            break;
    }
    json_decref(list);
    return NULL;
}

static json_t *read_object(const char **at, int depth)
{
    json_t *object = json_object();
    if (*++*at == '}') {
        ++*at;
        return object;
    }
    while (object && **at == '"') {
        const char *key;
        size_t len;
        char *copy;
        if (read_string(at, &key, &len, &copy))
            break;
        int rc = *(*at)++ != ':' ||
                 json_object_setn_new(object, key, len, read_value(at, depth + 1));
        free(copy);
        if (rc)
            break;
        if (**at == '}') {
            ++*at;
            return object;
        }
        if (*(*at)++ != ',')
            break;
    }
    json_decref(object);
    return NULL;
}

static json_t *read_value(const char **at, int depth)
{
    static const char *const words[] = {"null", "true", "false"};
    if (depth > EVIDENCE_MAX_DEPTH)
        return NULL;
    switch (**at) {
    case '{':
        return read_object(at, depth);
    case '[':
        return read_list(at, depth);
    case '"': {
        const char *bytes;
        size_t len;
        char *copy;
        if (read_string(at, &bytes, &len, &copy))
            return NULL;
        json_t *v = json_stringn(bytes, len);
        free(copy);
        return v;
    }
    default:
        for (int i = 0; i < 3; i++)
            if (strncmp(*at, words[i], strlen(words[i])) == 0) {
                *at += strlen(words[i]);
                return i == 0 ? json_null() : json_boolean(i == 1);
            }
        return read_number(at);
    }
}

/* The tree of a verdict's evidence text, or NULL (memory ran out). */
static json_t *evidence_json(const char *text)
{
    const char *at = text;
    json_t *v = read_value(&at, 0);
    if (v && *at) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

json_t *report_process_json(const char *ocid, const char *stage, const char *ruleset_id,
                            const verdict_list *l)
{
    json_t *results = json_array();
    json_t *p = json_pack("{s:s, s:s, s:s, s:o}", "ocid", ocid, "stage", stage, "ruleset",
                          ruleset_id, "results", results);
    if (!p)
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const verdict *v = &l->items[i];
        json_t *evidence = v->evidence ? evidence_json(v->evidence) : json_null();
        json_t *r = evidence ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "rule", v->rule,
                                         "stage", ocds_stage_name(v->stage), "outcome",
                                         outcome_name(v->outcome), "severity",
                                         severity_name(v->severity), "message", v->message,
                                         "source", v->source, "evidence", evidence)
                             : NULL;
        json_decref(evidence);
        if (!r || json_array_append_new(results, r)) {
            json_decref(p);
            return NULL;
        }
    }
    return p;
}
