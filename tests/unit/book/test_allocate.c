/* Allocation on hand-worked books. Amounts are in units of ¥10,000; the
 * arithmetic of each case is written out above it. Unless a case says
 * otherwise: facility 100, lead L1 holding 20, so the participants share
 * 80; minimum ticket 1; pro-rata; underwritten. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "book/allocate.h"
#include "fixture.h"

static book_terms T;
static book_allocation A;

static void setup(void)
{
    static const int64_t hold[] = {20};

    fx_small(&T, 100, 1, 1, hold);
    memset(&A, 0, sizeof(A));
}

static void teardown(void)
{
    book_allocation_free(&A);
}

TestSuite(allocate, .init = setup, .fini = teardown);

/* Asserts bank_id was allocated exactly units. */
static void expect(const char *bank_id, int64_t units)
{
    const book_share *s = fx_share(&A, bank_id);

    cr_assert_eq(s->alloc_fen, U(units), "%s got %lld fen, want %lld units", bank_id,
                 (long long)s->alloc_fen, (long long)units);
}

static void expect_allocated(int64_t facility_u)
{
    cr_assert_eq(A.outcome, BOOK_OUTCOME_ALLOCATED, "failed: %s", A.reason);
    cr_assert_eq(A.facility_fen, U(facility_u));
    cr_assert_str_eq(A.reason, "");
}

/* Asserts the book failed naming text, with every share zero. */
static void expect_failed(const char *text)
{
    cr_assert_eq(A.outcome, BOOK_OUTCOME_FAILED);
    cr_assert(strstr(A.reason, text) != NULL, "reason \"%s\" lacks \"%s\"", A.reason, text);
    cr_assert_eq(A.facility_fen, 0);
    for (size_t i = 0; i < A.n_shares; i++)
        cr_assert_eq(A.shares[i].alloc_fen, 0);
}

/* Bids 50 + 30 + 20 = 100 for 80: ratio 4/5 gives 40, 24, 16 exactly. The
 * clearing spread is the highest allocated, C's 50 bps. */
Test(allocate, pro_rata_exact_ratio)
{
    book_bid b[] = {fx_bid("A", 50, 30, 1), fx_bid("B", 30, 40, 2), fx_bid("C", 20, 50, 3)};

    fx_allocate(&T, b, 3, NULL, NULL, &A);
    expect_allocated(100);
    expect("L1", 20);
    expect("A", 40);
    expect("B", 24);
    expect("C", 16);
    cr_assert_eq(A.clearing_spread_bps, 50);
    cr_assert_eq(A.shortfall_fen, 0);
}

/* Three bids of 45 for 80: each 45 * 80 / 135 = 26 remainder 90/135. The
 * 80 - 78 = 2 leftover units go to the earliest bids, B (seq 1) and C
 * (seq 2). The result lists the lead, then the bidders by id. */
Test(allocate, leftover_ties_go_to_the_earlier_bid)
{
    book_bid b[] = {fx_bid("C", 45, 10, 2), fx_bid("A", 45, 10, 3), fx_bid("B", 45, 10, 1)};

    fx_allocate(&T, b, 3, NULL, NULL, &A);
    expect_allocated(100);
    expect("A", 26);
    expect("B", 27);
    expect("C", 27);
    cr_assert_eq(A.n_shares, 4);
    cr_assert_str_eq(A.shares[0].bank_id, "L1");
    cr_assert(A.shares[0].lead);
    cr_assert_str_eq(A.shares[1].bank_id, "A");
    cr_assert_str_eq(A.shares[2].bank_id, "B");
    cr_assert_str_eq(A.shares[3].bank_id, "C");
}

/* The same with one sequence number for all: the lower bank ids win. */
Test(allocate, then_to_the_lower_bank_id)
{
    book_bid b[] = {fx_bid("B1", 45, 10, 7), fx_bid("C1", 45, 10, 7), fx_bid("A1", 45, 10, 7)};

    fx_allocate(&T, b, 3, NULL, NULL, &A);
    expect("A1", 27);
    expect("B1", 27);
    expect("C1", 26);
}

/* Bids 30, 40, 50 = 120 for 80, ratio 2/3: A 20 exactly; B 3200/120 = 26
 * remainder 80; C 4000/120 = 33 remainder 40. One unit is left over and
 * goes to the largest remainder, B, although C bid earlier. */
Test(allocate, largest_remainder_before_seniority)
{
    book_bid b[] = {fx_bid("A", 30, 10, 3), fx_bid("B", 40, 10, 2), fx_bid("C", 50, 10, 1)};

    fx_allocate(&T, b, 3, NULL, NULL, &A);
    expect("A", 20);
    expect("B", 27);
    expect("C", 33);
}

/* Bids 60, 40, 20 = 120 for 80; A's headroom is 30 units and ¥5,000, so 30
 * units. At 2/3 A would get 40 > 30: A is held at 30 and B and C share the
 * other 50 by 40:20. B 2000/60 = 33 remainder 20, C 1000/60 = 16 remainder
 * 40; the leftover unit goes to C. */
Test(allocate, headroom_caps_and_the_rest_is_shared)
{
    book_bid b[] = {fx_bid("A", 60, 10, 1), fx_bid("B", 40, 10, 2), fx_bid("C", 20, 10, 3)};
    int64_t room[] = {U(30) + 500000, INT64_MAX, INT64_MAX};

    fx_allocate(&T, b, 3, room, NULL, &A);
    expect_allocated(100);
    expect("A", 30);
    expect("B", 33);
    expect("C", 17);
}

/* Bids 100, 6, 6 = 112 for 80: at 80/112 A would get 71.4, above the 70%
 * single-bank cap of 70 units. A is held at 70; B and C share 10 by 6:6,
 * 5 each. */
Test(allocate, single_bank_cap)
{
    book_bid b[] = {fx_bid("A", 100, 10, 1), fx_bid("B", 6, 10, 2), fx_bid("C", 6, 10, 3)};

    fx_allocate(&T, b, 3, NULL, NULL, &A);
    expect_allocated(100);
    expect("A", 70);
    expect("B", 5);
    expect("C", 5);
}

/* Minimum ticket 10. Bids A 100, B 10, C 10 = 120 for 80, ratio 2/3: 66,
 * 6, 6 with remainder 80/120 each; the 2 leftover units go to A and B (the
 * earlier bids): 67, 7, 6. B and C are below 10; C's 6 is the smallest and
 * is dropped. Again without C: A 100 + B 10 = 110 > 80, A would get 72.7
 * and is capped at 70, B gets the other 10, which meets the ticket. The
 * clearing spread leaves out C's 90 bps: nobody lends at it. */
Test(allocate, share_below_minimum_ticket_is_dropped_and_redistributed)
{
    static const int64_t hold[] = {20};
    fx_small(&T, 100, 10, 1, hold);
    book_bid b[] = {fx_bid("A", 100, 30, 1), fx_bid("B", 10, 40, 2), fx_bid("C", 10, 90, 3)};

    fx_allocate(&T, b, 3, NULL, NULL, &A);
    expect_allocated(100);
    expect("A", 70);
    expect("B", 10);
    expect("C", 0);
    cr_assert(fx_share(&A, "C")->dropped);
    cr_assert_not(fx_share(&A, "B")->dropped);
    cr_assert_eq(A.clearing_spread_bps, 40);
}

/* Facility 200, lead 40, participants 160, minimum ticket 20. Bids P1 200
 * (capped at 140), and two of 20: 240 for 160, ratio 2/3: 133, 13, 13, all
 * with remainder 80/240; the leftover unit goes to P1. The two 13s tie for
 * the drop; the later bid goes first. Without it P1 gets its 140 cap and
 * the other keeps 20. */
static void two_small_bids(uint64_t seq2, uint64_t seq3)
{
    static const int64_t hold[] = {40};
    fx_small(&T, 200, 20, 1, hold);
    book_bid b[] = {fx_bid("P1", 200, 10, 1), fx_bid("P2", 20, 10, seq2),
                    fx_bid("P3", 20, 10, seq3)};

    fx_allocate(&T, b, 3, NULL, NULL, &A);
    expect_allocated(200);
    expect("P1", 140);
}

Test(allocate, drop_tie_goes_against_the_later_bid)
{
    two_small_bids(2, 3);
    expect("P2", 20);
    expect("P3", 0);
    cr_assert(fx_share(&A, "P3")->dropped);
}

Test(allocate, drop_tie_then_against_the_higher_bank_id)
{
    two_small_bids(3, 2);
    expect("P2", 0);
    expect("P3", 20);
    book_allocation_free(&A);
    two_small_bids(1, 1); /* P1 shares seq 1 too: same order, by id */
    expect("P2", 20);
    expect("P3", 0);
}

/* Minimum ticket 10. A's headroom of 5 and C's negative headroom (counted
 * as none) leave both below the ticket: they are out from the start. B
 * alone gets its 50 of 80 and the lead underwrites the other 30. */
Test(allocate, headroom_below_the_ticket_is_out_from_the_start)
{
    static const int64_t hold[] = {20};
    fx_small(&T, 100, 10, 1, hold);
    book_bid b[] = {fx_bid("A", 100, 10, 1), fx_bid("B", 50, 10, 2), fx_bid("C", 50, 10, 3)};
    int64_t room[] = {U(5), INT64_MAX, -U(1)};

    fx_allocate(&T, b, 3, room, NULL, &A);
    cr_assert(fx_share(&A, "A")->dropped);
    cr_assert(fx_share(&A, "C")->dropped);
    expect_allocated(100);
    expect("B", 50);
    expect("L1", 50);
}

/* Price priority for 80. A 30 @40 and B 30 @50 fit whole (20 left); the
 * 60 bps group, C 40 and D 20, wants 60 for 20: ratio 1/3, C 800/60 = 13
 * remainder 20, D 400/60 = 6 remainder 40, the leftover unit to D. E at 70
 * is not reached. Everyone is paid the clearing spread, 60 bps. */
static book_bid price_bids[] = {
    {"A", U(30), 40, 1}, {"B", U(30), 50, 2}, {"C", U(40), 60, 3},
    {"D", U(20), 60, 4}, {"E", U(30), 70, 5},
};

Test(allocate, price_priority_with_a_clearing_spread)
{
    T.method = BOOK_PRICE_PRIORITY;
    fx_allocate(&T, price_bids, 5, NULL, NULL, &A);
    expect_allocated(100);
    expect("A", 30);
    expect("B", 30);
    expect("C", 13);
    expect("D", 7);
    expect("E", 0);
    cr_assert_eq(A.clearing_spread_bps, 60);
    cr_assert_not(fx_share(&A, "E")->dropped, "E was not reached, not dropped");
}

/* The same with a minimum ticket of 10: D's 7 is dropped and C takes the
 * whole 20. */
Test(allocate, price_priority_min_ticket)
{
    static const int64_t hold[] = {20};
    fx_small(&T, 100, 10, 1, hold);
    T.method = BOOK_PRICE_PRIORITY;
    fx_allocate(&T, price_bids, 5, NULL, NULL, &A);
    expect("C", 20);
    expect("D", 0);
    cr_assert(fx_share(&A, "D")->dropped);
    cr_assert_eq(A.clearing_spread_bps, 60);
}

/* Minimum ticket 25, so D bids 25. A 30 @40 and B 30 @50 fit; the 60 bps
 * group, C 40 and D 25, shares 20 at 20/65: C 800/65 = 12 remainder 20, D
 * 500/65 = 7 remainder 45, the leftover unit to D: 12 and 8. The drops
 * cascade: D (8), then C (20 alone), then E, reached next at 70 bps, gets
 * the 20 left and is dropped too. A and B raise 60; the lead underwrites
 * the other 20 and holds 40. The clearing spread falls back to B's 50. */
Test(allocate, price_priority_cascading_drops_and_underwriting)
{
    static const int64_t hold[] = {20};
    book_bid b[] = {fx_bid("A", 30, 40, 1), fx_bid("B", 30, 50, 2), fx_bid("C", 40, 60, 3),
                    fx_bid("D", 25, 60, 4), fx_bid("E", 30, 70, 5)};
    fx_small(&T, 100, 25, 1, hold);
    T.method = BOOK_PRICE_PRIORITY;

    fx_allocate(&T, b, 5, NULL, NULL, &A);
    expect_allocated(100);
    expect("A", 30);
    expect("B", 30);
    expect("C", 0);
    expect("D", 0);
    expect("E", 0);
    expect("L1", 40);
    cr_assert(fx_share(&A, "C")->dropped);
    cr_assert(fx_share(&A, "D")->dropped);
    cr_assert(fx_share(&A, "E")->dropped);
    cr_assert_eq(fx_share(&A, "L1")->underwritten_fen, U(20));
    cr_assert_eq(A.shortfall_fen, U(20));
    cr_assert_eq(A.clearing_spread_bps, 50);
}

/* Bids 30 + 20 raise 50 of 80; the lead takes the 30 short: 50 in all,
 * within 70%, and the others keep 50% >= 30%. */
Test(allocate, underwritten_shortfall)
{
    book_bid b[] = {fx_bid("A", 30, 10, 1), fx_bid("B", 20, 10, 2)};

    fx_allocate(&T, b, 2, NULL, NULL, &A);
    expect_allocated(100);
    expect("L1", 50);
    expect("A", 30);
    expect("B", 20);
    cr_assert_eq(fx_share(&A, "L1")->underwritten_fen, U(30));
    cr_assert_eq(fx_share(&A, "L1")->asked_fen, U(20));
}

/* The lead's headroom is 40: room for 20 more, not the 30 short. */
Test(allocate, underwriting_beyond_headroom_fails)
{
    book_bid b[] = {fx_bid("A", 30, 10, 1), fx_bid("B", 20, 10, 2)};
    int64_t lead_room[] = {U(40)};

    fx_allocate(&T, b, 2, NULL, lead_room, &A);
    expect_failed("can take only ¥200,000.00 of it");
    cr_assert(strstr(A.reason, "rule: underwritten shortfall") != NULL, "%s", A.reason);
}

/* A raises 25; the 55 short would take the lead to 75 > 70. */
Test(allocate, underwriting_beyond_the_single_bank_cap_fails)
{
    book_bid b[] = {fx_bid("A", 25, 10, 1)};

    fx_allocate(&T, b, 1, NULL, NULL, &A);
    expect_failed("within their headroom and the 70% single-bank cap (rule: underwritten "
                  "shortfall)");
}

Test(allocate, no_bids_underwritten_fails)
{
    fx_allocate(&T, NULL, 0, NULL, NULL, &A);
    expect_failed("rule: underwritten shortfall");
    cr_assert_eq(A.n_shares, 1);
}

/* Co-leads L1 20 and L2 10 (participants' part 70). A raises 40; the 30
 * short is split 2:1 by hold: L1 +20 = 40, L2 +10 = 20. */
Test(allocate, co_leads_split_the_shortfall_by_hold)
{
    static const int64_t holds[] = {20, 10};
    fx_small(&T, 100, 1, 2, holds);
    book_bid b[] = {fx_bid("A", 40, 10, 1)};

    fx_allocate(&T, b, 1, NULL, NULL, &A);
    expect_allocated(100);
    expect("L1", 40);
    expect("L2", 20);
    expect("A", 40);
}

/* The same with L1's headroom at 25: room for 5 more. L1 is held there and
 * L2 takes the other 25: L1 25, L2 35. */
Test(allocate, co_lead_headroom_caps_its_part)
{
    static const int64_t holds[] = {20, 10};
    fx_small(&T, 100, 1, 2, holds);
    book_bid b[] = {fx_bid("A", 40, 10, 1)};
    int64_t lead_room[] = {U(25), INT64_MAX};

    fx_allocate(&T, b, 1, NULL, lead_room, &A);
    expect_allocated(100);
    expect("L1", 25);
    expect("L2", 35);
    cr_assert_eq(fx_share(&A, "L2")->underwritten_fen, U(25));
}

/* A raises only 25: the leads can absorb the 45 (L1 50, L2 25), but the
 * others would hold 25% < 30%, so the book fails. */
Test(allocate, underwriting_that_breaks_the_others_share_fails)
{
    static const int64_t holds[] = {20, 10};
    fx_small(&T, 100, 1, 2, holds);
    book_bid b[] = {fx_bid("A", 25, 10, 1)};

    fx_allocate(&T, b, 1, NULL, NULL, &A);
    expect_failed("with a final facility of ¥1,000,000.00, the leads hold 75.00% together");
    cr_assert(strstr(A.reason, "rule: others' share") != NULL, "%s", A.reason);
}

/* Best efforts, borrower minimum 60: A 30 + B 20 raise 50, so the facility
 * shrinks to 20 + 50 = 70. Lead 28.57% >= 15%, others 71.43% >= 30%, A
 * 42.86% <= 70%. */
Test(allocate, best_efforts_shrinks_the_facility)
{
    T.shortfall = BOOK_BEST_EFFORTS;
    T.borrower_min_fen = U(60);
    book_bid b[] = {fx_bid("A", 30, 10, 1), fx_bid("B", 20, 10, 2)};

    fx_allocate(&T, b, 2, NULL, NULL, &A);
    expect_allocated(70);
    expect("L1", 20);
    expect("A", 30);
    expect("B", 20);
    cr_assert_eq(A.shortfall_fen, U(30));
    cr_assert_eq(fx_share(&A, "L1")->underwritten_fen, 0);
}

/* A alone raises 30: 20 + 30 = 50 < the borrower's 60. */
Test(allocate, best_efforts_below_the_borrower_minimum_fails)
{
    T.shortfall = BOOK_BEST_EFFORTS;
    T.borrower_min_fen = U(60);
    book_bid b[] = {fx_bid("A", 30, 10, 1)};

    fx_allocate(&T, b, 1, NULL, NULL, &A);
    expect_failed("raised a facility of ¥500,000.00, below the borrower's minimum of ¥"
                  "600,000.00 (rule: best-efforts minimum)");
}

/* Lead 15, A 60: facility 75, where A's 60 is 80% > 70%. */
Test(allocate, best_efforts_breaking_the_single_bank_cap_fails)
{
    static const int64_t hold[] = {15};
    fx_small(&T, 100, 1, 1, hold);
    T.shortfall = BOOK_BEST_EFFORTS;
    T.borrower_min_fen = U(50);
    book_bid b[] = {fx_bid("A", 60, 10, 1)};

    fx_allocate(&T, b, 1, NULL, NULL, &A);
    expect_failed("bank A would hold 80.00% of the facility, above the 70% any one bank may "
                  "hold (rule: single-bank cap)");
}

/* Leads 30 + 30, A 10: facility 70, where the others hold 14.28% < 30%. */
Test(allocate, best_efforts_breaking_the_others_share_fails)
{
    static const int64_t holds[] = {30, 30};
    fx_small(&T, 100, 1, 2, holds);
    T.shortfall = BOOK_BEST_EFFORTS;
    T.borrower_min_fen = U(50);
    book_bid b[] = {fx_bid("A", 10, 10, 1)};

    fx_allocate(&T, b, 1, NULL, NULL, &A);
    expect_failed("leaving 14.28% to other banks, below the 30% that must go to them");
}

Test(allocate, lead_without_headroom_for_its_hold_fails)
{
    book_bid b[] = {fx_bid("A", 80, 10, 1)};
    int64_t lead_room[] = {U(19)};

    fx_allocate(&T, b, 1, NULL, lead_room, &A);
    expect_failed("lead L1's headroom of ¥190,000.00 is below its hold of ¥200,000.00 "
                  "(rule: exposure headroom)");
    lead_room[0] = -1;
    book_allocation_free(&A);
    fx_allocate(&T, b, 1, NULL, lead_room, &A);
    expect_failed("headroom of ¥0.00");
}

/* Bids 50 + 30 = 80 for 80: everyone gets its bid. */
Test(allocate, exactly_subscribed)
{
    book_bid b[] = {fx_bid("A", 50, 10, 1), fx_bid("B", 30, 20, 2)};

    fx_allocate(&T, b, 2, NULL, NULL, &A);
    expect_allocated(100);
    expect("A", 50);
    expect("B", 30);
    cr_assert_eq(A.clearing_spread_bps, 20);
}

/* The fixture's ¥3bn book: ICBC holds ¥600m and six banks bid ¥3.15bn for
 * the other ¥2.4bn, in units of ¥10,000 315,000 for 240,000, a ratio of
 * 16/21 (the worked figures are below). */
Test(allocate, realistic_book)
{
    book_terms t;
    fx_terms(&t);
    book_bid b[] = {fx_bid("BOC", 80000, 30, 1), fx_bid("CCB", 70000, 45, 2),
                    fx_bid("ABC", 60000, 50, 3), fx_bid("BOCOM", 50000, 35, 4),
                    fx_bid("CMB", 35000, 60, 5), fx_bid("CIB", 20000, 80, 6)};

    fx_allocate(&t, b, 6, NULL, NULL, &A);
    cr_assert_eq(A.outcome, BOOK_OUTCOME_ALLOCATED, "%s", A.reason);
    /* bid * 16 / 21, rounded down, with the remainder in 21sts:
     *   BOC   80,000 * 16 = 1,280,000 / 21 = 60,952 r  8
     *   CCB   70,000 * 16 = 1,120,000 / 21 = 53,333 r  7
     *   ABC   60,000 * 16 =   960,000 / 21 = 45,714 r  6
     *   BOCOM 50,000 * 16 =   800,000 / 21 = 38,095 r  5
     *   CMB   35,000 * 16 =   560,000 / 21 = 26,666 r 14
     *   CIB   20,000 * 16 =   320,000 / 21 = 15,238 r  2
     * The floors sum to 239,998; the 2 leftover units go to CMB (14) and
     * BOC (8). */
    expect("ICBC", 60000);
    expect("BOC", 60953);
    expect("CCB", 53333);
    expect("ABC", 45714);
    expect("BOCOM", 38095);
    expect("CMB", 26667);
    expect("CIB", 15238);
    cr_assert_eq(A.clearing_spread_bps, 80);
}

/* Every order of the price-priority bids gives the same result. */
Test(allocate, independent_of_bid_order)
{
    static const int perms[][5] = {{4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}, {1, 4, 0, 3, 2}};
    book_allocation ref;
    T.method = BOOK_PRICE_PRIORITY;

    fx_allocate(&T, price_bids, 5, NULL, NULL, &ref);
    for (size_t p = 0; p < sizeof(perms) / sizeof(perms[0]); p++) {
        book_bid b[5];
        for (int i = 0; i < 5; i++)
            b[i] = price_bids[perms[p][i]];
        fx_allocate(&T, b, 5, NULL, NULL, &A);
        cr_assert_eq(A.n_shares, ref.n_shares);
        for (size_t i = 0; i < A.n_shares; i++) {
            cr_assert_str_eq(A.shares[i].bank_id, ref.shares[i].bank_id);
            cr_assert_eq(A.shares[i].alloc_fen, ref.shares[i].alloc_fen);
            cr_assert_eq(A.shares[i].dropped, ref.shares[i].dropped);
        }
        cr_assert_eq(A.clearing_spread_bps, ref.clearing_spread_bps);
        book_allocation_free(&A);
    }
    book_allocation_free(&ref);
}

/* Input that breaks book_allocate()'s contract is refused, out cleared. */
Test(allocate, contract_breaches)
{
    book_rules r = book_rules_default();
    synd_status st = {0};
    book_bid b[] = {fx_bid("A", 30, 10, 1), fx_bid("A", 20, 10, 2)};
    book_alloc_input in = {&r, &T, b, 2, NULL, NULL};

    assert_refused(book_allocate(&in, &A, &st), SYND_INVALID_ARGUMENT, st,
                   "bank A has two live bids; a bank has one per book (rule: one bid per bank)");
    cr_assert_eq(A.shares, NULL);
    cr_assert_eq(A.n_shares, 0);
    strcpy(b[1].bank_id, "L1");
    assert_refused(book_allocate(&in, &A, &st), SYND_INVALID_ARGUMENT, st, "rule: own book");
    strcpy(b[1].bank_id, "B");
    b[1].spread_bps = 101;
    assert_refused(book_allocate(&in, &A, &st), SYND_INVALID_ARGUMENT, st, "rule: spread band");
    b[1].spread_bps = 10;
    in.n_bids = BOOK_MAX_BIDS + 1;
    assert_refused(book_allocate(&in, &A, &st), SYND_INVALID_ARGUMENT, st, "0 to 4096 bids");
    in.n_bids = 2;
    T.leads[0].hold_fen = U(10);
    assert_refused(book_allocate(&in, &A, &st), SYND_INVALID_ARGUMENT, st, "rule: sole-lead hold");
    T.leads[0].hold_fen = U(20);
    r.max_leads = 0;
    assert_refused(book_allocate(&in, &A, &st), SYND_INVALID_ARGUMENT, st, "max_leads");
    r.max_leads = 1;
    cr_assert_eq(book_allocate(&in, &A, &st), SYND_OK, "%s", st.message);
    cr_assert_str_eq(st.message, "");
}

Test(allocate, outcome_names)
{
    cr_assert_str_eq(book_outcome_name(BOOK_OUTCOME_ALLOCATED), "ALLOCATED");
    cr_assert_str_eq(book_outcome_name(BOOK_OUTCOME_FAILED), "FAILED");
    cr_assert_str_eq(book_outcome_name((book_outcome)0), "?");
}
