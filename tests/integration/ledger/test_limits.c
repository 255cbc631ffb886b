/* The exposure ledger in a real Redis: reserving an allocation within the
 * single borrower, group and joint limits, positions, repayments and the
 * supervisors' snapshot. Every refusal is shown to write nothing by
 * comparing the whole database before and after. */
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

#define G1      "G-HAIXI"
#define G2      "G-MINJIANG"
#define B1      "91350100M000100Y00" /* in G1 */
#define B2      "91350100M000200Y00" /* in G1 */
#define B3      "91350200M000300Y00" /* in G2 */
#define LEAD    "ICBC"
#define NOW     INT64_C(1700000000000)
#define CLOSE   (NOW + 60000)
#define MAX_FEN INT64_C(9007199254740991)

#define TAG(g)         "synd:{g:" g "}:"
#define EXPOSURE(g, b) TAG(g) "exposure:" b
#define GEXPOSURE(g)   TAG(g) "gexposure"
#define TOTALS(g)      TAG(g) "totals"
#define OWED(g, id)    TAG(g) "book:" id ":outstanding"

TestSuite(ledger_limits, .init = fx_start, .fini = fx_stop, .timeout = 60);

/* Opens a book for borrower in group, closes it by its lead and returns
 * its id. */
static const char *closed_book(const char *group, const char *borrower)
{
    const ledger_result *r =
        CALL(ledger_book_open, group, LEAD, borrower, CLOSE, NOW, (const uint8_t *)"t", 1);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(CALL(ledger_book_close, group, r->id, 1, NOW)->code, SYND_OK);
    return r->id;
}

/* Settles a closed book as ALLOCATED. */
static const ledger_result *settle(const char *group, const char *id, const char *borrower,
                                   int64_t joint, const ledger_share *shares, size_t n)
{
    return CALL(ledger_book_settle, group, id, BOOK_ALLOCATED, (const uint8_t *)"A", 1, borrower,
                joint, shares, n);
}

/* A book for borrower, closed and settled with shares; returns its id. */
static const char *reserved(const char *group, const char *borrower, const ledger_share *shares,
                            size_t n)
{
    const char *id = closed_book(group, borrower);
    const ledger_result *r = settle(group, id, borrower, 0, shares, n);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->book->state, BOOK_ALLOCATED);
    return id;
}

/* A hash field in Redis as a number; -1 if the field is not there. */
static int64_t field(const char *key, const char *name)
{
    const redisReply *r = fx_redis("HGET %s %s", key, name);

    if (r->type == REDIS_REPLY_NIL)
        return -1;
    cr_assert_eq(r->type, REDIS_REPLY_STRING);
    return strtoll(r->str, NULL, 10);
}

static long long exists(const char *key)
{
    return fx_redis("EXISTS %s", key)->integer;
}

/* Asserts a refusal with its code and its whole reason. */
static void refused(const ledger_result *r, synd_code code, const char *reason)
{
    cr_assert_eq(r->code, code, "got %s: %s", synd_code_name(r->code), r->message);
    cr_assert_str_eq(r->message, reason);
    cr_assert(r->book == NULL && r->shares == NULL && r->positions == NULL);
}

/* Asserts the result's shares are these bank and amount pairs, in order. */
static void owed(const ledger_result *r, const ledger_share *want, size_t n)
{
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->n_items, n);
    cr_assert_not_null(r->shares);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq(r->shares[i].bank_id, want[i].bank_id);
        cr_assert_eq(r->shares[i].alloc_fen, want[i].alloc_fen, "%s", want[i].bank_id);
    }
}

Test(ledger_limits, settle_reserves_every_figure)
{
    const ledger_share s[] = {
        {"BOC", 600, 600, 600}, {"CCB", 400, MAX_FEN, MAX_FEN}, {"ABC", 0, 0, 0}};
    const char *id = reserved(G1, B1, s, 3);

    cr_assert_str_eq(id, "BK-1");
    cr_assert_eq(field(EXPOSURE(G1, B1), "BOC"), 600);
    cr_assert_eq(field(EXPOSURE(G1, B1), "CCB"), 400);
    cr_assert_eq(field(EXPOSURE(G1, B1), "ABC"), -1);
    cr_assert_eq(field(GEXPOSURE(G1), "BOC"), 600);
    cr_assert_eq(field(GEXPOSURE(G1), "CCB"), 400);
    cr_assert_eq(field(GEXPOSURE(G1), "ABC"), -1);
    cr_assert_eq(field(TOTALS(G1), B1), 1000);
    cr_assert_eq(field(TOTALS(G1), "_group"), 1000);
    cr_assert_eq(fx_redis("HLEN %s", TOTALS(G1))->integer, 2);
    cr_assert_eq(field(OWED(G1, "BK-1"), "BOC"), 600);
    cr_assert_eq(field(OWED(G1, "BK-1"), "CCB"), 400);
    cr_assert_eq(fx_redis("HLEN %s", OWED(G1, "BK-1"))->integer, 2);
    cr_assert_eq(fx_redis("SISMEMBER synd:groups %s", G1)->integer, 1);
}

Test(ledger_limits, two_books_of_one_group_add_up)
{
    const ledger_share one[] = {{"BOC", 600, MAX_FEN, MAX_FEN}};
    const ledger_share two[] = {{"BOC", 300, MAX_FEN, MAX_FEN}, {"CCB", 100, MAX_FEN, MAX_FEN}};

    reserved(G1, B1, one, 1);
    reserved(G1, B2, two, 2);
    cr_assert_eq(fx_redis("HLEN %s", EXPOSURE(G1, B1))->integer, 1);
    cr_assert_eq(field(EXPOSURE(G1, B1), "BOC"), 600);
    cr_assert_eq(field(EXPOSURE(G1, B2), "BOC"), 300);
    cr_assert_eq(field(EXPOSURE(G1, B2), "CCB"), 100);
    cr_assert_eq(field(GEXPOSURE(G1), "BOC"), 900);
    cr_assert_eq(field(GEXPOSURE(G1), "CCB"), 100);
    cr_assert_eq(field(TOTALS(G1), B1), 600);
    cr_assert_eq(field(TOTALS(G1), B2), 400);
    cr_assert_eq(field(TOTALS(G1), "_group"), 1000);
    cr_assert_eq(fx_redis("SCARD synd:groups")->integer, 1);
}

/* The position every limit test starts from: BOC lends 100 to B1 and 50
 * to B2, CCB 200 to B1; so BOC's exposure to B1 is 100 and to G1 150,
 * B1's total 300 and G1's 350. Returns a closed book for B1 to settle. */
static const char *prior(void)
{
    const ledger_share a[] = {{"BOC", 100, MAX_FEN, MAX_FEN}, {"CCB", 200, MAX_FEN, MAX_FEN}};
    const ledger_share b[] = {{"BOC", 50, MAX_FEN, MAX_FEN}};

    reserved(G1, B1, a, 2);
    reserved(G1, B2, b, 1);
    return closed_book(G1, B1);
}

/* Settles the prior() book with BOC 40 (under the caps given) and CCB 10
 * (under none), against a joint limit. */
static const ledger_result *settle_40_10(const char *id, int64_t single, int64_t group,
                                         int64_t joint)
{
    const ledger_share s[] = {{"BOC", 40, single, group}, {"CCB", 10, MAX_FEN, MAX_FEN}};

    return settle(G1, id, B1, joint, s, 2);
}

/* Asserts an over-the-limit settle was refused with reason and wrote
 * nothing at all. */
static void aborted(const char *before, const ledger_result *r, const char *reason)
{
    refused(r, SYND_ABORTED, reason);
    cr_assert_str_eq(fx_dump(), before);
}

Test(ledger_limits, single_borrower_cap_exactly_and_one_fen_over)
{
    const char *id = prior(), *before = fx_dump();

    aborted(before, settle_40_10(id, 139, MAX_FEN, 0),
            "bank BOC: exposure to borrower " B1 " would be 140 fen, over its single borrower cap "
            "of 139 fen; headroom 39 fen (rule: single borrower cap)");
    /* A cap already passed (capital fell since) leaves no headroom. */
    aborted(before, settle_40_10(id, 90, MAX_FEN, 0),
            "bank BOC: exposure to borrower " B1 " would be 140 fen, over its single borrower cap "
            "of 90 fen; headroom 0 fen (rule: single borrower cap)");
    cr_assert_eq(settle_40_10(id, 140, MAX_FEN, 0)->code, SYND_OK);
    cr_assert_eq(field(EXPOSURE(G1, B1), "BOC"), 140);
    cr_assert_eq(field(GEXPOSURE(G1), "BOC"), 190);
    cr_assert_eq(field(TOTALS(G1), B1), 350);
    cr_assert_eq(field(TOTALS(G1), "_group"), 400);
    cr_assert_eq(field(OWED(G1, "BK-3"), "BOC"), 40);
}

Test(ledger_limits, group_cap_exactly_and_one_fen_over)
{
    const char *id = prior(), *before = fx_dump();

    aborted(before, settle_40_10(id, MAX_FEN, 189, 0),
            "bank BOC: exposure to group " G1 " would be 190 fen, over its group cap of 189 fen; "
            "headroom 39 fen (rule: group cap)");
    cr_assert_eq(settle_40_10(id, MAX_FEN, 190, 0)->code, SYND_OK);
    cr_assert_eq(field(GEXPOSURE(G1), "BOC"), 190);
    cr_assert_eq(field(EXPOSURE(G1, B2), "BOC"), 50); /* the other borrower's is its own */
}

Test(ledger_limits, joint_credit_limit_exactly_and_one_fen_over)
{
    const char *id = prior(), *before = fx_dump();

    /* BOC's 40 fits (340); CCB's 10 on top of it is the one that breaks. */
    aborted(before, settle_40_10(id, MAX_FEN, MAX_FEN, 349),
            "bank CCB: borrower " B1 "'s total would be 350 fen, over its joint credit limit of "
            "349 fen; headroom 9 fen (rule: joint credit limit)");
    aborted(before, settle_40_10(id, MAX_FEN, MAX_FEN, 299),
            "bank BOC: borrower " B1 "'s total would be 340 fen, over its joint credit limit of "
            "299 fen; headroom 0 fen (rule: joint credit limit)");
    cr_assert_eq(settle_40_10(id, MAX_FEN, MAX_FEN, 350)->code, SYND_OK);
    cr_assert_eq(field(TOTALS(G1), B1), 350);
    cr_assert_eq(field(TOTALS(G1), "_group"), 400);
}

Test(ledger_limits, the_first_breach_in_share_order_is_named)
{
    const char *id = prior(), *before = fx_dump();
    const ledger_share s[] = {{"CCB", 10, 209, MAX_FEN}, {"BOC", 40, 139, 189}};

    aborted(before, settle(G1, id, B1, 300, s, 2),
            "bank CCB: exposure to borrower " B1 " would be 210 fen, over its single borrower cap "
            "of 209 fen; headroom 9 fen (rule: single borrower cap)");
}

Test(ledger_limits, totals_stay_in_range)
{
    const ledger_share all[] = {{"BOC", MAX_FEN, MAX_FEN, MAX_FEN}};
    const ledger_share one[] = {{"CCB", 1, MAX_FEN, MAX_FEN}};
    const char *id, *before;

    reserved(G1, B1, all, 1);
    id = closed_book(G1, B2);
    before = fx_dump();
    refused(settle(G1, id, B2, 0, one, 1), SYND_OUT_OF_RANGE,
            "the totals of group " G1 " would pass 9007199254740991 fen (rule: numbers)");
    cr_assert_str_eq(fx_dump(), before);
}

Test(ledger_limits, caps_out_of_range_are_refused)
{
    const char *id = closed_book(G1, B1), *before = fx_dump();
    const ledger_share s[] = {{"BOC", 1, -1, 5}};

    refused(settle(G1, id, B1, 0, s, 1), SYND_INVALID_ARGUMENT,
            "single borrower cap of BOC -1 is not an integer in [0, 9007199254740991] "
            "(rule: numbers)");
    cr_assert_str_eq(fx_dump(), before);
}

Test(ledger_limits, positions_get_figures)
{
    const ledger_borrower b1 = {B1, "Fujian Haixi Steel", G1, 5000};
    const char *banks[] = {"BOC", "CCB", "ABC"};
    const ledger_positions *p;
    const ledger_result *r;

    prior();
    cr_assert_eq(CALL(ledger_borrower_put, &b1)->code, SYND_OK);
    r = CALL(ledger_positions_get, G1, B1, banks, 3);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    p = r->positions;
    cr_assert_not_null(p);
    cr_assert_eq(p->borrower_total_fen, 300);
    cr_assert_eq(p->group_total_fen, 350);
    cr_assert_eq(p->lending_banks, 2);
    cr_assert_eq(p->joint_limit_fen, 5000);
    cr_assert_eq(p->n_banks, 3);
    cr_assert_str_eq(p->banks[0].bank_id, "BOC");
    cr_assert_eq(p->banks[0].borrower_fen, 100);
    cr_assert_eq(p->banks[0].group_fen, 150);
    cr_assert_str_eq(p->banks[1].bank_id, "CCB");
    cr_assert_eq(p->banks[1].borrower_fen, 200);
    cr_assert_eq(p->banks[1].group_fen, 200);
    cr_assert_str_eq(p->banks[2].bank_id, "ABC");
    cr_assert_eq(p->banks[2].borrower_fen, 0);
    cr_assert_eq(p->banks[2].group_fen, 0);

    /* B2 is not in the registry: no joint limit. */
    p = CALL(ledger_positions_get, G1, B2, banks, 1)->positions;
    cr_assert_eq(p->borrower_total_fen, 50);
    cr_assert_eq(p->group_total_fen, 350);
    cr_assert_eq(p->lending_banks, 1);
    cr_assert_eq(p->joint_limit_fen, 0);
    cr_assert_eq(p->banks[0].borrower_fen, 50);
    cr_assert_eq(p->banks[0].group_fen, 150);

    /* A group with no books has nothing; no bank asked, no lines. */
    p = CALL(ledger_positions_get, G2, B3, NULL, 0)->positions;
    cr_assert(p->borrower_total_fen == 0 && p->group_total_fen == 0 && p->lending_banks == 0);
    cr_assert_eq(p->n_banks, 0);
    refused(CALL(ledger_positions_get, G1, "_group", banks, 1), SYND_INVALID_ARGUMENT,
            "borrower '_group' is reserved (rule: ids)");
}

Test(ledger_limits, repay_in_part_then_in_full)
{
    const ledger_share one[] = {{"BOC", 600, MAX_FEN, MAX_FEN}, {"CCB", 400, MAX_FEN, MAX_FEN}};
    const ledger_share two[] = {{"BOC", 100, MAX_FEN, MAX_FEN}};
    const ledger_share part[] = {{"BOC", 250, 0, 0}},
                       rest[] = {{"CCB", 400, 0, 0}, {"BOC", 350, 0, 0}};
    const ledger_share left[] = {{"BOC", 350, 0, 0}, {"CCB", 400, 0, 0}};
    const char *id1 = reserved(G1, B1, one, 2), *id2 = reserved(G1, B2, two, 1);

    owed(CALL(ledger_book_outstanding, G1, id1), one, 2);
    owed(CALL(ledger_book_repay, G1, id1, B1, part, 1), left, 2);
    owed(CALL(ledger_book_outstanding, G1, id1), left, 2);
    cr_assert_eq(field(EXPOSURE(G1, B1), "BOC"), 350);
    cr_assert_eq(field(EXPOSURE(G1, B1), "CCB"), 400);
    cr_assert_eq(field(GEXPOSURE(G1), "BOC"), 450);
    cr_assert_eq(field(TOTALS(G1), B1), 750);
    cr_assert_eq(field(TOTALS(G1), "_group"), 850);

    /* Paid off: every field that reached 0 is gone. */
    owed(CALL(ledger_book_repay, G1, id1, B1, rest, 2), NULL, 0);
    owed(CALL(ledger_book_outstanding, G1, id1), NULL, 0);
    cr_assert_eq(exists(OWED(G1, "BK-1")), 0);
    cr_assert_eq(exists(EXPOSURE(G1, B1)), 0);
    cr_assert_eq(field(GEXPOSURE(G1), "BOC"), 100);
    cr_assert_eq(field(GEXPOSURE(G1), "CCB"), -1);
    cr_assert_eq(field(TOTALS(G1), B1), -1);
    cr_assert_eq(field(TOTALS(G1), "_group"), 100);
    cr_assert_eq(CALL(ledger_book_get, G1, id1)->book->state, BOOK_ALLOCATED);

    owed(CALL(ledger_book_repay, G1, id2, B2, two, 1), NULL, 0);
    cr_assert_eq(exists(GEXPOSURE(G1)), 0);
    cr_assert_eq(exists(TOTALS(G1)), 0);
    cr_assert_eq(exists(EXPOSURE(G1, B2)), 0);
}

Test(ledger_limits, a_refused_repayment_writes_nothing)
{
    const ledger_share s[] = {{"BOC", 600, MAX_FEN, MAX_FEN}, {"CCB", 400, MAX_FEN, MAX_FEN}};
    const ledger_share over[] = {{"BOC", 100, 0, 0}, {"CCB", 401, 0, 0}},
                       none[] = {{"ABC", 1, 0, 0}};
    const ledger_share twice[] = {{"BOC", 1, 0, 0}, {"BOC", 1, 0, 0}};
    const char *id = reserved(G1, B1, s, 2), *open = closed_book(G1, B1), *before = fx_dump();

    refused(CALL(ledger_book_repay, G1, id, B1, over, 2), SYND_FAILED_PRECONDITION,
            "bank CCB is owed 400 fen on book BK-1, not 401 "
            "(rule: repay at most what is outstanding)");
    refused(CALL(ledger_book_repay, G1, id, B1, none, 1), SYND_FAILED_PRECONDITION,
            "bank ABC is owed 0 fen on book BK-1, not 1 (rule: repay at most what is outstanding)");
    refused(CALL(ledger_book_repay, G1, id, B1, twice, 2), SYND_INVALID_ARGUMENT,
            "bank BOC has two repayment lines (rule: repay)");
    refused(CALL(ledger_book_repay, G1, id, B2, over, 1), SYND_INVALID_ARGUMENT,
            "book BK-1 is for borrower " B1 ", not " B2 " (rule: one borrower a book)");
    refused(CALL(ledger_book_repay, G1, open, B1, over, 1), SYND_FAILED_PRECONDITION,
            "book BK-2 is CLOSED (rule: only an ALLOCATED book is repaid)");
    refused(CALL(ledger_book_outstanding, G1, open), SYND_FAILED_PRECONDITION,
            "book BK-2 is CLOSED (rule: only an ALLOCATED book is repaid)");
    refused(CALL(ledger_book_repay, G1, "BK-9", B1, over, 1), SYND_NOT_FOUND,
            "book BK-9 does not exist");
    cr_assert_str_eq(fx_dump(), before);
}

/* One line exposures_all should list. */
typedef struct want_exposure {
    const char *group, *borrower, *bank;
    int64_t fen, joint;
} want_exposure;

/* Asserts exposures_all lists exactly these lines, in order. */
static void lists(const want_exposure *want, size_t n)
{
    const ledger_result *r = CALL0(ledger_exposures_all);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->n_items, n);
    cr_assert_not_null(r->exposures);
    for (size_t i = 0; i < n; i++) {
        const ledger_exposure *e = &r->exposures[i];

        cr_assert_str_eq(e->group, want[i].group, "line %zu", i);
        cr_assert_str_eq(e->borrower, want[i].borrower, "line %zu", i);
        cr_assert_str_eq(e->bank, want[i].bank, "line %zu", i);
        cr_assert_eq(e->fen, want[i].fen, "line %zu", i);
        cr_assert_eq(e->joint_limit_fen, want[i].joint, "line %zu", i);
    }
}

Test(ledger_limits, exposures_all_over_two_groups)
{
    const ledger_borrower b1 = {B1, "Fujian Haixi Steel", G1, 5000};
    const ledger_share b3[] = {{"ICBC", 70, MAX_FEN, MAX_FEN}};
    const ledger_share none[] = {{"BOC", 0, 0, 0}}, repaid[] = {{"BOC", 50, 0, 0}};
    const want_exposure all[] = {{G1, B1, "BOC", 100, 5000},
                                 {G1, B1, "CCB", 200, 5000},
                                 {G1, B2, "BOC", 50, 0},
                                 {G2, B3, "ICBC", 70, 0}};
    const want_exposure left[] = {all[0], all[1], all[3]};
    const char *failed;

    lists(NULL, 0);
    prior();
    reserved(G2, B3, b3, 1);
    cr_assert_eq(CALL(ledger_borrower_put, &b1)->code, SYND_OK);
    failed = closed_book("G-EMPTY", "91350300M000400Y00");
    cr_assert_eq(CALL(ledger_book_settle, "G-EMPTY", failed, BOOK_FAILED, NULL, 0,
                      "91350300M000400Y00", 0, none, 1)
                     ->code,
                 SYND_OK);
    lists(all, 4);

    /* B2's one book is paid off, so it drops out. */
    cr_assert_eq(CALL(ledger_book_repay, G1, "BK-2", B2, repaid, 1)->code, SYND_OK);
    lists(left, 3);
}
