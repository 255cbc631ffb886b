/* Envelope encoding and defensive decoding. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc/envelope.h"
#include "rpc/validate.h"

#define PEEK_FIELDS 4 /* fields rpc_envelope_peek_call_id() looks at */

/* Method names are ASCII identifiers, dots and slashes. Restricting the
 * alphabet keeps logs clean and rules out NUL tricks and bad UTF-8. */
static int method_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '/';
}

int rpc_method_split(const char *full, char *service, size_t service_len, char *method,
                     size_t method_len)
{
    const char *slash;
    size_t slen, mlen;

    if (full == NULL || full[0] != '/')
        return -1;
    slash = strchr(full + 1, '/');
    if (slash == NULL || strchr(slash + 1, '/') != NULL)
        return -1;
    slen = (size_t)(slash - (full + 1));
    mlen = strlen(slash + 1);
    if (slen == 0 || mlen == 0 || slen >= service_len || mlen >= method_len)
        return -1;
    memcpy(service, full + 1, slen);
    service[slen] = '\0';
    memcpy(method, slash + 1, mlen + 1);
    return 0;
}

int rpc_envelope_check_request(const rpc_envelope *env, synd_status *st)
{
    char svc[RPC_MAX_METHOD], meth[RPC_MAX_METHOD];
    const char *m = env->method;

    if (m == NULL || m[0] == '\0') {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "envelope has no method name");
        return -1;
    }
    for (const char *p = m; *p; p++) {
        if (!method_char_ok(*p)) {
            synd_status_set(st, SYND_INVALID_ARGUMENT,
                            "method name has a character outside [A-Za-z0-9_./]");
            return -1;
        }
    }
    if (rpc_method_split(m, svc, sizeof(svc), meth, sizeof(meth)) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "method name '%s' is not of the form /package.Service/Method", m);
        return -1;
    }
    return 0;
}

/* protobuf-c stores a string as a NUL-terminated copy, so an embedded NUL
 * shows as a length mismatch only in the raw bytes; bounding the visible
 * length is what we can check here. */
static int check_lengths(const rpc_envelope *env, synd_status *st)
{
    if (env->method && strlen(env->method) > RPC_MAX_METHOD) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "method name longer than %d bytes",
                        RPC_MAX_METHOD);
        return -1;
    }
    if (env->idempotency_key && strlen(env->idempotency_key) > RPC_MAX_IDEM_KEY) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "idempotency key longer than %d bytes",
                        RPC_MAX_IDEM_KEY);
        return -1;
    }
    if (env->n_metadata > RPC_MAX_METADATA) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%zu metadata entries; at most %d allowed",
                        env->n_metadata, RPC_MAX_METADATA);
        return -1;
    }
    for (size_t i = 0; i < env->n_metadata; i++) {
        const Synd__V1__MetadataEntry *e = env->metadata[i];
        if (strlen(e->key) > RPC_MAX_META_KEY || strlen(e->value) > RPC_MAX_META_VALUE) {
            synd_status_set(st, SYND_INVALID_ARGUMENT,
                            "metadata entry %zu exceeds %d-byte key or %d-byte value", i,
                            RPC_MAX_META_KEY, RPC_MAX_META_VALUE);
            return -1;
        }
    }
    return 0;
}

int rpc_envelope_decode(const uint8_t *data, size_t len, rpc_envelope **out, uint64_t *call_id,
                        synd_status *st)
{
    rpc_envelope *env;
    int exhausted;

    *out = NULL;
    *call_id = 0;
    if (len > RPC_MAX_FRAME) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "frame of %zu bytes exceeds the %d-byte limit",
                        len, RPC_MAX_FRAME);
        return -1;
    }
    env = (rpc_envelope *)validate_unpack(&synd__v1__envelope__descriptor, data, len,
                                          RPC_ENVELOPE_BUDGET, &exhausted);
    if (env == NULL && exhausted) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "frame of %zu bytes would take more than %d bytes to decode", len,
                        RPC_ENVELOPE_BUDGET);
        return -1;
    }
    if (env == NULL) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "frame of %zu bytes is not a valid synd.v1.Envelope", len);
        return -1;
    }
    *call_id = env->call_id;
    if (check_lengths(env, st) != 0) {
        rpc_envelope_free(env);
        return -1;
    }
    *out = env;
    return 0;
}

/* Reads one varint of at most ten bytes; returns the bytes it took, or 0. */
static size_t peek_varint(const uint8_t *p, size_t len, uint64_t *out)
{
    uint64_t v = 0;

    for (size_t i = 0; i < len && i < 10; i++) {
        v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if ((p[i] & 0x80) == 0) {
            *out = v;
            return i + 1;
        }
    }
    return 0;
}

uint64_t rpc_envelope_peek_call_id(const uint8_t *data, size_t len)
{
    size_t at = 0, n;
    uint64_t tag, v;

    for (int field = 0; field < PEEK_FIELDS && at < len; field++) {
        if ((n = peek_varint(data + at, len - at, &tag)) == 0)
            return 0;
        at += n;
        switch (tag & 7) {
        case 0:
            if ((n = peek_varint(data + at, len - at, &v)) == 0)
                return 0;
            if (tag >> 3 == 1)
                return v;
            at += n;
            break;
        case 1:
            at += 8;
            break;
        case 5:
            at += 4;
            break;
        case 2:
            if ((n = peek_varint(data + at, len - at, &v)) == 0 || v > len - at - n)
                return 0;
            at += n + (size_t)v;
            break;
        default:
            return 0;
        }
    }
    return 0;
}

int rpc_envelope_encode(const rpc_envelope *env, uint8_t **buf, size_t *len)
{
    size_t n = synd__v1__envelope__get_packed_size(env);
    uint8_t *b = malloc(n ? n : 1);

    if (b == NULL)
        return -1;
    *len = synd__v1__envelope__pack(env, b);
    *buf = b;
    return 0;
}

void rpc_envelope_free(rpc_envelope *env)
{
    if (env != NULL)
        synd__v1__envelope__free_unpacked(env, NULL);
}

int64_t rpc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
