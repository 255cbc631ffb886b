/* The audit trail's canonical record encoding and its SHA-256 (libsodium),
 * in one place so that the broker that writes the chain and the tools
 * that check it can never disagree on the bytes. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "synd/audit.h"

#define N_FIELDS 8
#define NUM_LEN  24 /* an int64 in decimal, with sign and NUL */

/* Where the encoding goes: bytes appended to a buffer, or fed to a hash. */
typedef struct sink {
    void (*put)(struct sink *s, const void *p, size_t n);
    uint8_t *out; /* NULL: only measure */
    size_t len;
    crypto_hash_sha256_state sha;
} sink;

static void put_buffer(sink *s, const void *p, size_t n)
{
    if (s->out != NULL)
        memcpy(s->out + s->len, p, n);
    s->len += n;
}

static void put_hash(sink *s, const void *p, size_t n)
{
    crypto_hash_sha256_update(&s->sha, p, n);
    s->len += n;
}

/* Feeds f's encoding to s: each field as its 4-byte big-endian length and
 * its bytes, in the order the header lists. Returns -1, having fed
 * nothing, if a text is too long for its length. */
static int encode(const synd_audit_fields *f, sink *s)
{
    char time_ms[NUM_LEN], code[NUM_LEN];
    const char *field[N_FIELDS] = {time_ms,   f->bank, f->role,   f->method,
                                   f->object, code,    f->detail, f->prev};
    size_t len[N_FIELDS];

    snprintf(time_ms, sizeof(time_ms), "%" PRId64, f->time_ms);
    snprintf(code, sizeof(code), "%" PRId32, f->code);
    for (int i = 0; i < N_FIELDS; i++) {
        if (field[i] == NULL)
            field[i] = "";
        if ((len[i] = strlen(field[i])) > UINT32_MAX)
            return -1;
    }
    for (int i = 0; i < N_FIELDS; i++) {
        uint8_t be[4] = {(uint8_t)(len[i] >> 24), (uint8_t)(len[i] >> 16), (uint8_t)(len[i] >> 8),
                         (uint8_t)len[i]};

        s->put(s, be, sizeof(be));
        s->put(s, field[i], len[i]);
    }
    return 0;
}

/* Measures first, so that an encoding too long for out writes nothing. */
long long synd_audit_encode(const synd_audit_fields *f, uint8_t *out, size_t cap)
{
    sink s = {.put = put_buffer};

    if (encode(f, &s) != 0)
        return -1;
    if (out != NULL && s.len <= cap) {
        s = (sink){.put = put_buffer, .out = out};
        encode(f, &s);
    }
    return (long long)s.len;
}

int synd_audit_hash(const synd_audit_fields *f, char hex[SYND_AUDIT_HASH_LEN])
{
    sink s = {.put = put_hash};
    uint8_t digest[crypto_hash_sha256_BYTES];

    /* sodium_init() picks the fastest implementation; after the first
     * call it only returns 1, and it is safe from any thread. */
    if (sodium_init() < 0 || crypto_hash_sha256_init(&s.sha) != 0 || encode(f, &s) != 0)
        return -1;
    crypto_hash_sha256_final(&s.sha, digest);
    sodium_bin2hex(hex, SYND_AUDIT_HASH_LEN, digest, sizeof(digest));
    return 0;
}

int synd_audit_is_hash(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return 0;
    for (; s[n] != '\0'; n++) {
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return 0;
    }
    return n == SYND_AUDIT_HASH_LEN - 1;
}
