/* Integration: the RPC layer of the running broker. Unknown methods, bad
 * frames, deadlines, cancelled streams and replies to vanished peers. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "harness.h"

#define MAX_DEALERS 4

static harness h;
static void *zctx;
static void *dealers[MAX_DEALERS]; /* closed by teardown, even after a failure */
static int n_dealers;

static void setup(void)
{
    cr_assert_eq(harness_start(&h), 0, "cannot start redis-server and syndbroker");
    zctx = zmq_ctx_new();
    cr_assert_not_null(zctx);
}

/* zmq_ctx_term() waits for every socket of the context, so the sockets a
 * failed test left open are closed first. */
static void teardown(void)
{
    for (int i = 0; i < n_dealers; i++)
        zmq_close(dealers[i]);
    n_dealers = 0;
    if (zctx != NULL)
        zmq_ctx_term(zctx);
    zctx = NULL;
    cr_expect_eq(harness_stop(&h), 0, "syndbroker did not shut down cleanly");
}

/* A raw DEALER to the broker with who's keys, owned by the test context. */
static void *dealer(harness_who who)
{
    void *d;

    cr_assert_lt(n_dealers, MAX_DEALERS);
    d = harness_dealer(&h, zctx, who);
    cr_assert_not_null(d);
    dealers[n_dealers++] = d;
    return d;
}

TestSuite(rpc, .init = setup, .fini = teardown, .timeout = 60);

/* Asserts that env is the final frame of call_id with status code. */
static void expect_final(const Synd__V1__Envelope *env, uint64_t call_id, synd_code code)
{
    cr_assert_not_null(env, "no reply from the broker");
    cr_expect_eq(env->call_id, call_id, "reply to call %llu, want %llu",
                 (unsigned long long)env->call_id, (unsigned long long)call_id);
    cr_assert_not_null(env->status, "final frame without a status");
    cr_expect_eq(env->status->code, (int32_t)code, "status %s (%s), want %s",
                 synd_code_name(env->status->code), env->status->message, synd_code_name(code));
    cr_expect(env->end_of_stream, "final frame without end_of_stream");
}

/* A request envelope for method carrying req, ready to send. The payload
 * is malloc'ed; free it with free(env->payload.data). */
static void make_request(Synd__V1__Envelope *env, uint64_t call_id, const char *method,
                         const ProtobufCMessage *req)
{
    synd__v1__envelope__init(env);
    env->call_id = call_id;
    env->method = (char *)method;
    env->payload.data = harness_pack(req, &env->payload.len);
    cr_assert_not_null(env->payload.data);
}

/* Sends a request on a raw DEALER and returns the first frame back. */
static Synd__V1__Envelope *raw_call(void *d, Synd__V1__Envelope *env)
{
    cr_assert_eq(harness_send_envelope(d, env), 0);
    return harness_recv_envelope(d, 5000);
}

static void stats(synd_client *c, Synd__V1__GetStatsResponse *out)
{
    cr_assert_eq(harness_stats(c, out), 0, "GetStats failed");
}

Test(rpc, unknown_method_is_unimplemented)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    ProtobufCMessage *reply;
    synd_client *c = harness_client(&h, HARNESS_LEAD);
    synd_status st;

    cr_assert_not_null(c);
    cr_expect_eq(synd_call(c, "/synd.v1.Nope/Nothing", &req.base,
                           &synd__v1__health_check_response__descriptor, &reply, NULL, &st),
                 SYND_UNIMPLEMENTED, "unknown service: %s", synd_code_name(st.code));
    cr_expect_null(reply);
    cr_expect(strstr(st.message, "/synd.v1.Nope/Nothing") != NULL, "message: %s", st.message);
    cr_expect_eq(synd_call(c, "/synd.v1.Health/Nothing", &req.base,
                           &synd__v1__health_check_response__descriptor, &reply, NULL, &st),
                 SYND_UNIMPLEMENTED, "unknown method of a known service: %s",
                 synd_code_name(st.code));
    cr_expect_eq(synd_call(c, "synd.v1.Health/Check", &req.base,
                           &synd__v1__health_check_response__descriptor, &reply, NULL, &st),
                 SYND_INVALID_ARGUMENT, "method name without a leading slash: %s",
                 synd_code_name(st.code));
    cr_expect_eq(harness_health(c, "", 3000), HARNESS_SERVING, "broker stopped serving");
    synd_client_free(c);
}

Test(rpc, bad_frames_get_invalid_argument)
{
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t bad_payload[] = {0x0a, 0x10, 'a'}; /* string of 16 bytes, 1 sent */
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__GetStatsResponse before, after;
    Synd__V1__HealthCheckResponse *resp;
    Synd__V1__Envelope env, *reply;
    synd_client *c = harness_client(&h, HARNESS_SUPERVISOR);
    void *d = dealer(HARNESS_LEAD);
    uint8_t *buf;
    size_t len;

    cr_assert_not_null(c);
    stats(c, &before);

    /* Bytes that are no protobuf at all: answered under call id 0. */
    cr_assert_eq(zmq_send(d, garbage, sizeof(garbage), 0), (int)sizeof(garbage));
    reply = harness_recv_envelope(d, 5000);
    expect_final(reply, 0, SYND_INVALID_ARGUMENT);
    synd__v1__envelope__free_unpacked(reply, NULL);

    /* A good envelope cut short inside its payload field. */
    req.service = "synd.v1.Health";
    make_request(&env, 7, "/synd.v1.Health/Check", &req.base);
    buf = harness_pack(&env.base, &len);
    cr_assert_not_null(buf);
    cr_assert_eq(zmq_send(d, buf, len - 3, 0), (int)(len - 3));
    free(buf);
    reply = harness_recv_envelope(d, 5000);
    expect_final(reply, 0, SYND_INVALID_ARGUMENT);
    synd__v1__envelope__free_unpacked(reply, NULL);

    /* The same envelope whole still works on the same connection. */
    reply = raw_call(d, &env);
    free(env.payload.data);
    expect_final(reply, 7, SYND_OK);
    resp = synd__v1__health_check_response__unpack(NULL, reply->payload.len, reply->payload.data);
    cr_assert_not_null(resp, "Check reply payload does not decode");
    cr_expect_eq(resp->status, HARNESS_SERVING);
    synd__v1__health_check_response__free_unpacked(resp, NULL);
    synd__v1__envelope__free_unpacked(reply, NULL);

    /* A valid envelope whose payload is not a HealthCheckRequest. */
    synd__v1__envelope__init(&env);
    env.call_id = 9;
    env.method = "/synd.v1.Health/Check";
    env.payload.data = (uint8_t *)bad_payload;
    env.payload.len = sizeof(bad_payload);
    reply = raw_call(d, &env);
    expect_final(reply, 9, SYND_INVALID_ARGUMENT);
    cr_expect(strstr(reply->status->message, "synd.v1.HealthCheckRequest") != NULL,
              "message does not name the expected type: %s", reply->status->message);
    synd__v1__envelope__free_unpacked(reply, NULL);

    stats(c, &after);
    cr_expect_eq(after.bad_frames, before.bad_frames + 3, "bad_frames %llu -> %llu",
                 (unsigned long long)before.bad_frames, (unsigned long long)after.bad_frames);
    cr_expect_eq(harness_health(c, "", 3000), HARNESS_SERVING, "broker stopped serving");
    synd_client_free(c);
}

Test(rpc, passed_deadline_is_not_run)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__GetStatsResponse s0, s1, s2;
    Synd__V1__Envelope env, *reply;
    ProtobufCMessage *out;
    synd_client *c = harness_client(&h, HARNESS_LEAD);
    void *d = dealer(HARNESS_PARTICIPANT);
    synd_call_opts o = {0};
    synd_status st;

    cr_assert_not_null(c);
    stats(c, &s0);

    /* A Watch whose deadline passed a second ago: refused, never opened. */
    make_request(&env, 3, "/synd.v1.Health/Watch", &req.base);
    env.deadline_ms = harness_now_ms() - 1000;
    reply = raw_call(d, &env);
    free(env.payload.data);
    expect_final(reply, 3, SYND_DEADLINE_EXCEEDED);
    cr_expect_eq(reply->payload.len, 0, "a refused call carries no payload");
    synd__v1__envelope__free_unpacked(reply, NULL);

    stats(c, &s1);
    cr_expect_eq(s1.open_streams, 0, "the Watch handler ran: %llu open streams",
                 (unsigned long long)s1.open_streams);
    cr_expect_eq(s1.deadline_exceeded, s0.deadline_exceeded + 1);
    cr_expect_eq(s1.calls, s0.calls + 1, "only GetStats itself may have been dispatched");

    /* libsynd does not even send a call whose deadline has passed. */
    o.deadline_ms = harness_now_ms() - 1;
    cr_expect_eq(synd_call(c, "/synd.v1.Health/Check", &req.base,
                           &synd__v1__health_check_response__descriptor, &out, &o, &st),
                 SYND_DEADLINE_EXCEEDED, "synd_call: %s", synd_code_name(st.code));
    stats(c, &s2);
    cr_expect_eq(s2.calls, s1.calls + 1, "the expired call reached the broker");
    cr_expect_eq(s2.deadline_exceeded, s1.deadline_exceeded);
    synd_client_free(c);
}

Test(rpc, stream_deadline_ends_stream)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__GetStatsResponse s0, s;
    Synd__V1__Envelope env, *reply;
    synd_client *c = harness_client(&h, HARNESS_LEAD);
    void *d = dealer(HARNESS_PARTICIPANT);

    cr_assert_not_null(c);
    stats(c, &s0);
    make_request(&env, 5, "/synd.v1.Health/Watch", &req.base);
    env.deadline_ms = harness_now_ms() + 500;
    reply = raw_call(d, &env);
    free(env.payload.data);
    cr_assert_not_null(reply);
    cr_expect_eq(reply->call_id, 5);
    cr_expect(!reply->end_of_stream, "first Watch frame ended the stream");
    synd__v1__envelope__free_unpacked(reply, NULL);

    /* The broker ends the stream itself when its deadline passes. */
    reply = harness_recv_envelope(d, 5000);
    expect_final(reply, 5, SYND_DEADLINE_EXCEEDED);
    synd__v1__envelope__free_unpacked(reply, NULL);
    stats(c, &s);
    cr_expect_eq(s.open_streams, 0);
    cr_expect_eq(s.deadline_exceeded, s0.deadline_exceeded + 1);
    synd_client_free(c);
}

/* Cancels a Watch on its first frame, after asking another client how
 * many streams the broker has open at that moment. */
typedef struct cancel_probe {
    synd_client *other;
    int frames, status;
    int64_t open_streams;
} cancel_probe;

static int cancel_first(const ProtobufCMessage *m, void *arg)
{
    cancel_probe *p = arg;
    Synd__V1__GetStatsResponse s;

    p->frames++;
    p->status = ((const Synd__V1__HealthCheckResponse *)m)->status;
    p->open_streams = harness_stats(p->other, &s) == 0 ? (int64_t)s.open_streams : -1;
    return 1;
}

/* Polls GetStats until pred holds or bound_ms passes; returns pred. */
static int stats_until(synd_client *c, int (*pred)(const Synd__V1__GetStatsResponse *),
                       int bound_ms, Synd__V1__GetStatsResponse *s)
{
    int64_t until = harness_now_ms() + bound_ms;

    do {
        if (harness_stats(c, s) == 0 && pred(s))
            return 1;
        harness_sleep_ms(20);
    } while (harness_now_ms() < until);
    return 0;
}

static int no_open_streams(const Synd__V1__GetStatsResponse *s)
{
    return s->open_streams == 0;
}

static int undeliverable_reaped(const Synd__V1__GetStatsResponse *s)
{
    return s->undeliverable >= 1 && s->open_streams == 0;
}

Test(rpc, cancelled_stream_is_closed)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__GetStatsResponse s;
    synd_call_opts o = {.timeout_ms = 10000};
    cancel_probe p = {harness_client(&h, HARNESS_SUPERVISOR), 0, -1, -1};
    synd_client *c = harness_client(&h, HARNESS_PARTICIPANT);
    synd_status st;

    cr_assert_not_null(c);
    cr_assert_not_null(p.other);
    cr_assert_eq(synd_stream(c, "/synd.v1.Health/Watch", &req.base,
                             &synd__v1__health_check_response__descriptor, cancel_first, &p, &o,
                             &st),
                 SYND_CANCELLED, "Watch: %s %s", synd_code_name(st.code), st.message);
    cr_expect_eq(p.frames, 1);
    cr_expect_eq(p.status, HARNESS_SERVING);
    cr_expect_eq(p.open_streams, 1, "open streams while watching: %lld", (long long)p.open_streams);
    cr_assert(stats_until(p.other, no_open_streams, 5000, &s),
              "the cancelled stream is still open: %llu", (unsigned long long)s.open_streams);
    cr_expect_eq(s.undeliverable, 0);
    cr_expect(harness_file_contains(h.broker.log_path, "cancelled by client"));
    synd_client_free(c);
    synd_client_free(p.other);
}

Test(rpc, undeliverable_replies_are_counted)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__GetStatsResponse s;
    Synd__V1__Envelope env, *reply;
    synd_client *c = harness_client(&h, HARNESS_SUPERVISOR);
    void *ctx = zmq_ctx_new(), *d;
    int counted = 0;

    cr_assert_not_null(c);
    cr_assert_not_null(ctx);
    d = harness_dealer(&h, ctx, HARNESS_PARTICIPANT);
    cr_assert_not_null(d);
    make_request(&env, 1, "/synd.v1.Health/Watch", &req.base);
    reply = raw_call(d, &env);
    free(env.payload.data);
    cr_assert_not_null(reply);
    cr_assert(!reply->end_of_stream, "Watch ended at once");
    synd__v1__envelope__free_unpacked(reply, NULL);
    stats(c, &s);
    cr_assert_eq(s.open_streams, 1);
    cr_assert_eq(s.undeliverable, 0);

    /* The watcher vanishes without cancelling. */
    zmq_close(d);
    zmq_ctx_term(ctx);

    /* Each change of Redis' state pushes a frame to the vanished peer. The
     * broker's ZeroMQ thread notices the disconnect asynchronously, so the
     * first push may still enter the dying pipe; the next change then
     * finds the peer gone. */
    for (int i = 0; i < 4 && !counted; i++) {
        cr_assert_eq(i % 2 == 0 ? harness_redis_kill(&h) : harness_redis_start(&h), 0);
        counted = stats_until(c, undeliverable_reaped, 3000, &s);
    }
    cr_assert(counted, "undeliverable %llu, open streams %llu", (unsigned long long)s.undeliverable,
              (unsigned long long)s.open_streams);
    cr_expect(harness_file_contains(h.broker.log_path, "undeliverable"),
              "the broker did not log the undeliverable reply");
    synd_client_free(c);
}
