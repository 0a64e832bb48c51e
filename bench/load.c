/*
 * bench/load: an open-loop load generator for `anbud serve` (issue 7, service latency).
 *
 *   bench/load --port P --token T --file F.jsonl [--host 127.0.0.1] [--rate 1000]
 *              [--seconds 30] [--municipality 4601] [--connections 32] [--find-max]
 *              [--steps 6] [--drain 10]
 *
 * Reads JSON Lines releases (bench/gen output), keeps the processes whose buyer is in the
 * municipality (the one release with buyer and parties decides its process; gen writes a
 * process's releases on consecutive lines), and POSTs them one release per request to
 * /v1/releases over HTTP/1.1 keep-alive connections with 'Authorization: Bearer T'.
 *
 * Open loop: request i is due at start + i / rate whatever the answers do. A due request
 * goes out on the first idle connection, unless an earlier release of its process is
 * still unanswered (then it waits, so a process's releases arrive in order). The service
 * closes a keep-alive connection idle for 10 s (libh2o's default); the generator dials
 * again, and a request the closing connection never read is sent again on the new one
 * ("reconnects" counts these). With every
 * connection busy, due requests queue in the generator; their client latency counts from
 * the moment they were due (no coordinated omission).
 *
 * Latency (the numbers the issue asks for) is measured by the service: for each event
 * it stores, the monotonic time from receiving the request (the whole body read) to the
 * commit of the event's verdicts; /metrics exposes it as the histogram
 * anbud_event_latency_seconds{from="received"} (and from="stored": from the commit that
 * stored the event). The generator reads the histogram before and after a step (after the
 * queue of unevaluated events has drained), subtracts, and interpolates p50 and p99 within
 * a bucket (as Prometheus' histogram_quantile does; the bucket bounds include 5 ms, so
 * "p99 <= 5 ms" is decided exactly). The client's own cross-check: due to 202 answer.
 *
 * When the input's releases are used up, it starts again from the first, each process
 * renamed OCID-pN (pass N), so any rate and length find new processes; the store (and a
 * buyer's portfolio, which rules with p:others() read) grows as it would in service.
 *
 * Prints ONE JSON line. --find-max runs steps of --seconds each, starting at --rate and
 * multiplying it by 1.5 while steps are sustained, at most --steps steps; when the first
 * is not, it lowers the rate (to half, or to 80 % of the rate the service evaluated at in
 * the failed step when that is lower) until one is. Before each step it waits (at most
 * 3 x --seconds, 30 s at least) for the queue of unevaluated events to empty. A step is sustained without errors, with every
 * request answered (answers are awaited at most --drain seconds after the step), a queue of
 * unevaluated events that drained within --drain seconds more, and server p99 at most
 * 100 ms. The line then holds
 * "max_sustained_per_s" (0 when none was) and every step.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CONNS = 256, MAX_BUCKETS = 128, MAX_STEPS = 12, RESP_CAP = 1 << 16 };
#define MAX_RELEASES ((size_t)200000) /* read from the input at most; then it starts again */

typedef struct release {
    char *body;
    size_t len;
    size_t process; /* index of its process: releases of one process share it */
} release;

typedef struct conn {
    int fd;
    long req;        /* the request in flight, -1 when idle */
    char *out;       /* what is left to send */
    size_t out_len, out_off;
    char in[RESP_CAP];
    size_t in_len;
    int retried; /* the request in flight was sent again on a new connection */
} conn;

typedef struct histo {
    double le[MAX_BUCKETS];
    double count[MAX_BUCKETS]; /* cumulative, as Prometheus gives it */
    size_t n;
    double sum, total, max;
} histo;

static const char *host = "127.0.0.1";
static int port;
static const char *token;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *msg)
{
    fprintf(stderr, "load: %s\n", msg);
    exit(2);
}

/* ---- input ------------------------------------------------------------------------- */

/* The buyer's kommunenummer of a release with buyer and parties, else NULL. */
static const char *buyer_code(json_t *r)
{
    const char *id = json_string_value(json_object_get(json_object_get(r, "buyer"), "id"));
    size_t i;
    json_t *p;
    if (!id)
        return NULL;
    json_array_foreach(json_object_get(r, "parties"), i, p)
    {
        const char *pid = json_string_value(json_object_get(p, "id"));
        if (pid && strcmp(pid, id) == 0)
            return json_string_value(
                json_object_get(json_object_get(p, "details"), "municipalityCode"));
    }
    return NULL;
}

/* Reads up to max releases of the municipality's processes from path. */
static release *read_releases(const char *path, const char *code, size_t max, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open the input file");
    release *out = calloc(max ? max : 1, sizeof *out);
    if (!out)
        die("out of memory");
    char *line = NULL, last_ocid[256] = "";
    size_t cap = 0, process = 0;
    int keep = 0;
    ssize_t len;
    *n = 0;
    while (*n < max && (len = getline(&line, &cap, f)) > 0) {
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!len)
            continue;
        json_t *r = json_loadb(line, (size_t)len, 0, NULL);
        const char *ocid = json_string_value(json_object_get(r, "ocid"));
        if (!ocid || strlen(ocid) >= sizeof last_ocid) {
            json_decref(r);
            continue;
        }
        if (strcmp(ocid, last_ocid) != 0) { /* a new process: its first release decides */
            const char *b = buyer_code(r);
            keep = b && strcmp(b, code) == 0;
            snprintf(last_ocid, sizeof last_ocid, "%s", ocid);
            process += keep;
        }
        json_decref(r);
        if (!keep)
            continue;
        out[*n].body = malloc((size_t)len);
        if (!out[*n].body)
            die("out of memory");
        memcpy(out[*n].body, line, (size_t)len);
        out[*n].len = (size_t)len;
        out[*n].process = process - 1;
        (*n)++;
    }
    free(line);
    fclose(f);
    return out;
}

/* ---- connections ------------------------------------------------------------------- */

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket failed");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        die("--host must be an IPv4 address");
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS)
        die("connect failed");
    return fd;
}

/*
 * libh2o closes a keep-alive connection idle for 10 s (http1 request timeout), so a
 * connection the generator did not need for a while may be gone: it dials again.
 */
static void redial(conn *c, long *reconnects)
{
    close(c->fd);
    c->fd = dial();
    (*reconnects)++;
}

/*
 * The connection was closed as the request went out, before any byte of an answer: the
 * service closed it idle and never read the request. Sends it again on a new connection
 * (once; a release sent twice is a duplicate, answered 202 without a second event).
 */
static void resend(conn *c, long *reconnects)
{
    redial(c, reconnects);
    c->out_off = 0;
    c->in_len = 0;
    c->retried = 1;
}

/* Parses a complete response in c->in: its status and total length, or 0 when incomplete. */
static size_t response_complete(const conn *c, int *status)
{
    const char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head = (size_t)(end - c->in) + 4, body = 0;
    *status = c->in_len > 12 ? atoi(c->in + 9) : 0;
    for (const char *p = c->in; p && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        if (strncasecmp(p, "content-length:", 15) == 0)
            body = strtoul(p + 15, NULL, 10);
        p = nl + 1;
    }
    return c->in_len >= head + body ? head + body : 0;
}

/* Sends one whole request and reads its answer on a blocking helper connection. */
static char *fetch(const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
        connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("cannot connect to the service");
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
    if (write(fd, req, (size_t)n) != n)
        die("write failed");
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while (buf && (got = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)got;
        if (len + 1 == cap) {
            char *grown = realloc(buf, cap *= 2);
            if (!grown)
                free(buf);
            buf = grown;
        }
    }
    close(fd);
    if (!buf)
        die("out of memory");
    buf[len] = 0;
    return buf;
}

/* ---- the service's histogram ---------------------------------------------------------- */

static double metric_value(const char *text, const char *name)
{
    const char *p = text;
    size_t n = strlen(name);
    while ((p = strstr(p, name))) {
        if ((p == text || p[-1] == '\n') && p[n] == ' ')
            return strtod(p + n + 1, NULL);
        p += n;
    }
    return NAN;
}

static histo read_histo(const char *from)
{
    histo h = {0};
    char *text = fetch("/metrics");
    char prefix[128];
    snprintf(prefix, sizeof prefix, "anbud_event_latency_seconds_bucket{from=\"%s\",le=\"", from);
    size_t plen = strlen(prefix);
    for (const char *p = text; (p = strstr(p, prefix)) && h.n < MAX_BUCKETS; p += plen) {
        const char *le = p + plen;
        h.le[h.n] = strncmp(le, "+Inf", 4) == 0 ? INFINITY : strtod(le, NULL);
        const char *v = strstr(le, "} ");
        h.count[h.n++] = v ? strtod(v + 2, NULL) : 0;
    }
    char name[128];
    snprintf(name, sizeof name, "anbud_event_latency_seconds_sum{from=\"%s\"}", from);
    h.sum = metric_value(text, name);
    snprintf(name, sizeof name, "anbud_event_latency_seconds_count{from=\"%s\"}", from);
    h.total = metric_value(text, name);
    snprintf(name, sizeof name, "anbud_event_latency_max_seconds{from=\"%s\"}", from);
    h.max = metric_value(text, name);
    free(text); /* none (an anbud without it): the service's numbers are null */
    return h;
}

static double pending_events(void)
{
    char *text = fetch("/metrics");
    double v = metric_value(text, "anbud_events_pending");
    free(text);
    return v;
}

/* The q-quantile of after - before, interpolated within its bucket; seconds. */
static double quantile(const histo *before, const histo *after, double q)
{
    if (after->n == 0 || before->n == 0)
        return NAN;
    double total = after->count[after->n - 1] - before->count[before->n - 1];
    if (total <= 0)
        return NAN;
    double rank = q * total, prev_le = 0, prev = 0;
    for (size_t i = 0; i < after->n; i++) {
        double c = after->count[i] - (i < before->n ? before->count[i] : 0);
        if (c >= rank) {
            if (isinf(after->le[i]))
                return prev_le;
            return prev_le + (after->le[i] - prev_le) * (c > prev ? (rank - prev) / (c - prev) : 1);
        }
        prev = c;
        prev_le = after->le[i];
    }
    return prev_le;
}

/* ---- one step ---------------------------------------------------------------------- */

typedef struct step_result {
    double rate, seconds;
    long sent, accepted, errors, unanswered;
    long reconnects; /* connections the service had closed (idle), dialled again */
    double p50, p99, max, mean, stored_p50, stored_p99; /* ms, service */
    double c50, c99, cmax;                              /* ms, client: due to 202 */
    double pending_at_end, drain_s;
    double queue_wait_s, pending_at_start; /* waiting for the previous step's queue */
    long events;
    int sustained;
} step_result;

/* The in-flight slot of absolute request a: its process in its pass. */
static size_t slot_of(const release *rel, size_t n, size_t n_process, size_t a, size_t slots)
{
    return ((a / n) * n_process + rel[a % n].process) % slots;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The request for release r; pass > 0 (the input used up, started again) renames its
 * process OCID-pPASS, a new process. */
static char *request_text(const release *r, size_t pass, size_t *len)
{
    char head[512], suffix[32] = "";
    const char *body = r->body, *mark = strstr(body, "\"ocid\":\"");
    size_t cut = r->len;
    if (pass && mark) {
        const char *end = strchr(mark + 8, '"');
        if (end) {
            snprintf(suffix, sizeof suffix, "-p%zu", pass);
            cut = (size_t)(end - body);
        }
    }
    size_t extra = strlen(suffix), blen = r->len + extra;
    int h = snprintf(head, sizeof head,
                     "POST /v1/releases HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     host, token, blen);
    char *t = malloc((size_t)h + blen);
    if (!t)
        die("out of memory");
    memcpy(t, head, (size_t)h);
    memcpy(t + h, body, cut);
    memcpy(t + h + cut, suffix, extra);
    memcpy(t + h + cut + extra, body + cut, r->len - cut);
    *len = (size_t)h + blen;
    return t;
}

/* Runs rate x seconds requests: request j is release (first + j) mod n of rel, in pass
 * (first + j) / n. */
static step_result run_step(const release *rel, size_t n, size_t n_process, size_t first,
                            double rate, double seconds, int n_conns, double drain_limit)
{
    step_result s = {.rate = rate, .seconds = seconds};
    size_t total = (size_t)(rate * seconds), slots = n_process * 4 + 1;
    histo rb = read_histo("received"), sb = read_histo("stored");
    conn *cs = calloc((size_t)n_conns, sizeof *cs);
    double *due_lat = calloc(total ? total : 1, sizeof *due_lat);
    char *inflight = calloc(slots, 1); /* by process and pass, modulo slots */
    char *sent = calloc(total ? total : 1, 1);
    struct pollfd *pfd = calloc((size_t)n_conns, sizeof *pfd);
    if (!cs || !due_lat || !inflight || !sent || !pfd)
        die("out of memory");
    for (int i = 0; i < n_conns; i++) {
        cs[i].fd = dial();
        cs[i].req = -1;
    }
    double start = now_s(), deadline = start + seconds + drain_limit; /* answers wait at most drain */
    size_t oldest = 0; /* every request before it was sent */
    long answered = 0, n_lat = 0;
    while ((size_t)answered < total && now_s() < deadline) {
        double t = now_s();
        size_t due = (size_t)((t - start) * rate) + 1;
        if (due > total)
            due = total;
        /* hand due requests to idle connections, oldest first, a process's in order */
        for (int i = 0; i < n_conns; i++) {
            if (cs[i].req >= 0 || cs[i].fd < 0)
                continue;
            while (oldest < due && sent[oldest])
                oldest++;
            size_t k = oldest, scanned = 0;
            while (k < due && scanned < 256 && (sent[k] || inflight[slot_of(rel, n, n_process,
                                                                            first + k, slots)])) {
                k++;
                scanned++;
            }
            if (k >= due || scanned >= 256)
                break;
            sent[k] = 1;
            inflight[slot_of(rel, n, n_process, first + k, slots)] = 1;
            cs[i].req = (long)k;
            cs[i].out = request_text(&rel[(first + k) % n], (first + k) / n, &cs[i].out_len);
            cs[i].out_off = 0;
            cs[i].in_len = 0;
            cs[i].retried = 0;
            s.sent++;
        }
        double next = start + (double)due / rate;
        int timeout_ms = due < total ? (int)((next - now_s()) * 1000) : 100;
        if (timeout_ms < 0)
            timeout_ms = 0;
        for (int i = 0; i < n_conns; i++) { /* idle ones too: the service may close them */
            pfd[i].fd = cs[i].fd;
            pfd[i].events = cs[i].req >= 0 && cs[i].out_off < cs[i].out_len ? POLLOUT : POLLIN;
            pfd[i].revents = 0;
        }
        struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
        if (timeout_ms == 0 && due < total)
            ts.tv_nsec = 200000; /* 0.2 ms: the next request is due about now */
        if (ppoll(pfd, (nfds_t)n_conns, &ts, NULL) < 0 && errno != EINTR)
            die("poll failed");
        for (int i = 0; i < n_conns; i++) {
            conn *c = &cs[i];
            if (!pfd[i].revents)
                continue;
            if (c->req < 0) { /* idle: the service closed it (its keep-alive timeout) */
                char b[256];
                ssize_t r = read(c->fd, b, sizeof b);
                if (r > 0)
                    die("the service sent bytes on an idle connection");
                if (r == 0 || errno != EAGAIN)
                    redial(c, &s.reconnects);
                continue;
            }
            if (c->out_off < c->out_len) {
                ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
                if (w > 0)
                    c->out_off += (size_t)w;
                else if (w < 0 && (errno == EPIPE || errno == ECONNRESET) && c->out_off == 0)
                    resend(c, &s.reconnects);
                else if (w < 0 && errno != EAGAIN)
                    die("write to the service failed");
                continue;
            }
            ssize_t r = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
            if ((r == 0 || (r < 0 && errno == ECONNRESET)) && c->in_len == 0 && !c->retried) {
                resend(c, &s.reconnects); /* closed as the request went out: not read */
                continue;
            }
            if (r == 0 || (r < 0 && errno != EAGAIN))
                die("the service closed a connection while answering");
            if (r < 0)
                continue;
            c->in_len += (size_t)r;
            int status = 0;
            size_t whole = response_complete(c, &status);
            if (!whole) {
                if (c->in_len == sizeof c->in)
                    die("a response larger than 64 KiB");
                continue;
            }
            double done = now_s();
            long k = c->req;
            due_lat[n_lat++] = (done - (start + (double)k / rate)) * 1000;
            if (status == 202)
                s.accepted++;
            else {
                s.errors++;
                if (s.errors <= 3)
                    fprintf(stderr, "load: request %ld answered %d: %.*s\n", k, status,
                            (int)(c->in_len > 300 ? 300 : c->in_len), c->in);
            }
            inflight[slot_of(rel, n, n_process, first + (size_t)k, slots)] = 0;
            answered++;
            free(c->out);
            c->out = NULL;
            c->req = -1;
        }
    }
    double end = now_s();
    s.unanswered = (long)total - answered;
    s.pending_at_end = pending_events();
    while (pending_events() > 0 && now_s() - end < drain_limit)
        usleep(20000);
    s.drain_s = now_s() - end;
    double left = pending_events();
    histo ra = read_histo("received"), sa = read_histo("stored");
    s.events = ra.n ? (long)(ra.total - rb.total) : -1;
    s.p50 = quantile(&rb, &ra, 0.50) * 1000;
    s.p99 = quantile(&rb, &ra, 0.99) * 1000;
    s.stored_p50 = quantile(&sb, &sa, 0.50) * 1000;
    s.stored_p99 = quantile(&sb, &sa, 0.99) * 1000;
    s.mean = s.events > 0 ? (ra.sum - rb.sum) / (double)s.events * 1000 : NAN;
    s.max = ra.max * 1000; /* since the service started */
    qsort(due_lat, (size_t)n_lat, sizeof *due_lat, cmp_double);
    if (n_lat) {
        s.c50 = due_lat[(size_t)(0.50 * (double)(n_lat - 1))];
        s.c99 = due_lat[(size_t)(0.99 * (double)(n_lat - 1))];
        s.cmax = due_lat[n_lat - 1];
    }
    s.seconds = end - start;
    s.sustained = s.errors == 0 && s.unanswered == 0 && left <= 0 && s.p99 <= 100 &&
                  (size_t)s.sent == total;
    for (int i = 0; i < n_conns; i++) {
        close(cs[i].fd);
        free(cs[i].out);
    }
    free(cs);
    free(due_lat);
    free(inflight);
    free(sent);
    free(pfd);
    return s;
}

/* ---- output ------------------------------------------------------------------------ */

static void num(const char *name, double v, int last)
{
    if (isnan(v) || isinf(v))
        printf("\"%s\":null%s", name, last ? "" : ",");
    else
        printf("\"%s\":%.3f%s", name, v, last ? "" : ",");
}

static void print_step(const step_result *s)
{
    printf("\"rate_per_s\":%g,", s->rate);
    num("seconds", s->seconds, 0);
    printf("\"sent\":%ld,\"accepted\":%ld,\"errors\":%ld,\"unanswered\":%ld,\"events\":%ld,"
           "\"reconnects\":%ld,",
           s->sent, s->accepted, s->errors, s->unanswered, s->events, s->reconnects);
    num("p50_ms", s->p50, 0);
    num("p99_ms", s->p99, 0);
    num("max_ms", s->max, 0);
    num("mean_ms", s->mean, 0);
    num("stored_p50_ms", s->stored_p50, 0);
    num("stored_p99_ms", s->stored_p99, 0);
    num("client_p50_ms", s->c50, 0);
    num("client_p99_ms", s->c99, 0);
    num("client_max_ms", s->cmax, 0);
    num("pending_at_end", s->pending_at_end, 0);
    num("drain_s", s->drain_s, 0);
    num("queue_wait_s", s->queue_wait_s, 0);
    num("pending_at_start", s->pending_at_start, 0);
    printf("\"sustained\":%s", s->sustained ? "true" : "false");
}

static void usage(void)
{
    fputs("usage: load --port P --token T --file F.jsonl [--host 127.0.0.1] [--rate 1000]\n"
          "            [--seconds 30] [--municipality 4601] [--connections 32]\n"
          "            [--find-max] [--steps 6] [--drain 10]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *file = NULL, *code = "4601";
    double rate = 1000, seconds = 30, drain = 10;
    int conns = 32, find_max = 0, steps = 6;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--find-max") == 0) {
            find_max = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (strcmp(a, "--port") == 0)
            port = atoi(v);
        else if (strcmp(a, "--host") == 0)
            host = v;
        else if (strcmp(a, "--token") == 0)
            token = v;
        else if (strcmp(a, "--file") == 0)
            file = v;
        else if (strcmp(a, "--municipality") == 0)
            code = v;
        else if (strcmp(a, "--rate") == 0)
            rate = atof(v);
        else if (strcmp(a, "--seconds") == 0)
            seconds = atof(v);
        else if (strcmp(a, "--connections") == 0)
            conns = atoi(v);
        else if (strcmp(a, "--steps") == 0)
            steps = atoi(v);
        else if (strcmp(a, "--drain") == 0)
            drain = atof(v);
        else
            usage();
    }
    if (port < 1 || port > 65535 || !token || !file || rate <= 0 || seconds <= 0 ||
        conns < 1 || conns > MAX_CONNS || steps < 1 || steps > MAX_STEPS || drain < 0)
        usage();
    signal(SIGPIPE, SIG_IGN);
    size_t n = 0, n_process;
    release *rel = read_releases(file, code, MAX_RELEASES, &n);
    n_process = n ? rel[n - 1].process + 1 : 0;
    if (n == 0)
        die("no release of a process of that municipality in the input");
    step_result res[MAX_STEPS];
    int done = 0;
    size_t first = 0;
    double r = rate, best = 0;
    int down = 0; /* the first step failed: halve until one holds */
    for (; done < (find_max ? steps : 1); done++) {
        /* each step starts with an empty queue (a failed step leaves one): wait for it */
        double t0 = now_s(), limit = seconds * 3 > 30 ? seconds * 3 : 30;
        while (pending_events() > 0 && now_s() - t0 < limit)
            usleep(50000);
        double waited = now_s() - t0, left = pending_events();
        res[done] = run_step(rel, n, n_process, first, r, seconds, conns, drain);
        res[done].queue_wait_s = waited;
        res[done].pending_at_start = left;
        first += (size_t)res[done].sent;
        if (!find_max)
            break;
        if (res[done].sustained && r > best)
            best = r;
        if (done == 0 && !res[done].sustained)
            down = 1;
        if (down ? res[done].sustained : !res[done].sustained) {
            done++;
            break;
        }
        /* down: half the rate, or less: 80 % of the rate the service evaluated at */
        double got = res[done].events > 0 ? (double)res[done].events /
                                                (res[done].seconds + res[done].drain_s)
                                          : 0;
        r = !down ? r * 1.5 : got > 0 && got * 0.8 < r / 2 ? got * 0.8 : r / 2;
        if (r < 1)
            r = 1;
    }
    printf("{");
    print_step(&res[0]);
    printf(",\"latency\":\"service, monotonic: request received (body read) to the commit of "
           "the event's verdicts; stored_*: from the commit that stored the event; client_*: "
           "due time to the 202\",\"releases_in_input\":%zu", n);
    if (find_max) {
        printf(",\"max_sustained_per_s\":%g,\"steps\":[", best);
        for (int i = 0; i < done; i++) {
            printf(i ? ",{" : "{");
            print_step(&res[i]);
            printf("}");
        }
        printf("]");
    }
    printf("}\n");
    for (size_t i = 0; i < n; i++)
        free(rel[i].body);
    free(rel);
    return 0;
}
