/* The pure checks of the Supervision requests: what each handler checks
 * of a request before it asks the ledger, as functions of the request and
 * the time alone, so that the fuzzers reach them without a broker. */
#ifndef SYND_SUPERVISE_CHECKS_H
#define SYND_SUPERVISE_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "synd/status.h"
#include "synd/v1/supervision.pb-c.h"

/* GetBorrowerExposure: a unified social credit code with its check
 * character. */
synd_code supervision_check_borrower_exposure(const Synd__V1__GetBorrowerExposureRequest *in,
                                              synd_status *st);

/* GetBankExposure: a bank id of 1 to REGISTRY_MAX_ID - 1 characters. */
synd_code supervision_check_bank_exposure(const Synd__V1__GetBankExposureRequest *in,
                                          synd_status *st);

/* TopConcentrations: n not negative; *n is how many of each to list
 * (0 asks for SUPERVISION_TOP_DEFAULT, at most SUPERVISION_TOP_MAX). */
synd_code supervision_check_top(const Synd__V1__TopConcentrationsRequest *in, size_t *n,
                                synd_status *st);

/* GetAuditLog at now_ms: no negative time or limit, from_ms or after_id
 * but not both, and from_ms not after to_ms. *to_ms is to_ms, or now_ms
 * for 0; *limit the records to read (0 asks for SUPERVISION_AUDIT_DEFAULT,
 * at most SUPERVISION_AUDIT_MAX). Whether after_id is a stream id is the
 * ledger's to say. */
synd_code supervision_check_audit_log(const Synd__V1__GetAuditLogRequest *in, int64_t now_ms,
                                      int64_t *to_ms, size_t *limit, synd_status *st);

#endif
