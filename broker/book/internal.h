/* Helpers shared by the files of broker/book. Not part of the API: the
 * rest of the broker includes the public headers only. */
#ifndef SYND_BOOK_INTERNAL_H
#define SYND_BOOK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "book/bid.h"
#include "book/terms.h"
#include "synd/status.h"

/* Exact intermediate for ratios of money: fen times basis points, or units
 * times units, never overflows it within BOOK_MAX_FACILITY_FEN. */
__extension__ typedef __int128 book_i128;

/* A short text returned by value, so that a message can format several
 * figures in one call: book_money(a).s, book_money(b).s. */
typedef struct book_text {
    char s[48];
} book_text;

/* fen as "¥1,234,567.89". */
book_text book_money(int64_t fen);

/* part / whole as a percentage with two decimals, rounded down: "12.34%". */
book_text book_pct(int64_t part, int64_t whole);

/* A rule's basis points as a percentage: 1500 -> "15%", 1050 -> "10.50%". */
book_text book_bps_pct(int32_t bps);

/* True if s is a non-empty string whose NUL lies within cap bytes, so it
 * can be printed and compared safely. */
bool book_text_ok(const char *s, size_t cap);

/* part * BOOK_BPS < bps * whole: part is less than bps of whole. */
bool book_share_below(int64_t part, int64_t whole, int32_t bps);

/* part * BOOK_BPS > bps * whole: part is more than bps of whole. */
bool book_share_above(int64_t part, int64_t whole, int32_t bps);

/* The share rules on amounts of a facility, as used for a book's terms and
 * again on the final allocation. code is the status to fail with. Each
 * returns SYND_OK or code, with a message naming the rule. */

/* A lead (one of n_leads) holding amount: the sole-lead or co-lead minimum,
 * then the single-bank cap. */
synd_code book_rule_lead_hold(const book_rules *r, int64_t facility, size_t n_leads,
                              const char *bank_id, int64_t amount, synd_code code, synd_status *st);

/* Any bank holding amount: the single-bank cap. */
synd_code book_rule_bank_cap(const book_rules *r, int64_t facility, const char *bank_id,
                             int64_t amount, synd_code code, synd_status *st);

/* The leads holding leads_total together: the share left to the others. */
synd_code book_rule_others(const book_rules *r, int64_t facility, int64_t leads_total,
                           synd_code code, synd_status *st);

/* The parts of book_terms_check(). */
synd_code book_terms_check_static(const book_rules *r, const book_terms *t, synd_status *st);
synd_code book_leads_check(const book_rules *r, const book_terms *t, synd_status *st);
synd_code book_fees_check(const book_rules *r, const book_terms *t, synd_status *st);

/* The leads' holds added up; the caller has checked each hold. */
int64_t book_leads_total(const book_terms *t);

/* The parts of a bid's check that do not depend on the clock or the book's
 * state: bank id, not a lead, amount and spread. */
synd_code book_bid_check_terms(const book_terms *t, const book_bid *b, synd_status *st);

/* One claimant in a pro-rata split, in allocation units. */
typedef struct book_pr_item {
    int64_t weight; /* what the common ratio scales: a bid, or a lead's hold */
    int64_t cap;    /* the most it may receive */
    uint64_t seq;   /* ties: the earlier ... */
    const char *id; /* ... then the lower bank id wins the leftover unit */
    int64_t share;  /* out */
    book_i128 rem;  /* scratch: the remainder of weight * ratio */
    bool capped;    /* scratch: held at its cap */
} book_pr_item;

/* Splits total units among the n items v points to: the same ratio of each
 * weight, rounded down, leftover units by largest remainder, nobody above
 * its cap and what a cap holds back spread over the others. Fills share
 * and returns the units handed out: total, or the sum of the caps if that
 * is less. Reorders the pointers in v. */
int64_t book_prorata(book_pr_item **v, size_t n, int64_t total);

#endif
