/* Integration: a broker killed with SIGKILL while books are open, and
 * restarted on the same Redis, reloads every open book with its close
 * timer and closes each one with every acknowledged bid counted. */
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(restart, .init = bk_start, .fini = bk_stop, .timeout = 60);

Test(restart, sigkill_then_restart_closes_books_with_every_bid)
{
    bk_terms ta, tb, tc;
    const char *a, *b, *c;
    Synd__V1__Allocation *alloc;
    Synd__V1__Book *book;
    const Synd__V1__Share *lead;
    synd_status st;

    /* a closes 3 s from now, after the restart; b 1.5 s from now, while
     * the broker is down; c is closed by its lead after the restart. */
    bk_terms_init(&ta);
    ta.t.close_ms = harness_now_ms() + 3000;
    bk_terms_init(&tb);
    tb.t.close_ms = harness_now_ms() + 1500;
    bk_terms_init(&tc);
    a = bk_open_ok(BK_ICBC, &ta)->book_id;
    b = bk_open_ok(BK_ICBC, &tb)->book_id;
    c = bk_open_ok(BK_ICBC, &tc)->book_id;

    bk_bid_ok(BK_BOC, a, MN(500), 35, "boc-a");
    bk_bid_ok(BK_BOC, a, MN(600), 40, "boc-a2"); /* replaces the first */
    bk_bid_ok(BK_ABC, a, MN(400), 50, "abc-a");
    bk_bid_ok(BK_CMB, a, MN(300), 30, "cmb-a");
    bk_bid_ok(BK_CIB, a, MN(100), 20, "cib-a");
    cr_assert_eq(bk_withdraw(BK_CIB, a, NULL, &st), SYND_OK, "WithdrawBid: %s", st.message);
    bk_bid_ok(BK_BOC, b, MN(300), 25, "boc-b");
    bk_bid_ok(BK_ABC, b, MN(200), 35, "abc-b");
    bk_bid_ok(BK_CMB, c, MN(400), 30, "cmb-c");

    bk_kill();
    cr_assert_lt(harness_now_ms(), tb.t.close_ms, "b closed before the kill: too slow a machine");
    while (harness_now_ms() <= tb.t.close_ms)
        harness_sleep_ms(10);
    bk_restart();

    /* b closed while the broker was down: the restarted one closes it.
     * ¥500m bid for the ¥850m the others must raise; ICBC underwrites
     * the ¥350m left. */
    alloc = bk_wait_allocation(BK_ICBC, b);
    cr_expect_eq(alloc->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", alloc->reason);
    cr_expect_eq(alloc->n_shares, 3);
    cr_expect_eq(bk_share(alloc, "BOC-SH")->alloc_fen, MN(300));
    cr_expect_eq(bk_share(alloc, "ABC")->alloc_fen, MN(200));
    lead = bk_share(alloc, "ICBC");
    cr_assert_not_null(lead);
    cr_expect_eq(lead->alloc_fen, MN(500));
    cr_expect_eq(lead->underwritten_fen, MN(350));

    /* c is open again, takes a new bid and is closed by its lead with the
     * bid from before the kill. */
    book = bk_get_ok(BK_ICBC, c);
    cr_expect_eq(book->state, SYND__V1__BOOK_STATE__BOOK_OPEN);
    cr_expect_eq(book->n_bids, 1);
    bk_bid_ok(BK_BOC, c, MN(200), 45, "boc-c");
    alloc = bk_close_ok(BK_ICBC, c);
    cr_expect_eq(alloc->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", alloc->reason);
    cr_expect_eq(bk_share(alloc, "CMB")->alloc_fen, MN(400));
    cr_expect_eq(bk_share(alloc, "BOC-SH")->alloc_fen, MN(200));
    cr_expect_eq(bk_share(alloc, "ICBC")->alloc_fen, MN(400));

    /* a closes on its own timer, reloaded from Redis, with the live bids
     * acknowledged before the kill: the rpcs suite's worked example. */
    alloc = bk_wait_allocation(BK_ICBC, a);
    cr_expect(harness_now_ms() >= ta.t.close_ms, "a closed early");
    cr_expect_eq(alloc->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", alloc->reason);
    cr_expect_eq(alloc->n_shares, 4, "ICBC, BOC-SH, ABC and CMB; not the withdrawn CIB");
    cr_expect_eq(bk_share(alloc, "BOC-SH")->asked_fen, MN(600), "the replacing bid counts");
    cr_expect_eq(bk_share(alloc, "BOC-SH")->alloc_fen, UNITS(39231));
    cr_expect_eq(bk_share(alloc, "ABC")->alloc_fen, UNITS(26154));
    cr_expect_eq(bk_share(alloc, "CMB")->alloc_fen, UNITS(19615));
    cr_expect_eq(bk_share(alloc, "ICBC")->alloc_fen, UNITS(15000));
    cr_expect_null(bk_share(alloc, "CIB"));
    cr_expect_eq(alloc->clearing_spread_bps, 50);

    /* Every settlement counted once in the exposures. */
    cr_expect_eq(bk_headroom_ok(BK_BOC, BORROWER_A)->exposure_fen,
                 MN(300) + MN(200) + UNITS(39231));
    cr_expect_eq(bk_headroom_ok(BK_CMB, BORROWER_A)->exposure_fen, MN(400) + UNITS(19615));
    cr_expect_eq(bk_headroom_ok(BK_ICBC, BORROWER_A)->exposure_fen,
                 MN(500) + MN(400) + UNITS(15000));
    cr_expect_eq(bk_headroom_ok(BK_CIB, BORROWER_A)->exposure_fen, 0);
}

/* A book whose lead closed it just before the kill stays settled, and a
 * retried bid after the restart gets its first answer from Redis. */
Test(restart, settled_books_and_idempotency_survive)
{
    bk_terms bt;
    const char *id;
    Synd__V1__SubmitBidResponse *first, *retry;
    Synd__V1__Allocation *alloc;

    bk_terms_init(&bt);
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    first = bk_bid_ok(BK_BOC, id, MN(600), 30, "boc-1");
    bk_kill();
    bk_restart();
    retry = bk_bid_ok(BK_BOC, id, MN(600), 30, "boc-1");
    cr_expect_eq(retry->bid->seq, first->bid->seq);
    cr_expect_eq(retry->bid->submitted_ms, first->bid->submitted_ms);
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->n_bids, 1);
    bk_close_ok(BK_ICBC, id);
    bk_kill();
    bk_restart();
    alloc = bk_allocation_ok(BK_ICBC, id);
    cr_expect_eq(alloc->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);
    cr_expect_eq(bk_headroom_ok(BK_BOC, BORROWER_A)->exposure_fen, MN(600),
                 "settled once, not again at the restart");
}

/* A broker killed between a book's close and its settlement leaves the
 * book CLOSED in Redis with no allocation; the restarted broker settles
 * it from the bids Redis closed it with, once. */
Test(restart, closed_but_unsettled_book_is_settled_after_restart)
{
    bk_terms bt;
    const char *id;
    Synd__V1__Allocation *alloc;
    synd_status st;

    bk_terms_init(&bt);
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    bk_bid_ok(BK_BOC, id, MN(600), 30, NULL);
    bk_bid_ok(BK_ABC, id, MN(200), 40, NULL);
    bk_kill();
    bk_redis("HSET synd:{g:%s}:book:%s state CLOSED", BORROWER_A_GROUP, id);
    bk_redis("ZREM synd:{g:%s}:open %s", BORROWER_A_GROUP, id);
    bk_restart();

    alloc = bk_wait_allocation(BK_ICBC, id);
    cr_expect_eq(alloc->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", alloc->reason);
    cr_expect_eq(bk_share(alloc, "BOC-SH")->alloc_fen, MN(600));
    cr_expect_eq(bk_share(alloc, "ABC")->alloc_fen, MN(200));
    cr_expect_eq(bk_share(alloc, "ICBC")->alloc_fen, MN(200), "¥150m held, ¥50m underwritten");
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);
    cr_expect_eq(bk_headroom_ok(BK_BOC, BORROWER_A)->exposure_fen, MN(600));
    bk_expect_refused(bk_bid(BK_CMB, id, MN(100), 30, NULL, NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: bidding window");
}

/* What operators put in the registry is kept in Redis: a restart with the
 * same registry file does not undo it. */
Test(restart, operator_registry_changes_survive)
{
    Synd__V1__Bank bank = SYND__V1__BANK__INIT;
    Synd__V1__Borrower borrower = SYND__V1__BORROWER__INIT;
    Synd__V1__ListBanksResponse *banks;
    Synd__V1__ListBorrowersResponse *borrowers;
    size_t found = 0;
    synd_status st;

    bank.bank_id = "ABC";
    bank.name = "Agricultural Bank";
    bank.net_capital_fen = 25000000000000LL;
    bank.tier1_capital_fen = 24000000000000LL;
    cr_assert_eq(bk_put_bank(BK_OPS, &bank, NULL, &st), SYND_OK, "PutBank: %s", st.message);
    borrower.code = BORROWER_B;
    borrower.name = "Shenzhen Display Glass";
    borrower.group_id = BORROWER_B_GROUP;
    borrower.joint_limit_fen = MN(6000);
    cr_assert_eq(bk_put_borrower(BK_OPS, &borrower, NULL, &st), SYND_OK, "PutBorrower: %s",
                 st.message);
    bk_kill();
    bk_restart();

    cr_assert_eq(bk_list_banks(BK_NFRA, &banks, &st), SYND_OK, "ListBanks: %s", st.message);
    for (size_t i = 0; i < banks->n_banks; i++) {
        if (strcmp(banks->banks[i]->bank_id, "ABC") != 0)
            continue;
        found++;
        cr_expect_eq(banks->banks[i]->net_capital_fen, 25000000000000LL);
        cr_expect_str_eq(banks->banks[i]->name, "Agricultural Bank");
    }
    cr_expect_eq(bk_headroom_ok(BK_ABC, BORROWER_A)->headroom_fen, 2500000000000LL);
    cr_assert_eq(bk_list_borrowers(BK_NFRA, &borrowers, &st), SYND_OK, "ListBorrowers: %s",
                 st.message);
    for (size_t i = 0; i < borrowers->n_borrowers; i++) {
        if (strcmp(borrowers->borrowers[i]->code, BORROWER_B) != 0)
            continue;
        found++;
        cr_expect_eq(borrowers->borrowers[i]->joint_limit_fen, MN(6000));
    }
    cr_expect_eq(found, 2);
}
