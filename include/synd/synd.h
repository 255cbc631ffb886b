/* libsynd: the client library of the synd broker.
 *
 * A synd_client is one DEALER connection to the broker, optionally secured
 * with CurveZMQ. Calls follow gRPC's model: a unary call sends one request
 * and gets one reply or a status; a server-streaming call gets any number
 * of replies until the broker ends the stream or the caller cancels it.
 * Requests and replies are protobuf-c messages of the synd.v1 schema.
 *
 * Thread-safety: a synd_client must be used by one thread at a time; use
 * one client per thread. Distinct clients are independent. The key-file
 * functions are thread-safe. */
#ifndef SYND_SYND_H
#define SYND_SYND_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "synd/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A CurveZMQ key in Z85 text: 40 characters and a NUL. */
#define SYND_KEY_LEN 41

typedef struct synd_client synd_client;

/* The keys of a secure connection: the broker's public key and the
 * caller's own key pair, all in Z85. The caller's public key is what the
 * broker's registry maps to a bank id and a role. */
typedef struct synd_keys {
    char server_public[SYND_KEY_LEN];
    char public_key[SYND_KEY_LEN];
    char secret_key[SYND_KEY_LEN];
} synd_keys;

/* Per-call options. Zero-initialise, then set what you need. */
typedef struct synd_call_opts {
    /* Relative timeout; 0 means the default of 5000 ms. */
    int64_t timeout_ms;
    /* Absolute deadline in unix ms; overrides timeout_ms when non-zero.
     * A deadline already passed fails at once with DEADLINE_EXCEEDED. */
    int64_t deadline_ms;
    /* Makes a retried mutation count once; NULL for none. */
    const char *idempotency_key;
    /* When not NULL, the call ends with SYND_CANCELLED within about 100 ms
     * of *stop becoming non-zero, e.g. from a SIGTERM handler; a stream is
     * cancelled at the broker too. */
    const volatile sig_atomic_t *stop;
} synd_call_opts;

/* Connects to a broker at endpoint ("tcp://127.0.0.1:7700"). With keys,
 * the connection uses CurveZMQ; with NULL it is plain (the broker must run
 * with --insecure). Returns the client, or NULL with the reason in st.
 * The connection is made in the background: a broker that is not up yet
 * is retried until a call's deadline. */
SYND_API synd_client *synd_client_new(const char *endpoint, const synd_keys *keys, synd_status *st);

/* Closes the connection and frees the client. NULL is fine. Pending
 * messages are dropped. */
SYND_API void synd_client_free(synd_client *c);

/* Makes a unary call to method ("/synd.v1.Health/Check"). On SYND_OK,
 * *reply holds a message of type reply_type, to be freed with
 * protobuf_c_message_free_unpacked(*reply, NULL). Otherwise *reply is NULL
 * and st holds the code and the broker's or the library's reason:
 * UNAUTHENTICATED when the broker refuses the key, UNAVAILABLE when the
 * broker cannot be reached by the deadline, DEADLINE_EXCEEDED when it was
 * reached but did not answer in time. opts may be NULL. */
SYND_API synd_code synd_call(synd_client *c, const char *method, const ProtobufCMessage *request,
                             const ProtobufCMessageDescriptor *reply_type, ProtobufCMessage **reply,
                             const synd_call_opts *opts, synd_status *st);

/* Receives one stream message. Return 0 to keep receiving, anything else
 * to cancel the stream. msg is freed by the library after the return. */
typedef int (*synd_stream_fn)(const ProtobufCMessage *msg, void *arg);

/* Opens a server stream and calls fn for each message until the broker
 * ends the stream, fn cancels it, or the deadline passes. Returns the
 * stream's final status: SYND_OK when the broker ended it cleanly,
 * SYND_CANCELLED when fn cancelled it (the broker is told), or an error.
 * For an open-ended stream, set a long timeout_ms. fn must not use c. */
SYND_API synd_code synd_stream(synd_client *c, const char *method, const ProtobufCMessage *request,
                               const ProtobufCMessageDescriptor *reply_type, synd_stream_fn fn,
                               void *arg, const synd_call_opts *opts, synd_status *st);

/* Generates a CurveZMQ key pair and writes it as two libconfig files:
 * "<prefix>.key" (public and secret key, mode 0600) and "<prefix>.pub"
 * (public key only). Refuses to overwrite an existing file. On success
 * returns 0 and, if public_key is not NULL, copies the public key there. */
SYND_API int synd_keygen(const char *prefix, char public_key[SYND_KEY_LEN], synd_status *st);

/* Reads a key file written by synd_keygen(). public_key is always filled;
 * secret_key, if not NULL, is filled from a ".key" file and the call fails
 * on a ".pub" file. Returns 0, or -1 with the reason in st. */
SYND_API int synd_keyfile_read(const char *path, char public_key[SYND_KEY_LEN],
                               char secret_key[SYND_KEY_LEN], synd_status *st);

/* Amounts of money. The wire counts money in fen (CNY minor units) as an
 * int64_t; people write yuan. Both functions are pure and thread-safe. */

/* synd_money_parse() flag: accept a leading '-'. */
#define SYND_MONEY_NEGATIVE 1u

/* Enough for any int64_t amount that synd_money_format() writes, NUL
 * included: "-¥92,233,720,368,547,758.08". */
#define SYND_MONEY_LEN 32

/* Parses an amount in yuan into *fen. Accepted: digits with up to two
 * decimals ("1234.56"), optionally scaled by a suffix k (thousand), m
 * (million) or bn (billion), any case, where the decimals may go as deep
 * as a fen ("1.5bn", "2.25k", "0.00001k"); a "¥" or "￥" prefix; '_'
 * between digits anywhere, or ',' between groups of three ("1,234,567").
 * A leading '-' only with SYND_MONEY_NEGATIVE. "3bn" is 300,000,000,000
 * fen. Returns 0, or -1 with SYND_INVALID_ARGUMENT in st and a message
 * that quotes text and says what is wrong: empty, a bad character, more
 * decimals than fen allow, a bad suffix, or a value beyond int64_t. */
SYND_API int synd_money_parse(const char *text, unsigned flags, int64_t *fen, synd_status *st);

/* Writes fen as yuan with thousands separators and two decimals,
 * "¥3,000,000,000.00" or "-¥1.50", truncated like snprintf to len bytes
 * (SYND_MONEY_LEN always suffices). Returns out, so that the call can be
 * an argument of printf. */
SYND_API char *synd_money_format(int64_t fen, char *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif
