/* libFuzzer target: one frame from an untrusted peer, decoded and handled
 * as the broker handles it, on a server without a socket (replies are
 * encoded, then dropped).
 *
 * Each input gets a fresh server with the Health and Reflection services,
 * so no state leaks between inputs, and everything is freed at the end so
 * that LeakSanitizer sees any call or message the server forgot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/envelope.h"
#include "rpc/health.h"
#include "rpc/reflection.h"
#include "rpc/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A ROUTER routing id as libzmq makes them: a zero byte and a counter. */
static const uint8_t peer[] = {0x00, 0x6b, 0x8b, 0x45, 0x67};

/* Swaps the unknown-field counts of env and its submessages with saved
 * (2 + RPC_MAX_METADATA entries): called with zeros it hides the unknown
 * fields from the packer, called again it restores them for freeing. */
static void swap_unknown(rpc_envelope *env, unsigned *saved)
{
    ProtobufCMessage *msgs[2 + RPC_MAX_METADATA];
    size_t n = 0;

    msgs[n++] = &env->base;
    if (env->status != NULL)
        msgs[n++] = &env->status->base;
    for (size_t i = 0; i < env->n_metadata; i++)
        msgs[n++] = &env->metadata[i]->base;
    for (size_t i = 0; i < n; i++) {
        unsigned count = msgs[i]->n_unknown_fields;

        msgs[i]->n_unknown_fields = saved[i];
        saved[i] = count;
    }
}

/* What decodes must re-encode into a frame that decodes to the same call:
 * the broker replies with envelopes it encodes the same way. Returns the
 * call id (0 if the input does not decode at all).
 *
 * Unknown fields are left out: protobuf-c keeps them verbatim and accepts
 * a field number 0 written as an overlong varint (0x81 0x00) that it then
 * re-packs canonically (0x01) and refuses. The broker never re-sends a
 * peer's unknown fields, so this quirk does not reach the wire. */
static uint64_t check_round_trip(const uint8_t *data, size_t size)
{
    rpc_envelope *env, *again;
    uint64_t call_id, again_id;
    unsigned saved[2 + RPC_MAX_METADATA] = {0};
    synd_status st;
    uint8_t *buf;
    size_t len;

    if (rpc_envelope_decode(data, size, &env, &call_id, &st) != 0) {
        if (st.code != SYND_INVALID_ARGUMENT || env != NULL)
            abort();
        return call_id;
    }
    swap_unknown(env, saved);
    if (rpc_envelope_encode(env, &buf, &len) != 0)
        abort();
    swap_unknown(env, saved);
    if (rpc_envelope_decode(buf, len, &again, &again_id, &st) != 0 || again_id != call_id ||
        strcmp(again->method, env->method) != 0 || again->deadline_ms != env->deadline_ms ||
        again->cancel != env->cancel || again->n_metadata != env->n_metadata ||
        again->payload.len != env->payload.len ||
        (env->payload.len != 0 &&
         memcmp(again->payload.data, env->payload.data, env->payload.len) != 0))
        abort();
    rpc_envelope_free(again);
    rpc_envelope_free(env);
    free(buf);
    return call_id;
}

/* Sends the client's cancel for call_id, as a peer abandoning a stream. */
static void send_cancel(rpc_server *s, uint64_t call_id)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t *buf;
    size_t len;

    env.call_id = call_id;
    env.cancel = 1;
    if (rpc_envelope_encode(&env, &buf, &len) != 0)
        abort();
    rpc_server_process(s, peer, sizeof(peer), "FUZZ/lead", buf, len);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rpc_server_opts opts = {.insecure = 0};
    synd_status st;
    rpc_server *s = rpc_server_new(NULL, &opts, &st);
    rpc_health *health;
    rpc_reflection *refl;
    uint64_t call_id = check_round_trip(data, size);

    if (s == NULL)
        abort();
    health = rpc_health_new(s);
    refl = rpc_reflection_new(s);
    if (health == NULL || refl == NULL ||
        rpc_server_add_service(s, rpc_health_service(health)) != 0 ||
        rpc_server_add_service(s, rpc_reflection_service(refl)) != 0)
        abort();
    rpc_health_set_serving(health, 1);

    rpc_server_process(s, peer, sizeof(peer), "FUZZ/lead", data, size);
    /* Drive a stream the frame opened through a status change, then one
     * of its three endings, chosen by the input's call id: the client
     * cancels, its deadline passes, or the server closes with it open. */
    rpc_health_set_serving(health, 0);
    rpc_server_tick(s, rpc_now_ms());
    if (call_id % 3 == 0)
        send_cancel(s, call_id);
    else if (call_id % 3 == 1)
        rpc_server_tick(s, INT64_MAX);

    rpc_server_free(s);
    rpc_health_free(health);
    rpc_reflection_free(refl);
    return 0;
}
