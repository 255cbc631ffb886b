/* libsynd: calls over one DEALER socket, with CURVE and a monitor that
 * turns handshake failures into UNAUTHENTICATED instead of a silent wait. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "rpc/envelope.h"
#include "synd/synd.h"

#define DEFAULT_TIMEOUT_MS 5000
#define CONNECT_WAIT_MS    5000 /* how long a call waits for a first connection */
#define MONITORED_EVENTS                                                                           \
    (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |                             \
     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |                  \
     ZMQ_EVENT_DISCONNECTED)

struct synd_client {
    void *zctx, *sock, *mon;
    char endpoint[256];
    uint64_t next_id;
    int connected;       /* the connection is up: its handshake succeeded */
    unsigned generation; /* counts connections made; a call spans one */
    int refused;         /* the last handshake failed */
    int refused_why;     /* the ZMQ event that said so */
};

static int set_int(void *sock, int opt, int value)
{
    return zmq_setsockopt(sock, opt, &value, sizeof(value));
}

static int configure(synd_client *c, const synd_keys *k)
{
    int64_t max = RPC_MAX_FRAME;

    if (set_int(c->sock, ZMQ_LINGER, 0) || set_int(c->sock, ZMQ_HEARTBEAT_IVL, 1000) ||
        set_int(c->sock, ZMQ_HEARTBEAT_TIMEOUT, 5000) ||
        set_int(c->sock, ZMQ_HEARTBEAT_TTL, 5000) || set_int(c->sock, ZMQ_RECONNECT_IVL, 100) ||
        set_int(c->sock, ZMQ_RECONNECT_IVL_MAX, 1000) ||
        zmq_setsockopt(c->sock, ZMQ_MAXMSGSIZE, &max, sizeof(max)))
        return -1;
    if (k == NULL)
        return 0;
    return zmq_setsockopt(c->sock, ZMQ_CURVE_SERVERKEY, k->server_public, SYND_KEY_LEN) ||
           zmq_setsockopt(c->sock, ZMQ_CURVE_PUBLICKEY, k->public_key, SYND_KEY_LEN) ||
           zmq_setsockopt(c->sock, ZMQ_CURVE_SECRETKEY, k->secret_key, SYND_KEY_LEN);
}

/* Watches the socket's handshakes on an inproc PAIR, so a refused key is
 * reported as such rather than as a timeout. */
static int start_monitor(synd_client *c)
{
    char addr[64];

    snprintf(addr, sizeof(addr), "inproc://synd-monitor-%p", (void *)c);
    if (zmq_socket_monitor(c->sock, addr, MONITORED_EVENTS) != 0)
        return -1;
    c->mon = zmq_socket(c->zctx, ZMQ_PAIR);
    if (c->mon == NULL || set_int(c->mon, ZMQ_LINGER, 0) != 0)
        return -1;
    return zmq_connect(c->mon, addr);
}

synd_client *synd_client_new(const char *endpoint, const synd_keys *keys, synd_status *st)
{
    synd_client *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    if (strlen(endpoint) >= sizeof(c->endpoint)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "endpoint is longer than %zu bytes",
                        sizeof(c->endpoint) - 1);
        free(c);
        return NULL;
    }
    strcpy(c->endpoint, endpoint);
    c->next_id = 1;
    c->zctx = zmq_ctx_new();
    c->sock = c->zctx ? zmq_socket(c->zctx, ZMQ_DEALER) : NULL;
    if (c->sock == NULL || configure(c, keys) != 0 || start_monitor(c) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "cannot set up the connection: %s",
                        zmq_strerror(zmq_errno()));
        synd_client_free(c);
        return NULL;
    }
    if (zmq_connect(c->sock, endpoint) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "cannot connect to '%s': %s", endpoint,
                        zmq_strerror(zmq_errno()));
        synd_client_free(c);
        return NULL;
    }
    return c;
}

void synd_client_free(synd_client *c)
{
    if (c == NULL)
        return;
    if (c->sock) {
        zmq_socket_monitor(c->sock, NULL, 0);
        zmq_close(c->sock);
    }
    if (c->mon)
        zmq_close(c->mon);
    if (c->zctx)
        zmq_ctx_term(c->zctx);
    free(c);
}

/* Tracks the connection: up after a handshake, down after a disconnect,
 * refused after a failed handshake. */
static void note_event(synd_client *c, uint16_t event)
{
    if (event == ZMQ_EVENT_DISCONNECTED) {
        c->connected = 0;
        return;
    }
    c->refused = event != ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
    c->refused_why = event;
    if (!c->refused) {
        c->connected = 1;
        c->generation++;
    }
}

/* Reads every waiting monitor event into the client's handshake state. */
static void drain_monitor(synd_client *c)
{
    zmq_msg_t ev, addr;

    for (;;) {
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, c->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            return;
        }
        if (zmq_msg_size(&ev) >= 2) {
            uint16_t event;
            memcpy(&event, zmq_msg_data(&ev), sizeof(event));
            note_event(c, event);
        }
        zmq_msg_init(&addr);
        if (zmq_msg_more(&ev))
            zmq_msg_recv(&addr, c->mon, 0);
        zmq_msg_close(&addr);
        zmq_msg_close(&ev);
    }
}

static synd_code refused_status(const synd_client *c, synd_status *st)
{
    if (c->refused_why == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return synd_status_set(st, SYND_UNAUTHENTICATED,
                               "broker at %s refused this key: it is not in the broker's "
                               "registry, or it was revoked",
                               c->endpoint);
    return synd_status_set(st, SYND_UNAUTHENTICATED,
                           "handshake with %s failed: check the broker's public key, and "
                           "--insecure on both sides or neither",
                           c->endpoint);
}

static synd_code timeout_status(const synd_client *c, synd_status *st)
{
    if (c->refused)
        return refused_status(c, st);
    if (!c->connected)
        return synd_status_set(st, SYND_UNAVAILABLE, "cannot reach the broker at %s", c->endpoint);
    return synd_status_set(st, SYND_DEADLINE_EXCEEDED, "no answer from %s before the deadline",
                           c->endpoint);
}

/* A call in flight: its id, deadline, and the connection it goes out on:
 * the one up when it was sent, or else the next one to come up, since the
 * DEALER queues it until then. */
typedef struct call {
    uint64_t id;
    int64_t deadline, started;
    unsigned generation;
    const volatile sig_atomic_t *stop; /* the caller's stop flag, or NULL */
} call;

/* Says whether the connection a call depends on is gone: it went out on a
 * connection that has since dropped, or no connection came up in time. A
 * call so cut off may or may not have run, so the caller is told at once
 * rather than at its deadline. */
static int call_cut_off(const synd_client *c, const call *k, synd_status *st)
{
    if (c->generation >= k->generation && (!c->connected || c->generation != k->generation)) {
        synd_status_set(st, SYND_UNAVAILABLE,
                        "lost the connection to the broker at %s; the call may or may not "
                        "have run",
                        c->endpoint);
        return 1;
    }
    if (c->generation < k->generation && rpc_now_ms() - k->started > CONNECT_WAIT_MS) {
        synd_status_set(st, SYND_UNAVAILABLE, "cannot reach the broker at %s", c->endpoint);
        return 1;
    }
    return 0;
}

/* Waits for the next frame of call k, discarding frames of other (older,
 * abandoned) calls. Returns SYND_OK with *out set, or an error status. */
static synd_code next_frame(synd_client *c, call *k, rpc_envelope **out, synd_status *st)
{
    for (;;) {
        zmq_pollitem_t items[2] = {{c->sock, 0, ZMQ_POLLIN, 0}, {c->mon, 0, ZMQ_POLLIN, 0}};
        int64_t left = k->deadline - rpc_now_ms();
        zmq_msg_t m;
        uint64_t got;
        int rc;

        if (k->stop && *k->stop)
            return synd_status_set(st, SYND_CANCELLED, "stopped by the caller");
        if (left <= 0)
            return timeout_status(c, st);
        if (left > 100)
            left = 100; /* wake to check the connection */
        if (zmq_poll(items, 2, (long)left) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            return synd_status_set(st, SYND_INTERNAL, "zmq_poll: %s", zmq_strerror(zmq_errno()));
        }
        if (items[1].revents & ZMQ_POLLIN) {
            drain_monitor(c);
            if (c->refused)
                return refused_status(c, st);
        }
        if (!(items[0].revents & ZMQ_POLLIN)) {
            if (call_cut_off(c, k, st))
                return st->code;
            continue;
        }
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            continue;
        }
        rc = rpc_envelope_decode(zmq_msg_data(&m), zmq_msg_size(&m), out, &got, st);
        zmq_msg_close(&m);
        if (rc == 0 && (*out)->call_id == k->id)
            return SYND_OK;
        rpc_envelope_free(*out);
    }
}

static int64_t deadline_of(const synd_call_opts *o)
{
    if (o && o->deadline_ms)
        return o->deadline_ms;
    return rpc_now_ms() + (o && o->timeout_ms > 0 ? o->timeout_ms : DEFAULT_TIMEOUT_MS);
}

static synd_code send_env(synd_client *c, const rpc_envelope *env, synd_status *st)
{
    uint8_t *buf;
    size_t len;
    int rc;

    if (rpc_envelope_encode(env, &buf, &len) != 0)
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
    rc = zmq_send(c->sock, buf, len, ZMQ_DONTWAIT);
    free(buf);
    if (rc != (int)len)
        return synd_status_set(st, SYND_UNAVAILABLE, "cannot queue the call to %s: %s", c->endpoint,
                               zmq_strerror(zmq_errno()));
    return SYND_OK;
}

/* Sends request as a new call and fills in k. */
static synd_code start_call(synd_client *c, const char *method, const ProtobufCMessage *req,
                            const synd_call_opts *o, call *k, synd_status *st)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    size_t n = protobuf_c_message_get_packed_size(req);
    synd_code code;

    k->started = rpc_now_ms();
    k->deadline = deadline_of(o);
    k->stop = o ? o->stop : NULL;
    drain_monitor(c);
    k->generation = c->connected ? c->generation : c->generation + 1;
    if (k->deadline <= k->started)
        return synd_status_set(st, SYND_DEADLINE_EXCEEDED, "deadline already passed; not sent");
    env.payload.data = malloc(n ? n : 1);
    if (env.payload.data == NULL)
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
    env.payload.len = protobuf_c_message_pack(req, env.payload.data);
    env.call_id = k->id = c->next_id++;
    env.method = (char *)method;
    env.deadline_ms = k->deadline;
    if (o && o->idempotency_key)
        env.idempotency_key = (char *)o->idempotency_key;
    code = send_env(c, &env, st);
    free(env.payload.data);
    return code;
}

/* Turns a final frame into the call's status. */
static synd_code final_status(const rpc_envelope *env, synd_status *st)
{
    if (env->status == NULL)
        return synd_status_set(st, SYND_INTERNAL, "broker ended the call without a status");
    return synd_status_set(st, synd_code_from_wire(env->status->code), "%s", env->status->message);
}

static ProtobufCMessage *unpack_payload(const rpc_envelope *env,
                                        const ProtobufCMessageDescriptor *type, synd_status *st)
{
    ProtobufCMessage *m =
        protobuf_c_message_unpack(type, NULL, env->payload.len, env->payload.data);
    if (m == NULL)
        synd_status_set(st, SYND_INTERNAL, "broker's reply is not a valid %s", type->name);
    return m;
}

synd_code synd_call(synd_client *c, const char *method, const ProtobufCMessage *request,
                    const ProtobufCMessageDescriptor *reply_type, ProtobufCMessage **reply,
                    const synd_call_opts *opts, synd_status *st)
{
    rpc_envelope *env;
    call k;

    *reply = NULL;
    if (start_call(c, method, request, opts, &k, st) != SYND_OK)
        return st->code;
    if (next_frame(c, &k, &env, st) != SYND_OK)
        return st->code;
    if (final_status(env, st) == SYND_OK && (*reply = unpack_payload(env, reply_type, st)) != NULL)
        st->message[0] = '\0';
    rpc_envelope_free(env);
    return st->code;
}

static void send_cancel(synd_client *c, uint64_t id)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    synd_status ignored;

    env.call_id = id;
    env.cancel = 1;
    /* Best effort: if it cannot be queued the broker still drops the
     * stream once its frames become undeliverable. */
    send_env(c, &env, &ignored);
}

synd_code synd_stream(synd_client *c, const char *method, const ProtobufCMessage *request,
                      const ProtobufCMessageDescriptor *reply_type, synd_stream_fn fn, void *arg,
                      const synd_call_opts *opts, synd_status *st)
{
    rpc_envelope *env;
    call k;

    if (start_call(c, method, request, opts, &k, st) != SYND_OK)
        return st->code;
    while (next_frame(c, &k, &env, st) == SYND_OK) {
        ProtobufCMessage *m;
        int stop;

        if (env->end_of_stream) {
            final_status(env, st);
            rpc_envelope_free(env);
            return st->code;
        }
        m = unpack_payload(env, reply_type, st);
        rpc_envelope_free(env);
        if (m == NULL)
            break;
        stop = fn(m, arg);
        protobuf_c_message_free_unpacked(m, NULL);
        if (stop) {
            send_cancel(c, k.id);
            return synd_status_set(st, SYND_CANCELLED, "cancelled by the caller");
        }
    }
    send_cancel(c, k.id);
    return st->code;
}
