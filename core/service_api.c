/*
 * service_api: the endpoints of SPEC § 7, behind service_http.c (which alone knows
 * libh2o): routing, bearer tokens and tenants, and each endpoint's answer. Every handler
 * answers at once on the loop thread: POST /v1/releases stores the events (one
 * transaction, committed, and synced to disk before the 202 goes out: service_http.c
 * holds it for service.c's group commit); evaluation follows on the loop.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "service_internal.h"

typedef service_reply reply;

enum { MAX_PATH = 2048, MAX_CODES = 64 };

/* ---- replies ----------------------------------------------------------------------- */

const char *service_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

/* Sets a JSON body (consumes doc; NULL means memory ran out: 500). */
static void reply_json(reply *r, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    sbuf_free(&r->body);
    r->type = "application/json; charset=utf-8";
    if (!text || sbuf_adds(&r->body, text) || sbuf_adds(&r->body, "\n")) {
        sbuf_free(&r->body);
        r->status = 500;
        if (sbuf_adds(&r->body, "{\"error\":\"out of memory\"}\n"))
            sbuf_free(&r->body);
    } else {
        r->status = status;
    }
    free(text);
}

/* A JSON string of s; bytes that are not valid UTF-8 (from a path, say) become '?'. */
static json_t *text_json(const char *s)
{
    json_t *v = json_string(s);
    if (v)
        return v;
    char *copy = xstrdup(s);
    for (char *c = copy; c && *c; c++)
        if ((unsigned char)*c >= 0x80)
            *c = '?';
    v = copy ? json_string(copy) : NULL;
    free(copy);
    return v;
}

static void reply_error(reply *r, int status, const char *msg)
{
    reply_json(r, status, json_pack("{s:o}", "error", text_json(msg)));
}

/* Answers a failed call: a store that cannot be used is 503 (details in the log), bad
 * input 400, anything else 500. */
static void reply_failure(service *svc, reply *r, int code, const anbud_err *err)
{
    size_t n = strlen(svc->opt->db);
    if (strncmp(err->msg, svc->opt->db, n) == 0 && err->msg[n] == ':') {
        service_log(svc, "store: %s", err->msg);
        reply_error(r, 503, "the store is busy or cannot be written; try again");
    } else if (code == ANBUD_EINPUT) {
        reply_error(r, 400, err->msg);
    } else {
        service_log(svc, "internal error: %s", err->msg);
        reply_error(r, 500, "internal error; see the service's log");
    }
}

/* ---- parsing ----------------------------------------------------------------------- */

static int hex_digit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes s[0..n) into out (size cap); '+' is a space when plus is set. Returns
 * 0, or -1 for a bad escape, a NUL or a result that does not fit. */
static int decode(const char *s, size_t n, int plus, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == 0 || o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = 0;
    return 0;
}

/* The query parameters of /v1/processes: stage and outcome. Returns 0 or answers 400. */
static int parse_filters(const char *q, size_t n, char *stage, char *result, size_t cap, reply *r)
{
    stage[0] = result[0] = 0;
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && q[end] != '&')
            end++;
        const char *eq = memchr(q + i, '=', end - i);
        size_t klen = eq ? (size_t)(eq - (q + i)) : end - i;
        char key[32], value[64];
        const char *v = eq ? eq + 1 : q + end;
        if (klen && (decode(q + i, klen, 1, key, sizeof key) ||
                     decode(v, (size_t)(q + end - v), 1, value, sizeof value))) {
            reply_error(r, 400, "query: a parameter is too long or badly percent-encoded");
            return -1;
        }
        if (klen && strcmp(key, "stage") == 0)
            snprintf(stage, cap, "%s", value);
        else if (klen && strcmp(key, "outcome") == 0)
            snprintf(result, cap, "%s", value);
        else if (klen) {
            char msg[128];
            snprintf(msg, sizeof msg, "query: unknown parameter '%s' (known: stage, outcome)", key);
            reply_error(r, 400, msg);
            return -1;
        }
        i = end + 1;
    }
    if (stage[0] && ocds_stage_parse(stage) == STAGE_NONE) {
        reply_error(r, 400,
                    "query: stage must be planning, tender, award, contract, "
                    "implementation or closed");
        return -1;
    }
    if (result[0] && outcome_parse(result) < 0) {
        reply_error(r, 400, "query: outcome must be pass, fail, warn, info, na or error");
        return -1;
    }
    return 0;
}

/* ---- tenants ----------------------------------------------------------------------- */

/* Checks the bearer token; fills r->tenant, or answers 401 (or 500) and returns -1. */
static int authenticate(service *svc, const service_request *rq, reply *r)
{
    if (!rq->authorization) {
        reply_error(r, 401,
                    "this endpoint needs the header 'Authorization: Bearer <token>' "
                    "(anbud token create --municipality CODE)");
        return -1;
    }
    const char *v = rq->authorization;
    size_t n = rq->authorization_len, skip = 7;
    char token[80];
    if (n < skip || strncasecmp(v, "Bearer ", skip) != 0 || n - skip >= sizeof token) {
        reply_error(r, 401, "Authorization must be 'Bearer <token>'");
        return -1;
    }
    while (skip < n && v[skip] == ' ')
        skip++;
    size_t len = n - skip;
    while (len && (v[skip + len - 1] == ' ' || v[skip + len - 1] == '\t'))
        len--;
    memcpy(token, v + skip, len);
    token[len] = 0;
    anbud_err err;
    int rc = store_token_check(svc->db, token, r->tenant, &err);
    if (rc < 0) {
        reply_failure(svc, r, rc, &err);
        return -1;
    }
    if (rc == 1) {
        reply_error(r, 401, "the token is not valid");
        return -1;
    }
    return 0;
}

static int sees(const service *svc, const char *tenant, const char *code)
{
    char codes[MAX_CODES][8];
    size_t n = service_visible_codes(svc, tenant, codes, MAX_CODES);
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(codes[i], code) == 0)
            return 1;
    return 0;
}

/* Who may post what: a token stores processes of its own municipality only. */
typedef struct owner {
    const char *tenant;
    int status;
} owner;

static int allow_process(void *arg, const char *ocid, int merged, const char *municipality,
                         anbud_err *err)
{
    owner *o = arg;
    if (!merged && municipality[0] && strcmp(municipality, o->tenant) != 0) {
        o->status = 403;
        return err_set(err, ANBUD_EINPUT,
                       "process %s is filed under another municipality; a "
                       "token for %s may send only its own processes",
                       ocid, o->tenant);
    }
    if (merged && !municipality) {
        o->status = 400;
        return err_set(err, ANBUD_EINPUT,
                       "process %s: the buyer has no kommunenummer "
                       "(parties[].details.municipalityCode of the party "
                       "buyer.id names); the service files each process "
                       "under its buyer's municipality",
                       ocid);
    }
    if (merged && strcmp(municipality, o->tenant) != 0) {
        o->status = 403;
        return err_set(err, ANBUD_EINPUT,
                       "process %s: the buyer's kommunenummer is %s; a "
                       "token for %s may send only its own processes",
                       ocid, municipality, o->tenant);
    }
    return 0;
}

/* ---- endpoints --------------------------------------------------------------------- */

static void post_releases(service *svc, const service_request *rq, reply *r)
{
    if (svc->stopping) {
        reply_error(r, 503, "the service is stopping; send again when it is back");
        return;
    }
    if (!rq->body || rq->body_len == 0) {
        reply_error(r, 400,
                    "body: empty; send a release, a release package, a record package "
                    "or JSON Lines");
        return;
    }
    if (rq->body_len > svc->opt->max_body) {
        reply_error(r, 413, "body: too large");
        return;
    }
    ocds_batch batch = {0};
    accepted_events ids = {0};
    import_stats st = {0};
    anbud_err err;
    owner o = {r->tenant, 400};
    int rc = ocds_read(&batch, "body", rq->body, rq->body_len, &err);
    if (!rc) /* the loop's transaction: the input is a savepoint of it */
        rc = service_txn(svc, &err);
    if (!rc)
        rc = lifecycle_accept_kept(svc->db, svc->eng, &batch, svc->opt->forced_set,
                                   allow_process, &o, &ids, service_kept(svc), &st, &err);
    if (rc == 1) {
        reply_error(r, o.status, err.msg);
    } else if (rc) {
        reply_failure(svc, r, rc, &err);
    } else {
        json_t *list = json_array();
        for (size_t i = 0; list && i < ids.n; i++)
            if (json_array_append_new(list, json_integer(ids.ids[i]))) {
                json_decref(list);
                list = NULL;
            }
        reply_json(r, 202,
                   list ? json_pack("{s:o, s:i, s:i, s:i}", "events", list, "releases",
                                    (json_int_t)st.releases, "stored", (json_int_t)st.stored,
                                    "duplicates", (json_int_t)st.duplicates)
                        : NULL);
        for (size_t i = 0; i < ids.n; i++)
            service_txn_note(svc, ids.ids[i], rq->received);
        svc->metrics.events_accepted += st.stored;
        svc->metrics.releases_duplicate += st.duplicates;
        snprintf(r->note, sizeof r->note, " stored=%zu duplicates=%zu", st.stored, st.duplicates);
        if (st.stored)
            service_wake(svc);
    }
    free(ids.ids);
    ocds_batch_free(&batch);
}

static void get_processes(service *svc, const char *query, size_t qlen, reply *r)
{
    char stage[64], result[64], codes[MAX_CODES][8];
    if (parse_filters(query, qlen, stage, result, sizeof stage, r))
        return;
    size_t n = service_visible_codes(svc, r->tenant, codes, MAX_CODES);
    json_t *all = json_array();
    anbud_err err;
    for (size_t i = 0; all && i < n; i++) {
        json_t *doc =
            store_list(svc->db, codes[i], stage[0] ? stage : NULL, result[0] ? result : NULL, &err);
        if (!doc) {
            json_decref(all);
            reply_failure(svc, r, err.code, &err);
            return;
        }
        if (json_array_extend(all, json_object_get(doc, "processes"))) {
            json_decref(all);
            all = NULL;
        }
        json_decref(doc);
    }
    reply_json(r, 200, all ? json_pack("{s:o}", "processes", all) : NULL);
}

/* GET /v1/processes/{ocid}[/history]: 404 unless the tenant sees the process. */
static void get_process(service *svc, const char *ocid, int history, reply *r)
{
    char code[8];
    anbud_err err;
    int rc = store_process_municipality(svc->db, ocid, code, &err);
    if (rc < 0) {
        reply_failure(svc, r, rc, &err);
        return;
    }
    if (rc == 1 || !sees(svc, r->tenant, code)) {
        char msg[400];
        snprintf(msg, sizeof msg, "no process '%s'", ocid);
        reply_error(r, 404, msg);
        return;
    }
    json_t *doc = history ? store_history(svc->db, ocid, &err) : store_show(svc->db, ocid, &err);
    if (!doc) {
        reply_failure(svc, r, err.code, &err);
        return;
    }
    if (!history) { /* the show document, with the compiled release and the kommunenummer */
        stored_process sp;
        json_t *p = json_array_get(json_object_get(doc, "processes"), 0);
        rc = store_load_process(svc->db, ocid, &sp, &err);
        if (rc) {
            json_decref(doc);
            reply_failure(svc, r, rc < 0 ? rc : ANBUD_EINTERNAL, &err);
            return;
        }
        if (json_object_set_new(p, "municipality", json_string(code)) ||
            json_object_set_new(p, "compiled", sp.compiled)) {
            json_decref(doc);
            doc = NULL;
        }
    }
    reply_json(r, 200, doc);
}

static void get_ruleset(service *svc, const char *id, reply *r)
{
    json_t *doc = service_ruleset_json(svc, id);
    if (doc) {
        reply_json(r, 200, doc);
        return;
    }
    char msg[300];
    snprintf(msg, sizeof msg, "no rule set '%s' is in force", id);
    reply_json(
        r, engine_ruleset_by_id(svc->eng, id) ? 500 : 404,
        json_pack("{s:o, s:s?}", "error", text_json(msg), "last_reload_error", svc->reload_error));
}

static void get_health(service *svc, reply *r)
{
    int64_t pending = -1;
    anbud_err err;
    if (store_pending_count(svc->db, &pending, &err))
        service_log(svc, "healthz: %s", err.msg);
    reply_json(r, svc->stopping ? 503 : 200,
               json_pack("{s:s, s:I}", "status", svc->stopping ? "stopping" : "ok", "pending",
                         (json_int_t)pending));
}

static void get_metrics(service *svc, reply *r)
{
    r->type = "text/plain; version=0.0.4; charset=utf-8";
    r->status = 200;
    if (service_metrics_render(svc, &r->body))
        reply_error(r, 500, "out of memory");
}

/* ---- routing ----------------------------------------------------------------------- */

static int method_is(const service_request *rq, const char *m)
{
    return strcmp(rq->method, m) == 0;
}

/* Routes the /v1 paths (the tenant is known); seg are the decoded segments after /v1. */
static void route_v1(service *svc, const service_request *rq, char seg[][MAX_PATH], size_t n,
                     reply *r)
{
    int get = method_is(rq, "GET") || method_is(rq, "HEAD");
    if (n == 1 && strcmp(seg[0], "releases") == 0) {
        r->endpoint = "/v1/releases";
        if (method_is(rq, "POST"))
            post_releases(svc, rq, r);
        else
            r->allow = "POST";
    } else if (n == 1 && strcmp(seg[0], "processes") == 0) {
        r->endpoint = "/v1/processes";
        if (get)
            get_processes(svc, rq->query, rq->query_len, r);
        else
            r->allow = "GET";
    } else if ((n == 2 || (n == 3 && strcmp(seg[2], "history") == 0)) &&
               strcmp(seg[0], "processes") == 0) {
        r->endpoint = n == 2 ? "/v1/processes/{ocid}" : "/v1/processes/{ocid}/history";
        if (get)
            get_process(svc, seg[1], n == 3, r);
        else
            r->allow = "GET";
    } else if (n == 1 && strcmp(seg[0], "rulesets") == 0) {
        r->endpoint = "/v1/rulesets";
        if (get)
            reply_json(r, 200, service_rulesets_json(svc));
        else
            r->allow = "GET";
    } else if (n == 2 && strcmp(seg[0], "rulesets") == 0) {
        r->endpoint = "/v1/rulesets/{id}";
        if (get)
            get_ruleset(svc, seg[1], r);
        else
            r->allow = "GET";
    } else {
        reply_error(r, 404,
                    "no such endpoint (see SPEC § 7: /v1/releases, /v1/processes, "
                    "/v1/rulesets)");
    }
}

/* The /v1 paths: the token first, then the route. */
static void route_v1_path(service *svc, const service_request *rq, reply *r)
{
    const char *p = rq->path;
    size_t plen = rq->path_len, n = 0, i = 4;
    char(*seg)[MAX_PATH] = calloc(4, sizeof *seg);
    int bad = !seg;
    while (!bad && i <= plen) {
        size_t end = i;
        while (end < plen && p[end] != '/')
            end++;
        bad = n == 4 || decode(p + i, end - i, 0, seg[n], MAX_PATH) || !seg[n][0];
        n++;
        i = end + 1;
    }
    if (!seg)
        reply_error(r, 500, "out of memory");
    else if (authenticate(svc, rq, r) == 0) {
        if (bad)
            reply_error(r, 404, "no such endpoint");
        else
            route_v1(svc, rq, seg, n, r);
    }
    free(seg);
}

void service_api_route(service *svc, const service_request *rq, service_reply *r)
{
    const char *p = rq->path;
    size_t plen = rq->path_len;
    int get = method_is(rq, "GET") || method_is(rq, "HEAD");
    r->endpoint = "other";
    if (plen >= MAX_PATH) {
        reply_error(r, 414, "path too long");
    } else if (plen == 8 && memcmp(p, "/healthz", 8) == 0) {
        r->endpoint = "/healthz";
        if (get)
            get_health(svc, r);
        else
            r->allow = "GET";
    } else if (plen == 8 && memcmp(p, "/metrics", 8) == 0) {
        r->endpoint = "/metrics";
        if (get)
            get_metrics(svc, r);
        else
            r->allow = "GET";
    } else if (plen > 4 && memcmp(p, "/v1/", 4) == 0) {
        route_v1_path(svc, rq, r);
    } else {
        reply_error(r, 404, "no such endpoint");
    }
    if (r->allow)
        reply_error(r, 405, "method not allowed on this endpoint");
}
