/* The pure checks of the Supervision requests. */
#include <string.h>

#include "book/uscc.h"
#include "registry.h"
#include "supervise/checks.h"
#include "supervise/supervision.h"

synd_code supervision_check_borrower_exposure(const Synd__V1__GetBorrowerExposureRequest *in,
                                              synd_status *st)
{
    return book_uscc_check(in->borrower_code, st);
}

synd_code supervision_check_bank_exposure(const Synd__V1__GetBankExposureRequest *in,
                                          synd_status *st)
{
    if (in->bank_id[0] == '\0' || strlen(in->bank_id) >= REGISTRY_MAX_ID)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "bank_id must be 1-%d characters",
                               REGISTRY_MAX_ID - 1);
    return SYND_OK;
}

synd_code supervision_check_top(const Synd__V1__TopConcentrationsRequest *in, size_t *n,
                                synd_status *st)
{
    if (in->n < 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "n may not be negative (0 asks for %d)",
                               SUPERVISION_TOP_DEFAULT);
    *n = in->n == 0 ? SUPERVISION_TOP_DEFAULT
                    : (size_t)(in->n < SUPERVISION_TOP_MAX ? in->n : SUPERVISION_TOP_MAX);
    return SYND_OK;
}

synd_code supervision_check_audit_log(const Synd__V1__GetAuditLogRequest *in, int64_t now_ms,
                                      int64_t *to_ms, size_t *limit, synd_status *st)
{
    int after = in->after_id != NULL && in->after_id[0] != '\0';

    *to_ms = in->to_ms ? in->to_ms : now_ms;
    if (in->from_ms < 0 || in->to_ms < 0 || in->limit < 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "from_ms, to_ms and limit may not be negative");
    if (after && in->from_ms != 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "give from_ms or after_id, not both");
    if (!after && in->from_ms > *to_ms)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "from_ms %lld is after to_ms %lld",
                               (long long)in->from_ms, (long long)*to_ms);
    *limit = in->limit == 0
                 ? SUPERVISION_AUDIT_DEFAULT
                 : (size_t)(in->limit < SUPERVISION_AUDIT_MAX ? in->limit : SUPERVISION_AUDIT_MAX);
    return SYND_OK;
}
