/*
 * service_metrics: what /metrics answers, in the Prometheus text format 0.0.4: requests by
 * endpoint and status, events accepted and evaluated, rule evaluations and errors by rule,
 * the time one event's evaluation takes (a histogram), the time from a request to its
 * event's verdicts (a finer histogram), re-checks, reloads and the queue of events not yet
 * evaluated.
 */
#include <stdlib.h>
#include <string.h>

#include "service_internal.h"

static const double BUCKETS[SERVICE_HIST_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,  0.1,    0.25,  1.0,  2.5};

/* The bounds of anbud_event_latency_seconds: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8 per decade
 * from 0.1 ms to 8 s, then 10 s (5 ms is a bound, so "p99 <= 5 ms" reads exactly). */
static double lat_bound(size_t i)
{
    static const double steps[10] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8};
    double decade = 1e-4;
    for (size_t d = 0; d < i / 10; d++)
        decade *= 10;
    return decade * steps[i % 10];
}

/* Appends v to b escaped as a Prometheus label value. */
static int add_label_value(sbuf *b, const char *v)
{
    int rc = 0;
    for (; *v && !rc; v++) {
        if (*v == '\\' || *v == '"')
            rc = sbuf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            rc = sbuf_adds(b, "\\n");
        else
            rc = sbuf_add(b, v, 1);
    }
    return rc;
}

/* Adds 1 to the counter with these labels, creating it. Memory running out loses a count. */
static void count(service_counters *c, const char *labels)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i].labels, labels) == 0) {
            c->items[i].value++;
            return;
        }
    service_counter *grown = array_grow(c->items, &c->cap, c->n, sizeof *grown);
    if (!grown)
        return;
    c->items = grown;
    char *copy = xstrdup(labels);
    if (!copy)
        return;
    c->items[c->n].labels = copy;
    c->items[c->n].value = 1;
    c->n++;
}

/* Counts with labels name="value" (value escaped). */
static void count_one(service_counters *c, const char *name, const char *value)
{
    sbuf b = {0};
    if (sbuf_printf(&b, "%s=\"", name) == 0 && add_label_value(&b, value) == 0 &&
        sbuf_adds(&b, "\"") == 0)
        count(c, b.data);
    sbuf_free(&b);
}

void service_metrics_request(service *svc, const char *endpoint, int status)
{
    sbuf b = {0};
    if (sbuf_adds(&b, "endpoint=\"") == 0 && add_label_value(&b, endpoint) == 0 &&
        sbuf_printf(&b, "\",status=\"%d\"", status) == 0)
        count(&svc->metrics.requests, b.data);
    sbuf_free(&b);
}

void service_metrics_evaluated(service *svc, const verdict_list *l, double seconds)
{
    service_metrics *m = &svc->metrics;
    m->events_evaluated++;
    for (size_t i = 0; i < l->n; i++) {
        count_one(&m->rule_runs, "rule", l->items[i].rule);
        if (l->items[i].outcome == OUTCOME_ERROR)
            count_one(&m->rule_errors, "rule", l->items[i].rule);
    }
    size_t b = 0;
    while (b < SERVICE_HIST_BUCKETS && seconds > BUCKETS[b])
        b++;
    m->eval_buckets[b]++;
    m->eval_seconds += seconds;
    m->eval_count++;
}

static void latency_add(service_latency *l, double seconds)
{
    size_t b = 0;
    while (b < SERVICE_LAT_BUCKETS && seconds > lat_bound(b))
        b++;
    l->buckets[b]++;
    l->sum += seconds;
    l->count++;
    if (seconds > l->max)
        l->max = seconds;
}

enum { MAX_WAITING = 1 << 20 }; /* events beyond it (a long outage) go unmeasured */

void service_metrics_stored(service *svc, const int64_t *ids, size_t n, uint64_t received,
                            uint64_t stored)
{
    service_metrics *m = &svc->metrics;
    for (size_t i = 0; i < n; i++) {
        if (m->n_waiting > m->head && ids[i] <= m->waiting[m->n_waiting - 1].id)
            continue; /* not in order (cannot happen with rowids): leave it unmeasured */
        if (m->n_waiting - m->head >= MAX_WAITING)
            m->head++;
        if (m->n_waiting == m->cap_waiting && m->head > 0) { /* compact */
            memmove(m->waiting, m->waiting + m->head,
                    (m->n_waiting - m->head) * sizeof *m->waiting);
            m->n_waiting -= m->head;
            m->head = 0;
        }
        service_waiting *grown =
            array_grow(m->waiting, &m->cap_waiting, m->n_waiting, sizeof *grown);
        if (!grown)
            return; /* memory running out loses a measurement */
        m->waiting = grown;
        m->waiting[m->n_waiting++] = (service_waiting){ids[i], received, stored};
    }
}

void service_metrics_committed(service *svc, int64_t id, uint64_t at)
{
    service_metrics *m = &svc->metrics;
    size_t lo = m->head, hi = m->n_waiting;
    while (lo < hi) { /* ids ascend; evaluated ones keep their id until popped */
        size_t mid = lo + (hi - lo) / 2;
        if (m->waiting[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < m->n_waiting && m->waiting[lo].id == id && m->waiting[lo].received) {
        service_waiting *w = &m->waiting[lo];
        latency_add(&m->from_received, (double)(at - w->received) / 1e9);
        latency_add(&m->from_stored, (double)(at - w->stored) / 1e9);
        w->received = 0;
    }
    while (m->head < m->n_waiting && m->waiting[m->head].received == 0)
        m->head++;
}

static int family(sbuf *out, const char *name, const char *type, const char *help)
{
    return sbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int scalar(sbuf *out, const char *name, const char *type, const char *help,
                  unsigned long long v)
{
    return family(out, name, type, help) || sbuf_printf(out, "%s %llu\n", name, v);
}

static int counters(sbuf *out, const char *name, const char *help, const service_counters *c)
{
    int rc = family(out, name, "counter", help);
    for (size_t i = 0; i < c->n && !rc; i++)
        rc = sbuf_printf(out, "%s{%s} %llu\n", name, c->items[i].labels,
                         (unsigned long long)c->items[i].value);
    return rc;
}

static int histogram(sbuf *out, const service_metrics *m)
{
    const char *name = "anbud_evaluation_seconds";
    int rc =
        family(out, name, "histogram", "Time to evaluate one event (every rule of its stage).");
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= SERVICE_HIST_BUCKETS && !rc; i++) {
        cumulative += m->eval_buckets[i];
        if (i < SERVICE_HIST_BUCKETS)
            rc = sbuf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, BUCKETS[i],
                             (unsigned long long)cumulative);
        else
            rc = sbuf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name,
                             (unsigned long long)cumulative);
    }
    if (!rc)
        rc = sbuf_printf(out, "%s_sum %.6f\n%s_count %llu\n", name, m->eval_seconds, name,
                         (unsigned long long)m->eval_count);
    return rc;
}

static int latency_series(sbuf *out, const char *from, const service_latency *l)
{
    const char *name = "anbud_event_latency_seconds";
    uint64_t cumulative = 0;
    int rc = 0;
    for (size_t i = 0; i <= SERVICE_LAT_BUCKETS && !rc; i++) {
        cumulative += l->buckets[i];
        if (i < SERVICE_LAT_BUCKETS)
            rc = sbuf_printf(out, "%s_bucket{from=\"%s\",le=\"%g\"} %llu\n", name, from,
                             lat_bound(i), (unsigned long long)cumulative);
        else
            rc = sbuf_printf(out, "%s_bucket{from=\"%s\",le=\"+Inf\"} %llu\n", name, from,
                             (unsigned long long)cumulative);
    }
    return rc || sbuf_printf(out, "%s_sum{from=\"%s\"} %.6f\n%s_count{from=\"%s\"} %llu\n", name,
                             from, l->sum, name, from, (unsigned long long)l->count);
}

/* From a request to its verdicts: the histograms and their maxima. */
static int latency(sbuf *out, const service_metrics *m)
{
    return family(out, "anbud_event_latency_seconds", "histogram",
                  "Time from receiving a request (its body read; from=\"received\") or from "
                  "the commit that stored its event (from=\"stored\") to the commit of the "
                  "event's verdicts, per event, monotonic clock.") ||
           latency_series(out, "received", &m->from_received) ||
           latency_series(out, "stored", &m->from_stored) ||
           family(out, "anbud_event_latency_max_seconds", "gauge",
                  "The longest anbud_event_latency_seconds since the service started.") ||
           sbuf_printf(out,
                       "anbud_event_latency_max_seconds{from=\"received\"} %.6f\n"
                       "anbud_event_latency_max_seconds{from=\"stored\"} %.6f\n",
                       m->from_received.max, m->from_stored.max);
}

/* One gauge per rule set in force, labelled with its version. */
static int rulesets(sbuf *out, service *svc)
{
    int rc = family(out, "anbud_ruleset_info", "gauge",
                    "A rule set in force (1) and the version its verdicts record.");
    for (size_t i = 0; i < engine_ruleset_count(svc->eng) && !rc; i++) {
        const ruleset *s = engine_ruleset_at(svc->eng, i);
        rc = sbuf_adds(out, "anbud_ruleset_info{set=\"") || add_label_value(out, ruleset_id(s)) ||
             sbuf_printf(out, "\",version=\"%s\"} 1\n", ruleset_version(s));
    }
    return rc;
}

int service_metrics_render(service *svc, sbuf *out)
{
    const service_metrics *m = &svc->metrics;
    int64_t pending = 0;
    anbud_err err;
    int rc = store_pending_count(svc->db, &pending, &err);
    if (rc)
        pending = -1;
    rc = counters(out, "anbud_http_requests_total",
                  "HTTP requests answered, by endpoint and status.", &m->requests) ||
         scalar(out, "anbud_events_accepted_total", "counter",
                "Events stored from POST /v1/releases (answered 202).", m->events_accepted) ||
         scalar(out, "anbud_releases_duplicate_total", "counter",
                "Releases posted that were already stored with the same content.",
                m->releases_duplicate) ||
         scalar(out, "anbud_events_evaluated_total", "counter",
                "Events evaluated (their verdicts recorded).", m->events_evaluated) ||
         scalar(out, "anbud_evaluation_failures_total", "counter",
                "Evaluations that failed and were left to be tried again.",
                m->evaluation_failures) ||
         scalar(out, "anbud_rechecks_fired_total", "counter",
                "Timed re-checks that re-ran the rules of a process's stage.", m->rechecks_fired) ||
         family(out, "anbud_ruleset_reloads_total", "counter",
                "Rule set reloads, by result (failed: the previous sets stayed in force).") ||
         sbuf_printf(out,
                     "anbud_ruleset_reloads_total{result=\"ok\"} %llu\n"
                     "anbud_ruleset_reloads_total{result=\"failed\"} %llu\n",
                     (unsigned long long)m->reloads_ok, (unsigned long long)m->reloads_failed) ||
         counters(out, "anbud_rule_evaluations_total", "Verdicts given, by rule.", &m->rule_runs) ||
         counters(out, "anbud_rule_errors_total",
                  "Verdicts of outcome error (the rule raised, ran out of budget or returned "
                  "nonsense), by rule.",
                  &m->rule_errors) ||
         histogram(out, m) || latency(out, m) ||
         family(out, "anbud_events_pending", "gauge",
                "Events stored and not yet evaluated (the queue).") ||
         sbuf_printf(out, "anbud_events_pending %lld\n", (long long)pending) || rulesets(out, svc);
    return rc ? -1 : 0;
}

static void counters_free(service_counters *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->items[i].labels);
    free(c->items);
    memset(c, 0, sizeof *c);
}

void service_metrics_free(service_metrics *m)
{
    counters_free(&m->requests);
    counters_free(&m->rule_runs);
    counters_free(&m->rule_errors);
    free(m->waiting);
    m->waiting = NULL;
    m->head = m->n_waiting = m->cap_waiting = 0;
}
