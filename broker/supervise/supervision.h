/* synd.v1.Supervision: what supervisors read, live and on demand.
 *
 * Every method needs the supervisor role (PERMISSION_DENIED otherwise,
 * naming the role needed and the caller's) and only reads:
 * - GetBorrowerExposure: the borrower's lenders (largest first, ties by
 *   bank id) with their shares, its total, joint limit, use of it, number
 *   of lending banks and the HHI of their shares. NOT_FOUND for a borrower
 *   not in the registry, INVALID_ARGUMENT for a malformed code.
 * - GetBankExposure: the bank's exposure per borrower and per connected
 *   group (largest first, ties by id) as ratios to its net capital and
 *   net tier-1 capital, and its ten largest borrowers' ratio to net
 *   capital. NOT_FOUND for a bank not in the registry.
 * - TopConcentrations: the n (default 10, at most 100) borrowers with the
 *   highest use of their joint limit (those without a limit after, by
 *   total), and the n (bank, borrower) pairs with the highest ratio to the
 *   bank's net capital.
 * - WatchSupervision: the live feed (supervise/events.h).
 * - GetAuditLog: the trail from from_ms to to_ms (0: now), both
 *   inclusive, by the time of the records' stream ids (which Redis
 *   stamps; each record's time_ms is the broker's), oldest first, at most
 *   limit records (default 1000, at most 10,000), and no more than one
 *   reply frame holds. Or, with after_id, the records after that stream id
 *   to to_ms (0: the end of the trail): a client pages on from the last
 *   record's id. Each record comes with its prev and hash, and the reply
 *   with the chain's base and head read with the records, so a client can
 *   check the whole chain (syndctl audit verify). from_ms with after_id,
 *   or an after_id that is not a stream id, is INVALID_ARGUMENT.
 * A negative n, limit or time is INVALID_ARGUMENT; one above its maximum
 * is cut to it. Redis down is UNAVAILABLE. */
#ifndef SYND_SUPERVISE_SUPERVISION_H
#define SYND_SUPERVISE_SUPERVISION_H

#include <protobuf-c/protobuf-c.h>

#include "ledger/ledger.h"
#include "supervise/events.h"

#define SUPERVISION_TOP_DEFAULT   10
#define SUPERVISION_TOP_MAX       100
#define SUPERVISION_AUDIT_DEFAULT 1000
#define SUPERVISION_AUDIT_MAX     10000

typedef struct supervision supervision;

/* The service; l and e are borrowed. NULL if out of memory. */
supervision *supervision_new(ledger *l, events *e);

/* Frees the service. Free the ledger (its pending reads call back) and
 * the server first. */
void supervision_free(supervision *s);

ProtobufCService *supervision_service(supervision *s);

#endif
