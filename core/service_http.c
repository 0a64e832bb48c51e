/*
 * service_http: the HTTP side of the service, on libh2o's libuv build, and the only file
 * that includes h2o.h: listening, connections, one handler that hands every request to
 * service_api.c and sends its reply (a 202 once the WAL holding its events is synced:
 * service.c's group commit), the log line and the request metrics. libh2o reads
 * a whole request body (at most max_request_entity_size, else it answers 413 itself)
 * before the handler runs.
 */
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <h2o.h>
#pragma GCC diagnostic pop

#include "service_internal.h"

/* A 202 waiting for the sync of the WAL that holds its events (group commit). */
typedef struct waiting_reply waiting_reply;

/* Lives in the request's memory pool: tells the waiting reply when the request is gone. */
typedef struct req_guard {
    waiting_reply *w;
} req_guard;

struct waiting_reply {
    waiting_reply *next;
    h2o_req_t *req; /* NULL once the connection closed under it */
    req_guard *guard;
    service_reply r;
};

struct service_http {
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept;
    uv_tcp_t listener;
    int config_ready, ctx_ready, listening;
    size_t connections;
    waiting_reply *first, *last; /* committed, waiting for the sync; oldest first */
    size_t n_waiting;
    waiting_reply *ufirst, *ulast; /* in the loop's transaction, not yet committed */
};

typedef struct anbud_handler {
    h2o_handler_t super;
    service *svc;
} anbud_handler;

typedef struct http_conn {
    uv_tcp_t tcp; /* first: the close callback gets the connection */
    service_http *http;
} http_conn;

static void send_reply(h2o_req_t *req, const service_reply *r)
{
    req->res.status = r->status;
    req->res.reason = service_reason(r->status);
    const char *type = r->type ? r->type : "application/json; charset=utf-8";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    if (r->status == 401)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                       H2O_STRLIT("Bearer realm=\"anbud\""));
    if (r->allow)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, r->allow,
                       strlen(r->allow));
    req->res.content_length = r->body.len;
    h2o_send_inline(req, r->body.data ? r->body.data : "", r->body.len);
}

/* Writes s (n bytes) to out as printable ASCII, for the log. */
static void printable(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++)
        out[o++] = s[i] > 32 && s[i] < 127 ? s[i] : '?';
    out[o] = 0;
}

static void on_req_disposed(void *p)
{
    req_guard *g = p;
    if (g->w)
        g->w->req = NULL;
}

/* Keeps a 202 until the loop's transaction holding its events is committed and the WAL
 * synced; 0, or -1 when it cannot wait (memory): then the caller commits and answers at
 * once, and the events are as durable as a crash-safe commit (they survive the process,
 * not a power cut). */
static int wait_for_sync(service *svc, h2o_req_t *req, service_reply *r)
{
    service_http *http = svc->http;
    waiting_reply *w = calloc(1, sizeof *w);
    req_guard *g = w ? h2o_mem_alloc_shared(&req->pool, sizeof *g, on_req_disposed) : NULL;
    if (!g) {
        free(w);
        return -1;
    }
    g->w = w;
    w->req = req;
    w->guard = g;
    w->r = *r;
    memset(&r->body, 0, sizeof r->body); /* the waiting reply owns it now */
    if (http->ulast)
        http->ulast->next = w;
    else
        http->ufirst = w;
    http->ulast = w;
    return 0;
}

/* Answers a waiting reply 503 instead of its 202: why, and that sending again is safe. */
static void refuse(waiting_reply *w, const char *why)
{
    sbuf_free(&w->r.body);
    w->r.status = 503;
    w->r.type = NULL;
    if (sbuf_printf(&w->r.body,
                    "{\"error\":\"%s; send again (a release stored twice is a duplicate)\"}\n",
                    why))
        sbuf_free(&w->r.body);
}

/* Sends a waiting reply (when its request is still there) and frees it. */
static void finish(waiting_reply *w)
{
    if (w->req) {
        w->guard->w = NULL;
        send_reply(w->req, &w->r);
    }
    sbuf_free(&w->r.body);
    free(w);
}

void service_http_committed(service *svc, int ok)
{
    service_http *http = svc->http;
    if (!http || !http->ufirst)
        return;
    if (ok) {
        for (waiting_reply *w = http->ufirst; w; w = w->next)
            http->n_waiting++;
        if (http->last)
            http->last->next = http->ufirst;
        else
            http->first = http->ufirst;
        http->last = http->ulast;
    } else {
        for (waiting_reply *w = http->ufirst, *next; w; w = next) {
            next = w->next;
            refuse(w, "the store could not commit the events");
            finish(w);
        }
    }
    http->ufirst = http->ulast = NULL;
}

size_t service_http_waiting(const service *svc)
{
    return svc->http ? svc->http->n_waiting : 0;
}

void service_http_durable(service *svc, size_t n, int ok)
{
    service_http *http = svc->http;
    while (http && n-- && http->first) {
        waiting_reply *w = http->first;
        http->first = w->next;
        if (!http->first)
            http->last = NULL;
        http->n_waiting--;
        if (!ok && w->req)
            refuse(w, "the store could not sync the events");
        finish(w);
    }
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    service *svc = ((anbud_handler *)self)->svc;
    uint64_t t0 = uv_hrtime();
    char method[16], path[200];
    printable(req->method.base, req->method.len, method, sizeof method);
    int has_query = req->query_at != SIZE_MAX;
    ssize_t auth = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    service_request rq = {
        .method = req->method.len < sizeof method ? method : "?",
        .path = req->path.base,
        .path_len = has_query ? req->query_at : req->path.len,
        .query = has_query ? req->path.base + req->query_at + 1 : "",
        .query_len = has_query ? req->path.len - req->query_at - 1 : 0,
        .body = req->entity.base,
        .body_len = req->entity.base ? req->entity.len : 0,
        .authorization = auth >= 0 ? req->headers.entries[auth].value.base : NULL,
        .authorization_len = auth >= 0 ? req->headers.entries[auth].value.len : 0,
        .received = t0,
    };
    service_reply r;
    memset(&r, 0, sizeof r);
    r.status = 500;
    if (strcmp(rq.method, "POST") != 0) /* reads see only what is committed */
        service_flush(svc);
    service_api_route(svc, &rq, &r);
    int waiting = r.status == 202 && wait_for_sync(svc, req, &r) == 0;
    if (!waiting) { /* else answered once its transaction is committed and synced */
        if (r.status == 202 && service_flush(svc) != 0) {
            sbuf_free(&r.body);
            r.status = 503;
            if (sbuf_adds(&r.body, "{\"error\":\"the store could not commit the events; send "
                                   "again\"}\n"))
                sbuf_free(&r.body);
        }
        send_reply(req, &r);
    }
    printable(req->path.base, req->path.len, path, sizeof path);
    service_log(svc, "%s %s %d %.1f ms%s%s%s", method, path, r.status,
                (double)(uv_hrtime() - t0) / 1e6, r.tenant[0] ? " token=" : "", r.tenant, r.note);
    service_metrics_request(svc, r.endpoint, r.status);
    if (!waiting) /* answered already: its line is in the log before the client reads on */
        service_log_write(svc);
    sbuf_free(&r.body);
    return 0;
}

/* ---- listening --------------------------------------------------------------------- */

static void on_conn_closed(uv_handle_t *h)
{
    http_conn *c = (http_conn *)h;
    c->http->connections--;
    free(c);
}

static void on_accept(uv_stream_t *listener, int status)
{
    service *svc = listener->data;
    service_http *http = svc->http;
    if (status != 0) {
        service_log(svc, "accept: %s", uv_strerror(status));
        return;
    }
    http_conn *c = calloc(1, sizeof *c);
    if (!c || uv_tcp_init(&svc->loop, &c->tcp) != 0) {
        free(c);
        service_log(svc, "accept: out of memory");
        return;
    }
    c->http = http;
    http->connections++;
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
        return;
    }
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, on_conn_closed);
    if (!sock) {
        uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
        return;
    }
    h2o_accept(&http->accept, sock);
}

/* Parses "HOST:PORT" or "[V6]:PORT". */
static int parse_listen(const char *s, struct sockaddr_storage *addr, anbud_err *err)
{
    const char *colon = strrchr(s, ':');
    char host[64];
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    size_t hlen = colon ? (size_t)(colon - s) : 0;
    int v6 = hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']';
    if (!colon || !end || *end || end == colon + 1 || port < 1 || port > 65535 || hlen == 0 ||
        hlen >= sizeof host)
        return err_set(err, ANBUD_EINPUT, "--listen '%s': give HOST:PORT, e.g. 127.0.0.1:8473", s);
    memcpy(host, s + v6, hlen - 2 * v6);
    host[hlen - 2 * v6] = 0;
    int rc = v6 ? uv_ip6_addr(host, (int)port, (struct sockaddr_in6 *)addr)
                : uv_ip4_addr(host, (int)port, (struct sockaddr_in *)addr);
    return rc ? err_set(err, ANBUD_EINPUT, "--listen '%s': '%s' is not an IP address", s, host) : 0;
}

int service_http_start(service *svc, anbud_err *err)
{
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    int rc = parse_listen(svc->opt->listen, &addr, err);
    if (rc)
        return rc;
    service_http *http = calloc(1, sizeof *http);
    if (!http)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    svc->http = http;
    h2o_config_init(&http->config);
    http->config_ready = 1;
    http->config.max_request_entity_size = svc->opt->max_body;
    http->config.server_name = h2o_iovec_init(H2O_STRLIT("anbud"));
    h2o_hostconf_t *host =
        h2o_config_register_host(&http->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    anbud_handler *handler = (anbud_handler *)h2o_create_handler(path, sizeof *handler);
    handler->super.on_req = on_req;
    handler->svc = svc;
    h2o_context_init(&http->ctx, &svc->loop, &http->config);
    http->ctx_ready = 1;
    http->accept.ctx = &http->ctx;
    http->accept.hosts = http->config.hosts;
    rc = uv_tcp_init(&svc->loop, &http->listener);
    if (rc)
        return err_set(err, ANBUD_EINTERNAL, "libuv: %s", uv_strerror(rc));
    http->listener.data = svc;
    http->listening = 1;
    rc = uv_tcp_bind(&http->listener, (const struct sockaddr *)&addr, 0);
    if (!rc)
        rc = uv_listen((uv_stream_t *)&http->listener, 128, on_accept);
    if (rc)
        return err_set(err, ANBUD_EINPUT, "--listen %s: %s", svc->opt->listen, uv_strerror(rc));
    return 0;
}

void service_http_stop_accepting(service *svc)
{
    service_http *http = svc->http;
    if (http && http->listening) {
        uv_close((uv_handle_t *)&http->listener, NULL);
        http->listening = 0;
    }
}

size_t service_http_connections(const service *svc)
{
    return svc->http ? svc->http->connections : 0;
}

int service_http_close(service *svc)
{
    service_http *http = svc->http;
    if (!http)
        return 0;
    service_http_stop_accepting(svc);
    if (http->connections)
        return -1;
    if (http->ctx_ready)
        h2o_context_dispose(&http->ctx);
    if (http->config_ready)
        h2o_config_dispose(&http->config);
    http->ctx_ready = http->config_ready = 0;
    return 0;
}

void service_http_free(service *svc)
{
    if (svc->http) { /* replies still waiting: their connections are gone */
        service_http_committed(svc, 0);
        service_http_durable(svc, svc->http->n_waiting, 0);
    }
    free(svc->http);
    svc->http = NULL;
}
