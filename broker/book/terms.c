/* Validation of a book's terms. Each check is its own function, in the
 * order a lead reads a term sheet: borrower, amount, tenor, price, ticket,
 * leads, fees, allocation; the close time last since it alone needs the
 * clock. */
#include <inttypes.h>
#include <string.h>

#include "book/industry.h"
#include "book/internal.h"
#include "book/uscc.h"

void book_terms_init(book_terms *t, const book_rules *r)
{
    memset(t, 0, sizeof(*t));
    t->unit_fen = r->default_unit_fen;
    t->method = BOOK_PRO_RATA;
    t->shortfall = BOOK_UNDERWRITTEN;
}

/* The borrower's identity and industry, each from its national standard. */
static synd_code check_borrower(const book_terms *t, synd_status *st)
{
    synd_code rc;

    if (memchr(t->borrower, '\0', sizeof(t->borrower)) == NULL)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "unified social credit code is longer than 18 characters (rule: "
                               "USCC, GB 32100-2015)");
    if ((rc = book_uscc_check(t->borrower, st)) != SYND_OK)
        return rc;
    return book_industry_check(t->industry, st);
}

/* The facility in whole allocation units, within what the arithmetic
 * holds exactly. */
static synd_code check_amounts(const book_terms *t, synd_status *st)
{
    if (t->unit_fen <= 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "allocation unit %s must be positive (rule: allocation unit)",
                               book_money(t->unit_fen).s);
    if (t->facility_fen <= 0 || t->facility_fen > BOOK_MAX_FACILITY_FEN)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "facility %s must be positive and at most %s (rule: facility)",
                               book_money(t->facility_fen).s, book_money(BOOK_MAX_FACILITY_FEN).s);
    if (t->facility_fen % t->unit_fen != 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "facility %s is not a whole number of allocation units of %s "
                               "(rule: allocation unit)",
                               book_money(t->facility_fen).s, book_money(t->unit_fen).s);
    return SYND_OK;
}

/* A tenor of at least a month and no longer than the deployment allows. */
static synd_code check_tenor(const book_rules *r, const book_terms *t, synd_status *st)
{
    if (t->tenor_months < 1 || t->tenor_months > r->max_tenor_months)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "tenor of %d months is outside 1..%d months (rule: tenor)",
                               (int)t->tenor_months, (int)r->max_tenor_months);
    return SYND_OK;
}

/* Price talk: a reference rate and an ordered spread band inside the
 * deployment's bounds. */
static synd_code check_price(const book_rules *r, const book_terms *t, synd_status *st)
{
    if (t->ref_rate != BOOK_LPR_1Y && t->ref_rate != BOOK_LPR_5Y)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "reference rate must be LPR_1Y or LPR_5Y (rule: price talk)");
    if (t->spread_floor_bps > t->spread_cap_bps)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "spread floor %d bps is above the cap %d bps (rule: price talk)",
                               (int)t->spread_floor_bps, (int)t->spread_cap_bps);
    if (t->spread_floor_bps < r->spread_min_bps || t->spread_cap_bps > r->spread_max_bps)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "spread band [%d, %d] bps leaves the allowed [%d, %d] bps over %s "
                               "(rule: price talk)",
                               (int)t->spread_floor_bps, (int)t->spread_cap_bps,
                               (int)r->spread_min_bps, (int)r->spread_max_bps,
                               book_ref_rate_name(t->ref_rate));
    return SYND_OK;
}

/* The minimum ticket: whole units, and a share a bank could actually get. */
static synd_code check_ticket(const book_terms *t, synd_status *st)
{
    if (t->min_ticket_fen <= 0 || t->min_ticket_fen > t->facility_fen)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "minimum ticket %s must be positive and at most the facility %s "
                               "(rule: minimum ticket)",
                               book_money(t->min_ticket_fen).s, book_money(t->facility_fen).s);
    if (t->min_ticket_fen % t->unit_fen != 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "minimum ticket %s is not a whole number of allocation units of "
                               "%s (rule: allocation unit)",
                               book_money(t->min_ticket_fen).s, book_money(t->unit_fen).s);
    return SYND_OK;
}

/* The allocation method and the shortfall rule, with the borrower's
 * minimum set exactly when it means something: for best efforts. */
static synd_code check_allocation(const book_terms *t, synd_status *st)
{
    if (t->method != BOOK_PRO_RATA && t->method != BOOK_PRICE_PRIORITY)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "allocation method must be PRO_RATA or PRICE_PRIORITY (rule: "
                               "allocation method)");
    if (t->shortfall == BOOK_UNDERWRITTEN) {
        if (t->borrower_min_fen != 0)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "a borrower minimum applies to best-efforts books only; an "
                                   "underwritten book raises its whole facility (rule: "
                                   "shortfall)");
        return SYND_OK;
    }
    if (t->shortfall != BOOK_BEST_EFFORTS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "shortfall rule must be UNDERWRITTEN or BEST_EFFORTS (rule: "
                               "shortfall)");
    if (t->borrower_min_fen <= 0 || t->borrower_min_fen > t->facility_fen ||
        t->borrower_min_fen % t->unit_fen != 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "borrower minimum %s must be a positive whole number of units of "
                               "%s, at most the facility %s (rule: best-efforts minimum)",
                               book_money(t->borrower_min_fen).s, book_money(t->unit_fen).s,
                               book_money(t->facility_fen).s);
    return SYND_OK;
}

/* The close time is in the future, and not so far that the book would
 * hang open past the deployment's limit. */
static synd_code check_close(const book_rules *r, const book_terms *t, int64_t now_ms,
                             synd_status *st)
{
    int64_t gap;

    if (t->close_ms <= now_ms)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "close time %" PRId64 " is not after now (%" PRId64
                               "); a book needs a future close time (rule: close time)",
                               t->close_ms, now_ms);
    if (__builtin_sub_overflow(t->close_ms, now_ms, &gap) || gap > r->max_open_ms)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "close time %" PRId64 " is more than the %" PRId64
                               " ms a book may stay open after now (%" PRId64
                               ") (rule: close time)",
                               t->close_ms, r->max_open_ms, now_ms);
    return SYND_OK;
}

synd_code book_terms_check_static(const book_rules *r, const book_terms *t, synd_status *st)
{
    synd_code rc;

    if ((rc = check_borrower(t, st)) || (rc = check_amounts(t, st)) ||
        (rc = check_tenor(r, t, st)) || (rc = check_price(r, t, st)) ||
        (rc = check_ticket(t, st)) || (rc = book_leads_check(r, t, st)) ||
        (rc = book_fees_check(r, t, st)) || (rc = check_allocation(t, st)))
        return rc;
    return SYND_OK;
}

synd_code book_terms_check(const book_rules *r, const book_terms *t, int64_t now_ms,
                           synd_status *st)
{
    synd_code rc = book_terms_check_static(r, t, st);

    if (rc != SYND_OK)
        return rc;
    return check_close(r, t, now_ms, st);
}
