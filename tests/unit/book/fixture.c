/* Shared fixtures of the book tests. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "fixture.h"

void fx_terms(book_terms *t)
{
    book_rules r = book_rules_default();

    book_terms_init(t, &r);
    strcpy(t->borrower, "91350100M000100Y43");
    strcpy(t->industry, "C3011");
    t->facility_fen = 300000000000LL; /* ¥3,000,000,000 */
    t->tenor_months = 60;
    t->ref_rate = BOOK_LPR_5Y;
    t->spread_floor_bps = 20;
    t->spread_cap_bps = 80;
    t->min_ticket_fen = 5000000000LL; /* ¥50,000,000 */
    t->close_ms = NOW + 3600 * 1000;
    t->n_leads = 1;
    strcpy(t->leads[0].bank_id, "ICBC");
    t->leads[0].hold_fen = 60000000000LL; /* ¥600,000,000 = 20% */
    t->n_fees = 3;
    t->fees[0] = (book_fee){BOOK_FEE_ARRANGEMENT, BOOK_BASIS_ONE_OFF_BPS, 50, 0, "arrangement"};
    t->fees[1] = (book_fee){BOOK_FEE_COMMITMENT, BOOK_BASIS_UNDRAWN_BPS, 25, 0, "commitment"};
    t->fees[2] = (book_fee){BOOK_FEE_AGENCY, BOOK_BASIS_FIXED_YEARLY, 0, 20000000, "agency"};
}

void fx_small(book_terms *t, int64_t facility_u, int64_t min_ticket_u, size_t n_leads,
              const int64_t *holds_u)
{
    fx_terms(t);
    t->facility_fen = U(facility_u);
    t->min_ticket_fen = U(min_ticket_u);
    t->spread_floor_bps = 0;
    t->spread_cap_bps = 100;
    t->n_leads = n_leads;
    for (size_t i = 0; i < n_leads; i++) {
        snprintf(t->leads[i].bank_id, BOOK_MAX_ID, "L%zu", i + 1);
        t->leads[i].hold_fen = U(holds_u[i]);
    }
}

book_bid fx_bid(const char *bank_id, int64_t amount_u, int32_t spread_bps, uint64_t seq)
{
    book_bid b = {.amount_fen = U(amount_u), .spread_bps = spread_bps, .seq = seq};

    snprintf(b.bank_id, sizeof(b.bank_id), "%s", bank_id);
    return b;
}

const book_share *fx_share(const book_allocation *a, const char *bank_id)
{
    for (size_t i = 0; i < a->n_shares; i++) {
        if (strcmp(a->shares[i].bank_id, bank_id) == 0)
            return &a->shares[i];
    }
    cr_assert_fail("no share for bank %s", bank_id);
    return NULL;
}

void fx_allocate(const book_terms *t, const book_bid *bids, size_t n, const int64_t *bid_headroom,
                 const int64_t *lead_headroom, book_allocation *out)
{
    book_rules r = book_rules_default();
    book_alloc_input in = {&r, t, bids, n, bid_headroom, lead_headroom};
    synd_status st = {0};

    synd_code rc = book_allocate(&in, out, &st);
    cr_assert_eq(rc, SYND_OK, "book_allocate: %s", st.message);
}
