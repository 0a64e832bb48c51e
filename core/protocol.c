/*
 * protocol: the procurement protocol (anskaffelsesprotokoll, FOA § 7-1) of one stored
 * process. This file owns the entry point (which format, which written Norwegian) and
 * every fixed text in bokmål and nynorsk; the content is built in protocol_model.c and
 * laid out in protocol_layout.c through the writers in protocol_md.c and protocol_html.c.
 */
#include "protocol.h"
#include "protocol_internal.h"

#include <string.h>

/* ---- fixed texts -------------------------------------------------------------------- */

static const char *const TEXTS[T_COUNT][2] = {
    [T_PROTOCOL] = {"Anskaffelsesprotokoll", "Anskaffingsprotokoll"},
    [T_LEGAL_BASIS] = {"Protokoll etter anskaffelsesforskriften (FOA) § 7-1.",
                       "Protokoll etter anskaffingsforskrifta (FOA) § 7-1."},
    [T_MISSING] = {"ikke oppgitt", "ikkje oppgitt"},
    [T_YES] = {"ja", "ja"},
    [T_NO] = {"nei", "nei"},
    [T_OCID] = {"OCID", "OCID"},
    [T_RULESET] = {"Regelsett", "Regelsett"},
    [T_STAGE] = {"Fase", "Fase"},
    [T_GENERATED] = {"Generert", "Generert"},
    [T_FACTS] = {"Fakta om anskaffelsen", "Fakta om anskaffinga"},
    [T_BUYER] = {"Oppdragsgiver", "Oppdragsgjevar"},
    [T_ORGNR] = {"Organisasjonsnummer", "Organisasjonsnummer"},
    [T_KOMMUNENR] = {"Kommunenummer", "Kommunenummer"},
    [T_TITLE] = {"Tittel", "Tittel"},
    [T_DESCRIPTION] = {"Beskrivelse", "Skildring"},
    [T_CATEGORY] = {"Type anskaffelse", "Type anskaffing"},
    [T_CPV] = {"CPV-koder", "CPV-kodar"},
    [T_VALUE] = {"Anslått verdi", "Anslått verdi"},
    [T_PROCEDURE] = {"Prosedyre", "Prosedyre"},
    [T_METHOD] = {"Anskaffelsesmetode", "Anskaffingsmetode"},
    [T_TENDER_PERIOD] = {"Tilbudsperiode", "Tilbodsperiode"},
    [T_AWARD_PERIOD] = {"Tildelingsperiode", "Tildelingsperiode"},
    [T_PLANNED_PERIOD] = {"Planlagt kontraktsperiode", "Planlagd kontraktsperiode"},
    [T_NOTICES] = {"Kunngjøringer", "Kunngjeringar"},
    [T_PLATFORM] = {"Plattform", "Plattform"},
    [T_NOTICE_ID] = {"Kunngjøringsnummer", "Kunngjeringsnummer"},
    [T_PUBLISHED] = {"Publisert", "Publisert"},
    [T_NO_NOTICES] = {"Ingen kunngjøringer er registrert.", "Ingen kunngjeringar er registrerte."},
    [T_CONTRACTS] = {"Kontrakter", "Kontraktar"},
    [T_CONTRACT] = {"Kontrakt", "Kontrakt"},
    [T_CONTRACT_VALUE] = {"Verdi", "Verdi"},
    [T_SIGNED] = {"Signert", "Signert"},
    [T_CONTRACT_PERIOD] = {"Kontraktsperiode", "Kontraktsperiode"},
    [T_NO_CONTRACTS] = {"Ingen kontrakter er registrert.", "Ingen kontraktar er registrerte."},
    [T_SUPPLIERS] = {"Leverandører", "Leverandørar"},
    [T_SUPPLIER] = {"Leverandør", "Leverandør"},
    [T_BID] = {"Har levert tilbud", "Har levert tilbod"},
    [T_AWARDED] = {"Tildelt kontrakt", "Tildelt kontrakt"},
    [T_NO_SUPPLIERS] = {"Ingen leverandører er registrert.", "Ingen leverandørar er registrerte."},
    [T_QUOTES] = {"Forespørsler om pristilbud", "Førespurnader om pristilbod"},
    [T_DATE] = {"Dato", "Dato"},
    [T_RESPONDED] = {"Har svart", "Har svart"},
    [T_NO_QUOTES] = {"Ingen forespørsler om pristilbud er registrert.",
                     "Ingen førespurnader om pristilbod er registrerte."},
    [T_ASSESSMENTS] = {"Vurderinger", "Vurderingar"},
    [T_NO_ASSESSMENTS] = {"Ingen vurderinger er registrert.", "Ingen vurderingar er registrerte."},
    [T_RESERVED] = {"Vurdering av reservert kontrakt", "Vurdering av reservert kontrakt"},
    [T_INCLUSIVE] = {"Vurdering av inkluderende kontrakt", "Vurdering av inkluderande kontrakt"},
    [T_SUITABLE] = {"Egnet", "Eigna"},
    [T_JUSTIFICATION] = {"Begrunnelse", "Grunngjeving"},
    [T_CLIMATE] = {"Unntak fra klima- og miljøkrav (FOA § 7-9)",
                   "Unntak frå klima- og miljøkrav (FOA § 7-9)"},
    [T_GROUND] = {"Grunnlag", "Grunnlag"},
    [T_NEGOTIATION] = {"Grunnlag for konkurranse med forhandling",
                       "Grunnlag for konkurranse med forhandling"},
    [T_LOCAL_QUOTES] = {"Begrunnelse for færre lokale tilbud",
                        "Grunngjeving for færre lokale tilbod"},
    [T_MARKET_DIALOGUE] = {"Markedsdialog", "Marknadsdialog"},
    [T_HELD] = {"Gjennomført", "Gjennomført"},
    [T_VERDICTS] = {"Kontroller (regelvurderinger)", "Kontrollar (regelvurderingar)"},
    [T_CHECK_ONE] = {"kontroll", "kontroll"},
    [T_CHECK_MANY] = {"kontroller", "kontrollar"},
    [T_RULE] = {"Regel", "Regel"},
    [T_OUTCOME] = {"Resultat", "Resultat"},
    [T_MESSAGE] = {"Melding", "Melding"},
    [T_SOURCE] = {"Kilde", "Kjelde"},
    [T_NO_VERDICTS] = {"Ingen regelvurderinger er registrert.",
                       "Ingen regelvurderingar er registrerte."},
    [T_FORCED] = {"Tvungne fasebytte", "Tvinga fasebyte"},
    [T_FROM] = {"Fra fase", "Frå fase"},
    [T_TO] = {"Til fase", "Til fase"},
    [T_BY] = {"Utført av", "Utført av"},
    [T_AT] = {"Tidspunkt", "Tidspunkt"},
    [T_REFUSING_RULES] = {"Regler som ville stoppet fasebyttet",
                          "Reglar som ville stoppa fasebytet"},
    [T_NO_FORCED] = {"Ingen fasebytte er tvunget gjennom.", "Ingen fasebyte er tvinga gjennom."},
    [T_EVENTS] = {"Hendelseslogg", "Hendingslogg"},
    [T_EVENT_NO] = {"Nr.", "Nr."},
    [T_RECEIVED] = {"Mottatt", "Motteke"},
    [T_RELEASE] = {"Release-ID", "Release-ID"},
    [T_KIND] = {"Hendelse", "Hending"},
    [T_NO_EVENTS] = {"Ingen hendelser er registrert.", "Ingen hendingar er registrerte."},
    [T_FOOTER] = {"Protokollen er laget av anbud fra de registrerte opplysningene og "
                  "regelvurderingene.",
                  "Protokollen er laga av anbud frå dei registrerte opplysningane og "
                  "regelvurderingane."},
};

const char *protocol_text(plang lang, ptext id)
{
    if ((int)id < 0 || id >= T_COUNT)
        return "";
    const char *s = TEXTS[id][lang == PLANG_NN];
    return s ? s : "";
}

/* ---- codes of the data -------------------------------------------------------------- */

/* In stage order: verdicts are grouped by their index here. */
const pcode PROTOCOL_STAGES[] = {
    {"planning", "planlegging", "planlegging"},
    {"tender", "konkurranse", "konkurranse"},
    {"award", "tildeling", "tildeling"},
    {"contract", "kontrakt", "kontrakt"},
    {"implementation", "gjennomføring", "gjennomføring"},
    {"closed", "avsluttet", "avslutta"},
    {NULL, NULL, NULL},
};

const pcode PROTOCOL_OUTCOMES[] = {
    {"pass", "oppfylt", "oppfylt"},
    {"fail", "ikke oppfylt", "ikkje oppfylt"},
    {"warn", "må vurderes", "må vurderast"},
    {"info", "til orientering", "til orientering"},
    {"na", "ikke aktuelt", "ikkje aktuelt"},
    {"error", "regelfeil", "regelfeil"},
    {NULL, NULL, NULL},
};

const pcode PROTOCOL_CATEGORIES[] = {
    {"goods", "varer", "varer"},
    {"services", "tjenester", "tenester"},
    {"works", "bygge- og anleggsarbeid", "bygge- og anleggsarbeid"},
    {NULL, NULL, NULL},
};

const pcode PROTOCOL_PROCEDURES[] = {
    {"open", "åpen anbudskonkurranse", "open anbodskonkurranse"},
    {"restricted", "begrenset anbudskonkurranse", "avgrensa anbodskonkurranse"},
    {"negotiated", "konkurranse med forhandling", "konkurranse med forhandling"},
    {"dialogue", "konkurransepreget dialog", "konkurranseprega dialog"},
    {"innovationPartnership", "innovasjonspartnerskap", "innovasjonspartnarskap"},
    {"negotiatedWithoutNotice", "forhandlet uten kunngjøring", "forhandla utan kunngjering"},
    {"direct", "direkte anskaffelse", "direkte anskaffing"},
    {NULL, NULL, NULL},
};

const pcode PROTOCOL_METHODS[] = {
    {"open", "åpen (alle kan levere tilbud)", "open (alle kan levere tilbod)"},
    {"selective", "begrenset (bare utvalgte leverandører inviteres)",
     "avgrensa (berre utvalde leverandørar blir inviterte)"},
    {"limited", "direkte kontakt med enkelte leverandører",
     "direkte kontakt med einskilde leverandørar"},
    {"direct", "direkte anskaffelse", "direkte anskaffing"},
    {NULL, NULL, NULL},
};

const pcode PROTOCOL_PLATFORMS[] = {
    {"doffin", "Doffin", "Doffin"},
    {"ted", "TED (EU)", "TED (EU)"},
    {NULL, NULL, NULL},
};

const pcode PROTOCOL_CLIMATE[] = {
    {"requirementsInSpecification", "klima- og miljøhensyn er ivaretatt i kravspesifikasjonen",
     "klima- og miljøomsyn er tekne vare på i kravspesifikasjonen"},
    {"negligibleFootprint", "anskaffelsen har ubetydelig klima- og miljøavtrykk",
     "anskaffinga har ubetydeleg klima- og miljøavtrykk"},
    {NULL, NULL, NULL},
};

/* FOA § 13-2 (1) a to d, the grounds for competition with negotiation. */
const pcode PROTOCOL_GROUNDS[] = {
    {"adaptation",
     "FOA § 13-2 (1) a: behovet kan ikke dekkes uten tilpasning av tilgjengelige "
     "løsninger",
     "FOA § 13-2 (1) a: behovet kan ikkje dekkjast utan tilpassing av tilgjengelege løysingar"},
    {"designOrInnovation",
     "FOA § 13-2 (1) b: anskaffelsen omfatter design eller innovative "
     "løsninger",
     "FOA § 13-2 (1) b: anskaffinga omfattar design eller innovative løysingar"},
    {"complexity",
     "FOA § 13-2 (1) c: kontrakten kan ikke tildeles uten forhandlinger på grunn "
     "av særlige forhold",
     "FOA § 13-2 (1) c: kontrakten kan ikkje tildelast utan forhandlingar på grunn av særlege "
     "forhold"},
    {"specification",
     "FOA § 13-2 (1) d: de tekniske spesifikasjonene kan ikke utarbeides med "
     "tilstrekkelig presisjon",
     "FOA § 13-2 (1) d: dei tekniske spesifikasjonane kan ikkje utarbeidast med tilstrekkeleg "
     "presisjon"},
    {NULL, NULL, NULL},
};

const pcode PROTOCOL_EVENT_KINDS[] = {
    {"release", "oppdatering mottatt", "oppdatering motteken"},
    {"advance", "fasebytte", "fasebyte"},
    {"recheck", "ny kontroll", "ny kontroll"},
    {NULL, NULL, NULL},
};

const char *protocol_code_label(const pcode *table, const char *code, plang lang)
{
    size_t i = protocol_code_index(table, code);
    if (!table[i].code)
        return NULL;
    return lang == PLANG_NN ? table[i].nn : table[i].nb;
}

size_t protocol_code_index(const pcode *table, const char *code)
{
    size_t i = 0;
    while (table[i].code && !(code && strcmp(table[i].code, code) == 0))
        i++;
    return i;
}

const char *protocol_marker(pstyle style)
{
    switch (style) {
    case PS_PASS:
        return "✓ ";
    case PS_FAIL:
        return "✗ ";
    case PS_WARN:
        return "⚠ ";
    default:
        return "";
    }
}

/* ---- the entry point ---------------------------------------------------------------- */

/* "nn" or "nb" from the document, else from the compiled release; bokmål otherwise. */
static plang protocol_language(const json_t *doc)
{
    const char *lang = json_string_value(json_object_get(doc, "language"));
    if (!lang || (strcmp(lang, "nn") != 0 && strcmp(lang, "nb") != 0))
        lang = json_string_value(json_object_get(json_object_get(doc, "compiled"), "language"));
    return lang && strcmp(lang, "nn") == 0 ? PLANG_NN : PLANG_NB;
}

/* Where json_dump_callback writes, and whether a write failed. */
typedef struct json_sink {
    sbuf *text;
    int failed;
} json_sink;

static int json_sink_write(const char *buffer, size_t size, void *data)
{
    json_sink *sink = data;
    if (sbuf_add(sink->text, buffer, size) != 0)
        sink->failed = 1;
    return sink->failed ? -1 : 0;
}

/*
 * The model as indented JSON with a final newline. A failed write is also remembered in the
 * sink: jansson 2.14 does not check the write of an object's key, and would go on.
 */
static int protocol_json(const json_t *model, sbuf *text)
{
    json_sink sink = {.text = text};
    if (json_dump_callback(model, json_sink_write, &sink, JSON_INDENT(2)) != 0 || sink.failed)
        return -1;
    return sbuf_adds(text, "\n");
}

int protocol_render(const json_t *doc, const char *format, sbuf *out, anbud_err *err)
{
    const pwriter_ops *ops = NULL;
    if (!format)
        return err_set(err, ANBUD_EINPUT, "protocol: no format given (md, html or json)");
    if (strcmp(format, "md") == 0)
        ops = &PROTOCOL_MD;
    else if (strcmp(format, "html") == 0)
        ops = &PROTOCOL_HTML;
    else if (strcmp(format, "json") != 0)
        return err_set(err, ANBUD_EINPUT, "protocol: unknown format \"%.40s\" (md, html or json)",
                       format);
    if (!out)
        return err_set(err, ANBUD_EINTERNAL, "protocol: no output buffer");

    /* Rendered aside first, so out is left as it was when memory runs out. */
    plang lang = protocol_language(doc);
    sbuf text = {0};
    json_t *model = protocol_model(doc, lang);
    int rc = model ? 0 : -1;
    if (rc == 0 && ops) {
        pwriter w = {.ops = ops, .out = &text, .lang = lang};
        rc = protocol_layout(model, &w);
    } else if (rc == 0) {
        rc = protocol_json(model, &text);
    }
    if (rc == 0)
        rc = sbuf_add(out, text.data, text.len);
    json_decref(model);
    sbuf_free(&text);
    return rc == 0 ? ANBUD_OK : err_set(err, ANBUD_EINTERNAL, "protocol: out of memory");
}
