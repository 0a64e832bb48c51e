/*
 * protocol: the procurement protocol (anskaffelsesprotokoll, FOA § 7-1) of one stored
 * process, in Norwegian, as Markdown, HTML that prints on A4, or JSON. Renders a
 * document the store assembles (see protocol_render); knows nothing of SQLite.
 */
#ifndef ANBUD_PROTOCOL_H
#define ANBUD_PROTOCOL_H

#include <jansson.h>

#include "util.h"

/*
 * Renders `doc` in `format` ("md", "html" or "json") into out. doc is:
 * {
 *   "ocid": "...", "stage": "award", "ruleset": "alver", "ruleset_name": "Alver kommune",
 *   "language": "nn" | "nb",                 -- the written Norwegian of the text
 *   "generated_at": "2025-06-01T10:00:00Z",
 *   "compiled": { ...the compiled OCDS release... },
 *   "events": [ {"id", "release_id", "stage", "date", "received_at", "kind"} ],
 *   "verdicts": [ {"rule", "title", "stage", "outcome", "severity", "message", "source",
 *                  "evidence", "evaluated_at", "ruleset_version"} ],  -- latest per rule and stage
 *   "forced_moves": [ {"from", "to", "by", "reason", "at", "rules": ["rule id", ...]} ]
 * }
 * Any field may be missing or of another type: it is shown as "ikke oppgitt" ("ikkje
 * oppgitt"), and "language" falls back to compiled.language, then to bokmål.
 * Appends the protocol to out, which is left as it was when rendering fails.
 * Returns 0, ANBUD_EINPUT for an unknown format, ANBUD_EINTERNAL when memory runs out.
 */
int protocol_render(const json_t *doc, const char *format, sbuf *out, anbud_err *err);

#endif
