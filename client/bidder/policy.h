/* The bidding policy of one participant bank, read from a libconfig file:
 *
 *   appetite = ( { industry = "C"; },
 *                { industry = "C30"; max_ticket_fen = 30000000000L; } );
 *   max_ticket_fen = 50000000000L;  # largest ticket overall
 *   min_spread_bps = 40;            # lowest spread it accepts
 *   headroom_share_bps = 5000;      # share of remaining headroom per book
 *   max_tenor_months = 120;         # optional
 *
 * Amounts are int64 fen and must carry libconfig's L suffix: libconfig 1.5
 * silently truncates a plain integer above 2^31, so a ticket written
 * without it could be read as a different, plausible number. */
#ifndef SYND_BIDDER_POLICY_H
#define SYND_BIDDER_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "book/terms.h"
#include "synd/status.h"

#define BIDDER_MAX_APPETITE 64 /* appetite entries a policy may list */

/* One industry the bank lends to: a GB/T 4754 code or prefix, stored in
 * canonical form ("30" is kept as "C30"), and an optional cap. */
typedef struct bidder_appetite {
    char industry[BOOK_INDUSTRY_MAX];
    int64_t max_ticket_fen; /* 0: only the overall cap applies */
} bidder_appetite;

typedef struct bidder_policy {
    size_t n_appetite;
    bidder_appetite appetite[BIDDER_MAX_APPETITE];
    int64_t max_ticket_fen;     /* largest ticket on any book */
    int32_t min_spread_bps;     /* lowest spread over the reference rate */
    int32_t headroom_share_bps; /* of the remaining headroom, 1..10000 */
    int32_t max_tenor_months;   /* 0: any tenor */
} bidder_policy;

/* Reads and checks the policy file at path into p. Returns SYND_OK, or
 * SYND_INVALID_ARGUMENT with a message "path:line: setting ..." naming
 * what to fix (SYND_NOT_FOUND if the file cannot be read). */
synd_code bidder_policy_load(const char *path, bidder_policy *p, synd_status *st);

#endif
