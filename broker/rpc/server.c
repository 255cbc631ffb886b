/* The RPC server: framing, dispatch, deadlines and streams. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "rpc/authz.h"
#include "rpc/envelope.h"
#include "rpc/server.h"
#include "rpc/validate.h"

#define MAX_SERVICES 16
#define MAX_PEER_ID  255

/* The method an audit record names for a frame refused before it named a
 * method of its own (it did not decode, or its method name is malformed). */
#define FRAME_METHOD "(frame)"

typedef enum call_state {
    CALL_OPEN,     /* the handler owns it and will answer */
    CALL_ANSWERED, /* expired: a status went out, the handler's answer will not */
    CALL_BROKEN    /* a stream whose peer cannot take frames: reap it */
} call_state;

struct rpc_call {
    rpc_server *server;
    rpc_call *prev, *next;
    uint8_t peer[MAX_PEER_ID];
    size_t peer_len;
    uint64_t id;
    int64_t deadline_ms;
    int streaming;
    call_state state;
    registry_identity identity;
    char *idem_key;
    char method[RPC_MAX_METHOD + 1];
    ProtobufCMessage *input;
    quota_bank *quota; /* a stream's bank, whose open-stream quota it holds */
    void (*on_cancel)(rpc_call *c, void *arg);
    void *on_cancel_arg;
};

struct rpc_server {
    void *sock;
    int insecure;
    ProtobufCService *services[MAX_SERVICES];
    size_t n_services;
    rpc_call *calls; /* every call a handler still holds, unary or stream */
    rpc_stats stats;
    rpc_observer_fn observer;
    void *observer_arg;
    int64_t max_frame; /* larger frames are refused with a status */
    quota *quotas;
    const registry *reg; /* asked on every call; NULL: no keys to check */
};

/* protoc-c 1.4 ignores `stream` in the schema, so the server-streaming
 * methods are named here, once, as "package.Service/Method". */
static const char *const streaming_methods[] = {
    "synd.v1.Health/Watch",
    "synd.v1.Syndication/WatchBooks",
    "synd.v1.Supervision/WatchSupervision",
    NULL,
};

int rpc_method_is_streaming(const ProtobufCServiceDescriptor *d, unsigned m)
{
    size_t n = strlen(d->name);

    for (const char *const *p = streaming_methods; *p; p++) {
        if (strncmp(*p, d->name, n) == 0 && (*p)[n] == '/' &&
            strcmp(*p + n + 1, d->methods[m].name) == 0)
            return 1;
    }
    return 0;
}

/* --- sending ------------------------------------------------------------ */

static void log_peer_failure(const uint8_t *peer, size_t peer_len, uint64_t call_id, int err)
{
    char hex[2 * 16 + 1] = "";
    size_t n = peer_len < 16 ? peer_len : 16;

    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", peer[i]);
    log_warn("undeliverable reply: peer %s call %llu: %s", hex, (unsigned long long)call_id,
             err == EHOSTUNREACH ? "peer is gone" : "peer's queue is full");
}

/* Sends one envelope to peer without blocking. With ROUTER_MANDATORY a
 * vanished peer gives EHOSTUNREACH and a full queue EAGAIN; both are
 * counted and logged rather than lost in silence. */
static int send_envelope(rpc_server *s, const uint8_t *peer, size_t peer_len,
                         const rpc_envelope *env)
{
    uint8_t *buf;
    size_t len;
    int rc = -1;

    if (rpc_envelope_encode(env, &buf, &len) != 0) {
        log_error("out of memory encoding reply to call %llu", (unsigned long long)env->call_id);
        s->stats.undeliverable++;
        return -1;
    }
    if (s->sock == NULL) /* fuzzing: frames are encoded, then dropped */
        rc = 0;
    else if (zmq_send(s->sock, peer, peer_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) == (int)peer_len &&
             zmq_send(s->sock, buf, len, ZMQ_DONTWAIT) == (int)len)
        rc = 0;
    else {
        s->stats.undeliverable++;
        log_peer_failure(peer, peer_len, env->call_id, zmq_errno());
    }
    free(buf);
    return rc;
}

/* Sends a final status with no payload to (peer, call_id). */
static void send_status(rpc_server *s, const uint8_t *peer, size_t peer_len, uint64_t call_id,
                        synd_code code, const char *message)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    Synd__V1__Status status = SYND__V1__STATUS__INIT;

    status.code = code;
    status.message = (char *)message;
    env.call_id = call_id;
    env.status = &status;
    env.end_of_stream = 1;
    send_envelope(s, peer, peer_len, &env);
}

/* --- call lifetime ------------------------------------------------------ */

static void call_unlink(rpc_call *c)
{
    rpc_server *s = c->server;

    if (c->prev)
        c->prev->next = c->next;
    else
        s->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->streaming) {
        s->stats.open_streams--;
        quota_stream_close(c->quota);
    }
}

static void call_free(rpc_call *c)
{
    call_unlink(c);
    if (c->input)
        protobuf_c_message_free_unpacked(c->input, NULL);
    free(c->idem_key);
    free(c);
}

/* Ends a stream the handler did not end: runs its hook, then frees it. */
static void call_cancel(rpc_call *c)
{
    if (c->on_cancel)
        c->on_cancel(c, c->on_cancel_arg);
    call_free(c);
}

/* Tells the observer (the audit trail) how a call ended. */
static void observe(rpc_call *c, synd_code code, const char *message)
{
    if (c->server->observer)
        c->server->observer(c->server->observer_arg, c, code, message);
}

void rpc_server_set_observer(rpc_server *s, rpc_observer_fn fn, void *arg)
{
    s->observer = fn;
    s->observer_arg = arg;
}

/* Ends a request that never reached a handler, so has no call: the
 * observer (the audit trail) is told, as for any call, with the caller's
 * identity from its key and the method if the frame named one, then the
 * status goes out. */
static void refuse(rpc_server *s, const uint8_t *peer, size_t peer_len, uint64_t call_id,
                   const registry_identity *id, const char *method, synd_code code,
                   const char *message)
{
    rpc_call c;

    memset(&c, 0, sizeof(c));
    c.server = s;
    memcpy(c.peer, peer, peer_len);
    c.peer_len = peer_len;
    c.id = call_id;
    c.identity = *id;
    snprintf(c.method, sizeof(c.method), "%s", method);
    observe(&c, code, message);
    send_status(s, peer, peer_len, call_id, code, message);
}

const char *rpc_call_method(const rpc_call *c)
{
    return c->method;
}

const ProtobufCMessage *rpc_call_input(const rpc_call *c)
{
    return c->input;
}

const registry_identity *rpc_call_identity(const rpc_call *c)
{
    return &c->identity;
}

const char *rpc_call_idempotency_key(const rpc_call *c)
{
    return c->idem_key ? c->idem_key : "";
}

void rpc_call_on_cancel(rpc_call *c, void (*hook)(rpc_call *c, void *arg), void *arg)
{
    c->on_cancel = hook;
    c->on_cancel_arg = arg;
}

int rpc_call_reply(rpc_call *c, const ProtobufCMessage *msg)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    Synd__V1__Status ok = SYND__V1__STATUS__INIT;
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *payload;
    int rc = -1;

    if (c->state != CALL_OPEN) {
        if (!c->streaming) {
            observe(c, SYND_OK, "");
            call_free(c);
        }
        return -1;
    }
    payload = malloc(n ? n : 1);
    if (payload == NULL) {
        rpc_call_finish(c, SYND_RESOURCE_EXHAUSTED, "broker out of memory encoding reply");
        return -1;
    }
    env.call_id = c->id;
    env.payload.data = payload;
    env.payload.len = protobuf_c_message_pack(msg, payload);
    if (!c->streaming) {
        env.status = &ok;
        env.end_of_stream = 1;
        /* Before the answer leaves: what the observer records (the audit
         * trail) is then stamped and queued before the caller sees it. */
        observe(c, SYND_OK, "");
    }
    rc = send_envelope(c->server, c->peer, c->peer_len, &env);
    free(payload);
    if (!c->streaming)
        call_free(c);
    else if (rc != 0)
        c->state = CALL_BROKEN;
    return rc;
}

void rpc_call_finish(rpc_call *c, synd_code code, const char *fmt, ...)
{
    char message[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    observe(c, code, message); /* before the status leaves, as in rpc_call_reply() */
    if (c->state == CALL_OPEN)
        send_status(c->server, c->peer, c->peer_len, c->id, code, message);
    call_free(c);
}

/* The closure handed to handlers as protoc-c's generated closure type:
 * a message answers (or streams a frame); NULL means the handler failed
 * without saying why, which is a bug on our side and reported as one. */
static void call_closure(const ProtobufCMessage *msg, void *data)
{
    rpc_call *c = data;

    if (msg != NULL) {
        rpc_call_reply(c, msg);
        return;
    }
    log_error("%s handler ended call %llu without a status", c->method, (unsigned long long)c->id);
    rpc_call_finish(c, SYND_INTERNAL, "%s failed without a status", c->method);
}

/* --- dispatch ----------------------------------------------------------- */

/* Finds the service and method index a full method name refers to, by the
 * names in each service's ProtobufCServiceDescriptor. */
static ProtobufCService *find_method(rpc_server *s, const char *full, unsigned *index)
{
    char svc[RPC_MAX_METHOD], meth[RPC_MAX_METHOD];

    if (rpc_method_split(full, svc, sizeof(svc), meth, sizeof(meth)) != 0)
        return NULL;
    for (size_t i = 0; i < s->n_services; i++) {
        const ProtobufCServiceDescriptor *d = s->services[i]->descriptor;
        const ProtobufCMethodDescriptor *m;

        if (strcmp(d->name, svc) != 0)
            continue;
        m = protobuf_c_service_descriptor_get_method_by_name(d, meth);
        if (m == NULL)
            return NULL;
        *index = (unsigned)(m - d->methods);
        return s->services[i];
    }
    return NULL;
}

/* Reads "bank/role/<Z85 key>" from a ZAP User-Id; the key may be left
 * off where no registry is asked (the fuzzer). Insecure peers are
 * anonymous. */
static int parse_user_id(const char *user_id, registry_identity *id)
{
    const char *slash, *role, *key;
    char role_name[16];
    size_t n, role_len;

    memset(id, 0, sizeof(*id));
    if (user_id == NULL || user_id[0] == '\0')
        return 0;
    slash = strchr(user_id, '/');
    if (slash == NULL)
        return -1;
    n = (size_t)(slash - user_id);
    role = slash + 1;
    key = strchr(role, '/');
    role_len = key ? (size_t)(key - role) : strlen(role);
    if (n == 0 || n >= sizeof(id->bank_id) || role_len >= sizeof(role_name))
        return -1;
    memcpy(role_name, role, role_len);
    role_name[role_len] = '\0';
    if (registry_role_parse(role_name, &id->role) != 0)
        return -1;
    if (key != NULL) {
        if (strlen(key + 1) != 40 || zmq_z85_decode(id->key, key + 1) == NULL)
            return -1;
        id->has_key = 1;
    }
    memcpy(id->bank_id, user_id, n);
    return 0;
}

/* Whether the registry still admits the caller. ZAP admitted the key at
 * the handshake, but the key may have been revoked since. */
static int admitted(const rpc_server *s, const registry_identity *id)
{
    return s->reg == NULL || registry_admits(s->reg, id);
}

void rpc_server_set_registry(rpc_server *s, const registry *reg)
{
    s->reg = reg;
}

size_t rpc_server_end_revoked(rpc_server *s)
{
    rpc_call *c = s->calls, *n;
    size_t ended = 0;

    for (; c; c = n) {
        n = c->next;
        if (!c->streaming || admitted(s, &c->identity))
            continue;
        log_info("ending %s stream %llu of %s/%s: its key was revoked", c->method,
                 (unsigned long long)c->id, c->identity.bank_id,
                 registry_role_name(c->identity.role));
        observe(c, SYND_UNAUTHENTICATED, "key revoked");
        if (c->state == CALL_OPEN)
            send_status(s, c->peer, c->peer_len, c->id, SYND_UNAUTHENTICATED,
                        "key revoked: the registry no longer admits this key");
        call_cancel(c);
        ended++;
    }
    return ended;
}

static rpc_call *call_new(rpc_server *s, const uint8_t *peer, size_t peer_len,
                          const rpc_envelope *env, const registry_identity *id)
{
    rpc_call *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    if (env->idempotency_key[0] != '\0' && (c->idem_key = strdup(env->idempotency_key)) == NULL) {
        free(c);
        return NULL;
    }
    c->server = s;
    memcpy(c->peer, peer, peer_len);
    c->peer_len = peer_len;
    c->id = env->call_id;
    c->deadline_ms = env->deadline_ms;
    c->identity = *id;
    snprintf(c->method, sizeof(c->method), "%s", env->method);
    c->next = s->calls;
    if (s->calls)
        s->calls->prev = c;
    s->calls = c;
    return c;
}

/* Cancels the open stream (peer, call_id), if there is one. */
static void cancel_call(rpc_server *s, const uint8_t *peer, size_t peer_len, uint64_t call_id)
{
    for (rpc_call *c = s->calls; c; c = c->next) {
        if (c->id == call_id && c->peer_len == peer_len && c->streaming &&
            memcmp(c->peer, peer, peer_len) == 0) {
            log_debug("call %llu (%s) cancelled by client", (unsigned long long)call_id, c->method);
            call_cancel(c);
            return;
        }
    }
}

/* Runs a decoded, checked request: finds the method, validates and
 * decodes its payload, asks the authorization matrix whether the caller's
 * role may call it and, for a stream, the bank's open-stream quota, then
 * invokes the handler through the service's generated invoke. */
static void dispatch(rpc_server *s, const uint8_t *peer, size_t peer_len, const rpc_envelope *env,
                     const registry_identity *id, quota_bank *qb)
{
    unsigned m;
    ProtobufCService *svc = find_method(s, env->method, &m);
    const ProtobufCMethodDescriptor *md;
    ProtobufCMessage *input;
    synd_status st;
    rpc_call *c;

    if (svc == NULL) {
        char why[RPC_MAX_METHOD + 64];
        snprintf(why, sizeof(why), "method %s is not implemented", env->method);
        refuse(s, peer, peer_len, env->call_id, id, env->method, SYND_UNIMPLEMENTED, why);
        return;
    }
    md = &svc->descriptor->methods[m];
    if (validate_decode(md->input, env->payload.data, env->payload.len, VALIDATE_DECODE_BUDGET,
                        &input, &st) != SYND_OK) {
        s->stats.bad_frames++;
        refuse(s, peer, peer_len, env->call_id, id, env->method, st.code, st.message);
        return;
    }
    c = call_new(s, peer, peer_len, env, id);
    if (c == NULL) {
        protobuf_c_message_free_unpacked(input, NULL);
        refuse(s, peer, peer_len, env->call_id, id, env->method, SYND_RESOURCE_EXHAUSTED,
               "broker out of memory");
        return;
    }
    c->input = input;
    /* Refused here, the call is ended as a unary one: a status, no frames. */
    if (authz_check(env->method, id, &st) != SYND_OK ||
        (rpc_method_is_streaming(svc->descriptor, m) &&
         quota_stream_open(s->quotas, qb, &st) != SYND_OK)) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if (rpc_method_is_streaming(svc->descriptor, m)) {
        c->streaming = 1;
        c->quota = qb;
        s->stats.open_streams++;
    }
    s->stats.calls++;
    svc->invoke(svc, m, input, call_closure, c);
}

/* The method an envelope names, if its name is well formed. */
static const char *method_of(const rpc_envelope *env)
{
    synd_status st;

    return rpc_envelope_check_request(env, &st) == 0 ? env->method : FRAME_METHOD;
}

/* Charges one request to the caller's bank. Over its rate it is refused
 * with RESOURCE_EXHAUSTED; the first refusal of a run, then one a second,
 * is told to the observer with the count of those that were not, so that
 * a flood does not become a flood of audit records. Returns 1 if the
 * request may go on. */
static int admit(rpc_server *s, const uint8_t *peer, size_t peer_len, uint64_t call_id,
                 const registry_identity *id, const char *method, quota_bank *qb, int64_t now)
{
    char message[sizeof(((synd_status *)0)->message) + 64];
    uint64_t unrecorded;
    synd_status st;

    if (quota_take(s->quotas, qb, now, &st) == SYND_OK)
        return 1;
    if (!quota_notice_due(qb, now, &unrecorded)) {
        send_status(s, peer, peer_len, call_id, st.code, st.message);
        return 0;
    }
    if (unrecorded > 0)
        snprintf(message, sizeof(message), "%s; %llu more refused since the last record",
                 st.message, (unsigned long long)unrecorded);
    else
        snprintf(message, sizeof(message), "%s", st.message);
    refuse(s, peer, peer_len, call_id, id, method, st.code, message);
    return 0;
}

void rpc_server_process(rpc_server *s, const uint8_t *peer, size_t peer_len, const char *user_id,
                        const uint8_t *data, size_t len)
{
    static const registry_identity nobody;
    int64_t now = quota_now_ms();
    rpc_envelope *env;
    uint64_t call_id;
    registry_identity id;
    synd_status st;
    quota_bank *qb;

    if (peer_len == 0 || peer_len > MAX_PEER_ID)
        return;
    if (parse_user_id(user_id, &id) != 0) {
        log_error("peer has a malformed ZAP User-Id '%s'", user_id);
        refuse(s, peer, peer_len, rpc_envelope_peek_call_id(data, len), &nobody, FRAME_METHOD,
               SYND_UNAUTHENTICATED, "connection has no valid identity");
        return;
    }
    if ((qb = quota_bank_of(s->quotas, id.bank_id, now)) == NULL) {
        send_status(s, peer, peer_len, rpc_envelope_peek_call_id(data, len),
                    SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return;
    }
    /* Frames up to twice the limit reach us (ZMQ_MAXMSGSIZE cuts the
     * connection above that), so that the peer gets a status. */
    if (len > (size_t)s->max_frame) {
        char why[128];
        s->stats.bad_frames++;
        call_id = rpc_envelope_peek_call_id(data, len);
        snprintf(why, sizeof(why),
                 "frame of %zu bytes exceeds the %lld-byte limit (rule: frame size)", len,
                 (long long)s->max_frame);
        if (admit(s, peer, peer_len, call_id, &id, FRAME_METHOD, qb, now))
            refuse(s, peer, peer_len, call_id, &id, FRAME_METHOD, SYND_INVALID_ARGUMENT, why);
        return;
    }
    if (rpc_envelope_decode(data, len, &env, &call_id, &st) != 0) {
        s->stats.bad_frames++;
        if (admit(s, peer, peer_len, call_id, &id, FRAME_METHOD, qb, now))
            refuse(s, peer, peer_len, call_id, &id, FRAME_METHOD, st.code, st.message);
        return;
    }
    if (env->cancel) {
        cancel_call(s, peer, peer_len, env->call_id);
    } else if (!admit(s, peer, peer_len, env->call_id, &id, method_of(env), qb, now)) {
        /* over the rate quota: answered */
    } else if (validate_wire(&synd__v1__envelope__descriptor, data, len, &st) != SYND_OK ||
               rpc_envelope_check_request(env, &st) != 0) {
        s->stats.bad_frames++;
        refuse(s, peer, peer_len, env->call_id, &id, method_of(env), st.code, st.message);
    } else if (env->deadline_ms != 0 && env->deadline_ms <= rpc_now_ms()) {
        s->stats.deadline_exceeded++;
        refuse(s, peer, peer_len, env->call_id, &id, env->method, SYND_DEADLINE_EXCEEDED,
               "deadline passed before the broker received the call; not run");
    } else if (!admitted(s, &id)) {
        log_warn("refused %s from %s/%s: key revoked", env->method,
                 id.bank_id[0] ? id.bank_id : "anonymous", registry_role_name(id.role));
        refuse(s, peer, peer_len, env->call_id, &id, env->method, SYND_UNAUTHENTICATED,
               "key revoked: the registry no longer admits this key");
    } else {
        dispatch(s, peer, peer_len, env, &id, qb);
    }
    rpc_envelope_free(env);
}

/* --- socket ------------------------------------------------------------- */

/* Reads one ROUTER message: a routing id and exactly one payload frame.
 * Extra frames make the message malformed; they are drained, not kept. */
static int read_message(rpc_server *s)
{
    zmq_msg_t id, body;
    int more, rc = 0;

    zmq_msg_init(&id);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&id, s->sock, ZMQ_DONTWAIT) < 0) {
        rc = -1;
        goto out;
    }
    if (!zmq_msg_more(&id) || zmq_msg_recv(&body, s->sock, 0) < 0)
        goto out;
    more = zmq_msg_more(&body);
    if (!more)
        rpc_server_process(s, zmq_msg_data(&id), zmq_msg_size(&id),
                           s->insecure ? NULL : zmq_msg_gets(&body, "User-Id"), zmq_msg_data(&body),
                           zmq_msg_size(&body));
    else
        s->stats.bad_frames++;
    while (more) {
        zmq_msg_close(&body);
        zmq_msg_init(&body);
        more = zmq_msg_recv(&body, s->sock, 0) >= 0 && zmq_msg_more(&body);
    }
out:
    zmq_msg_close(&id);
    zmq_msg_close(&body);
    return rc;
}

void rpc_server_on_readable(rpc_server *s)
{
    /* Bounded so that a flood on the socket cannot starve Redis. */
    for (int i = 0; i < 256; i++) {
        if (read_message(s) != 0)
            break;
    }
}

int64_t rpc_server_tick(rpc_server *s, int64_t now_ms)
{
    int64_t next = -1;
    rpc_call *c = s->calls, *n;

    for (; c; c = n) {
        n = c->next;
        if (c->state == CALL_BROKEN) {
            call_cancel(c);
        } else if (c->state == CALL_OPEN && c->deadline_ms != 0 && c->deadline_ms <= now_ms) {
            s->stats.deadline_exceeded++;
            send_status(s, c->peer, c->peer_len, c->id, SYND_DEADLINE_EXCEEDED,
                        "deadline passed before the call completed");
            if (c->streaming)
                call_cancel(c);
            else
                c->state = CALL_ANSWERED;
        } else if (c->state == CALL_OPEN && c->deadline_ms != 0 &&
                   (next < 0 || c->deadline_ms - now_ms < next)) {
            next = c->deadline_ms - now_ms;
        }
    }
    return next;
}

static int set_int(void *sock, int opt, int value)
{
    return zmq_setsockopt(sock, opt, &value, sizeof(value));
}

/* The largest frame a request may be. */
static int64_t frame_limit(const rpc_server_opts *o)
{
    return o->max_msg_size > 0 ? o->max_msg_size : RPC_MAX_FRAME;
}

/* ROUTER_MANDATORY makes undeliverable replies visible; MAXMSGSIZE stops
 * a peer from making us buffer an arbitrarily large frame: it is twice
 * the frame limit, so that a frame somewhat over the limit still gets a
 * status, and only one far over it costs the peer its connection;
 * heartbeats find dead peers (TTL counts in whole deciseconds). */
static int configure_socket(void *sock, const rpc_server_opts *o)
{
    int64_t max = 2 * frame_limit(o);

    if (set_int(sock, ZMQ_ROUTER_MANDATORY, 1) || set_int(sock, ZMQ_LINGER, 0) ||
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof(max)) ||
        set_int(sock, ZMQ_HEARTBEAT_IVL, 1000) || set_int(sock, ZMQ_HEARTBEAT_TIMEOUT, 5000) ||
        set_int(sock, ZMQ_HEARTBEAT_TTL, 5000) || set_int(sock, ZMQ_SNDHWM, 10000) ||
        set_int(sock, ZMQ_RCVHWM, 10000))
        return -1;
    if (o->insecure)
        return 0;
    return set_int(sock, ZMQ_CURVE_SERVER, 1) ||
           zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, o->secret_key, 40) ||
           zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "synd", 4);
}

rpc_server *rpc_server_new(void *zctx, const rpc_server_opts *opts, synd_status *st)
{
    rpc_server *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    s->insecure = opts->insecure;
    s->max_frame = frame_limit(opts);
    if ((s->quotas = quota_new(&opts->quotas)) == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        free(s);
        return NULL;
    }
    if (zctx == NULL) /* the fuzzer drives rpc_server_process() alone */
        return s;
    s->sock = zmq_socket(zctx, ZMQ_ROUTER);
    if (s->sock == NULL || configure_socket(s->sock, opts) != 0) {
        synd_status_set(st, SYND_INTERNAL, "cannot set up ROUTER socket: %s",
                        zmq_strerror(zmq_errno()));
        goto fail;
    }
    if (zmq_bind(s->sock, opts->bind) != 0) {
        synd_status_set(st, SYND_UNAVAILABLE, "cannot bind %s: %s", opts->bind,
                        zmq_strerror(zmq_errno()));
        goto fail;
    }
    return s;
fail:
    if (s->sock)
        zmq_close(s->sock);
    quota_free(s->quotas);
    free(s);
    return NULL;
}

void rpc_server_free(rpc_server *s)
{
    if (s == NULL)
        return;
    while (s->calls)
        call_cancel(s->calls);
    if (s->sock)
        zmq_close(s->sock);
    quota_free(s->quotas);
    free(s);
}

int rpc_server_add_service(rpc_server *s, ProtobufCService *svc)
{
    if (s->n_services == MAX_SERVICES)
        return -1;
    s->services[s->n_services++] = svc;
    return 0;
}

size_t rpc_server_service_count(const rpc_server *s)
{
    return s->n_services;
}

const ProtobufCServiceDescriptor *rpc_server_service(const rpc_server *s, size_t i)
{
    return s->services[i]->descriptor;
}

void *rpc_server_socket(rpc_server *s)
{
    return s->sock;
}

void rpc_server_stats(const rpc_server *s, rpc_stats *out)
{
    *out = s->stats;
}
