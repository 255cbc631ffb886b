/* A participant's bid: the bidding window, the own-book rule, and the
 * amount and spread, each refusal naming its rule. */
#include <criterion/criterion.h>

#include "book/bid.h"
#include "fixture.h"

static book_terms T;
static book_bid B;
static synd_status st;

/* A valid ¥100m bid at 50 bps on the fixture book (min ticket ¥50m). */
static void setup(void)
{
    fx_terms(&T);
    B = fx_bid("CCB", 10000, 50, 1);
    memset(&st, 0, sizeof(st));
}

static synd_code check(void)
{
    return book_bid_check(&T, BOOK_OPEN, &B, NOW, &st);
}

TestSuite(bid, .init = setup);

Test(bid, valid_bid_passes)
{
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(bid, book_must_be_open)
{
    static const book_state others[] = {BOOK_CLOSED, BOOK_ALLOCATED, BOOK_CANCELLED, BOOK_FAILED};

    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        assert_refused(book_bid_check(&T, others[i], &B, NOW, &st), SYND_FAILED_PRECONDITION, st,
                       "bids are taken only while it is OPEN (rule: bidding window)");
    assert_refused(book_bid_check(&T, BOOK_CLOSED, &B, NOW, &st), SYND_FAILED_PRECONDITION, st,
                   "the book is CLOSED");
}

/* The close time itself is already too late: bids arrive before it. */
Test(bid, bids_after_the_close_time)
{
    cr_assert_eq(book_bid_check(&T, BOOK_OPEN, &B, T.close_ms - 1, &st), SYND_OK);
    assert_refused(book_bid_check(&T, BOOK_OPEN, &B, T.close_ms, &st), SYND_FAILED_PRECONDITION, st,
                   "before the close time (rule: bidding window)");
    assert_refused(book_bid_check(&T, BOOK_OPEN, &B, T.close_ms + 1, &st), SYND_FAILED_PRECONDITION,
                   st, "rule: bidding window");
    /* An invalid bid after the close is still told about the close first. */
    B.amount_fen = 0;
    assert_refused(book_bid_check(&T, BOOK_OPEN, &B, T.close_ms, &st), SYND_FAILED_PRECONDITION, st,
                   "rule: bidding window");
}

Test(bid, bidding_open_alone)
{
    cr_assert_eq(book_bidding_open(&T, BOOK_OPEN, NOW, &st), SYND_OK);
    assert_refused(book_bidding_open(&T, BOOK_CANCELLED, NOW, &st), SYND_FAILED_PRECONDITION, st,
                   "the book is CANCELLED");
}

Test(bid, lead_may_not_bid_on_its_own_book)
{
    strcpy(B.bank_id, "ICBC");
    assert_refused(check(), SYND_FAILED_PRECONDITION, st,
                   "banks may not bid on their own book as participants (rule: own book)");
}

Test(bid, bank_id_needed)
{
    B.bank_id[0] = '\0';
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: bidder");
}

Test(bid, amount_in_whole_units)
{
    B.amount_fen = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: allocation unit");
    B.amount_fen = -U(10000);
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: allocation unit");
    B.amount_fen = U(10000) + 100;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "bid of ¥100,000,001.00 is not a positive whole number of allocation units "
                   "of ¥10,000.00");
}

Test(bid, minimum_ticket)
{
    B.amount_fen = T.min_ticket_fen - UNIT;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "bid of ¥49,990,000.00 is below the minimum ticket of ¥50,000,000.00 "
                   "(rule: minimum ticket)");
    B.amount_fen = T.min_ticket_fen;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(bid, within_the_facility)
{
    B.amount_fen = T.facility_fen + UNIT;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: bid within the facility");
    B.amount_fen = T.facility_fen;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(bid, spread_band)
{
    B.spread_bps = 19;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "bid spread of 19 bps is outside the price talk band [20, 80] bps over LPR_5Y "
                   "(rule: spread band)");
    B.spread_bps = 81;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: spread band");
    B.spread_bps = 20;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
    B.spread_bps = 80;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}
