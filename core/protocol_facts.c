/*
 * protocol_facts: the facts section of the protocol model (Fakta om anskaffelsen) from the
 * compiled release: buyer, subject and CPV codes, estimated value, procedure, dates,
 * notices, contracts, suppliers and tenderers, price quotes asked for. Missing or mistyped
 * fields become null; fails only when memory runs out.
 */
#include "protocol_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- reading the compiled release --------------------------------------------------- */

/* The party whose id is id, or NULL. */
static const json_t *party_by_id(const json_t *compiled, const char *id)
{
    const json_t *parties = json_object_get(compiled, "parties");
    for (size_t i = 0; id && i < json_array_size(parties); i++) {
        const json_t *p = json_array_get(parties, i);
        const char *pid = pm_str(p, "id");
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
    const char *scheme = pm_str(identifier, "scheme");
    if (!scheme || strcmp(scheme, "NO-BRC") != 0)
        return NULL;
    const json_t *id = json_object_get(identifier, "id");
    return json_is_string(id) ? id : NULL;
}

/* {"start", "end"} of an OCDS period. */
static json_t *period_of(const json_t *period)
{
    json_t *o = json_object();
    if (!o || pm_put(o, "start", pm_str_of(pm_at(period, "startDate"))) ||
        pm_put(o, "end", pm_str_of(pm_at(period, "endDate")))) {
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
    const char *currency = pm_str(value, "currency");
    json_t *o = json_object();
    sbuf text = {0};
    int rc = !o ||
             pm_put(o, "amount", json_is_number(amount) ? json_deep_copy(amount) : json_null()) ||
             pm_put(o, "currency", pm_str_of(json_object_get(value, "currency")));
    if (!rc && json_is_number(amount)) {
        const char *unit = !currency || strcmp(currency, "NOK") == 0 ? "kr" : currency;
        rc = add_amount(&text, json_number_value(amount)) ||
             sbuf_printf(&text, " %s ekskl. mva.", unit) ||
             pm_put(o, "text", json_stringn(text.data, text.len));
    } else if (!rc) {
        rc = pm_put(o, "text", json_null());
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
    const char *id = pm_str(c, "buyer/id");
    const json_t *party = party_by_id(c, id);
    const json_t *parties = json_object_get(c, "parties");
    for (size_t i = 0; !party && i < json_array_size(parties); i++)
        if (has_role(json_array_get(parties, i), "buyer"))
            party = json_array_get(parties, i);
    const json_t *name = pm_at(c, "buyer/name");
    json_t *o = json_object();
    if (!o || pm_put(o, "name", pm_str_of(json_is_string(name) ? name : pm_at(party, "name"))) ||
        pm_put(o, "org_number", pm_str_of(orgnr_of(pm_at(party, "identifier")))) ||
        pm_put(o, "municipality_code", pm_str_of(pm_at(party, "details/municipalityCode")))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* CPV codes of the items' classifications, each once: [{"code", "description"}]. */
static int add_cpv(json_t *list, const json_t *classification, const json_t *item)
{
    const char *scheme = pm_str(classification, "scheme");
    const json_t *code = json_object_get(classification, "id");
    if (!json_is_string(code) || (scheme && strcmp(scheme, "CPV") != 0))
        return 0;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (json_equal(json_object_get(json_array_get(list, i), "code"), code))
            return 0;
    const json_t *desc = json_object_get(classification, "description");
    json_t *o = json_object();
    if (!o || pm_push(list, o) || pm_put(o, "code", pm_str_of(code)) ||
        pm_put(o, "description",
               pm_str_of(json_is_string(desc) ? desc : pm_at(item, "description"))))
        return -1;
    return 0;
}

static json_t *subject_of(const json_t *tender, plang lang)
{
    json_t *o = json_object(), *cpv = NULL;
    const json_t *items = json_object_get(tender, "items");
    int rc =
        !o || pm_put(o, "title", pm_str_of(pm_at(tender, "title"))) ||
        pm_put(o, "description", pm_str_of(pm_at(tender, "description"))) ||
        pm_put(o, "category",
               pm_coded(pm_at(tender, "mainProcurementCategory"), PROTOCOL_CATEGORIES, lang)) ||
        !(cpv = pm_put_new(o, "cpv", json_array()));
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
        if (!o || pm_push(list, o) ||
            pm_put(o, "platform", pm_coded(pm_at(n, "platform"), PROTOCOL_PLATFORMS, lang)) ||
            pm_put(o, "id", pm_scalar_of(pm_at(n, "id"))) ||
            pm_put(o, "date_published", pm_str_of(pm_at(n, "datePublished")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *dates_of(const json_t *tender)
{
    json_t *o = json_object();
    if (!o || pm_put(o, "tender_period", period_of(pm_at(tender, "tenderPeriod"))) ||
        pm_put(o, "award_period", period_of(pm_at(tender, "awardPeriod"))) ||
        pm_put(o, "planned_contract_period", period_of(pm_at(tender, "contractPeriod")))) {
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
        if (!o || pm_push(list, o) || pm_put(o, "id", pm_scalar_of(pm_at(k, "id"))) ||
            pm_put(o, "title", pm_str_of(pm_at(k, "title"))) ||
            pm_put(o, "value", money_of(pm_at(k, "value"))) ||
            pm_put(o, "date_signed", pm_str_of(pm_at(k, "dateSigned"))) ||
            pm_put(o, "period", period_of(pm_at(k, "period")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

/* Sets key of supplier entry o to v when o has none yet and v is a string. */
static int fill(json_t *o, const char *key, const json_t *v)
{
    if (!json_is_string(v) || !json_is_null(json_object_get(o, key)))
        return 0;
    return pm_put(o, key, pm_str_of(v));
}

/*
 * The supplier entry for an organisation reference (a party, a bid's tenderer, an award's
 * supplier), found by id (or name) in index or added to list, with the name and the
 * organisation number this reference or its party knows. NULL when memory runs out.
 */
static json_t *supplier_entry(const json_t *c, json_t *list, json_t *index, const json_t *ref)
{
    const char *id = pm_str(ref, "id"), *name = pm_str(ref, "name");
    sbuf key = {0};
    if ((id || name) && sbuf_printf(&key, "%s:%s", id ? "id" : "name", id ? id : name))
        return NULL;
    json_t *o = key.data ? json_object_get(index, key.data) : NULL;
    if (!o) {
        o = json_object();
        if (!o || pm_push(list, o) || (key.data && json_object_set(index, key.data, o)) ||
            pm_put(o, "id", pm_str_of(pm_at(ref, "id"))) || pm_put(o, "name", json_null()) ||
            pm_put(o, "org_number", json_null()) || pm_put(o, "bid", json_null()) ||
            pm_put(o, "awarded", json_null()))
            o = NULL;
    }
    sbuf_free(&key);
    const json_t *party = party_by_id(c, id);
    const json_t *orgnr = orgnr_of(pm_at(ref, "identifier"));
    if (o && (fill(o, "name", name ? pm_at(ref, "name") : pm_at(party, "name")) ||
              fill(o, "org_number", orgnr ? orgnr : orgnr_of(pm_at(party, "identifier")))))
        o = NULL;
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
        if (!o || pm_put(o, field, json_true()))
            return -1;
    }
    return 0;
}

/* Sets field of every entry still null to false: the list it comes from was recorded. */
static int settle(json_t *list, const char *field)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        if (json_is_null(json_object_get(o, field)) && pm_put(o, field, json_false()))
            return -1;
    }
    return 0;
}

/* Suppliers and tenderers: parties so named, bids' tenderers, awards' suppliers. */
static json_t *suppliers_of(const json_t *c)
{
    const json_t *parties = json_object_get(c, "parties"), *bids = pm_at(c, "bids/details");
    const json_t *awards = json_object_get(c, "awards");
    json_t *list = json_array(), *index = json_object();
    int rc = !list || !index;
    for (size_t i = 0; !rc && i < json_array_size(parties); i++) {
        const json_t *p = json_array_get(parties, i);
        if (json_is_object(p) && (has_role(p, "supplier") || has_role(p, "tenderer"))) {
            json_t *o = supplier_entry(c, list, index, p);
            rc = !o || (has_role(p, "tenderer") && pm_put(o, "bid", json_true()));
        }
    }
    for (size_t i = 0; !rc && i < json_array_size(bids); i++)
        rc = mark_suppliers(c, list, index, pm_at(json_array_get(bids, i), "tenderers"), "bid");
    if (!rc && json_array_size(bids))
        rc = settle(list, "bid");
    for (size_t i = 0; !rc && i < json_array_size(awards); i++)
        rc = mark_suppliers(c, list, index, pm_at(json_array_get(awards, i), "suppliers"),
                            "awarded");
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
    const json_t *quotes = pm_at(c, "tender/quoteRequests");
    json_t *list = json_array();
    for (size_t i = 0; list && i < json_array_size(quotes); i++) {
        const json_t *q = json_array_get(quotes, i);
        if (!json_is_object(q))
            continue;
        const json_t *party = party_by_id(c, pm_str(q, "supplier/id"));
        const json_t *name = pm_at(q, "supplier/name");
        json_t *o = json_object();
        if (!o || pm_push(list, o) ||
            pm_put(o, "supplier", pm_str_of(json_is_string(name) ? name : pm_at(party, "name"))) ||
            pm_put(o, "org_number", pm_str_of(orgnr_of(pm_at(party, "identifier")))) ||
            pm_put(o, "date", pm_str_of(pm_at(q, "date"))) ||
            pm_put(o, "responded", pm_bool_of(pm_at(q, "responded")))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static json_t *procedure_of(const json_t *tender, plang lang)
{
    json_t *o = json_object();
    if (!o ||
        pm_put(o, "procedure_type",
               pm_coded(pm_at(tender, "procedureType"), PROTOCOL_PROCEDURES, lang)) ||
        pm_put(o, "procurement_method",
               pm_coded(pm_at(tender, "procurementMethod"), PROTOCOL_METHODS, lang))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *protocol_facts(const json_t *c, plang lang)
{
    const json_t *tender = json_object_get(c, "tender");
    json_t *o = json_object();
    if (!o || pm_put(o, "buyer", buyer_of(c)) || pm_put(o, "subject", subject_of(tender, lang)) ||
        pm_put(o, "estimated_value", money_of(pm_at(tender, "value"))) ||
        pm_put(o, "procedure", procedure_of(tender, lang)) ||
        pm_put(o, "dates", dates_of(tender)) || pm_put(o, "notices", notices_of(tender, lang)) ||
        pm_put(o, "contracts", contracts_of(c)) || pm_put(o, "suppliers", suppliers_of(c)) ||
        pm_put(o, "quote_requests", quotes_of(c))) {
        json_decref(o);
        return NULL;
    }
    return o;
}
