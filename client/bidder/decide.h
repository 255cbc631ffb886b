/* The bidder's decision on one announced book: pure code, no I/O, so every
 * branch is tested without a broker. */
#ifndef SYND_BIDDER_DECIDE_H
#define SYND_BIDDER_DECIDE_H

#include <stdint.h>

#include "bidder/policy.h"
#include "synd/v1/syndication.pb-c.h"

/* The allocation unit of a book whose terms leave it at 0: ¥10,000. */
#define BIDDER_DEFAULT_UNIT_FEN 1000000LL

typedef enum bidder_action { BIDDER_SKIP, BIDDER_BID } bidder_action;

typedef struct bidder_decision {
    bidder_action action;
    int64_t amount_fen; /* BIDDER_BID: a whole number of the book's units */
    int32_t spread_bps; /* BIDDER_BID: within the book's price talk */
    /* One log line's worth: "skip BK-3: industry C3011 not in appetite" or
     * "bid BK-3: ... (bound by ...)", naming the setting or term that
     * decided it. */
    char reason[384];
} bidder_decision;

/* Decides what bank bank_id bids on book, as announced by WatchBooks,
 * given policy p and the bank's remaining headroom_fen for the book's
 * borrower (from GetHeadroom). The checks, in order: the bank is not one
 * of the book's leads; the book's industry falls under an appetite entry;
 * its tenor is within max_tenor_months; max(floor, min_spread_bps) is not
 * above the cap; then the amount, min(max_ticket_fen, every matching
 * appetite entry's max_ticket_fen, headroom * headroom_share_bps / 10000,
 * the facility), rounded down to the book's unit, is at least one unit and
 * the book's minimum ticket. Arithmetic is exact for any int64 input. The
 * amount never grows as headroom shrinks, so a book skipped with INT64_MAX
 * headroom is skipped with any. */
void bidder_decide(const bidder_policy *p, const char *bank_id, const Synd__V1__Book *book,
                   int64_t headroom_fen, bidder_decision *d);

#endif
