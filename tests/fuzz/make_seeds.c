/* Writes the seed corpus of fuzz_envelope: a few well-formed frames, one
 * per path through rpc_server_process, so the fuzzer starts from inputs
 * that reach dispatch instead of having to discover protobuf first.
 *
 * Usage: make_seeds DIR   (the committed seeds are in corpus/envelope/)
 *
 * The output is deterministic: fixed call ids, and deadlines that are
 * either none, long past or far in the future. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/envelope.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

#define DEADLINE_PAST   1             /* 1970-01-01T00:00:00.001Z */
#define DEADLINE_FUTURE 4102444800000 /* 2100-01-01T00:00:00Z */

/* Encodes env (with msg, if any, as its payload) into DIR/name. */
static int write_seed(const char *dir, const char *name, rpc_envelope *env,
                      const ProtobufCMessage *msg)
{
    uint8_t payload[256], *buf;
    size_t len;
    char path[4096];
    FILE *f;
    int ok;

    if (msg != NULL) {
        if (protobuf_c_message_get_packed_size(msg) > sizeof(payload)) {
            fprintf(stderr, "make_seeds: payload of %s too large\n", name);
            return -1;
        }
        env->payload.len = protobuf_c_message_pack(msg, payload);
        env->payload.data = payload;
    }
    if (rpc_envelope_encode(env, &buf, &len) != 0) {
        fprintf(stderr, "make_seeds: out of memory\n");
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        free(buf);
        return -1;
    }
    ok = fwrite(buf, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    free(buf);
    if (!ok) {
        perror(path);
        return -1;
    }
    return 0;
}

/* An envelope calling method with call id id and deadline deadline_ms. */
static rpc_envelope request(uint64_t id, const char *method, int64_t deadline_ms)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;

    env.call_id = id;
    env.method = (char *)method;
    env.deadline_ms = deadline_ms;
    return env;
}

int main(int argc, char **argv)
{
    Synd__V1__HealthCheckRequest health = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__HealthCheckRequest health_svc = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__ListMethodsRequest list = SYND__V1__LIST_METHODS_REQUEST__INIT;
    Synd__V1__MetadataEntry meta = SYND__V1__METADATA_ENTRY__INIT;
    Synd__V1__MetadataEntry *metas[] = {&meta};
    /* fuzz_envelope ends a stream by call id % 3: 0 the client cancels,
     * 1 its deadline passes, 2 the server closes with it open. */
    rpc_envelope check = request(1, "/synd.v1.Health/Check", 0);
    rpc_envelope check_svc = request(2, "/synd.v1.Health/Check", DEADLINE_FUTURE);
    rpc_envelope watch = request(3, "/synd.v1.Health/Watch", 0);
    rpc_envelope watch_deadline = request(4, "/synd.v1.Health/Watch", DEADLINE_FUTURE);
    rpc_envelope watch_open = request(5, "/synd.v1.Health/Watch", 0);
    rpc_envelope cancel = SYND__V1__ENVELOPE__INIT;
    rpc_envelope bad_method = request(6, "synd.v1.Health/Check", 0);
    rpc_envelope unknown = request(7, "/synd.v1.Health/Nope", 0);
    rpc_envelope past = request(8, "/synd.v1.Health/Watch", DEADLINE_PAST);
    rpc_envelope methods = request(9, "/synd.v1.Reflection/ListMethods", 0);
    const char *dir;

    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    dir = argv[1];
    health_svc.service = "synd.v1.Reflection";
    list.service = "synd.v1.Health";
    meta.key = "trace";
    meta.value = "seed";
    check_svc.idempotency_key = "seed-2";
    check_svc.n_metadata = 1;
    check_svc.metadata = metas;
    cancel.call_id = 3;
    cancel.cancel = 1;
    if (write_seed(dir, "check", &check, &health.base) != 0 ||
        write_seed(dir, "check_service", &check_svc, &health_svc.base) != 0 ||
        write_seed(dir, "list_methods", &methods, &list.base) != 0 ||
        write_seed(dir, "watch", &watch, &health.base) != 0 ||
        write_seed(dir, "watch_deadline", &watch_deadline, &health.base) != 0 ||
        write_seed(dir, "watch_open", &watch_open, &health_svc.base) != 0 ||
        write_seed(dir, "cancel", &cancel, NULL) != 0 ||
        write_seed(dir, "bad_method", &bad_method, &health.base) != 0 ||
        write_seed(dir, "unknown_method", &unknown, NULL) != 0 ||
        write_seed(dir, "past_deadline", &past, &health.base) != 0)
        return 1;
    return 0;
}
