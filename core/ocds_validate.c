/*
 * ocds_validate: the checks a release must pass before anbud stores it or a rule reads
 * it. Owns the required top-level fields (ocid, date, tag), and one walk over the whole
 * document that applies a table of field rules (NOK, amounts, dates, kommunenummer, the
 * types of the SPEC § 2 extension fields and of the OCDS fields the rules read: the
 * elements of the lists they walk, the texts they quote) and the NO-BRC
 * organisation-number check.
 * Declared in ocds.h; never prints.
 */
#include "ocds.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef enum check_kind {
    CK_CURRENCY,  /* "NOK" */
    CK_NUMBER,    /* finite and not negative */
    CK_SHARE,     /* a number from 0 to 1 */
    CK_BOOL,      /* true or false */
    CK_STRING,    /* any string */
    CK_ENUM,      /* one of the rule's values */
    CK_ARRAY,     /* an array */
    CK_OBJECT,    /* an object */
    CK_KOMMUNENR, /* four digits, as a string */
    CK_OBJECTS,   /* an array whose every element is an object */
    CK_STRINGS,   /* an array whose every element is a string */
    CK_TEXTS,     /* a string, or an array of strings and objects */
    CK_PERIOD,    /* a string ("2024-06") or an object (a period) */
    CK_DAYS,      /* a number of days, 0 to MAX_DAYS */
} check_kind;

/* The most days a duration may count: about 270 years, far beyond any contract. */
#define MAX_DAYS 100000

/*
 * A field rule applies to a member `key` of an object known by the name `parent` (the key
 * it sits under, or for an element of an array the array's key; "" for the release
 * itself; NULL for anywhere). The first matching rule wins, so scoped rules go first.
 * Null always passes: in a release it removes the field.
 */
typedef struct field_rule {
    const char *parent, *key;
    check_kind kind;
    const char *const *values; /* CK_ENUM: allowed values, NULL-terminated */
} field_rule;

static const char *const procedure_types[] = {"open",
                                              "restricted",
                                              "negotiated",
                                              "dialogue",
                                              "innovationPartnership",
                                              "negotiatedWithoutNotice",
                                              "direct",
                                              NULL};
static const char *const categories[] = {"goods", "services", "works", NULL};
static const char *const signature_methods[] = {"electronic", "paper", NULL};
static const char *const criterion_types[] = {"price", "quality", "climateEnvironment", "other",
                                              NULL};
static const char *const platforms[] = {"doffin", "ted", NULL};
static const char *const climate_reasons[] = {"requirementsInSpecification", "negligibleFootprint",
                                              NULL};
static const char *const scales[] = {"sme", "large", NULL};

static const field_rule field_rules[] = {
    /* OCDS 1.1 keeps a Value object, not a number, under these `amount` keys */
    {"budget", "amount", CK_OBJECT, NULL},
    {"transactions", "amount", CK_OBJECT, NULL},
    {NULL, "amount", CK_NUMBER, NULL},
    {NULL, "currency", CK_CURRENCY, NULL},
    {NULL, "municipalityCode", CK_KOMMUNENR, NULL},

    {"tender", "procedureType", CK_ENUM, procedure_types},
    {"tender", "mainProcurementCategory", CK_ENUM, categories},
    {"contracts", "signatureMethod", CK_ENUM, signature_methods},
    {"awardCriteriaWeights", "type", CK_ENUM, criterion_types},
    {"notices", "platform", CK_ENUM, platforms},
    {"climateException", "reason", CK_ENUM, climate_reasons},
    {"details", "scale", CK_ENUM, scales},

    /* lists the rules walk: every element must be an object they can read fields of */
    {"", "parties", CK_OBJECTS, NULL},
    {"", "awards", CK_OBJECTS, NULL},
    {"", "contracts", CK_OBJECTS, NULL},
    {"tender", "items", CK_OBJECTS, NULL},
    {"tender", "notices", CK_OBJECTS, NULL},
    {"tender", "quoteRequests", CK_OBJECTS, NULL},
    {"tender", "documents", CK_OBJECTS, NULL},
    {"tender", "awardCriteriaWeights", CK_OBJECTS, NULL},
    {"tender", "submissionMethod", CK_STRINGS, NULL},
    {"bids", "details", CK_OBJECTS, NULL},
    {"implementation", "hourReports", CK_OBJECTS, NULL},
    {"parties", "additionalIdentifiers", CK_OBJECTS, NULL},
    {"otherRequirements", "reservedParticipation", CK_STRINGS, NULL},
    {"awards", "suppliers", CK_OBJECTS, NULL},
    {NULL, "tenderers", CK_OBJECTS, NULL},
    {"items", "additionalClassifications", CK_OBJECTS, NULL},
    {"fullTimeDocumentation", "exceptions", CK_TEXTS, NULL},

    {"", "tender", CK_OBJECT, NULL},
    {"", "buyer", CK_OBJECT, NULL},
    {"", "planning", CK_OBJECT, NULL},
    {"", "bids", CK_OBJECT, NULL},
    {"parties", "identifier", CK_OBJECT, NULL},
    {"parties", "details", CK_OBJECT, NULL},
    {"tender", "value", CK_OBJECT, NULL},
    {"tender", "tenderPeriod", CK_OBJECT, NULL},
    {"tender", "contractPeriod", CK_OBJECT, NULL},
    {"tender", "reservedAssessment", CK_OBJECT, NULL},
    {"tender", "inclusiveAssessment", CK_OBJECT, NULL},
    {"tender", "inclusiveRequirement", CK_OBJECT, NULL},
    {"tender", "apprenticeRequirement", CK_OBJECT, NULL},
    {"tender", "skilledWorkerRequirement", CK_OBJECT, NULL},
    {"tender", "climateException", CK_OBJECT, NULL},
    {"tender", "marketDialogue", CK_OBJECT, NULL},
    {"tender", "techniques", CK_OBJECT, NULL},
    {"tender", "otherRequirements", CK_OBJECT, NULL},
    {"awards", "value", CK_OBJECT, NULL},
    {"contracts", "value", CK_OBJECT, NULL},
    {"contracts", "period", CK_OBJECT, NULL},
    {"contracts", "implementation", CK_OBJECT, NULL},
    {"contracts", "contractManager", CK_OBJECT, NULL},
    {"contracts", "template", CK_OBJECT, NULL},
    {"contracts", "fullTimeDocumentation", CK_OBJECT, NULL},
    {"quoteRequests", "supplier", CK_OBJECT, NULL},
    {"items", "classification", CK_OBJECT, NULL},
    {"hourReports", "period", CK_PERIOD, NULL},

    {NULL, "approvedApprenticeCompany", CK_BOOL, NULL},
    {NULL, "shelteredWorkshop", CK_BOOL, NULL},
    {NULL, "suitable", CK_BOOL, NULL},
    {NULL, "responded", CK_BOOL, NULL},
    {NULL, "required", CK_BOOL, NULL},
    {NULL, "perTrade", CK_BOOL, NULL},
    {NULL, "held", CK_BOOL, NULL},
    {NULL, "hasFrameworkAgreement", CK_BOOL, NULL},
    {NULL, "unsuccessfulNotified", CK_BOOL, NULL},
    {NULL, "standard", CK_BOOL, NULL},
    {NULL, "documented", CK_BOOL, NULL},

    {NULL, "minShareOfStaff", CK_SHARE, NULL},
    {NULL, "minShareOfHours", CK_SHARE, NULL},
    {NULL, "weight", CK_NUMBER, NULL},
    {NULL, "totalHours", CK_NUMBER, NULL},
    {NULL, "apprenticeHours", CK_NUMBER, NULL},
    {NULL, "skilledHours", CK_NUMBER, NULL},
    {NULL, "hiredHours", CK_NUMBER, NULL},
    {"tender", "numberOfTenderers", CK_NUMBER, NULL},
    {NULL, "durationInDays", CK_DAYS, NULL},

    {NULL, "justification", CK_STRING, NULL},
    {NULL, "negotiationJustification", CK_STRING, NULL},
    {NULL, "localQuotesJustification", CK_STRING, NULL},
    /* text the rules read or quote: OCDS keeps these strings wherever they appear */
    {NULL, "name", CK_STRING, NULL},
    {NULL, "title", CK_STRING, NULL},
    {NULL, "description", CK_STRING, NULL},
    {NULL, "status", CK_STRING, NULL},
    {"hourReports", "trade", CK_STRING, NULL},
    {"tender", "procurementMethod", CK_STRING, NULL},
    {"tender", "procurementMethodRationale", CK_STRING, NULL},
    {"documents", "documentType", CK_STRING, NULL},
};

/* The walk's state: where the release came from, and the path of the value in hand. */
typedef struct walk {
    const char *where, *ocid;
    anbud_err *err;
    char path[512];
    size_t len;
} walk;

/* Fills err with "<where> (ocid X): <path>[suffix]: <what>". Returns ANBUD_EINPUT. */
static int fail(walk *w, const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(walk *w, const char *suffix, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(w->err, ANBUD_EINPUT, "%s (ocid %s): %s%s: %s", w->where, w->ocid, w->path,
                   suffix, what);
}

/* Appends ".key" (or "key" at the top) or "[i]" to the path; returns the length to restore. */
static size_t path_push(walk *w, const char *key, size_t index)
{
    size_t mark = w->len, room = sizeof w->path - w->len;
    int n = key ? snprintf(w->path + w->len, room, "%s%s", w->len ? "." : "", key)
                : snprintf(w->path + w->len, room, "[%zu]", index);
    /* A path too long for the buffer stays cut short; messages show its start. */
    w->len = n < 0 || (size_t)n >= room ? sizeof w->path - 1 : w->len + (size_t)n;
    return mark;
}

static void path_pop(walk *w, size_t mark)
{
    w->len = mark;
    w->path[mark] = '\0';
}

static int is_date_key(const char *key)
{
    size_t n = strlen(key);
    return strncmp(key, "date", 4) == 0 || (n > 4 && strcmp(key + n - 4, "Date") == 0);
}

static const field_rule *find_rule(const char *parent, const char *key)
{
    for (size_t i = 0; i < sizeof field_rules / sizeof field_rules[0]; i++) {
        const field_rule *r = &field_rules[i];
        if (strcmp(r->key, key) == 0 && (!r->parent || strcmp(r->parent, parent) == 0))
            return r;
    }
    return NULL;
}

static int in_list(const char *s, const char *const *values)
{
    for (; *values; values++)
        if (strcmp(s, *values) == 0)
            return 1;
    return 0;
}

/* "a, b or c" from a NULL-terminated list, for messages. */
static void list_text(const char *const *values, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; values[i] && len < n; i++) {
        const char *sep = i == 0 ? "" : values[i + 1] ? ", " : " or ";
        int k = snprintf(out + len, n - len, "%s%s", sep, values[i]);
        len = k < 0 ? n : len + (size_t)k;
    }
}

static int check_date(walk *w, const json_t *v)
{
    if (!json_is_string(v))
        return fail(w, "", "expected a date string, found %s", ocds_type_name(v));
    if (date_parse(json_string_value(v), NULL, NULL) != 0)
        return fail(w, "",
                    "\"%.64s\" is not a valid date (expected YYYY-MM-DD or "
                    "YYYY-MM-DDThh:mm:ss with an optional zone, a day that exists)",
                    json_string_value(v));
    return 0;
}

/*
 * Checks that every element of the array v is of the type `want` (JSON_OBJECT or
 * JSON_STRING; also_object: objects are allowed too). The message names the element.
 */
static int check_elements(walk *w, const json_t *v, json_type want, int also_object)
{
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *e = json_array_get(v, i);
        if (json_typeof(e) == want || (also_object && json_is_object(e)))
            continue;
        char at[32];
        snprintf(at, sizeof at, "[%zu]", i);
        return fail(w, at, "expected %s, found %s",
                    want == JSON_OBJECT ? "an object"
                    : also_object       ? "a string or an object"
                                        : "a string",
                    ocds_type_name(e));
    }
    return 0;
}

/* Applies one field rule to the value v at the current path. */
static int check_field(walk *w, const field_rule *r, const json_t *v)
{
    const char *s = json_string_value(v);
    double x = json_number_value(v);
    char allowed[256];
    switch (r->kind) {
    case CK_CURRENCY:
        if (!s)
            return fail(w, "", "expected a currency code, found %s", ocds_type_name(v));
        if (strcmp(s, "NOK") != 0)
            return fail(w, "",
                        "\"%.16s\" is not NOK; anbud reads amounts in NOK (excluding VAT) "
                        "only",
                        s);
        return 0;
    case CK_NUMBER:
    case CK_SHARE:
        if (!json_is_number(v))
            return fail(w, "", "expected a number, found %s", ocds_type_name(v));
        if (!isfinite(x) || x < 0)
            return fail(w, "", "%g is negative; expected a number of 0 or more", x);
        if (r->kind == CK_SHARE && x > 1)
            return fail(w, "", "%g is not a share from 0 to 1 (write 10 %% as 0.1)", x);
        return 0;
    case CK_BOOL:
        return json_is_boolean(v)
                   ? 0
                   : fail(w, "", "expected true or false, found %s", ocds_type_name(v));
    case CK_STRING:
        return s ? 0 : fail(w, "", "expected a string, found %s", ocds_type_name(v));
    case CK_ENUM:
        list_text(r->values, allowed, sizeof allowed);
        if (!s)
            return fail(w, "", "expected one of %s, found %s", allowed, ocds_type_name(v));
        if (!in_list(s, r->values))
            return fail(w, "", "\"%.64s\" is not one of %s", s, allowed);
        return 0;
    case CK_ARRAY:
        return json_is_array(v) ? 0 : fail(w, "", "expected an array, found %s", ocds_type_name(v));
    case CK_OBJECTS:
    case CK_STRINGS:
        if (!json_is_array(v))
            return fail(w, "", "expected an array of %s, found %s",
                        r->kind == CK_OBJECTS ? "objects" : "strings", ocds_type_name(v));
        return check_elements(w, v, r->kind == CK_OBJECTS ? JSON_OBJECT : JSON_STRING, 0);
    case CK_TEXTS:
        if (s)
            return 0;
        if (!json_is_array(v))
            return fail(w, "", "expected a text or an array of texts, found %s", ocds_type_name(v));
        return check_elements(w, v, JSON_STRING, 1);
    case CK_PERIOD:
        return s || json_is_object(v)
                   ? 0
                   : fail(w, "", "expected a period, as text (\"2024-06\") or an object, found %s",
                          ocds_type_name(v));
    case CK_DAYS:
        if (!json_is_number(v))
            return fail(w, "", "expected a number of days, found %s", ocds_type_name(v));
        if (!isfinite(x) || x < 0 || x > MAX_DAYS)
            return fail(w, "", "%g is not a number of days from 0 to %d", x, MAX_DAYS);
        return 0;
    case CK_OBJECT:
        return json_is_object(v) ? 0
                                 : fail(w, "", "expected an object, found %s", ocds_type_name(v));
    case CK_KOMMUNENR:
        if (!s)
            return fail(w, "", "expected a kommunenummer as a string of 4 digits, found %s",
                        ocds_type_name(v));
        if (!kommunenr_valid(s))
            return fail(w, "", "\"%.64s\" is not a kommunenummer (4 digits, e.g. \"4601\")", s);
        return 0;
    }
    return 0;
}

/* An object with scheme "NO-BRC" is an organisation-number identifier: check its id. */
static int check_identifier(walk *w, const json_t *obj)
{
    const char *scheme = json_string_value(json_object_get(obj, "scheme"));
    if (!scheme || strcmp(scheme, "NO-BRC") != 0)
        return 0;
    const json_t *id = json_object_get(obj, "id");
    const char *s = json_string_value(id);
    if (!id || json_is_null(id))
        return fail(w, "", "scheme NO-BRC without an id (the organisation number)");
    if (!s)
        return fail(w, ".id",
                    "expected the organisation number as a string of 9 digits, "
                    "found %s",
                    ocds_type_name(id));
    size_t n = strlen(s), digits = strspn(s, "0123456789");
    if (n != 9 || digits != 9)
        return fail(w, ".id",
                    "\"%.64s\" is not an organisation number: it must be 9 digits "
                    "with no spaces or other characters",
                    s);
    if (!orgnr_valid(s))
        return fail(w, ".id",
                    "\"%s\" is not an organisation number: the MOD11 check digit "
                    "(the last) fails",
                    s);
    return 0;
}

/*
 * Checks v, known by `name` (its key, or for an array element the array's key) inside an
 * object known by `parent`, then everything under it. member: v is an object member, so
 * the field rules apply to it. Returns 0 or ANBUD_EINPUT.
 */
static int walk_value(walk *w, const json_t *v, const char *name, const char *parent, int member)
{
    if (json_is_null(v))
        return 0;
    if (member) {
        const field_rule *r = find_rule(parent, name);
        int rc = r ? check_field(w, r, v) : is_date_key(name) ? check_date(w, v) : 0;
        if (rc != 0)
            return rc;
    }
    if (json_is_object(v)) {
        if (check_identifier(w, v) != 0)
            return ANBUD_EINPUT;
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            size_t mark = path_push(w, key, 0);
            int rc = walk_value(w, child, key, name, 1);
            path_pop(w, mark);
            if (rc != 0)
                return rc;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t mark = path_push(w, NULL, i);
            int rc = walk_value(w, json_array_get(v, i), name, parent, 0);
            path_pop(w, mark);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* ocid, date, tag and id: what every release needs before its content means anything. */
static int check_required(walk *w, const json_t *release)
{
    const json_t *date = json_object_get(release, "date");
    const json_t *tag = json_object_get(release, "tag");
    const json_t *id = json_object_get(release, "id");

    snprintf(w->path, sizeof w->path, "date");
    if (!date)
        return fail(w, "", "missing; every release needs the date it was published");
    if (check_date(w, date) != 0)
        return ANBUD_EINPUT;

    snprintf(w->path, sizeof w->path, "id");
    if (id && !json_is_string(id))
        return fail(w, "", "expected a string, found %s", ocds_type_name(id));

    snprintf(w->path, sizeof w->path, "tag");
    if (!tag)
        return fail(w, "", "missing; every release needs at least one tag (\"tender\", ...)");
    if (!json_is_array(tag))
        return fail(w, "", "expected an array of tags, found %s", ocds_type_name(tag));
    if (json_array_size(tag) == 0)
        return fail(w, "", "empty; every release needs at least one tag (\"tender\", ...)");
    for (size_t i = 0; i < json_array_size(tag); i++) {
        const json_t *t = json_array_get(tag, i);
        const char *s = json_string_value(t);
        snprintf(w->path, sizeof w->path, "tag[%zu]", i);
        if (!s)
            return fail(w, "", "expected a string, found %s", ocds_type_name(t));
        if (strcmp(s, "compiled") != 0 && ocds_stage_of_tag(s) == STAGE_NONE)
            return fail(w, "", "unknown tag \"%.64s\" (not in the OCDS release tag codelist)", s);
    }
    w->path[0] = '\0';
    return 0;
}

int ocds_validate(const json_t *release, const char *where, anbud_err *err)
{
    if (!json_is_object(release))
        return err_set(err, ANBUD_EINPUT, "%s: expected a release (an object), found %s", where,
                       ocds_type_name(release));
    const json_t *ocid = json_object_get(release, "ocid");
    if (!ocid)
        return err_set(err, ANBUD_EINPUT, "%s: ocid: missing; every release needs an ocid", where);
    if (!json_is_string(ocid))
        return err_set(err, ANBUD_EINPUT, "%s: ocid: expected a string, found %s", where,
                       ocds_type_name(ocid));
    if (json_string_length(ocid) == 0)
        return err_set(err, ANBUD_EINPUT, "%s: ocid: empty; every release needs an ocid", where);

    walk w = {.where = where, .ocid = json_string_value(ocid), .err = err};
    if (check_required(&w, release) != 0)
        return ANBUD_EINPUT;
    return walk_value(&w, release, "", "", 0);
}
