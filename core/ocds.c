/*
 * ocds: reading procurement data. Owns the four input forms (release, release package,
 * record package, JSON Lines) and their detection, the batch of releases read, stage
 * names and stage derivation, and the shared readings of a compiled release (value,
 * relevant date, buyer). Validation is in ocds_validate.c, grouping and the OCDS merge
 * in ocds_merge.c. Never prints.
 */
#include "ocds.h"

#include <stdlib.h>
#include <string.h>

/* ---- stages and tags ---------------------------------------------------------------- */

static const char *const stage_names[STAGE_COUNT] = {
    "planning", "tender", "award", "contract", "implementation", "closed",
};

const char *ocds_stage_name(ocds_stage s)
{
    return s >= 0 && s < STAGE_COUNT ? stage_names[s] : "none";
}

ocds_stage ocds_stage_parse(const char *s)
{
    for (int i = 0; s && i < STAGE_COUNT; i++)
        if (strcmp(s, stage_names[i]) == 0)
            return (ocds_stage)i;
    return STAGE_NONE;
}

/* The OCDS release tag codelist, each with the stage it announces (SPEC § 3). */
static const struct {
    const char *tag;
    ocds_stage stage;
} tag_stages[] = {
    {"planning", STAGE_PLANNING},
    {"planningUpdate", STAGE_PLANNING},
    {"tender", STAGE_TENDER},
    {"tenderAmendment", STAGE_TENDER},
    {"tenderUpdate", STAGE_TENDER},
    {"tenderCancellation", STAGE_CLOSED},
    {"award", STAGE_AWARD},
    {"awardUpdate", STAGE_AWARD},
    {"awardCancellation", STAGE_CLOSED},
    {"contract", STAGE_CONTRACT},
    {"contractUpdate", STAGE_CONTRACT},
    {"contractAmendment", STAGE_CONTRACT},
    {"implementation", STAGE_IMPLEMENTATION},
    {"implementationUpdate", STAGE_IMPLEMENTATION},
    {"contractTermination", STAGE_CLOSED},
};

ocds_stage ocds_stage_of_tag(const char *tag)
{
    for (size_t i = 0; tag && i < sizeof tag_stages / sizeof tag_stages[0]; i++)
        if (strcmp(tag, tag_stages[i].tag) == 0)
            return tag_stages[i].stage;
    return STAGE_NONE;
}

ocds_stage ocds_stage_of_tags(const json_t *release)
{
    const json_t *tags = json_object_get(release, "tag");
    ocds_stage furthest = STAGE_NONE;
    for (size_t i = 0; i < json_array_size(tags); i++) {
        ocds_stage s = ocds_stage_of_tag(json_string_value(json_array_get(tags, i)));
        if (s > furthest)
            furthest = s;
    }
    return furthest;
}

static int has_tag(const json_t *release, const char *tag)
{
    const json_t *tags = json_object_get(release, "tag");
    for (size_t i = 0; i < json_array_size(tags); i++) {
        const char *t = json_string_value(json_array_get(tags, i));
        if (t && strcmp(t, tag) == 0)
            return 1;
    }
    return 0;
}

static int str_is(const json_t *v, const char *s)
{
    const char *t = json_string_value(v);
    return t && strcmp(t, s) == 0;
}

ocds_stage ocds_stage_of_compiled(const json_t *compiled)
{
    const json_t *tender = json_object_get(compiled, "tender");
    const json_t *contracts = json_object_get(compiled, "contracts");
    size_t ncontracts = json_array_size(contracts), terminated = 0, implementing = 0;
    for (size_t i = 0; i < ncontracts; i++) {
        const json_t *c = json_array_get(contracts, i);
        terminated += str_is(json_object_get(c, "status"), "terminated");
        implementing += json_is_object(json_object_get(c, "implementation"));
    }
    if (str_is(json_object_get(tender, "status"), "cancelled") ||
        (ncontracts && terminated == ncontracts))
        return STAGE_CLOSED;
    if (implementing)
        return STAGE_IMPLEMENTATION;
    if (ncontracts)
        return STAGE_CONTRACT;
    if (json_array_size(json_object_get(compiled, "awards")))
        return STAGE_AWARD;
    if (json_array_size(json_object_get(tender, "notices")) ||
        json_is_object(json_object_get(tender, "tenderPeriod")) ||
        str_is(json_object_get(tender, "status"), "active"))
        return STAGE_TENDER;
    return STAGE_PLANNING;
}

const char *ocds_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "value";
}

/* ---- the batch ---------------------------------------------------------------------- */

/* Appends r (taking its json reference). Returns 0, or -1 when memory runs out. */
static int batch_push(ocds_batch *b, const ocds_release *r)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        if (cap > SIZE_MAX / sizeof *b->items)
            return -1;
        ocds_release *items = realloc(b->items, cap * sizeof *items);
        if (!items)
            return -1;
        b->items = items;
        b->cap = cap;
    }
    b->items[b->n++] = *r;
    return 0;
}

void ocds_batch_free(ocds_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        json_decref(b->items[i].json);
    free(b->items);
    b->items = NULL;
    b->n = b->cap = 0;
}

/* ---- reading ------------------------------------------------------------------------ */

/* One input being read: its name and the releases taken from it so far. */
typedef struct reader {
    const char *name;
    ocds_batch got;
    anbud_err *err;
} reader;

int ocds_release_fill(json_t *json, int compiled, const char *where, int validate,
                      ocds_release *out, anbud_err *err)
{
    if (!json_is_object(json))
        return err_set(err, ANBUD_EINPUT, "%s: expected a release (an object), found %s", where,
                       ocds_type_name(json));
    int rc = validate ? ocds_validate(json, where, err) : ANBUD_OK;
    if (rc != ANBUD_OK)
        return rc;

    ocds_release r = {0};
    r.json = json;
    r.ocid = json_string_value(json_object_get(json, "ocid"));
    r.id = json_string_value(json_object_get(json, "id"));
    if (!r.id)
        r.id = "";
    if (date_parse(json_string_value(json_object_get(json, "date")), &r.days, &r.secs) != 0)
        return err_set(err, ANBUD_EINTERNAL, "%s: date passed validation but not parsing",
                       where);
    r.compiled = compiled || has_tag(json, "compiled");
    r.stage = r.compiled ? ocds_stage_of_compiled(json) : ocds_stage_of_tags(json);
    snprintf(r.where, sizeof r.where, "%s", where);
    *out = r;
    return ANBUD_OK;
}

/*
 * Validates one release found at `where` and adds it to the reader, holding a new
 * reference. compiled: 1 when the form says so (a record's compiledRelease), else the tag
 * decides. Returns 0 or an ANBUD_E* code with err filled.
 */
static int reader_take(reader *rd, json_t *json, int compiled, const char *where)
{
    ocds_release r;
    int rc = ocds_release_fill(json, compiled, where, 1, &r, rd->err);
    if (rc != ANBUD_OK)
        return rc;
    if (batch_push(&rd->got, &r) != 0)
        return err_set(rd->err, ANBUD_EINTERNAL, "%s: out of memory", where);
    json_incref(json);
    return ANBUD_OK;
}

static int read_release_package(reader *rd, json_t *releases)
{
    char where[160];
    for (size_t i = 0; i < json_array_size(releases); i++) {
        snprintf(where, sizeof where, "%s: releases[%zu]", rd->name, i);
        int rc = reader_take(rd, json_array_get(releases, i), 0, where);
        if (rc != ANBUD_OK)
            return rc;
    }
    return ANBUD_OK;
}

/* A record gives its compiledRelease; failing that, its full (not linked) releases. */
static int read_record(reader *rd, const json_t *record, size_t i)
{
    char where[160];
    if (!json_is_object(record))
        return err_set(rd->err, ANBUD_EINPUT, "%s: records[%zu]: expected an object, found %s",
                       rd->name, i, ocds_type_name(record));
    json_t *compiled = json_object_get(record, "compiledRelease");
    if (compiled && !json_is_null(compiled)) {
        snprintf(where, sizeof where, "%s: records[%zu].compiledRelease", rd->name, i);
        return reader_take(rd, compiled, 1, where);
    }
    json_t *releases = json_object_get(record, "releases");
    if (!json_is_array(releases) || json_array_size(releases) == 0)
        return err_set(rd->err, ANBUD_EINPUT,
                       "%s: records[%zu]: no compiledRelease and no releases to read", rd->name, i);
    for (size_t j = 0; j < json_array_size(releases); j++) {
        json_t *rel = json_array_get(releases, j);
        if (json_is_object(rel) && !json_object_get(rel, "ocid"))
            return err_set(rd->err, ANBUD_EINPUT,
                           "%s: records[%zu].releases[%zu]: a linked release (no \"ocid\"); "
                           "anbud needs full releases or a compiledRelease",
                           rd->name, i, j);
        snprintf(where, sizeof where, "%s: records[%zu].releases[%zu]", rd->name, i, j);
        int rc = reader_take(rd, rel, 0, where);
        if (rc != ANBUD_OK)
            return rc;
    }
    return ANBUD_OK;
}

/* Reads a document that parsed as one JSON value: detects its form. */
static int read_document(reader *rd, json_t *root)
{
    if (!json_is_object(root))
        return err_set(rd->err, ANBUD_EINPUT,
                       "%s: expected a release, release package or record package (an "
                       "object), found %s",
                       rd->name, ocds_type_name(root));
    json_t *releases = json_object_get(root, "releases");
    json_t *records = json_object_get(root, "records");
    if (releases) {
        if (!json_is_array(releases))
            return err_set(rd->err, ANBUD_EINPUT, "%s: releases: expected an array, found %s",
                           rd->name, ocds_type_name(releases));
        return read_release_package(rd, releases);
    }
    if (records) {
        if (!json_is_array(records))
            return err_set(rd->err, ANBUD_EINPUT, "%s: records: expected an array, found %s",
                           rd->name, ocds_type_name(records));
        for (size_t i = 0; i < json_array_size(records); i++) {
            int rc = read_record(rd, json_array_get(records, i), i);
            if (rc != ANBUD_OK)
                return rc;
        }
        return ANBUD_OK;
    }
    if (json_object_get(root, "ocid"))
        return reader_take(rd, root, 0, rd->name);
    return err_set(rd->err, ANBUD_EINPUT,
                   "%s: not OCDS: an object without \"ocid\" (a release), \"releases\" (a "
                   "release package) or \"records\" (a record package)",
                   rd->name);
}

/* jansson leaves the error empty when it cannot even set up (out of memory). */
static int parse_error_named(const char *name, int line_offset, const json_error_t *je,
                             anbud_err *err)
{
    if (je->text[0] == '\0' || json_error_code(je) == json_error_out_of_memory)
        return err_set(err, ANBUD_EINTERNAL, "%s: out of memory parsing JSON", name);
    /* jansson names its own flag; say what is wrong with the text instead */
    const char *what = strstr(je->text, "JSON_ALLOW_NUL")
                           ? "\\u0000 is not allowed: text cannot hold a NUL character"
                           : je->text;
    return err_set(err, ANBUD_EINPUT, "%s: line %d, column %d: %s", name,
                   je->line + line_offset, je->column, what);
}

static int parse_error(reader *rd, int line_offset, const json_error_t *je)
{
    return parse_error_named(rd->name, line_offset, je, rd->err);
}

#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

/*
 * json_loadb, telling a failure to allocate from bad JSON: jansson reports a string it
 * could not allocate as a syntax error at that place. So a failure is parsed once more:
 * when that succeeds its value is used; when it fails anywhere else or otherwise, the first
 * failure was memory, and the error is cleared (parse_error reads that as out of memory).
 */
static json_t *load_json(const char *text, size_t len, json_error_t *je)
{
    json_t *v = json_loadb(text, len, LOAD_FLAGS, je);
    if (v || je->text[0] == '\0' || json_error_code(je) == json_error_out_of_memory)
        return v;
    json_error_t again = {0};
    v = json_loadb(text, len, LOAD_FLAGS, &again);
    if (v || again.position != je->position || strcmp(again.text, je->text) != 0)
        memset(je, 0, sizeof *je);
    return v;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

int ocds_line_blank(const char *line, size_t n)
{
    return is_blank(line, n);
}

int ocds_parse_line(const char *name, int lineno, const char *line, size_t n, int validate,
                    ocds_release *out, anbud_err *err)
{
    json_error_t je = {0}; /* jansson sets no error code when it fails to start */
    json_t *value = load_json(line, n, &je);
    if (!value)
        return parse_error_named(name, lineno - 1, &je, err);
    char where[160];
    snprintf(where, sizeof where, "%s: line %d", name, lineno);
    int rc = ocds_release_fill(value, 0, where, validate, out, err);
    if (rc != ANBUD_OK)
        json_decref(value);
    return rc;
}

/*
 * Reads JSON Lines: each non-blank line one release or compiled release. whole, when not
 * NULL, is the error from parsing the text as one value: reported instead when the first
 * line does not parse alone, since the text was then one value with something after it.
 */
static int read_lines(reader *rd, const char *text, size_t len, const json_error_t *whole)
{
    size_t start = 0;
    int lineno = 0, first = 1;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *line = text + start;
        size_t n = end - start;
        lineno++;
        start = end + 1;
        if (is_blank(line, n))
            continue;

        json_error_t je = {0}; /* jansson sets no error code when it fails to start */
        json_t *value = load_json(line, n, &je);
        if (!value)
            return first && whole ? parse_error(rd, 0, whole) : parse_error(rd, lineno - 1, &je);
        first = 0;
        char where[160];
        snprintf(where, sizeof where, "%s: line %d", rd->name, lineno);
        int rc = reader_take(rd, value, 0, where);
        json_decref(value);
        if (rc != ANBUD_OK)
            return rc;
    }
    return ANBUD_OK;
}

/* Names the line and column of a NUL byte: JSON text never holds one. */
static int nul_error(reader *rd, const char *text, const char *nul)
{
    int line = 1;
    const char *line_start = text;
    for (const char *p = text; p < nul; p++)
        if (*p == '\n') {
            line++;
            line_start = p + 1;
        }
    return err_set(rd->err, ANBUD_EINPUT,
                   "%s: line %d, column %d: a NUL byte; JSON text cannot "
                   "contain one (is this a binary file?)",
                   rd->name, line, (int)(nul - line_start) + 1);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Fills rd->got from the text; the caller moves or frees it. */
static int read_input(reader *rd, const char *text, size_t len)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte-order mark */
        text += 3;
        len -= 3;
    }
    if (is_blank(text, len))
        return err_set(rd->err, ANBUD_EINPUT, "%s: empty input", rd->name);
    const char *nul = memchr(text, '\0', len);
    if (nul) /* jansson would report it as something else (often "end of file expected") */
        return nul_error(rd, text, nul);
    if (ends_with(rd->name, ".jsonl") || ends_with(rd->name, ".ndjson"))
        return read_lines(rd, text, len, NULL);

    json_error_t je = {0}; /* jansson sets no error code when it fails to start */
    json_t *root = load_json(text, len, &je);
    if (!root) {
        if (json_error_code(&je) == json_error_end_of_input_expected)
            return read_lines(rd, text, len, &je);
        return parse_error(rd, 0, &je);
    }
    int rc = read_document(rd, root);
    json_decref(root);
    return rc;
}

int ocds_read(ocds_batch *b, const char *name, const char *text, size_t len, anbud_err *err)
{
    reader rd = {.name = name, .err = err};
    int rc = read_input(&rd, text, len);
    if (rc == ANBUD_OK && rd.got.n > b->cap - b->n) {
        ocds_batch grown = *b;
        if (rd.got.n > SIZE_MAX / sizeof *b->items - b->n) {
            rc = err_set(err, ANBUD_EINTERNAL, "%s: out of memory", name);
        } else {
            grown.cap = b->n + rd.got.n;
            grown.items = realloc(b->items, grown.cap * sizeof *b->items);
            if (grown.items)
                *b = grown;
            else
                rc = err_set(err, ANBUD_EINTERNAL, "%s: out of memory", name);
        }
    }
    if (rc != ANBUD_OK) {
        ocds_batch_free(&rd.got);
        return rc;
    }
    if (rd.got.n)
        memcpy(b->items + b->n, rd.got.items, rd.got.n * sizeof *b->items);
    b->n += rd.got.n;
    free(rd.got.items);
    return ANBUD_OK;
}

int ocds_read_file(ocds_batch *b, const char *path, anbud_err *err)
{
    char *text;
    size_t len;
    int rc = file_read(path, &text, &len, err);
    if (rc != ANBUD_OK)
        return rc;
    rc = ocds_read(b, path, text, len, err);
    free(text);
    return rc;
}

/* ---- readings of a compiled release ------------------------------------------------- */

int ocds_value(const json_t *compiled, double *amount)
{
    const json_t *v =
        json_object_get(json_object_get(json_object_get(compiled, "tender"), "value"), "amount");
    if (!json_is_number(v))
        return -1;
    *amount = json_number_value(v);
    return 0;
}

int64_t ocds_relevant_days(const json_t *compiled, int64_t first_days)
{
    const json_t *tender = json_object_get(compiled, "tender");
    const json_t *notices = json_object_get(tender, "notices");
    int64_t earliest = 0, days;
    int found = 0;
    for (size_t i = 0; i < json_array_size(notices); i++) {
        const json_t *published = json_object_get(json_array_get(notices, i), "datePublished");
        if (date_parse(json_string_value(published), &days, NULL) == 0 &&
            (!found || days < earliest)) {
            earliest = days;
            found = 1;
        }
    }
    if (found)
        return earliest;
    const json_t *start = json_object_get(json_object_get(tender, "tenderPeriod"), "startDate");
    if (date_parse(json_string_value(start), &days, NULL) == 0)
        return days;
    return first_days;
}

const json_t *ocds_buyer_party(const json_t *compiled)
{
    const json_t *buyer_id = json_object_get(json_object_get(compiled, "buyer"), "id");
    const json_t *parties = json_object_get(compiled, "parties");
    if (!buyer_id)
        return NULL;
    for (size_t i = 0; i < json_array_size(parties); i++) {
        const json_t *party = json_array_get(parties, i);
        if (ocds_id_equal(json_object_get(party, "id"), buyer_id))
            return party;
    }
    return NULL;
}

const char *ocds_buyer_municipality(const json_t *compiled)
{
    const json_t *details = json_object_get(ocds_buyer_party(compiled), "details");
    return json_string_value(json_object_get(details, "municipalityCode"));
}

/* The organisation number of a party: its NO-BRC identifier, else an additional one. */
static const char *party_orgnr(const json_t *party)
{
    const json_t *ident = json_object_get(party, "identifier");
    if (str_is(json_object_get(ident, "scheme"), "NO-BRC") &&
        json_is_string(json_object_get(ident, "id")))
        return json_string_value(json_object_get(ident, "id"));
    const json_t *more = json_object_get(party, "additionalIdentifiers");
    for (size_t i = 0; i < json_array_size(more); i++) {
        ident = json_array_get(more, i);
        if (str_is(json_object_get(ident, "scheme"), "NO-BRC") &&
            json_is_string(json_object_get(ident, "id")))
            return json_string_value(json_object_get(ident, "id"));
    }
    return NULL;
}

void ocds_buyer_key(const json_t *compiled, char *out, size_t n)
{
    if (n == 0)
        return;
    const char *orgnr = party_orgnr(ocds_buyer_party(compiled));
    const char *name =
        json_string_value(json_object_get(json_object_get(compiled, "buyer"), "name"));
    if (orgnr)
        snprintf(out, n, "NO-BRC:%s", orgnr);
    else if (name && *name)
        snprintf(out, n, "name:%s", name);
    else
        out[0] = '\0';
}
