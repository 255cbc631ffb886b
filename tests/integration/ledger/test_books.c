/* Books, bids and exposures in a real Redis, through the synd library. */
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

#define GROUP    "G-HAIXI"
#define BORROWER "91350100M000100Y00"
#define LEAD     "ICBC"
#define NOW      INT64_C(1700000000000)
#define NO_CAP   INT64_C(9007199254740991) /* the largest cap the ledger takes */
#define CLOSE    (NOW + 60000)

#define BOOK_KEY(id) "synd:{g:" GROUP "}:book:" id
#define OPEN_KEY     "synd:{g:" GROUP "}:open"
#define EXPOSURE_KEY "synd:{g:" GROUP "}:exposure:" BORROWER

TestSuite(ledger_books, .init = fx_start, .fini = fx_stop, .timeout = 60);

/* Opens a book in GROUP closing at CLOSE and returns its id. */
static const char *open_book(void)
{
    const ledger_result *r =
        CALL(ledger_book_open, GROUP, LEAD, BORROWER, CLOSE, NOW, (const uint8_t *)"t", 1);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_not_null(r->id);
    return r->id;
}

/* Submits a bid and asserts it was taken. */
static const ledger_result *bid(const char *id, const char *bank, const char *key, int64_t amount,
                                int32_t spread)
{
    const ledger_result *r = CALL(ledger_bid_submit, GROUP, id, bank, key, amount, spread, NOW);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_not_null(r->bid);
    return r;
}

/* Asserts a refusal with its code and a piece of its reason. */
static void refused(const ledger_result *r, synd_code code, const char *reason)
{
    cr_assert_eq(r->code, code, "got %s: %s", synd_code_name(r->code), r->message);
    cr_assert_not_null(strstr(r->message, reason), "'%s' does not name '%s'", r->message, reason);
    cr_assert(r->book == NULL && r->bid == NULL && r->id == NULL);
}

/* Closes a book by the lead and asserts it closed. */
static const ledger_book *close_early(const char *id)
{
    const ledger_result *r = CALL(ledger_book_close, GROUP, id, 1, NOW);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    return r->book;
}

Test(ledger_books, open_get_and_index)
{
    const char *id = open_book(), *other;
    const ledger_result *r;

    cr_assert_str_eq(id, "BK-1");
    r = CALL(ledger_book_get, GROUP, id);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_str_eq(r->message, "");
    cr_assert_str_eq(r->book->book_id, "BK-1");
    cr_assert_str_eq(r->book->group, GROUP);
    cr_assert_str_eq(r->book->lead, LEAD);
    cr_assert_str_eq(r->book->borrower, BORROWER);
    cr_assert_eq(r->book->state, BOOK_OPEN);
    cr_assert_eq(r->book->opened_ms, NOW);
    cr_assert_eq(r->book->close_ms, CLOSE);
    cr_assert_eq(r->book->terms_len, 1);
    cr_assert_eq(r->book->allocation_len, 0);
    cr_assert_eq(r->book->n_bids, 0);
    cr_assert_eq(fx_redis("ZSCORE %s %s", OPEN_KEY, id)->type, REDIS_REPLY_STRING);

    r = CALL(ledger_book_open, "G-OTHER", LEAD, BORROWER, CLOSE, NOW, NULL, 0);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    other = r->id;
    cr_assert_str_eq(other, "BK-2");

    r = CALL0(ledger_book_index);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->n_items, 2);
    for (size_t i = 0; i < 2; i++) {
        const char *want = strcmp(r->ids[2 * i], "BK-1") == 0 ? GROUP : "G-OTHER";
        cr_assert_str_eq(r->ids[2 * i + 1], want);
    }
}

Test(ledger_books, open_refuses_a_past_close_time_and_writes_nothing)
{
    refused(CALL(ledger_book_open, GROUP, LEAD, BORROWER, NOW, NOW, NULL, 0), SYND_INVALID_ARGUMENT,
            "(rule: close time in the future)");
    cr_assert_eq(fx_redis("EXISTS synd:next_book synd:books %s", OPEN_KEY)->integer, 0);
}

Test(ledger_books, refuses_ids_that_could_break_keys)
{
    refused(CALL(ledger_book_open, "G}1", LEAD, BORROWER, CLOSE, NOW, NULL, 0),
            SYND_INVALID_ARGUMENT, "(rule: ids)");
    refused(CALL(ledger_book_get, GROUP, "BK-1:bids"), SYND_INVALID_ARGUMENT, "(rule: ids)");
    refused(CALL(ledger_book_get, NULL, "BK-1"), SYND_INVALID_ARGUMENT, "group");
    refused(CALL(ledger_book_open, GROUP, LEAD, "_group", CLOSE, NOW, NULL, 0),
            SYND_INVALID_ARGUMENT, "borrower '_group' is reserved (rule: ids)");
    cr_assert_eq(fx_redis("DBSIZE")->integer, 0);
}

Test(ledger_books, get_of_an_unknown_book_is_not_found)
{
    refused(CALL(ledger_book_get, GROUP, "BK-9"), SYND_NOT_FOUND, "BK-9");
}

Test(ledger_books, submit_and_replace)
{
    const char *id = open_book();
    const ledger_result *r;

    r = bid(id, "BOC", "k1", 100000, -15);
    cr_assert_str_eq(r->bid->bank_id, "BOC");
    cr_assert_eq(r->bid->amount_fen, 100000);
    cr_assert_eq(r->bid->spread_bps, -15);
    cr_assert_eq(r->bid->seq, 1);
    cr_assert_eq(r->bid->submitted_ms, NOW);
    cr_assert_eq(r->replaced, 0);
    cr_assert_eq(bid(id, "CCB", "k1", 300000, 20)->bid->seq, 2);
    r = bid(id, "BOC", "k2", 200000, 10);
    cr_assert_eq(r->bid->seq, 3);
    cr_assert_eq(r->replaced, 1);

    r = CALL(ledger_book_get, GROUP, id);
    cr_assert_eq(r->book->n_bids, 2);
    cr_assert_str_eq(r->book->bids[0].bank_id, "CCB"); /* by seq */
    cr_assert_eq(r->book->bids[0].amount_fen, 300000);
    cr_assert_str_eq(r->book->bids[1].bank_id, "BOC");
    cr_assert_eq(r->book->bids[1].amount_fen, 200000);
    cr_assert_eq(r->book->bids[1].spread_bps, 10);
    cr_assert_eq(r->book->bids[1].seq, 3);
}

Test(ledger_books, a_retry_gets_the_first_answer_and_counts_once)
{
    const char *id = open_book();
    const ledger_result *r;

    bid(id, "BOC", "k1", 100000, 5);
    r = bid(id, "BOC", "k1", 999999, 7); /* the retry: same key */
    cr_assert_eq(r->bid->seq, 1);
    cr_assert_eq(r->bid->amount_fen, 100000);
    cr_assert_eq(r->replaced, 0);
    cr_assert_eq(fx_redis("HLEN %s", BOOK_KEY("BK-1") ":bids")->integer, 1);
    cr_assert_str_eq(fx_redis("HGET %s next_seq", BOOK_KEY("BK-1"))->str, "1");

    /* A new key replaces the bid; the old key still answers as first. */
    r = bid(id, "BOC", "k2", 200000, 6);
    cr_assert_eq(r->bid->seq, 2);
    cr_assert_eq(r->replaced, 1);
    cr_assert_eq(bid(id, "BOC", "k2", 1, 1)->replaced, 1);
    r = bid(id, "BOC", "k1", 100000, 5);
    cr_assert_eq(r->bid->seq, 1);
    cr_assert_eq(r->replaced, 0);
    cr_assert_str_eq(fx_redis("HGET %s next_seq", BOOK_KEY("BK-1"))->str, "2");
    cr_assert_str_eq(fx_redis("HGET %s BOC", BOOK_KEY("BK-1") ":bids")->str, "200000:6:2:"
                                                                             "1700000000000");

    /* The same key from another bank is another bank's first answer. */
    cr_assert_eq(bid(id, "CCB", "k1", 300000, 5)->bid->seq, 3);
}

Test(ledger_books, a_retry_after_the_close_still_gets_the_first_answer)
{
    const char *id = open_book();

    bid(id, "BOC", "k1", 100000, 5);
    close_early(id);
    cr_assert_eq(bid(id, "BOC", "k1", 100000, 5)->bid->seq, 1);
}

Test(ledger_books, no_key_means_no_idempotency)
{
    const char *id = open_book();

    cr_assert_eq(bid(id, "BOC", "", 100000, 5)->bid->seq, 1);
    cr_assert_eq(bid(id, "BOC", NULL, 100000, 5)->bid->seq, 2);
    cr_assert_eq(fx_redis("EXISTS %s", BOOK_KEY("BK-1") ":idem")->integer, 0);
}

Test(ledger_books, withdraw)
{
    const char *id = open_book();
    const ledger_result *r;

    bid(id, "BOC", "k1", 100000, 5);
    r = CALL(ledger_bid_withdraw, GROUP, id, "BOC", NOW);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_str_eq(r->bid->bank_id, "BOC");
    cr_assert_eq(r->bid->amount_fen, 100000);
    cr_assert_eq(r->bid->seq, 1);
    cr_assert_eq(CALL(ledger_book_get, GROUP, id)->book->n_bids, 0);
    refused(CALL(ledger_bid_withdraw, GROUP, id, "BOC", NOW), SYND_NOT_FOUND,
            "bank BOC has no bid on book BK-1");
    refused(CALL(ledger_bid_withdraw, GROUP, "BK-7", "BOC", NOW), SYND_NOT_FOUND,
            "book BK-7 does not exist");
}

Test(ledger_books, bids_after_the_close_time_are_refused)
{
    const char *id = open_book();

    bid(id, "BOC", "k1", 100000, 5);
    refused(CALL(ledger_bid_submit, GROUP, id, "CCB", "k1", 100000, 5, CLOSE),
            SYND_FAILED_PRECONDITION, "book BK-1 closed at 1700000060000 (rule: bidding window)");
    refused(CALL(ledger_bid_withdraw, GROUP, id, "BOC", CLOSE + 1), SYND_FAILED_PRECONDITION,
            "(rule: bidding window)");
    cr_assert_str_eq(fx_redis("HGET %s next_seq", BOOK_KEY("BK-1"))->str, "1");
    cr_assert_eq(fx_redis("HLEN %s", BOOK_KEY("BK-1") ":bids")->integer, 1);
}

Test(ledger_books, bids_on_a_closed_book_are_refused)
{
    const char *id = open_book();

    bid(id, "BOC", "k1", 100000, 5);
    close_early(id);
    refused(CALL(ledger_bid_submit, GROUP, id, "CCB", "k9", 100000, 5, NOW),
            SYND_FAILED_PRECONDITION, "book BK-1 is CLOSED (rule: bids only on an OPEN book)");
    refused(CALL(ledger_bid_withdraw, GROUP, id, "BOC", NOW), SYND_FAILED_PRECONDITION,
            "is CLOSED");
}

Test(ledger_books, bad_amounts_are_refused)
{
    const char *id = open_book();

    refused(CALL(ledger_bid_submit, GROUP, id, "BOC", "k1", 0, 5, NOW), SYND_INVALID_ARGUMENT,
            "amount_fen 0 is not an integer in [1, 9007199254740991]");
    refused(CALL(ledger_bid_submit, GROUP, id, "BOC", "k1", INT64_C(9007199254740992), 5, NOW),
            SYND_INVALID_ARGUMENT, "(rule: numbers)");
    cr_assert_eq(
        fx_redis("EXISTS %s %s", BOOK_KEY("BK-1") ":bids", BOOK_KEY("BK-1") ":idem")->integer, 0);
}

Test(ledger_books, the_lead_closes_early_and_the_clock_only_at_the_close_time)
{
    const char *id = open_book();
    const ledger_result *r;
    const ledger_book *b;

    bid(id, "BOC", "k1", 100000, 5);
    refused(CALL(ledger_book_close, GROUP, id, 0, CLOSE - 1), SYND_FAILED_PRECONDITION,
            "(rule: the clock closes a book at its close time)");
    b = close_early(id);
    cr_assert_eq(b->state, BOOK_CLOSED);
    cr_assert_eq(b->n_bids, 1);
    cr_assert_str_eq(b->bids[0].bank_id, "BOC");
    cr_assert_eq(fx_redis("ZSCORE %s %s", OPEN_KEY, id)->type, REDIS_REPLY_NIL);
    refused(CALL(ledger_book_close, GROUP, id, 1, NOW), SYND_FAILED_PRECONDITION,
            "book BK-1 is CLOSED (rule: only an OPEN book closes)");

    id = open_book();
    r = CALL(ledger_book_close, GROUP, id, 0, CLOSE);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->book->state, BOOK_CLOSED);
}

Test(ledger_books, cancel_only_before_the_close_time)
{
    const char *id = open_book();
    const ledger_result *r;

    refused(CALL(ledger_book_cancel, GROUP, id, CLOSE), SYND_FAILED_PRECONDITION,
            "(rule: cancel only before the close time)");
    r = CALL(ledger_book_cancel, GROUP, id, CLOSE - 1);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->book->state, BOOK_CANCELLED);
    cr_assert_eq(fx_redis("ZCARD %s", OPEN_KEY)->integer, 0);
    refused(CALL(ledger_book_cancel, GROUP, id, NOW), SYND_FAILED_PRECONDITION,
            "book BK-1 is CANCELLED (rule: only an OPEN book is cancelled)");
    refused(CALL(ledger_book_close, GROUP, id, 1, NOW), SYND_FAILED_PRECONDITION, "is CANCELLED");

    id = open_book();
    close_early(id);
    refused(CALL(ledger_book_cancel, GROUP, id, NOW), SYND_FAILED_PRECONDITION, "is CLOSED");
}

/* Settles a closed book as ALLOCATED with two shares and no limits in
 * the way (test_limits.c tests them). */
static const ledger_result *settle_two(const char *id, int64_t boc, int64_t ccb)
{
    const ledger_share shares[] = {{"BOC", boc, NO_CAP, NO_CAP}, {"CCB", ccb, NO_CAP, NO_CAP}};

    return CALL(ledger_book_settle, GROUP, id, BOOK_ALLOCATED, (const uint8_t *)"A", 1, BORROWER, 0,
                shares, 2);
}

/* The exposure the ledger reports for a bank. */
static int64_t exposure(const char *bank)
{
    const char *banks[] = {bank};
    const ledger_result *r = CALL(ledger_positions_get, GROUP, BORROWER, banks, 1);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    return r->positions->banks[0].borrower_fen;
}

Test(ledger_books, settle_allocated_adds_every_share_to_the_exposure)
{
    const char *id = open_book();
    const ledger_result *r;

    refused(settle_two(id, 1, 2), SYND_FAILED_PRECONDITION,
            "book BK-1 is OPEN (rule: only a CLOSED book is settled)");
    close_early(id);
    r = settle_two(id, 600000, 400000);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->book->state, BOOK_ALLOCATED);
    cr_assert_eq(r->book->allocation_len, 1);
    cr_assert_eq(exposure("BOC"), 600000);
    cr_assert_eq(exposure("CCB"), 400000);
    cr_assert_eq(exposure("ABC"), 0);

    refused(settle_two(id, 1, 2), SYND_FAILED_PRECONDITION, "book BK-1 is ALLOCATED");
    cr_assert_eq(exposure("BOC"), 600000);

    /* A second book for the same borrower adds to the same exposure. */
    id = open_book();
    close_early(id);
    cr_assert_eq(settle_two(id, 50000, 0)->code, SYND_OK);
    cr_assert_eq(exposure("BOC"), 650000);
    cr_assert_eq(exposure("CCB"), 400000);

    /* A zero share (a bank cut out) leaves no trace in the exposure, and
     * is not held to its caps. */
    id = open_book();
    close_early(id);
    cr_assert_eq(CALL(ledger_book_settle, GROUP, id, BOOK_ALLOCATED, NULL, 0, BORROWER, 0,
                      &(const ledger_share){"ABC", 0, 0, 0}, 1)
                     ->code,
                 SYND_OK);
    cr_assert_eq(fx_redis("HEXISTS %s ABC", EXPOSURE_KEY)->integer, 0);
}

Test(ledger_books, settle_failed_writes_no_exposure)
{
    const char *id = open_book();
    const ledger_share one[] = {{"BOC", 1, NO_CAP, NO_CAP}, {"CCB", 0, NO_CAP, NO_CAP}};
    const ledger_share none[] = {{"BOC", 0, NO_CAP, NO_CAP}, {"CCB", 0, NO_CAP, NO_CAP}};
    const ledger_result *r;

    close_early(id);
    refused(CALL(ledger_book_settle, GROUP, id, BOOK_FAILED, NULL, 0, BORROWER, 0, one, 2),
            SYND_INVALID_ARGUMENT, "book BK-1 failed, so every share is 0 (rule: settle)");
    r = CALL(ledger_book_settle, GROUP, id, BOOK_FAILED, (const uint8_t *)"F", 1, BORROWER, 0, none,
             2);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->book->state, BOOK_FAILED);
    cr_assert_eq(fx_redis("EXISTS %s", EXPOSURE_KEY)->integer, 0);
    cr_assert_eq(fx_redis("EXISTS %s", BOOK_KEY("BK-1") ":outstanding")->integer, 0);
    cr_assert_eq(exposure("BOC"), 0);
}

Test(ledger_books, a_refused_settle_writes_nothing)
{
    const char *id = open_book();
    const ledger_share twice[] = {
        {"BOC", 1, NO_CAP, NO_CAP}, {"CCB", 2, NO_CAP, NO_CAP}, {"BOC", 3, NO_CAP, NO_CAP}};
    const char *before;

    close_early(id);
    before = fx_dump();
    refused(CALL(ledger_book_settle, GROUP, id, BOOK_ALLOCATED, NULL, 0, BORROWER, 0, twice, 3),
            SYND_INVALID_ARGUMENT, "bank BOC has two shares");
    refused(CALL(ledger_book_settle, GROUP, id, BOOK_CLOSED, NULL, 0, BORROWER, 0, NULL, 0),
            SYND_INVALID_ARGUMENT, "outcome CLOSED is not ALLOCATED or FAILED");
    refused(CALL(ledger_book_settle, GROUP, id, BOOK_ALLOCATED, NULL, 0, "91350100M000200Y00", 0,
                 twice, 1),
            SYND_INVALID_ARGUMENT,
            "book BK-1 is for borrower 91350100M000100Y00, not 91350100M000200Y00 "
            "(rule: one borrower a book)");
    refused(CALL(ledger_book_settle, GROUP, id, BOOK_ALLOCATED, NULL, 0, BORROWER, -1, twice, 1),
            SYND_INVALID_ARGUMENT, "joint_limit_fen -1 is not an integer");
    cr_assert_str_eq(fx_dump(), before);
    cr_assert_eq(CALL(ledger_book_get, GROUP, id)->book->state, BOOK_CLOSED);
}

Test(ledger_books, terms_and_allocation_are_binary_safe)
{
    const uint8_t terms[] = {0x0a, 0x00, 0xff, '\r', '\n', 0x00, '%', 's'};
    const uint8_t alloc[] = {0x00, 0x01, 0x00};
    const ledger_result *r;

    r = CALL(ledger_book_open, GROUP, LEAD, BORROWER, CLOSE, NOW, terms, sizeof(terms));
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    r = CALL(ledger_book_get, GROUP, "BK-1");
    cr_assert_eq(r->book->terms_len, sizeof(terms));
    cr_assert_arr_eq(r->book->terms, terms, sizeof(terms));
    close_early("BK-1");
    r = CALL(ledger_book_settle, GROUP, "BK-1", BOOK_FAILED, alloc, sizeof(alloc), BORROWER, 0,
             NULL, 0);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->book->allocation_len, sizeof(alloc));
    cr_assert_arr_eq(r->book->allocation, alloc, sizeof(alloc));
    cr_assert_arr_eq(r->book->terms, terms, sizeof(terms));
}
