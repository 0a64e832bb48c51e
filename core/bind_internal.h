/*
 * bind_internal: what bind.c and bind_fields.c share; not for other modules.
 */
#ifndef ANBUD_BIND_INTERNAL_H
#define ANBUD_BIND_INTERNAL_H

#include "bind.h"

enum { K_OBJECT, K_LIST, K_PROCUREMENT, K_TENDER, K_SUPPLIER, K_CONTRACT, K_COUNT };

typedef struct bind_node {
    const json_t *json;         /* the value this object shows */
    const bind_process *proc;   /* the process it belongs to */
    uint32_t epoch;             /* the evaluation it was made in */
    unsigned char kind, elem;   /* K_*; elem: kind of a list's elements */
    uint32_t magic;             /* BIND_NODE_MAGIC: tells our objects apart */
} bind_node;

#define BIND_NODE_MAGIC 0xB1D0DEADu

bind_context *bind_ctx(lua_State *L);
const char *bind_kind_name(int kind);
void bind_push_node(lua_State *L, const json_t *json, const bind_process *p, int kind, int elem);
void bind_push_child(lua_State *L, const char *key, const json_t *v, const bind_process *p);
/* The node at idx, or NULL when it is not one of ours; raises when it is stale. */
bind_node *bind_test_node(lua_State *L, int idx);
bind_node *bind_check_node(lua_State *L, int idx);
const json_t *bind_resolve_party(const bind_process *p, const json_t *v);
int bind_get_path(lua_State *L);
/* Pushes the computed field `key` of n and returns 1, or returns 0 when there is none. */
int bind_computed_field(lua_State *L, const bind_node *n, const char *key);

#endif
