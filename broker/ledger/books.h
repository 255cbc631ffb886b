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

/* One bank's settled share, for the exposure record, with the caps the
 * reservation must keep: the bank's exposure to the borrower at most
 * single_cap_fen, to the borrower's group at most group_cap_fen (both
 * computed from its capital by supervise/limits.h). Repayments use the
 * same struct with alloc_fen as the amount repaid and no caps. */
typedef struct ledger_share {
    const char *bank_id;
    int64_t alloc_fen;
    int64_t single_cap_fen;
    int64_t group_cap_fen;
} ledger_share;

/* A bank's position towards one borrower and its group. */
typedef struct ledger_position {
    const char *bank_id;
    int64_t borrower_fen; /* the bank's exposure to the borrower */
    int64_t group_fen;    /* ... to the borrower's whole group */
} ledger_position;

/* A borrower's position: its total, its group's, how many banks lend to
 * it, its joint credit limit (0: none) and the asked banks' lines. */
typedef struct ledger_positions {
    int64_t borrower_total_fen;
    int64_t group_total_fen;
    size_t lending_banks;
    int64_t joint_limit_fen;
    size_t n_banks;
    const ledger_position *banks; /* in the order asked */
} ledger_positions;

/* One non-zero exposure, as the supervisors' snapshot lists it. */
typedef struct ledger_exposure {
    const char *group, *borrower, *bank;
    int64_t fen;
    int64_t joint_limit_fen; /* the borrower's; 0: none */
} ledger_exposure;

/* One record of the audit trail (a Redis stream). id is the stream id,
 * set when read back; code is the outcome: 0 done, else a refusal. prev
 * and hash link the record into the chain (synd/audit.h); they too are
 * set when read back, "" if the record has none, and the ledger computes
 * them on an append. */
typedef struct ledger_audit {
    const char *id;
    int64_t time_ms;
    const char *bank_id, *role, *method, *object;
    int32_t code;
    const char *detail;
    const char *prev, *hash;
} ledger_audit;

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
    const char *id;      /* book_open: the new book's id; audit_append: the record's */
    size_t n_items;      /* the length of whichever array below is set */
    const ledger_bank *banks;
    const ledger_borrower *borrowers;
    const char *const *ids;
    const ledger_positions *positions;
    const ledger_share *shares;       /* book_repay, book_outstanding */
    const ledger_exposure *exposures; /* exposures_all */
    const ledger_audit *audit;        /* audit_range, audit_after */
    const char *audit_base;           /* ... with the chain's base and head */
    const char *audit_head;
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

/* Settles a CLOSED book as ALLOCATED or FAILED, storing the serialized
 * allocation. ALLOCATED reserves every share in one step: it checks,
 * before its first write, that each bank stays within its single_cap_fen
 * and group_cap_fen and the borrower within joint_limit_fen (0: none),
 * then adds each share to the bank's exposure to the borrower and to the
 * group, to the borrower's and the group's totals, and to the book's
 * outstanding record. A limit that would be passed is ABORTED, naming the
 * bank, the limit and its headroom, and nothing is written, so the caller
 * can recompute with the real headroom. FAILED_PRECONDITION unless the
 * book is CLOSED; INVALID_ARGUMENT if borrower is not the book's. Result:
 * book. */
int ledger_book_settle(ledger *l, const char *group, const char *book_id, book_state outcome,
                       const uint8_t *allocation, size_t allocation_len, const char *borrower,
                       int64_t joint_limit_fen, const ledger_share *shares, size_t n_shares,
                       ledger_cb cb, void *arg);

/* The position of borrower (in group) for the n banks named. Result:
 * positions. */
int ledger_positions_get(ledger *l, const char *group, const char *borrower,
                         const char *const *banks, size_t n, ledger_cb cb, void *arg);

/* What each lender of an ALLOCATED book is still owed. Result: shares
 * (alloc_fen the outstanding amount), n_items. */
int ledger_book_outstanding(ledger *l, const char *group, const char *book_id, ledger_cb cb,
                            void *arg);

/* Records a repayment of an ALLOCATED book: each line's alloc_fen is
 * taken off that lender's outstanding amount and its exposures and the
 * totals, in one step. A line above what the lender is owed is
 * FAILED_PRECONDITION and nothing is written. Result: shares (what is
 * still outstanding), n_items. */
int ledger_book_repay(ledger *l, const char *group, const char *book_id, const char *borrower,
                      const ledger_share *lines, size_t n, ledger_cb cb, void *arg);

/* Every non-zero exposure of every bank to every borrower, with each
 * borrower's joint limit, for the supervisors. Result: exposures,
 * n_items. */
int ledger_exposures_all(ledger *l, ledger_cb cb, void *arg);

/* Appends a record to the audit trail, the hash chain in the stream
 * synd:audit (trimmed to the newest million records): the ledger links it
 * to the chain's head and hashes it. Appends of one ledger go to Redis
 * one at a time, in the order made; one that finds the head moved
 * (another broker appended) reads it again and retries, a few times at
 * most (then ABORTED). Redis gives the stream id; time_ms is the caller's
 * time, kept as a field. rec->id, prev and hash are not read. cb may be
 * NULL (a failure is then logged). Result: id, the new record's stream
 * id. */
int ledger_audit_append(ledger *l, const ledger_audit *rec, ledger_cb cb, void *arg);

/* The audit records whose stream ids Redis made from from_ms to to_ms
 * (inclusive; a negative time counts as 0), oldest first, at most limit.
 * Result: audit, n_items, and the chain's base (the prev of its oldest
 * record) and head (the hash of its newest), read with the records. */
int ledger_audit_range(ledger *l, int64_t from_ms, int64_t to_ms, size_t limit, ledger_cb cb,
                       void *arg);

/* The same for the records after the stream id after_id (exclusive), to
 * to_ms (inclusive; 0: the end of the trail). INVALID_ARGUMENT if
 * after_id is not a stream id. For walking the whole chain page by page. */
int ledger_audit_after(ledger *l, const char *after_id, int64_t to_ms, size_t limit, ledger_cb cb,
                       void *arg);

/* Registry. put creates or replaces; get is NOT_FOUND for an unknown id. */
int ledger_bank_put(ledger *l, const ledger_bank *b, ledger_cb cb, void *arg);
int ledger_bank_get(ledger *l, const char *bank_id, ledger_cb cb, void *arg);
int ledger_banks_list(ledger *l, ledger_cb cb, void *arg);
int ledger_borrower_put(ledger *l, const ledger_borrower *b, ledger_cb cb, void *arg);
int ledger_borrower_get(ledger *l, const char *code, ledger_cb cb, void *arg);
int ledger_borrowers_list(ledger *l, ledger_cb cb, void *arg);

#endif
