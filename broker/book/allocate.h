/* The allocation at a book's close, as DESIGN.md "Allocation at the close"
 * gives it; ALLOCATION.md and the comment at the top of allocate.c state the
 * rules this code adds (the minimum-ticket rule, the clearing spread, how
 * co-leads split an underwritten shortfall).
 *
 * book_allocate() is deterministic: the same terms, bids and headroom give
 * the same result whatever the order of the bids, so that the result can be
 * recomputed from the audit trail. */
#ifndef SYND_BOOK_ALLOCATE_H
#define SYND_BOOK_ALLOCATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book/bid.h"
#include "book/terms.h"
#include "synd/status.h"

/* Bids one allocation takes, far above any syndicate. The minimum-ticket
 * rule drops one bid per round, so a book where nearly every bid is dropped
 * costs rounds times bids: 4,096 such bids take about half a second. */
#define BOOK_MAX_BIDS 4096

/* What the allocation starts from. Headroom is what a bank may still lend
 * to this borrower under its exposure limits, in fen: INT64_MAX is
 * unlimited and a negative figure counts as zero. */
typedef struct book_alloc_input {
    const book_rules *rules;
    const book_terms *terms; /* valid terms; the close time is not checked */
    const book_bid *bids;    /* live bids, at most one per bank, none by a lead */
    size_t n_bids;
    const int64_t *bid_headroom;  /* n_bids entries, bid i's bank; NULL: unlimited */
    const int64_t *lead_headroom; /* terms->n_leads entries; NULL: unlimited */
} book_alloc_input;

typedef enum book_outcome { BOOK_OUTCOME_ALLOCATED = 1, BOOK_OUTCOME_FAILED = 2 } book_outcome;

/* One bank's line of the result. */
typedef struct book_share {
    char bank_id[BOOK_MAX_ID];
    bool lead;
    int64_t asked_fen;        /* the bid, or a lead's hold */
    int32_t spread_bps;       /* the bid's spread; 0 for a lead */
    uint64_t seq;             /* the bid's sequence number; the lead's index for a lead */
    int64_t alloc_fen;        /* the share; 0 for every bank if the book failed */
    int64_t underwritten_fen; /* a lead's part of the shortfall, inside alloc_fen */
    bool dropped;             /* cut to zero by the minimum-ticket rule */
} book_share;

/* The result: the leads in the terms' order, then the bidders by bank id. */
typedef struct book_allocation {
    book_outcome outcome;
    int64_t facility_fen;        /* final facility, the sum of alloc_fen; 0 if failed */
    int32_t clearing_spread_bps; /* the spread every lender is paid */
    int64_t shortfall_fen;       /* underwritten by the leads, or cut (best efforts) */
    size_t n_shares;
    book_share *shares;
    char reason[512]; /* why the book failed; empty if allocated */
} book_allocation;

/* Allocates the book. Returns SYND_OK with out filled, whether the book is
 * ALLOCATED or FAILED (out->reason then names the rule that failed it).
 * Returns SYND_INVALID_ARGUMENT, with out cleared, if the input breaks its
 * contract (invalid terms or bids, two bids from one bank, a lead bidding,
 * more than BOOK_MAX_BIDS), and SYND_RESOURCE_EXHAUSTED if out of memory.
 * Release out with book_allocation_free() in every case. */
synd_code book_allocate(const book_alloc_input *in, book_allocation *out, synd_status *st);

/* The result of a book that cannot be placed for a reason outside the
 * allocation (a borrower's joint credit limit): FAILED with reason, every
 * bank listed at zero. Returns as book_allocate() does. */
synd_code book_allocation_fail(const book_alloc_input *in, const char *reason,
                               book_allocation *out, synd_status *st);

/* Releases what book_allocate() put in a; a cleared a is fine. */
void book_allocation_free(book_allocation *a);

/* "ALLOCATED", "FAILED"; "?" outside the enum. */
const char *book_outcome_name(book_outcome o);

#endif
