/*
 * protocol_layout: the protocol's sections in order (heading, facts, assessments, verdicts,
 * forced moves, events), read from the model and written through a writer. Knows the
 * words, the order and how values read in Norwegian (dates, yes/no, missing values); the
 * writer knows the format.
 */
#include "protocol_internal.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

enum { SCRATCH = 4 };

/* The writer and scratch buffers for cells composed of several fields. */
typedef struct layout {
    pwriter *w;
    plang lang;
    sbuf tmp[SCRATCH];
} layout;

static const char *T(const layout *l, ptext id)
{
    return protocol_text(l->lang, id);
}

static const char *S(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The label of a coded model value {"code", "label"}, or NULL. */
static const char *label_of(const json_t *o, const char *key)
{
    return S(json_object_get(o, key), "label");
}

/* Scratch buffer i, emptied. */
static sbuf *scratch(layout *l, int i)
{
    sbuf *b = &l->tmp[i];
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
    return b;
}

/* The text of s, "ikke oppgitt" when s is NULL. */
static pcell cell(const layout *l, const char *s, pstyle style)
{
    return s ? (pcell){s, style} : (pcell){T(l, T_MISSING), PS_MISSING};
}

/* ja / nei / ikke oppgitt. */
static pcell yes_no(const layout *l, const json_t *v)
{
    return json_is_boolean(v) ? cell(l, T(l, json_is_true(v) ? T_YES : T_NO), PS_TEXT)
                              : cell(l, NULL, PS_TEXT);
}

/* The style that makes an outcome stand out. */
static pstyle outcome_style(const char *code)
{
    if (!code)
        return PS_MISSING;
    if (strcmp(code, "pass") == 0)
        return PS_PASS;
    if (strcmp(code, "fail") == 0 || strcmp(code, "error") == 0)
        return PS_FAIL;
    if (strcmp(code, "warn") == 0)
        return PS_WARN;
    return strcmp(code, "info") == 0 || strcmp(code, "na") == 0 ? PS_NOTE : PS_TEXT;
}

/*
 * Appends an ISO 8601 date or date-time as Norwegian text: "17.02.2025", with " kl. 10:00"
 * and the zone ("UTC", "UTC+02:00") when there is a time. Other text is kept as written.
 */
static int add_date(sbuf *b, const char *iso)
{
    int64_t days;
    int y, m, d;
    if (date_parse(iso, &days, NULL) != 0)
        return sbuf_adds(b, iso);
    date_civil_from_days(days, &y, &m, &d);
    if (sbuf_printf(b, "%02d.%02d.%04d", d, m, y))
        return -1;
    if (iso[10] != 'T')
        return 0;
    const char *zone = iso + 19 + strspn(iso + 19, ".0123456789");
    return sbuf_printf(b, " kl. %.5s%s%s", iso + 11, *zone ? " UTC" : "", *zone == 'Z' ? "" : zone);
}

/* A date cell from the model's string at key (scratch i). */
static int date_cell(layout *l, int i, const json_t *o, const char *key, pcell *out)
{
    const char *iso = S(o, key);
    sbuf *b = scratch(l, i);
    if (iso && add_date(b, iso))
        return -1;
    *out = cell(l, iso ? b->data : NULL, PS_TEXT);
    return 0;
}

/* A period {"start", "end"} as "17.02.2025 – 20.03.2025" (scratch i). */
static int period_cell(layout *l, int i, const json_t *period, pcell *out)
{
    const char *start = S(period, "start"), *end = S(period, "end");
    sbuf *b = scratch(l, i);
    if (!start && !end) {
        *out = cell(l, NULL, PS_TEXT);
        return 0;
    }
    if ((start ? add_date(b, start) : sbuf_adds(b, T(l, T_MISSING))) || sbuf_adds(b, " – ") ||
        (end ? add_date(b, end) : sbuf_adds(b, T(l, T_MISSING))))
        return -1;
    *out = cell(l, b->data, PS_TEXT);
    return 0;
}

/* A string or number of the model at key as text (scratch i). */
static int scalar_cell(layout *l, int i, const json_t *o, const char *key, pstyle style, pcell *out)
{
    const json_t *v = json_object_get(o, key);
    sbuf *b = scratch(l, i);
    if (json_is_integer(v) && sbuf_printf(b, "%lld", (long long)json_integer_value(v)))
        return -1;
    if (json_is_real(v) && sbuf_printf(b, "%g", json_real_value(v)))
        return -1;
    *out = cell(l,
                json_is_string(v)   ? json_string_value(v)
                : json_is_number(v) ? b->data
                                    : NULL,
                style);
    return 0;
}

static int field(layout *l, ptext label, pcell value)
{
    return l->w->ops->field(l->w, T(l, label), value);
}

static int heading(layout *l, int level, ptext text)
{
    return l->w->ops->heading(l->w, level, T(l, text));
}

static int note(layout *l, ptext text)
{
    return l->w->ops->para(l->w, (pcell){T(l, text), PS_NOTE});
}

/* Opens a table whose column names are the texts head. */
static int table_begin(layout *l, size_t ncols, const ptext *head, const unsigned *width)
{
    const char *names[8];
    assert(ncols <= sizeof names / sizeof names[0]);
    for (size_t i = 0; i < ncols; i++)
        names[i] = T(l, head[i]);
    return l->w->ops->table_begin(l->w, ncols, names, width);
}

/* ---- sections ----------------------------------------------------------------------- */

static int layout_head(layout *l, const json_t *m)
{
    pwriter *w = l->w;
    const json_t *ruleset = json_object_get(m, "ruleset");
    const char *title = S(m, "tender_title"), *name = S(ruleset, "name"), *id = S(ruleset, "id");
    sbuf *h = scratch(l, 0), *r = scratch(l, 1);
    pcell generated;
    if (sbuf_adds(h, T(l, T_PROTOCOL)) || (title && sbuf_printf(h, ": %s", title)) ||
        (name && sbuf_adds(r, name)) || (id && sbuf_printf(r, name ? " (%s)" : "%s", id)) ||
        date_cell(l, 2, m, "generated_at", &generated))
        return -1;
    return w->ops->begin(w, h->data) || w->ops->heading(w, 1, h->data) ||
           w->ops->para(w, (pcell){T(l, T_LEGAL_BASIS), PS_TEXT}) || w->ops->fields_begin(w) ||
           field(l, T_OCID, cell(l, S(m, "ocid"), PS_CODE)) ||
           field(l, T_RULESET, cell(l, name || id ? r->data : NULL, PS_TEXT)) ||
           field(l, T_STAGE, cell(l, label_of(m, "stage"), PS_TEXT)) ||
           field(l, T_GENERATED, generated) || w->ops->fields_end(w);
}

/* "90911200-8 (Reinhald av bygningar)" for each CPV code, one a line (scratch 0). */
static int cpv_cell(layout *l, const json_t *cpv, pcell *out)
{
    sbuf *b = scratch(l, 0);
    for (size_t i = 0; i < json_array_size(cpv); i++) {
        const json_t *c = json_array_get(cpv, i);
        const char *code = S(c, "code"), *desc = S(c, "description");
        if ((i && sbuf_adds(b, "\n")) || sbuf_adds(b, code ? code : T(l, T_MISSING)) ||
            (desc && sbuf_printf(b, " (%s)", desc)))
            return -1;
    }
    *out = cell(l, json_array_size(cpv) ? b->data : NULL, PS_TEXT);
    return 0;
}

static int layout_fact_fields(layout *l, const json_t *facts)
{
    pwriter *w = l->w;
    const json_t *buyer = json_object_get(facts, "buyer"),
                 *subject = json_object_get(facts, "subject");
    const json_t *procedure = json_object_get(facts, "procedure"),
                 *dates = json_object_get(facts, "dates");
    pcell cpv, tender_period, award_period, planned;
    if (cpv_cell(l, json_object_get(subject, "cpv"), &cpv) ||
        period_cell(l, 1, json_object_get(dates, "tender_period"), &tender_period) ||
        period_cell(l, 2, json_object_get(dates, "award_period"), &award_period) ||
        period_cell(l, 3, json_object_get(dates, "planned_contract_period"), &planned))
        return -1;
    return w->ops->fields_begin(w) || field(l, T_BUYER, cell(l, S(buyer, "name"), PS_TEXT)) ||
           field(l, T_ORGNR, cell(l, S(buyer, "org_number"), PS_TEXT)) ||
           field(l, T_KOMMUNENR, cell(l, S(buyer, "municipality_code"), PS_TEXT)) ||
           field(l, T_TITLE, cell(l, S(subject, "title"), PS_TEXT)) ||
           field(l, T_DESCRIPTION, cell(l, S(subject, "description"), PS_TEXT)) ||
           field(l, T_CATEGORY, cell(l, label_of(subject, "category"), PS_TEXT)) ||
           field(l, T_CPV, cpv) ||
           field(l, T_VALUE,
                 cell(l, S(json_object_get(facts, "estimated_value"), "text"), PS_TEXT)) ||
           field(l, T_PROCEDURE, cell(l, label_of(procedure, "procedure_type"), PS_TEXT)) ||
           field(l, T_METHOD, cell(l, label_of(procedure, "procurement_method"), PS_TEXT)) ||
           field(l, T_TENDER_PERIOD, tender_period) || field(l, T_AWARD_PERIOD, award_period) ||
           field(l, T_PLANNED_PERIOD, planned) || w->ops->fields_end(w);
}

/* A heading and a table of list (one row per element by `row`), or `none` when empty. */
static int layout_list(layout *l, ptext title, const json_t *list, ptext none, size_t ncols,
                       const ptext *head, const unsigned *width,
                       int (*row)(layout *l, const json_t *item, size_t i))
{
    pwriter *w = l->w;
    if (heading(l, 3, title))
        return -1;
    if (!json_array_size(list))
        return note(l, none);
    if (table_begin(l, ncols, head, width))
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (row(l, json_array_get(list, i), i))
            return -1;
    return w->ops->table_end(w);
}

static int notice_row(layout *l, const json_t *n, size_t i)
{
    pcell c[3] = {cell(l, label_of(n, "platform"), PS_TEXT)};
    (void)i;
    if (scalar_cell(l, 0, n, "id", PS_CODE, &c[1]) || date_cell(l, 1, n, "date_published", &c[2]))
        return -1;
    return l->w->ops->row(l->w, c, PS_TEXT);
}

static int contract_row(layout *l, const json_t *k, size_t i)
{
    pcell c[4];
    (void)i;
    if (S(k, "title"))
        c[0] = cell(l, S(k, "title"), PS_TEXT);
    else if (scalar_cell(l, 0, k, "id", PS_TEXT, &c[0]))
        return -1;
    c[1] = cell(l, S(json_object_get(k, "value"), "text"), PS_TEXT);
    if (date_cell(l, 1, k, "date_signed", &c[2]) ||
        period_cell(l, 2, json_object_get(k, "period"), &c[3]))
        return -1;
    return l->w->ops->row(l->w, c, PS_TEXT);
}

static int supplier_row(layout *l, const json_t *s, size_t i)
{
    pcell c[4] = {cell(l, S(s, "name"), PS_TEXT), cell(l, S(s, "org_number"), PS_TEXT),
                  yes_no(l, json_object_get(s, "bid")), yes_no(l, json_object_get(s, "awarded"))};
    (void)i;
    return l->w->ops->row(l->w, c, PS_TEXT);
}

static int quote_row(layout *l, const json_t *q, size_t i)
{
    pcell c[4] = {cell(l, S(q, "supplier"), PS_TEXT), cell(l, S(q, "org_number"), PS_TEXT)};
    (void)i;
    c[3] = yes_no(l, json_object_get(q, "responded"));
    if (date_cell(l, 0, q, "date", &c[2]))
        return -1;
    return l->w->ops->row(l->w, c, PS_TEXT);
}

static int layout_facts(layout *l, const json_t *facts)
{
    static const ptext NOTICE[] = {T_PLATFORM, T_NOTICE_ID, T_PUBLISHED};
    static const unsigned NOTICE_W[] = {30, 40, 30};
    static const ptext CONTRACT[] = {T_CONTRACT, T_CONTRACT_VALUE, T_SIGNED, T_CONTRACT_PERIOD};
    static const unsigned CONTRACT_W[] = {34, 22, 18, 26};
    static const ptext SUPPLIER[] = {T_SUPPLIER, T_ORGNR, T_BID, T_AWARDED};
    static const unsigned SUPPLIER_W[] = {40, 24, 18, 18};
    static const ptext QUOTE[] = {T_SUPPLIER, T_ORGNR, T_DATE, T_RESPONDED};
    static const unsigned QUOTE_W[] = {40, 24, 18, 18};
    return heading(l, 2, T_FACTS) || layout_fact_fields(l, facts) ||
           layout_list(l, T_NOTICES, json_object_get(facts, "notices"), T_NO_NOTICES, 3, NOTICE,
                       NOTICE_W, notice_row) ||
           layout_list(l, T_CONTRACTS, json_object_get(facts, "contracts"), T_NO_CONTRACTS, 4,
                       CONTRACT, CONTRACT_W, contract_row) ||
           layout_list(l, T_SUPPLIERS, json_object_get(facts, "suppliers"), T_NO_SUPPLIERS, 4,
                       SUPPLIER, SUPPLIER_W, supplier_row) ||
           layout_list(l, T_QUOTES, json_object_get(facts, "quote_requests"), T_NO_QUOTES, 4, QUOTE,
                       QUOTE_W, quote_row);
}

/* One assessment: its label as a heading, then its fields in the model's order. */
static int layout_assessment(layout *l, const json_t *a)
{
    static const struct {
        const char *key;
        ptext label;
    } FIELDS[] = {{"suitable", T_SUITABLE},
                  {"held", T_HELD},
                  {"reason", T_GROUND},
                  {"ground", T_GROUND},
                  {"justification", T_JUSTIFICATION},
                  {"date", T_DATE}};
    pwriter *w = l->w;
    if (w->ops->heading(w, 3, S(a, "label") ? S(a, "label") : "") || w->ops->fields_begin(w))
        return -1;
    for (size_t i = 0; i < sizeof FIELDS / sizeof FIELDS[0]; i++) {
        const char *key = FIELDS[i].key;
        const json_t *v = json_object_get(a, key);
        pcell c;
        if (!v)
            continue;
        if (strcmp(key, "suitable") == 0 || strcmp(key, "held") == 0) {
            c = yes_no(l, v);
        } else if (strcmp(key, "date") == 0) {
            if (date_cell(l, 0, a, key, &c))
                return -1;
        } else {
            c = cell(l, json_is_object(v) ? S(v, "label") : json_string_value(v), PS_TEXT);
        }
        if (field(l, FIELDS[i].label, c))
            return -1;
    }
    return w->ops->fields_end(w);
}

static int layout_assessments(layout *l, const json_t *list)
{
    if (heading(l, 2, T_ASSESSMENTS))
        return -1;
    if (!json_array_size(list))
        return note(l, T_NO_ASSESSMENTS);
    for (size_t i = 0; i < json_array_size(list); i++)
        if (layout_assessment(l, json_array_get(list, i)))
            return -1;
    return 0;
}

/* "12 kontroller: 8 oppfylt, 1 ikke oppfylt, ..." styled by the worst outcome. */
static int layout_summary(layout *l, const json_t *m)
{
    const json_t *counts = json_object_get(m, "verdict_counts");
    size_t total = json_array_size(json_object_get(m, "verdicts"));
    pstyle worst = PS_TEXT;
    sbuf *b = scratch(l, 0);
    if (sbuf_printf(b, "%zu %s", total, T(l, total == 1 ? T_CHECK_ONE : T_CHECK_MANY)))
        return -1;
    const char *sep = ": ";
    for (size_t i = 0; PROTOCOL_OUTCOMES[i].code; i++) {
        json_int_t n = json_integer_value(json_object_get(counts, PROTOCOL_OUTCOMES[i].code));
        if (n <= 0)
            continue;
        pstyle s = outcome_style(PROTOCOL_OUTCOMES[i].code);
        if (s == PS_FAIL || (s == PS_WARN && worst != PS_FAIL))
            worst = s;
        if (sbuf_printf(b, "%s%lld %s", sep, (long long)n,
                        protocol_code_label(PROTOCOL_OUTCOMES, PROTOCOL_OUTCOMES[i].code, l->lang)))
            return -1;
        sep = ", ";
    }
    return l->w->ops->para(l->w, (pcell){b->data, worst});
}

static int verdict_row(layout *l, const json_t *v, size_t i)
{
    const char *outcome = S(json_object_get(v, "outcome"), "code");
    pstyle style = outcome_style(outcome);
    pcell c[6] = {cell(l, S(v, "rule"), PS_CODE),         cell(l, S(v, "title"), PS_TEXT),
                  cell(l, label_of(v, "stage"), PS_TEXT), cell(l, label_of(v, "outcome"), style),
                  cell(l, S(v, "message"), PS_TEXT),      cell(l, S(v, "source"), PS_TEXT)};
    (void)i;
    return l->w->ops->row(l->w, c, style);
}

static int layout_verdicts(layout *l, const json_t *m)
{
    static const ptext HEAD[] = {T_RULE, T_TITLE, T_STAGE, T_OUTCOME, T_MESSAGE, T_SOURCE};
    static const unsigned WIDTH[] = {13, 13, 11, 11, 24, 28};
    const json_t *list = json_object_get(m, "verdicts");
    if (heading(l, 2, T_VERDICTS))
        return -1;
    if (!json_array_size(list))
        return note(l, T_NO_VERDICTS);
    if (layout_summary(l, m) || table_begin(l, 6, HEAD, WIDTH))
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (verdict_row(l, json_array_get(list, i), i))
            return -1;
    return l->w->ops->table_end(l->w);
}

static int forced_row(layout *l, const json_t *f, size_t i)
{
    const json_t *rules = json_object_get(f, "rules");
    sbuf *b = scratch(l, 1);
    pcell c[6] = {cell(l, label_of(f, "from"), PS_TEXT), cell(l, label_of(f, "to"), PS_TEXT),
                  cell(l, S(f, "by"), PS_TEXT)};
    (void)i;
    c[4] = cell(l, S(f, "reason"), PS_TEXT);
    for (size_t j = 0; j < json_array_size(rules); j++) {
        const json_t *r = json_array_get(rules, j);
        const char *title = S(r, "title");
        if ((j && sbuf_adds(b, "\n")) || sbuf_adds(b, S(r, "rule") ? S(r, "rule") : "") ||
            (title && sbuf_printf(b, " (%s)", title)))
            return -1;
    }
    c[5] = cell(l, json_array_size(rules) ? b->data : NULL, PS_TEXT);
    if (date_cell(l, 0, f, "at", &c[3]))
        return -1;
    return l->w->ops->row(l->w, c, PS_WARN);
}

static int layout_forced(layout *l, const json_t *list)
{
    static const ptext HEAD[] = {T_FROM, T_TO, T_BY, T_AT, T_JUSTIFICATION, T_REFUSING_RULES};
    static const unsigned WIDTH[] = {13, 13, 16, 14, 22, 22};
    if (heading(l, 2, T_FORCED))
        return -1;
    if (!json_array_size(list))
        return note(l, T_NO_FORCED);
    if (table_begin(l, 6, HEAD, WIDTH))
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (forced_row(l, json_array_get(list, i), i))
            return -1;
    return l->w->ops->table_end(l->w);
}

static int event_row(layout *l, const json_t *e, size_t i)
{
    sbuf *n = scratch(l, 0);
    pcell c[6];
    if (sbuf_printf(n, "%zu", i + 1) || date_cell(l, 1, e, "received_at", &c[1]) ||
        scalar_cell(l, 2, e, "release_id", PS_CODE, &c[3]) || date_cell(l, 3, e, "date", &c[4]))
        return -1;
    c[0] = cell(l, n->data, PS_TEXT);
    c[2] = cell(l, label_of(e, "kind"), PS_TEXT);
    c[5] = cell(l, label_of(e, "stage"), PS_TEXT);
    return l->w->ops->row(l->w, c, PS_TEXT);
}

static int layout_events(layout *l, const json_t *list)
{
    static const ptext HEAD[] = {T_EVENT_NO, T_RECEIVED, T_KIND, T_RELEASE, T_DATE, T_STAGE};
    static const unsigned WIDTH[] = {7, 19, 18, 24, 18, 14};
    if (heading(l, 2, T_EVENTS))
        return -1;
    if (!json_array_size(list))
        return note(l, T_NO_EVENTS);
    if (table_begin(l, 6, HEAD, WIDTH))
        return -1;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (event_row(l, json_array_get(list, i), i))
            return -1;
    return l->w->ops->table_end(l->w);
}

int protocol_layout(const json_t *model, pwriter *w)
{
    layout l = {.w = w, .lang = w->lang};
    int rc =
        layout_head(&l, model) || layout_facts(&l, json_object_get(model, "facts")) ||
        layout_assessments(&l, json_object_get(model, "assessments")) ||
        layout_verdicts(&l, model) || layout_forced(&l, json_object_get(model, "forced_moves")) ||
        layout_events(&l, json_object_get(model, "events")) || note(&l, T_FOOTER) || w->ops->end(w);
    for (int i = 0; i < SCRATCH; i++)
        sbuf_free(&l.tmp[i]);
    return rc ? -1 : 0;
}
