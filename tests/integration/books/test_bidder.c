/* Integration: synd-bidder daemons end to end. Each bank's daemon reads
 * its policy, is announced the book, bids within its policy (or skips it,
 * saying why), is told its allocation, and reconnects after the broker
 * is killed and restarted. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(bidder, .init = bk_start, .fini = bk_stop, .timeout = 60);

/* BOC-SH: manufacturing, up to ¥400m, at least 30 bps. */
static const char boc_policy[] = "appetite = ( { industry = \"C\"; } );\n"
                                 "max_ticket_fen = 40000000000L;\n"
                                 "min_spread_bps = 30;\n"
                                 "headroom_share_bps = 5000;\n";

/* ABC: batteries and other electrical equipment (C38) up to ¥300m, at
 * least 45 bps. */
static const char abc_policy[] =
    "appetite = ( { industry = \"C38\"; max_ticket_fen = 30000000000L; } );\n"
    "max_ticket_fen = 50000000000L;\n"
    "min_spread_bps = 45;\n"
    "headroom_share_bps = 5000;\n"
    "max_tenor_months = 120;\n";

/* CMB: 2% of its headroom per book: 2% of ¥11bn is ¥220m, under its
 * ¥250m ticket. */
static const char cmb_policy[] = "appetite = ( { industry = \"C\"; } );\n"
                                 "max_ticket_fen = 25000000000L;\n"
                                 "min_spread_bps = 20;\n"
                                 "headroom_share_bps = 200;\n";

/* CIB: wants 90 bps, above the book's 60 bps cap: it never bids. */
static const char cib_policy[] = "appetite = ( { industry = \"C\"; } );\n"
                                 "max_ticket_fen = 60000000000L;\n"
                                 "min_spread_bps = 90;\n"
                                 "headroom_share_bps = 5000;\n";

/* Asserts bank's live bid on book. */
static void expect_bid(const Synd__V1__Book *b, const char *bank, int64_t amount, int32_t spread)
{
    const Synd__V1__Bid *bid = bk_find_bid(b, bank);

    cr_assert_not_null(bid, "%s did not bid on %s", bank, b->book_id);
    cr_expect_eq(bid->amount_fen, amount, "%s bid %lld fen, want %lld", bank,
                 (long long)bid->amount_fen, (long long)amount);
    cr_expect_eq(bid->spread_bps, spread, "%s bid %d bps, want %d", bank, bid->spread_bps, spread);
}

/* Waits until a bidder's log reports its share of book. */
static void expect_logged_share(const char *log, const char *book, int64_t alloc)
{
    char needle[128];

    snprintf(needle, sizeof(needle), "allocated %s: ours %lld fen", book, (long long)alloc);
    bk_wait_log(log, needle);
}

/* Four daemons and one book. Bids: BOC-SH ¥400m at 30 (its ticket), ABC
 * ¥300m at 45 (its C38 ticket), CMB ¥220m at 20 (2% of its headroom);
 * CIB skips. Pro-rata on 92,000 units for 85,000:
 *   BOC-SH 36,956.52 -> 36,956 (+1 by largest remainder)   ABC 27,717.39 -> 27,717
 *   CMB 20,326.09 -> 20,326
 * and the clearing spread is ABC's 45 bps. */
Test(bidder, bidders_bid_by_policy_and_learn_their_shares)
{
    const char *boc = bk_bidder_start(BK_BOC, boc_policy);
    const char *abc = bk_bidder_start(BK_ABC, abc_policy);
    const char *cmb = bk_bidder_start(BK_CMB, cmb_policy);
    const char *cib = bk_bidder_start(BK_CIB, cib_policy);
    char needle[128];
    bk_terms bt;
    const char *id;
    Synd__V1__Book *book;
    Synd__V1__Allocation *a;

    bk_terms_init(&bt);
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    snprintf(needle, sizeof(needle), "skip %s: cap 60 bps below our minimum spread 90", id);
    bk_wait_log(cib, needle);
    book = bk_wait_bids(BK_ICBC, id, 3);
    cr_expect_eq(book->n_bids, 3, "CIB did not bid");
    expect_bid(book, "BOC-SH", MN(400), 30);
    expect_bid(book, "ABC", MN(300), 45);
    expect_bid(book, "CMB", MN(220), 20);
    cr_expect_null(bk_find_bid(book, "CIB"));

    a = bk_close_ok(BK_ICBC, id);
    cr_expect_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", a->reason);
    cr_expect_eq(a->clearing_spread_bps, 45);
    cr_expect_eq(bk_share(a, "BOC-SH")->alloc_fen, UNITS(36957));
    cr_expect_eq(bk_share(a, "ABC")->alloc_fen, UNITS(27717));
    cr_expect_eq(bk_share(a, "CMB")->alloc_fen, UNITS(20326));
    expect_logged_share(boc, id, UNITS(36957));
    expect_logged_share(abc, id, UNITS(27717));
    expect_logged_share(cmb, id, UNITS(20326));
    snprintf(needle, sizeof(needle), "bid %s", id);
    cr_expect_not(harness_file_contains(cib, needle), "CIB logged a bid");
    snprintf(needle, sizeof(needle), "allocated %s", id);
    cr_expect_not(harness_file_contains(cib, needle), "CIB was told of an allocation");
}

/* The broker is killed under running daemons and restarted: they
 * resubscribe and bid on a book opened after the restart, CMB with 2% of
 * its headroom as the first book left it: (¥11bn - ¥203.26m) * 2%. */
Test(bidder, bidders_reconnect_after_a_broker_restart)
{
    const char *boc = bk_bidder_start(BK_BOC, boc_policy);
    const char *abc = bk_bidder_start(BK_ABC, abc_policy);
    const char *cmb = bk_bidder_start(BK_CMB, cmb_policy);
    bk_terms bt;
    const char *first, *second;
    Synd__V1__Book *book;

    bk_terms_init(&bt);
    first = bk_open_ok(BK_ICBC, &bt)->book_id;
    bk_wait_bids(BK_ICBC, first, 3);
    bk_close_ok(BK_ICBC, first);
    expect_logged_share(cmb, first, UNITS(20326));

    bk_kill();
    bk_restart();
    bk_terms_init(&bt);
    second = bk_open_ok(BK_ICBC, &bt)->book_id;
    book = bk_wait_bids(BK_ICBC, second, 3);
    cr_expect_eq(book->n_bids, 3);
    expect_bid(book, "BOC-SH", MN(400), 30);
    expect_bid(book, "ABC", MN(300), 45);
    /* 2% of 1,079,674,000,000 fen is 21,593,480,000: 21,593 whole units. */
    expect_bid(book, "CMB", UNITS(21593), 20);
    bk_close_ok(BK_ICBC, second);
    expect_logged_share(boc, second,
                        bk_share(bk_allocation_ok(BK_ICBC, second), "BOC-SH")->alloc_fen);
    expect_logged_share(abc, second, bk_share(bk_allocation_ok(BK_ICBC, second), "ABC")->alloc_fen);
    expect_logged_share(cmb, second, bk_share(bk_allocation_ok(BK_ICBC, second), "CMB")->alloc_fen);
}
