/* The audit trail's hash chain: the canonical encoding of a record and its
 * SHA-256, shared by the broker (which writes each record's hash) and by
 * anyone who checks the chain (syndctl audit verify).
 *
 * Each record of the trail carries prev, the hash of the record before it
 * (SYND_AUDIT_GENESIS for the first), and hash, the SHA-256 of its
 * encoding: its fields in this fixed order, each as a 4-byte big-endian
 * length and then its bytes:
 *
 *   time_ms  decimal, '-' for a negative, no leading zeros ("1700000000000")
 *   bank     text (the caller's bank id)
 *   role     text
 *   method   text
 *   object   text
 *   code     decimal, as time_ms ("0", "7")
 *   detail   text
 *   prev     64 lowercase hex digits
 *
 * The lengths make the encoding unambiguous: no two different records
 * encode to the same bytes, whatever bytes their texts hold. A hash is
 * written as 64 lowercase hex digits. So a changed field changes the
 * record's hash, and a deleted or moved record breaks the link from its
 * successor's prev. Thread-safe. */
#ifndef SYND_AUDIT_H
#define SYND_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "synd/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A hash in hex: 64 digits and a NUL. */
#define SYND_AUDIT_HASH_LEN 65

/* The prev of the first record of a trail. */
#define SYND_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The hashed fields of one record. A NULL text counts as "". */
typedef struct synd_audit_fields {
    int64_t time_ms;
    const char *bank, *role, *method, *object;
    int32_t code;
    const char *detail;
    const char *prev;
} synd_audit_fields;

/* Writes the encoding of f to out, if it fits in cap bytes (out may be
 * NULL with cap 0, to measure). Returns the encoding's length in bytes,
 * whether or not it was written, or -1 if a text is 4 GiB or longer. */
SYND_API long long synd_audit_encode(const synd_audit_fields *f, uint8_t *out, size_t cap);

/* The hash of f: the SHA-256 of its encoding, in hex. Returns 0, or -1 if
 * f cannot be encoded or libsodium cannot start. */
SYND_API int synd_audit_hash(const synd_audit_fields *f, char hex[SYND_AUDIT_HASH_LEN]);

/* Whether s is a hash as the chain writes it: 64 lowercase hex digits. */
SYND_API int synd_audit_is_hash(const char *s);

#ifdef __cplusplus
}
#endif

#endif
