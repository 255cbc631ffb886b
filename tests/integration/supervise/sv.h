/* The supervision integration-test fixture, on top of the books fixture
 * (its cast of banks, registry, Redis and broker): the synd.v1.Supervision
 * calls as any member of the cast, WatchSupervision streams run by threads
 * of their own, a second supervisor identity, and the scripted scenario
 * the figures are checked against.
 *
 * Replies are kept until sv_stop(). */
#ifndef SYND_TEST_SUPERVISE_SV_H
#define SYND_TEST_SUPERVISE_SV_H

#include <stddef.h>
#include <stdint.h>

#include "fixture.h"
#include "synd/v1/supervision.pb-c.h"

#define SV_METHOD(m) "/synd.v1.Supervision/" m

typedef Synd__V1__SupervisionEvent sv_event;

#define SV_SNAPSHOT     SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT
#define SV_SNAPSHOT_END SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT_END
#define SV_EXPOSURE     SYND__V1__SUPERVISION_EVENT__KIND__EXPOSURE_CHANGE
#define SV_BLOCKED      SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED

/* bk_start() and bk_stop(), with this fixture's streams and replies. */
void sv_start(void);
void sv_stop(void);

/* One unary call as who; on SYND_OK *out (if not NULL) is the reply,
 * kept until sv_stop(). */
synd_code sv_call(bk_who who, const char *method, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *type, void *out, synd_status *st);

/* The Supervision calls as who. */
synd_code sv_borrower(bk_who who, const char *code, Synd__V1__GetBorrowerExposureResponse **out,
                      synd_status *st);
synd_code sv_bank(bk_who who, const char *bank, Synd__V1__GetBankExposureResponse **out,
                  synd_status *st);
synd_code sv_top(bk_who who, int32_t n, Synd__V1__TopConcentrationsResponse **out, synd_status *st);
synd_code sv_audit(bk_who who, int64_t from_ms, int64_t to_ms, int32_t limit,
                   Synd__V1__GetAuditLogResponse **out, synd_status *st);

/* The same as the supervisor NFRA, asserting SYND_OK. */
Synd__V1__GetBorrowerExposureResponse *sv_borrower_ok(const char *code);
Synd__V1__GetBankExposureResponse *sv_bank_ok(const char *bank);
Synd__V1__TopConcentrationsResponse *sv_top_ok(int32_t n);

/* The audit records from from_ms on, once there are at least n of them
 * (waits up to BK_WAIT_MS; appends are asynchronous). */
Synd__V1__GetAuditLogResponse *sv_audit_wait(int64_t from_ms, size_t n);

/* The scenario: two books, each ¥1,000m with ICBC the lead holding
 * ¥150m, allocated exactly as bid:
 *   book 1, borrower A (group FJLE): BOC-SH ¥500m, CIB ¥350m;
 *   book 2, borrower B (group SZG):  CMB ¥550m, CIB ¥300m.
 * Writes the two book ids to books (if not NULL). */
void sv_scenario(const char *books[2]);

/* The supervisor identities: NFRA, whose key the harness made, and CSRC,
 * which sv_second_supervisor() adds. */
typedef enum sv_super { SV_NFRA, SV_CSRC } sv_super;

/* Registers a second supervisor, CSRC: stops the broker, adds the bank
 * and its key to the registry file and starts the broker again. */
void sv_second_supervisor(void);

/* A WatchSupervision stream of who's on a connection of its own, run by a
 * thread, collecting every event. Returns once the broker holds it. */
typedef struct sv_watcher sv_watcher;

sv_watcher *sv_watch(sv_super who, int snapshot);

/* Ends the stream from the client's side and waits for its thread. */
void sv_unwatch(sv_watcher *w);

/* Events received so far, and event i of them (valid until sv_stop()). */
size_t sv_watch_count(sv_watcher *w);
const sv_event *sv_watch_event(sv_watcher *w, size_t i);

/* Waits (BK_WAIT_MS) until the stream holds at least n events. */
void sv_watch_wait_count(sv_watcher *w, size_t n);

/* Waits (BK_WAIT_MS) for a BLOCKED event of method by bank; returns its
 * index. */
size_t sv_watch_wait_blocked(sv_watcher *w, const char *bank, const char *method);

#endif
