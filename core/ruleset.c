/*
 * ruleset: loading rule sets from rules/<id>/ and layering them. A set is its manifest
 * (ruleset.lua) and one rule per other .lua file in the folder. `extends` forms a graph;
 * a set's resolution order is depth-first, left to right, each set after every set it
 * extends, each set once (so `alver` = no, bergen-innkjopssamarbeid, alver). Parameters
 * of a rule, lowest first: the `params` of each set in that order, the rule's own
 * defaults, then the `overrides[rule id]` of each set in that order.
 */
#include <dirent.h>
#include <lauxlib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine_internal.h"

/* ---- reading declarations (raw reads only: no rule code runs here) --------------- */

static int capture_decl(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_rawgeti(L, lua_upvalueindex(1), 1) != LUA_TNIL)
        return luaL_error(L, "%s{...} may appear only once in a file",
                          lua_tostring(L, lua_upvalueindex(2)));
    lua_pop(L, 1);
    lua_pushvalue(L, 1);
    lua_rawseti(L, lua_upvalueindex(1), 1);
    lua_settop(L, 1);
    return 1;
}

/*
 * Runs the file at path in a new environment where `what` (rule or ruleset) records its
 * argument; pushes the declared table. Returns 0, or ANBUD_EINPUT with err.
 */
static int load_decl(engine *e, const char *path, const char *module_dir, const char *what,
                     anbud_err *err)
{
    lua_State *L = sandbox_lua(e->sb);
    int top = lua_gettop(L);
    sandbox_push_env(e->sb, module_dir);
    int env = lua_gettop(L);
    lua_newtable(L);
    int slot = lua_gettop(L);
    lua_pushvalue(L, slot);
    lua_pushstring(L, what);
    lua_pushcclosure(L, capture_decl, 2);
    lua_setfield(L, env, what);
    if (sandbox_load_file(e->sb, path, env, err)) {
        lua_settop(L, top);
        return ANBUD_EINPUT;
    }
    char msg[512];
    if (sandbox_call(e->sb, 0, 1, msg, sizeof msg) != LUA_OK) {
        lua_settop(L, top);
        return err_set(err, ANBUD_EINPUT, "%s", msg);
    }
    if (lua_rawgeti(L, slot, 1) == LUA_TNIL) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TTABLE) {
            lua_settop(L, top);
            return err_set(err, ANBUD_EINPUT, "%s: declares no %s: write %s { ... }", path,
                           what, what);
        }
    }
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
    return 0;
}

/* Every key of the table at idx must be in `allowed`. */
static int check_keys(lua_State *L, int idx, const char *const *allowed, const char *path,
                      anbud_err *err)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        int ok = 0;
        for (const char *const *a = allowed; k && *a && !ok; a++)
            ok = strcmp(k, *a) == 0;
        if (!ok) {
            err_set(err, ANBUD_EINPUT, "%s: unknown field '%s'", path, k ? k : "(not a name)");
            lua_pop(L, 1);
            return ANBUD_EINPUT;
        }
    }
    return 0;
}

/* A string field: *out gets a copy, or NULL when absent and not required. */
static int get_string(lua_State *L, int idx, const char *field, int required, char **out,
                      const char *path, anbud_err *err)
{
    *out = NULL;
    lua_pushstring(L, field);
    int t = lua_rawget(L, idx);
    if (t == LUA_TNIL && !required) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TSTRING || lua_rawlen(L, -1) == 0) {
        lua_pop(L, 1);
        return err_set(err, ANBUD_EINPUT, "%s: '%s' must be a non-empty text", path, field);
    }
    *out = xstrdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    return *out ? 0 : err_set(err, ANBUD_EINTERNAL, "out of memory");
}

typedef int (*string_check)(const char *s);

static int any_string(const char *s)
{
    return s[0] != 0;
}

/* A list of strings; each must pass `valid`. */
static int get_strings(lua_State *L, int idx, const char *field, string_check valid, char ***out,
                       size_t *n, const char *path, anbud_err *err)
{
    *out = NULL;
    *n = 0;
    lua_pushstring(L, field);
    int t = lua_rawget(L, idx);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TTABLE) {
        lua_pop(L, 1);
        return err_set(err, ANBUD_EINPUT, "%s: '%s' must be a list", path, field);
    }
    size_t len = lua_rawlen(L, -1);
    *out = calloc(len + 1, sizeof **out);
    if (!*out) {
        lua_pop(L, 1);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < len; i++) {
        const char *s = lua_rawgeti(L, -1, (lua_Integer)i + 1) == LUA_TSTRING
                            ? lua_tostring(L, -1) : NULL;
        if (!s || !valid(s)) {
            lua_pop(L, 2);
            return err_set(err, ANBUD_EINPUT, "%s: '%s' item %zu is not valid%s", path, field,
                           i + 1, valid == kommunenr_valid ? " (a kommunenummer has 4 digits)" : "");
        }
        (*out)[i] = xstrdup(s);
        lua_pop(L, 1);
        if (!(*out)[i]) {
            lua_pop(L, 1);
            return err_set(err, ANBUD_EINTERNAL, "out of memory");
        }
        *n = i + 1;
    }
    lua_pop(L, 1);
    return 0;
}

/* A list of stage names as a bit mask. */
static int get_stages(lua_State *L, int idx, const char *field, unsigned *mask, const char *path,
                      anbud_err *err)
{
    char **names;
    size_t n;
    int rc = get_strings(L, idx, field, any_string, &names, &n, path, err);
    *mask = 0;
    for (size_t i = 0; i < n; i++) {
        ocds_stage s = ocds_stage_parse(names[i]);
        if (s == STAGE_NONE && !rc)
            rc = err_set(err, ANBUD_EINPUT,
                         "%s: '%s' names an unknown stage '%s' (planning, tender, award, "
                         "contract, implementation, closed)", path, field, names[i]);
        else if (s != STAGE_NONE)
            *mask |= STAGE_BIT(s);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int get_date(lua_State *L, int idx, const char *field, int64_t *days, int64_t dflt,
                    const char *path, anbud_err *err)
{
    char *s;
    int rc = get_string(L, idx, field, 0, &s, path, err);
    *days = dflt;
    if (!rc && s && date_parse(s, days, NULL) != 0)
        rc = err_set(err, ANBUD_EINPUT, "%s: '%s' is not a date (YYYY-MM-DD)", path, field);
    free(s);
    return rc;
}

/* ---- rules ------------------------------------------------------------------------- */

static const char *const RULE_FIELDS[] = {
    "id", "title", "source", "stages", "severity", "check", "applies", "params", "gate",
    "valid_from", "valid_to", "description", NULL,
};

static int raw_type(lua_State *L, int idx, const char *field)
{
    lua_pushstring(L, field);
    int t = lua_rawget(L, idx);
    lua_pop(L, 1);
    return t;
}

/* Validates the declaration at the top of the stack and fills r from it. */
static int read_rule(lua_State *L, rule *r, const ruleset *set, anbud_err *err)
{
    int d = lua_gettop(L);
    const char *path = r->file;
    char *sev = NULL;
    int rc = check_keys(L, d, RULE_FIELDS, path, err);
    if (!rc)
        rc = get_string(L, d, "id", 1, &r->id, path, err);
    if (!rc && (strncmp(r->id, set->id, strlen(set->id)) != 0 || r->id[strlen(set->id)] != '.' ||
                !r->id[strlen(set->id) + 1]))
        rc = err_set(err, ANBUD_EINPUT, "%s: id '%s' must start with '%s.'", path, r->id,
                     set->id);
    if (!rc)
        rc = get_string(L, d, "title", 1, &r->title, path, err);
    if (!rc)
        rc = get_string(L, d, "source", 1, &r->source, path, err);
    if (!rc)
        rc = get_stages(L, d, "stages", &r->stages, path, err);
    if (!rc && !r->stages)
        rc = err_set(err, ANBUD_EINPUT, "%s: 'stages' must name at least one stage", path);
    if (!rc)
        rc = get_stages(L, d, "gate", &r->gates, path, err);
    if (!rc && (r->gates & ~r->stages))
        rc = err_set(err, ANBUD_EINPUT, "%s: 'gate' names a stage the rule does not run at",
                     path);
    if (!rc)
        rc = get_string(L, d, "severity", 1, &sev, path, err);
    if (!rc) {
        if (strcmp(sev, "error") == 0)
            r->severity = SEVERITY_ERROR;
        else if (strcmp(sev, "warning") == 0)
            r->severity = SEVERITY_WARNING;
        else if (strcmp(sev, "info") == 0)
            r->severity = SEVERITY_INFO;
        else
            rc = err_set(err, ANBUD_EINPUT, "%s: severity '%s' is not error, warning or info",
                         path, sev);
    }
    free(sev);
    if (!rc && raw_type(L, d, "check") != LUA_TFUNCTION)
        rc = err_set(err, ANBUD_EINPUT, "%s: 'check' must be a function", path);
    int at = raw_type(L, d, "applies");
    if (!rc && at != LUA_TNIL && at != LUA_TFUNCTION)
        rc = err_set(err, ANBUD_EINPUT, "%s: 'applies' must be a function", path);
    int pt = raw_type(L, d, "params");
    if (!rc && pt != LUA_TNIL && pt != LUA_TTABLE)
        rc = err_set(err, ANBUD_EINPUT, "%s: 'params' must be a table", path);
    if (!rc)
        rc = get_date(L, d, "valid_from", &r->valid_from, INT64_MIN, path, err);
    if (!rc)
        rc = get_date(L, d, "valid_to", &r->valid_to, INT64_MAX, path, err);
    return rc;
}

static rule *find_rule(engine *e, const char *id)
{
    for (size_t i = 0; i < e->n_sets; i++)
        for (size_t j = 0; j < e->sets[i]->n_own; j++)
            if (e->sets[i]->own[j]->id && strcmp(e->sets[i]->own[j]->id, id) == 0)
                return e->sets[i]->own[j];
    return NULL;
}

/* Loads one rule file; a file that fails becomes a rule that yields error. */
static int load_rule(engine *e, ruleset *set, const char *path, const char *lib_dir,
                     anbud_err *err)
{
    lua_State *L = sandbox_lua(e->sb);
    rule *r = calloc(1, sizeof *r);
    const char *base = strrchr(path, '/');
    size_t name_size = strlen(set->id) + strlen(base ? base : path) + 2;
    if (!r || !(r->file = xstrdup(path)) || !(r->name = malloc(name_size))) {
        if (r)
            free(r->file);
        free(r);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    snprintf(r->name, name_size, "%s/%s", set->id, base ? base + 1 : path);
    r->set = set;
    r->ref = LUA_NOREF;
    set->own[set->n_own++] = r;
    anbud_err why;
    int rc = load_decl(e, path, lib_dir, "rule", &why);
    if (!rc) {
        rc = read_rule(L, r, set, &why);
        if (!rc && find_rule(e, r->id) != r)
            rc = err_set(&why, ANBUD_EINPUT, "%s: rule id '%s' is declared twice", path, r->id);
        if (!rc)
            r->ref = luaL_ref(L, LUA_REGISTRYINDEX);
        else
            lua_pop(L, 1);
    }
    if (rc == ANBUD_EINTERNAL)
        return err_set(err, rc, "%s", why.msg);
    if (rc) {
        free(r->id);
        r->id = NULL;
        r->load_error = xstrdup(why.msg);
        r->stages = (1u << STAGE_COUNT) - 1;
        r->severity = SEVERITY_ERROR;
        if (!r->load_error)
            return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    return 0;
}

/* ---- manifests --------------------------------------------------------------------- */

static const char *const MANIFEST_FIELDS[] = {
    "id", "name", "language", "municipalities", "extends", "host", "members",
    "params", "overrides", "disabled", "description", NULL,
};

static int read_disabled(lua_State *L, int m, ruleset *s, const char *path, anbud_err *err)
{
    lua_pushliteral(L, "disabled");
    int t = lua_rawget(L, m);
    if (t == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    if (t != LUA_TTABLE) {
        lua_pop(L, 1);
        return err_set(err, ANBUD_EINPUT, "%s: 'disabled' must be a table {[\"rule id\"] = "
                                          "\"reason\"}", path);
    }
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        count++;
        lua_pop(L, 1);
    }
    s->disabled = calloc(count + 1, sizeof *s->disabled);
    if (!s->disabled) {
        lua_pop(L, 1);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        const char *id = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        const char *why = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        lua_pop(L, 1);
        if (!id || !why || !why[0]) {
            lua_pop(L, 2);
            return err_set(err, ANBUD_EINPUT, "%s: disabled rule '%s' needs a written reason",
                           path, id ? id : "?");
        }
        disabled_rule *dr = &s->disabled[s->n_disabled++];
        dr->rule_id = xstrdup(id);
        dr->reason = xstrdup(why);
        dr->by = s;
        if (!dr->rule_id || !dr->reason) {
            lua_pop(L, 2);
            return err_set(err, ANBUD_EINTERNAL, "out of memory");
        }
    }
    lua_pop(L, 1);
    return 0;
}

static int check_table_field(lua_State *L, int m, const char *field, const char *path,
                             anbud_err *err)
{
    int t = raw_type(L, m, field);
    if (t != LUA_TNIL && t != LUA_TTABLE)
        return err_set(err, ANBUD_EINPUT, "%s: '%s' must be a table", path, field);
    return 0;
}

static int read_manifest(engine *e, ruleset *s, const char *path, const char *lib_dir,
                         anbud_err *err)
{
    lua_State *L = sandbox_lua(e->sb);
    int rc = load_decl(e, path, lib_dir, "ruleset", err);
    if (rc)
        return rc;
    int m = lua_gettop(L);
    char *id = NULL, *host = NULL;
    rc = check_keys(L, m, MANIFEST_FIELDS, path, err);
    if (!rc)
        rc = get_string(L, m, "id", 1, &id, path, err);
    if (!rc && strcmp(id, s->id) != 0)
        rc = err_set(err, ANBUD_EINPUT, "%s: id '%s' must be the folder's name '%s'", path, id,
                     s->id);
    free(id);
    if (!rc)
        rc = get_string(L, m, "name", 1, &s->name, path, err);
    if (!rc)
        rc = get_string(L, m, "language", 0, &s->language, path, err);
    if (!rc && !s->language && !(s->language = xstrdup("nb")))
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    if (!rc && strcmp(s->language, "nb") != 0 && strcmp(s->language, "nn") != 0)
        rc = err_set(err, ANBUD_EINPUT, "%s: language must be \"nb\" (bokmål) or \"nn\" "
                                        "(nynorsk)", path);
    if (!rc)
        rc = get_strings(L, m, "municipalities", kommunenr_valid, &s->municipalities,
                         &s->n_municipalities, path, err);
    if (!rc)
        rc = get_strings(L, m, "extends", any_string, &s->extends, &s->n_extends, path, err);
    if (!rc)
        rc = get_string(L, m, "host", 0, &host, path, err);
    if (!rc && host && !kommunenr_valid(host))
        rc = err_set(err, ANBUD_EINPUT, "%s: host must be a kommunenummer (4 digits)", path);
    s->host = host;
    if (!rc)
        rc = get_strings(L, m, "members", kommunenr_valid, &s->members, &s->n_members, path,
                         err);
    if (!rc)
        rc = check_table_field(L, m, "params", path, err);
    if (!rc)
        rc = check_table_field(L, m, "overrides", path, err);
    if (!rc)
        rc = read_disabled(L, m, s, path, err);
    if (rc) {
        lua_pop(L, 1);
        return rc;
    }
    s->manifest_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* ---- layering ---------------------------------------------------------------------- */

static ruleset *find_set(engine *e, const char *id)
{
    for (size_t i = 0; i < e->n_sets; i++)
        if (strcmp(e->sets[i]->id, id) == 0)
            return e->sets[i];
    return NULL;
}

static int in_order(const ruleset *s, const ruleset *x)
{
    for (size_t i = 0; i < s->n_order; i++)
        if (s->order[i] == x)
            return 1;
    return 0;
}

/* Depth-first, left to right; appends x after everything it extends. */
static int visit(engine *e, ruleset *root, ruleset *x, anbud_err *err)
{
    if (x->visit == 1)
        return err_set(err, ANBUD_EINPUT, "%s/ruleset.lua: 'extends' forms a cycle through '%s'",
                       root->dir, x->id);
    if (in_order(root, x))
        return 0;
    x->visit = 1;
    for (size_t i = 0; i < x->n_extends; i++) {
        ruleset *base = find_set(e, x->extends[i]);
        if (!base) {
            x->visit = 0;
            return err_set(err, ANBUD_EINPUT, "%s/ruleset.lua: extends unknown rule set '%s'",
                           x->dir, x->extends[i]);
        }
        int rc = visit(e, root, base, err);
        if (rc) {
            x->visit = 0;
            return rc;
        }
    }
    x->visit = 0;
    root->order[root->n_order++] = x;
    return 0;
}

/* Copies every field of the table `src` (raw) into the table `dst` (absolute indices). */
static void copy_fields(lua_State *L, int dst, int src)
{
    lua_pushnil(L);
    while (lua_next(L, src)) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, dst);
    }
}

/* Pushes manifest[field] of set x, or nil. */
static int push_manifest_field(lua_State *L, const ruleset *x, const char *field)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, x->manifest_ref);
    lua_pushstring(L, field);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    return lua_type(L, -1);
}

/* Builds the layered parameter table of rule r in set s; returns a registry reference. */
static int build_params(lua_State *L, const ruleset *s, const rule *r)
{
    lua_newtable(L);
    int p = lua_gettop(L);
    for (size_t i = 0; i < s->n_order; i++) {
        if (push_manifest_field(L, s->order[i], "params") == LUA_TTABLE)
            copy_fields(L, p, lua_gettop(L));
        lua_pop(L, 1);
    }
    if (r->ref != LUA_NOREF) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->ref);
        lua_pushliteral(L, "params");
        if (lua_rawget(L, -2) == LUA_TTABLE)
            copy_fields(L, p, lua_gettop(L));
        lua_pop(L, 2);
    }
    for (size_t i = 0; r->id && i < s->n_order; i++) {
        if (push_manifest_field(L, s->order[i], "overrides") == LUA_TTABLE) {
            lua_pushstring(L, r->id);
            if (lua_rawget(L, -2) == LUA_TTABLE)
                copy_fields(L, p, lua_gettop(L));
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    /* parameter values that are tables (lists of codes) are shared: make them read-only */
    lua_pushnil(L);
    while (lua_next(L, p)) {
        if (lua_type(L, -1) == LUA_TTABLE && !lua_getmetatable(L, -1)) {
            sandbox_freeze(L, -1);
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, p);
        } else {
            lua_settop(L, lua_gettop(L) - (lua_type(L, -1) == LUA_TTABLE ? 2 : 1));
        }
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

static const disabled_rule *find_disabled(const ruleset *s, const char *id)
{
    for (size_t i = 0; id && i < s->n_all_disabled; i++)
        if (strcmp(s->all_disabled[i]->rule_id, id) == 0)
            return s->all_disabled[i];
    return NULL;
}

static int layer(engine *e, ruleset *s, anbud_err *err)
{
    lua_State *L = sandbox_lua(e->sb);
    s->order = calloc(e->n_sets, sizeof *s->order);
    if (!s->order)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    int rc = visit(e, s, s, err);
    if (rc)
        return rc;
    sbuf acc = {0};
    int bad = sbuf_adds(&acc, e->library_hash);
    for (size_t i = 0; i < s->n_order; i++)
        bad |= sbuf_adds(&acc, s->order[i]->own_hash);
    if (bad) {
        sbuf_free(&acc);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    hash_hex(acc.data, acc.len, s->version);
    sbuf_free(&acc);
    size_t n_dis = 0, n_rules = 0;
    for (size_t i = 0; i < s->n_order; i++) {
        n_dis += s->order[i]->n_disabled;
        n_rules += s->order[i]->n_own;
    }
    s->all_disabled = calloc(n_dis + 1, sizeof *s->all_disabled);
    s->active = calloc(n_rules + 1, sizeof *s->active);
    if (!s->all_disabled || !s->active)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    for (size_t i = 0; i < s->n_order; i++)
        for (size_t j = 0; j < s->order[i]->n_disabled; j++) {
            const disabled_rule *d = &s->order[i]->disabled[j];
            rule *target = find_rule(e, d->rule_id);
            if (!target || !in_order(s, target->set))
                return err_set(err, ANBUD_EINPUT,
                               "%s/ruleset.lua: disabled names '%s', which is not a rule of "
                               "this set or a set it extends", d->by->dir, d->rule_id);
            s->all_disabled[s->n_all_disabled++] = d;
        }
    for (size_t i = 0; i < s->n_order; i++)
        for (size_t j = 0; j < s->order[i]->n_own; j++) {
            const rule *r = s->order[i]->own[j];
            if (find_disabled(s, r->id))
                continue;
            s->active[s->n_active].rule = r;
            s->active[s->n_active].params_ref = build_params(L, s, r);
            s->n_active++;
        }
    return 0;
}

/* ---- the whole rules folder -------------------------------------------------------- */

static int is_lua_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".lua") == 0 &&
           strcmp(d->d_name, "ruleset.lua") != 0;
}

static int is_lua_or_manifest(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".lua") == 0;
}

static int is_visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static void free_names(struct dirent **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int ruleset_hash_folder(const char *dir, char out[33], anbud_err *err)
{
    struct dirent **names;
    sbuf acc = {0};
    int n = scandir(dir, &names, is_lua_or_manifest, alphasort);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char path[4400], h[33];
        char *text = NULL;
        size_t len = 0;
        if (!rc && snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) < (int)sizeof path &&
            !(rc = file_read(path, &text, &len, err))) {
            hash_hex(text, len, h);
            if (sbuf_adds(&acc, names[i]->d_name) || sbuf_adds(&acc, h))
                rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
        }
        free(text);
        free(names[i]);
    }
    if (n >= 0)
        free(names);
    hash_hex(acc.data ? acc.data : "", acc.len, out);
    sbuf_free(&acc);
    return rc;
}

static int load_set(engine *e, const char *rules_dir, const char *id, anbud_err *err)
{
    char dir[4096], path[4400], lib[4200];
    struct stat st;
    if (snprintf(dir, sizeof dir, "%s/%s", rules_dir, id) >= (int)sizeof dir)
        return err_set(err, ANBUD_EINPUT, "%s/%s: path too long", rules_dir, id);
    snprintf(path, sizeof path, "%s/ruleset.lua", dir);
    if (stat(path, &st) != 0)
        return 0; /* not a rule set folder */
    snprintf(lib, sizeof lib, "%s/lib", dir);
    ruleset *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    s->manifest_ref = LUA_NOREF;
    e->sets[e->n_sets++] = s;
    if (!(s->id = xstrdup(id)) || !(s->dir = xstrdup(dir)))
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    int rc = read_manifest(e, s, path, lib, err);
    char dir_hash[33], lib_hash[33], both[80];
    if (!rc)
        rc = ruleset_hash_folder(dir, dir_hash, err);
    if (!rc)
        rc = ruleset_hash_folder(lib, lib_hash, err);
    if (rc)
        return rc;
    snprintf(both, sizeof both, "%s%s", dir_hash, lib_hash);
    hash_hex(both, strlen(both), s->own_hash);
    struct dirent **names;
    int n = scandir(dir, &names, is_lua_file, alphasort);
    if (n < 0)
        return err_set(err, ANBUD_EINPUT, "%s: cannot list the folder", dir);
    s->own = calloc((size_t)n + 1, sizeof *s->own);
    if (!s->own) {
        free_names(names, n);
        return err_set(err, ANBUD_EINTERNAL, "out of memory");
    }
    for (int i = 0; i < n && !rc; i++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) >= (int)sizeof path)
            rc = err_set(err, ANBUD_EINPUT, "%s/%s: path too long", dir, names[i]->d_name);
        else
            rc = load_rule(e, s, path, lib, err);
    }
    free_names(names, n);
    return rc;
}

static int load_all_protected(lua_State *L)
{
    engine *e = lua_touserdata(L, 1);
    const char *rules_dir = lua_tostring(L, 2);
    anbud_err *err = lua_touserdata(L, 3);
    struct dirent **names;
    int n = scandir(rules_dir, &names, is_visible, alphasort);
    int rc = 0;
    if (n < 0)
        rc = err_set(err, ANBUD_EINPUT, "%s: no such rules folder", rules_dir);
    else if (!(e->sets = calloc((size_t)n + 1, sizeof *e->sets)))
        rc = err_set(err, ANBUD_EINTERNAL, "out of memory");
    for (int i = 0; i < n && !rc; i++)
        rc = load_set(e, rules_dir, names[i]->d_name, err);
    if (n >= 0)
        free_names(names, n);
    for (size_t i = 0; i < e->n_sets && !rc; i++)
        rc = layer(e, e->sets[i], err);
    for (size_t i = 0; i < e->n_sets && !rc; i++)
        for (size_t j = 0; j < e->sets[i]->n_municipalities && !rc; j++) {
            const char *code = e->sets[i]->municipalities[j];
            const ruleset *other = engine_ruleset_for(e, code);
            if (other != e->sets[i])
                rc = err_set(err, ANBUD_EINPUT, "rule sets '%s' and '%s' both serve "
                             "kommunenummer %s", other->id, e->sets[i]->id, code);
        }
    lua_pushinteger(L, rc);
    return 1;
}

int ruleset_load_all(engine *e, const char *rules_dir, anbud_err *err)
{
    lua_State *L = sandbox_lua(e->sb);
    lua_pushcfunction(L, load_all_protected);
    lua_pushlightuserdata(L, e);
    lua_pushstring(L, rules_dir);
    lua_pushlightuserdata(L, err);
    if (lua_pcall(L, 3, 1, 0) != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        err_set(err, ANBUD_EINTERNAL, "loading rule sets: %s", m ? m : "out of memory");
        lua_pop(L, 1);
        return ANBUD_EINTERNAL;
    }
    int rc = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return rc;
}

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void ruleset_free_all(engine *e)
{
    for (size_t i = 0; i < e->n_sets; i++) {
        ruleset *s = e->sets[i];
        for (size_t j = 0; j < s->n_own; j++) {
            rule *r = s->own[j];
            free(r->id);
            free(r->title);
            free(r->source);
            free(r->file);
            free(r->name);
            free(r->load_error);
            free(r);
        }
        for (size_t j = 0; j < s->n_disabled; j++) {
            free(s->disabled[j].rule_id);
            free(s->disabled[j].reason);
        }
        for (size_t j = 0; j < s->n_active; j++)
            engine_drop_params_cache(sandbox_lua(e->sb), &s->active[j]);
        free(s->disabled);
        free(s->all_disabled);
        free(s->own);
        free(s->active);
        free(s->order);
        free_strings(s->municipalities, s->n_municipalities);
        free_strings(s->members, s->n_members);
        free_strings(s->extends, s->n_extends);
        free(s->id);
        free(s->name);
        free(s->dir);
        free(s->language);
        free(s->host);
        free(s);
    }
    free(e->sets);
    e->sets = NULL;
    e->n_sets = 0;
}
