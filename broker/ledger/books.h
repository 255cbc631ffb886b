/* Books, bids, allocations and the registry in Redis.
 *
 * Every state change of a book is one call of the "synd" Redis Functions
 * library (broker/ledger/synd.lua, embedded at build time and loaded with
 * FUNCTION LOAD REPLACE each time the connection comes up). A function
 * checks everything before its first write, so a refused change writes
 * nothing. All keys of a book carry its borrower group's hash tag
 * {g:<group>}, so every function touches one slot.
 *
 * Every call is asynchronous: it returns at once and the callback runs on
 * the broker's poll loop when Redis answers, with a status (SYND_OK, the
 * function's refusal, or SYND_UNAVAILABLE when Redis is down or went away)
 * and, on success, the result. Results and their strings live until the
 * callback returns.
 *
 * Every function returns 0 when the call is queued, and then cb runs
 * exactly once, or -1 when Redis is not up, and then cb does not run. */
#ifndef SYND_LEDGER_BOOKS_H
#define SYND_LEDGER_BOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "book/state.h"
#include "ledger/ledger.h"
#include "synd/status.h"

/* A live bid as Redis holds it. */
typedef struct ledger_bid {
    const char *bank_id;
    int64_t amount_fen;
    int32_t spread_bps;
    uint64_t seq;
    int64_t submitted_ms;
} ledger_bid;

/* A book as Redis holds it. terms and allocation are serialized protobuf
 * (synd.v1.BookTerms, synd.v1.Allocation) that the ledger stores unread;
 * allocation is empty until the book is settled. */
typedef struct ledger_book {
    const char *book_id, *group, *lead, *borrower;
    book_state state;
    int64_t opened_ms, close_ms;
    const uint8_t *terms;
    size_t terms_len;
    const uint8_t *allocation;
    size_t allocation_len;
    size_t n_bids;
    const ledger_bid *bids; /* ordered by seq */
} ledger_book;

/* What a bank may lend, from the registry. */
typedef struct ledger_bank {
    const char *bank_id, *name;
    int64_t net_capital_fen, tier1_capital_fen;
} ledger_bank;

typedef struct ledger_borrower {
    const char *code, *name, *group; /* group is the code itself for a group of one */
    int64_t joint_limit_fen;         /* 0: none set */
} ledger_borrower;

/* One bank's settled share, for the exposure record. */
typedef struct ledger_share {
    const char *bank_id;
    int64_t alloc_fen;
} ledger_share;

/* The outcome of a call. Exactly one of the pointers is set on SYND_OK,
 * the one the call documents; all are NULL otherwise. */
typedef struct ledger_result {
    synd_code code;
    const char *message; /* the refusal's reason; "" on SYND_OK */
    const ledger_book *book;
    const ledger_bid *bid;
    const ledger_bank *bank;
    const ledger_borrower *borrower;
    int replaced;        /* submit: the bank's earlier bid was replaced */
    int64_t value;       /* exposure_get: the bank's exposure in fen */
    const char *id;      /* book_open: the new book's id */
    size_t n_items;      /* banks_list, borrowers_list, book_ids */
    const ledger_bank *banks;
    const ledger_borrower *borrowers;
    const char *const *ids;
} ledger_result;

typedef void (*ledger_cb)(void *arg, const ledger_result *r);

/* Opens a book: allocates its id ("BK-<n>"), indexes it, and stores it as
 * OPEN with its close time. Result: id. */
int ledger_book_open(ledger *l, const char *group, const char *lead, const char *borrower,
                     int64_t close_ms, int64_t now_ms, const uint8_t *terms, size_t terms_len,
                     ledger_cb cb, void *arg);

/* Reads a whole book with its bids. NOT_FOUND if there is no such book.
 * Result: book. */
int ledger_book_get(ledger *l, const char *group, const char *book_id, ledger_cb cb, void *arg);

/* Every book id ever opened and its group, for the reload at start:
 * ids holds 2 * n_items strings, id then group. Result: ids. */
int ledger_book_index(ledger *l, ledger_cb cb, void *arg);

/* Stores bank's bid, replacing its earlier one. FAILED_PRECONDITION if the
 * book is not OPEN or now_ms is past its close time. A call with an
 * idempotency key already used by this bank on this book returns the
 * first answer and changes nothing. Result: bid, replaced. */
int ledger_bid_submit(ledger *l, const char *group, const char *book_id, const char *bank,
                      const char *idem_key, int64_t amount_fen, int32_t spread_bps,
                      int64_t now_ms, ledger_cb cb, void *arg);

/* Removes bank's live bid. NOT_FOUND if it has none, FAILED_PRECONDITION
 * if the book is not OPEN or past its close time. Result: bid (removed). */
int ledger_bid_withdraw(ledger *l, const char *group, const char *book_id, const char *bank,
                        int64_t now_ms, ledger_cb cb, void *arg);

/* Closes an OPEN book: by its lead at any time (early = 1), or by the
 * clock once now_ms reaches its close time (early = 0; FAILED_PRECONDITION
 * before). Result: book, now CLOSED, with the bids it closed with. */
int ledger_book_close(ledger *l, const char *group, const char *book_id, int early,
                      int64_t now_ms, ledger_cb cb, void *arg);

/* Cancels an OPEN book before its close time. Result: book (CANCELLED). */
int ledger_book_cancel(ledger *l, const char *group, const char *book_id, int64_t now_ms,
                       ledger_cb cb, void *arg);

/* Settles a CLOSED book as ALLOCATED (adding each share to the bank's
 * exposure to the borrower) or FAILED, storing the serialized allocation.
 * FAILED_PRECONDITION unless the book is CLOSED. Result: book. */
int ledger_book_settle(ledger *l, const char *group, const char *book_id, book_state outcome,
                       const uint8_t *allocation, size_t allocation_len,
                       const ledger_share *shares, size_t n_shares, ledger_cb cb, void *arg);

/* A bank's exposure to a borrower: the sum of its settled shares.
 * Result: value. */
int ledger_exposure_get(ledger *l, const char *group, const char *borrower, const char *bank,
                        ledger_cb cb, void *arg);

/* Registry. put creates or replaces; get is NOT_FOUND for an unknown id. */
int ledger_bank_put(ledger *l, const ledger_bank *b, ledger_cb cb, void *arg);
int ledger_bank_get(ledger *l, const char *bank_id, ledger_cb cb, void *arg);
int ledger_banks_list(ledger *l, ledger_cb cb, void *arg);
int ledger_borrower_put(ledger *l, const ledger_borrower *b, ledger_cb cb, void *arg);
int ledger_borrower_get(ledger *l, const char *code, ledger_cb cb, void *arg);
int ledger_borrowers_list(ledger *l, ledger_cb cb, void *arg);

#endif
