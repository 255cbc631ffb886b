/* Integration: confidentiality (a participant sees its own bid and share
 * only, through GetBook, GetAllocation and WatchBooks; leads and the
 * supervisor see everything) and the WatchBooks filters and events. */
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

TestSuite(confidential, .init = bk_start, .fini = bk_stop, .timeout = 60);

static const Synd__V1__WatchBooksRequest any = SYND__V1__WATCH_BOOKS_REQUEST__INIT;

/* Asserts that no event w received carries a bid or a share of a bank
 * other than bank. Returns how many ALLOCATED events it holds. */
static size_t expect_only_own(bk_watcher *w, const char *bank)
{
    size_t n = bk_watch_count(w), allocated = 0;

    for (size_t i = 0; i < n; i++) {
        const Synd__V1__BookEvent *ev = bk_watch_event(w, i);
        for (size_t j = 0; ev->book != NULL && j < ev->book->n_bids; j++)
            cr_expect_str_eq(ev->book->bids[j]->bank_id, bank, "%s's stream carries a bid of %s",
                             bank, ev->book->bids[j]->bank_id);
        if (ev->allocation == NULL)
            continue;
        for (size_t j = 0; j < ev->allocation->n_shares; j++)
            cr_expect_str_eq(ev->allocation->shares[j]->bank_id, bank,
                             "%s's stream carries the share of %s", bank,
                             ev->allocation->shares[j]->bank_id);
        cr_expect_eq(ev->kind, SYND__V1__BOOK_EVENT__KIND__ALLOCATED);
        allocated++;
    }
    return allocated;
}

/* Asserts that the ALLOCATED event of book on w holds exactly bank's
 * share, of alloc fen. */
static void expect_own_share(bk_watcher *w, const char *book, const char *bank, int64_t alloc)
{
    const Synd__V1__BookEvent *ev = bk_watch_wait(w, SYND__V1__BOOK_EVENT__KIND__ALLOCATED, book);

    cr_assert_not_null(ev->allocation, "ALLOCATED without the allocation");
    cr_assert_eq(ev->allocation->n_shares, 1, "%s got %zu shares of %s", bank,
                 ev->allocation->n_shares, book);
    cr_expect_str_eq(ev->allocation->shares[0]->bank_id, bank);
    cr_expect_eq(ev->allocation->shares[0]->alloc_fen, alloc, "%s's share of %s: %lld", bank, book,
                 (long long)ev->allocation->shares[0]->alloc_fen);
    cr_expect_eq(ev->allocation->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);
    cr_expect_eq(ev->allocation->facility_fen, MN(1000));
}

/* Asserts a GetBook as who shows n bids, all of them bank's if own. */
static void expect_bids(bk_who who, const char *book, size_t n, int own)
{
    Synd__V1__Book *b = bk_get_ok(who, book);

    cr_expect_eq(b->n_bids, n, "%s sees %zu bids of %s, want %zu", bk_bank(who), b->n_bids, book,
                 n);
    for (size_t i = 0; own && i < b->n_bids; i++)
        cr_expect_str_eq(b->bids[i]->bank_id, bk_bank(who), "%s sees the bid of %s", bk_bank(who),
                         b->bids[i]->bank_id);
}

/* Asserts a GetAllocation as who shows n shares, all of them its own if
 * own. */
static void expect_shares(bk_who who, const char *book, size_t n, int own)
{
    Synd__V1__Allocation *a = bk_allocation_ok(who, book);

    cr_expect_eq(a->n_shares, n, "%s sees %zu shares of %s, want %zu", bk_bank(who), a->n_shares,
                 book, n);
    for (size_t i = 0; own && i < a->n_shares; i++)
        cr_expect_str_eq(a->shares[i]->bank_id, bk_bank(who), "%s sees the share of %s",
                         bk_bank(who), a->shares[i]->bank_id);
    cr_expect_eq(a->facility_fen, MN(1000), "the book's totals are not secret");
}

Test(confidential, participants_see_their_own_only)
{
    bk_watcher *boc = bk_watch(BK_BOC, &any), *abc = bk_watch(BK_ABC, &any);
    bk_watcher *cmb = bk_watch(BK_CMB, &any), *cib = bk_watch(BK_CIB, &any);
    bk_watcher *lead = bk_watch(BK_ICBC, &any);
    const Synd__V1__BookEvent *ev;
    bk_terms bt;
    const char *id, *next;

    bk_terms_init(&bt);
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, id);
    bk_bid_ok(BK_BOC, id, MN(600), 40, NULL);
    bk_bid_ok(BK_ABC, id, MN(400), 50, NULL);
    bk_bid_ok(BK_CMB, id, MN(300), 30, NULL);

    expect_bids(BK_BOC, id, 1, 1);
    expect_bids(BK_ABC, id, 1, 1);
    expect_bids(BK_CMB, id, 1, 1);
    expect_bids(BK_CIB, id, 0, 1);
    expect_bids(BK_CCB, id, 0, 1); /* a lead, but not of this book */
    expect_bids(BK_ICBC_P, id, 0, 1);
    expect_bids(BK_ICBC, id, 3, 0);
    expect_bids(BK_NFRA, id, 3, 0);

    bk_close_ok(BK_ICBC, id);
    expect_shares(BK_BOC, id, 1, 1);
    expect_shares(BK_ABC, id, 1, 1);
    expect_shares(BK_CMB, id, 1, 1);
    expect_shares(BK_CIB, id, 0, 1);
    expect_shares(BK_CCB, id, 0, 1);
    expect_shares(BK_ICBC, id, 4, 0);
    expect_shares(BK_NFRA, id, 4, 0);
    cr_expect_eq(bk_share(bk_allocation_ok(BK_BOC, id), "BOC-SH")->alloc_fen, UNITS(39231));

    /* Each bidder is told the close and its own share only. */
    expect_own_share(boc, id, "BOC-SH", UNITS(39231));
    expect_own_share(abc, id, "ABC", UNITS(26154));
    expect_own_share(cmb, id, "CMB", UNITS(19615));
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__CLOSED, id);
    bk_watch_wait(cmb, SYND__V1__BOOK_EVENT__KIND__CLOSED, id);

    /* The lead is told the whole allocation, and is not announced its own
     * book. */
    ev = bk_watch_wait(lead, SYND__V1__BOOK_EVENT__KIND__ALLOCATED, id);
    cr_assert_not_null(ev->allocation);
    cr_expect_eq(ev->allocation->n_shares, 4);
    cr_expect_eq(bk_share(ev->allocation, "ABC")->alloc_fen, UNITS(26154));
    cr_expect_eq(bk_watch_seen(lead, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, id), 0);

    /* A later book is a marker: what CIB's stream holds before its
     * announcement is all it was ever sent about the first book. */
    bk_terms_init(&bt);
    next = bk_open_ok(BK_ICBC, &bt)->book_id;
    bk_watch_wait(cib, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, next);
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, next);
    bk_watch_wait(abc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, next);
    bk_watch_wait(cmb, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, next);
    cr_expect_eq(bk_watch_seen(cib, 0, id), 1, "CIB did not bid: only the announcement");
    cr_expect_eq(bk_watch_seen(cib, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, id), 1);

    cr_expect_eq(expect_only_own(boc, "BOC-SH"), 1);
    cr_expect_eq(expect_only_own(abc, "ABC"), 1);
    cr_expect_eq(expect_only_own(cmb, "CMB"), 1);
    cr_expect_eq(expect_only_own(cib, "CIB"), 0);
    for (bk_watcher **w = (bk_watcher *[]){boc, abc, cmb, NULL}; *w; w++) {
        cr_expect_eq(bk_watch_seen(*w, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, id), 1);
        cr_expect_eq(bk_watch_seen(*w, SYND__V1__BOOK_EVENT__KIND__CLOSED, id), 1);
        cr_expect_eq(bk_watch_seen(*w, SYND__V1__BOOK_EVENT__KIND__ALLOCATED, id), 1);
    }
}

/* Opens a book of the fixture's terms with another industry, borrower and
 * tenor; returns its id. */
static const char *open_book(const char *industry, const char *borrower, int32_t tenor)
{
    bk_terms bt;

    bk_terms_init(&bt);
    bt.t.industry_code = (char *)industry;
    bt.t.borrower_code = (char *)borrower;
    bt.t.tenor_months = tenor;
    return bk_open_ok(BK_ICBC, &bt)->book_id;
}

/* Filters: ABC watches C38 (batteries among them), BOC-SH manufacturing
 * (section C) up to 36 months. Each is announced the matching books open
 * when it subscribes and those opened later, and nothing else; each is
 * told of the close and the allocation of the books it bid on, whatever
 * its filter, and of no other. */
Test(confidential, watch_filters_and_own_books)
{
    Synd__V1__WatchBooksRequest fa = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    Synd__V1__WatchBooksRequest fb = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    char *c38[] = {"C38"}, *c[] = {"C"};
    const char *x1, *y1, *z, *x2, *y2, *s1, *s2;
    bk_watcher *abc, *boc;
    Synd__V1__Book *cancelled;
    synd_status st;

    x1 = open_book("C3841", BORROWER_A, 60); /* ABC only */
    y1 = open_book("C2710", BORROWER_B, 36); /* BOC-SH only */
    fa.n_industry_codes = 1;
    fa.industry_codes = c38;
    fb.n_industry_codes = 1;
    fb.industry_codes = c;
    fb.max_tenor_months = 36;
    abc = bk_watch(BK_ABC, &fa);
    boc = bk_watch(BK_BOC, &fb);
    bk_watch_wait(abc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, x1);
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, y1);

    z = open_book("I6510", BORROWER_B, 36);  /* software: neither */
    x2 = open_book("C3841", BORROWER_A, 60); /* ABC only */
    y2 = open_book("C2710", BORROWER_B, 36); /* BOC-SH only */
    s1 = open_book("C3841", BORROWER_A, 36); /* both */
    bk_watch_wait(abc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, s1);
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, s1);
    cr_expect_eq(bk_watch_seen(abc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, NULL), 3,
                 "ABC: x1, x2, s1");
    cr_expect_eq(bk_watch_seen(abc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, x2), 1);
    cr_expect_eq(bk_watch_seen(boc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, NULL), 3,
                 "BOC-SH: y1, y2, s1");
    cr_expect_eq(bk_watch_seen(boc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, y2), 1);
    cr_expect_eq(bk_watch_seen(abc, 0, z) + bk_watch_seen(boc, 0, z), 0);

    /* ABC bids on x1 and x2, BOC-SH on x1 (outside its filter) and y2. */
    bk_bid_ok(BK_ABC, x1, MN(300), 30, NULL);
    bk_bid_ok(BK_BOC, x1, MN(200), 40, NULL);
    bk_bid_ok(BK_ABC, x2, MN(300), 30, NULL);
    bk_bid_ok(BK_BOC, y2, MN(600), 30, NULL);
    bk_close_ok(BK_ICBC, x1);
    bk_close_ok(BK_ICBC, y2);
    bk_close_ok(BK_ICBC, y1); /* nobody bid: nobody is told */
    cr_assert_eq(bk_cancel(BK_ICBC, x2, &cancelled, &st), SYND_OK, "CancelBook: %s", st.message);

    bk_watch_wait(abc, SYND__V1__BOOK_EVENT__KIND__CLOSED, x1);
    expect_own_share(abc, x1, "ABC", MN(300));
    bk_watch_wait(abc, SYND__V1__BOOK_EVENT__KIND__CANCELLED, x2);
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__CLOSED, x1);
    expect_own_share(boc, x1, "BOC-SH", MN(200));
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__CLOSED, y2);
    expect_own_share(boc, y2, "BOC-SH", MN(600));

    /* A last book that both match marks the end of what they were sent. */
    s2 = open_book("C3841", BORROWER_A, 24);
    bk_watch_wait(abc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, s2);
    bk_watch_wait(boc, SYND__V1__BOOK_EVENT__KIND__ANNOUNCED, s2);
    cr_expect_eq(bk_watch_seen(abc, 0, y1) + bk_watch_seen(abc, 0, y2) + bk_watch_seen(abc, 0, z),
                 0, "ABC is told nothing of books it neither matches nor bid on");
    cr_expect_eq(bk_watch_seen(boc, 0, x2) + bk_watch_seen(boc, 0, z), 0);
    cr_expect_eq(bk_watch_seen(boc, 0, y1), 1, "y1: its announcement only; no bid, no close");
    cr_expect_eq(bk_watch_seen(abc, 0, x1), 3, "x1: announced, closed, allocated");
    cr_expect_eq(bk_watch_seen(boc, 0, x1), 2, "x1: closed, allocated; never announced");
    cr_expect_eq(bk_watch_seen(abc, 0, x2), 2, "x2: announced, cancelled");
    cr_expect_eq(expect_only_own(abc, "ABC"), 1);
    cr_expect_eq(expect_only_own(boc, "BOC-SH"), 2);
}
