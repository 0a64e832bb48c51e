/*
 * bind_fields: the computed fields of each object kind, the ones SPEC § 5 names that are
 * not a plain OCDS field under their snake_case name: a procurement's stage and relevant
 * date, CPV codes and groups, durations, a supplier's organisation number and whether it
 * is local, a contract's hour reports, and the methods get() and others().
 */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bind_internal.h"

typedef int (*field_fn)(lua_State *L, const bind_node *n);

typedef struct field {
    const char *name;
    field_fn fn;
} field;

static const json_t *path2(const json_t *v, const char *a, const char *b)
{
    return json_object_get(json_object_get(v, a), b);
}

static int push_string_or_nil(lua_State *L, const json_t *v)
{
    if (json_is_string(v))
        lua_pushstring(L, json_string_value(v));
    else
        lua_pushnil(L);
    return 1;
}

static int push_bool(lua_State *L, const json_t *v)
{
    lua_pushboolean(L, json_is_true(v));
    return 1;
}

static int push_date(lua_State *L, int64_t days)
{
    char buf[11];
    date_format(days, buf);
    lua_pushstring(L, buf);
    return 1;
}

/* ---- CPV --------------------------------------------------------------------------- */

static int is_cpv(const json_t *classification)
{
    const char *scheme = json_string_value(json_object_get(classification, "scheme"));
    const char *id = json_string_value(json_object_get(classification, "id"));
    return scheme && id && strcasecmp(scheme, "CPV") == 0;
}

/* Adds s to the sequence at the top of the stack unless it is there already. */
static void add_unique(lua_State *L, const char *s, size_t len)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        size_t l;
        const char *t = lua_tolstring(L, -1, &l);
        int same = l == len && memcmp(s, t, len) == 0;
        lua_pop(L, 1);
        if (same)
            return;
    }
    lua_pushlstring(L, s, len);
    lua_rawseti(L, -2, n + 1);
}

/* Calls fn for each CPV code of the tender's items in order (at most 64 per item); a
 * nonzero return from fn stops the walk and is returned. */
static int each_cpv(const json_t *tender, int (*fn)(void *arg, const char *id), void *arg)
{
    size_t i, j;
    const json_t *item, *extra;
    json_array_foreach(json_object_get(tender, "items"), i, item)
    {
        const json_t *c = json_object_get(item, "classification");
        const json_t *list[64];
        size_t n = 0;
        if (is_cpv(c))
            list[n++] = c;
        json_array_foreach(json_object_get(item, "additionalClassifications"), j, extra)
        {
            if (n < 64 && is_cpv(extra))
                list[n++] = extra;
        }
        for (size_t k = 0; k < n; k++) {
            int rc = fn(arg, json_string_value(json_object_get(list[k], "id")));
            if (rc)
                return rc;
        }
    }
    return 0;
}

typedef struct cpv_push {
    lua_State *L;
    int group_only;
} cpv_push;

static int push_one_cpv(void *arg, const char *id)
{
    cpv_push *c = arg;
    size_t len = strlen(id);
    add_unique(c->L, id, c->group_only ? (len < 3 ? len : 3) : len);
    return 0;
}

/* Pushes a table of the tender's CPV codes (group_only: their first three digits). */
static int push_cpv(lua_State *L, const json_t *tender, int group_only)
{
    lua_newtable(L);
    cpv_push c = {L, group_only};
    each_cpv(tender, push_one_cpv, &c);
    return 1;
}

typedef struct cpv_collect {
    char (*groups)[4];
    size_t max, n;
} cpv_collect;

static int collect_group(void *arg, const char *id)
{
    cpv_collect *c = arg;
    char g[4] = {0};
    size_t len = strlen(id);
    memcpy(g, id, len < 3 ? len : 3);
    for (size_t i = 0; i < c->n && i < c->max; i++)
        if (strcmp(c->groups[i], g) == 0)
            return 0;
    if (c->n >= c->max) { /* full: count it once unless an earlier overflow had it */
        c->n++;
        return 0;
    }
    memcpy(c->groups[c->n++], g, 4);
    return 0;
}

size_t bind_cpv_groups(const json_t *compiled, char (*groups)[4], size_t max)
{
    cpv_collect c = {groups, max, 0};
    each_cpv(json_object_get(compiled, "tender"), collect_group, &c);
    return c.n;
}

static int has_group(void *arg, const char *id)
{
    const char *g = arg;
    size_t len = strlen(id), glen = strlen(g);
    return (len < 3 ? len : 3) == glen && memcmp(id, g, glen) == 0;
}

typedef struct group_list {
    const char (*groups)[4];
    size_t n;
} group_list;

static int in_groups(void *arg, const char *id)
{
    const group_list *l = arg;
    size_t len = strlen(id);
    if (len > 3)
        len = 3;
    for (size_t i = 0; i < l->n; i++)
        if (strlen(l->groups[i]) == len && memcmp(id, l->groups[i], len) == 0)
            return 1;
    return 0;
}

int bind_is_framework(const json_t *compiled)
{
    return json_is_true(path2(json_object_get(compiled, "tender"), "techniques",
                              "hasFrameworkAgreement"));
}

int bind_query_matches(const engine_query *q, const engine_process *p, int64_t relevant_days)
{
    if (q->has_days && (relevant_days < q->from_days || relevant_days > q->to_days))
        return 0;
    if (q->has_first && (p->first_days < q->first_from || p->first_days > q->first_to))
        return 0;
    if (q->stages && (p->stage < 0 || p->stage >= STAGE_COUNT || !(q->stages & (1u << p->stage))))
        return 0;
    if (q->framework && bind_is_framework(p->compiled) != (q->framework > 0))
        return 0;
    const json_t *tender = json_object_get(p->compiled, "tender");
    if (q->has_cpv_groups) {
        group_list l = {q->cpv_groups, q->n_cpv_groups};
        if (!l.n || !each_cpv(tender, in_groups, &l))
            return 0;
    }
    if (q->cpv_group)
        return strlen(q->cpv_group) <= 3 && each_cpv(tender, has_group, (void *)q->cpv_group);
    return 1;
}

/* Days from a period's startDate to its endDate, else its durationInDays. */
static int push_duration(lua_State *L, const json_t *period)
{
    int64_t a, b;
    const char *s = json_string_value(json_object_get(period, "startDate"));
    const char *e = json_string_value(json_object_get(period, "endDate"));
    if (s && e && date_parse(s, &a, NULL) == 0 && date_parse(e, &b, NULL) == 0) {
        lua_pushinteger(L, (lua_Integer)(b - a));
        return 1;
    }
    /* a count of days beyond any calendar (validation refuses it) is no duration: casting
     * it to an integer would be undefined */
    const json_t *days = json_object_get(period, "durationInDays");
    double d = json_number_value(days);
    if (json_is_number(days) && d >= -1e9 && d <= 1e9)
        lua_pushinteger(L, (lua_Integer)d);
    else
        lua_pushnil(L);
    return 1;
}

/* ---- procurement -------------------------------------------------------------------- */

static const json_t *tender_of(const bind_node *n)
{
    return n->kind == K_PROCUREMENT ? json_object_get(n->json, "tender") : n->json;
}

static int f_ocid(lua_State *L, const bind_node *n)
{
    lua_pushstring(L, n->proc->ocid);
    return 1;
}

static int f_stage(lua_State *L, const bind_node *n)
{
    lua_pushstring(L, ocds_stage_name(n->proc->stage));
    return 1;
}

static int f_value(lua_State *L, const bind_node *n)
{
    const json_t *amount = path2(json_object_get(n->json, "tender"), "value", "amount");
    if (json_is_number(amount))
        bind_push_child(L, "amount", amount, n->proc);
    else
        lua_pushnil(L);
    return 1;
}

static int f_category(lua_State *L, const bind_node *n)
{
    return push_string_or_nil(L, json_object_get(tender_of(n), "mainProcurementCategory"));
}

static int f_method(lua_State *L, const bind_node *n)
{
    return push_string_or_nil(L, json_object_get(tender_of(n), "procurementMethod"));
}

static int f_title(lua_State *L, const bind_node *n)
{
    return push_string_or_nil(L, json_object_get(tender_of(n), "title"));
}

static int f_relevant_date(lua_State *L, const bind_node *n)
{
    return push_date(L, n->proc->relevant_days);
}

static int f_first_date(lua_State *L, const bind_node *n)
{
    return push_date(L, n->proc->first_days);
}

static int f_municipality(lua_State *L, const bind_node *n)
{
    const char *code = ocds_buyer_municipality(n->json);
    if (code)
        lua_pushstring(L, code);
    else
        lua_pushnil(L);
    return 1;
}

static int f_cpv_codes(lua_State *L, const bind_node *n)
{
    return push_cpv(L, tender_of(n), 0);
}

static int f_cpv_groups(lua_State *L, const bind_node *n)
{
    return push_cpv(L, tender_of(n), 1);
}

static int f_duration(lua_State *L, const bind_node *n)
{
    if (n->kind == K_CONTRACT)
        return push_duration(L, json_object_get(n->json, "period"));
    return push_duration(L, json_object_get(tender_of(n), "contractPeriod"));
}

static int f_is_framework(lua_State *L, const bind_node *n)
{
    return push_bool(L, path2(tender_of(n), "techniques", "hasFrameworkAgreement"));
}

typedef struct hold_args {
    bind_context *ctx;
    const engine_query *q;
} hold_args;

/* Holds a copy of another process for this evaluation (store callback), when it matches
 * the narrower filters of the query (a store need not apply them). */
static int hold_process(void *arg, const engine_process *p)
{
    hold_args *a = arg;
    bind_context *ctx = a->ctx;
    int64_t relevant = ocds_relevant_days(p->compiled, p->first_days);
    if (!bind_query_matches(a->q, p, relevant))
        return 0;
    if (ctx->n_held == ctx->cap_held) {
        size_t cap = ctx->cap_held ? ctx->cap_held * 2 : 16;
        bind_process **grown = realloc(ctx->held, cap * sizeof *grown);
        if (!grown)
            return ANBUD_EINTERNAL;
        ctx->held = grown;
        ctx->cap_held = cap;
    }
    bind_process *h = calloc(1, sizeof *h);
    char *ocid = xstrdup(p->ocid);
    if (!h || !ocid) {
        free(h);
        free(ocid);
        return ANBUD_EINTERNAL;
    }
    h->ocid = ocid;
    h->compiled = json_incref((json_t *)p->compiled);
    h->stage = p->stage;
    h->first_days = p->first_days;
    h->relevant_days = relevant;
    ctx->held[ctx->n_held++] = h;
    return 0;
}

/* Reads the optional day `name` of the filter table at idx into *days; 1 when given. */
static int filter_day(lua_State *L, int idx, const char *name, int64_t *days)
{
    int t = lua_getfield(L, idx, name);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TSTRING || date_parse(lua_tostring(L, -1), days, NULL) != 0)
        return luaL_error(L, "others{%s = ...}: give a date (YYYY-MM-DD)", name);
    lua_pop(L, 1);
    return 1;
}

/* Reads the optional list `name` of the filter table at idx: its length, with the list
 * on the stack top; -1 (nothing pushed) when absent. */
static lua_Integer filter_list(lua_State *L, int idx, const char *name)
{
    int t = lua_getfield(L, idx, name);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return -1;
    }
    if (t != LUA_TTABLE && t != LUA_TUSERDATA)
        return luaL_error(L, "others{%s = ...}: give a list", name);
    return luaL_len(L, -1);
}

/* The list element i of the list on the stack top, which must be text. */
static const char *filter_item(lua_State *L, lua_Integer i, const char *name)
{
    if (lua_geti(L, -1, i) != LUA_TSTRING)
        luaL_error(L, "others{%s = ...}: give a list of text", name);
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1); /* still referenced by the list */
    return s;
}

/* The narrower filters of the table at idx into q; nonzero when there was one. */
static int read_filters(lua_State *L, int idx, engine_query *q)
{
    int narrowed = 0;
    if (lua_getfield(L, idx, "cpv_group") != LUA_TNIL) {
        if (lua_type(L, -1) != LUA_TSTRING)
            return luaL_error(L, "others{cpv_group = ...}: give a CPV group as text");
        q->cpv_group = lua_tostring(L, -1); /* kept alive on the stack */
        narrowed = 1;
    }
    lua_Integer n = filter_list(L, idx, "cpv_groups");
    if (n >= 0) {
        if ((lua_Unsigned)n > 100000)
            return luaL_error(L, "others{cpv_groups = ...}: too many groups");
        char(*groups)[4] = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *groups, 0);
        size_t k = 0;
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rotate(L, -2, 1); /* the list on top again */
            const char *g = filter_item(L, i, "cpv_groups");
            lua_rotate(L, -2, 1);
            size_t len = strlen(g);
            if (len <= 3) /* a longer one is no CPV group: it matches nothing */
                memcpy(groups[k++], g, len + 1);
        }
        q->has_cpv_groups = narrowed = 1; /* the list and the groups stay on the stack */
        q->cpv_groups = (const char(*)[4])groups;
        q->n_cpv_groups = k;
    }
    n = filter_list(L, idx, "stages");
    if (n >= 0) {
        for (lua_Integer i = 1; i <= n; i++) {
            ocds_stage st = ocds_stage_parse(filter_item(L, i, "stages"));
            if (st < 0 || st >= STAGE_COUNT)
                return luaL_error(L, "others{stages = ...}: give stages by name (planning, "
                                     "tender, award, contract, implementation, closed)");
            q->stages |= 1u << st;
        }
        lua_pop(L, 1);
        if (!q->stages) /* an empty list: no stage */
            q->stages = 1u << STAGE_COUNT;
        narrowed = 1;
    }
    int t = lua_getfield(L, idx, "is_framework");
    if (t != LUA_TNIL) {
        if (t != LUA_TBOOLEAN)
            return luaL_error(L, "others{is_framework = ...}: give true or false");
        q->framework = lua_toboolean(L, -1) ? 1 : -1;
        narrowed = 1;
    }
    lua_pop(L, 1);
    if (filter_day(L, idx, "from", &q->from_days))
        q->has_days = narrowed = 1;
    if (filter_day(L, idx, "to", &q->to_days))
        q->has_days = narrowed = 1;
    if (filter_day(L, idx, "first_from", &q->first_from))
        q->has_first = narrowed = 1;
    if (filter_day(L, idx, "first_to", &q->first_to))
        q->has_first = narrowed = 1;
    return narrowed;
}

/*
 * p:others(): the other processes of the same buyer; p:others{municipality = "4601"}: the
 * processes of the buyers in that kommunenummer (a cooperation's host, say). As
 * procurement objects. The filter may also name cpv_group = "453" (one of their
 * cpv_groups), cpv_groups = {"453", "301"} (one of their cpv_groups is in the list),
 * from / to = "YYYY-MM-DD" (their relevant_date within, both ends included),
 * stages = {"planning", "tender"} (their stage is one of these), is_framework = true or
 * false, and first_from / first_to = "YYYY-MM-DD" (their first_date within, both ends
 * included), so the store hands over only those.
 */
static int m_others(lua_State *L)
{
    const bind_node *n = bind_check_node(L, 1);
    if (n->kind != K_PROCUREMENT)
        return luaL_error(L, "others() is a method of a procurement");
    bind_context *ctx = bind_ctx(L);
    char key[256] = "";
    engine_query q = {.except_ocid = n->proc->ocid,
                      .from_days = INT64_MIN,
                      .to_days = INT64_MAX,
                      .first_from = INT64_MIN,
                      .first_to = INT64_MAX};
    if (lua_type(L, 2) == LUA_TTABLE) {
        int narrowed = read_filters(L, 2, &q);
        if (lua_getfield(L, 2, "municipality") != LUA_TNIL || !narrowed) {
            q.municipality = lua_tostring(L, -1); /* kept alive on the stack */
            if (!q.municipality || !kommunenr_valid(q.municipality))
                return luaL_error(L, "others{municipality = ...}: give a kommunenummer");
        }
    } else if (!lua_isnoneornil(L, 2)) {
        return luaL_error(L, "others(filter): the filter must be a table");
    }
    if (!q.municipality) {
        ocds_buyer_key(n->json, key, sizeof key);
        q.buyer_key = key;
    }
    lua_newtable(L);
    if (!ctx->store || (q.buyer_key && !key[0]))
        return 1;
    size_t first = ctx->n_held;
    hold_args a = {ctx, &q};
    if (ctx->store->each_process(ctx->store->ctx, &q, hold_process, &a) != 0)
        return luaL_error(L, "others(): the store could not be read");
    for (size_t i = first; i < ctx->n_held; i++) {
        bind_push_procurement(L, ctx->held[i]);
        lua_rawseti(L, -2, (lua_Integer)(i - first + 1));
    }
    return 1;
}

static int f_others(lua_State *L, const bind_node *n)
{
    (void)n;
    lua_pushcfunction(L, m_others);
    return 1;
}

static int f_get(lua_State *L, const bind_node *n)
{
    (void)n;
    lua_pushcfunction(L, bind_get_path);
    return 1;
}

/* ---- supplier ----------------------------------------------------------------------- */

static int f_org_number(lua_State *L, const bind_node *n)
{
    const json_t *ident = json_object_get(n->json, "identifier");
    const char *scheme = json_string_value(json_object_get(ident, "scheme"));
    if (scheme && strcmp(scheme, "NO-BRC") == 0)
        return push_string_or_nil(L, json_object_get(ident, "id"));
    lua_pushnil(L);
    return 1;
}

static int f_municipality_code(lua_State *L, const bind_node *n)
{
    return push_string_or_nil(L, path2(n->json, "details", "municipalityCode"));
}

static int f_scale(lua_State *L, const bind_node *n)
{
    return push_string_or_nil(L, path2(n->json, "details", "scale"));
}

static int f_apprentice_company(lua_State *L, const bind_node *n)
{
    return push_bool(L, path2(n->json, "details", "approvedApprenticeCompany"));
}

static int f_sheltered(lua_State *L, const bind_node *n)
{
    return push_bool(L, path2(n->json, "details", "shelteredWorkshop"));
}

static int f_is_local(lua_State *L, const bind_node *n)
{
    const bind_context *ctx = bind_ctx(L);
    const char *code = json_string_value(path2(n->json, "details", "municipalityCode"));
    int local = 0;
    for (size_t i = 0; code && i < ctx->n_local && !local; i++)
        local = strcmp(code, ctx->local_codes[i]) == 0;
    lua_pushboolean(L, local);
    return 1;
}

/* ---- contract ----------------------------------------------------------------------- */

static int f_hour_reports(lua_State *L, const bind_node *n)
{
    const json_t *reports = path2(n->json, "implementation", "hourReports");
    if (json_is_array(reports))
        bind_push_node(L, reports, n->proc, K_LIST, K_OBJECT);
    else
        lua_newtable(L); /* no reports yet: an empty list */
    return 1;
}

static int f_manager(lua_State *L, const bind_node *n)
{
    const json_t *m = json_object_get(n->json, "contractManager");
    if (m)
        bind_push_child(L, "contractManager", m, n->proc);
    else
        lua_pushnil(L);
    return 1;
}

static int f_end_date(lua_State *L, const bind_node *n)
{
    return push_string_or_nil(L, path2(n->json, "period", "endDate"));
}

static int f_start_date(lua_State *L, const bind_node *n)
{
    return push_string_or_nil(L, path2(n->json, "period", "startDate"));
}

static const field PROCUREMENT_FIELDS[] = {
    {"ocid", f_ocid},
    {"stage", f_stage},
    {"value", f_value},
    {"category", f_category},
    {"method", f_method},
    {"title", f_title},
    {"relevant_date", f_relevant_date},
    {"first_date", f_first_date},
    {"municipality", f_municipality},
    {"cpv_codes", f_cpv_codes},
    {"cpv_groups", f_cpv_groups},
    {"duration_days", f_duration},
    {"is_framework", f_is_framework},
    {"others", f_others},
    {"get", f_get},
    {NULL, NULL},
};

static const field TENDER_FIELDS[] = {
    {"category", f_category},   {"method", f_method},         {"cpv_codes", f_cpv_codes},
    {"cpv_groups", f_cpv_groups}, {"duration_days", f_duration}, {"is_framework", f_is_framework},
    {"get", f_get},             {NULL, NULL},
};

static const field SUPPLIER_FIELDS[] = {
    {"org_number", f_org_number},
    {"municipality_code", f_municipality_code},
    {"scale", f_scale},
    {"approved_apprentice_company", f_apprentice_company},
    {"sheltered_workshop", f_sheltered},
    {"is_local", f_is_local},
    {"get", f_get},
    {NULL, NULL},
};

static const field CONTRACT_FIELDS[] = {
    {"hour_reports", f_hour_reports}, {"manager", f_manager},     {"duration_days", f_duration},
    {"end_date", f_end_date},         {"start_date", f_start_date}, {"get", f_get},
    {NULL, NULL},
};

static const field OBJECT_FIELDS[] = {
    {"get", f_get},
    {NULL, NULL},
};

int bind_computed_field(lua_State *L, const bind_node *n, const char *key)
{
    const field *fields;
    switch (n->kind) {
    case K_PROCUREMENT:
        fields = PROCUREMENT_FIELDS;
        break;
    case K_TENDER:
        fields = TENDER_FIELDS;
        break;
    case K_SUPPLIER:
        fields = SUPPLIER_FIELDS;
        break;
    case K_CONTRACT:
        fields = CONTRACT_FIELDS;
        break;
    default:
        fields = OBJECT_FIELDS;
    }
    for (; fields->name; fields++)
        if (fields->name[0] == key[0] && strcmp(fields->name, key) == 0)
            return fields->fn(L, n);
    return 0;
}
