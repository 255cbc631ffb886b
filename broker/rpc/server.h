/* The RPC server: one ROUTER socket, gRPC semantics over ZeroMQ.
 *
 * Frames arrive as one-part messages from DEALER peers. Each is charged
 * to the caller's bank's rate quota, decoded, checked (size, deadline,
 * method, payload: see rpc/validate.h), authorized by the matrix of
 * rpc/authz.h and dispatched through the ProtobufCServiceDescriptor of a
 * registered service. Handlers receive the
 * rpc_call as closure_data and answer through the generated closure, at
 * once or later (after a Redis reply). Single-threaded: every function
 * here runs on the broker's poll loop. */
#ifndef SYND_RPC_SERVER_H
#define SYND_RPC_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "registry.h"
#include "rpc/quota.h"
#include "synd/status.h"

typedef struct rpc_server rpc_server;
typedef struct rpc_call rpc_call;

typedef struct rpc_server_opts {
    const char *bind;       /* "tcp://127.0.0.1:7700" */
    const char *secret_key; /* Z85 server secret key; NULL with insecure */
    int insecure;           /* plain ZMTP, no identities */
    int64_t max_msg_size;   /* largest frame served (0: RPC_MAX_FRAME); twice it cuts the peer */
    quota_opts quotas;      /* each bank's rate and stream quotas; zeros: none */
} rpc_server_opts;

/* Counters, for GetStats and the logs. */
typedef struct rpc_stats {
    uint64_t calls;
    uint64_t bad_frames;
    uint64_t undeliverable;
    uint64_t open_streams;
    uint64_t deadline_exceeded;
} rpc_stats;

/* Creates the ROUTER socket in zctx and binds it. The ZAP handler must be
 * bound first, unless insecure. Returns NULL with the reason in st. */
rpc_server *rpc_server_new(void *zctx, const rpc_server_opts *opts, synd_status *st);

/* Ends every open call (streams get CANCELLED hooks run) and closes. */
void rpc_server_free(rpc_server *s);

/* Registers a service; calls to its methods are dispatched to it. The
 * server does not own svc. Returns 0, or -1 if too many services. */
int rpc_server_add_service(rpc_server *s, ProtobufCService *svc);

/* Registered services, in registration order. */
size_t rpc_server_service_count(const rpc_server *s);
const ProtobufCServiceDescriptor *rpc_server_service(const rpc_server *s, size_t i);

/* Whether method index m of service d streams. protoc-c drops `stream`
 * from the schema, so this is the one place where it is declared. */
int rpc_method_is_streaming(const ProtobufCServiceDescriptor *d, unsigned m);

/* The ROUTER socket, for the poll loop. */
void *rpc_server_socket(rpc_server *s);

/* Reads and handles every frame waiting on the socket. */
void rpc_server_on_readable(rpc_server *s);

/* Handles one frame as if received from peer (a ROUTER routing id) with
 * ZAP User-Id user_id (NULL when insecure). Exposed for the fuzzer. */
void rpc_server_process(rpc_server *s, const uint8_t *peer, size_t peer_len, const char *user_id,
                        const uint8_t *data, size_t len);

/* Expires calls past their deadline and reaps streams whose peer is gone.
 * Returns the ms until the next deadline, or -1 if none. */
int64_t rpc_server_tick(rpc_server *s, int64_t now_ms);

void rpc_server_stats(const rpc_server *s, rpc_stats *out);

/* Told how every request ended: the calls handlers ran, and those refused
 * before a handler could run (bad frames, unknown methods, the matrix,
 * quotas, deadlines). Gets the code and message ("" when it succeeded).
 * Runs before the call is freed, so the rpc_call accessors work; for a
 * request refused before dispatch rpc_call_input() is NULL and the method
 * is "(frame)" when the frame named none. It must not answer or finish c.
 * Of a flood over the rate quota it is told the first refusal, then one a
 * second with the count of the others. */
typedef void (*rpc_observer_fn)(void *arg, const rpc_call *c, synd_code code, const char *message);

/* Sets the one observer (the audit trail); NULL for none. */
void rpc_server_set_observer(rpc_server *s, rpc_observer_fn fn, void *arg);

/* Checks every call, before dispatch, against reg (borrowed; it may be
 * reloaded in place): a caller whose key reg no longer admits (revoked,
 * removed, or moved to another bank or role) gets UNAUTHENTICATED "key
 * revoked" and nothing runs. NULL (the default) checks nothing. */
void rpc_server_set_registry(rpc_server *s, const registry *reg);

/* After a registry reload: ends every open stream whose key the registry
 * no longer admits, with the final status UNAUTHENTICATED (the observer
 * is told, the stream's cancel hook runs). Unary calls already running
 * finish; they were admitted when they arrived. Returns how many ended. */
size_t rpc_server_end_revoked(rpc_server *s);

/* --- for handlers ------------------------------------------------------ */

/* The full method name of the call, "/synd.v1.Syndication/SubmitBid". */
const char *rpc_call_method(const rpc_call *c);

/* The decoded request, as the handler got it. */
const ProtobufCMessage *rpc_call_input(const rpc_call *c);

/* The caller's identity, from its CURVE key via ZAP. */
const registry_identity *rpc_call_identity(const rpc_call *c);

/* The envelope's idempotency key ("" if none). */
const char *rpc_call_idempotency_key(const rpc_call *c);

/* Sends a reply. For a unary call this is the answer and ends the call;
 * for a stream it is one more frame. Returns 0, or -1 if the peer cannot
 * take it (gone or queue full); the failure is counted and logged, and a
 * stream is then ended with its cancel hook run from rpc_server_tick(). */
int rpc_call_reply(rpc_call *c, const ProtobufCMessage *msg);

/* Ends the call with a status: an error for a unary call, the closing
 * status of a stream. The call is freed; do not use c afterwards. */
void rpc_call_finish(rpc_call *c, synd_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the hook run when a stream ends without the handler finishing it:
 * the client cancelled, its deadline passed, its peer went away, or the
 * server is closing. The hook must forget c; c is freed after it. */
void rpc_call_on_cancel(rpc_call *c, void (*hook)(rpc_call *c, void *arg), void *arg);

#endif
