/* The security integration-test helpers, on top of the books fixture (its
 * cast of banks, registry, Redis and broker): any method called by name,
 * raw frames on a DEALER of a cast member's key, hand-encoded protobuf,
 * and waits on the audit trail.
 *
 * sec_start() starts the fixture's broker with the fair-use quotas on, at
 * the values SEC_RATE, SEC_BURST and SEC_STREAMS, which the tests expect. */
#ifndef SYND_TEST_SECURITY_SEC_H
#define SYND_TEST_SECURITY_SEC_H

#include <stddef.h>
#include <stdint.h>

#include "fixture.h"
#include "synd/v1/rpc.pb-c.h"
#include "synd/v1/supervision.pb-c.h"

#define SEC_RATE      200 /* requests a second, per bank */
#define SEC_BURST     400
#define SEC_STREAMS   16 /* open streams, per bank */
#define SEC_MAX_FRAME (1024 * 1024)

/* bk_start() with the quotas above, and bk_stop() with the DEALERs. */
void sec_start(void);
void sec_stop(void);

/* The input and output types of a full method name, from the generated
 * service descriptors; asserts the broker's services have it. */
const ProtobufCMethodDescriptor *sec_method(const char *method);

/* Whether a method streams (the broker's three streaming methods). */
int sec_streaming(const char *method);

/* Calls method with req on c. A stream is opened and ended after its
 * first frame, or after 300 ms without one. Returns the call's code with
 * st; a stream that opened and was ended by the test is SYND_OK. */
synd_code sec_call(synd_client *c, const char *method, const ProtobufCMessage *req,
                   synd_status *st);

/* A raw DEALER of the harness identity who, in the test's ZeroMQ context
 * (closed by sec_stop()). */
void *sec_dealer(harness_who who);

/* Sends an envelope with call_id, method, payload (raw bytes) and
 * idempotency key (NULL: none) on d. */
void sec_send(void *d, uint64_t call_id, const char *method, const uint8_t *payload, size_t len,
              const char *idem_key);

/* Receives frames on d until the final frame (one with a status) of
 * call_id, within 10 s; asserts it came. Free with
 * synd__v1__envelope__free_unpacked(). */
Synd__V1__Envelope *sec_final(void *d, uint64_t call_id);

/* sec_send() then sec_final(): the status of one raw call. */
synd_code sec_raw(void *d, uint64_t call_id, const char *method, const uint8_t *payload, size_t len,
                  synd_status *st);

/* Hand-encoded protobuf, for bytes no encoder would make. */
typedef struct sec_wire {
    uint8_t *b;
    size_t n, cap;
} sec_wire;

void sec_put_varint(sec_wire *w, uint64_t v);
void sec_put_int(sec_wire *w, unsigned field, uint64_t v);
void sec_put_len(sec_wire *w, unsigned field, const void *p, size_t n);
void sec_wire_free(sec_wire *w);

/* Waits (BK_WAIT_MS) for an audit record from from_ms on by bank, of
 * method (the short name, or "(frame)"), with code and a detail holding
 * needle; asserts it comes. */
void sec_expect_audited(int64_t from_ms, const char *bank, const char *method, synd_code code,
                        const char *needle);

/* Counts the audit records from from_ms on by bank with code. */
size_t sec_audited(int64_t from_ms, const char *bank, synd_code code);

/* Asserts the broker still serves another bank: CIB's health check is
 * SERVING and its ListBanks answers. */
void sec_expect_serving(void);

/* Asserts a call returned code with a message holding needle. */
#define sec_expect_refused(got, st, want, needle) bk_expect_refused(got, st, want, needle)

#endif
