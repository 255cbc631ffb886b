/* The envelope codec: one ZeroMQ message holds one synd.v1.Envelope.
 *
 * Shared by the broker and libsynd. Decoding never trusts its input: it
 * bounds sizes, checks the method name's shape and reports what is wrong
 * in a status, because protobuf-c's unpack only returns NULL. */
#ifndef SYND_RPC_ENVELOPE_H
#define SYND_RPC_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "synd/status.h"
#include "synd/v1/rpc.pb-c.h"

#define RPC_MAX_FRAME      (1024 * 1024) /* default ZMQ_MAXMSGSIZE */
#define RPC_MAX_METHOD     128
#define RPC_MAX_IDEM_KEY   128
#define RPC_MAX_METADATA   32
#define RPC_MAX_META_KEY   64
#define RPC_MAX_META_VALUE 1024

/* What an envelope may take to decode: its payload and a few small
 * strings fit many times over; a frame of a million empty metadata
 * entries does not. */
#define RPC_ENVELOPE_BUDGET (4 * RPC_MAX_FRAME)

typedef Synd__V1__Envelope rpc_envelope;

/* Decodes and checks a frame received from a peer, taking at most
 * RPC_ENVELOPE_BUDGET bytes. On success returns 0 and sets *out, to be
 * released with rpc_envelope_free(). On failure returns -1, sets *out to
 * NULL and fills st with INVALID_ARGUMENT and the reason. If the bytes
 * decoded but a field is bad, *call_id is still set so the error can be
 * routed back to the call. */
int rpc_envelope_decode(const uint8_t *data, size_t len, rpc_envelope **out, uint64_t *call_id,
                        synd_status *st);

/* The call id of a frame that is not to be decoded (it is too large),
 * read from its first few fields: encoders write field 1 first. 0 if it
 * is not there. */
uint64_t rpc_envelope_peek_call_id(const uint8_t *data, size_t len);

/* Checks that a request names a method as "/package.Service/Method".
 * Returns 0, or -1 with INVALID_ARGUMENT in st. */
int rpc_envelope_check_request(const rpc_envelope *env, synd_status *st);

/* Splits "/pkg.Service/Method" into its service and method names, writing
 * NUL-terminated copies. Returns 0, or -1 if the name has another shape. */
int rpc_method_split(const char *full, char *service, size_t service_len, char *method,
                     size_t method_len);

/* Serializes env into a newly allocated buffer. Returns 0 and sets *buf
 * and *len (free with free()), or -1 if out of memory. */
int rpc_envelope_encode(const rpc_envelope *env, uint8_t **buf, size_t *len);

/* Releases an envelope returned by rpc_envelope_decode(). NULL is fine. */
void rpc_envelope_free(rpc_envelope *env);

/* Returns the current time in unix milliseconds. */
int64_t rpc_now_ms(void);

#endif
