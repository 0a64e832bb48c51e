/*
 * bind: read-only userdata over a compiled release. A node points at one JSON value of a
 * process held for the current evaluation; reading a field converts snake_case to the
 * OCDS camelCase name, wraps objects and arrays as nodes again (lazily, one level at a
 * time) and returns scalars as Lua values. Computed fields (stage, cpv_groups, is_local,
 * hour_reports ...) are listed per kind in bind_fields.c.
 */
#include "bind.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "bind_internal.h"
#include "sandbox.h"

static char META_KEYS[K_COUNT];

static const char *const KIND_NAMES[K_COUNT] = {
    "object", "list", "procurement", "tender", "supplier", "contract",
};

const char *bind_kind_name(int kind)
{
    return KIND_NAMES[kind];
}

bind_context *bind_ctx(lua_State *L)
{
    return sandbox_slot(L);
}

void bind_push_node(lua_State *L, const json_t *json, const bind_process *p, int kind, int elem)
{
    bind_context *ctx = bind_ctx(L);
    bind_node *n = lua_newuserdatauv(L, sizeof *n, 1); /* user value: the field cache */
    n->json = json;
    n->proc = p;
    n->epoch = ctx->epoch;
    n->kind = (unsigned char)kind;
    n->elem = (unsigned char)elem;
    n->magic = BIND_NODE_MAGIC;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &META_KEYS[kind]);
    lua_setmetatable(L, -2);
}

/*
 * Rules cannot make userdata (no library of theirs can), and this module marks every
 * node it makes, so a full userdata of a node's size carrying the mark is one of ours:
 * no metatable lookup per field read.
 */
bind_node *bind_test_node(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TUSERDATA || lua_rawlen(L, idx) != sizeof(bind_node))
        return NULL;
    bind_node *n = lua_touserdata(L, idx);
    if (n->magic != BIND_NODE_MAGIC)
        return NULL;
    const bind_context *ctx = bind_ctx(L);
    if (n->epoch != ctx->epoch)
        luaL_error(L, "a %s object from an earlier evaluation cannot be used",
                   KIND_NAMES[n->kind]);
    return n;
}

bind_node *bind_check_node(lua_State *L, int idx)
{
    bind_node *n = bind_test_node(L, idx);
    if (!n)
        luaL_typeerror(L, idx, "procurement object");
    return n;
}

/* "min_share_of_hours" -> "minShareOfHours"; returns 0 when it does not fit. */
static int snake_to_camel(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s; s++) {
        if (n + 1 >= size)
            return 0;
        if (*s == '_' && s[1] && n > 0) {
            s++;
            out[n++] = (*s >= 'a' && *s <= 'z') ? (char)(*s - 'a' + 'A') : *s;
        } else {
            out[n++] = *s;
        }
    }
    out[n] = 0;
    return 1;
}

/* "minShareOfHours" -> "min_share_of_hours". */
static void camel_to_snake(const char *s, char *out, size_t size)
{
    size_t n = 0;
    for (; *s && n + 2 < size; s++) {
        if (*s >= 'A' && *s <= 'Z' && n > 0) {
            out[n++] = '_';
            out[n++] = (char)(*s - 'A' + 'a');
        } else {
            out[n++] = *s;
        }
    }
    out[n] = 0;
}

/* A party reference ({id, name}) resolved to the party in parties[], or v itself. */
const json_t *bind_resolve_party(const bind_process *p, const json_t *v)
{
    const json_t *id = json_object_get(v, "id");
    if (!id || json_object_get(v, "identifier") || json_object_get(v, "details"))
        return v;
    const json_t *parties = json_object_get(p->compiled, "parties");
    size_t i;
    const json_t *party;
    json_array_foreach(parties, i, party)
    {
        if (ocds_id_equal(json_object_get(party, "id"), id))
            return party;
    }
    return v;
}

static int key_in(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(key, *names) == 0)
            return 1;
    return 0;
}

static const char *const SUPPLIER_KEYS[] = {"supplier", "tenderer", "buyer", "procuringEntity",
                                            "payer", "payee", "contractManagerOrganisation", NULL};
static const char *const SUPPLIER_LISTS[] = {"parties", "suppliers", "tenderers", NULL};

/* Pushes v, found under `key` (may be NULL) in a parent, as the kind its name implies. */
void bind_push_child(lua_State *L, const char *key, const json_t *v, const bind_process *p)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (key && strcmp(key, "tender") == 0)
            bind_push_node(L, v, p, K_TENDER, K_OBJECT);
        else if (key && key_in(key, SUPPLIER_KEYS))
            bind_push_node(L, bind_resolve_party(p, v), p, K_SUPPLIER, K_OBJECT);
        else
            bind_push_node(L, v, p, K_OBJECT, K_OBJECT);
        break;
    case JSON_ARRAY: {
        int elem = K_OBJECT;
        if (key && strcmp(key, "contracts") == 0)
            elem = K_CONTRACT;
        else if (key && key_in(key, SUPPLIER_LISTS))
            elem = K_SUPPLIER;
        bind_push_node(L, v, p, K_LIST, elem);
        break;
    }
    case JSON_STRING:
        lua_pushlstring(L, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        lua_pushinteger(L, (lua_Integer)json_integer_value(v));
        break;
    case JSON_REAL:
        lua_pushnumber(L, json_real_value(v));
        break;
    case JSON_TRUE:
        lua_pushboolean(L, 1);
        break;
    case JSON_FALSE:
        lua_pushboolean(L, 0);
        break;
    default:
        lua_pushnil(L);
    }
}

void bind_push_json(lua_State *L, const json_t *v, const bind_process *p)
{
    if (!v)
        lua_pushnil(L);
    else
        bind_push_child(L, NULL, v, p);
}

/* An element of a list node, typed by the list's element kind. */
static void push_element(lua_State *L, const bind_node *list, const json_t *v)
{
    if (json_is_object(v) && list->elem == K_SUPPLIER)
        bind_push_node(L, bind_resolve_party(list->proc, v), list->proc, K_SUPPLIER, K_OBJECT);
    else if (json_is_object(v) && list->elem != K_OBJECT)
        bind_push_node(L, v, list->proc, list->elem, K_OBJECT);
    else
        bind_push_child(L, NULL, v, list->proc);
}

/* Looks up a field by its snake_case (or exact) name; pushes nil when absent. */
static void push_field(lua_State *L, const bind_node *n, const char *key)
{
    char camel[128];
    const json_t *v = NULL;
    int converted = snake_to_camel(key, camel, sizeof camel);
    if (json_is_object(n->json)) {
        size_t len = 0;
        if (converted) {
            v = json_object_get(n->json, camel);
            len = strlen(camel);
        }
        if (!v && len > 2 && strcmp(camel + len - 2, "Id") == 0) { /* awardID, relatedLotID */
            camel[len - 1] = 'D';
            v = json_object_get(n->json, camel);
            camel[len - 1] = 'd';
        }
        if (!v)
            v = json_object_get(n->json, key);
    }
    if (!v) {
        lua_pushnil(L);
        return;
    }
    bind_push_child(L, converted ? camel : key, v, n->proc);
}

/* Marks a field found absent in a node's field cache (nil cannot be stored). */
static char ABSENT;

/* Pushes field or element `key` (at index 2) of n, uncached. */
static void push_index(lua_State *L, const bind_node *n)
{
    if (n->kind == K_LIST) {
        if (!lua_isinteger(L, 2)) {
            lua_pushnil(L);
            return;
        }
        lua_Integer i = lua_tointeger(L, 2);
        if (i < 1 || (size_t)i > json_array_size(n->json))
            lua_pushnil(L);
        else
            push_element(L, n, json_array_get(n->json, (size_t)i - 1));
        return;
    }
    const char *key = lua_tostring(L, 2);
    if (!key || lua_type(L, 2) != LUA_TSTRING) {
        lua_pushnil(L);
        return;
    }
    if (!bind_computed_field(L, n, key))
        push_field(L, n, key);
}

/*
 * A field read. What it gives is kept in the node's field cache (its user value, a table
 * made at the first read), so reading the same field of the same object again, in this
 * rule or in the next one of the same evaluation, is one table lookup and gives the same
 * object. Not kept: tables (cpv_codes, an empty hour_reports: a rule may change its own
 * copy) and is_local (it depends on the rule's parameters).
 */
static int node_index(lua_State *L)
{
    bind_node *n = bind_check_node(L, 1);
    if (n->kind != K_PROCUREMENT && n->kind != K_TENDER) { /* read by few rules: uncached */
        push_index(L, n);
        return 1;
    }
    lua_settop(L, 2);
    int cached = lua_getiuservalue(L, 1, 1) == LUA_TTABLE; /* 3: the cache, or nil */
    if (cached) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, 3) != LUA_TNIL) {
            if (lua_touserdata(L, -1) == &ABSENT && lua_type(L, -1) == LUA_TLIGHTUSERDATA)
                lua_pushnil(L);
            return 1;
        }
        lua_pop(L, 1);
    }
    push_index(L, n); /* 4 */
    int t = lua_type(L, 4), kt = lua_type(L, 2);
    if (t == LUA_TTABLE || !(kt == LUA_TSTRING || (kt == LUA_TNUMBER && lua_isinteger(L, 2))) ||
        (kt == LUA_TSTRING && strcmp(lua_tostring(L, 2), "is_local") == 0))
        return 1;
    if (!cached) {
        lua_createtable(L, 0, 4);
        lua_replace(L, 3);
        lua_pushvalue(L, 3);
        lua_setiuservalue(L, 1, 1);
    }
    lua_pushvalue(L, 2);
    if (t == LUA_TNIL)
        lua_pushlightuserdata(L, &ABSENT);
    else
        lua_pushvalue(L, 4);
    lua_rawset(L, 3);
    return 1;
}

static int node_newindex(lua_State *L)
{
    bind_node *n = bind_check_node(L, 1);
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return luaL_error(L, "%s is read-only: cannot set '%s'", KIND_NAMES[n->kind], key);
}

static int node_len(lua_State *L)
{
    bind_node *n = bind_check_node(L, 1);
    size_t len = json_is_array(n->json) ? json_array_size(n->json) : json_object_size(n->json);
    lua_pushinteger(L, (lua_Integer)len);
    return 1;
}

static int node_eq(lua_State *L)
{
    bind_node *a = bind_test_node(L, 1), *b = bind_test_node(L, 2);
    lua_pushboolean(L, a && b && a->json == b->json);
    return 1;
}

static int node_tostring(lua_State *L)
{
    bind_node *n = bind_check_node(L, 1);
    const char *label = NULL;
    if (n->kind == K_PROCUREMENT)
        label = n->proc->ocid;
    else if (json_is_object(n->json)) {
        label = json_string_value(json_object_get(n->json, "name"));
        if (!label)
            label = json_string_value(json_object_get(n->json, "id"));
    }
    if (label)
        lua_pushfstring(L, "%s %s", KIND_NAMES[n->kind], label);
    else
        lua_pushstring(L, KIND_NAMES[n->kind]);
    return 1;
}

/* Iterator of pairs() over an object node: upvalues node, position (integer). */
static int object_next(lua_State *L)
{
    bind_node *n = bind_check_node(L, lua_upvalueindex(1));
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(2));
    void *it = json_object_iter((json_t *)n->json);
    for (lua_Integer i = 0; it && i < pos; i++)
        it = json_object_iter_next((json_t *)n->json, it);
    if (!it) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, pos + 1);
    lua_replace(L, lua_upvalueindex(2));
    const char *key = json_object_iter_key(it);
    char snake[160];
    camel_to_snake(key, snake, sizeof snake);
    lua_pushstring(L, snake);
    bind_push_child(L, key, json_object_iter_value(it), n->proc);
    return 2;
}

static int list_next(lua_State *L)
{
    bind_node *n = bind_check_node(L, 1);
    lua_Integer i = luaL_optinteger(L, 2, 0) + 1;
    if (i < 1 || (size_t)i > json_array_size(n->json)) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, i);
    push_element(L, n, json_array_get(n->json, (size_t)i - 1));
    return 2;
}

static int node_pairs(lua_State *L)
{
    bind_node *n = bind_check_node(L, 1);
    if (n->kind == K_LIST) {
        lua_pushcfunction(L, list_next);
        lua_pushvalue(L, 1);
        lua_pushinteger(L, 0);
        return 3;
    }
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, object_next, 2);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* p:get("tender/items/1/classification/id"): any field by its OCDS path. */
int bind_get_path(lua_State *L)
{
    bind_node *n = bind_check_node(L, 1);
    size_t len;
    const char *path = luaL_checklstring(L, 2, &len);
    const json_t *v = n->json;
    char seg[128], last[128] = "";
    while (*path && v) {
        const char *slash = strchr(path, '/');
        size_t sl = slash ? (size_t)(slash - path) : strlen(path);
        if (sl >= sizeof seg)
            return luaL_error(L, "get: path segment too long");
        memcpy(seg, path, sl);
        seg[sl] = 0;
        path += sl + (slash ? 1 : 0);
        if (sl == 0)
            continue;
        if (json_is_array(v)) {
            char *end;
            long i = strtol(seg, &end, 10);
            v = (*end == 0 && i >= 1) ? json_array_get(v, (size_t)i - 1) : NULL;
        } else if (json_is_object(v)) {
            const json_t *next = json_object_get(v, seg);
            char camel[128];
            if (!next && snake_to_camel(seg, camel, sizeof camel))
                next = json_object_get(v, camel);
            v = next;
            memcpy(last, seg, sl + 1);
        } else {
            v = NULL;
        }
    }
    if (!v)
        lua_pushnil(L);
    else if (v == n->json)
        lua_pushvalue(L, 1);
    else
        bind_push_child(L, last[0] ? last : NULL, v, n->proc);
    return 1;
}

void bind_open(lua_State *L, bind_context *ctx)
{
    static const luaL_Reg meta[] = {
        {"__index", node_index}, {"__newindex", node_newindex}, {"__len", node_len},
        {"__eq", node_eq},       {"__tostring", node_tostring}, {"__pairs", node_pairs},
        {NULL, NULL},
    };
    sandbox_set_slot(L, ctx);
    for (int k = 0; k < K_COUNT; k++) {
        lua_newtable(L);
        luaL_setfuncs(L, meta, 0);
        lua_pushstring(L, KIND_NAMES[k]);
        lua_setfield(L, -2, "__metatable");
        lua_pushstring(L, KIND_NAMES[k]);
        lua_setfield(L, -2, "__name");
        lua_rawsetp(L, LUA_REGISTRYINDEX, &META_KEYS[k]);
    }
}

void bind_push_procurement(lua_State *L, const bind_process *p)
{
    bind_push_node(L, p->compiled, p, K_PROCUREMENT, K_OBJECT);
}

void bind_end_epoch(bind_context *ctx)
{
    for (size_t i = 0; i < ctx->n_held; i++) {
        json_decref(ctx->held[i]->compiled);
        free(ctx->held[i]->ocid);
        free(ctx->held[i]);
    }
    ctx->n_held = 0;
    ctx->epoch++;
}

void bind_free(bind_context *ctx)
{
    bind_end_epoch(ctx);
    free(ctx->held);
    ctx->held = NULL;
    ctx->n_held = ctx->cap_held = 0;
    free(ctx->text);
    ctx->text = NULL;
    ctx->cap_text = 0;
    free(ctx->text_fields);
    ctx->text_fields = NULL;
    ctx->cap_text_fields = 0;
}
