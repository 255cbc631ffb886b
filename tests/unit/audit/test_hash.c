/* The audit chain's canonical record encoding and its SHA-256, on known
 * vectors. The expected hashes were computed independently of this code,
 * with printf and sha256sum over the encoding bytes written out by hand
 * (each vector's comment gives the command). */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "synd/audit.h"

/* The first record of a trail: ICBC, a lead, opens BK-1. Its encoding:
 *
 *   Z=$(printf '0%.0s' $(seq 1 64))
 *   { printf '\x00\x00\x00\x0d1700000000000\x00\x00\x00\x04ICBC'
 *     printf '\x00\x00\x00\x04lead\x00\x00\x00\x08OpenBook'
 *     printf '\x00\x00\x00\x04BK-1\x00\x00\x00\x010\x00\x00\x00\x00'
 *     printf '\x00\x00\x00\x40%s' "$Z"; } | sha256sum */
static const synd_audit_fields FIRST = {1700000000000LL, "ICBC", "lead", "OpenBook",
                                        "BK-1",          0,      "",     SYND_AUDIT_GENESIS};
#define FIRST_HASH "750c81f1bc76f787eb0b23cde5237d17cf8576204f9433a1f6370b776e1a0d0e"

/* The record after it: a refusal with a UTF-8 detail of 28 bytes, linked
 * to the first:
 *
 *   { printf '\x00\x00\x00\x0d1700000000005\x00\x00\x00\x06BOC-SH'
 *     printf '\x00\x00\x00\x0bparticipant\x00\x00\x00\x09SubmitBid'
 *     printf '\x00\x00\x00\x04BK-1\x00\x00\x00\x018\x00\x00\x00\x1c'
 *     printf '%s' '单一客户 headroom 39 fen'
 *     printf '\x00\x00\x00\x40%s' "$FIRST_HASH"; } | sha256sum */
static const synd_audit_fields SECOND = {
    1700000000005LL, "BOC-SH", "participant", "SubmitBid", "BK-1", 8, "单一客户 headroom 39 fen",
    FIRST_HASH};
#define SECOND_HASH "34c54f73d171128186e731f97aecbd0dcad9dcd2b455d8702a2a2a5bb6e1812a"

/* Negative numbers and empty (NULL) texts, prev included:
 *
 *   { printf '\x00\x00\x00\x02-1'; printf '\x00\x00\x00\x00%.0s' 1 2 3 4
 *     printf '\x00\x00\x00\x0b-2147483648'; printf '\x00\x00\x00\x00%.0s' 1 2; } | sha256sum */
static const synd_audit_fields NEGATIVE = {-1, NULL, NULL, NULL, NULL, INT32_MIN, NULL, NULL};
#define NEGATIVE_HASH "7646cfe875c71e58d5060ec247ce79122888ab93fb4b8ff52c9aa4398209e331"

static void hash_ok(const synd_audit_fields *f, char hex[SYND_AUDIT_HASH_LEN])
{
    cr_assert_eq(synd_audit_hash(f, hex), 0);
    cr_assert(synd_audit_is_hash(hex), "'%s' is not a hash", hex);
}

Test(audit_hash, known_vectors)
{
    char hex[SYND_AUDIT_HASH_LEN];

    hash_ok(&FIRST, hex);
    cr_expect_str_eq(hex, FIRST_HASH);
    hash_ok(&SECOND, hex);
    cr_expect_str_eq(hex, SECOND_HASH);
    hash_ok(&NEGATIVE, hex);
    cr_expect_str_eq(hex, NEGATIVE_HASH);
}

Test(audit_hash, the_encoding_byte_for_byte)
{
    static const uint8_t want[] = "\x00\x00\x00\x0d"
                                  "1700000000000"
                                  "\x00\x00\x00\x04"
                                  "ICBC"
                                  "\x00\x00\x00\x04"
                                  "lead"
                                  "\x00\x00\x00\x08"
                                  "OpenBook"
                                  "\x00\x00\x00\x04"
                                  "BK-1"
                                  "\x00\x00\x00\x01"
                                  "0"
                                  "\x00\x00\x00\x00"
                                  "\x00\x00\x00\x40" SYND_AUDIT_GENESIS;
    uint8_t out[256];

    cr_assert_eq(synd_audit_encode(&FIRST, NULL, 0), (long long)sizeof(want) - 1);
    cr_assert_eq(synd_audit_encode(&FIRST, out, sizeof(out)), (long long)sizeof(want) - 1);
    cr_expect_eq(memcmp(out, want, sizeof(want) - 1), 0);
    /* Too small a buffer: measured, and not written past its end. */
    memset(out, 0xee, sizeof(out));
    cr_expect_eq(synd_audit_encode(&FIRST, out, 8), (long long)sizeof(want) - 1);
    cr_expect_eq(out[0], 0xee);
}

/* The lengths make the encoding unambiguous: moving bytes from one field
 * to the next, which plain concatenation could not tell apart, changes
 * the hash. */
Test(audit_hash, moving_bytes_between_fields_changes_the_hash)
{
    synd_audit_fields a = FIRST, b = FIRST;
    char ha[SYND_AUDIT_HASH_LEN], hb[SYND_AUDIT_HASH_LEN];

    /* bank "ICBC", role "lead" against bank "ICBCl", role "ead". */
    b.bank = "ICBCl";
    b.role = "ead";
    hash_ok(&a, ha);
    hash_ok(&b, hb);
    cr_expect_str_neq(ha, hb);
    /* object "BK-1", code 0 against object "BK-", code 10. */
    b = FIRST;
    b.object = "BK-";
    b.code = 10;
    hash_ok(&b, hb);
    cr_expect_str_neq(ha, hb);
}

/* Each field is covered: changing any one changes the hash. */
Test(audit_hash, every_field_is_covered)
{
    char base[SYND_AUDIT_HASH_LEN], hex[SYND_AUDIT_HASH_LEN];
    synd_audit_fields f;

    hash_ok(&SECOND, base);
    for (int i = 0; i < 8; i++) {
        f = SECOND;
        switch (i) {
        case 0:
            f.time_ms++;
            break;
        case 1:
            f.bank = "BOC-SI";
            break;
        case 2:
            f.role = "lead";
            break;
        case 3:
            f.method = "WithdrawBid";
            break;
        case 4:
            f.object = "BK-2";
            break;
        case 5:
            f.code = 0;
            break;
        case 6:
            f.detail = "单一客户 headroom 38 fen";
            break;
        case 7:
            f.prev = SYND_AUDIT_GENESIS;
            break;
        }
        hash_ok(&f, hex);
        cr_expect_str_neq(hex, base, "field %d", i);
    }
}

/* NULL and "" are the same text. */
Test(audit_hash, null_is_empty)
{
    synd_audit_fields a = {-1, "", "", "", "", INT32_MIN, "", ""};
    char hex[SYND_AUDIT_HASH_LEN];

    hash_ok(&a, hex);
    cr_expect_str_eq(hex, NEGATIVE_HASH);
}

Test(audit_hash, what_is_a_hash)
{
    cr_expect(synd_audit_is_hash(SYND_AUDIT_GENESIS));
    cr_expect(synd_audit_is_hash(FIRST_HASH));
    cr_expect_not(synd_audit_is_hash(NULL));
    cr_expect_not(synd_audit_is_hash(""));
    cr_expect_not(synd_audit_is_hash(FIRST_HASH "0"));
    cr_expect_not(
        synd_audit_is_hash("750C81F1BC76F787EB0B23CDE5237D17CF8576204F9433A1F6370B776E1A0D0E"));
    cr_expect_not(
        synd_audit_is_hash("750c81f1bc76f787eb0b23cde5237d17cf8576204f9433a1f6370b776e1a0d0g"));
}
