/* The share rules of the 2024 measures: lead holds, the share left to the
 * other banks and the single-bank cap. The same functions check a book's
 * terms when it opens and the final allocation when it closes, so the two
 * can never disagree. */
#include "book/internal.h"

bool book_share_below(int64_t part, int64_t whole, int32_t bps)
{
    return (book_i128)part * BOOK_BPS < (book_i128)bps * whole;
}

bool book_share_above(int64_t part, int64_t whole, int32_t bps)
{
    return (book_i128)part * BOOK_BPS > (book_i128)bps * whole;
}

synd_code book_rule_lead_hold(const book_rules *r, int64_t facility, size_t n_leads,
                              const char *bank_id, int64_t amount, synd_code code, synd_status *st)
{
    if (n_leads == 1 && book_share_below(amount, facility, r->sole_lead_min_bps))
        return synd_status_set(st, code,
                               "lead %s's hold of %s is below the %s a sole lead must keep "
                               "(rule: sole-lead hold)",
                               bank_id, book_pct(amount, facility).s,
                               book_bps_pct(r->sole_lead_min_bps).s);
    if (n_leads > 1 && book_share_below(amount, facility, r->co_lead_min_bps))
        return synd_status_set(st, code,
                               "co-lead %s's hold of %s is below the %s each lead must keep "
                               "when there are co-leads (rule: co-lead hold)",
                               bank_id, book_pct(amount, facility).s,
                               book_bps_pct(r->co_lead_min_bps).s);
    return book_rule_bank_cap(r, facility, bank_id, amount, code, st);
}

synd_code book_rule_bank_cap(const book_rules *r, int64_t facility, const char *bank_id,
                             int64_t amount, synd_code code, synd_status *st)
{
    if (book_share_above(amount, facility, r->single_bank_max_bps))
        return synd_status_set(st, code,
                               "bank %s would hold %s of the facility, above the %s any one "
                               "bank may hold (rule: single-bank cap)",
                               bank_id, book_pct(amount, facility).s,
                               book_bps_pct(r->single_bank_max_bps).s);
    return SYND_OK;
}

synd_code book_rule_others(const book_rules *r, int64_t facility, int64_t leads_total,
                           synd_code code, synd_status *st)
{
    int64_t others = facility - leads_total;

    if (book_share_below(others, facility, r->others_min_bps))
        return synd_status_set(st, code,
                               "the leads hold %s together, leaving %s to other banks, below "
                               "the %s that must go to them (rule: others' share)",
                               book_pct(leads_total, facility).s, book_pct(others, facility).s,
                               book_bps_pct(r->others_min_bps).s);
    return SYND_OK;
}
