/* Integration: every refusal of the Syndication and Registry services,
 * with its status code and a message that names the rule, and that a
 * refused request changes nothing. */
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(refusals, .init = bk_start, .fini = bk_stop, .timeout = 60);

typedef struct term_case {
    const char *what, *rule;
} term_case;

/* Breaks one term of bt for case i of terms_rules. */
static void break_term(bk_terms *bt, int i)
{
    static const char *const co[] = {"ICBC", "CCB"};
    static const int64_t co_low[] = {MN(200), MN(90)};   /* CCB 9% */
    static const int64_t co_high[] = {MN(400), MN(350)}; /* 75% together */
    static const char *const sole[] = {"ICBC"};
    static const int64_t low[] = {MN(140)};  /* 14% */
    static const int64_t high[] = {MN(750)}; /* 75% */

    switch (i) {
    case 0:
        bk_terms_leads(bt, 1, sole, low);
        break;
    case 1:
        bk_terms_leads(bt, 2, co, co_low);
        break;
    case 2:
        bk_terms_leads(bt, 2, co, co_high);
        break;
    case 3:
        bk_terms_leads(bt, 1, sole, high);
        break;
    case 4:
        bk_terms_fee(bt, "underwriting", SYND__V1__FEE_BASIS__ONE_OFF_BPS, 10, 0);
        break;
    case 5:
        bt->t.n_fees = 0;
        bk_terms_fee(bt, "arrangement", SYND__V1__FEE_BASIS__RATE_ADD_ON, 10, 0);
        break;
    case 6:
        bt->tie_ins[0] = "payroll accounts move to the lead";
        bt->t.n_tie_ins = 1;
        break;
    case 7:
        bt->t.spread_floor_bps = 70;
        break;
    case 8:
        bt->t.borrower_code = "91350100M000100Y44";
        break;
    case 9:
        bt->t.industry_code = "C9911";
        break;
    case 10:
        bt->t.close_ms = harness_now_ms() - 1000;
        break;
    case 11:
        bt->t.tenor_months = 0;
        break;
    case 12:
        bt->t.tenor_months = 361;
        break;
    case 13:
        bt->t.min_ticket_fen = 0;
        break;
    case 14:
        bt->t.facility_fen = MN(1000) + 50;
        break;
    case 15:
        bt->t.min_ticket_fen = MN(50) + 1;
        break;
    }
}

/* Each terms rule at OpenBook: INVALID_ARGUMENT naming the rule, and no
 * book is stored. */
Test(refusals, terms_rules)
{
    static const term_case cases[] = {
        {"sole lead holds 14%", "rule: sole-lead hold"},
        {"co-lead holds 9%", "rule: co-lead hold"},
        {"leads hold 75%", "rule: others' share"},
        {"sole lead holds 75%", "rule: single-bank cap"},
        {"an underwriting fee", "rule: fee whitelist"},
        {"a fee as a rate add-on", "rule: no rate add-on fees"},
        {"a tie-in", "rule: no tie-ins"},
        {"spread floor above the cap", "rule: price talk"},
        {"bad USCC check character", "rule: USCC check character"},
        {"industry division 99", "rule: GB/T 4754-2017 industry code"},
        {"close time in the past", "rule: close time"},
        {"tenor of 0 months", "rule: tenor"},
        {"tenor of 361 months", "rule: tenor"},
        {"no minimum ticket", "rule: minimum ticket"},
        {"facility not in whole units", "rule: allocation unit"},
        {"minimum ticket not in whole units", "rule: allocation unit"},
    };
    bk_terms bt;
    synd_status st;
    const redisReply *r;

    for (int i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
        synd_code code;
        bk_terms_init(&bt);
        break_term(&bt, i);
        code = bk_open(BK_ICBC, &bt, NULL, &st);
        cr_expect_eq(code, SYND_INVALID_ARGUMENT, "%s: got %s (%s)", cases[i].what,
                     synd_code_name(code), st.message);
        cr_expect(strstr(st.message, cases[i].rule) != NULL, "%s: message '%s' lacks '%s'",
                  cases[i].what, st.message, cases[i].rule);
    }
    bk_terms_init(&bt);
    break_term(&bt, 4);
    cr_expect_eq(bk_open(BK_ICBC, &bt, NULL, &st), SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "'underwriting'") != NULL, "the fee is quoted: %s", st.message);
    bk_terms_init(&bt);
    break_term(&bt, 6);
    cr_expect_eq(bk_open(BK_ICBC, &bt, NULL, &st), SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "payroll accounts") != NULL, "the tie-in is quoted: %s",
              st.message);

    r = bk_redis("HLEN synd:books");
    cr_expect_eq(r->integer, 0, "a refused book is not stored");
    bk_terms_init(&bt);
    cr_expect_str_eq(bk_open_ok(BK_ICBC, &bt)->book_id, "BK-1", "no id was used up");
}

/* Who may open a book, and for whom. */
Test(refusals, open_book_preconditions)
{
    static const char *const ccb[] = {"CCB"};
    static const int64_t hold[] = {MN(150)};
    bk_terms bt;
    synd_status st;

    bk_terms_init(&bt);
    bt.t.borrower_code = BORROWER_NONE;
    bk_expect_refused(bk_open(BK_ICBC, &bt, NULL, &st), st, SYND_FAILED_PRECONDITION,
                      "rule: registered borrower");

    bk_terms_init(&bt);
    bk_terms_leads(&bt, 1, ccb, hold);
    bk_expect_refused(bk_open(BK_ICBC, &bt, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "not among the book's leads");

    bk_terms_init(&bt);
    bk_expect_refused(bk_open(BK_BOC, &bt, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the lead role");
    bk_expect_refused(bk_open(BK_ICBC_P, &bt, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the lead role");
    bk_expect_refused(bk_open(BK_NFRA, &bt, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the lead role");
    cr_expect_eq(bk_redis("HLEN synd:books")->integer, 0, "nothing stored");

    bk_terms_leads(&bt, 1, ccb, hold);
    cr_expect_str_eq(bk_open_ok(BK_CCB, &bt)->lead_bank_id, "CCB");
}

/* Each bid rule, and that refused bids leave the book untouched. */
Test(refusals, bid_rules)
{
    bk_terms bt;
    Synd__V1__Book *book;
    const char *id;
    const redisReply *r;
    synd_status st;

    bk_terms_init(&bt);
    book = bk_open_ok(BK_ICBC, &bt);
    id = book->book_id;
    bk_expect_refused(bk_bid(BK_BOC, id, MN(100), 9, "a", NULL, &st), st, SYND_INVALID_ARGUMENT,
                      "rule: spread band");
    bk_expect_refused(bk_bid(BK_BOC, id, MN(100), 61, "b", NULL, &st), st, SYND_INVALID_ARGUMENT,
                      "rule: spread band");
    bk_expect_refused(bk_bid(BK_BOC, id, MN(100) + 1, 30, "c", NULL, &st), st,
                      SYND_INVALID_ARGUMENT, "rule: allocation unit");
    bk_expect_refused(bk_bid(BK_BOC, id, MN(40), 30, "d", NULL, &st), st, SYND_INVALID_ARGUMENT,
                      "rule: minimum ticket");
    bk_expect_refused(bk_bid(BK_BOC, id, MN(1001), 30, "e", NULL, &st), st, SYND_INVALID_ARGUMENT,
                      "rule: bid within the facility");
    bk_expect_refused(bk_bid(BK_ICBC_P, id, MN(100), 30, "f", NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: own book");
    bk_expect_refused(bk_bid(BK_ICBC, id, MN(100), 30, "g", NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the participant role");
    bk_expect_refused(bk_bid(BK_CCB, id, MN(100), 30, "h", NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the participant role");
    bk_expect_refused(bk_bid(BK_NFRA, id, MN(100), 30, "i", NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the participant role");
    bk_expect_refused(bk_withdraw(BK_BOC, id, NULL, &st), st, SYND_NOT_FOUND, "has no bid");
    bk_expect_refused(bk_withdraw(BK_ICBC, id, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the participant role");

    cr_expect_eq(bk_get_ok(BK_ICBC, id)->n_bids, 0);
    r = bk_redis("HLEN synd:{g:%s}:book:%s:bids", BORROWER_A_GROUP, id);
    cr_expect_eq(r->integer, 0, "no refused bid reached redis");
    r = bk_redis("HGET synd:{g:%s}:book:%s next_seq", BORROWER_A_GROUP, id);
    cr_assert_eq(r->type, REDIS_REPLY_STRING);
    cr_expect_str_eq(r->str, "0");
    /* The idempotency keys of refused bids were not used up. */
    cr_expect_eq(bk_bid_ok(BK_BOC, id, MN(100), 30, "a")->bid->amount_fen, MN(100));
}

/* Every call on a book that does not exist is NOT_FOUND, and so is the
 * headroom to a borrower that is not registered. */
Test(refusals, unknown_book_and_borrower)
{
    synd_status st;

    bk_expect_refused(bk_get(BK_ICBC, "BK-999", NULL, &st), st, SYND_NOT_FOUND, "BK-999");
    bk_expect_refused(bk_bid(BK_BOC, "BK-999", MN(100), 30, "k", NULL, &st), st, SYND_NOT_FOUND,
                      "BK-999");
    bk_expect_refused(bk_withdraw(BK_BOC, "BK-999", NULL, &st), st, SYND_NOT_FOUND, "BK-999");
    bk_expect_refused(bk_close(BK_ICBC, "BK-999", NULL, &st), st, SYND_NOT_FOUND, "BK-999");
    bk_expect_refused(bk_cancel(BK_ICBC, "BK-999", NULL, &st), st, SYND_NOT_FOUND, "BK-999");
    bk_expect_refused(bk_allocation(BK_NFRA, "BK-999", NULL, &st), st, SYND_NOT_FOUND, "BK-999");
    bk_expect_refused(bk_headroom(BK_BOC, BORROWER_NONE, NULL, &st), st, SYND_NOT_FOUND,
                      BORROWER_NONE);
}

/* The life of a book: who may close and cancel it, and what is refused
 * once it is closed. */
Test(refusals, book_life)
{
    bk_terms bt;
    const char *id;
    synd_status st;

    bk_terms_init(&bt);
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    bk_bid_ok(BK_BOC, id, MN(600), 30, NULL);
    bk_expect_refused(bk_allocation(BK_ICBC, id, NULL, &st), st, SYND_FAILED_PRECONDITION,
                      "rule: book life");
    bk_expect_refused(bk_allocation(BK_BOC, id, NULL, &st), st, SYND_FAILED_PRECONDITION,
                      "no allocation yet");
    bk_expect_refused(bk_close(BK_CCB, id, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "CCB is not a lead of book");
    bk_expect_refused(bk_cancel(BK_CCB, id, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "CCB is not a lead of book");
    bk_expect_refused(bk_close(BK_BOC, id, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the lead role");
    bk_expect_refused(bk_cancel(BK_ICBC_P, id, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the lead role");
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->state, SYND__V1__BOOK_STATE__BOOK_OPEN,
                 "refused closes change nothing");

    bk_close_ok(BK_ICBC, id);
    bk_expect_refused(bk_cancel(BK_ICBC, id, NULL, &st), st, SYND_FAILED_PRECONDITION,
                      "rule: only an OPEN book is cancelled");
    bk_expect_refused(bk_close(BK_ICBC, id, NULL, &st), st, SYND_FAILED_PRECONDITION,
                      "rule: book life");
    bk_expect_refused(bk_bid(BK_ABC, id, MN(100), 30, NULL, NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: bidding window");
    bk_expect_refused(bk_bid(BK_BOC, id, MN(100), 30, NULL, NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: bidding window");
    bk_expect_refused(bk_withdraw(BK_BOC, id, NULL, &st), st, SYND_FAILED_PRECONDITION,
                      "rule: bid");
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->n_bids, 1);
}

/* A bid that arrives after the close time is refused even before the
 * clock has closed the book, and the clock then closes and allocates it. */
Test(refusals, bid_after_close_time)
{
    bk_terms bt;
    const char *id;
    Synd__V1__Allocation *a;
    synd_status st;

    bk_terms_init(&bt);
    bt.t.close_ms = harness_now_ms() + 1000;
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    bk_bid_ok(BK_BOC, id, MN(600), 30, NULL);
    while (harness_now_ms() <= bt.t.close_ms)
        harness_sleep_ms(10);
    bk_expect_refused(bk_bid(BK_ABC, id, MN(100), 30, NULL, NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: bidding window");
    bk_expect_refused(bk_bid(BK_ABC, id, MN(100), 30, "late-key", NULL, &st), st,
                      SYND_FAILED_PRECONDITION, "rule: bid");
    a = bk_wait_allocation(BK_ICBC, id);
    cr_expect_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "reason: %s", a->reason);
    cr_expect_eq(a->n_shares, 2, "the lead and BOC-SH only");
    cr_expect_eq(bk_share(a, "BOC-SH")->alloc_fen, MN(600));
    cr_expect_eq(bk_share(a, "ICBC")->alloc_fen, MN(400));
    cr_expect_null(bk_share(a, "ABC"));
}

/* Only operators change the registry; bad figures and codes are refused
 * and change nothing. */
Test(refusals, registry)
{
    Synd__V1__Bank bank = SYND__V1__BANK__INIT;
    Synd__V1__Borrower b = SYND__V1__BORROWER__INIT;
    Synd__V1__ListBanksResponse *banks;
    synd_status st;

    bank.bank_id = "BOC-SH";
    bank.name = "Bank of China, Shanghai";
    bank.net_capital_fen = 1;
    bank.tier1_capital_fen = 1;
    bk_expect_refused(bk_put_bank(BK_BOC, &bank, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the operator role");
    bk_expect_refused(bk_put_bank(BK_ICBC, &bank, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the operator role");
    bk_expect_refused(bk_put_bank(BK_NFRA, &bank, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the operator role");
    bank.net_capital_fen = 100;
    bank.tier1_capital_fen = 200;
    bk_expect_refused(bk_put_bank(BK_OPS, &bank, NULL, &st), st, SYND_INVALID_ARGUMENT,
                      "rule: tier-1 is part of net capital");
    bank.tier1_capital_fen = -1;
    bk_expect_refused(bk_put_bank(BK_OPS, &bank, NULL, &st), st, SYND_INVALID_ARGUMENT,
                      "non-negative");

    b.code = "91330100MA2H00001P";
    b.name = "Hangzhou Robotics";
    bk_expect_refused(bk_put_borrower(BK_ICBC, &b, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "needs the operator role");
    b.code = "91330100MA2H00001Q";
    bk_expect_refused(bk_put_borrower(BK_OPS, &b, NULL, &st), st, SYND_INVALID_ARGUMENT,
                      "rule: USCC check character");

    cr_assert_eq(bk_list_banks(BK_BOC, &banks, &st), SYND_OK, "ListBanks: %s", st.message);
    for (size_t i = 0; i < banks->n_banks; i++) {
        if (strcmp(banks->banks[i]->bank_id, "BOC-SH") == 0)
            cr_expect_eq(banks->banks[i]->net_capital_fen, 100000000000000LL, "unchanged");
    }
    cr_expect_eq(bk_headroom_ok(BK_BOC, BORROWER_A)->headroom_fen, bk_limit(BK_BOC));
}
