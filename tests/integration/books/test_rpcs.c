/* Integration: every RPC of synd.v1.Syndication and synd.v1.Registry on
 * its happy path, against the real broker and Redis, with the figures
 * worked out by hand; and the idempotent retry of SubmitBid. */
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(rpcs, .init = bk_start, .fini = bk_stop, .timeout = 60);

/* Asserts one line of an allocation. */
static void expect_share(const Synd__V1__Allocation *a, bk_who who, int lead, int64_t asked,
                         int32_t spread, int64_t alloc)
{
    const Synd__V1__Share *s = bk_share(a, bk_bank(who));

    cr_assert_not_null(s, "no share for %s", bk_bank(who));
    cr_expect_eq(s->lead, lead, "%s lead flag", s->bank_id);
    cr_expect_eq(s->asked_fen, asked, "%s asked %lld", s->bank_id, (long long)s->asked_fen);
    cr_expect_eq(s->spread_bps, spread, "%s spread %d", s->bank_id, s->spread_bps);
    cr_expect_eq(s->alloc_fen, alloc, "%s got %lld, want %lld", s->bank_id, (long long)s->alloc_fen,
                 (long long)alloc);
}

/* The ¥1,000m book of the fixture with three bids: BOC-SH ¥600m at 40,
 * ABC ¥400m at 50, CMB ¥300m at 30. ICBC holds 15,000 units; 85,000 units
 * go to 130,000 units bid, a ratio of 85/130:
 *   BOC-SH 39,230.77 -> 39,230   ABC 26,153.85 -> 26,153   CMB 19,615.38 -> 19,615
 * which leaves 2 units, by largest remainder to ABC (.85) and BOC-SH (.77).
 * The clearing spread is the highest spread given a share: 50 bps. */
Test(rpcs, open_bid_withdraw_close_allocate_headroom)
{
    int64_t t0 = harness_now_ms();
    bk_terms bt;
    Synd__V1__Book *book, *got;
    Synd__V1__SubmitBidResponse *r;
    Synd__V1__WithdrawBidResponse *w;
    Synd__V1__Allocation *a, *again;
    Synd__V1__GetHeadroomResponse *hr;
    synd_status st;

    bk_terms_init(&bt);
    book = bk_open_ok(BK_ICBC, &bt);
    cr_expect(strncmp(book->book_id, "BK-", 3) == 0, "book id %s", book->book_id);
    cr_expect_str_eq(book->lead_bank_id, "ICBC");
    cr_expect_eq(book->state, SYND__V1__BOOK_STATE__BOOK_OPEN);
    cr_expect_str_eq(book->group_id, BORROWER_A_GROUP);
    cr_expect(book->opened_ms >= t0 && book->opened_ms <= harness_now_ms(), "opened_ms %lld",
              (long long)book->opened_ms);
    cr_assert_not_null(book->terms);
    cr_expect_str_eq(book->terms->borrower_code, BORROWER_A);
    cr_expect_eq(book->terms->facility_fen, MN(1000));
    cr_expect_eq(book->terms->close_ms, bt.t.close_ms);
    cr_expect_eq(book->terms->method, SYND__V1__ALLOCATION_METHOD__PRO_RATA, "default filled");
    cr_expect_eq(book->terms->shortfall, SYND__V1__SHORTFALL_RULE__UNDERWRITTEN, "default filled");

    got = bk_get_ok(BK_ICBC, book->book_id);
    cr_expect_eq(got->state, SYND__V1__BOOK_STATE__BOOK_OPEN);
    cr_expect_eq(got->n_bids, 0);

    r = bk_bid_ok(BK_BOC, book->book_id, MN(600), 40, "boc-1");
    cr_expect_str_eq(r->bid->bank_id, "BOC-SH", "the bank comes from the key");
    cr_expect_str_eq(r->bid->book_id, book->book_id);
    cr_expect_eq(r->bid->amount_fen, MN(600));
    cr_expect_eq(r->bid->spread_bps, 40);
    cr_expect_eq(r->bid->seq, 1);
    cr_expect(r->bid->submitted_ms >= t0, "submitted_ms");
    cr_expect_not(r->replaced);
    cr_expect_eq(bk_bid_ok(BK_ABC, book->book_id, MN(400), 50, "abc-1")->bid->seq, 2);
    cr_expect_eq(bk_bid_ok(BK_CMB, book->book_id, MN(300), 30, "cmb-1")->bid->seq, 3);
    cr_expect_eq(bk_bid_ok(BK_CIB, book->book_id, MN(100), 20, "cib-1")->bid->seq, 4);

    cr_assert_eq(bk_withdraw(BK_CIB, book->book_id, &w, &st), SYND_OK, "WithdrawBid: %s",
                 st.message);
    cr_assert_not_null(w->withdrawn);
    cr_expect_str_eq(w->withdrawn->bank_id, "CIB");
    cr_expect_eq(w->withdrawn->amount_fen, MN(100));
    cr_expect_eq(w->withdrawn->spread_bps, 20);
    got = bk_get_ok(BK_ICBC, book->book_id);
    cr_expect_eq(got->n_bids, 3, "the withdrawn bid is gone");
    cr_expect_null(bk_find_bid(got, "CIB"));
    cr_expect_eq(bk_find_bid(got, "ABC")->amount_fen, MN(400));

    a = bk_close_ok(BK_ICBC, book->book_id);
    cr_expect_str_eq(a->book_id, book->book_id);
    cr_expect_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", a->reason);
    cr_expect_eq(a->facility_fen, MN(1000));
    cr_expect_eq(a->clearing_spread_bps, 50);
    cr_expect_eq(a->shortfall_fen, 0);
    cr_expect_eq(a->n_shares, 4, "the lead and three bidders, not the withdrawn one");
    expect_share(a, BK_ICBC, 1, MN(150), 0, UNITS(15000));
    expect_share(a, BK_BOC, 0, MN(600), 40, UNITS(39231));
    expect_share(a, BK_ABC, 0, MN(400), 50, UNITS(26154));
    expect_share(a, BK_CMB, 0, MN(300), 30, UNITS(19615));
    cr_expect_null(bk_share(a, "CIB"));

    again = bk_allocation_ok(BK_ICBC, book->book_id);
    cr_expect_eq(again->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);
    cr_expect_eq(again->n_shares, 4);
    cr_expect_eq(again->clearing_spread_bps, 50);
    expect_share(again, BK_BOC, 0, MN(600), 40, UNITS(39231));
    cr_expect_eq(bk_get_ok(BK_ICBC, book->book_id)->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);

    /* Headroom = min(10% net capital, 15% net tier-1) - exposure. */
    hr = bk_headroom_ok(BK_BOC, BORROWER_A);
    cr_expect_eq(hr->exposure_fen, UNITS(39231));
    cr_expect_eq(hr->headroom_fen, 9000000000000LL - UNITS(39231), "headroom %lld",
                 (long long)hr->headroom_fen);
    cr_expect_eq(bk_limit(BK_BOC), 9000000000000LL);
    cr_expect(strstr(hr->binding_rule, "15% of net tier-1") != NULL, "rule: %s", hr->binding_rule);
    hr = bk_headroom_ok(BK_ABC, BORROWER_A);
    cr_expect_eq(hr->exposure_fen, UNITS(26154));
    cr_expect_eq(hr->headroom_fen, 5000000000000LL - UNITS(26154));
    cr_expect(strstr(hr->binding_rule, "10% of net capital") != NULL, "rule: %s", hr->binding_rule);
    hr = bk_headroom_ok(BK_ICBC, BORROWER_A);
    cr_expect_eq(hr->exposure_fen, UNITS(15000), "the lead's hold is exposure too");
    cr_expect_eq(hr->headroom_fen, 40000000000000LL - UNITS(15000));
    hr = bk_headroom_ok(BK_CIB, BORROWER_A);
    cr_expect_eq(hr->exposure_fen, 0, "a withdrawn bid lends nothing");
    cr_expect_eq(hr->headroom_fen, bk_limit(BK_CIB));
    hr = bk_headroom_ok(BK_BOC, BORROWER_B);
    cr_expect_eq(hr->exposure_fen, 0, "exposure is per borrower");
    cr_expect_eq(hr->headroom_fen, 9000000000000LL);
}

/* Price priority on the same bids: CMB (30 bps) fills its ¥300m, BOC-SH
 * (40 bps) takes the remaining ¥550m and sets the clearing spread; ABC
 * (50 bps) gets nothing. */
Test(rpcs, price_priority_clearing_spread)
{
    bk_terms bt;
    Synd__V1__Book *book;
    Synd__V1__Allocation *a;

    bk_terms_init(&bt);
    bt.t.method = SYND__V1__ALLOCATION_METHOD__PRICE_PRIORITY;
    book = bk_open_ok(BK_ICBC, &bt);
    bk_bid_ok(BK_CMB, book->book_id, MN(300), 30, NULL);
    bk_bid_ok(BK_BOC, book->book_id, MN(600), 40, NULL);
    bk_bid_ok(BK_ABC, book->book_id, MN(400), 50, NULL);
    a = bk_close_ok(BK_ICBC, book->book_id);
    cr_expect_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", a->reason);
    cr_expect_eq(a->clearing_spread_bps, 40);
    cr_expect_eq(a->facility_fen, MN(1000));
    expect_share(a, BK_ICBC, 1, MN(150), 0, MN(150));
    expect_share(a, BK_CMB, 0, MN(300), 30, MN(300));
    expect_share(a, BK_BOC, 0, MN(600), 40, MN(550));
    expect_share(a, BK_ABC, 0, MN(400), 50, 0);
}

/* Underwritten shortfall: ¥500m bid for the ¥850m the others must raise;
 * the sole lead takes the ¥350m shortfall, holding ¥500m (50%). */
Test(rpcs, underwritten_shortfall_goes_to_the_lead)
{
    bk_terms bt;
    Synd__V1__Book *book;
    Synd__V1__Allocation *a;
    const Synd__V1__Share *lead;

    bk_terms_init(&bt);
    book = bk_open_ok(BK_ICBC, &bt);
    bk_bid_ok(BK_BOC, book->book_id, MN(300), 25, NULL);
    bk_bid_ok(BK_ABC, book->book_id, MN(200), 35, NULL);
    a = bk_close_ok(BK_ICBC, book->book_id);
    cr_expect_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", a->reason);
    cr_expect_eq(a->shortfall_fen, MN(350));
    cr_expect_eq(a->clearing_spread_bps, 35);
    lead = bk_share(a, "ICBC");
    cr_assert_not_null(lead);
    cr_expect_eq(lead->alloc_fen, MN(500));
    cr_expect_eq(lead->underwritten_fen, MN(350));
    expect_share(a, BK_BOC, 0, MN(300), 25, MN(300));
    expect_share(a, BK_ABC, 0, MN(200), 35, MN(200));
}

/* CancelBook: the book ends CANCELLED, takes no bids, has no allocation,
 * and lends nothing. */
Test(rpcs, cancel_book)
{
    bk_terms bt;
    Synd__V1__Book *book, *cancelled;
    Synd__V1__Allocation *a;
    synd_status st;

    bk_terms_init(&bt);
    book = bk_open_ok(BK_ICBC, &bt);
    bk_bid_ok(BK_BOC, book->book_id, MN(200), 30, NULL);
    cr_assert_eq(bk_cancel(BK_ICBC, book->book_id, &cancelled, &st), SYND_OK, "CancelBook: %s",
                 st.message);
    cr_expect_str_eq(cancelled->book_id, book->book_id);
    cr_expect_eq(cancelled->state, SYND__V1__BOOK_STATE__BOOK_CANCELLED);
    cr_expect_eq(bk_get_ok(BK_ICBC, book->book_id)->state, SYND__V1__BOOK_STATE__BOOK_CANCELLED);
    bk_expect_refused(bk_bid(BK_ABC, book->book_id, MN(100), 30, NULL, NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: bidding window");
    bk_expect_refused(bk_allocation(BK_ICBC, book->book_id, &a, &st), st, SYND_FAILED_PRECONDITION,
                      "rule: book life");
    cr_expect_eq(bk_headroom_ok(BK_BOC, BORROWER_A)->exposure_fen, 0);
}

/* The registry: what the file loaded, read by anyone; what an operator
 * puts, and that it takes effect (a new borrower can be lent to, new
 * capital figures move the headroom). */
Test(rpcs, registry_put_and_list)
{
    Synd__V1__ListBanksResponse *banks;
    Synd__V1__ListBorrowersResponse *borrowers;
    Synd__V1__Bank in = SYND__V1__BANK__INIT, *bank;
    Synd__V1__Borrower bin = SYND__V1__BORROWER__INIT, *borrower;
    const Synd__V1__Bank *abc = NULL, *hxb = NULL;
    const Synd__V1__Borrower *a = NULL, *c = NULL;
    bk_terms bt;
    Synd__V1__Book *book;
    synd_status st;

    cr_assert_eq(bk_list_banks(BK_CMB, &banks, &st), SYND_OK, "ListBanks: %s", st.message);
    cr_expect_eq(banks->n_banks, 8, "ICBC, BOC-SH, NFRA, SYND_OPS, CCB, ABC, CMB, CIB");
    for (size_t i = 0; i < banks->n_banks; i++) {
        if (strcmp(banks->banks[i]->bank_id, "ABC") == 0)
            abc = banks->banks[i];
        if (i > 0)
            cr_expect(strcmp(banks->banks[i - 1]->bank_id, banks->banks[i]->bank_id) < 0,
                      "sorted by id");
    }
    cr_assert_not_null(abc);
    cr_expect_str_eq(abc->name, "Bank ABC");
    cr_expect_eq(abc->net_capital_fen, 50000000000000LL);
    cr_expect_eq(abc->tier1_capital_fen, 48000000000000LL);

    in.bank_id = "HXB";
    in.name = "Hua Xia Bank";
    in.net_capital_fen = 4000000000000LL;
    in.tier1_capital_fen = 3000000000000LL;
    cr_assert_eq(bk_put_bank(BK_OPS, &in, &bank, &st), SYND_OK, "PutBank: %s", st.message);
    cr_expect_str_eq(bank->bank_id, "HXB");
    cr_expect_str_eq(bank->name, "Hua Xia Bank");
    cr_expect_eq(bank->net_capital_fen, 4000000000000LL);
    cr_expect_eq(bank->tier1_capital_fen, 3000000000000LL);

    /* ABC's capital halves: its limit is now 10% of ¥250bn. */
    in.bank_id = "ABC";
    in.name = "Agricultural Bank";
    in.net_capital_fen = 25000000000000LL;
    in.tier1_capital_fen = 24000000000000LL;
    cr_assert_eq(bk_put_bank(BK_OPS, &in, NULL, &st), SYND_OK, "PutBank: %s", st.message);
    cr_expect_eq(bk_headroom_ok(BK_ABC, BORROWER_A)->headroom_fen, 2500000000000LL);

    cr_assert_eq(bk_list_banks(BK_NFRA, &banks, &st), SYND_OK, "ListBanks: %s", st.message);
    cr_expect_eq(banks->n_banks, 9);
    for (size_t i = 0; i < banks->n_banks; i++) {
        if (strcmp(banks->banks[i]->bank_id, "HXB") == 0)
            hxb = banks->banks[i];
        if (strcmp(banks->banks[i]->bank_id, "ABC") == 0)
            abc = banks->banks[i];
    }
    cr_assert_not_null(hxb);
    cr_expect_eq(hxb->tier1_capital_fen, 3000000000000LL);
    cr_expect_eq(abc->net_capital_fen, 25000000000000LL);
    cr_expect_str_eq(abc->name, "Agricultural Bank");

    bin.code = "91330100MA2H00001P";
    bin.name = "Hangzhou Robotics";
    bin.group_id = "";
    bin.joint_limit_fen = MN(8000);
    cr_assert_eq(bk_put_borrower(BK_OPS, &bin, &borrower, &st), SYND_OK, "PutBorrower: %s",
                 st.message);
    cr_expect_str_eq(borrower->code, "91330100MA2H00001P");
    cr_expect_str_eq(borrower->group_id, "91330100MA2H00001P", "no group: a group of one");
    cr_expect_eq(borrower->joint_limit_fen, MN(8000));

    cr_assert_eq(bk_list_borrowers(BK_ICBC, &borrowers, &st), SYND_OK, "ListBorrowers: %s",
                 st.message);
    cr_expect_eq(borrowers->n_borrowers, 3);
    for (size_t i = 0; i < borrowers->n_borrowers; i++) {
        if (strcmp(borrowers->borrowers[i]->code, BORROWER_A) == 0)
            a = borrowers->borrowers[i];
        if (strcmp(borrowers->borrowers[i]->code, "91330100MA2H00001P") == 0)
            c = borrowers->borrowers[i];
    }
    cr_assert_not_null(a);
    cr_assert_not_null(c);
    cr_expect_str_eq(a->group_id, BORROWER_A_GROUP);
    cr_expect_str_eq(a->name, "Fujian Lithium Energy");
    cr_expect_eq(c->joint_limit_fen, MN(8000));

    bk_terms_init(&bt);
    bt.t.borrower_code = "91330100MA2H00001P";
    book = bk_open_ok(BK_ICBC, &bt);
    cr_expect_str_eq(book->group_id, "91330100MA2H00001P");
}

/* Idempotency: the same SubmitBid with the same key returns the first
 * answer and counts once, even after a replacing bid and after the close;
 * Redis holds one bid and counted two submissions. */
Test(rpcs, idempotent_retry_counts_once)
{
    bk_terms bt;
    Synd__V1__Book *book, *got;
    Synd__V1__SubmitBidResponse *first, *retry, *repl;
    Synd__V1__Allocation *a;
    const redisReply *r;
    synd_status st;

    bk_terms_init(&bt);
    book = bk_open_ok(BK_ICBC, &bt);
    first = bk_bid_ok(BK_BOC, book->book_id, MN(200), 20, "boc/key-1");
    retry = bk_bid_ok(BK_BOC, book->book_id, MN(200), 20, "boc/key-1");
    cr_expect_eq(retry->bid->seq, first->bid->seq, "the retry got seq %llu, first %llu",
                 (unsigned long long)retry->bid->seq, (unsigned long long)first->bid->seq);
    cr_expect_eq(retry->bid->submitted_ms, first->bid->submitted_ms);
    cr_expect_eq(retry->replaced, first->replaced);
    cr_expect_not(retry->replaced, "a retry does not replace the bid it repeats");

    got = bk_get_ok(BK_ICBC, book->book_id);
    cr_expect_eq(got->n_bids, 1, "the lead sees one bid");
    r = bk_redis("HLEN synd:{g:%s}:book:%s:bids", BORROWER_A_GROUP, book->book_id);
    cr_expect_eq(r->type, REDIS_REPLY_INTEGER);
    cr_expect_eq(r->integer, 1, "redis holds %lld bids", r->integer);
    r = bk_redis("HGET synd:{g:%s}:book:%s next_seq", BORROWER_A_GROUP, book->book_id);
    cr_assert_eq(r->type, REDIS_REPLY_STRING);
    cr_expect_str_eq(r->str, "1", "submissions counted: %s", r->str);

    repl = bk_bid_ok(BK_BOC, book->book_id, MN(300), 25, "boc/key-2");
    cr_expect_eq(repl->bid->seq, first->bid->seq + 1);
    cr_expect(repl->replaced, "a new key replaces the bank's bid");
    retry = bk_bid_ok(BK_BOC, book->book_id, MN(200), 20, "boc/key-1");
    cr_expect_eq(retry->bid->seq, first->bid->seq, "the first answer, after a replacement too");
    cr_expect_eq(retry->bid->amount_fen, MN(200));
    cr_expect_not(retry->replaced);

    got = bk_get_ok(BK_ICBC, book->book_id);
    cr_assert_eq(got->n_bids, 1, "still one live bid");
    cr_expect_eq(got->bids[0]->amount_fen, MN(300), "the replacing bid stands");
    cr_expect_eq(got->bids[0]->spread_bps, 25);
    cr_expect_eq(got->bids[0]->seq, repl->bid->seq);
    r = bk_redis("HLEN synd:{g:%s}:book:%s:bids", BORROWER_A_GROUP, book->book_id);
    cr_expect_eq(r->integer, 1);
    r = bk_redis("HGET synd:{g:%s}:book:%s next_seq", BORROWER_A_GROUP, book->book_id);
    cr_assert_eq(r->type, REDIS_REPLY_STRING);
    cr_expect_str_eq(r->str, "2", "two submissions counted, not four: %s", r->str);

    a = bk_close_ok(BK_ICBC, book->book_id);
    expect_share(a, BK_BOC, 0, MN(300), 25, MN(300));
    expect_share(a, BK_ICBC, 1, MN(150), 0, MN(700));

    /* After the close, a retry still gets its first answer; a new key is
     * a new bid, and refused. */
    retry = bk_bid_ok(BK_BOC, book->book_id, MN(300), 25, "boc/key-2");
    cr_expect_eq(retry->bid->seq, repl->bid->seq);
    cr_expect(retry->replaced);
    bk_expect_refused(bk_bid(BK_BOC, book->book_id, MN(300), 25, "boc/key-3", NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: bid");
}
