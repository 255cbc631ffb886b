/* Checks on a participant's bid: first whether the book takes bids at all
 * and from this bank (a rule blocking the request), then the bid itself
 * (bad input). */
#include <inttypes.h>

#include "book/internal.h"

synd_code book_bidding_open(const book_terms *t, book_state s, int64_t now_ms, synd_status *st)
{
    if (s != BOOK_OPEN)
        return synd_status_set(st, SYND_FAILED_PRECONDITION,
                               "the book is %s; bids are taken only while it is OPEN (rule: "
                               "bidding window)",
                               book_state_name(s));
    if (now_ms >= t->close_ms)
        return synd_status_set(st, SYND_FAILED_PRECONDITION,
                               "the book closed at %" PRId64 " (now %" PRId64
                               "); bids must arrive before the close time (rule: bidding window)",
                               t->close_ms, now_ms);
    return SYND_OK;
}

/* The amount: whole units, at least the minimum ticket, at most the
 * facility. */
static synd_code check_amount(const book_terms *t, const book_bid *b, synd_status *st)
{
    if (b->amount_fen <= 0 || b->amount_fen % t->unit_fen != 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "bid of %s is not a positive whole number of allocation units of "
                               "%s (rule: allocation unit)",
                               book_money(b->amount_fen).s, book_money(t->unit_fen).s);
    if (b->amount_fen < t->min_ticket_fen)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "bid of %s is below the minimum ticket of %s (rule: minimum "
                               "ticket)",
                               book_money(b->amount_fen).s, book_money(t->min_ticket_fen).s);
    if (b->amount_fen > t->facility_fen)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "bid of %s is above the facility of %s (rule: bid within the "
                               "facility)",
                               book_money(b->amount_fen).s, book_money(t->facility_fen).s);
    return SYND_OK;
}

synd_code book_bid_check_terms(const book_terms *t, const book_bid *b, synd_status *st)
{
    if (!book_text_ok(b->bank_id, BOOK_MAX_ID))
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "a bid needs a bank id of 1 to %d characters (rule: bidder)",
                               BOOK_MAX_ID - 1);
    if (book_lead_index(t, b->bank_id) >= 0)
        return synd_status_set(st, SYND_FAILED_PRECONDITION,
                               "bank %s is a lead of this book; banks may not bid on their own "
                               "book as participants (rule: own book)",
                               b->bank_id);
    synd_code rc = check_amount(t, b, st);
    if (rc != SYND_OK)
        return rc;
    if (b->spread_bps < t->spread_floor_bps || b->spread_bps > t->spread_cap_bps)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "bid spread of %d bps is outside the price talk band [%d, %d] bps "
                               "over %s (rule: spread band)",
                               (int)b->spread_bps, (int)t->spread_floor_bps, (int)t->spread_cap_bps,
                               book_ref_rate_name(t->ref_rate));
    return SYND_OK;
}

synd_code book_bid_check(const book_terms *t, book_state s, const book_bid *b, int64_t now_ms,
                         synd_status *st)
{
    synd_code rc = book_bidding_open(t, s, now_ms, st);

    if (rc != SYND_OK)
        return rc;
    return book_bid_check_terms(t, b, st);
}
