/*
 * bind_json: a Lua value (a rule's evidence) as compact JSON text, written straight into
 * one growing buffer. The text is byte for byte what jansson's json_dumps(JSON_COMPACT)
 * gave for the tree bind made of the value before (tests/unit/test_bind_json.c keeps
 * that converter and compares the two): keys in byte order, strings escaped as jansson
 * escapes them, numbers as jansson prints them, text that is not UTF-8 repaired to '?'.
 *
 * A table's values are written in traversal order, which decides which error a value
 * with several gives; an object's fields are then written after them in key order and
 * moved over them. The buffer and the list of fields live in the bind context and are
 * kept from one call to the next, so a call allocates only the text it returns.
 */
#include <lauxlib.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind_internal.h"
#include "sandbox.h"

#define JSON_MAX_DEPTH 16
#define JSON_MAX_ITEMS 10000
#define TEXT_KEPT 65536 /* a buffer grown past this is not kept for the next call */

/* One field of an object while its table is written: the key, and where its value's
 * text lies in the buffer. */
struct bind_text_field {
    const char *key; /* a string key up to its first NUL, or NULL: the text in number */
    size_t key_len;
    size_t order;    /* its place in the traversal: of two equal keys the later wins */
    size_t from, to; /* the value: data[from, to) */
    int plain;       /* the key needs no escape (and so is UTF-8) */
    char number[24];
};

typedef struct bind_text_field text_field;

typedef struct text_writer {
    lua_State *L;
    bind_context *ctx; /* holds the buffer (data, cap) and the fields between calls */
    char *data;
    size_t len, cap;
    size_t n_fields;
    size_t items;
    char *why;
    size_t why_size;
} text_writer;

enum { WROTE_LIST, COLLECTED_FIELDS };

static int write_value(text_writer *w, int idx, int depth);

/* ---- the buffer --------------------------------------------------------------------- */

/* Grows the buffer to hold n more bytes and a NUL. The context learns the new buffer at
 * once: a Lua error may leave this call at any point. */
static int grow(text_writer *w, size_t n)
{
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len <= n) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *data = realloc(w->data, cap);
    if (!data)
        return -1;
    w->data = w->ctx->text = data;
    w->cap = w->ctx->cap_text = cap;
    return 0;
}

static inline int reserve(text_writer *w, size_t n)
{
    return w->cap - w->len > n ? 0 : grow(w, n);
}

static inline int put(text_writer *w, const char *s, size_t n)
{
    if (reserve(w, n))
        return -1;
    memcpy(w->data + w->len, s, n);
    w->len += n;
    return 0;
}

static inline int put_char(text_writer *w, char c)
{
    if (reserve(w, 1))
        return -1;
    w->data[w->len++] = c;
    return 0;
}

/* ---- scalars ------------------------------------------------------------------------ */

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

/* Does any of the eight bytes in x need a look: past ASCII, a control character, '"' or
 * '\\'? (The zero-byte tests have no false negatives, which is all this needs.) */
static inline int special8(uint64_t x)
{
    uint64_t quote = x ^ (ONES * '"'), backslash = x ^ (ONES * '\\');
    return ((x | ((x - ONES * 0x20) & ~x) | ((quote - ONES) & ~quote) |
             ((backslash - ONES) & ~backslash)) &
            HIGHS) != 0;
}

/* PLAIN[c]: c goes into a JSON string as it is, and is ASCII. */
#define ROW(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const unsigned char PLAIN[256] = {
    ROW(0), ROW(0),
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    ROW(1), ROW(1),
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
    ROW(1), ROW(1),
    ROW(0), ROW(0), ROW(0), ROW(0), ROW(0), ROW(0), ROW(0), ROW(0),
};
#undef ROW

/* The first i from `from` on where s[i] is not a byte written as it is (n at the end). */
static inline size_t plain_run(const char *s, size_t from, size_t n)
{
    size_t i = from;
    for (uint64_t x; n - i >= 8; i += 8) {
        memcpy(&x, s + i, 8);
        if (special8(x))
            break;
    }
    while (i < n && PLAIN[(unsigned char)s[i]])
        i++;
    return i;
}

/* Copies n bytes where 8 more may be written: short runs without a call to memcpy. */
static inline void copy_bytes(char *to, const char *from, size_t n)
{
    if (n > 16) {
        memcpy(to, from, n);
    } else if (n >= 8) { /* two words that may overlap */
        memcpy(to, from, 8);
        memcpy(to + n - 8, from + n - 8, 8);
    } else if (n >= 4) {
        memcpy(to, from, 4);
        memcpy(to + n - 4, from + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            to[i] = from[i];
    }
}

/* The escape jansson writes for c (a control character, '"' or '\\') into out (6 bytes
 * of room); returns its length. */
static size_t escape(unsigned char c, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char named[] = "\"\"\\\\\bb\ff\nn\rr\tt";
    for (size_t i = 0; i + 1 < sizeof named; i += 2)
        if (c == (unsigned char)named[i]) {
            out[0] = '\\';
            out[1] = named[i + 1];
            return 2;
        }
    memcpy(out, "\\u00", 4);
    out[4] = hex[c >> 4];
    out[5] = hex[c & 15];
    return 6;
}

/*
 * Writes s[0, n) as a JSON string, escaped as jansson escapes it. With repair, every byte
 * past ASCII, and NUL, becomes '?'. Returns 0, -1 when memory runs out, or 1 when s is
 * not UTF-8 (without repair; nothing is written then).
 */
static int write_escaped(text_writer *w, const char *s, size_t n, int repair)
{
    size_t start = w->len;
    if (reserve(w, n + 2 + 8)) /* every byte once, the quotes, copy_bytes' slack */
        return -1;
    w->data[w->len++] = '"';
    for (size_t i = 0;;) {
        size_t j = plain_run(s, i, n);
        copy_bytes(w->data + w->len, s + i, j - i);
        w->len += j - i;
        if (j == n)
            break;
        unsigned char c = (unsigned char)s[j];
        size_t size = 1;
        if (c >= 0x80 && !repair) {
            if (!(size = utf8_sequence((const unsigned char *)s + j, n - j))) {
                w->len = start;
                return 1;
            }
            memcpy(w->data + w->len, s + j, size);
            w->len += size;
        } else if (repair && (c >= 0x80 || c == 0)) {
            w->data[w->len++] = '?';
        } else {
            if (reserve(w, n - j + 6 + 8)) /* the escape, the rest, the quote, the slack */
                return -1;
            w->len += escape(c, w->data + w->len);
        }
        i = j + size;
    }
    w->data[w->len++] = '"';
    return 0;
}

/* Text as a JSON string; text that is not UTF-8 with every byte past ASCII (and NUL) as
 * '?', as bind always gave it. */
static int write_string(text_writer *w, const char *s, size_t n)
{
    int rc = write_escaped(w, s, n, 0);
    return rc == 1 ? write_escaped(w, s, n, 1) : rc;
}

/* Writes the decimal text of i at out, which has room for 24 bytes; returns its length
 * (at most 20). */
static size_t integer_text(lua_Integer i, char *out)
{
    char digits[48]; /* written backwards to the middle, then 24 bytes copied */
    char *p = digits + 24;
    unsigned long long u = i < 0 ? 0ull - (unsigned long long)i : (unsigned long long)i;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (i < 0)
        *--p = '-';
    memcpy(out, p, 24);
    return (size_t)(digits + 24 - p);
}

/*
 * A real as jansson prints it: "%.17g" with the locale's decimal point as '.', ".0"
 * added when it would read as an integer, the exponent without '+' or leading zeros.
 * Not finite: null (jansson has no real for it).
 */
static int write_real(text_writer *w, double d)
{
    if (!isfinite(d))
        return put(w, "null", 4);
    char text[48];
    int n = snprintf(text, sizeof text - 2, "%.17g", d);
    if (n < 0 || (size_t)n >= sizeof text - 2)
        return -1;
    char point = localeconv()->decimal_point[0];
    char *at = point != '.' ? strchr(text, point) : NULL;
    if (at)
        *at = '.';
    char *e = strchr(text, 'e');
    if (!e && !strchr(text, '.')) {
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    if (e) {
        char *digits = e + 1, *from = digits;
        if (*from == '+')
            from++;
        else if (*from == '-')
            digits = ++from;
        while (*from == '0' && from[1])
            from++;
        memmove(digits, from, (size_t)(text + n - from) + 1);
        n -= (int)(from - digits);
    }
    return put(w, text, (size_t)n);
}

static int dump_to_text(const char *buffer, size_t size, void *data)
{
    return put(data, buffer, size);
}

/* ---- tables ------------------------------------------------------------------------- */

static inline const char *field_key(const text_field *f)
{
    return f->key ? f->key : f->number;
}

/* Is x's key before y's in byte order (strcmp's: the keys hold no NUL), or the same key
 * met earlier? */
static inline int field_before(const text_field *x, const text_field *y)
{
    const unsigned char *a = (const unsigned char *)field_key(x);
    const unsigned char *b = (const unsigned char *)field_key(y);
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i];
    return x->key_len != y->key_len ? x->key_len < y->key_len : x->order < y->order;
}

static int compare_fields(const void *a, const void *b)
{
    return field_before(a, b) ? -1 : field_before(b, a) ? 1 : 0;
}

static void sort_fields(text_field *f, size_t n)
{
    if (n > 16) {
        qsort(f, n, sizeof *f, compare_fields);
        return;
    }
    for (size_t i = 1; i < n; i++) { /* few fields: insertion, without qsort's calls */
        if (!field_before(&f[i], &f[i - 1]))
            continue;
        text_field moving = f[i];
        size_t j = i;
        for (; j > 0 && field_before(&moving, &f[j - 1]); j--)
            f[j] = f[j - 1];
        f[j] = moving;
    }
}

/*
 * Adds a field with the key at the top of the stack but one (text up to its first NUL,
 * or a number as text) and writes its value, at the top. *bad_key is set when the key is
 * text that is not UTF-8. The list may move while the value is written: the field is
 * found again by index. Returns -1 with why filled when the key is neither.
 */
static int add_field(text_writer *w, int depth, int *bad_key)
{
    lua_State *L = w->L;
    bind_context *ctx = w->ctx;
    size_t i = w->n_fields;
    if (i == ctx->cap_text_fields) {
        text_field *grown = array_grow(ctx->text_fields, &ctx->cap_text_fields, i,
                                       sizeof *grown);
        if (!grown)
            return -1;
        ctx->text_fields = grown;
    }
    text_field *f = &ctx->text_fields[i];
    int key_type = lua_type(L, -2);
    f->key = NULL;
    f->plain = 1; /* numbers are digits, signs, '.', 'e', "inf" */
    if (key_type == LUA_TSTRING) {
        size_t len;
        f->key = lua_tolstring(L, -2, &len); /* kept alive by the table */
        f->key_len = len;
        if (plain_run(f->key, 0, len) < len) { /* NUL (the key ends there), escapes, UTF-8 */
            f->key_len = strlen(f->key);
            f->plain = 0;
            *bad_key |= !utf8_valid(f->key, f->key_len);
        }
    } else if (key_type == LUA_TNUMBER && lua_isinteger(L, -2)) {
        char text[24];
        f->key_len = integer_text(lua_tointeger(L, -2), text);
        memcpy(f->number, text, sizeof f->number);
    } else if (key_type == LUA_TNUMBER) {
        f->key_len = (size_t)snprintf(f->number, sizeof f->number, "%.14g", lua_tonumber(L, -2));
    } else {
        snprintf(w->why, w->why_size, "evidence has a %s key", luaL_typename(L, -2));
        return -1;
    }
    f->order = i;
    f->from = w->len;
    w->n_fields++;
    if (write_value(w, lua_gettop(L), depth + 1))
        return -1;
    ctx->text_fields[i].to = w->len;
    return 0;
}

/* Writes the plain table at idx as a list when its keys are 1..#t (or it is empty), or
 * collects its fields. A key that is not UTF-8 fails once every value is written, as
 * bind failed on it when it added the fields. */
static int collect_plain(text_writer *w, int idx, int depth)
{
    lua_State *L = w->L;
    size_t n = lua_rawlen(L, idx);
    lua_pushnil(L);
    int more = lua_next(L, idx);
    if (n > 0) { /* count: the same number of keys makes a sequence */
        size_t count = 0;
        for (; more; more = lua_next(L, idx)) {
            count++;
            lua_pop(L, 1);
        }
        if (count == n) {
            if (put_char(w, '['))
                return -1;
            for (size_t i = 1; i <= n; i++) {
                lua_rawgeti(L, idx, (lua_Integer)i);
                int rc = (i > 1 && put_char(w, ',')) || write_value(w, lua_gettop(L), depth + 1);
                lua_pop(L, 1);
                if (rc)
                    return -1;
            }
            return put_char(w, ']') ? -1 : WROTE_LIST;
        }
        lua_pushnil(L);
        more = lua_next(L, idx);
    } else if (!more) { /* empty: a list */
        return put(w, "[]", 2) ? -1 : WROTE_LIST;
    }
    int bad_key = 0;
    for (; more; more = lua_next(L, idx)) {
        if (add_field(w, depth, &bad_key)) {
            lua_pop(L, 2);
            return -1;
        }
        lua_pop(L, 1);
    }
    return bad_key ? -1 : COLLECTED_FIELDS;
}

/*
 * Writes the table at idx as a list, or collects its fields (after those already in the
 * list). A parameter overlay is the table under it with the overlay's string keys
 * written over it (ignored when what is under is a list); a frozen table is the table it
 * shows. Leaves *pushed more values on the stack: the tables whose keys the fields point
 * into.
 */
static int collect_table(text_writer *w, int idx, int depth, int *pushed)
{
    lua_State *L = w->L;
    if (!lua_checkstack(L, 4)) {
        snprintf(w->why, w->why_size, "evidence nests too deep");
        return -1;
    }
    int has_meta = lua_getmetatable(L, idx);
    if (!has_meta)
        return collect_plain(w, idx, depth);
    lua_pop(L, 1);
    if (sandbox_overlay_base(L, idx)) { /* params: what is under, then writes */
        ++*pushed;
        int kind = collect_table(w, lua_gettop(L), depth, pushed);
        if (kind != COLLECTED_FIELDS)
            return kind;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            if (lua_type(L, -2) != LUA_TSTRING) { /* as a table of parameters: names only */
                lua_pop(L, 1);
                continue;
            }
            int bad_key = 0; /* fails at once: jansson refused it as it came */
            if (add_field(w, depth, &bad_key) || bad_key) {
                lua_pop(L, 2);
                return -1;
            }
            lua_pop(L, 1);
        }
        return COLLECTED_FIELDS;
    }
    if (sandbox_is_frozen(L, idx)) { /* a read-only view: what it shows */
        lua_getmetatable(L, idx);
        lua_pushliteral(L, "__index");
        lua_rawget(L, -2);
        *pushed += 2;
        if (lua_type(L, -1) == LUA_TTABLE)
            return collect_table(w, lua_gettop(L), depth, pushed);
        return put(w, "[]", 2) ? -1 : WROTE_LIST;
    }
    return collect_plain(w, idx, depth);
}

/* Writes the fields from `first` on, whose values lie in the buffer from `start`, as one
 * object with its keys in byte order, in place of those values. Of fields with equal
 * keys the last one collected is the one written. */
static int write_object(text_writer *w, size_t start, size_t first)
{
    text_field *fields = w->ctx->text_fields + first;
    size_t n = w->n_fields - first, values_end = w->len;
    sort_fields(fields, n);
    if (put_char(w, '{'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const text_field *f = &fields[i];
        if (i + 1 < n && f[1].key_len == f->key_len &&
            memcmp(field_key(f + 1), field_key(f), f->key_len) == 0)
            continue;
        size_t value_len = f->to - f->from;
        if (reserve(w, f->key_len + value_len + 4 + 8))
            return -1;
        if (w->len - values_end > 1)
            w->data[w->len++] = ',';
        if (f->plain) {
            w->data[w->len++] = '"';
            copy_bytes(w->data + w->len, field_key(f), f->key_len);
            w->len += f->key_len;
            w->data[w->len++] = '"';
        } else if (write_escaped(w, field_key(f), f->key_len, 0) || reserve(w, value_len + 1 + 8)) {
            return -1;
        }
        w->data[w->len++] = ':';
        copy_bytes(w->data + w->len, w->data + f->from, value_len);
        w->len += value_len;
    }
    if (put_char(w, '}'))
        return -1;
    memmove(w->data + start, w->data + values_end, w->len - values_end);
    w->len -= values_end - start;
    return 0;
}

static int write_table(text_writer *w, int idx, int depth)
{
    size_t start = w->len, first = w->n_fields;
    int pushed = 0;
    int kind = collect_table(w, idx, depth, &pushed);
    if (kind == COLLECTED_FIELDS)
        kind = write_object(w, start, first);
    lua_pop(w->L, pushed);
    w->n_fields = first;
    return kind < 0 ? -1 : 0;
}

/* ---- values ------------------------------------------------------------------------- */

static int write_value(text_writer *w, int idx, int depth)
{
    lua_State *L = w->L;
    if (depth > JSON_MAX_DEPTH) {
        snprintf(w->why, w->why_size, "evidence nests deeper than %d levels", JSON_MAX_DEPTH);
        return -1;
    }
    if (++w->items > JSON_MAX_ITEMS) {
        snprintf(w->why, w->why_size, "evidence has more than %d values", JSON_MAX_ITEMS);
        return -1;
    }
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        return put(w, "null", 4);
    case LUA_TBOOLEAN:
        return lua_toboolean(L, idx) ? put(w, "true", 4) : put(w, "false", 5);
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            if (reserve(w, 24))
                return -1;
            w->len += integer_text(lua_tointeger(L, idx), w->data + w->len);
            return 0;
        }
        return write_real(w, lua_tonumber(L, idx));
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        return write_string(w, s, n);
    }
    case LUA_TTABLE:
        return write_table(w, idx, depth);
    case LUA_TUSERDATA: {
        const bind_node *n = bind_test_node(L, idx); /* raises when it is stale */
        if (n)
            return json_dump_callback(n->json, dump_to_text, w, JSON_COMPACT | JSON_ENCODE_ANY);
    } /* fall through */
    default:
        snprintf(w->why, w->why_size, "evidence holds a %s value", luaL_typename(L, idx));
        return -1;
    }
}

char *bind_json_text(lua_State *L, int idx, char *why, size_t why_size)
{
    bind_context *ctx = bind_ctx(L);
    text_writer w = {L, ctx, ctx->text, 0, ctx->cap_text, 0, 0, why, why_size};
    why[0] = 0;
    char *text = NULL;
    if (write_value(&w, lua_absindex(L, idx), 0) == 0 && (text = malloc(w.len + 1))) {
        memcpy(text, w.data, w.len);
        text[w.len] = '\0';
    }
    if (!text && !why[0])
        snprintf(why, why_size, "out of memory");
    if (ctx->cap_text > TEXT_KEPT) { /* a rare large text: do not keep its room */
        free(ctx->text);
        ctx->text = NULL;
        ctx->cap_text = 0;
    }
    return text;
}
