/* Wire <-> book conversion. */
#include <string.h>

#include "syndication/convert.h"

/* Copies a wire string into a fixed buffer, refusing rather than
 * truncating: a truncated bank id or code would name someone else. */
static synd_code copy_field(char *dst, size_t cap, const char *src, const char *field,
                            synd_status *st)
{
    size_t n = strlen(src);

    if (n >= cap)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "%s is %zu bytes; at most %zu allowed",
                               field, n, cap - 1);
    memcpy(dst, src, n + 1);
    return SYND_OK;
}

void convert_terms_defaults(Synd__V1__BookTerms *t, const book_rules *r)
{
    if (t->unit_fen == 0)
        t->unit_fen = r->default_unit_fen;
    if (t->method == SYND__V1__ALLOCATION_METHOD__ALLOCATION_METHOD_UNSPECIFIED)
        t->method = SYND__V1__ALLOCATION_METHOD__PRO_RATA;
    if (t->shortfall == SYND__V1__SHORTFALL_RULE__SHORTFALL_RULE_UNSPECIFIED)
        t->shortfall = SYND__V1__SHORTFALL_RULE__UNDERWRITTEN;
}

/* The wire's enums share the book module's numbers; this only refuses
 * numbers outside them (protobuf keeps unknown enum values as ints). */
static synd_code convert_enums(const Synd__V1__BookTerms *in, book_terms *out, synd_status *st)
{
    if (in->reference_rate != SYND__V1__REFERENCE_RATE__LPR_1Y &&
        in->reference_rate != SYND__V1__REFERENCE_RATE__LPR_5Y)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "reference_rate must be LPR_1Y or LPR_5Y (rule: price talk)");
    if (in->method != SYND__V1__ALLOCATION_METHOD__PRO_RATA &&
        in->method != SYND__V1__ALLOCATION_METHOD__PRICE_PRIORITY)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "method must be PRO_RATA or PRICE_PRIORITY");
    if (in->shortfall != SYND__V1__SHORTFALL_RULE__UNDERWRITTEN &&
        in->shortfall != SYND__V1__SHORTFALL_RULE__BEST_EFFORTS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "shortfall must be UNDERWRITTEN or BEST_EFFORTS");
    out->ref_rate = (book_ref_rate)in->reference_rate;
    out->method = (book_method)in->method;
    out->shortfall = (book_shortfall)in->shortfall;
    return SYND_OK;
}

static synd_code convert_leads(const Synd__V1__BookTerms *in, book_terms *out, synd_status *st)
{
    if (in->n_leads > BOOK_MAX_LEADS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "%zu leads; at most %d allowed",
                               in->n_leads, BOOK_MAX_LEADS);
    out->n_leads = in->n_leads;
    for (size_t i = 0; i < in->n_leads; i++) {
        if (copy_field(out->leads[i].bank_id, BOOK_MAX_ID, in->leads[i]->bank_id, "lead bank_id",
                       st) != SYND_OK)
            return st->code;
        out->leads[i].hold_fen = in->leads[i]->hold_fen;
    }
    return SYND_OK;
}

/* Fees keep the lead's own name as their label, so that a fee off the
 * whitelist is refused by the name the lead gave it. */
static synd_code convert_fees(const Synd__V1__BookTerms *in, book_terms *out, synd_status *st)
{
    if (in->n_fees > BOOK_MAX_FEES)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "%zu fees; at most %d allowed",
                               in->n_fees, BOOK_MAX_FEES);
    out->n_fees = in->n_fees;
    for (size_t i = 0; i < in->n_fees; i++) {
        const Synd__V1__Fee *f = in->fees[i];
        book_fee *b = &out->fees[i];

        if (copy_field(b->label, BOOK_MAX_LABEL, f->kind, "fee kind", st) != SYND_OK)
            return st->code;
        if (f->basis < SYND__V1__FEE_BASIS__ONE_OFF_BPS ||
            f->basis > SYND__V1__FEE_BASIS__RATE_ADD_ON)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "fee '%s' has no basis: one_off_bps, undrawn_bps, fixed_yearly",
                                   f->kind);
        b->kind = book_fee_kind_parse(f->kind);
        b->basis = (book_fee_basis)f->basis;
        b->bps = f->bps;
        b->fen = f->fen;
    }
    return SYND_OK;
}

/* Tie-ins are all refused by the terms check, which quotes the first, so
 * only their count and the first few texts are carried. */
static void convert_tie_ins(const Synd__V1__BookTerms *in, book_terms *out)
{
    out->n_tie_ins = in->n_tie_ins;
    for (size_t i = 0; i < in->n_tie_ins && i < BOOK_MAX_TIE_INS; i++) {
        strncpy(out->tie_ins[i], in->tie_ins[i], BOOK_MAX_LABEL - 1);
        out->tie_ins[i][BOOK_MAX_LABEL - 1] = '\0';
    }
}

synd_code convert_terms(const Synd__V1__BookTerms *in, const book_rules *r, book_terms *out,
                        synd_status *st)
{
    book_terms_init(out, r);
    if (copy_field(out->borrower, sizeof(out->borrower), in->borrower_code, "borrower_code", st) !=
            SYND_OK ||
        copy_field(out->industry, sizeof(out->industry), in->industry_code, "industry_code", st) !=
            SYND_OK ||
        convert_enums(in, out, st) != SYND_OK || convert_leads(in, out, st) != SYND_OK ||
        convert_fees(in, out, st) != SYND_OK)
        return st->code;
    convert_tie_ins(in, out);
    out->facility_fen = in->facility_fen;
    out->unit_fen = in->unit_fen ? in->unit_fen : r->default_unit_fen;
    out->tenor_months = in->tenor_months;
    out->spread_floor_bps = in->spread_floor_bps;
    out->spread_cap_bps = in->spread_cap_bps;
    out->min_ticket_fen = in->min_ticket_fen;
    out->close_ms = in->close_ms;
    out->borrower_min_fen = in->borrower_min_fen;
    return SYND_OK;
}

void convert_allocation(const char *book_id, const book_allocation *a, Synd__V1__Share *shares,
                        Synd__V1__Share **ptrs, Synd__V1__Allocation *out)
{
    synd__v1__allocation__init(out);
    out->book_id = (char *)book_id;
    out->state = a->outcome == BOOK_OUTCOME_ALLOCATED ? SYND__V1__BOOK_STATE__BOOK_ALLOCATED
                                                      : SYND__V1__BOOK_STATE__BOOK_FAILED;
    out->facility_fen = a->facility_fen;
    out->clearing_spread_bps = a->clearing_spread_bps;
    out->shortfall_fen = a->shortfall_fen;
    out->reason = (char *)a->reason;
    for (size_t i = 0; i < a->n_shares; i++) {
        const book_share *s = &a->shares[i];

        synd__v1__share__init(&shares[i]);
        shares[i].bank_id = (char *)s->bank_id;
        shares[i].lead = s->lead;
        shares[i].asked_fen = s->asked_fen;
        shares[i].spread_bps = s->spread_bps;
        shares[i].alloc_fen = s->alloc_fen;
        shares[i].underwritten_fen = s->underwritten_fen;
        shares[i].dropped = s->dropped;
        ptrs[i] = &shares[i];
    }
    out->n_shares = a->n_shares;
    out->shares = ptrs;
}
