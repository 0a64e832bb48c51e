/*
 * protocol_model: the content of the protocol, built once from the document the store
 * assembles: the heading, the facts (protocol_facts.c), the assessments, the verdicts in
 * stage order with their count per outcome, the forced moves and the events. Every field
 * is checked for its JSON type; a missing or mistyped one becomes null, and codes carry
 * their Norwegian label. The JSON format prints this model as it is; protocol_layout.c
 * lays it out for people. Nothing here fails on content, only when memory runs out.
 */
#include "protocol_internal.h"

#include <string.h>

/* ---- assessments -------------------------------------------------------------------- */

/* A new assessment {"kind", "label", ...} appended to list, or NULL. */
static json_t *assessment(json_t *list, const char *kind, ptext label, plang lang)
{
    json_t *o = json_object();
    if (!o || pm_push(list, o) || pm_put(o, "kind", json_string(kind)) ||
        pm_put(o, "label", json_string(protocol_text(lang, label))))
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
        if (pm_present(a))
            rc = !(o = assessment(list, SUITABILITY[i].kind, SUITABILITY[i].label, lang)) ||
                 pm_put(o, "suitable", pm_bool_of(pm_at(a, "suitable"))) ||
                 pm_put(o, "justification", pm_str_of(pm_at(a, "justification"))) ||
                 pm_put(o, "date", pm_str_of(pm_at(a, "date")));
    }
    const json_t *climate = json_object_get(tender, "climateException");
    if (!rc && pm_present(climate))
        rc = !(o = assessment(list, "climate_exception", T_CLIMATE, lang)) ||
             pm_put(o, "reason", pm_coded(pm_at(climate, "reason"), PROTOCOL_CLIMATE, lang)) ||
             pm_put(o, "justification", pm_str_of(pm_at(climate, "justification")));
    const json_t *ground = json_object_get(tender, "negotiationJustification");
    if (!rc && pm_present(ground))
        rc = !(o = assessment(list, "negotiation", T_NEGOTIATION, lang)) ||
             pm_put(o, "ground", pm_coded(ground, PROTOCOL_GROUNDS, lang));
    const json_t *local = json_object_get(tender, "localQuotesJustification");
    if (!rc && pm_present(local))
        rc = !(o = assessment(list, "local_quotes", T_LOCAL_QUOTES, lang)) ||
             pm_put(o, "justification", pm_str_of(local));
    const json_t *dialogue = json_object_get(tender, "marketDialogue");
    if (!rc && pm_present(dialogue))
        rc = !(o = assessment(list, "market_dialogue", T_MARKET_DIALOGUE, lang)) ||
             pm_put(o, "held", pm_bool_of(pm_at(dialogue, "held"))) ||
             pm_put(o, "date", pm_str_of(pm_at(dialogue, "date")));
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
    if (!o || pm_put(o, "rule", pm_str_of(pm_at(v, "rule"))) ||
        pm_put(o, "title", pm_str_of(pm_at(v, "title"))) ||
        pm_put(o, "stage", pm_coded(pm_at(v, "stage"), PROTOCOL_STAGES, lang)) ||
        pm_put(o, "outcome", pm_coded(pm_at(v, "outcome"), PROTOCOL_OUTCOMES, lang)) ||
        pm_put(o, "severity", pm_str_of(pm_at(v, "severity"))) ||
        pm_put(o, "message", pm_str_of(pm_at(v, "message"))) ||
        pm_put(o, "source", pm_str_of(pm_at(v, "source"))) ||
        pm_put(o, "evidence", evidence ? json_deep_copy(evidence) : json_null()) ||
        pm_put(o, "evaluated_at", pm_str_of(pm_at(v, "evaluated_at"))) ||
        pm_put(o, "ruleset_version", pm_scalar_of(pm_at(v, "ruleset_version")))) {
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
    size_t nstages = protocol_code_index(PROTOCOL_STAGES, NULL);
    json_t *counts = pm_put_new(m, "verdict_counts", json_object());
    json_t *list = pm_put_new(m, "verdicts", json_array());
    int rc = !counts || !list;
    for (size_t i = 0; !rc && PROTOCOL_OUTCOMES[i].code; i++)
        rc = pm_put(counts, PROTOCOL_OUTCOMES[i].code, json_integer(0));
    for (size_t stage = 0; !rc && stage <= nstages; stage++) {
        for (size_t i = 0; !rc && i < json_array_size(verdicts); i++) {
            const json_t *v = json_array_get(verdicts, i);
            if (!json_is_object(v) ||
                protocol_code_index(PROTOCOL_STAGES, pm_str(v, "stage")) != stage)
                continue;
            const char *outcome = pm_str(v, "outcome");
            json_t *count = outcome ? json_object_get(counts, outcome) : NULL;
            rc = pm_push(list, verdict_of(v, lang)) ||
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
            if (json_equal(json_object_get(v, "rule"), id) && json_is_string(pm_at(v, "title")))
                title = pm_at(v, "title");
        }
        json_t *o = json_object();
        if (!o || pm_push(list, o) || pm_put(o, "rule", pm_str_of(id)) ||
            pm_put(o, "title", pm_str_of(title))) {
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
        if (!o || pm_push(list, o) ||
            pm_put(o, "from", pm_coded(pm_at(m, "from"), PROTOCOL_STAGES, lang)) ||
            pm_put(o, "to", pm_coded(pm_at(m, "to"), PROTOCOL_STAGES, lang)) ||
            pm_put(o, "by", pm_str_of(pm_at(m, "by"))) ||
            pm_put(o, "at", pm_str_of(pm_at(m, "at"))) ||
            pm_put(o, "reason", pm_str_of(pm_at(m, "reason"))) ||
            pm_put(o, "rules", refusing_rules_of(doc, pm_at(m, "rules")))) {
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
        if (!o || pm_push(list, o) || pm_put(o, "id", pm_scalar_of(pm_at(e, "id"))) ||
            pm_put(o, "kind", pm_coded(pm_at(e, "kind"), PROTOCOL_EVENT_KINDS, lang)) ||
            pm_put(o, "release_id", pm_scalar_of(pm_at(e, "release_id"))) ||
            pm_put(o, "stage", pm_coded(pm_at(e, "stage"), PROTOCOL_STAGES, lang)) ||
            pm_put(o, "date", pm_str_of(pm_at(e, "date"))) ||
            pm_put(o, "received_at", pm_str_of(pm_at(e, "received_at")))) {
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
    } LABELS[] = {{"protocol", T_PROTOCOL},       {"facts", T_FACTS},
                  {"assessments", T_ASSESSMENTS}, {"verdicts", T_VERDICTS},
                  {"forced_moves", T_FORCED},     {"events", T_EVENTS}};
    json_t *o = json_object();
    for (size_t i = 0; o && i < sizeof LABELS / sizeof LABELS[0]; i++)
        if (pm_put(o, LABELS[i].key, json_string(protocol_text(lang, LABELS[i].text)))) {
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
    int rc = !m || pm_put(m, "language", json_string(lang == PLANG_NN ? "nn" : "nb")) ||
             pm_put(m, "labels", labels_of(lang)) ||
             pm_put(m, "legal_basis", json_string(protocol_text(lang, T_LEGAL_BASIS))) ||
             pm_put(m, "ocid", pm_str_of(json_is_string(ocid) ? ocid : pm_at(c, "ocid"))) ||
             pm_put(m, "tender_title", pm_str_of(pm_at(c, "tender/title"))) ||
             !(ruleset = pm_put_new(m, "ruleset", json_object())) ||
             pm_put(ruleset, "id", pm_str_of(pm_at(doc, "ruleset"))) ||
             pm_put(ruleset, "name", pm_str_of(pm_at(doc, "ruleset_name"))) ||
             pm_put(m, "stage", pm_coded(pm_at(doc, "stage"), PROTOCOL_STAGES, lang)) ||
             pm_put(m, "generated_at", pm_str_of(pm_at(doc, "generated_at"))) ||
             pm_put(m, "facts", protocol_facts(c, lang)) ||
             pm_put(m, "assessments", assessments_of(json_object_get(c, "tender"), lang)) ||
             verdicts_of(doc, lang, m) || pm_put(m, "forced_moves", forced_moves_of(doc, lang)) ||
             pm_put(m, "events", events_of(doc, lang));
    if (rc) {
        json_decref(m);
        return NULL;
    }
    return m;
}
