/* The security integration-test helpers; see sec.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "sec.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

#define MAX_DEALERS 16
#define STREAM_MS   300 /* how long sec_call() holds a silent stream */
#define FINAL_MS    10000
#define POLL_MS     20

static const ProtobufCServiceDescriptor *const services[] = {
    &synd__v1__health__descriptor,      &synd__v1__reflection__descriptor,
    &synd__v1__syndication__descriptor, &synd__v1__registry__descriptor,
    &synd__v1__supervision__descriptor,
};

static const char *const streaming[] = {
    "/synd.v1.Health/Watch",
    "/synd.v1.Syndication/WatchBooks",
    "/synd.v1.Supervision/WatchSupervision",
};

static const char *const quota_flags[] = {
    "--quota-rate", "200", "--quota-burst", "400", "--quota-streams", "16", NULL};

static void *zctx;
static void *dealers[MAX_DEALERS];
static size_t n_dealers;

void sec_start(void)
{
    _Static_assert(SEC_RATE == 200 && SEC_BURST == 400 && SEC_STREAMS == 16,
                   "quota_flags give the broker these values");
    harness_set_broker_flags(quota_flags);
    bk_start();
}

/* The broker stops first, with the DEALERs' streams open, so that its
 * clean exit (which bk_stop() checks) covers ending them. */
void sec_stop(void)
{
    bk_stop();
    for (size_t i = 0; i < n_dealers; i++)
        zmq_close(dealers[i]);
    n_dealers = 0;
    if (zctx != NULL)
        zmq_ctx_term(zctx);
    zctx = NULL;
}

const ProtobufCMethodDescriptor *sec_method(const char *method)
{
    for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
        size_t n = strlen(services[i]->name);

        if (method[0] != '/' || strncmp(method + 1, services[i]->name, n) != 0 ||
            method[n + 1] != '/')
            continue;
        for (unsigned m = 0; m < services[i]->n_methods; m++) {
            if (strcmp(services[i]->methods[m].name, method + n + 2) == 0)
                return &services[i]->methods[m];
        }
    }
    cr_assert_fail("no service has the method %s", method);
    return NULL;
}

int sec_streaming(const char *method)
{
    for (size_t i = 0; i < sizeof(streaming) / sizeof(streaming[0]); i++) {
        if (strcmp(streaming[i], method) == 0)
            return 1;
    }
    return 0;
}

/* Ends a stream at its first frame, counting it. */
static int first_frame(const ProtobufCMessage *msg, void *arg)
{
    (*(int *)arg)++;
    return 1;
}

synd_code sec_call(synd_client *c, const char *method, const ProtobufCMessage *req, synd_status *st)
{
    const ProtobufCMethodDescriptor *md = sec_method(method);
    ProtobufCMessage *reply = NULL;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    synd_code code;
    int frames = 0;

    if (!sec_streaming(method)) {
        code = synd_call(c, method, req, md->output, &reply, &o, st);
        if (reply != NULL)
            protobuf_c_message_free_unpacked(reply, NULL);
        return code;
    }
    o.timeout_ms = STREAM_MS;
    code = synd_stream(c, method, req, md->output, first_frame, &frames, &o, st);
    /* Ended by us after a frame, or held open without one: it opened. */
    if ((code == SYND_CANCELLED && frames > 0) || (code == SYND_DEADLINE_EXCEEDED && frames == 0))
        return SYND_OK;
    return code;
}

void *sec_dealer(harness_who who)
{
    void *d;

    if (zctx == NULL)
        cr_assert_not_null(zctx = zmq_ctx_new());
    cr_assert_lt(n_dealers, MAX_DEALERS);
    d = harness_dealer(&bk_h, zctx, who);
    cr_assert_not_null(d, "cannot make a DEALER");
    dealers[n_dealers++] = d;
    return d;
}

void sec_send(void *d, uint64_t call_id, const char *method, const uint8_t *payload, size_t len,
              const char *idem_key)
{
    Synd__V1__Envelope env = SYND__V1__ENVELOPE__INIT;

    env.call_id = call_id;
    env.method = (char *)method;
    env.payload.data = (uint8_t *)payload;
    env.payload.len = len;
    if (idem_key != NULL)
        env.idempotency_key = (char *)idem_key;
    cr_assert_eq(harness_send_envelope(d, &env), 0);
}

Synd__V1__Envelope *sec_final(void *d, uint64_t call_id)
{
    int64_t until = harness_now_ms() + FINAL_MS;
    Synd__V1__Envelope *env;

    while (harness_now_ms() < until) {
        env = harness_recv_envelope(d, (int)(until - harness_now_ms()) + 1);
        cr_assert_not_null(env, "no final frame for call %llu", (unsigned long long)call_id);
        if (env->call_id == call_id && env->status != NULL)
            return env;
        synd__v1__envelope__free_unpacked(env, NULL);
    }
    cr_assert_fail("no final frame for call %llu within %d ms", (unsigned long long)call_id,
                   FINAL_MS);
    return NULL;
}

synd_code sec_raw(void *d, uint64_t call_id, const char *method, const uint8_t *payload, size_t len,
                  synd_status *st)
{
    Synd__V1__Envelope *env;
    synd_code code;

    sec_send(d, call_id, method, payload, len, NULL);
    env = sec_final(d, call_id);
    code = synd_code_from_wire(env->status->code);
    synd_status_set(st, code, "%s", env->status->message);
    synd__v1__envelope__free_unpacked(env, NULL);
    return code;
}

static void put(sec_wire *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->b = realloc(w->b, w->cap);
        cr_assert_not_null(w->b, "out of memory");
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

void sec_put_varint(sec_wire *w, uint64_t v)
{
    uint8_t c;

    do {
        c = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            c |= 0x80;
        put(w, &c, 1);
    } while (v);
}

void sec_put_int(sec_wire *w, unsigned field, uint64_t v)
{
    sec_put_varint(w, (uint64_t)field << 3);
    sec_put_varint(w, v);
}

void sec_put_len(sec_wire *w, unsigned field, const void *p, size_t n)
{
    sec_put_varint(w, (uint64_t)field << 3 | 2);
    sec_put_varint(w, n);
    put(w, p, n);
}

void sec_wire_free(sec_wire *w)
{
    free(w->b);
    memset(w, 0, sizeof(*w));
}

/* The audit records from from_ms on; the caller frees them. */
static Synd__V1__GetAuditLogResponse *audit_log(int64_t from_ms)
{
    Synd__V1__GetAuditLogRequest req = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    synd_status st;
    synd_code code;

    req.from_ms = from_ms;
    req.limit = 10000;
    code = synd_call(bk_client(BK_NFRA), "/synd.v1.Supervision/GetAuditLog", &req.base,
                     &synd__v1__get_audit_log_response__descriptor, &reply, &o, &st);
    cr_assert_eq(code, SYND_OK, "GetAuditLog: %s: %s", synd_code_name(code), st.message);
    return (Synd__V1__GetAuditLogResponse *)reply;
}

void sec_expect_audited(int64_t from_ms, const char *bank, const char *method, synd_code code,
                        const char *needle)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;

    do {
        Synd__V1__GetAuditLogResponse *log = audit_log(from_ms);
        int found = 0;

        for (size_t i = 0; i < log->n_records && !found; i++) {
            const Synd__V1__AuditRecord *r = log->records[i];
            found = strcmp(r->bank_id, bank) == 0 && strcmp(r->method, method) == 0 &&
                    r->code == (int32_t)code && strstr(r->detail, needle) != NULL;
        }
        protobuf_c_message_free_unpacked(&log->base, NULL);
        if (found)
            return;
        harness_sleep_ms(POLL_MS);
    } while (harness_now_ms() < until);
    cr_assert_fail("no audit record of %s by %s, %s, with '%s', within %d ms", method, bank,
                   synd_code_name(code), needle, BK_WAIT_MS);
}

size_t sec_audited(int64_t from_ms, const char *bank, synd_code code)
{
    Synd__V1__GetAuditLogResponse *log = audit_log(from_ms);
    size_t n = 0;

    for (size_t i = 0; i < log->n_records; i++)
        n += strcmp(log->records[i]->bank_id, bank) == 0 && log->records[i]->code == (int32_t)code;
    protobuf_c_message_free_unpacked(&log->base, NULL);
    return n;
}

void sec_expect_serving(void)
{
    Synd__V1__ListBanksResponse *banks;
    synd_status st;

    cr_assert_eq(harness_health(bk_client(BK_CIB), "", BK_CALL_MS), HARNESS_SERVING,
                 "the broker stopped serving CIB");
    cr_assert_eq(bk_list_banks(BK_CIB, &banks, &st), SYND_OK, "ListBanks as CIB: %s", st.message);
    cr_expect_gt(banks->n_banks, 0);
}
