/* A participant's bid and the checks it passes before it is taken. */
#ifndef SYND_BOOK_BID_H
#define SYND_BOOK_BID_H

#include <stdint.h>

#include "book/state.h"
#include "book/terms.h"
#include "synd/status.h"

typedef struct book_bid {
    char bank_id[BOOK_MAX_ID]; /* from the caller's key, never from the payload */
    int64_t amount_fen;
    int32_t spread_bps; /* over the book's reference rate */
    uint64_t seq;       /* submission order within the book; earlier wins ties */
} book_bid;

/* Checks that a book in state s, closing at t->close_ms, takes bids (or
 * their withdrawal) at now_ms. Returns SYND_OK or SYND_FAILED_PRECONDITION
 * (rule: bidding window). */
synd_code book_bidding_open(const book_terms *t, book_state s, int64_t now_ms, synd_status *st);

/* Checks bid b on a book with valid terms t in state s at now_ms: the
 * bidding window and the bidder not being a lead of the book
 * (SYND_FAILED_PRECONDITION), then the amount and spread
 * (SYND_INVALID_ARGUMENT). Returns SYND_OK when the bid may be taken. */
synd_code book_bid_check(const book_terms *t, book_state s, const book_bid *b, int64_t now_ms,
                         synd_status *st);

#endif
