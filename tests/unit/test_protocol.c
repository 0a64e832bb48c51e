/*
 * test_protocol: the procurement protocol in Markdown, HTML and JSON: every section of a
 * full document, bokmål and nynorsk, escaping, stage order, missing and mistyped fields,
 * unknown formats, and memory running out at every allocation jansson makes.
 */
#include "test.h"
#include "protocol.h"
#include "protocol_internal.h"

#include <stdlib.h>

#define FULL "tests/unit/data/protocol-full.json"

/* ---- helpers ---- */

/* The JSON value of s written with ' for ", or NULL with a note. */
static json_t *js(const char *s)
{
    char *text = strdup(s);
    json_error_t je;
    json_t *v = NULL;
    if (text) {
        for (char *p = text; *p; p++)
            *p = *p == '\'' ? '"' : *p;
        v = json_loads(text, JSON_DECODE_ANY, &je);
        if (!v)
            fprintf(stderr, "  test JSON does not parse: %s\n", je.text);
    }
    free(text);
    return v;
}

/* The full fixture document, or NULL with a note. */
static json_t *full_doc(void)
{
    json_error_t je;
    json_t *doc = json_load_file(FULL, 0, &je);
    if (!doc)
        fprintf(stderr, "  cannot read %s (run from the repository root): %s\n", FULL, je.text);
    return doc;
}

/* Renders doc as format into a fresh heap string (NULL on failure, with a note). */
static char *render(const json_t *doc, const char *format)
{
    sbuf out = {0};
    anbud_err err = {0};
    int rc = protocol_render(doc, format, &out, &err);
    if (rc != ANBUD_OK) {
        fprintf(stderr, "  protocol_render(%s) = %d: %s\n", format, rc, err.msg);
        sbuf_free(&out);
        return NULL;
    }
    return out.data;
}

/* Sets compiled.tender.<key> to v (taking it). */
static void set_tender(json_t *doc, const char *key, json_t *v)
{
    json_object_set_new(json_object_get(json_object_get(doc, "compiled"), "tender"), key, v);
}

/* True when every needle (NULL-terminated) is in text; names the first missing one. */
static int has_all(const char *text, const char *const *needles)
{
    for (; *needles; needles++)
        if (!strstr(text, *needles)) {
            fprintf(stderr, "  missing: %s\n", *needles);
            return 0;
        }
    return 1;
}

/* True when v is the string s. */
static int str_is(const json_t *v, const char *s)
{
    return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

/* How many times needle occurs in text. */
static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

/* What each format must show of the full fixture (beside its labels). */
static const char *const FULL_FACTS[] = {
    "ocds-anbud-bergen-2025-042", "Renhold av rådhuset", "Bergen kommune", "964338531", "4601",
    "Daglig renhold av Bergen rådhus", "tjenester", "90911200-8", "90911300-9", "Vindusvask",
    "1 300 000 kr ekskl. mva.", "åpen anbudskonkurranse", "Doffin", "2025-102377",
    "Fjord Renhold AS", "907688372", "Vestland Vask AS", "971544759", "Askøy Glass AS", "921527160",
    "Renholdsavtale rådhuset", "1 234 567,50 kr",
    /* assessments with their justification */
    "ikke kapasitet til daglig renhold", "egner seg for arbeidstrening",
    "Kjøpet har lite klimaavtrykk", "ubetydelig klima- og miljøavtrykk", "FOA § 13-2 (1) c",
    "Bare to lokale leverandører finnes.",
    /* every verdict's rule id and source */
    "no.award-notice", "FOA § 25-1", "no.doffin-notice", "FOA § 21-1", "bergen.market-dialogue",
    "innkjøpsstrategi, punkt 4.2", "bergen.full-time", "Byrådsvedtak 1234/20",
    "no.negotiation-grounds", "FOA § 13-2", "bergen.broken", "intern rutine",
    /* the forced move and the events */
    "Tildeling må skje før budsjettåret lukkes", "kari.nordmann@bergen.kommune.no", "rel-01",
    "rel-02", "rel-03", NULL};

/* ---- each format on the full document ---- */

static void test_md_full_document(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    char *md = render(doc, "md");
    json_decref(doc);
    CHECK(md);
    static const char *const labels[] = {"# Anskaffelsesprotokoll: Renhold av rådhuset",
                                         "## Fakta om anskaffelsen",
                                         "**Oppdragsgiver:** Bergen kommune",
                                         "**Kommunenummer:** 4601",
                                         "## Vurderinger",
                                         "### Vurdering av reservert kontrakt",
                                         "**Begrunnelse:**",
                                         "**Egnet:** nei",
                                         "## Kontroller (regelvurderinger)",
                                         "| Regel | Tittel | Fase | Resultat | Melding | Kilde |",
                                         "## Tvungne fasebytte",
                                         "## Hendelseslogg",
                                         "**Regelsett:** Bergen kommune (bergen)",
                                         "**Generert:** 01.06.2025 kl. 10:00 UTC",
                                         NULL};
    int ok = has_all(md, FULL_FACTS) && has_all(md, labels);
    free(md);
    CHECK(ok);
}

static void test_html_full_document(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    char *html = render(doc, "html");
    json_decref(doc);
    CHECK(html);
    static const char *const page[] = {
        "<!DOCTYPE html>",
        "<html lang=\"nb\">",
        "<meta charset=\"utf-8\">",
        "@page{size:A4",
        "table-layout:fixed",
        "page-break-inside:avoid",
        "thead{display:table-header-group}",
        "overflow-wrap:anywhere",
        "<h1>Anskaffelsesprotokoll: Renhold av rådhuset</h1>",
        "<th scope=\"row\">Oppdragsgiver</th><td>Bergen kommune</td>",
        "<h2>Kontroller (regelvurderinger)</h2>",
        "<th scope=\"col\">Kilde</th>",
        NULL};
    int ok = has_all(html, FULL_FACTS) && has_all(html, page) && !strstr(html, "<script") &&
             !strstr(html, "http://") && !strstr(html, "https://") && !strstr(html, "src=") &&
             count(html, "<table") == count(html, "</table>") &&
             count(html, "<tr") == count(html, "</tr>") &&
             count(html, "<td>") == count(html, "</td>") &&
             strcmp(html + strlen(html) - 8, "</html>\n") == 0;
    free(html);
    CHECK(ok);
}

static void test_json_full_document(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    char *text = render(doc, "json");
    json_decref(doc);
    CHECK(text);
    json_error_t je;
    json_t *m = json_loads(text, 0, &je);
    int has_facts = m && has_all(text, FULL_FACTS);
    free(text);
    CHECK(m);
    const json_t *facts = json_object_get(m, "facts");
    const json_t *verdicts = json_object_get(m, "verdicts");
    const json_t *forced = json_array_get(json_object_get(m, "forced_moves"), 0);
    const json_t *suppliers = json_object_get(facts, "suppliers");
    int ok =
        has_facts && json_array_size(verdicts) == 6 &&
        json_array_size(json_object_get(m, "events")) == 3 &&
        json_array_size(json_object_get(m, "assessments")) == 6 &&
        json_array_size(suppliers) == 3 &&
        str_is(json_object_get(json_object_get(facts, "buyer"), "org_number"), "964338531") &&
        json_is_true(json_object_get(json_array_get(suppliers, 0), "awarded")) &&
        json_is_false(json_object_get(json_array_get(suppliers, 1), "awarded")) &&
        json_is_true(json_object_get(json_array_get(suppliers, 1), "bid")) &&
        json_is_false(json_object_get(json_array_get(suppliers, 2), "bid")) &&
        json_integer_value(json_object_get(json_object_get(m, "verdict_counts"), "fail")) == 1 &&
        str_is(json_object_get(json_object_get(json_array_get(verdicts, 0), "outcome"), "label"),
               "oppfylt") &&
        str_is(json_object_get(forced, "reason"),
               "Tildeling må skje før budsjettåret lukkes; TED-kunngjøring ettersendes.") &&
        str_is(json_object_get(json_array_get(json_object_get(forced, "rules"), 0), "title"),
               "Kunngjøring i Doffin");
    json_decref(m);
    CHECK(ok);
}

/* ---- order, language, emphasis ---- */

static void test_verdicts_in_stage_order(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    json_array_append_new(json_object_get(doc, "verdicts"),
                          json_pack("{s:s, s:s, s:s}", "rule", "x.unknown-stage", "stage", "later",
                                    "outcome", "pass"));
    char *md = render(doc, "md");
    json_decref(doc);
    CHECK(md);
    /* planning, then tender in input order, award, contract, unknown stages last */
    static const char *const order[] = {
        "bergen.market-dialogue", "no.doffin-notice", "no.negotiation-grounds", "bergen.broken",
        "no.award-notice",        "bergen.full-time", "x.unknown-stage"};
    const char *table = strstr(md, "| Regel |"), *prev = table;
    int ok = table != NULL;
    for (size_t i = 0; ok && i < sizeof order / sizeof order[0]; i++) {
        const char *at = strstr(table, order[i]);
        ok = at && at > prev;
        prev = at;
    }
    free(md);
    CHECK(ok);
}

static void test_bokmal_labels(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    char *md = render(doc, "md");
    json_decref(doc);
    CHECK(md);
    static const char *const nb[] = {
        "Anskaffelsesprotokoll", "Oppdragsgiver", "Leverandør",
        "Begrunnelse",           "Kilde",         "Fakta om anskaffelsen",
        "ikke oppfylt",          "må vurderes",   "til orientering",
        "ikke aktuelt",          "regelfeil",     "Hendelseslogg",
        "Tvungne fasebytte",     "Beskrivelse",   NULL};
    int ok = has_all(md, nb) && !strstr(md, "Oppdragsgjevar") && !strstr(md, "Kjelde") &&
             !strstr(md, "ikkje");
    free(md);
    CHECK(ok);
}

static void test_nynorsk_labels(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    json_object_set_new(doc, "language", json_string("nn"));
    char *md = render(doc, "md"), *html = render(doc, "html");
    json_decref(doc);
    static const char *const nn[] = {"Anskaffingsprotokoll",
                                     "Oppdragsgjevar",
                                     "Leverandør",
                                     "Grunngjeving",
                                     "Kjelde",
                                     "Fakta om anskaffinga",
                                     "ikkje oppfylt",
                                     "må vurderast",
                                     "ikkje aktuelt",
                                     "Hendingslogg",
                                     "Tvinga fasebyte",
                                     "Skildring",
                                     "tenester",
                                     "open anbodskonkurranse",
                                     NULL};
    int ok = md && html && has_all(md, nn) && has_all(html, nn) &&
             strstr(html, "<html lang=\"nn\">") && !strstr(md, "Oppdragsgiver") &&
             !strstr(md, "**Begrunnelse:**") && !strstr(md, "| Kilde |") &&
             !strstr(md, "ikke oppfylt") && !strstr(md, "ikke aktuelt") &&
             !strstr(html, ">Oppdragsgiver<") && !strstr(html, ">Kilde<");
    free(md);
    free(html);
    CHECK(ok);
}

static void test_language_from_compiled_release(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    json_object_del(doc, "language");
    json_object_set_new(json_object_get(doc, "compiled"), "language", json_string("nn"));
    char *md = render(doc, "md");
    json_decref(doc);
    CHECK(md);
    int ok = strstr(md, "Anskaffingsprotokoll") != NULL;
    free(md);
    CHECK(ok);
}

static void test_fails_and_warnings_stand_out(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    char *md = render(doc, "md"), *html = render(doc, "html");
    json_decref(doc);
    static const char *const md_marks[] = {
        "**✗ ikke oppfylt**",
        "**⚠ må vurderes**",
        "**✗ regelfeil**",
        "✓ oppfylt",
        "**✗ 6 kontroller: 1 oppfylt, 1 ikke oppfylt, 1 må vurderes, 1 til orientering, 1 ikke "
        "aktuelt, 1 regelfeil**",
        NULL};
    static const char *const html_marks[] = {"<tr class=\"r-fail\">",
                                             "<tr class=\"r-warn\">",
                                             "<span class=\"o-fail\">✗ ikke oppfylt</span>",
                                             "<span class=\"o-warn\">⚠ må vurderes</span>",
                                             "<p class=\"o-fail\">✗ 6 kontroller:",
                                             "<span class=\"note\">til orientering</span>",
                                             "<span class=\"o-pass\">✓ oppfylt</span>",
                                             NULL};
    int ok = md && html && has_all(md, md_marks) && has_all(html, html_marks);
    free(md);
    free(html);
    CHECK(ok);
}

static void test_no_forced_moves_said(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    json_object_del(doc, "forced_moves");
    char *nb = render(doc, "md");
    json_object_set_new(doc, "language", json_string("nn"));
    char *nn = render(doc, "html");
    json_decref(doc);
    int ok = nb && nn && strstr(nb, "Ingen fasebytte er tvunget gjennom.") &&
             strstr(nn, "Ingen fasebyte er tvinga gjennom.");
    free(nb);
    free(nn);
    CHECK(ok);
}

/* ---- escaping ---- */

static void test_html_escapes_every_text(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    set_tender(doc, "title", json_string("<script>alert(\"x\")&'</script>"));
    json_object_set_new(json_array_get(json_object_get(doc, "verdicts"), 0), "message",
                        json_string("<img src=x onerror=alert(1)>\nline two"));
    json_object_set_new(doc, "ruleset_name", json_string("Bergen & \"Co\" <b>"));
    char *html = render(doc, "html");
    json_decref(doc);
    CHECK(html);
    static const char *const escaped[] = {
        "&lt;script&gt;alert(&quot;x&quot;)&amp;&#39;&lt;/script&gt;",
        "<title>Anskaffelsesprotokoll: &lt;script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;<br>line two", "Bergen &amp; &quot;Co&quot; &lt;b&gt;",
        NULL};
    int ok = has_all(html, escaped) && !strstr(html, "<script") && !strstr(html, "<img") &&
             !strstr(html, "<b>");
    free(html);
    CHECK(ok);
}

static void test_md_escapes_pipes_and_line_breaks(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    json_t *v = json_array_get(json_object_get(doc, "verdicts"), 0);
    json_object_set_new(v, "message", json_string("a | b\nc\r\nd"));
    json_object_set_new(v, "source", json_string("FOA | § 1 *bold* <b> [x](y) `c` &amp;"));
    set_tender(doc, "title", json_string("# Title\nwith | pipe"));
    char *md = render(doc, "md");
    json_decref(doc);
    CHECK(md);
    int ok = strstr(md, "a \\| b<br>c<br>d") &&
             strstr(md, "FOA \\| § 1 \\*bold\\* \\<b\\> \\[x\\](y) \\`c\\` \\&amp;") &&
             strstr(md, "# Anskaffelsesprotokoll: \\# Title with \\| pipe\n");
    /* every row of the verdict table still has its seven column bars */
    const char *row = strstr(md, "| `no.award-notice`");
    const char *end = row ? strchr(row, '\n') : NULL;
    size_t bars = 0;
    for (const char *p = row; ok && p && p < end; p++)
        bars += *p == '|' && p[-1] != '\\';
    free(md);
    CHECK(ok);
    CHECK_INT(bars, 7);
}

/* ---- missing and mistyped fields ---- */

static void test_missing_fields(void)
{
    json_t *doc = json_object();
    char *md = render(doc, "md"), *html = render(doc, "html"), *text = render(doc, "json");
    json_decref(doc);
    json_t *m = text ? json_loads(text, 0, NULL) : NULL;
    static const char *const said[] = {"ikke oppgitt",
                                       "Ingen kunngjøringer er registrert.",
                                       "Ingen leverandører er registrert.",
                                       "Ingen vurderinger er registrert.",
                                       "Ingen regelvurderinger er registrert.",
                                       "Ingen fasebytte er tvunget gjennom.",
                                       "Ingen hendelser er registrert.",
                                       NULL};
    int ok = md && html && m && has_all(md, said) && has_all(html, said) &&
             strstr(md, "# Anskaffelsesprotokoll\n") && strstr(md, "**OCID:** *ikke oppgitt*") &&
             strstr(html, "<span class=\"missing\">ikke oppgitt</span>") &&
             json_is_null(json_object_get(m, "ocid")) &&
             json_is_null(json_object_get(
                 json_object_get(json_object_get(m, "facts"), "estimated_value"), "amount"));
    free(md);
    free(html);
    free(text);
    json_decref(m);
    CHECK(ok);
}

static void test_null_document(void)
{
    char *md = render(NULL, "md"), *html = render(NULL, "html"), *text = render(NULL, "json");
    int ok = md && html && text && strstr(md, "ikke oppgitt");
    free(md);
    free(html);
    free(text);
    CHECK(ok);
}

static void test_wrong_types_at_the_top(void)
{
    json_t *doc = js("{'ocid': 5, 'stage': ['x'], 'ruleset': {}, 'ruleset_name': 7, "
                     "'language': true, 'generated_at': 12, 'compiled': 'nope', "
                     "'events': {'id': 1}, 'verdicts': 'many', 'forced_moves': 3}");
    CHECK(doc);
    char *md = render(doc, "md"), *html = render(doc, "html"), *text = render(doc, "json");
    json_decref(doc);
    int ok = md && html && text && strstr(md, "**OCID:** *ikke oppgitt*") &&
             strstr(md, "**Regelsett:** *ikke oppgitt*") &&
             strstr(md, "Ingen regelvurderinger er registrert.");
    free(md);
    free(html);
    free(text);
    CHECK(ok);
}

static void test_wrong_types_inside(void)
{
    json_t *doc =
        js("{'compiled': {'buyer': 'x', 'parties': [1, {'id': 5, 'roles': 'supplier'}, "
           "{'id': 'p', 'roles': ['supplier'], 'identifier': 'x', 'name': ['n']}], "
           "'tender': {'title': 5, 'items': [3, {'classification': 'x'}], "
           "'value': {'amount': '1000'}, 'mainProcurementCategory': 4, 'notices': [1, "
           "{'platform': 3, 'id': {}, 'datePublished': 'soon'}], 'tenderPeriod': 'x', "
           "'quoteRequests': [{'supplier': 'x', 'responded': 'yes'}], "
           "'reservedAssessment': 'yes', 'inclusiveAssessment': {'suitable': 'yes', "
           "'justification': 7}, 'climateException': {'reason': 9}, 'negotiationJustification': "
           "11, 'marketDialogue': [], 'localQuotesJustification': null}, "
           "'bids': {'details': {'x': 1}}, 'awards': [{'suppliers': 'x'}, 2], "
           "'contracts': [5, {'value': 'x', 'period': [], 'dateSigned': 3}]}, "
           "'verdicts': [1, {'rule': 2, 'stage': 3, 'outcome': {}, 'message': null}], "
           "'forced_moves': [{'rules': 'x', 'from': 1}, 'y', {'rules': [1, {'rule': 'r'}]}], "
           "'events': [null, {'id': 'e', 'stage': 'nowhere', 'received_at': 'then'}]}");
    CHECK(doc);
    char *md = render(doc, "md"), *html = render(doc, "html"), *text = render(doc, "json");
    json_decref(doc);
    json_t *m = text ? json_loads(text, 0, NULL) : NULL;
    const json_t *facts = json_object_get(m, "facts");
    int ok = md && html && m && strstr(md, "### Vurdering av reservert kontrakt") &&
             strstr(md, "**Egnet:** *ikke oppgitt*") && !strstr(md, "Begrunnelse for færre") &&
             strstr(md, "| soon |") && strstr(md, "| nowhere |") &&
             json_array_size(json_object_get(m, "verdicts")) == 1 &&
             json_array_size(json_object_get(m, "forced_moves")) == 2 &&
             json_array_size(json_object_get(facts, "contracts")) == 1 &&
             json_array_size(json_object_get(facts, "suppliers")) == 1 &&
             json_is_null(json_object_get(json_object_get(facts, "estimated_value"), "text"));
    free(md);
    free(html);
    free(text);
    json_decref(m);
    CHECK(ok);
}

/* The model's suppliers of a compiled release written as s. */
static json_t *suppliers(const char *s)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "compiled", js(s));
    char *text = render(doc, "json");
    json_decref(doc);
    json_t *m = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *list = json_incref(json_object_get(json_object_get(m, "facts"), "suppliers"));
    json_decref(m);
    return list;
}

/* True when supplier i of list has this name, org number, and bid and awarded (1, 0, -1 null). */
static int supplier_is(const json_t *list, size_t i, const char *name, const char *orgnr, int bid,
                       int awarded)
{
    const json_t *s = json_array_get(list, i);
    const json_t *b = json_object_get(s, "bid"), *a = json_object_get(s, "awarded");
    int ok = str_is(json_object_get(s, "name"), name) &&
             (orgnr ? str_is(json_object_get(s, "org_number"), orgnr)
                    : json_is_null(json_object_get(s, "org_number"))) &&
             (bid < 0 ? json_is_null(b) : json_is_boolean(b) && json_is_true(b) == bid) &&
             (awarded < 0 ? json_is_null(a) : json_is_boolean(a) && json_is_true(a) == awarded);
    if (!ok)
        fprintf(stderr, "  supplier %zu is not %s\n", i, name);
    return ok;
}

static void test_suppliers_from_every_source(void)
{
    /* no bids or awards recorded: whether they bid or won is not known */
    json_t *list = suppliers("{'parties': [{'id': 'A', 'name': 'A AS', 'roles': ['supplier'], "
                             "'identifier': {'scheme': 'NO-BRC', 'id': '907688372'}}, "
                             "{'id': 'B', 'name': 'B AS', 'roles': ['tenderer']}, "
                             "{'id': 'K', 'name': 'Kommunen', 'roles': ['buyer']}]}");
    int ok = json_array_size(list) == 2 && supplier_is(list, 0, "A AS", "907688372", -1, -1) &&
             supplier_is(list, 1, "B AS", NULL, 1, -1);
    json_decref(list);
    CHECK(ok);
    /* bids and awards name suppliers the parties do not, and add what earlier references left
     * out; an identifier of another scheme is no organisation number */
    list = suppliers("{'parties': [{'id': 'A', 'name': 'A AS', 'roles': ['supplier'], "
                     "'identifier': {'scheme': 'GB-COH', 'id': '123'}}], "
                     "'bids': {'details': [{'tenderers': [{'id': 'C', 'name': 'C AS'}, "
                     "{'id': 'A'}]}, {'tenderers': [{'name': 'D AS'}]}]}, "
                     "'awards': [{'suppliers': [{'id': 'C', 'name': 'C AS', 'identifier': "
                     "{'scheme': 'NO-BRC', 'id': '971544759'}}]}]}");
    ok = json_array_size(list) == 3 && supplier_is(list, 0, "A AS", NULL, 1, 0) &&
         supplier_is(list, 1, "C AS", "971544759", 1, 1) &&
         supplier_is(list, 2, "D AS", NULL, 1, 0);
    json_decref(list);
    CHECK(ok);
}

/* ---- texts, values, dates ---- */

static void test_every_text_in_both_languages(void)
{
    for (int id = 0; id < T_COUNT; id++) {
        CHECK(*protocol_text(PLANG_NB, (ptext)id) != '\0');
        CHECK(*protocol_text(PLANG_NN, (ptext)id) != '\0');
    }
    const pcode *const tables[] = {PROTOCOL_STAGES,     PROTOCOL_OUTCOMES, PROTOCOL_CATEGORIES,
                                   PROTOCOL_PROCEDURES, PROTOCOL_METHODS,  PROTOCOL_PLATFORMS,
                                   PROTOCOL_CLIMATE,    PROTOCOL_GROUNDS,  PROTOCOL_EVENT_KINDS};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const pcode *c = tables[t]; c->code; c++)
            CHECK(c->nb && *c->nb && c->nn && *c->nn);
    CHECK_STR(protocol_code_label(PROTOCOL_OUTCOMES, "fail", PLANG_NN), "ikkje oppfylt");
    CHECK(protocol_code_label(PROTOCOL_OUTCOMES, "maybe", PLANG_NB) == NULL);
}

/* The written estimated value of a document whose tender value is v. */
static char *value_text(json_t *v)
{
    json_t *doc = js("{'compiled': {'tender': {}}}");
    set_tender(doc, "value", v);
    char *text = render(doc, "json");
    json_decref(doc);
    json_t *m = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    const char *s = json_string_value(
        json_object_get(json_object_get(json_object_get(m, "facts"), "estimated_value"), "text"));
    char *copy = s ? strdup(s) : NULL;
    json_decref(m);
    return copy;
}

static void test_amounts_written_in_norwegian(void)
{
    static const struct {
        const char *value, *text;
    } cases[] = {
        {"{'amount': 1300000, 'currency': 'NOK'}", "1 300 000 kr ekskl. mva."},
        {"{'amount': 999}", "999 kr ekskl. mva."},
        {"{'amount': 1000}", "1 000 kr ekskl. mva."},
        {"{'amount': 1234567.5}", "1 234 567,50 kr ekskl. mva."},
        {"{'amount': 12.05}", "12,05 kr ekskl. mva."},
        {"{'amount': 0}", "0 kr ekskl. mva."},
        {"{'amount': -0.001}", "0 kr ekskl. mva."},
        {"{'amount': -2500}", "-2 500 kr ekskl. mva."},
        {"{'amount': 100, 'currency': 'EUR'}", "100 EUR ekskl. mva."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = value_text(js(cases[i].value));
        int same = text && strcmp(text, cases[i].text) == 0;
        if (!same)
            fprintf(stderr, "  %s gave \"%s\"\n", cases[i].value, text ? text : "(null)");
        free(text);
        CHECK(same);
    }
    char *huge = value_text(js("{'amount': 1e300}"));
    int ok = huge && strstr(huge, " kr ekskl. mva.");
    free(huge);
    CHECK(ok);
}

static void test_dates_written_in_norwegian(void)
{
    json_t *doc = js("{'generated_at': '2025-06-01T10:00:00.250Z', 'compiled': {'tender': {"
                     "'tenderPeriod': {'startDate': '2025-02-17', 'endDate': "
                     "'2025-03-20T12:00:00+01:00'}, 'awardPeriod': {'endDate': '2025-02-30'}}}}");
    char *md = render(doc, "md");
    json_decref(doc);
    CHECK(md);
    int ok = strstr(md, "**Generert:** 01.06.2025 kl. 10:00 UTC\n") &&
             strstr(md, "**Tilbudsperiode:** 17.02.2025 – 20.03.2025 kl. 12:00 UTC+01:00\n") &&
             strstr(md, "**Tildelingsperiode:** ikke oppgitt – 2025-02-30\n");
    free(md);
    CHECK(ok);
}

/* ---- the contract of protocol_render ---- */

static void test_unknown_format_is_input_error(void)
{
    json_t *doc = json_object();
    sbuf out = {0};
    anbud_err err = {0};
    CHECK_INT(sbuf_adds(&out, "kept"), 0);
    int rc = protocol_render(doc, "pdf", &out, &err);
    int rc_null = protocol_render(doc, NULL, &out, NULL);
    json_decref(doc);
    int kept = strcmp(out.data, "kept") == 0;
    sbuf_free(&out);
    CHECK_INT(rc, ANBUD_EINPUT);
    CHECK_INT(rc_null, ANBUD_EINPUT);
    CHECK(strstr(err.msg, "pdf") && strstr(err.msg, "md, html or json"));
    CHECK(kept);
}

static void test_appends_to_out(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    sbuf out = {0};
    int rc = sbuf_adds(&out, "before\n") ? -1 : protocol_render(doc, "json", &out, NULL);
    json_decref(doc);
    json_t *m = rc == 0 ? json_loads(out.data + 7, 0, NULL) : NULL;
    int ok = rc == 0 && strncmp(out.data, "before\n", 7) == 0 && m && out.data[out.len - 1] == '\n';
    sbuf_free(&out);
    json_decref(m);
    CHECK(ok);
}

/* jansson's allocator, made to fail at call number oom_fail_at (counting from 0) alone. */
static long oom_calls, oom_fail_at = -1;

static void *oom_malloc(size_t n)
{
    return oom_calls++ == oom_fail_at ? NULL : malloc(n);
}

/*
 * Each format with one of jansson's allocations failing, the first, then the second, and
 * so on: each run must fail with ANBUD_EINTERNAL and leave out empty, since a failure that
 * is swallowed would give a protocol with something missing. The run in which no
 * allocation fails must give the text of an unhindered run.
 */
static void test_out_of_memory_at_every_step(void)
{
    json_t *doc = full_doc();
    CHECK(doc);
    static const char *const formats[] = {"json", "md", "html"};
    int bad = 0;
    for (size_t f = 0; f < 3 && !bad; f++) {
        char *want = render(doc, formats[f]);
        json_set_alloc_funcs(oom_malloc, free);
        for (long fail_at = 0; want && !bad; fail_at++) {
            sbuf out = {0};
            anbud_err err = {0};
            oom_calls = 0;
            oom_fail_at = fail_at;
            int rc = protocol_render(doc, formats[f], &out, &err);
            int failed_one = oom_calls > fail_at;
            oom_fail_at = -1;
            if (failed_one)
                bad = rc != ANBUD_EINTERNAL || out.len != 0 || !strstr(err.msg, "memory");
            else
                bad = rc != ANBUD_OK || strcmp(out.data, want) != 0;
            if (bad)
                fprintf(stderr, "  %s, allocation %ld failing: rc %d, %zu bytes out\n", formats[f],
                        fail_at, rc, out.len);
            sbuf_free(&out);
            if (!failed_one)
                break;
        }
        json_set_alloc_funcs(malloc, free);
        bad |= !want;
        free(want);
    }
    json_decref(doc);
    CHECK(!bad);
}

static const test_case tests[] = {
    {"md_full_document", test_md_full_document},
    {"html_full_document", test_html_full_document},
    {"json_full_document", test_json_full_document},
    {"verdicts_in_stage_order", test_verdicts_in_stage_order},
    {"bokmal_labels", test_bokmal_labels},
    {"nynorsk_labels", test_nynorsk_labels},
    {"language_from_compiled_release", test_language_from_compiled_release},
    {"fails_and_warnings_stand_out", test_fails_and_warnings_stand_out},
    {"no_forced_moves_said", test_no_forced_moves_said},
    {"html_escapes_every_text", test_html_escapes_every_text},
    {"md_escapes_pipes_and_line_breaks", test_md_escapes_pipes_and_line_breaks},
    {"missing_fields", test_missing_fields},
    {"null_document", test_null_document},
    {"wrong_types_at_the_top", test_wrong_types_at_the_top},
    {"wrong_types_inside", test_wrong_types_inside},
    {"suppliers_from_every_source", test_suppliers_from_every_source},
    {"every_text_in_both_languages", test_every_text_in_both_languages},
    {"amounts_written_in_norwegian", test_amounts_written_in_norwegian},
    {"dates_written_in_norwegian", test_dates_written_in_norwegian},
    {"unknown_format_is_input_error", test_unknown_format_is_input_error},
    {"appends_to_out", test_appends_to_out},
    {"out_of_memory_at_every_step", test_out_of_memory_at_every_step},
};

TEST_MAIN(tests)
