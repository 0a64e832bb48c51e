/*
 * sha256: SHA-256 as FIPS 180-4 defines it (section 6.2), for the salted hashes of the
 * service's API tokens, and two helpers for secrets: a comparison whose time does not
 * depend on where the bytes differ, and a wipe the compiler does not remove. Knows
 * nothing else.
 */
#ifndef ANBUD_SHA256_H
#define ANBUD_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t bytes;          /* message length so far */
    unsigned char block[64]; /* a partial block */
    size_t used;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
/* Pads, writes the 32-byte digest and wipes the context. */
void sha256_final(sha256_ctx *c, unsigned char digest[32]);
/* The digest of one buffer. */
void sha256(const void *data, size_t n, unsigned char digest[32]);

/* 1 when a and b (n bytes each) are equal; the time taken depends only on n. */
int secret_equal(const void *a, const void *b, size_t n);
/* Overwrites n bytes with zeros. */
void secret_wipe(void *p, size_t n);

#endif
