/*
 * test_bind_json: bind_json_text against the converter it replaced. The old one, kept
 * here as the reference, made a jansson tree of the Lua value (bind_to_json) that the
 * callers then printed with json_dumps(JSON_COMPACT); the new one writes the text
 * directly. For fixed cases (numbers, escapes, repairs, key order, overlays, frozen
 * tables, objects, every error) and for thousands of generated values, in a real sandbox
 * with the real bindings, the two must give the same bytes or the same error.
 */
#include <float.h>
#include <lauxlib.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>

#include "bind_internal.h"
#include "sandbox.h"
#include "test.h"

/*
 * ---- the converter bind_json_text replaced (core/bind.c before session 5) -------------
 * As it was but for one line: an overlay whose base was a list left a nil on the stack,
 * so that in a table the traversal raised "invalid key to 'next'" (the evaluation failed).
 */

typedef struct ref_state {
    lua_State *L;
    size_t items;
    char *why;
    size_t why_size;
} ref_state;

static json_t *ref_convert(ref_state *t, int idx, int depth);

/* Valid UTF-8 text; bytes that are not become '?'. */
static json_t *ref_string(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    for (size_t i = 0; i < n; i++)
        copy[i] = ((unsigned char)s[i] < 0x80 && s[i] != 0) ? s[i] : '?';
    j = json_stringn(copy, n);
    free(copy);
    return j;
}

static int ref_compare_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The object with its keys in byte order (taking the reference to obj). A Lua table's
 * traversal order depends on the state's hash seed, which differs from run to run; sorted,
 * the same evidence is the same text in every report, protocol and stored verdict. */
static json_t *ref_sorted_object(json_t *obj)
{
    size_t n = json_object_size(obj);
    if (n < 2)
        return obj;
    const char **keys = malloc(n * sizeof *keys);
    json_t *out = keys ? json_object() : NULL;
    if (!out) {
        free(keys);
        json_decref(obj);
        return NULL;
    }
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) keys[i++] = key;
    qsort(keys, n, sizeof *keys, ref_compare_keys);
    for (i = 0; i < n && out; i++)
        if (json_object_set(out, keys[i], json_object_get(obj, keys[i])) != 0) {
            json_decref(out);
            out = NULL;
        }
    free(keys);
    json_decref(obj);
    return out;
}

/* One field of an evidence object while its table is converted. */
typedef struct ref_field {
    const char *key; /* a string key, or NULL: a number key, as text in number */
    char number[32];
    json_t *value;
} ref_field;

static const char *ref_field_key(const ref_field *f)
{
    return f->key ? f->key : f->number;
}

static int ref_compare_fields(const void *a, const void *b)
{
    return strcmp(ref_field_key(a), ref_field_key(b));
}

/* Drops the values of fields[from..to) and the array; returns NULL. */
static json_t *ref_free_fields(ref_field *fields, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        json_decref(fields[i].value);
    free(fields);
    return NULL;
}

static json_t *ref_table(ref_state *t, int idx, int depth)
{
    lua_State *L = t->L;
    int has_meta = lua_getmetatable(L, idx);
    if (has_meta)
        lua_pop(L, 1);
    if (has_meta && sandbox_overlay_base(L, idx)) { /* params: what is under, then writes */
        json_t *j = ref_table(t, lua_gettop(L), depth);
        lua_pop(L, 1);
        if (j && json_is_object(j)) /* session 5: the nil was left on the stack otherwise */
            lua_pushnil(L);
        while (j && json_is_object(j) && lua_next(L, idx)) {
            if (lua_type(L, -2) != LUA_TSTRING) { /* as a table of parameters: names only */
                lua_pop(L, 1);
                continue;
            }
            json_t *v = ref_convert(t, lua_gettop(L), depth + 1);
            if (!v || json_object_set_new(j, lua_tostring(L, -2), v)) {
                lua_pop(L, 2);
                json_decref(j);
                return NULL;
            }
            lua_pop(L, 1);
        }
        return j ? ref_sorted_object(j) : NULL;
    }
    if (has_meta && sandbox_is_frozen(L, idx)) { /* a read-only view: what it shows */
        lua_getmetatable(L, idx);
        lua_pushliteral(L, "__index");
        lua_rawget(L, -2);
        json_t *j = lua_type(L, -1) == LUA_TTABLE ? ref_table(t, lua_gettop(L), depth)
                                                  : json_array();
        lua_pop(L, 2);
        return j;
    }
    size_t n = lua_rawlen(L, idx);
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        count++;
        lua_pop(L, 1);
    }
    if (count == n) { /* a sequence, or empty: a list */
        json_t *arr = json_array();
        for (size_t i = 1; arr && i <= n; i++) {
            lua_rawgeti(L, idx, (lua_Integer)i);
            json_t *v = ref_convert(t, lua_gettop(L), depth + 1);
            lua_pop(L, 1);
            if (!v || json_array_append_new(arr, v)) {
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    /* an object: its fields converted first, then added in key order (see ref_sorted_object) */
    ref_field *fields = malloc(count * sizeof *fields);
    if (!fields)
        return NULL;
    size_t m = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (m == count) { /* cannot happen: the table does not change while converted */
            lua_pop(L, 2);
            break;
        }
        ref_field *f = &fields[m];
        f->key = NULL; /* a number key: its text is in f->number */
        if (lua_type(L, -2) == LUA_TSTRING)
            f->key = lua_tostring(L, -2); /* kept alive by the table */
        else if (lua_type(L, -2) == LUA_TNUMBER && lua_isinteger(L, -2))
            snprintf(f->number, sizeof f->number, "%lld", (long long)lua_tointeger(L, -2));
        else if (lua_type(L, -2) == LUA_TNUMBER)
            snprintf(f->number, sizeof f->number, "%.14g", lua_tonumber(L, -2));
        else {
            snprintf(t->why, t->why_size, "evidence has a %s key", luaL_typename(L, -2));
            lua_pop(L, 2);
            return ref_free_fields(fields, 0, m);
        }
        f->value = ref_convert(t, lua_gettop(L), depth + 1);
        if (!f->value) {
            lua_pop(L, 2);
            return ref_free_fields(fields, 0, m);
        }
        m++;
        lua_pop(L, 1);
    }
    qsort(fields, m, sizeof *fields, ref_compare_fields);
    json_t *obj = json_object();
    for (size_t i = 0; i < m; i++) {
        if (!obj || json_object_set_new(obj, ref_field_key(&fields[i]), fields[i].value)) {
            json_decref(obj); /* set_new took fields[i].value, even when it failed */
            return ref_free_fields(fields, obj ? i + 1 : i, m);
        }
    }
    free(fields);
    return obj;
}

static json_t *ref_convert(ref_state *t, int idx, int depth)
{
    lua_State *L = t->L;
    if (depth > 16) {
        snprintf(t->why, t->why_size, "evidence nests deeper than %d levels", 16);
        return NULL;
    }
    if (++t->items > 10000) {
        snprintf(t->why, t->why_size, "evidence has more than %d values", 10000);
        return NULL;
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return json_null();
    case LUA_TBOOLEAN:
        return json_boolean(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            return json_integer((json_int_t)lua_tointeger(L, idx));
        return isfinite(lua_tonumber(L, idx)) ? json_real(lua_tonumber(L, idx)) : json_null();
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        return ref_string(s, n);
    }
    case LUA_TTABLE:
        if (!lua_checkstack(L, 4)) {
            snprintf(t->why, t->why_size, "evidence nests too deep");
            return NULL;
        }
        return ref_table(t, idx, depth);
    case LUA_TUSERDATA: {
        bind_node *n = bind_test_node(L, idx);
        if (n)
            return json_deep_copy(n->json);
    } /* fall through */
    default:
        snprintf(t->why, t->why_size, "evidence holds a %s value", luaL_typename(L, idx));
        return NULL;
    }
}

static json_t *ref_to_json(lua_State *L, int idx, char *why, size_t why_size)
{
    ref_state t = {L, 0, why, why_size};
    why[0] = 0;
    json_t *j = ref_convert(&t, lua_absindex(L, idx), 0);
    if (!j && !why[0])
        snprintf(why, why_size, "out of memory");
    return j;
}

/* The reference's text of the value at idx, or NULL with why filled. */
static char *ref_text(lua_State *L, int idx, char *why, size_t why_size)
{
    json_t *j = ref_to_json(L, idx, why, why_size);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    return text;
}

/* ---- a sandbox with the bindings -------------------------------------------------------- */

static sandbox *sb;
static bind_context ctx;
static json_t *doc; /* what the objects in generated values show */
static bind_process proc;

static const char DOC[] =
    "{\"ocid\":\"ocds-t-1\",\"buyer\":{\"name\":\"Alver kommune\",\"id\":\"NO-ORG-\\u00e6\"},"
    "\"tender\":{\"value\":{\"amount\":1234.5,\"currency\":\"NOK\"},\"title\":\"Ved \\\"og\\\" "
    "flis\\n\\u0001\\/\",\"items\":[1,2.5,\"\\u00e6\\u00f8\\u00e5 \\ud83d\\ude00\",null,true,"
    "{\"x\":-0.0,\"y\":1e300,\"z\":5e-324,\"w\":0.1}],\"empty\":{},\"none\":[]},"
    "\"n\":-9223372036854775808}";

static void with_bindings(lua_State *L, void *user)
{
    (void)user;
    bind_open(L, &ctx);
}

static int setup(void)
{
    if (sb)
        return 1;
    anbud_err err;
    sb = sandbox_new(ANBUD_LUA_DIR, with_bindings, NULL, NULL, &err);
    if (!sb) {
        fprintf(stderr, "  sandbox_new: %s\n", err.msg);
        return 0;
    }
    doc = json_loads(DOC, 0, NULL);
    proc = (bind_process){"ocds-t-1", doc, STAGE_TENDER, 0, 0};
    return doc != NULL;
}

/* Runs fn(L) in a protected call with arg as its light userdata; 0, or -1 with the error
 * in msg. */
static int protected(lua_CFunction fn, void *arg, char *msg, size_t msg_size)
{
    lua_State *L = sandbox_lua(sb);
    lua_pushcfunction(L, fn);
    lua_pushlightuserdata(L, arg);
    if (lua_pcall(L, 1, 0, 0) == LUA_OK)
        return 0;
    snprintf(msg, msg_size, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    lua_pop(L, 1);
    return -1;
}

/* The same, for a call that must not raise: 1 when it did not (else the error shown). */
static int runs(lua_CFunction fn, void *arg)
{
    char msg[300];
    if (protected(fn, arg, msg, sizeof msg) == 0)
        return 1;
    fprintf(stderr, "  raised: %s\n", msg);
    return 0;
}

/* ---- comparing ---------------------------------------------------------------------------- */

typedef struct tally {
    long texts, errors, differ;
    char last[4096]; /* what the new converter gave for the last value compared (cut) */
    size_t last_len;
    char seen[16][128]; /* and for the first 16 (cut) */
} tally;

static void show(const char *label, const char *text, const char *why)
{
    fprintf(stderr, "    %s: %.900s%s\n", label, text ? text : "(error) ", text ? "" : why);
}

/* Compares the two converters on the value at the top of the stack (popped). */
static void compare_top(lua_State *L, tally *t)
{
    char why_old[160], why_new[160];
    char *old = ref_text(L, -1, why_old, sizeof why_old);
    char *now = bind_json_text(L, -1, why_new, sizeof why_new);
    lua_pop(L, 1);
    int same = old ? now && strcmp(old, now) == 0 : !now && strcmp(why_old, why_new) == 0;
    if (!same && t->differ++ < 5) {
        fprintf(stderr, "  the converters differ:\n");
        show("old", old, why_old);
        show("new", now, why_new);
    }
    if (old)
        t->texts++;
    else
        t->errors++;
    snprintf(t->last, sizeof t->last, "%s", now ? now : why_new);
    t->last_len = now ? strlen(now) : 0;
    long n = t->texts + t->errors - 1;
    if (n < 16)
        snprintf(t->seen[n], sizeof t->seen[n], "%.127s", t->last);
    free(old);
    free(now);
}

/* Runs code (Lua, with the state's own globals, not a rule's), compares the two converters
 * on what it returns and returns the new text (or error) for a check. */
static const char *run(const char *code, tally *t);

typedef struct chunk {
    const char *code;
    tally *t;
} chunk;

static int run_protected(lua_State *L)
{
    chunk *c = lua_touserdata(L, 1);
    if (luaL_loadstring(L, c->code) != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    compare_top(L, c->t);
    return 0;
}

static const char *run(const char *code, tally *t)
{
    chunk c = {code, t};
    if (!runs(run_protected, &c)) {
        fprintf(stderr, "  in: %s\n", code);
        t->differ++;
        return "(did not run)";
    }
    return t->last;
}

#define SAME_TEXT(code, expected)                                                           \
    do {                                                                                    \
        tally t_ = {0};                                                                     \
        CHECK_STR(run(code, &t_), expected);                                                \
        CHECK_INT(t_.differ, 0);                                                            \
    } while (0)

/* ---- fixed cases -------------------------------------------------------------------------- */

static void numbers_print_as_jansson_prints_them(void)
{
    CHECK(setup());
    SAME_TEXT("return {0.1, 1e20, -0.0, 1e-7, 100.0, 1.5, 1e300, -1e-300}",
              "[0.10000000000000001,1e20,-0.0,9.9999999999999995e-8,100.0,1.5,"
              "1.0000000000000001e300,-1e-300]");
    SAME_TEXT("return {1e16, 1e17, 2^53, 2^53 + 1, 2^63, -2^63, 5e-324, 1/3}",
              "[10000000000000000.0,1e17,9007199254740992.0,9007199254740992.0,"
              "9.2233720368547758e18,-9.2233720368547758e18,4.9406564584124654e-324,"
              "0.33333333333333331]");
    SAME_TEXT("return {0/0, 1/0, -1/0, 0, -1, math.maxinteger, math.mininteger}",
              "[null,null,null,0,-1,9223372036854775807,-9223372036854775808]");
    /* every double printed by jansson itself, through the reference */
    const double reals[] = {DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN, 123456789012345678.0,
                            0.5, 2.5e-10, 1e21, 1e22, 1e-5, 1e-4, 12345.678, -0.1, 1e15};
    lua_State *L = sandbox_lua(sb);
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        json_t *j = json_real(reals[i]);
        char *expected = json_dumps(j, JSON_ENCODE_ANY);
        lua_pushnumber(L, reals[i]);
        char why[160];
        char *text = bind_json_text(L, -1, why, sizeof why);
        lua_pop(L, 1);
        int same = expected && text && strcmp(expected, text) == 0;
        if (!same)
            fprintf(stderr, "  %.17g: jansson %s, bind %s\n", reals[i], expected, text);
        json_decref(j);
        free(expected);
        free(text);
        CHECK(same);
    }
}

static void strings_escape_and_repair_as_before(void)
{
    CHECK(setup());
    SAME_TEXT("return {'a\"b\\\\c/', '\\1\\8\\9\\10\\12\\13\\31\\127', '\\0', ''}",
              "[\"a\\\"b\\\\c/\",\"\\u0001\\b\\t\\n\\f\\r\\u001F\x7f\",\"\\u0000\",\"\"]");
    SAME_TEXT("return {'\\u{e6}\\u{f8}\\u{e5}', '\\u{10FFFF}', '\\u{1F600}', '\\u{FFFF}'}",
              "[\"\xc3\xa6\xc3\xb8\xc3\xa5\",\"\xf4\x8f\xbf\xbf\",\"\xf0\x9f\x98\x80\","
              "\"\xef\xbf\xbf\"]");
    /* not UTF-8: every byte past ASCII, and NUL, becomes '?' (escapes stay escapes) */
    SAME_TEXT("return {'\\xff\\0a\\xc3\\xa5\\n', '\\xc0\\x80', '\\xed\\xa0\\x80',"
              " '\\xf4\\x90\\x80\\x80', '\\xe2\\x82', '\\x80', '\\xf5'}",
              "[\"??a??\\n\",\"??\",\"???\",\"????\",\"??\",\"?\",\"?\"]");
}

static void keys_sort_in_byte_order_numbers_too(void)
{
    CHECK(setup());
    SAME_TEXT("return {b = 1, a = 2, B = 3, [10] = 4, [2] = 5, [1.5] = 6, [-3] = 7, ab = 8,"
              " ['\\u{e6}'] = 9, [''] = 10, [2^63] = 11, [1/0] = 12, [-1/0] = 13}",
              "{\"\":10,\"-3\":7,\"-inf\":13,\"1.5\":6,\"10\":4,\"2\":5,"
              "\"9.2233720368548e+18\":11,\"B\":3,\"a\":2,\"ab\":8,\"b\":1,\"inf\":12,"
              "\"\xc3\xa6\":9}");
    /* a key is text up to its first NUL; of equal keys, the one met last wins */
    tally t = {0};
    run("return {[1] = 'n', ['1'] = 's', x = 1}", &t);
    run("return {['a\\0b'] = 1, a = 2, c = 3}", &t);
    run("local t = {} for i = 1, 40 do t[tostring(i % 7)] = i; t[i % 7] = -i end t.x = 0"
        " return t", &t);
    CHECK_INT(t.differ, 0);
    /* large: thousands of fields to sort, a text of hundreds of kilobytes */
    run("local t = {} for i = 1, 4000 do t['k' .. (i * 7919 % 4001)] = ('\\u{e6}x\\n'):rep(i % 50)"
        " end return t", &t);
    run("local t = {} for i = 1, 9000 do t[i] = ('y'):rep(40) end return t", &t);
    CHECK_INT(t.differ, 0);
    CHECK(t.last_len > 360000);
    /* a table whose keys are 1..#t is a list, nil where #t saw a hole */
    SAME_TEXT("return {1, 2, 3}", "[1,2,3]");
    SAME_TEXT("return {}", "[]");
    SAME_TEXT("return {{}, {{}}, {a = {}}}", "[[],[[]],{\"a\":[]}]");
}

static int overlay_cases(lua_State *L)
{
    tally *t = lua_touserdata(L, 1);
    static const char *const bases[] = {
        "return {limit = 20, name = 'x', nested = {b = 1, a = 2}}",
        "return {}",
        "return {1, 2}",
        "return {only = 1}",
    };
    for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
        luaL_loadstring(L, bases[i]);
        lua_call(L, 0, 1);
        int base = lua_gettop(L);
        sandbox_push_overlay_meta(L, base); /* base, meta */
        lua_newtable(L);                    /* base, meta, overlay */
        lua_pushvalue(L, -2);
        lua_setmetatable(L, -2);
        lua_pushinteger(L, 99);
        lua_setfield(L, -2, "limit");
        lua_pushstring(L, "new");
        lua_setfield(L, -2, "added");
        lua_pushboolean(L, 1);
        lua_rawseti(L, -2, 7); /* not a name: left out */
        lua_pushlstring(L, "a\0b", 3); /* the name "a", as a key is text up to a NUL */
        lua_pushstring(L, "z");
        lua_rawset(L, -3);
        lua_pushvalue(L, -1);
        compare_top(L, t);
        /* within a table, and frozen */
        lua_newtable(L);
        lua_pushvalue(L, -2);
        lua_setfield(L, -2, "params");
        compare_top(L, t);
        lua_settop(L, base);
        sandbox_freeze(L, base);
        compare_top(L, t);
    }
    luaL_loadstring(L, "return {list = {1, 2, {x = 1}}, map = {b = {c = 1}, a = 0.1}}");
    lua_call(L, 0, 1);
    sandbox_freeze(L, -1);
    lua_pushvalue(L, -1);
    compare_top(L, t);
    snprintf(t->last, sizeof t->last, "%s", "");
    char why[160];
    char *text = bind_json_text(L, -1, why, sizeof why);
    snprintf(t->last, sizeof t->last, "%s", text ? text : why);
    free(text);
    lua_settop(L, 1);
    return 0;
}

static void overlays_and_frozen_tables_as_before(void)
{
    CHECK(setup());
    tally t = {0};
    CHECK(runs(overlay_cases, &t));
    CHECK_INT(t.differ, 0);
    CHECK_INT(t.texts, 13);
    CHECK_STR(t.seen[0], "{\"a\":\"z\",\"added\":\"new\",\"limit\":99,\"name\":\"x\","
                         "\"nested\":{\"a\":2,\"b\":1}}");
    CHECK_STR(t.seen[2], "{\"limit\":20,\"name\":\"x\",\"nested\":{\"a\":2,\"b\":1}}");
    /* over a list (no parameters), writes are not shown; before, in a table, this failed */
    CHECK_STR(t.seen[3], "[]");
    CHECK_STR(t.seen[4], "{\"params\":[]}");
    CHECK_STR(t.seen[9], "{\"a\":\"z\",\"added\":\"new\",\"limit\":99,\"only\":1}");
    CHECK_STR(t.last, "{\"list\":[1,2,{\"x\":1}],\"map\":{\"a\":0.10000000000000001,"
                      "\"b\":{\"c\":1}}}");
}

static int node_cases(lua_State *L)
{
    tally *t = lua_touserdata(L, 1);
    bind_push_procurement(L, &proc);
    compare_top(L, t);
    lua_newtable(L);
    bind_push_json(L, json_object_get(doc, "tender"), &proc);
    lua_setfield(L, -2, "tender");
    bind_push_json(L, json_object_get(doc, "buyer"), &proc);
    lua_setfield(L, -2, "buyer");
    bind_push_json(L, json_object_get(json_object_get(doc, "tender"), "items"), &proc);
    lua_rawseti(L, -2, 1);
    compare_top(L, t);
    return 0;
}

static void objects_print_their_json(void)
{
    CHECK(setup());
    tally t = {0};
    CHECK(runs(node_cases, &t));
    CHECK_INT(t.differ, 0);
    CHECK_INT(t.texts, 2);
}

static int stale_case(lua_State *L)
{
    bind_push_procurement(L, &proc);
    lua_newtable(L);
    lua_insert(L, -2);
    lua_setfield(L, -2, "p");
    ctx.epoch++; /* the object is from an earlier evaluation now */
    char why[160];
    free(bind_json_text(L, -1, why, sizeof why));
    return 0;
}

static void errors_as_before(void)
{
    CHECK(setup());
    SAME_TEXT("return {f = print}", "evidence holds a function value");
    SAME_TEXT("return {[true] = 1, a = 1}", "evidence has a boolean key");
    SAME_TEXT("return {[{}] = 1, a = 1}", "evidence has a table key");
    SAME_TEXT("return {coroutine.create(print)}", "evidence holds a thread value");
    SAME_TEXT("local t = {} for i = 1, 17 do t = {t} end return t", "evidence nests deeper "
                                                                    "than 16 levels");
    SAME_TEXT("local t = {} for i = 1, 16 do t = {t} end return t",
              "[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]");
    SAME_TEXT("local t = {} for i = 1, 10000 do t[i] = i end return t",
              "evidence has more than 10000 values");
    tally t = {0};
    CHECK(strncmp(run("local t = {} for i = 1, 9999 do t[i] = i end return t", &t), "[1,2,", 5) ==
          0);
    CHECK_INT(t.differ, 0);
    /* a key that is not UTF-8 failed where jansson refused it: as memory running out */
    SAME_TEXT("return {['\\xff'] = 1, b = 2}", "out of memory");
    SAME_TEXT("return {['\\xff'] = print}", "evidence holds a function value");
    /* an object from an earlier evaluation raises, as reading it does */
    char msg[300];
    CHECK(protected(stale_case, NULL, msg, sizeof msg) != 0);
    CHECK(strstr(msg, "from an earlier evaluation") != NULL);
    SAME_TEXT("return {ok = true}", "{\"ok\":true}");
}

/* ---- generated values ------------------------------------------------------------------- */

static uint64_t seed = 0x9E3779B97F4A7C15u;

static unsigned pick(unsigned n)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (unsigned)(seed % n);
}

/* Short text from bytes that make escapes, keys that sort close, and good and bad UTF-8;
 * as a key (name), rarely bad UTF-8 (that fails the whole conversion). */
static void push_text(lua_State *L, int name)
{
    static const char *const words[] = {"a",  "b",    "ab", "B",         "1",
                                        "10", "2",    "",   "\xc3\xa6",  "z\"",
                                        "\\", "\xf0\x9f\x98\x80", "\xff", "a\xc3"}; /* 2 bad */
    static const unsigned char bytes[] = {'a', 'b', '"', '\\', '/', 0, 1, 0x1f, 0x7f, 0x80,
                                          0xbf, 0xc3, 0xa5, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98,
                                          0xed, 0xa0, 0xc0, 0xf5, 0xff, ' ', '\n', 'Z', '0'};
    size_t n_words = sizeof words / sizeof words[0];
    int bad_ok = !name || pick(50) == 0;
    if (pick(3) == 0) {
        lua_pushstring(L, words[pick((unsigned)(bad_ok ? n_words : n_words - 2))]);
        return;
    }
    char text[16];
    size_t n = pick(sizeof text);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)bytes[pick(sizeof bytes)];
    if (!bad_ok || pick(2)) /* mostly ASCII, so that more of it is valid UTF-8 */
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)text[i] >= 0x80)
                text[i] = 'x';
    lua_pushlstring(L, text, n);
}

static void push_number(lua_State *L)
{
    static const double reals[] = {0.1, 1e20, -0.0, 0.0, 1e-7, 1e300, -1e300, 5e-324,
                                   2.2250738585072014e-308, 1.5, 100.0, 1e16, 1e17, 0.5,
                                   123456789012345678.0, 9007199254740993.0, -2.5e-10, 1e21,
                                   1.0 / 3, 2.0 / 3, 1e-5, 3.0e-4, 1234.5};
    static const lua_Integer integers[] = {0, 1, -1, 42, LLONG_MAX, LLONG_MIN, 1LL << 53,
                                           1000000, -987654321, 255};
    switch (pick(5)) {
    case 0:
        lua_pushinteger(L, integers[pick(sizeof integers / sizeof integers[0])]);
        break;
    case 1:
        lua_pushinteger(L, (lua_Integer)(int)pick(2001) - 1000);
        break;
    case 2:
        lua_pushnumber(L, reals[pick(sizeof reals / sizeof reals[0])]);
        break;
    case 3: { /* any bits: NaN and infinities too */
        uint64_t bits = (uint64_t)pick(1u << 31) << 33 ^ (uint64_t)pick(1u << 31) << 2 ^ pick(4);
        double d;
        memcpy(&d, &bits, sizeof d);
        lua_pushnumber(L, d);
        break;
    }
    default:
        lua_pushnumber(L, (double)((int)pick(200001) - 100000) / (double)(1 + pick(1000)));
    }
}

static void push_value(lua_State *L, int depth);

/* A key: mostly text, else a number (integers, floats, infinities); rarely no key at all. */
static void push_key(lua_State *L)
{
    static const double float_keys[] = {1.5, -0.25, 1e300, 9223372036854775808.0, 0.1, 1e15};
    unsigned k = pick(40);
    if (k < 26)
        push_text(L, 1);
    else if (k < 33)
        lua_pushinteger(L, (lua_Integer)pick(12) - 2);
    else if (k < 37)
        lua_pushnumber(L, float_keys[pick(sizeof float_keys / sizeof float_keys[0])]);
    else if (k < 39)
        lua_pushnumber(L, pick(2) ? HUGE_VAL : -HUGE_VAL);
    else if (pick(8) == 0)
        lua_pushboolean(L, 1); /* an error */
    else
        lua_pushinteger(L, (lua_Integer)pick(1000) + 100);
}

static void push_table(lua_State *L, int depth)
{
    lua_newtable(L);
    unsigned shape = pick(4), n = pick(depth < 3 ? 7 : 4);
    for (unsigned i = 1; i <= n; i++) {
        if (shape == 0) /* a sequence, maybe with holes */
            lua_pushinteger(L, i);
        else if (shape == 1) /* names */
            push_text(L, 1);
        else if (shape == 2) /* names and numbers */
            push_key(L);
        else
            break; /* empty */
        push_value(L, depth + 1);
        lua_rawset(L, -3);
    }
    switch (pick(16)) {
    case 0:
        sandbox_freeze(L, -1);
        break;
    case 1: { /* a parameter overlay with writes over it */
        int base = lua_gettop(L);
        sandbox_push_overlay_meta(L, base);
        lua_newtable(L);
        lua_pushvalue(L, -2);
        lua_setmetatable(L, -2);
        for (unsigned i = pick(4); i > 0; i--) {
            push_key(L);
            if (lua_type(L, -1) == LUA_TBOOLEAN)
                lua_pop(L, 1);
            else {
                push_value(L, depth + 1);
                lua_rawset(L, -3);
            }
        }
        lua_replace(L, base);
        lua_settop(L, base);
        break;
    }
    }
}

static int a_function(lua_State *L)
{
    (void)L;
    return 0;
}

static void push_value(lua_State *L, int depth)
{
    unsigned k = pick(1000);
    if (depth > 18 || k < 60)
        lua_pushnil(L);
    else if (k < 120)
        lua_pushboolean(L, (int)pick(2));
    else if (k < 400)
        push_number(L);
    else if (k < 640)
        push_text(L, 0);
    else if ((int)k < 960 - depth * 15)
        push_table(L, depth);
    else if (k < 990) { /* an object of the document, or its scalar */
        static const char *const paths[] = {"tender", "buyer", "ocid", "n"};
        const json_t *v = json_object_get(doc, paths[pick(4)]);
        if (pick(3) == 0)
            v = json_object_get(json_object_get(doc, "tender"), pick(2) ? "items" : "value");
        bind_push_json(L, v, &proc);
    } else if (k < 994)
        lua_pushcfunction(L, a_function); /* an error */
    else
        push_text(L, 0);
}

typedef struct generated {
    tally t;
    int n;
} generated;

static int generate_and_compare(lua_State *L)
{
    generated *g = lua_touserdata(L, 1);
    for (int i = 0; i < g->n; i++) {
        push_table(L, 0);
        compare_top(L, &g->t);
        if (i % 256 == 0)
            lua_gc(L, LUA_GCCOLLECT);
    }
    return 0;
}

static void generated_values_match_the_old_converter(void)
{
    CHECK(setup());
    generated g = {{0}, 20000};
    CHECK(runs(generate_and_compare, &g));
    fprintf(stderr, "  %ld texts, %ld errors compared\n", g.t.texts, g.t.errors);
    CHECK_INT(g.t.differ, 0);
    CHECK(g.t.texts > g.n / 2);
    CHECK(g.t.errors > 0);
}

static void teardown(void)
{
    sandbox_free(sb);
    bind_free(&ctx);
    json_decref(doc);
    sb = NULL;
}

static const test_case tests[] = {
    {"numbers_print_as_jansson_prints_them", numbers_print_as_jansson_prints_them},
    {"strings_escape_and_repair_as_before", strings_escape_and_repair_as_before},
    {"keys_sort_in_byte_order_numbers_too", keys_sort_in_byte_order_numbers_too},
    {"overlays_and_frozen_tables_as_before", overlays_and_frozen_tables_as_before},
    {"objects_print_their_json", objects_print_their_json},
    {"errors_as_before", errors_as_before},
    {"generated_values_match_the_old_converter", generated_values_match_the_old_converter},
    {"teardown", teardown},
};

TEST_MAIN(tests)
