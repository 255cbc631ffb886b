/* ZAP (ZeroMQ RFC 27) request handling against the registry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "rpc/zap.h"

#define ZAP_FRAMES 7

struct rpc_zap {
    void *sock;
    const registry *reg;
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

/* Decides one request: CURVE with a registered key gets 200 and a
 * User-Id; anything else gets 400. */
static void decide(rpc_zap *z, zmq_msg_t *f, const char **code, char *user_id, size_t len)
{
    registry_identity id;
    char z85[41];

    *code = "400";
    user_id[0] = '\0';
    if (!frame_is(&f[0], "1.0") || !frame_is(&f[5], "CURVE") || zmq_msg_size(&f[6]) != 32)
        return;
    if (registry_lookup(z->reg, zmq_msg_data(&f[6]), &id) != 0) {
        zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32);
        log_warn("refused handshake from %.*s: key %s is not in the registry",
                 (int)zmq_msg_size(&f[3]), (const char *)zmq_msg_data(&f[3]), z85);
        return;
    }
    *code = "200";
    snprintf(user_id, len, "%s/%s", id.bank_id, registry_role_name(id.role));
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
