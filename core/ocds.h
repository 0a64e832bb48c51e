/*
 * ocds: reading procurement data. Owns the four input forms (release, release package,
 * record package, JSON Lines), validation of the fields anbud relies on (NOK, dates,
 * organisation numbers, kommunenummer), grouping by ocid, the OCDS merge, and the stage
 * of a process. Knows util and jansson; never prints.
 */
#ifndef ANBUD_OCDS_H
#define ANBUD_OCDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum ocds_stage {
    STAGE_NONE = -1,
    STAGE_PLANNING = 0,
    STAGE_TENDER,
    STAGE_AWARD,
    STAGE_CONTRACT,
    STAGE_IMPLEMENTATION,
    STAGE_CLOSED,
    STAGE_COUNT
} ocds_stage;

/* "planning", "tender", ... for a stage; "none" for STAGE_NONE. */
const char *ocds_stage_name(ocds_stage s);
/* The stage named s ("planning" ... "closed"), or STAGE_NONE. */
ocds_stage ocds_stage_parse(const char *s);

/* One release as read. */
typedef struct ocds_release {
    json_t *json;     /* owned reference */
    const char *ocid; /* points into json */
    const char *id;   /* release id, "" when absent; points into json */
    int64_t secs;     /* `date` as an instant (UTC seconds) */
    int64_t days;     /* `date` as a calendar day */
    ocds_stage stage; /* from its tags; for a compiled release, from its content */
    int compiled;     /* tag "compiled" (record package, or a compiled release alone) */
    char where[160];  /* "FILE: line 3" or "FILE: releases[2]", for messages */
} ocds_release;

/* Releases in the order they were read, over any number of inputs. */
typedef struct ocds_batch {
    ocds_release *items;
    size_t n, cap;
} ocds_batch;

/*
 * Reads one input (any of the four forms, auto-detected) named `name` (used in messages)
 * and appends its releases to b after validating each (ocds_validate). On any error
 * appends nothing, fills err with a message naming name, the line or element, and the
 * field, and returns ANBUD_EINPUT (or ANBUD_EINTERNAL when memory runs out).
 */
int ocds_read(ocds_batch *b, const char *name, const char *text, size_t len, anbud_err *err);
/* As ocds_read, on the contents of a file. */
int ocds_read_file(ocds_batch *b, const char *path, anbud_err *err);
void ocds_batch_free(ocds_batch *b);

/*
 * The pieces of reading JSON Lines, for ocds_source: fills *out from a parsed release found
 * at `where` (validated when `validate`; out->json takes the reference json had, on success
 * only); whether a line is blank; parses one line (number lineno) of the JSON Lines input
 * `name` into *out, which owns its json on success. Messages as ocds_read gives them.
 */
int ocds_release_fill(json_t *json, int compiled, const char *where, int validate,
                      ocds_release *out, anbud_err *err);
int ocds_line_blank(const char *line, size_t n);
int ocds_parse_line(const char *name, int lineno, const char *line, size_t n, int validate,
                    ocds_release *out, anbud_err *err);

/*
 * Checks the fields anbud relies on in one release or compiled release: `ocid` a
 * non-empty string, `date` a real date, `tag` an array of known tags, every `currency`
 * "NOK" and every `amount` a finite number, not negative, every date field (`date`, `*Date`,
 * `datePublished`...) a real date, NO-BRC identifiers valid organisation numbers,
 * `municipalityCode` four digits, and the types of the extension fields of SPEC § 2.
 * The message names `where` and the field path ("tender.value.currency"). Returns 0 or
 * ANBUD_EINPUT.
 */
int ocds_validate(const json_t *release, const char *where, anbud_err *err);

/* One contracting process: its releases in date order and what they merge to. */
typedef struct ocds_process {
    char *ocid;
    ocds_release **releases; /* point into the batch; stable date order */
    size_t n;
    json_t *compiled;  /* owned: every release merged, tag ["compiled"] */
    ocds_stage stage;  /* stage after the last release */
    int64_t first_days; /* calendar day of the first release (for the relevant date) */
} ocds_process;

typedef struct ocds_set {
    ocds_process *items; /* in order of first appearance in the batch */
    size_t n;
} ocds_set;

/*
 * Groups a batch by ocid, orders each process's releases by date (ties keep input order),
 * refuses a release that moves its process to an earlier stage (ANBUD_EINPUT, message
 * naming the release and both stages), and merges each process. The set points into the
 * batch, which must outlive it.
 */
int ocds_group(const ocds_batch *b, ocds_set *out, anbud_err *err);
void ocds_set_free(ocds_set *s);

/*
 * Compiles one process from its releases (any order): orders them by date (ties keep the
 * order given), refuses a move to an earlier stage, merges them into p->compiled (when
 * merge; else p->compiled stays NULL). p->releases becomes a new array of the same
 * pointers; p->ocid a copy. Free with ocds_process_free.
 */
int ocds_process_build(ocds_process *p, ocds_release **releases, size_t n, int merge,
                       anbud_err *err);
void ocds_process_free(ocds_process *p);

/*
 * An input read one process at a time, so that memory holds one process and an index
 * rather than the whole input. A JSON Lines file (named *.jsonl or *.ndjson) is read
 * once to validate every line and note, per line, its ocid, date and place in the file;
 * a process's lines are read again when it is asked for. Any other input is read whole
 * (ocds_read) and grouped. Processes come in order of first appearance, their releases
 * in date order (ties keep input order), as ocds_group gives them.
 */
typedef struct ocds_source ocds_source;

/* Reads and validates a file (errors as ocds_read_file). */
int ocds_source_open(const char *path, ocds_source **out, anbud_err *err);
/* A source over a batch read already; the batch must outlive the source. */
int ocds_source_of_batch(const ocds_batch *b, ocds_source **out, anbud_err *err);
/* Groups a source read whole (errors as ocds_group; a JSON Lines file reports a move to an
 * earlier stage when the process is read). Call before asking for its processes. */
int ocds_source_group(ocds_source *src, anbud_err *err);
size_t ocds_source_releases(const ocds_source *src);
size_t ocds_source_processes(const ocds_source *src);
const char *ocds_source_ocid(const ocds_source *src, size_t i);
/*
 * Process i: *p points at it, valid until the next call or ocds_source_close. merge: also
 * its compiled release (else p->compiled may be NULL). A move to an earlier stage is
 * ANBUD_EINPUT, as in ocds_group.
 */
int ocds_source_process(ocds_source *src, size_t i, int merge, const ocds_process **p,
                        anbud_err *err);
void ocds_source_close(ocds_source *src);

/*
 * One step of compiling a process, as ocds_group does for each release in date order and
 * as a store keeping a compiled release does for each new one: refuses r when its stage
 * is before *stage (ANBUD_EINPUT, the message names r->where, r->id and both stages);
 * else merges r into compiled, sets its tag to ["compiled"] and its date to the newest
 * seen, and moves *stage to r's (unchanged when r->stage is STAGE_NONE; start a new
 * process with STAGE_NONE and an empty object). On failure compiled may be half merged.
 */
int ocds_apply(json_t *compiled, ocds_stage *stage, const ocds_release *r, anbud_err *err);

/*
 * OCDS merge of `release` into `compiled`, in place: objects merge key by key, arrays of
 * objects that all carry `id` merge element by `id`, other arrays are replaced, null
 * removes a field. `compiled` must be an object. Returns 0 or ANBUD_EINTERNAL.
 */
int ocds_merge(json_t *compiled, const json_t *release, anbud_err *err);

/*
 * True when a and b are the same OCDS `id`: equal strings, or a string and a number (or two
 * numbers) with the same decimal text ("7" and 7). False when either is not a string or number.
 */
int ocds_id_equal(const json_t *a, const json_t *b);

/* Stage one OCDS tag names ("tenderUpdate" -> tender); STAGE_NONE for "compiled" or unknown. */
ocds_stage ocds_stage_of_tag(const char *tag);
/* Stage named by a release's tags (the furthest one), STAGE_NONE if no known tag. */
ocds_stage ocds_stage_of_tags(const json_t *release);
/* Stage a compiled release is in, from its content (SPEC § 3). */
ocds_stage ocds_stage_of_compiled(const json_t *compiled);

/* "object", "array", "string", "number", "boolean" or "null", for messages. */
const char *ocds_type_name(const json_t *v);

/* Shared readings of a compiled release, used by the engine and the store. */

/* tender.value.amount when it is a number; returns 0 and sets *amount, or -1. */
int ocds_value(const json_t *compiled, double *amount);
/*
 * The relevant date (RULES.md): the earliest tender.notices[].datePublished, else
 * tender.tenderPeriod.startDate, else first_days.
 */
int64_t ocds_relevant_days(const json_t *compiled, int64_t first_days);
/* The party object the buyer refers to (buyer.id in parties[]), or NULL. */
const json_t *ocds_buyer_party(const json_t *compiled);
/* The buyer's kommunenummer (party details.municipalityCode), or NULL. */
const char *ocds_buyer_municipality(const json_t *compiled);
/*
 * A key identifying the buyer across processes: "NO-BRC:<orgnr>" when the buyer party has
 * one, else "name:<buyer.name>", else "". Written into out (size n).
 */
void ocds_buyer_key(const json_t *compiled, char *out, size_t n);

#endif
