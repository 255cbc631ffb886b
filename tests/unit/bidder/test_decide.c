/* The bidding decision: every branch, the binding limit named in the
 * reason, rounding to the book's unit, and exact arithmetic at int64's
 * edge. */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "bidder/decide.h"

#define BN(x) ((int64_t)(x)*100000000000LL) /* x billion yuan, in fen */
#define M(x)  ((int64_t)(x)*100000000LL)    /* x million yuan, in fen */

/* A book as WatchBooks announces it, with the pointers protobuf-c needs. */
typedef struct fx_book {
    Synd__V1__Book book;
    Synd__V1__BookTerms terms;
    Synd__V1__LeadHold lead, co_lead;
    Synd__V1__LeadHold *leads[2];
} fx_book;

static bidder_policy pol;
static fx_book fx;

/* The policy of the brief: all of manufacturing, ¥300m at most in
 * division C30, ¥500m on any book, at least 40 bps, half the headroom,
 * ten years at most. */
static void fx_policy(bidder_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->n_appetite = 2;
    strcpy(p->appetite[0].industry, "C");
    strcpy(p->appetite[1].industry, "C30");
    p->appetite[1].max_ticket_fen = M(300);
    p->max_ticket_fen = M(500);
    p->min_spread_bps = 40;
    p->headroom_share_bps = 5000;
    p->max_tenor_months = 120;
}

/* BK-3: ¥3bn over 60 months at LPR 5Y + [20, 80] bps for a C3911
 * borrower, opened by LEAD with CO as co-lead, the default unit, a ¥10m
 * minimum ticket. */
static void fx_init(void)
{
    fx_policy(&pol);
    memset(&fx, 0, sizeof(fx));
    fx.book = (Synd__V1__Book)SYND__V1__BOOK__INIT;
    fx.terms = (Synd__V1__BookTerms)SYND__V1__BOOK_TERMS__INIT;
    fx.lead = (Synd__V1__LeadHold)SYND__V1__LEAD_HOLD__INIT;
    fx.co_lead = (Synd__V1__LeadHold)SYND__V1__LEAD_HOLD__INIT;
    fx.book.book_id = "BK-3";
    fx.book.lead_bank_id = "LEAD";
    fx.book.terms = &fx.terms;
    fx.terms.borrower_code = "91310000MA1FL4CT3X";
    fx.terms.industry_code = "C3911";
    fx.terms.facility_fen = BN(3);
    fx.terms.tenor_months = 60;
    fx.terms.reference_rate = SYND__V1__REFERENCE_RATE__LPR_5Y;
    fx.terms.spread_floor_bps = 20;
    fx.terms.spread_cap_bps = 80;
    fx.terms.min_ticket_fen = M(10);
    fx.lead.bank_id = "LEAD";
    fx.lead.hold_fen = M(600);
    fx.co_lead.bank_id = "CO";
    fx.co_lead.hold_fen = M(300);
    fx.leads[0] = &fx.lead;
    fx.leads[1] = &fx.co_lead;
    fx.terms.leads = fx.leads;
    fx.terms.n_leads = 2;
}

TestSuite(decide, .init = fx_init);

/* Decides for bank "ME" with the given headroom. */
static bidder_decision run(int64_t headroom)
{
    bidder_decision d;

    memset(&d, 0x5a, sizeof(d));
    bidder_decide(&pol, "ME", &fx.book, headroom, &d);
    return d;
}

static void assert_skip(const bidder_decision *d, const char *reason)
{
    cr_assert_eq(d->action, BIDDER_SKIP, "bid: %s", d->reason);
    cr_assert_eq(d->amount_fen, 0);
    cr_assert_str_eq(d->reason, reason);
}

static void assert_bid(const bidder_decision *d, int64_t amount, int32_t spread, const char *why)
{
    cr_assert_eq(d->action, BIDDER_BID, "skipped: %s", d->reason);
    cr_assert_eq(d->amount_fen, amount, "amount %lld, want %lld: %s", (long long)d->amount_fen,
                 (long long)amount, d->reason);
    cr_assert_eq(d->spread_bps, spread, "%s", d->reason);
    cr_assert_eq(strncmp(d->reason, "bid BK-3: ", 10), 0, "%s", d->reason);
    cr_assert_not_null(strstr(d->reason, why), "reason \"%s\" lacks \"%s\"", d->reason, why);
}

Test(decide, bound_by_max_ticket)
{
    bidder_decision d = run(BN(100));

    assert_bid(&d, M(500), 40, "amount bound by max_ticket_fen 50000000000");
    cr_assert_str_eq(d.reason, "bid BK-3: 50000000000 fen at 40 bps (amount bound by "
                               "max_ticket_fen 50000000000, in units of 1000000; spread "
                               "min_spread_bps)");
}

Test(decide, bound_by_industry_cap)
{
    fx.terms.industry_code = "C3011";
    assert_bid((const bidder_decision[]){run(BN(100))}, M(300), 40,
               "amount bound by appetite C30 max_ticket_fen 30000000000");
}

Test(decide, lowest_matching_cap_applies)
{
    /* A cap on the broad entry binds a narrower entry without one, and
     * the lower of two caps binds. */
    pol.appetite[0].max_ticket_fen = M(200);
    pol.appetite[1].max_ticket_fen = 0;
    fx.terms.industry_code = "C3011";
    assert_bid((const bidder_decision[]){run(BN(100))}, M(200), 40,
               "appetite C max_ticket_fen 20000000000");
    pol.appetite[1].max_ticket_fen = M(100);
    assert_bid((const bidder_decision[]){run(BN(100))}, M(100), 40,
               "appetite C30 max_ticket_fen 10000000000");
}

Test(decide, bound_by_headroom_share)
{
    /* Half of ¥700m. */
    assert_bid((const bidder_decision[]){run(M(700))}, M(350), 40,
               "amount bound by headroom_share_bps 5000 of headroom 70000000000 fen");
}

Test(decide, bound_by_facility)
{
    fx.terms.facility_fen = M(200);
    fx.terms.min_ticket_fen = M(1);
    assert_bid((const bidder_decision[]){run(BN(100))}, M(200), 40,
               "amount bound by the facility 20000000000 fen");
}

Test(decide, rounds_down_to_default_unit)
{
    /* Half of 70,001,999,998 fen is 35,000,999,999 fen; the default unit
     * is ¥10,000 = 1,000,000 fen. */
    assert_bid((const bidder_decision[]){run(M(700) + 1999998)}, M(350), 40,
               "headroom_share_bps 5000 of headroom 70001999998 fen, in units of 1000000");
}

Test(decide, rounds_down_to_book_unit)
{
    fx.terms.unit_fen = 3000000; /* ¥30,000 */
    /* 35,000,999,999 / 3,000,000 = 11,666.99...: 11,666 units. */
    assert_bid((const bidder_decision[]){run(M(700) + 1999998)}, 11666LL * 3000000, 40,
               "in units of 3000000");
    /* So does the overall cap: 50,000,000,000 is 16,666.67 units. */
    assert_bid((const bidder_decision[]){run(BN(100))}, 16666LL * 3000000, 40,
               "max_ticket_fen 50000000000, in units of 3000000");
    /* A bound already on the unit is kept whole: 10,000 units. */
    assert_bid((const bidder_decision[]){run(M(600))}, M(300), 40, "headroom_share_bps");
}

Test(decide, less_than_one_unit)
{
    fx.terms.min_ticket_fen = 0;
    assert_skip((const bidder_decision[]){run(1999999)},
                "skip BK-3: 999999 fen (headroom_share_bps 5000 of headroom 1999999 fen) is less "
                "than one unit of 1000000 fen");
    /* Exactly one unit is a bid. */
    assert_bid((const bidder_decision[]){run(2000000)}, 1000000, 40, "headroom_share_bps");
}

Test(decide, below_min_ticket)
{
    /* Half of ¥19.99m is ¥9.995m, ¥9.99m in whole units: under ¥10m. */
    assert_skip((const bidder_decision[]){run(1999000000LL)},
                "skip BK-3: 999000000 fen (headroom_share_bps 5000 of headroom 1999000000 fen, "
                "in units of 1000000) below the book's min ticket 1000000000 fen");
    /* Rounding is what takes it below: 1,000,999,999 fen before rounding. */
    fx.terms.min_ticket_fen = 1000500000LL;
    fx.terms.unit_fen = 1000000;
    bidder_decision d = run(2001999998LL);
    cr_assert_eq(d.action, BIDDER_SKIP, "%s", d.reason);
    cr_assert_not_null(strstr(d.reason, "1000000000 fen (headroom"), "%s", d.reason);
    /* A ticket equal to the minimum is a bid. */
    fx.terms.min_ticket_fen = M(10);
    assert_bid((const bidder_decision[]){run(M(20))}, M(10), 40, "headroom_share_bps");
}

Test(decide, cap_below_min_spread)
{
    fx.terms.spread_cap_bps = 35;
    assert_skip((const bidder_decision[]){run(BN(100))},
                "skip BK-3: cap 35 bps below our minimum spread 40 (min_spread_bps)");
}

Test(decide, spread_is_floor_or_minimum)
{
    /* The cap equal to our minimum still takes our minimum. */
    fx.terms.spread_cap_bps = 40;
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), 40, "spread min_spread_bps");
    /* A floor above our minimum is bid at the floor. */
    fx.terms.spread_floor_bps = 55;
    fx.terms.spread_cap_bps = 80;
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), 55, "spread the book's floor");
    /* A negative minimum against a negative band. */
    pol.min_spread_bps = -20;
    fx.terms.spread_floor_bps = -30;
    fx.terms.spread_cap_bps = -10;
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), -20, "spread min_spread_bps");
}

Test(decide, floor_above_cap)
{
    fx.terms.spread_floor_bps = 90;
    assert_skip((const bidder_decision[]){run(BN(100))},
                "skip BK-3: price talk floor 90 bps above its cap 80 bps");
}

Test(decide, tenor)
{
    fx.terms.tenor_months = 121;
    assert_skip((const bidder_decision[]){run(BN(100))},
                "skip BK-3: tenor 121 months above max_tenor_months 120");
    fx.terms.tenor_months = 120;
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), 40, "max_ticket_fen");
    /* Without max_tenor_months any tenor goes. */
    pol.max_tenor_months = 0;
    fx.terms.tenor_months = 360;
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), 40, "max_ticket_fen");
}

Test(decide, industry_appetite)
{
    /* "C" takes every manufacturing code, in any form. */
    pol.n_appetite = 1;
    fx.terms.industry_code = "C3011";
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), 40, "max_ticket_fen");
    fx.terms.industry_code = "3011";
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), 40, "max_ticket_fen");
    fx.terms.industry_code = "K7010";
    assert_skip((const bidder_decision[]){run(BN(100))},
                "skip BK-3: industry K7010 not in appetite");

    /* "C30" takes division 30 only. */
    strcpy(pol.appetite[0].industry, "C30");
    fx.terms.industry_code = "C3011";
    assert_bid((const bidder_decision[]){run(BN(100))}, M(500), 40, "max_ticket_fen");
    fx.terms.industry_code = "C3911";
    assert_skip((const bidder_decision[]){run(BN(100))},
                "skip BK-3: industry C3911 not in appetite");
    fx.terms.industry_code = "C3";
    assert_skip((const bidder_decision[]){run(BN(100))}, "skip BK-3: industry C3 not in appetite");
    fx.terms.industry_code = "";
    assert_skip((const bidder_decision[]){run(BN(100))}, "skip BK-3: industry  not in appetite");
}

Test(decide, no_headroom)
{
    assert_skip((const bidder_decision[]){run(0)},
                "skip BK-3: no headroom left for borrower 91310000MA1FL4CT3X (headroom 0 fen)");
    assert_skip((const bidder_decision[]){run(-5)},
                "skip BK-3: no headroom left for borrower 91310000MA1FL4CT3X (headroom -5 fen)");
    assert_skip((const bidder_decision[]){run(INT64_MIN)},
                "skip BK-3: no headroom left for borrower 91310000MA1FL4CT3X (headroom "
                "-9223372036854775808 fen)");
}

/* The share of headroom is exact to the fen for any headroom, with no
 * overflow (UBSan traps one in the sanitizer build): checked against
 * 128-bit arithmetic with a unit of one fen. */
Test(decide, headroom_share_exact_at_edges)
{
    static const int64_t headrooms[] = {1,
                                        9999,
                                        10000,
                                        10001,
                                        19999,
                                        M(7) + 9999,
                                        BN(10000) - 1,
                                        BN(10000),
                                        INT64_MAX,
                                        INT64_MAX - 1,
                                        INT64_MAX / 10000 * 10000};
    static const int32_t shares[] = {1, 2, 3333, 5000, 9999, 10000};
    const int64_t limit = 1000000000000000LL; /* BOOK_MAX_FACILITY_FEN */

    pol.n_appetite = 1;
    pol.max_ticket_fen = limit;
    fx.terms.facility_fen = limit;
    fx.terms.unit_fen = 1;
    fx.terms.min_ticket_fen = 1;
    for (size_t h = 0; h < sizeof(headrooms) / sizeof(headrooms[0]); h++) {
        for (size_t s = 0; s < sizeof(shares) / sizeof(shares[0]); s++) {
            __extension__ __int128 exact = (__int128)headrooms[h] * shares[s] / 10000;
            int64_t want = exact < limit ? (int64_t)exact : limit;
            bidder_decision d;

            pol.headroom_share_bps = shares[s];
            d = run(headrooms[h]);
            if (want == 0) {
                cr_assert_eq(d.action, BIDDER_SKIP, "headroom %lld share %d: %s",
                             (long long)headrooms[h], shares[s], d.reason);
                continue;
            }
            cr_assert_eq(d.action, BIDDER_BID, "%s", d.reason);
            cr_assert_eq(d.amount_fen, want, "headroom %lld share %d: %lld, want %lld",
                         (long long)headrooms[h], shares[s], (long long)d.amount_fen,
                         (long long)want);
        }
    }
}

Test(decide, int64_max_headroom_in_default_units)
{
    /* One bps of INT64_MAX is 922,337,203,685,477 fen: under the largest
     * facility, so the share binds, rounded down to ¥10,000. */
    pol.n_appetite = 1;
    pol.max_ticket_fen = 1000000000000000LL;
    pol.headroom_share_bps = 1;
    fx.terms.facility_fen = 1000000000000000LL;
    assert_bid((const bidder_decision[]){run(INT64_MAX)}, 922337203000000LL, 40,
               "headroom_share_bps 1 of headroom 9223372036854775807 fen");
    /* All of it: the facility binds. */
    pol.headroom_share_bps = 10000;
    fx.terms.facility_fen = 999999999000000LL;
    assert_bid((const bidder_decision[]){run(INT64_MAX)}, 999999999000000LL, 40,
               "the facility 999999999000000 fen");
}

/* What the daemon relies on to skip a book without asking for headroom:
 * less headroom never means a larger bid, nor a bid where more headroom
 * gave a skip. */
Test(decide, amount_monotonic_in_headroom)
{
    static const int64_t headrooms[] = {INT64_MAX,    BN(100), M(700) + 1999998, M(700), M(20),
                                        1999000000LL, 2000000, 1999999,          1,      0};
    static const char *const industries[] = {"C3911", "C3011", "K7010"};

    for (size_t i = 0; i < sizeof(industries) / sizeof(industries[0]); i++) {
        int64_t last = INT64_MAX;
        fx.terms.industry_code = (char *)industries[i];
        for (size_t h = 0; h < sizeof(headrooms) / sizeof(headrooms[0]); h++) {
            bidder_decision d = run(headrooms[h]);
            int64_t amount = d.action == BIDDER_BID ? d.amount_fen : 0;
            cr_assert_leq(amount, last, "%s at headroom %lld: %s", industries[i],
                          (long long)headrooms[h], d.reason);
            last = amount;
        }
    }
}

Test(decide, lead_skips)
{
    bidder_decision d;

    bidder_decide(&pol, "LEAD", &fx.book, BN(100), &d);
    assert_skip(&d, "skip BK-3: we (LEAD) are a lead of this book");
    bidder_decide(&pol, "CO", &fx.book, BN(100), &d);
    assert_skip(&d, "skip BK-3: we (CO) are a lead of this book");
    /* The lead check comes before any other: even a book we would skip
     * anyway says why we may not bid. */
    fx.terms.industry_code = "K7010";
    bidder_decide(&pol, "CO", &fx.book, 0, &d);
    assert_skip(&d, "skip BK-3: we (CO) are a lead of this book");
    /* A bank whose id extends a lead's is not that lead. */
    fx.terms.industry_code = "C3911";
    bidder_decide(&pol, "LEAD2", &fx.book, BN(100), &d);
    cr_assert_eq(d.action, BIDDER_BID, "%s", d.reason);
}

Test(decide, malformed_announcements)
{
    fx.book.terms = NULL;
    assert_skip((const bidder_decision[]){run(BN(100))},
                "skip BK-3: the announcement carries no terms");
    fx.book.terms = &fx.terms;
    fx.terms.unit_fen = -1000000;
    assert_skip((const bidder_decision[]){run(BN(100))},
                "skip BK-3: allocation unit -1000000 fen is negative");
}
