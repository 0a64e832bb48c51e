/*
 * Unit tests for sha256: the examples of FIPS 180-2 appendix B / NIST's SHA-256 example
 * values (one block, two blocks, a million 'a'), the 896-bit message, the empty message,
 * every length around the padding boundaries against a one-shot digest fed in pieces, and
 * the helpers for secrets.
 */
#include <stdlib.h>

#include "sha256.h"
#include "test.h"

static void hex(const unsigned char d[32], char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = 0;
}

static const char *digest_of(const char *s, char out[65])
{
    unsigned char d[32];
    sha256(s, strlen(s), d);
    hex(d, out);
    return out;
}

static void test_empty_message(void)
{
    char h[65];
    CHECK_STR(digest_of("", h), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_one_block_abc(void)
{
    char h[65];
    CHECK_STR(digest_of("abc", h),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_two_blocks_448_bits(void)
{
    char h[65];
    CHECK_STR(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", h),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void)
{
    char h[65];
    CHECK_STR(digest_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                        "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                        h),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a_in_uneven_pieces(void)
{
    sha256_ctx c;
    unsigned char d[32];
    char h[65], piece[997];
    memset(piece, 'a', sizeof piece);
    sha256_init(&c);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof piece ? left : sizeof piece;
        sha256_update(&c, piece, n);
        left -= n;
    }
    sha256_final(&c, d);
    hex(d, h);
    CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length from 0 to 200 bytes (all the padding cases: 55, 56, 63, 64, 119, 120 ...),
 * fed byte by byte and in two halves, gives the one-shot digest. */
static void test_pieces_match_one_shot(void)
{
    unsigned char msg[200];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 31 + 7);
    for (size_t n = 0; n <= sizeof msg; n++) {
        unsigned char one[32], bytes[32], halves[32];
        sha256(msg, n, one);
        sha256_ctx c;
        sha256_init(&c);
        for (size_t i = 0; i < n; i++)
            sha256_update(&c, msg + i, 1);
        sha256_final(&c, bytes);
        sha256_init(&c);
        sha256_update(&c, msg, n / 2);
        sha256_update(&c, msg + n / 2, n - n / 2);
        sha256_final(&c, halves);
        CHECK(memcmp(one, bytes, 32) == 0);
        CHECK(memcmp(one, halves, 32) == 0);
    }
}

/* 55 and 56 bytes: the last length that pads within one block and the first that needs two
 * (values from sha256sum of 55 and 56 'a'). */
static void test_padding_boundary(void)
{
    char h[65], s[57];
    memset(s, 'a', 56);
    s[55] = 0;
    CHECK_STR(digest_of(s, h), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    s[55] = 'a';
    s[56] = 0;
    CHECK_STR(digest_of(s, h), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

static void test_secret_equal_and_wipe(void)
{
    char a[8] = "abcdefg", b[8] = "abcdefg", c[8] = "abcdefh";
    CHECK(secret_equal(a, b, 8));
    CHECK(!secret_equal(a, c, 8));
    CHECK(secret_equal(a, c, 6));
    secret_wipe(a, sizeof a);
    for (size_t i = 0; i < sizeof a; i++)
        CHECK_INT(a[i], 0);
}

static const test_case TESTS[] = {
    {"empty_message", test_empty_message},
    {"one_block_abc", test_one_block_abc},
    {"two_blocks_448_bits", test_two_blocks_448_bits},
    {"896_bits", test_896_bits},
    {"million_a_in_uneven_pieces", test_million_a_in_uneven_pieces},
    {"pieces_match_one_shot", test_pieces_match_one_shot},
    {"padding_boundary", test_padding_boundary},
    {"secret_equal_and_wipe", test_secret_equal_and_wipe},
};

TEST_MAIN(TESTS)
