/* Integration: the authorization matrix, every cell. Each method of every
 * service is called by each role, and by a second bank of the same role
 * where the scope matters (a lead on another lead's book, a participant
 * on a book where another bank bid); the expectations are the independent
 * table of matrix.c, and test_anonymous.c has its anonymous column. Where
 * the scope matters, what the allowed calls did is checked too. */
#include <string.h>

#include <criterion/criterion.h>

#include "matrix.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

/* Opens a book of ICBC's with the bids of p1 and p2 (none for an
 * amount of 0); its id is kept. */
static const char *book_with_bids(bk_who p1, int64_t a1, bk_who p2, int64_t a2)
{
    bk_terms bt;
    const char *id;

    bk_terms_init(&bt);
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    if (a1 > 0)
        bk_bid_ok(p1, id, a1, 30, NULL);
    if (a2 > 0)
        bk_bid_ok(p2, id, a2, 40, NULL);
    return id;
}

static mx_books make_books(void)
{
    mx_books b;
    Synd__V1__Allocation *a;

    b.open = book_with_bids(BK_BOC, MN(100), BK_CIB, 0);
    b.cancel = book_with_bids(BK_BOC, 0, BK_CIB, 0);
    b.close = book_with_bids(BK_BOC, MN(500), BK_CIB, MN(350));
    b.withdraw = book_with_bids(BK_BOC, MN(100), BK_CIB, 0);
    b.allocated = book_with_bids(BK_BOC, MN(500), BK_CIB, MN(350));
    a = bk_close_ok(BK_ICBC, b.allocated);
    cr_assert_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "%s", a->reason);
    return b;
}

TestSuite(authz, .init = sec_start, .fini = sec_stop, .timeout = 120);

/* The table covers every method the broker lists, and only those. */
Test(authz, the_table_covers_every_method_served)
{
    Synd__V1__ListMethodsRequest req = SYND__V1__LIST_METHODS_REQUEST__INIT;
    Synd__V1__ListMethodsResponse *resp = NULL;
    synd_status st;

    cr_assert_eq(synd_call(bk_client(BK_ICBC), "/synd.v1.Reflection/ListMethods", &req.base,
                           &synd__v1__list_methods_response__descriptor, (ProtobufCMessage **)&resp,
                           NULL, &st),
                 SYND_OK, "ListMethods: %s", st.message);
    cr_expect_eq(resp->n_methods, mx_rows(),
                 "the broker serves %zu methods, the table has %zu rows", resp->n_methods,
                 mx_rows());
    for (size_t i = 0; i < resp->n_methods; i++) {
        int found = 0;
        for (size_t r = 0; r < mx_rows() && !found; r++)
            found = strcmp(mx_method(r), resp->methods[i]->name) == 0;
        cr_expect(found, "%s has no row in the test's table", resp->methods[i]->name);
    }
    protobuf_c_message_free_unpacked(&resp->base, NULL);
}

Test(authz, every_cell_for_every_role_and_a_second_bank_of_the_same_role)
{
    mx_books b = make_books();

    mx_build(&b);
    for (size_t r = 0; r < mx_rows(); r++) {
        for (mx_who w = MX_ICBC; w < MX_ANON; w++)
            mx_check_cell(r, w, bk_client(mx_cast[w]));
    }
    sec_expect_serving();
}

/* Where the scope matters, what the allowed calls did: each acted only on
 * what its scope covers. */
Test(authz, scopes_hold_where_the_call_is_allowed)
{
    mx_books b = make_books();
    Synd__V1__Book *book;
    Synd__V1__Allocation *a;
    synd_status st;

    /* A lead of another book reads it as itself: no one else's bids or
     * shares. */
    book = bk_get_ok(BK_CCB, b.open);
    cr_expect_eq(book->n_bids, 0, "CCB sees %zu bids of ICBC's book", book->n_bids);
    a = bk_allocation_ok(BK_CCB, b.allocated);
    cr_expect_eq(a->n_shares, 0, "CCB sees %zu shares of ICBC's book", a->n_shares);
    cr_expect_eq(bk_allocation_ok(BK_ICBC, b.allocated)->n_shares, 3, "the lead sees all");
    cr_expect_eq(bk_allocation_ok(BK_NFRA, b.allocated)->n_shares, 3, "the supervisor sees all");

    /* A participant acts on its own bid only: CIB's withdrawal on a book
     * where only BOC-SH bid finds nothing, and BOC-SH's bid stays. */
    bk_expect_refused(bk_withdraw(BK_CIB, b.withdraw, NULL, &st), st, SYND_NOT_FOUND,
                      "CIB has no bid");
    book = bk_get_ok(BK_ICBC, b.withdraw);
    cr_assert_eq(book->n_bids, 1);
    cr_expect_str_eq(book->bids[0]->bank_id, "BOC-SH");
    /* CIB's bid is its own and replaces nothing of BOC-SH's. */
    cr_expect_eq(bk_bid_ok(BK_CIB, b.open, MN(200), 35, NULL)->replaced, 0);
    book = bk_get_ok(BK_CIB, b.open);
    cr_assert_eq(book->n_bids, 1, "CIB sees %zu bids", book->n_bids);
    cr_expect_str_eq(book->bids[0]->bank_id, "CIB");
    cr_expect_eq(bk_find_bid(bk_get_ok(BK_ICBC, b.open), "BOC-SH")->amount_fen, MN(100));

    /* A lead's refused close or cancel of another's book changes nothing. */
    bk_expect_refused(bk_close(BK_CCB, b.close, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "CCB is not a lead of book");
    bk_expect_refused(bk_cancel(BK_CCB, b.cancel, NULL, &st), st, SYND_PERMISSION_DENIED,
                      "CCB is not a lead of book");
    cr_expect_eq(bk_get_ok(BK_ICBC, b.close)->state, SYND__V1__BOOK_STATE__BOOK_OPEN);
    cr_expect_eq(bk_get_ok(BK_ICBC, b.cancel)->state, SYND__V1__BOOK_STATE__BOOK_OPEN);
}

/* A refusal by the matrix is recorded and shown to supervisors like any
 * other: who, what, on what. */
Test(authz, refusals_by_the_matrix_are_audited)
{
    int64_t from = harness_now_ms();
    synd_status st;
    Synd__V1__Book *book;

    bk_expect_refused(bk_get(BK_OPS, "BK-1", (Synd__V1__Book **)&book, &st), st,
                      SYND_PERMISSION_DENIED,
                      "GetBook needs the lead, participant or supervisor role; this key is "
                      "SYND_OPS operator");
    sec_expect_audited(from, "SYND_OPS", "GetBook", SYND_PERMISSION_DENIED, "needs the lead");
}
