/* The bidding decision: which limit binds, and why a book is skipped. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bidder/decide.h"
#include "book/industry.h"

/* Records a skip, its reason prefixed with "skip <book>: ". */
__attribute__((format(printf, 3, 4))) static void skip(bidder_decision *d, const char *book_id,
                                                       const char *fmt, ...)
{
    int n = snprintf(d->reason, sizeof(d->reason), "skip %s: ", book_id);
    va_list ap;

    if (n < 0 || (size_t)n >= sizeof(d->reason))
        n = (int)sizeof(d->reason) - 1; /* an absurd book id: keep what fits */

    d->action = BIDDER_SKIP;
    d->amount_fen = 0;
    d->spread_bps = 0;
    va_start(ap, fmt);
    vsnprintf(d->reason + n, sizeof(d->reason) - (size_t)n, fmt, ap);
    va_end(ap);
}

/* True if bank_id opened the book or holds as one of its leads: a bank may
 * not bid as a participant on its own book. */
static bool is_lead(const char *bank_id, const Synd__V1__Book *book)
{
    const Synd__V1__BookTerms *t = book->terms;

    if (strcmp(book->lead_bank_id, bank_id) == 0)
        return true;
    for (size_t i = 0; i < t->n_leads; i++) {
        if (t->leads[i] != NULL && strcmp(t->leads[i]->bank_id, bank_id) == 0)
            return true;
    }
    return false;
}

/* The lowest cap among the appetite entries that take industry, or 0 if
 * they set none; *entry names the binding one. Returns false if no entry
 * takes the industry. Every matching entry's cap applies, so a cap on "C30"
 * is not lifted by a broader "C" entry without one, nor the reverse. */
static bool appetite_cap(const bidder_policy *p, const char *industry, int64_t *cap,
                         const char **entry)
{
    bool found = false;

    *cap = 0;
    *entry = NULL;
    for (size_t i = 0; i < p->n_appetite; i++) {
        const bidder_appetite *a = &p->appetite[i];
        if (!book_industry_matches(a->industry, industry))
            continue;
        found = true;
        if (a->max_ticket_fen > 0 && (*cap == 0 || a->max_ticket_fen < *cap)) {
            *cap = a->max_ticket_fen;
            *entry = a->industry;
        }
    }
    return found;
}

/* headroom * share_bps / 10000, rounded down, without an intermediate
 * that could overflow: with headroom = q * 10000 + r, the result is
 * q * share + r * share / 10000, and q * share <= headroom. */
static int64_t share_of(int64_t headroom, int32_t share_bps)
{
    int64_t q = headroom / BOOK_BPS, r = headroom % BOOK_BPS;

    return q * share_bps + r * share_bps / BOOK_BPS;
}

void bidder_decide(const bidder_policy *p, const char *bank_id, const Synd__V1__Book *book,
                   int64_t headroom_fen, bidder_decision *d)
{
    const Synd__V1__BookTerms *t = book->terms;
    const char *id = book->book_id, *entry;
    char bound[160];
    int64_t cap, amount, unit, share;
    int32_t spread;

    if (t == NULL) {
        skip(d, id, "the announcement carries no terms");
        return;
    }
    if (is_lead(bank_id, book)) {
        skip(d, id, "we (%s) are a lead of this book", bank_id);
        return;
    }
    if (!appetite_cap(p, t->industry_code, &cap, &entry)) {
        skip(d, id, "industry %s not in appetite", t->industry_code);
        return;
    }
    if (p->max_tenor_months > 0 && t->tenor_months > p->max_tenor_months) {
        skip(d, id, "tenor %d months above max_tenor_months %d", (int)t->tenor_months,
             (int)p->max_tenor_months);
        return;
    }
    spread = t->spread_floor_bps > p->min_spread_bps ? t->spread_floor_bps : p->min_spread_bps;
    if (spread > t->spread_cap_bps) {
        if (p->min_spread_bps > t->spread_cap_bps)
            skip(d, id, "cap %d bps below our minimum spread %d (min_spread_bps)",
                 (int)t->spread_cap_bps, (int)p->min_spread_bps);
        else
            skip(d, id, "price talk floor %d bps above its cap %d bps", (int)t->spread_floor_bps,
                 (int)t->spread_cap_bps);
        return;
    }
    if (headroom_fen <= 0) {
        skip(d, id, "no headroom left for borrower %s (headroom %lld fen)", t->borrower_code,
             (long long)headroom_fen);
        return;
    }
    unit = t->unit_fen == 0 ? BIDDER_DEFAULT_UNIT_FEN : t->unit_fen;
    if (unit < 0) {
        skip(d, id, "allocation unit %lld fen is negative", (long long)unit);
        return;
    }

    amount = p->max_ticket_fen;
    snprintf(bound, sizeof(bound), "max_ticket_fen %lld", (long long)amount);
    if (cap > 0 && cap < amount) {
        amount = cap;
        snprintf(bound, sizeof(bound), "appetite %s max_ticket_fen %lld", entry, (long long)cap);
    }
    share = share_of(headroom_fen, p->headroom_share_bps);
    if (share < amount) {
        amount = share;
        snprintf(bound, sizeof(bound), "headroom_share_bps %d of headroom %lld fen",
                 (int)p->headroom_share_bps, (long long)headroom_fen);
    }
    if (t->facility_fen < amount) {
        amount = t->facility_fen;
        snprintf(bound, sizeof(bound), "the facility %lld fen", (long long)amount);
    }
    if (amount < unit) {
        skip(d, id, "%lld fen (%s) is less than one unit of %lld fen", (long long)amount, bound,
             (long long)unit);
        return;
    }
    amount -= amount % unit;
    if (amount < t->min_ticket_fen) {
        skip(d, id, "%lld fen (%s, in units of %lld) below the book's min ticket %lld fen",
             (long long)amount, bound, (long long)unit, (long long)t->min_ticket_fen);
        return;
    }
    d->action = BIDDER_BID;
    d->amount_fen = amount;
    d->spread_bps = spread;
    snprintf(d->reason, sizeof(d->reason),
             "bid %s: %lld fen at %d bps (amount bound by %s, in units of %lld; spread %s)", id,
             (long long)amount, (int)spread, bound, (long long)unit,
             spread == p->min_spread_bps ? "min_spread_bps" : "the book's floor");
}
