/* Books, bids and exposures. Each API function is one call of the synd
 * library's function of the same name (broker/ledger/synd.lua), routed by
 * the group's open index (or by synd:books or synd:groups for the calls
 * across groups), and each parser reads that function's reply. The audit
 * trail is in trail.c. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/books.h"
#include "ledger/internal.h"

#define BOOK_FIELDS 7 /* lead, borrower, state, opened_ms, close_ms, terms, allocation */
#define BID_FIELDS  4 /* amount:spread:seq:submitted_ms */
#define MAX_LINES   (INT_MAX / 4 - 8) /* lines a call takes (settle: 4 args each) in an int argc */
#define POS_HEAD    4                 /* positions_get: the totals, lending banks, joint limit */
#define POS_WIDTH   3                 /* ... then bank, exposure to the borrower, to the group */
#define EXP_WIDTH   5                 /* exposures_all: group, borrower, bank, fen, joint limit */

/* The ids a call copies, in ledger_call.names order. */
enum { NAME_GROUP, NAME_BOOK, NAME_BANK };

/* Starts a call of a book function: routed by the group's open index,
 * with the group as its first argument (argc counts it). */
static ledger_fcall *book_call(const char *fn, int read_only, int argc, const char *group)
{
    ledger_fcall *f = ledger_fcall_new(fn, read_only, argc, "synd:{g:", group, "}:open");

    ledger_fcall_str(f, group);
    return f;
}

/* Reads a bid as synd.lua stores it, "amount:spread:seq:submitted_ms". */
static int read_bid(const char *s, ledger_bid *b)
{
    int64_t v[BID_FIELDS];
    char *end;

    for (int i = 0; i < BID_FIELDS; i++) {
        if (ledger_i64(s, &end, &v[i]) != 0 || *end != (i < BID_FIELDS - 1 ? ':' : '\0'))
            return -1;
        s = end + 1;
    }
    if (v[1] < INT32_MIN || v[1] > INT32_MAX || v[2] < 0)
        return -1;
    b->amount_fen = v[0];
    b->spread_bps = (int32_t)v[1];
    b->seq = (uint64_t)v[2];
    b->submitted_ms = v[3];
    return 0;
}

static int by_seq(const void *a, const void *b)
{
    uint64_t x = ((const ledger_bid *)a)->seq, y = ((const ledger_bid *)b)->seq;

    return (x > y) - (x < y);
}

/* Reads the bank and bid pairs that follow a book's fields, in seq order
 * (Redis keeps a hash in no order). */
static synd_code read_bids(ledger_call *c, const redisReply *r, ledger_book *b)
{
    size_t n = (r->elements - BOOK_FIELDS) / 2;
    ledger_bid *bids = ledger_call_items(c, n, sizeof(*bids));

    if (bids == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < n; i++) {
        bids[i].bank_id = r->element[BOOK_FIELDS + 2 * i]->str;
        if (read_bid(r->element[BOOK_FIELDS + 2 * i + 1]->str, &bids[i]) != 0)
            return SYND_INTERNAL;
    }
    qsort(bids, n, sizeof(*bids), by_seq);
    b->n_bids = n;
    b->bids = bids;
    return SYND_OK;
}

/* A book as synd.lua's book_reply() gives it: seven fields, then pairs. */
static synd_code parse_book(ledger_call *c, const redisReply *r, ledger_result *out)
{
    ledger_book *b = &c->one.book;

    if (r->type != REDIS_REPLY_ARRAY || r->elements < BOOK_FIELDS ||
        (r->elements - BOOK_FIELDS) % 2 != 0)
        return SYND_INTERNAL;
    for (size_t i = 0; i < r->elements; i++)
        if (ledger_reply_str(r, i) == NULL)
            return SYND_INTERNAL;
    if (book_state_parse(r->element[2]->str, &b->state) != 0 ||
        ledger_reply_i64(r->element[3], &b->opened_ms) != 0 ||
        ledger_reply_i64(r->element[4], &b->close_ms) != 0)
        return SYND_INTERNAL;
    b->book_id = c->names[NAME_BOOK];
    b->group = c->names[NAME_GROUP];
    b->lead = r->element[0]->str;
    b->borrower = r->element[1]->str;
    b->terms = (const uint8_t *)r->element[5]->str;
    b->terms_len = r->element[5]->len;
    b->allocation = (const uint8_t *)r->element[6]->str;
    b->allocation_len = r->element[6]->len;
    out->book = b;
    return read_bids(c, r, b);
}

/* book_open's reply: the new id. */
static synd_code parse_id(ledger_call *c, const redisReply *r, ledger_result *out)
{
    if (r->type != REDIS_REPLY_STRING)
        return SYND_INTERNAL;
    out->id = r->str;
    return SYND_OK;
}

/* bid_withdraw's reply: the removed bid. */
static synd_code parse_bid(ledger_call *c, const redisReply *r, ledger_result *out)
{
    ledger_bid *b = &c->one.bid;

    if (r->type != REDIS_REPLY_STRING || read_bid(r->str, b) != 0)
        return SYND_INTERNAL;
    b->bank_id = c->names[NAME_BANK];
    out->bid = b;
    return SYND_OK;
}

/* bid_submit's reply: {bid, replaced}. */
static synd_code parse_submit(ledger_call *c, const redisReply *r, ledger_result *out)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[1]->type != REDIS_REPLY_INTEGER || parse_bid(c, r->element[0], out) != SYND_OK)
        return SYND_INTERNAL;
    out->replaced = r->element[1]->integer != 0;
    return SYND_OK;
}

/* book_index's reply: id and group pairs. */
static synd_code parse_index(ledger_call *c, const redisReply *r, ledger_result *out)
{
    const char **ids;

    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0)
        return SYND_INTERNAL;
    if ((ids = ledger_call_items(c, r->elements, sizeof(*ids))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < r->elements; i++)
        if ((ids[i] = ledger_reply_str(r, i)) == NULL)
            return SYND_INTERNAL;
    out->ids = ids;
    out->n_items = r->elements / 2;
    return SYND_OK;
}

/* positions_get's reply: the borrower's figures, then a line per bank. */
static synd_code parse_positions(ledger_call *c, const redisReply *r, ledger_result *out)
{
    ledger_positions *p = &c->one.positions;
    ledger_position *banks;
    int64_t lending;
    size_t n;

    if (r->type != REDIS_REPLY_ARRAY || r->elements < POS_HEAD ||
        (r->elements - POS_HEAD) % POS_WIDTH != 0)
        return SYND_INTERNAL;
    n = (r->elements - POS_HEAD) / POS_WIDTH;
    if ((banks = ledger_call_items(c, n, sizeof(*banks))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    if (ledger_reply_i64(r->element[0], &p->borrower_total_fen) != 0 ||
        ledger_reply_i64(r->element[1], &p->group_total_fen) != 0 ||
        ledger_reply_i64(r->element[2], &lending) != 0 || lending < 0 ||
        ledger_reply_i64(r->element[3], &p->joint_limit_fen) != 0)
        return SYND_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        size_t at = POS_HEAD + i * POS_WIDTH;

        if ((banks[i].bank_id = ledger_reply_str(r, at)) == NULL ||
            ledger_reply_i64(r->element[at + 1], &banks[i].borrower_fen) != 0 ||
            ledger_reply_i64(r->element[at + 2], &banks[i].group_fen) != 0)
            return SYND_INTERNAL;
    }
    p->lending_banks = (size_t)lending;
    p->n_banks = n;
    p->banks = banks;
    out->positions = p;
    return SYND_OK;
}

/* book_outstanding's and book_repay's reply: bank and fen pairs. */
static synd_code parse_shares(ledger_call *c, const redisReply *r, ledger_result *out)
{
    ledger_share *shares;
    size_t n;

    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0)
        return SYND_INTERNAL;
    n = r->elements / 2;
    if ((shares = ledger_call_items(c, n, sizeof(*shares))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < n; i++)
        if ((shares[i].bank_id = ledger_reply_str(r, 2 * i)) == NULL ||
            ledger_reply_i64(r->element[2 * i + 1], &shares[i].alloc_fen) != 0)
            return SYND_INTERNAL;
    out->shares = shares;
    out->n_items = n;
    return SYND_OK;
}

/* exposures_all's reply: lines of group, borrower, bank, fen, limit. */
static synd_code parse_exposures(ledger_call *c, const redisReply *r, ledger_result *out)
{
    ledger_exposure *list;
    size_t n;

    if (r->type != REDIS_REPLY_ARRAY || r->elements % EXP_WIDTH != 0)
        return SYND_INTERNAL;
    n = r->elements / EXP_WIDTH;
    if ((list = ledger_call_items(c, n, sizeof(*list))) == NULL)
        return SYND_RESOURCE_EXHAUSTED;
    for (size_t i = 0; i < n; i++) {
        size_t at = i * EXP_WIDTH;

        if ((list[i].group = ledger_reply_str(r, at)) == NULL ||
            (list[i].borrower = ledger_reply_str(r, at + 1)) == NULL ||
            (list[i].bank = ledger_reply_str(r, at + 2)) == NULL ||
            ledger_reply_i64(r->element[at + 3], &list[i].fen) != 0 ||
            ledger_reply_i64(r->element[at + 4], &list[i].joint_limit_fen) != 0)
            return SYND_INTERNAL;
    }
    out->exposures = list;
    out->n_items = n;
    return SYND_OK;
}

int ledger_book_open(ledger *l, const char *group, const char *lead, const char *borrower,
                     int64_t close_ms, int64_t now_ms, const uint8_t *terms, size_t terms_len,
                     ledger_cb cb, void *arg)
{
    ledger_fcall *f = book_call("book_open", 0, 6, group);

    ledger_fcall_str(f, lead);
    ledger_fcall_str(f, borrower);
    ledger_fcall_i64(f, close_ms);
    ledger_fcall_i64(f, now_ms);
    ledger_fcall_bytes(f, terms, terms_len);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_id, NULL, NULL, NULL));
}

int ledger_book_get(ledger *l, const char *group, const char *book_id, ledger_cb cb, void *arg)
{
    ledger_fcall *f = book_call("book_get", 1, 2, group);

    ledger_fcall_str(f, book_id);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_book, group, book_id, NULL));
}

int ledger_book_index(ledger *l, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("book_index", 1, 0, "synd:books", NULL, NULL);

    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_index, NULL, NULL, NULL));
}

int ledger_bid_submit(ledger *l, const char *group, const char *book_id, const char *bank,
                      const char *idem_key, int64_t amount_fen, int32_t spread_bps, int64_t now_ms,
                      ledger_cb cb, void *arg)
{
    ledger_fcall *f = book_call("bid_submit", 0, 7, group);

    ledger_fcall_str(f, book_id);
    ledger_fcall_str(f, bank);
    ledger_fcall_str(f, idem_key);
    ledger_fcall_i64(f, amount_fen);
    ledger_fcall_i64(f, spread_bps);
    ledger_fcall_i64(f, now_ms);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_submit, group, book_id, bank));
}

int ledger_bid_withdraw(ledger *l, const char *group, const char *book_id, const char *bank,
                        int64_t now_ms, ledger_cb cb, void *arg)
{
    ledger_fcall *f = book_call("bid_withdraw", 0, 4, group);

    ledger_fcall_str(f, book_id);
    ledger_fcall_str(f, bank);
    ledger_fcall_i64(f, now_ms);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_bid, group, book_id, bank));
}

int ledger_book_close(ledger *l, const char *group, const char *book_id, int early, int64_t now_ms,
                      ledger_cb cb, void *arg)
{
    ledger_fcall *f = book_call("book_close", 0, 4, group);

    ledger_fcall_str(f, book_id);
    ledger_fcall_i64(f, early != 0);
    ledger_fcall_i64(f, now_ms);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_book, group, book_id, NULL));
}

int ledger_book_cancel(ledger *l, const char *group, const char *book_id, int64_t now_ms,
                       ledger_cb cb, void *arg)
{
    ledger_fcall *f = book_call("book_cancel", 0, 3, group);

    ledger_fcall_str(f, book_id);
    ledger_fcall_i64(f, now_ms);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_book, group, book_id, NULL));
}

/* The outcome goes by name, so synd.lua refuses anything but ALLOCATED
 * and FAILED with the rule, like every other bad argument. */
int ledger_book_settle(ledger *l, const char *group, const char *book_id, book_state outcome,
                       const uint8_t *allocation, size_t allocation_len, const char *borrower,
                       int64_t joint_limit_fen, const ledger_share *shares, size_t n_shares,
                       ledger_cb cb, void *arg)
{
    ledger_fcall *f;

    if (n_shares > MAX_LINES)
        return -1;
    f = book_call("book_settle", 0, 6 + 4 * (int)n_shares, group);
    ledger_fcall_str(f, book_id);
    ledger_fcall_str(f, book_state_name(outcome));
    ledger_fcall_bytes(f, allocation, allocation_len);
    ledger_fcall_str(f, borrower);
    ledger_fcall_i64(f, joint_limit_fen);
    for (size_t i = 0; i < n_shares; i++) {
        ledger_fcall_str(f, shares[i].bank_id);
        ledger_fcall_i64(f, shares[i].alloc_fen);
        ledger_fcall_i64(f, shares[i].single_cap_fen);
        ledger_fcall_i64(f, shares[i].group_cap_fen);
    }
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_book, group, book_id, NULL));
}

int ledger_positions_get(ledger *l, const char *group, const char *borrower,
                         const char *const *banks, size_t n, ledger_cb cb, void *arg)
{
    ledger_fcall *f;

    if (n > MAX_LINES)
        return -1;
    f = book_call("positions_get", 1, 2 + (int)n, group);
    ledger_fcall_str(f, borrower);
    for (size_t i = 0; i < n; i++)
        ledger_fcall_str(f, banks[i]);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_positions, NULL, NULL, NULL));
}

int ledger_book_outstanding(ledger *l, const char *group, const char *book_id, ledger_cb cb,
                            void *arg)
{
    ledger_fcall *f = book_call("book_outstanding", 1, 2, group);

    ledger_fcall_str(f, book_id);
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_shares, NULL, NULL, NULL));
}

int ledger_book_repay(ledger *l, const char *group, const char *book_id, const char *borrower,
                      const ledger_share *lines, size_t n, ledger_cb cb, void *arg)
{
    ledger_fcall *f;

    if (n > MAX_LINES)
        return -1;
    f = book_call("book_repay", 0, 3 + 2 * (int)n, group);
    ledger_fcall_str(f, book_id);
    ledger_fcall_str(f, borrower);
    for (size_t i = 0; i < n; i++) {
        ledger_fcall_str(f, lines[i].bank_id);
        ledger_fcall_i64(f, lines[i].alloc_fen);
    }
    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_shares, NULL, NULL, NULL));
}

int ledger_exposures_all(ledger *l, ledger_cb cb, void *arg)
{
    ledger_fcall *f = ledger_fcall_new("exposures_all", 1, 0, "synd:groups", NULL, NULL);

    return ledger_fcall_send(l, f, ledger_call_new(cb, arg, parse_exposures, NULL, NULL, NULL));
}
