/* libFuzzer target: the Supervision requests, validated without side
 * effects. The input is two option bytes, then the payload: byte 0 picks
 * the caller, byte 1 the method. The payload is decoded as the server
 * decodes it, the matrix asked (only a supervisor reads these), and a
 * supervisor's request gets the handler's pure checks. What passes must
 * ask for something bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/uscc.h"
#include "fuzz_common.h"
#include "supervise/checks.h"
#include "supervise/supervision.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs the pure check of the method named name on m, and aborts if what
 * passes is unbounded. WatchSupervision has a flag only, nothing to check. */
static void check(const char *name, const ProtobufCMessage *m)
{
    synd_status st;
    int64_t to;
    size_t n;

    if (strcmp(name, "GetBorrowerExposure") == 0) {
        const Synd__V1__GetBorrowerExposureRequest *r = (const void *)m;
        if (supervision_check_borrower_exposure(r, &st) == SYND_OK &&
            book_uscc_check(r->borrower_code, &st) != SYND_OK)
            abort();
    } else if (strcmp(name, "GetBankExposure") == 0) {
        const Synd__V1__GetBankExposureRequest *r = (const void *)m;
        if (supervision_check_bank_exposure(r, &st) == SYND_OK &&
            (r->bank_id[0] == '\0' || strlen(r->bank_id) >= REGISTRY_MAX_ID))
            abort();
    } else if (strcmp(name, "TopConcentrations") == 0) {
        if (supervision_check_top((const void *)m, &n, &st) == SYND_OK &&
            (n == 0 || n > SUPERVISION_TOP_MAX))
            abort();
    } else if (strcmp(name, "GetAuditLog") == 0) {
        if (supervision_check_audit_log((const void *)m, FUZZ_NOW_MS, &to, &n, &st) == SYND_OK &&
            (n == 0 || n > SUPERVISION_AUDIT_MAX || to < 0))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ProtobufCServiceDescriptor *d = &synd__v1__supervision__descriptor;
    const registry_identity *who;
    const ProtobufCMethodDescriptor *md;
    ProtobufCMessage *m;
    char method[128];

    if (size < 2)
        return 0;
    who = &fuzz_callers[data[0] % FUZZ_N_CALLERS];
    md = &d->methods[data[1] % d->n_methods];
    if ((m = fuzz_decode(md->input, data + 2, size - 2)) == NULL)
        return 0;
    snprintf(method, sizeof(method), "/%s/%s", d->name, md->name);
    if (fuzz_allowed(method, who) != (who->role == ROLE_SUPERVISOR))
        abort();
    if (who->role == ROLE_SUPERVISOR)
        check(md->name, m);
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
