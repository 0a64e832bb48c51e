/*
 * protocol_internal: what the files of the protocol share. protocol.c holds the fixed
 * texts in bokmål and nynorsk and picks the format; protocol_model.c and protocol_facts.c
 * turn the store's document into the model (the JSON format, every field type-checked);
 * protocol_layout.c walks the model in section order and drives a writer; protocol_md.c
 * and protocol_html.c are the two writers. Internal functions that write return 0, or -1
 * when memory runs out.
 */
#ifndef ANBUD_PROTOCOL_INTERNAL_H
#define ANBUD_PROTOCOL_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "util.h"

/* The written Norwegian of the text. */
typedef enum plang { PLANG_NB = 0, PLANG_NN = 1 } plang;

/* The fixed texts (see the table in protocol.c for the words), by section. */
/* clang-format off */
typedef enum ptext {
    T_PROTOCOL, T_LEGAL_BASIS, T_MISSING, T_YES, T_NO, T_OCID, T_RULESET, T_STAGE, T_GENERATED,
    T_FACTS, T_BUYER, T_ORGNR, T_KOMMUNENR, T_TITLE, T_DESCRIPTION, T_CATEGORY, T_CPV, T_VALUE,
    T_PROCEDURE, T_METHOD, T_TENDER_PERIOD, T_AWARD_PERIOD, T_PLANNED_PERIOD,
    T_NOTICES, T_PLATFORM, T_NOTICE_ID, T_PUBLISHED, T_NO_NOTICES,
    T_CONTRACTS, T_CONTRACT, T_CONTRACT_VALUE, T_SIGNED, T_CONTRACT_PERIOD, T_NO_CONTRACTS,
    T_SUPPLIERS, T_SUPPLIER, T_BID, T_AWARDED, T_NO_SUPPLIERS,
    T_QUOTES, T_DATE, T_RESPONDED, T_NO_QUOTES,
    T_ASSESSMENTS, T_NO_ASSESSMENTS, T_RESERVED, T_INCLUSIVE, T_SUITABLE, T_JUSTIFICATION,
    T_CLIMATE, T_GROUND, T_NEGOTIATION, T_LOCAL_QUOTES, T_MARKET_DIALOGUE, T_HELD,
    T_VERDICTS, T_CHECK_ONE, T_CHECK_MANY, T_RULE, T_OUTCOME, T_MESSAGE, T_SOURCE, T_NO_VERDICTS,
    T_FORCED, T_FROM, T_TO, T_BY, T_AT, T_REFUSING_RULES, T_NO_FORCED,
    T_EVENTS, T_EVENT_NO, T_RECEIVED, T_RELEASE, T_KIND, T_NO_EVENTS, T_FOOTER,
    T_COUNT
} ptext;
/* clang-format on */

/* The fixed text id in the written language lang; "" for an unknown id. */
const char *protocol_text(plang lang, ptext id);

/* A code of the data with its label in each language; tables end with a NULL code. */
typedef struct pcode {
    const char *code, *nb, *nn;
} pcode;

extern const pcode PROTOCOL_STAGES[], PROTOCOL_OUTCOMES[], PROTOCOL_CATEGORIES[],
    PROTOCOL_PROCEDURES[], PROTOCOL_METHODS[], PROTOCOL_PLATFORMS[], PROTOCOL_CLIMATE[],
    PROTOCOL_GROUNDS[], PROTOCOL_EVENT_KINDS[];

/* The label of code in table, or NULL when code is NULL or not in the table. */
const char *protocol_code_label(const pcode *table, const char *code, plang lang);

/* The index of code in table (its order), or the table's length when unknown or NULL. */
size_t protocol_code_index(const pcode *table, const char *code);

/*
 * Helpers of protocol_model.c and protocol_facts.c: reading the document without trusting
 * its types, and building the model where every function that takes a new value takes it
 * even when it fails (a NULL value means memory ran out).
 */

/* The value at a '/'-separated path of object keys under v, or NULL. */
static inline const json_t *pm_at(const json_t *v, const char *path)
{
    char key[64];
    while (v && *path) {
        size_t n = strcspn(path, "/");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        v = json_object_get(v, key);
        path += n + (path[n] == '/');
    }
    return v;
}

static inline const char *pm_str(const json_t *v, const char *path)
{
    return json_string_value(pm_at(v, path));
}

/* True when v is a present value: not missing and not null. */
static inline int pm_present(const json_t *v)
{
    return v && !json_is_null(v);
}

/* Sets key of o to v, taking v; v NULL means memory ran out. */
static inline int pm_put(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

/* Sets key of o to the new container v and returns it; NULL when memory runs out. */
static inline json_t *pm_put_new(json_t *o, const char *key, json_t *v)
{
    return pm_put(o, key, v) == 0 ? v : NULL;
}

static inline int pm_push(json_t *a, json_t *v)
{
    return json_array_append_new(a, v) == 0 ? 0 : -1;
}

/* A copy of v when it has the type asked for, else null (NULL only when memory runs out). */
static inline json_t *pm_str_of(const json_t *v)
{
    return json_is_string(v) ? json_deep_copy(v) : json_null();
}

static inline json_t *pm_bool_of(const json_t *v)
{
    return json_is_boolean(v) ? json_boolean(json_is_true(v)) : json_null();
}

static inline json_t *pm_scalar_of(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) ? json_deep_copy(v) : json_null();
}

/* {"code": v, "label": its Norwegian label, or v as written when the code is unknown}. */
static inline json_t *pm_coded(const json_t *v, const pcode *table, plang lang)
{
    json_t *o = json_object();
    const char *label = protocol_code_label(table, json_string_value(v), lang);
    if (!o || pm_put(o, "code", pm_str_of(v)) ||
        pm_put(o, "label", label ? json_string(label) : pm_str_of(v))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The facts section of the model from the compiled release; NULL when memory runs out. */
json_t *protocol_facts(const json_t *compiled, plang lang);

/*
 * The model: {"language", "labels" (section headings), "legal_basis", "ocid", "tender_title",
 * "ruleset": {"id", "name"}, "stage", "generated_at", "facts", "assessments": [{"kind",
 * "label", ...}], "verdict_counts": {outcome: n}, "verdicts" (in stage order), "forced_moves",
 * "events"}. Codes are {"code", "label"}; missing or mistyped fields are null. Never fails on
 * content; NULL only when memory runs out.
 */
json_t *protocol_model(const json_t *doc, plang lang);

/* How a piece of text is shown: plainly, as code, as a missing value, or as an outcome. */
typedef enum pstyle { PS_TEXT, PS_CODE, PS_MISSING, PS_PASS, PS_FAIL, PS_WARN, PS_NOTE } pstyle;

typedef struct pcell {
    const char *text; /* never NULL */
    pstyle style;
} pcell;

typedef struct pwriter pwriter;

/* A format. Every callback escapes the text it is given and returns 0 or -1. */
typedef struct pwriter_ops {
    int (*begin)(pwriter *w, const char *title);
    int (*heading)(pwriter *w, int level, const char *text); /* level 1 to 3 */
    int (*para)(pwriter *w, pcell text);
    int (*fields_begin)(pwriter *w);
    int (*field)(pwriter *w, const char *label, pcell value);
    int (*fields_end)(pwriter *w);
    /* head: ncols column names; width: each column's share of the width in per cent */
    int (*table_begin)(pwriter *w, size_t ncols, const char *const *head, const unsigned *width);
    int (*row)(pwriter *w, const pcell *cells, pstyle mark); /* mark: the row's worst outcome */
    int (*table_end)(pwriter *w);
    int (*end)(pwriter *w);
} pwriter_ops;

struct pwriter {
    const pwriter_ops *ops;
    sbuf *out;
    plang lang;
    size_t ncols; /* of the open table */
};

extern const pwriter_ops PROTOCOL_MD, PROTOCOL_HTML;

/* Lays the model out through w, section by section. */
int protocol_layout(const json_t *model, pwriter *w);

/* The marker written before a text of an outcome style ("✓ ", "✗ ", "⚠ "), else "". */
const char *protocol_marker(pstyle style);

#endif
