/*
 * protocol_model: the content of the protocol, built once from the document the store
 * assembles. Every field is checked for its JSON type; a missing or mistyped one becomes
 * null. Codes carry their Norwegian label, amounts their written form, and verdicts are
 * put in stage order. The JSON format prints this model as it is; protocol_layout.c lays
 * it out for people. Nothing here fails on content, only when memory runs out.
 */
#include "protocol_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- reading the document ----------------------------------------------------------- */

/* The value at a '/'-separated path of object keys under v, or NULL. */
static const json_t *at(const json_t *v, const char *path)
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

static const char *str_at(const json_t *v, const char *path)
{
    return json_string_value(at(v, path));
}

/* True when v is a present value: not missing and not null. */
static int present(const json_t *v)
{
    return v && !json_is_null(v);
}

/* The party whose id is id, or NULL. */
static const json_t *party_by_id(const json_t *compiled, const char *id)
{
    const json_t *parties = json_object_get(compiled, "parties");
    for (size_t i = 0; id && i < json_array_size(parties); i++) {
        const json_t *p = json_array_get(parties, i);
        const char *pid = str_at(p, "id");
        if (pid && strcmp(pid, id) == 0)
            return p;
    }
    return NULL;
}

/* True when party p has role among its roles. */
static int has_role(const json_t *p, const char *role)
{
    const json_t *roles = json_object_get(p, "roles");
    for (size_t i = 0; i < json_array_size(roles); i++) {
        const char *r = json_string_value(json_array_get(roles, i));
        if (r && strcmp(r, role) == 0)
            return 1;
    }
    return 0;
}

/* The organisation number of an identifier object (scheme NO-BRC), or NULL. */
static const json_t *orgnr_of(const json_t *identifier)
{
    const char *scheme = str_at(identifier, "scheme");
    if (!scheme || strcmp(scheme, "NO-BRC") != 0)
        return NULL;
    const json_t *id = json_object_get(identifier, "id");
    return json_is_string(id) ? id : NULL;
}

/* ---- building the model ------------------------------------------------------------- */

/* Sets key of o to v, taking v; v NULL means memory ran out. */
static int put(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

/* Sets key of o to the new container v and returns it; NULL when memory runs out. */
static json_t *put_new(json_t *o, const char *key, json_t *v)
{
    return put(o, key, v) == 0 ? v : NULL;
}

static int push(json_t *a, json_t *v)
{
    return json_array_append_new(a, v) == 0 ? 0 : -1;
}

/* A copy of v when it has the type asked for, else null (NULL only when memory runs out). */
static json_t *str_of(const json_t *v)
{
    return json_is_string(v) ? json_deep_copy(v) : json_null();
}

static json_t *bool_of(const json_t *v)
{
    return json_is_boolean(v) ? json_boolean(json_is_true(v)) : json_null();
}

static json_t *scalar_of(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) ? json_deep_copy(v) : json_null();
}

/* {"code": v, "label": its Norwegian label, or v as written when the code is unknown}. */
static json_t *coded(const json_t *v, const pcode *table, plang lang)
{
    json_t *o = json_object();
    const char *label = pcode_label(table, json_string_value(v), lang);
    if (!o || put(o, "code", str_of(v)) || put(o, "label", label ? json_string(label) : str_of(v))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* {"start", "end"} of an OCDS period. */
static json_t *period_of(const json_t *period)
{
    json_t *o = json_object();
    if (!o || put(o, "start", str_of(at(period, "startDate"))) ||
        put(o, "end", str_of(at(period, "endDate")))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Appends x as Norwegian money: digits grouped by three with spaces, ",50" for øre. */
static int add_amount(sbuf *b, double x)
{
    char digits[32];
    if (!(fabs(x) < 1e15)) /* beyond exact øre in a double: whole kroner, ungrouped */
        return sbuf_printf(b, "%.0f", x);
    int64_t cents = (int64_t)llround(fabs(x) * 100);
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(cents / 100));
    if (cents > 0 && x < 0 && sbuf_adds(b, "-"))
        return -1;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0 && sbuf_adds(b, " "))
            return -1;
        if (sbuf_add(b, digits + i, 1))
            return -1;
    }
    return cents % 100 ? sbuf_printf(b, ",%02lld", (long long)(cents % 100)) : 0;
}

/* {"amount", "currency", "text": "1 300 000 kr ekskl. mva."} of an OCDS Value. */
static json_t *money_of(const json_t *value)
{
    const json_t *amount = json_object_get(value, "amount");
    const char *currency = str_at(value, "currency");
    json_t *o = json_object();
    sbuf text = {0};
    int rc = !o || put(o, "amount", json_is_number(amount) ? json_deep_copy(amount) : json_null()) ||
             put(o, "currency", str_of(json_object_get(value, "currency")));
    if (!rc && json_is_number(amount)) {
        const char *unit = !currency || strcmp(currency, "NOK") == 0 ? "kr" : currency;
        rc = add_amount(&text, json_number_value(amount)) ||
             sbuf_printf(&text, " %s ekskl. mva.", unit) ||
             put(o, "text", json_stringn(text.data, text.len));
    } else if (!rc) {
        rc = put(o, "text", json_null());
    }
    sbuf_free(&text);
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- facts -------------------------------------------------------------------------- */

static json_t *buyer_of(const json_t *c)
{
    const char *id = str_at(c, "buyer/id");
    const json_t *party = party_by_id(c, id);
    const json_t *parties = json_object_get(c, "parties");
    for (size_t i = 0; !party && i < json_array_size(parties); i++)
        if (has_role(json_array_get(parties, i), "buyer"))
            party = json_array_get(parties, i);
    const json_t *name = at(c, "buyer/name");
    json_t *o = json_object();
    if (!o || put(o, "name", str_of(json_is_string(name) ? name : at(party, "name"))) ||
        put(o, "org_number", str_of(orgnr_of(at(party, "identifier")))) ||
        put(o, "municipality_code", str_of(at(party, "details/municipalityCode")))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* CPV codes of the items' classifications, each once: [{"code", "description"}]. */
static int add_cpv(json_t *list, const json_t *classification, const json_t *item)
{
    const char *scheme = str_at(classification, "scheme");
    const json_t *code = json_object_get(classification, "id");
    if (!json_is_string(code) || (scheme && strcmp(scheme, "CPV") != 0))
        return 0;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (json_equal(json_object_get(json_array_get(list, i), "code"), code))
            return 0;
    const json_t *desc = json_object_get(classification, "description");
    json_t *o = json_object();
    if (!o || push(list, o) || put(o, "code", str_of(code)) ||
        put(o, "description", str_of(json_is_string(desc) ? desc : at(item, "description"))))
        return -1;
    return 0;
}

static json_t *subject_of(const json_t *tender, plang lang)
{
    json_t *o = json_object(), *cpv = NULL;
    const json_t *items = json_object_get(tender, "items");
    int rc = !o || put(o, "title", str_of(at(tender, "title"))) ||
             put(o, "description", str_of(at(tender, "description"))) ||
             put(o, "category", coded(at(tender, "mainProcurementCategory"), PCODE_CATEGORIES, lang)) ||
             !(cpv = put_new(o, "cpv", json_array()));
    for (size_t i = 0; !rc && i < json_array_size(items); i++) {
        const json_t *item = json_array_get(items, i);
        const json_t *more = json_object_get(item, "additionalClassifications");
        rc = add_cpv(cpv, json_object_get(item, "classification"), item);
        for (size_t j = 0; !rc && j < json_array_size(more); j++)
            rc = add_cpv(cpv, json_array_get(more, j), item);
    }
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *notices_of(const json_t *tender, plang lang)
{
    const json_t *notices = json_object_get(tender, "notices");
    json_t *list = json_array();
    for (size_t i = 0; list && i < json_array_size(notices); i++) {
        const json_t *n = json_array_get(notices, i);
        if (!json_is_object(n))
            continue;
        json_t *o = json_object();
        if (!o || push(list, o) || put(o, "platform", coded(at(n, "platform"), PCODE_PLATFORMS, lang)) ||
            put(o, "id", scalar_of(at(n, "id"))) ||
            put(o, "date_published", str_of(at(n, "datePublished")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *dates_of(const json_t *tender)
{
    json_t *o = json_object();
    if (!o || put(o, "tender_period", period_of(at(tender, "tenderPeriod"))) ||
        put(o, "award_period", period_of(at(tender, "awardPeriod"))) ||
        put(o, "planned_contract_period", period_of(at(tender, "contractPeriod")))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *contracts_of(const json_t *c)
{
    const json_t *contracts = json_object_get(c, "contracts");
    json_t *list = json_array();
    for (size_t i = 0; list && i < json_array_size(contracts); i++) {
        const json_t *k = json_array_get(contracts, i);
        if (!json_is_object(k))
            continue;
        json_t *o = json_object();
        if (!o || push(list, o) || put(o, "id", scalar_of(at(k, "id"))) ||
            put(o, "title", str_of(at(k, "title"))) || put(o, "value", money_of(at(k, "value"))) ||
            put(o, "date_signed", str_of(at(k, "dateSigned"))) ||
            put(o, "period", period_of(at(k, "period")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/*
 * The supplier entry for an organisation reference (a party, a bid's tenderer, an award's
 * supplier), found by id (or name) in index or added to list. NULL when memory runs out.
 */
static json_t *supplier_entry(const json_t *c, json_t *list, json_t *index, const json_t *ref)
{
    const char *id = str_at(ref, "id"), *name = str_at(ref, "name");
    sbuf key = {0};
    json_t *o = NULL;
    if ((id || name) && sbuf_printf(&key, "%s:%s", id ? "id" : "name", id ? id : name))
        return NULL;
    o = key.data ? json_object_get(index, key.data) : NULL;
    if (o) {
        sbuf_free(&key);
        return o;
    }
    const json_t *party = party_by_id(c, id);
    const json_t *orgnr = orgnr_of(at(ref, "identifier"));
    o = json_object();
    if (!o || push(list, o) || (key.data && json_object_set(index, key.data, o)) ||
        put(o, "id", str_of(at(ref, "id"))) ||
        put(o, "name", str_of(name ? at(ref, "name") : at(party, "name"))) ||
        put(o, "org_number", str_of(orgnr ? orgnr : orgnr_of(at(party, "identifier")))) ||
        put(o, "bid", json_null()) || put(o, "awarded", json_null()))
        o = NULL;
    sbuf_free(&key);
    return o;
}

/* Marks field of every organisation reference in refs true (and adds missing ones). */
static int mark_suppliers(const json_t *c, json_t *list, json_t *index, const json_t *refs,
                          const char *field)
{
    for (size_t i = 0; i < json_array_size(refs); i++) {
        const json_t *ref = json_array_get(refs, i);
        if (!json_is_object(ref))
            continue;
        json_t *o = supplier_entry(c, list, index, ref);
        if (!o || put(o, field, json_true()))
            return -1;
    }
    return 0;
}

/* Sets field of every entry still null to false: the list it comes from was recorded. */
static int settle(json_t *list, const char *field)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        if (json_is_null(json_object_get(o, field)) && put(o, field, json_false()))
            return -1;
    }
    return 0;
}

/* Suppliers and tenderers: parties so named, bids' tenderers, awards' suppliers. */
static json_t *suppliers_of(const json_t *c)
{
    const json_t *parties = json_object_get(c, "parties"), *bids = at(c, "bids/details");
    const json_t *awards = json_object_get(c, "awards");
    json_t *list = json_array(), *index = json_object();
    int rc = !list || !index;
    for (size_t i = 0; !rc && i < json_array_size(parties); i++) {
        const json_t *p = json_array_get(parties, i);
        if (json_is_object(p) && (has_role(p, "supplier") || has_role(p, "tenderer"))) {
            json_t *o = supplier_entry(c, list, index, p);
            rc = !o || (has_role(p, "tenderer") && put(o, "bid", json_true()));
        }
    }
    for (size_t i = 0; !rc && i < json_array_size(bids); i++)
        rc = mark_suppliers(c, list, index, at(json_array_get(bids, i), "tenderers"), "bid");
    if (!rc && json_array_size(bids))
        rc = settle(list, "bid");
    for (size_t i = 0; !rc && i < json_array_size(awards); i++)
        rc = mark_suppliers(c, list, index, at(json_array_get(awards, i), "suppliers"), "awarded");
    if (!rc && json_array_size(awards))
        rc = settle(list, "awarded");
    json_decref(index);
    if (rc) {
        json_decref(list);
        return NULL;
    }
    return list;
}

static json_t *quotes_of(const json_t *c)
{
    const json_t *quotes = at(c, "tender/quoteRequests");
    json_t *list = json_array();
    for (size_t i = 0; list && i < json_array_size(quotes); i++) {
        const json_t *q = json_array_get(quotes, i);
        if (!json_is_object(q))
            continue;
        const json_t *party = party_by_id(c, str_at(q, "supplier/id"));
        const json_t *name = at(q, "supplier/name");
        json_t *o = json_object();
        if (!o || push(list, o) || put(o, "supplier", str_of(json_is_string(name) ? name : at(party, "name"))) ||
            put(o, "org_number", str_of(orgnr_of(at(party, "identifier")))) ||
            put(o, "date", str_of(at(q, "date"))) || put(o, "responded", bool_of(at(q, "responded")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *procedure_of(const json_t *tender, plang lang)
{
    json_t *o = json_object();
    if (!o || put(o, "procedure_type", coded(at(tender, "procedureType"), PCODE_PROCEDURES, lang)) ||
        put(o, "procurement_method", coded(at(tender, "procurementMethod"), PCODE_METHODS, lang))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *facts_of(const json_t *c, plang lang)
{
    const json_t *tender = json_object_get(c, "tender");
    json_t *o = json_object();
    if (!o || put(o, "buyer", buyer_of(c)) || put(o, "subject", subject_of(tender, lang)) ||
        put(o, "estimated_value", money_of(at(tender, "value"))) ||
        put(o, "procedure", procedure_of(tender, lang)) || put(o, "dates", dates_of(tender)) ||
        put(o, "notices", notices_of(tender, lang)) || put(o, "contracts", contracts_of(c)) ||
        put(o, "suppliers", suppliers_of(c)) || put(o, "quote_requests", quotes_of(c))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- assessments -------------------------------------------------------------------- */

/* A new assessment {"kind", "label", ...} appended to list, or NULL. */
static json_t *assessment(json_t *list, const char *kind, ptext label, plang lang)
{
    json_t *o = json_object();
    if (!o || push(list, o) || put(o, "kind", json_string(kind)) ||
        put(o, "label", json_string(ptext_get(lang, label))))
        return NULL;
    return o;
}

/* Each assessment of the tender that is present, in a fixed order. */
static json_t *assessments_of(const json_t *tender, plang lang)
{
    static const struct {
        const char *field, *kind;
        ptext label;
    } SUITABILITY[] = {{"reservedAssessment", "reserved", T_RESERVED},
                       {"inclusiveAssessment", "inclusive", T_INCLUSIVE}};
    json_t *list = json_array(), *o;
    int rc = !list;
    for (size_t i = 0; !rc && i < sizeof SUITABILITY / sizeof SUITABILITY[0]; i++) {
        const json_t *a = json_object_get(tender, SUITABILITY[i].field);
        if (present(a))
            rc = !(o = assessment(list, SUITABILITY[i].kind, SUITABILITY[i].label, lang)) ||
                 put(o, "suitable", bool_of(at(a, "suitable"))) ||
                 put(o, "justification", str_of(at(a, "justification"))) ||
                 put(o, "date", str_of(at(a, "date")));
    }
    const json_t *climate = json_object_get(tender, "climateException");
    if (!rc && present(climate))
        rc = !(o = assessment(list, "climate_exception", T_CLIMATE, lang)) ||
             put(o, "reason", coded(at(climate, "reason"), PCODE_CLIMATE, lang)) ||
             put(o, "justification", str_of(at(climate, "justification")));
    const json_t *ground = json_object_get(tender, "negotiationJustification");
    if (!rc && present(ground))
        rc = !(o = assessment(list, "negotiation", T_NEGOTIATION, lang)) ||
             put(o, "ground", coded(ground, PCODE_GROUNDS, lang));
    const json_t *local = json_object_get(tender, "localQuotesJustification");
    if (!rc && present(local))
        rc = !(o = assessment(list, "local_quotes", T_LOCAL_QUOTES, lang)) ||
             put(o, "justification", str_of(local));
    const json_t *dialogue = json_object_get(tender, "marketDialogue");
    if (!rc && present(dialogue))
        rc = !(o = assessment(list, "market_dialogue", T_MARKET_DIALOGUE, lang)) ||
             put(o, "held", bool_of(at(dialogue, "held"))) || put(o, "date", str_of(at(dialogue, "date")));
    if (rc) {
        json_decref(list);
        return NULL;
    }
    return list;
}

/* ---- verdicts, forced moves, events ------------------------------------------------- */

static json_t *verdict_of(const json_t *v, plang lang)
{
    const json_t *evidence = json_object_get(v, "evidence");
    json_t *o = json_object();
    if (!o || put(o, "rule", str_of(at(v, "rule"))) || put(o, "title", str_of(at(v, "title"))) ||
        put(o, "stage", coded(at(v, "stage"), PCODE_STAGES, lang)) ||
        put(o, "outcome", coded(at(v, "outcome"), PCODE_OUTCOMES, lang)) ||
        put(o, "severity", str_of(at(v, "severity"))) || put(o, "message", str_of(at(v, "message"))) ||
        put(o, "source", str_of(at(v, "source"))) ||
        put(o, "evidence", evidence ? json_deep_copy(evidence) : json_null()) ||
        put(o, "evaluated_at", str_of(at(v, "evaluated_at"))) ||
        put(o, "ruleset_version", scalar_of(at(v, "ruleset_version")))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/*
 * Sets m's "verdict_counts" (the number per outcome) and "verdicts": grouped by stage in
 * stage order (unknown stages last), each group in input order.
 */
static int verdicts_of(const json_t *doc, plang lang, json_t *m)
{
    const json_t *verdicts = json_object_get(doc, "verdicts");
    size_t nstages = pcode_index(PCODE_STAGES, NULL);
    json_t *counts = put_new(m, "verdict_counts", json_object());
    json_t *list = put_new(m, "verdicts", json_array());
    int rc = !counts || !list;
    for (size_t i = 0; !rc && PCODE_OUTCOMES[i].code; i++)
        rc = put(counts, PCODE_OUTCOMES[i].code, json_integer(0));
    for (size_t stage = 0; !rc && stage <= nstages; stage++) {
        for (size_t i = 0; !rc && i < json_array_size(verdicts); i++) {
            const json_t *v = json_array_get(verdicts, i);
            if (!json_is_object(v) || pcode_index(PCODE_STAGES, str_at(v, "stage")) != stage)
                continue;
            const char *outcome = str_at(v, "outcome");
            json_t *count = outcome ? json_object_get(counts, outcome) : NULL;
            rc = push(list, verdict_of(v, lang)) ||
                 (count && json_integer_set(count, json_integer_value(count) + 1));
        }
    }
    return rc ? -1 : 0;
}

/* The rule ids of a forced move with each rule's title from the verdicts: [{"rule","title"}]. */
static json_t *refusing_rules_of(const json_t *doc, const json_t *rules)
{
    const json_t *verdicts = json_object_get(doc, "verdicts");
    json_t *list = json_array();
    for (size_t i = 0; list && i < json_array_size(rules); i++) {
        const json_t *r = json_array_get(rules, i);
        const json_t *id = json_is_string(r) ? r : json_object_get(r, "rule");
        if (!json_is_string(id))
            continue;
        const json_t *title = NULL;
        for (size_t j = 0; !title && j < json_array_size(verdicts); j++) {
            const json_t *v = json_array_get(verdicts, j);
            if (json_equal(json_object_get(v, "rule"), id) && json_is_string(at(v, "title")))
                title = at(v, "title");
        }
        json_t *o = json_object();
        if (!o || push(list, o) || put(o, "rule", str_of(id)) || put(o, "title", str_of(title))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *forced_moves_of(const json_t *doc, plang lang)
{
    const json_t *moves = json_object_get(doc, "forced_moves");
    json_t *list = json_array();
    for (size_t i = 0; list && i < json_array_size(moves); i++) {
        const json_t *m = json_array_get(moves, i);
        if (!json_is_object(m))
            continue;
        json_t *o = json_object();
        if (!o || push(list, o) || put(o, "from", coded(at(m, "from"), PCODE_STAGES, lang)) ||
            put(o, "to", coded(at(m, "to"), PCODE_STAGES, lang)) || put(o, "by", str_of(at(m, "by"))) ||
            put(o, "at", str_of(at(m, "at"))) || put(o, "reason", str_of(at(m, "reason"))) ||
            put(o, "rules", refusing_rules_of(doc, at(m, "rules")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *events_of(const json_t *doc, plang lang)
{
    const json_t *events = json_object_get(doc, "events");
    json_t *list = json_array();
    for (size_t i = 0; list && i < json_array_size(events); i++) {
        const json_t *e = json_array_get(events, i);
        if (!json_is_object(e))
            continue;
        json_t *o = json_object();
        if (!o || push(list, o) || put(o, "id", scalar_of(at(e, "id"))) ||
            put(o, "kind", coded(at(e, "kind"), PCODE_EVENT_KINDS, lang)) ||
            put(o, "release_id", scalar_of(at(e, "release_id"))) ||
            put(o, "stage", coded(at(e, "stage"), PCODE_STAGES, lang)) ||
            put(o, "date", str_of(at(e, "date"))) || put(o, "received_at", str_of(at(e, "received_at")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* ---- the whole model ---------------------------------------------------------------- */

/* The section headings, for readers of the JSON. */
static json_t *labels_of(plang lang)
{
    static const struct {
        const char *key;
        ptext text;
    } LABELS[] = {{"protocol", T_PROTOCOL},   {"facts", T_FACTS},
                  {"assessments", T_ASSESSMENTS}, {"verdicts", T_VERDICTS},
                  {"forced_moves", T_FORCED}, {"events", T_EVENTS}};
    json_t *o = json_object();
    for (size_t i = 0; o && i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (put(o, LABELS[i].key, json_string(ptext_get(lang, LABELS[i].text)))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

json_t *protocol_model(const json_t *doc, plang lang)
{
    const json_t *c = json_object_get(doc, "compiled");
    const json_t *ocid = json_object_get(doc, "ocid");
    json_t *m = json_object(), *ruleset = NULL;
    int rc = !m || put(m, "language", json_string(lang == PLANG_NN ? "nn" : "nb")) ||
             put(m, "labels", labels_of(lang)) ||
             put(m, "legal_basis", json_string(ptext_get(lang, T_LEGAL_BASIS))) ||
             put(m, "ocid", str_of(json_is_string(ocid) ? ocid : at(c, "ocid"))) ||
             put(m, "tender_title", str_of(at(c, "tender/title"))) ||
             !(ruleset = put_new(m, "ruleset", json_object())) ||
             put(ruleset, "id", str_of(at(doc, "ruleset"))) ||
             put(ruleset, "name", str_of(at(doc, "ruleset_name"))) ||
             put(m, "stage", coded(at(doc, "stage"), PCODE_STAGES, lang)) ||
             put(m, "generated_at", str_of(at(doc, "generated_at"))) ||
             put(m, "facts", facts_of(c, lang)) ||
             put(m, "assessments", assessments_of(json_object_get(c, "tender"), lang)) ||
             verdicts_of(doc, lang, m) || put(m, "forced_moves", forced_moves_of(doc, lang)) ||
             put(m, "events", events_of(doc, lang));
    if (rc) {
        json_decref(m);
        return NULL;
    }
    return m;
}
