/* Deployment settings: the defaults of the 2024 measures, and a check that
 * an operator's changes still admit a valid book. */
#include <inttypes.h>

#include "book/internal.h"

#define FEE_WHITELIST                                                                              \
    ((1u << BOOK_FEE_ARRANGEMENT) | (1u << BOOK_FEE_COMMITMENT) | (1u << BOOK_FEE_AGENCY))

book_rules book_rules_default(void)
{
    book_rules r = {
        .sole_lead_min_bps = 1500,
        .co_lead_min_bps = 1000,
        .others_min_bps = 3000,
        .single_bank_max_bps = 7000,
        .default_unit_fen = 1000000, /* ¥10,000 */
        .max_leads = BOOK_MAX_LEADS,
        .max_tenor_months = 360,
        .spread_min_bps = -300,
        .spread_max_bps = 1000,
        .fee_max_bps = 500,
        .max_open_ms = 90LL * 24 * 3600 * 1000,
        .fee_kinds = FEE_WHITELIST,
    };
    return r;
}

/* A share setting outside 0..100% would make every comparison meaningless. */
static synd_code check_pct(const char *name, int32_t bps, synd_status *st)
{
    if (bps < 0 || bps > BOOK_BPS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting %s = %d bps is outside 0..%d (rule: deployment settings)",
                               name, (int)bps, BOOK_BPS);
    return SYND_OK;
}

/* The four share settings, each in range and together satisfiable: a lead
 * must be able to meet its minimum without passing the single-bank cap,
 * and still leave the others their share. */
static synd_code check_shares(const book_rules *r, synd_status *st)
{
    synd_code rc;

    if ((rc = check_pct("sole_lead_min_bps", r->sole_lead_min_bps, st)) ||
        (rc = check_pct("co_lead_min_bps", r->co_lead_min_bps, st)) ||
        (rc = check_pct("others_min_bps", r->others_min_bps, st)) ||
        (rc = check_pct("single_bank_max_bps", r->single_bank_max_bps, st)))
        return rc;
    if (r->sole_lead_min_bps > r->single_bank_max_bps ||
        r->co_lead_min_bps > r->single_bank_max_bps)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "a lead's minimum hold is above single_bank_max_bps = %d, so no "
                               "book could open (rule: deployment settings)",
                               (int)r->single_bank_max_bps);
    if (r->sole_lead_min_bps + r->others_min_bps > BOOK_BPS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "sole_lead_min_bps + others_min_bps exceed 100%%, so no book "
                               "could open (rule: deployment settings)");
    return SYND_OK;
}

/* Unit, lead count, tenor and open time: each must admit at least one book. */
static synd_code check_limits(const book_rules *r, synd_status *st)
{
    if (r->default_unit_fen <= 0 || r->default_unit_fen > BOOK_MAX_FACILITY_FEN)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting default_unit_fen = %" PRId64
                               " must be positive and at most %lld (rule: deployment settings)",
                               r->default_unit_fen, (long long)BOOK_MAX_FACILITY_FEN);
    if (r->max_leads < 1 || r->max_leads > BOOK_MAX_LEADS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting max_leads = %d is outside 1..%d (rule: deployment "
                               "settings)",
                               (int)r->max_leads, BOOK_MAX_LEADS);
    if (r->max_tenor_months < 1)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting max_tenor_months = %d must be at least 1 (rule: "
                               "deployment settings)",
                               (int)r->max_tenor_months);
    if (r->max_open_ms <= 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting max_open_ms = %" PRId64
                               " must be positive (rule: deployment settings)",
                               r->max_open_ms);
    return SYND_OK;
}

/* Price and fee bounds: a band that can hold a spread, a fee ceiling that
 * is a percentage, and a whitelist drawn from the three allowed kinds. */
static synd_code check_price_and_fees(const book_rules *r, synd_status *st)
{
    synd_code rc = check_pct("fee_max_bps", r->fee_max_bps, st);

    if (rc != SYND_OK)
        return rc;
    if (r->spread_min_bps < -BOOK_BPS || r->spread_max_bps > BOOK_BPS ||
        r->spread_min_bps > r->spread_max_bps)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "settings spread_min_bps = %d and spread_max_bps = %d must be "
                               "ordered and within -%d..%d (rule: deployment settings)",
                               (int)r->spread_min_bps, (int)r->spread_max_bps, BOOK_BPS, BOOK_BPS);
    if ((r->fee_kinds & ~FEE_WHITELIST) != 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "setting fee_kinds may hold only arrangement, commitment and "
                               "agency (rule: fee whitelist)");
    return SYND_OK;
}

synd_code book_rules_check(const book_rules *r, synd_status *st)
{
    synd_code rc;

    if ((rc = check_shares(r, st)) || (rc = check_limits(r, st)) ||
        (rc = check_price_and_fees(r, st)))
        return rc;
    return SYND_OK;
}
