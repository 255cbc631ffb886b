/* ZAP (ZeroMQ RFC 27) request handling against the registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "rpc/envelope.h"
#include "rpc/zap.h"

#define ZAP_FRAMES     7
#define REFUSED_KEYS   16    /* refused keys whose log lines are rate-limited */
#define REFUSED_LOG_MS 10000 /* one line per refused key per 10 s */

/* A refused key, remembered so that a client that keeps reconnecting
 * with it (libzmq retries every 100 ms) logs a line per 10 s, not ten a
 * second. */
typedef struct refused_key {
    uint8_t key[32];
    int64_t logged_ms; /* 0: unused slot */
    uint64_t unlogged;
} refused_key;

struct rpc_zap {
    void *sock;
    const registry *reg;
    refused_key refused[REFUSED_KEYS];
};

rpc_zap *rpc_zap_new(void *zctx, const registry *reg, synd_status *st)
{
    rpc_zap *z = calloc(1, sizeof(*z));
    int linger = 0;

    if (z == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    z->reg = reg;
    z->sock = zmq_socket(zctx, ZMQ_REP);
    if (z->sock == NULL || zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
        zmq_bind(z->sock, "inproc://zeromq.zap.01") != 0) {
        synd_status_set(st, SYND_INTERNAL, "cannot bind ZAP handler: %s",
                        zmq_strerror(zmq_errno()));
        if (z->sock)
            zmq_close(z->sock);
        free(z);
        return NULL;
    }
    return z;
}

void rpc_zap_free(rpc_zap *z)
{
    if (z == NULL)
        return;
    zmq_close(z->sock);
    free(z);
}

void *rpc_zap_socket(rpc_zap *z)
{
    return z->sock;
}

static int frame_is(zmq_msg_t *m, const char *s)
{
    size_t n = strlen(s);
    return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

/* Whether to log the refusal of key now; *unlogged gets the number of
 * its refusals not logged since its last line. */
static int refusal_to_log(rpc_zap *z, const uint8_t key[32], int64_t now, uint64_t *unlogged)
{
    refused_key *slot = &z->refused[0];

    for (int i = 0; i < REFUSED_KEYS; i++) {
        refused_key *r = &z->refused[i];
        if (r->logged_ms != 0 && memcmp(r->key, key, 32) == 0) {
            slot = r;
            break;
        }
        if (r->logged_ms < slot->logged_ms) /* else take the oldest */
            slot = r;
    }
    if (slot->logged_ms != 0 && memcmp(slot->key, key, 32) == 0) {
        if (now - slot->logged_ms < REFUSED_LOG_MS) {
            slot->unlogged++;
            return 0;
        }
        *unlogged = slot->unlogged;
    } else {
        *unlogged = 0;
        memcpy(slot->key, key, 32);
    }
    slot->logged_ms = now;
    slot->unlogged = 0;
    return 1;
}

/* Logs a refused handshake, at most once per key per REFUSED_LOG_MS. */
static void log_refusal(rpc_zap *z, zmq_msg_t *f, const char *z85)
{
    registry_identity id;
    uint64_t unlogged;
    char more[64] = "";

    if (!refusal_to_log(z, zmq_msg_data(&f[6]), rpc_now_ms(), &unlogged))
        return;
    if (unlogged > 0)
        snprintf(more, sizeof(more), " (refused %llu more times since the last line)",
                 (unsigned long long)unlogged);
    if (registry_is_revoked(z->reg, zmq_msg_data(&f[6]), &id))
        log_warn("refused handshake from %.*s: key %s of %s/%s is revoked%s",
                 (int)zmq_msg_size(&f[3]), (const char *)zmq_msg_data(&f[3]), z85, id.bank_id,
                 registry_role_name(id.role), more);
    else
        log_warn("refused handshake from %.*s: key %s is not in the registry%s",
                 (int)zmq_msg_size(&f[3]), (const char *)zmq_msg_data(&f[3]), z85, more);
}

/* Decides one request: CURVE with a registered, unrevoked key gets 200
 * and the User-Id "bank/role/<Z85 key>" (the key lets the server ask the
 * registry again on every call); anything else gets 400. */
static void decide(rpc_zap *z, zmq_msg_t *f, const char **code, char *user_id, size_t len)
{
    registry_identity id;
    char z85[41];

    *code = "400";
    user_id[0] = '\0';
    if (!frame_is(&f[0], "1.0") || !frame_is(&f[5], "CURVE") || zmq_msg_size(&f[6]) != 32)
        return;
    zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32);
    if (registry_lookup(z->reg, zmq_msg_data(&f[6]), &id) != 0) {
        log_refusal(z, f, z85);
        return;
    }
    *code = "200";
    snprintf(user_id, len, "%s/%s/%s", id.bank_id, registry_role_name(id.role), z85);
}

/* Sends the six-frame ZAP reply. A failed send leaves the REP socket
 * mid-reply and the client's handshake unanswered, so it is logged. */
static void send_reply(rpc_zap *z, zmq_msg_t *request_id, const char *code, const char *user_id)
{
    int ok = code[0] == '2';
    const char *text = ok ? "OK" : "key not registered";
    const void *rid = request_id ? zmq_msg_data(request_id) : "";
    size_t rid_len = request_id ? zmq_msg_size(request_id) : 0;

    if (zmq_send(z->sock, "1.0", 3, ZMQ_SNDMORE) < 0 ||
        zmq_send(z->sock, rid, rid_len, ZMQ_SNDMORE) < 0 ||
        zmq_send(z->sock, code, 3, ZMQ_SNDMORE) < 0 ||
        zmq_send(z->sock, text, strlen(text), ZMQ_SNDMORE) < 0 ||
        zmq_send(z->sock, user_id, strlen(user_id), ZMQ_SNDMORE) < 0 ||
        zmq_send(z->sock, "", 0, 0) < 0)
        log_error("cannot send ZAP reply: %s", zmq_strerror(zmq_errno()));
}

/* Reads one request (up to ZAP_FRAMES frames, extra ones drained) and
 * sends the reply. A REP socket must answer every request it reads. */
static int handle_one(rpc_zap *z)
{
    zmq_msg_t f[ZAP_FRAMES];
    int n = 0, more = 1, malformed = 0;
    const char *code = "400";
    char user_id[128] = "";

    for (int i = 0; i < ZAP_FRAMES; i++)
        zmq_msg_init(&f[i]);
    if (zmq_msg_recv(&f[0], z->sock, ZMQ_DONTWAIT) < 0)
        goto out;
    for (n = 1, more = zmq_msg_more(&f[0]); more && n < ZAP_FRAMES; n++) {
        more = zmq_msg_recv(&f[n], z->sock, 0) >= 0 && zmq_msg_more(&f[n]);
    }
    while (more) {
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        more = zmq_msg_recv(&extra, z->sock, 0) >= 0 && zmq_msg_more(&extra);
        zmq_msg_close(&extra);
        malformed = 1;
    }
    if (n == ZAP_FRAMES && !malformed)
        decide(z, f, &code, user_id, sizeof(user_id));
    send_reply(z, n > 1 ? &f[1] : NULL, code, user_id);
out:
    for (int i = 0; i < ZAP_FRAMES; i++)
        zmq_msg_close(&f[i]);
    return n > 0 ? 0 : -1;
}

void rpc_zap_on_readable(rpc_zap *z)
{
    while (handle_one(z) == 0)
        ;
}
