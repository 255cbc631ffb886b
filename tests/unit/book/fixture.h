/* Shared fixtures of the book tests: a realistic valid book, small books
 * for hand-worked allocations, and an assertion on refusals. */
#ifndef SYND_TEST_BOOK_FIXTURE_H
#define SYND_TEST_BOOK_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "book/allocate.h"
#include "book/bid.h"
#include "book/terms.h"

#define NOW  1700000000000LL /* a fixed "now", unix ms */
#define UNIT 1000000LL       /* the default allocation unit, ¥10,000 in fen */
#define U(x) ((int64_t)(x)*UNIT)

/* Asserts that a check returned code and that its message names the rule
 * (or contains whatever text is given). */
#define assert_refused(rc, want, st, text)                                                         \
    do {                                                                                           \
        cr_assert_eq((rc), (want), "code %d, want %d: %s", (int)(rc), (int)(want), (st).message);  \
        cr_assert(strstr((st).message, (text)) != NULL, "message \"%s\" lacks \"%s\"",             \
                  (st).message, (text));                                                           \
    } while (0)

/* A ¥3bn, 60-month book at LPR 5Y + [20, 80] bps for a manufacturing
 * borrower, one lead holding ¥600m (20%), the three allowed fees, closing
 * an hour after NOW. */
void fx_terms(book_terms *t);

/* A book of facility_u units of ¥10,000 with n_leads leads "L1", "L2", ...
 * holding holds_u units each, a minimum ticket of min_ticket_u units, the
 * spread band [0, 100] bps, pro-rata and underwritten. */
void fx_small(book_terms *t, int64_t facility_u, int64_t min_ticket_u, size_t n_leads,
              const int64_t *holds_u);

/* A bid of amount_u units. */
book_bid fx_bid(const char *bank_id, int64_t amount_u, int32_t spread_bps, uint64_t seq);

/* The line of bank_id in a, failing the test if there is none. */
const book_share *fx_share(const book_allocation *a, const char *bank_id);

/* Allocates with the default rules, asserting the call itself succeeds. */
void fx_allocate(const book_terms *t, const book_bid *bids, size_t n, const int64_t *bid_headroom,
                 const int64_t *lead_headroom, book_allocation *out);

#endif
