/* Fees and conditions. The 2024 measures allow three fees, each in one
 * form, and forbid tying a loan to anything else (借贷搭售) or charging a
 * fee by raising the rate (违规收费). Anything else is refused by name. */
#include "book/internal.h"

/* The one form each allowed kind takes. */
static book_fee_basis basis_of(book_fee_kind kind)
{
    switch (kind) {
    case BOOK_FEE_ARRANGEMENT:
        return BOOK_BASIS_ONE_OFF_BPS;
    case BOOK_FEE_COMMITMENT:
        return BOOK_BASIS_UNDRAWN_BPS;
    default:
        return BOOK_BASIS_FIXED_YEARLY;
    }
}

/* What the fee is: an allowed kind, on this deployment's whitelist, not
 * hidden in the rate, and in its kind's one form. */
static synd_code check_kind(const book_rules *r, const book_fee *f, synd_status *st)
{
    if (f->basis == BOOK_BASIS_RATE_ADD_ON)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "fee '%s' is written as a rate add-on; a fee may not be folded "
                               "into the interest rate (rule: no rate add-on fees)",
                               f->label);
    if (f->kind != BOOK_FEE_ARRANGEMENT && f->kind != BOOK_FEE_COMMITMENT &&
        f->kind != BOOK_FEE_AGENCY)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "fee '%s' is not an arrangement, commitment or agency fee, the "
                               "only fees a book may charge (rule: fee whitelist)",
                               f->label);
    if ((r->fee_kinds & (1u << f->kind)) == 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s fees are not on this deployment's fee whitelist (rule: fee "
                               "whitelist)",
                               book_fee_kind_name(f->kind));
    if (f->basis != basis_of(f->kind))
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s fees are charged as %s, not %s (rule: fee whitelist)",
                               book_fee_kind_name(f->kind), book_fee_basis_name(basis_of(f->kind)),
                               book_fee_basis_name(f->basis));
    return SYND_OK;
}

/* How much: a positive figure, bps under the deployment's ceiling, a fixed
 * sum no larger than the facility. */
static synd_code check_amount(const book_rules *r, const book_terms *t, const book_fee *f,
                              synd_status *st)
{
    if (f->basis == BOOK_BASIS_FIXED_YEARLY) {
        if (f->fen <= 0 || f->fen > t->facility_fen)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "%s fee of %s a year must be positive and at most the facility "
                                   "(rule: fee bounds)",
                                   book_fee_kind_name(f->kind), book_money(f->fen).s);
        return SYND_OK;
    }
    if (f->bps <= 0 || f->bps > r->fee_max_bps)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s fee of %d bps is outside 1..%d bps (rule: fee bounds)",
                               book_fee_kind_name(f->kind), (int)f->bps, (int)r->fee_max_bps);
    return SYND_OK;
}

/* Fee i in full, and that no earlier fee has its kind: two arrangement
 * fees would be a second charge under an allowed name. */
static synd_code check_fee(const book_rules *r, const book_terms *t, size_t i, synd_status *st)
{
    const book_fee *f = &t->fees[i];
    synd_code rc;

    if (!book_text_ok(f->label, BOOK_MAX_LABEL))
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "fee %zu needs a label of 1 to %d characters (rule: fee whitelist)",
                               i + 1, BOOK_MAX_LABEL - 1);
    if ((rc = check_kind(r, f, st)) || (rc = check_amount(r, t, f, st)))
        return rc;
    for (size_t j = 0; j < i; j++) {
        if (t->fees[j].kind == f->kind)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "the book lists two %s fees; each kind may appear once (rule: "
                                   "fee whitelist)",
                                   book_fee_kind_name(f->kind));
    }
    return SYND_OK;
}

/* Any tie-in condition at all is refused; its text is quoted back. */
static synd_code check_tie_ins(const book_terms *t, synd_status *st)
{
    if (t->n_tie_ins > BOOK_MAX_TIE_INS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "the book carries %zu tie-in conditions; a loan may not be tied "
                               "to other products (rule: no tie-ins)",
                               t->n_tie_ins);
    if (t->n_tie_ins == 0)
        return SYND_OK;
    const char *text = t->tie_ins[0];
    return synd_status_set(st, SYND_INVALID_ARGUMENT,
                           "tie-in condition '%s' is not allowed; a loan may not be tied to other "
                           "products (rule: no tie-ins)",
                           book_text_ok(text, BOOK_MAX_LABEL) ? text : "(unreadable)");
}

synd_code book_fees_check(const book_rules *r, const book_terms *t, synd_status *st)
{
    synd_code rc;

    if (t->n_fees > BOOK_MAX_FEES)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "the book lists %zu fees, more than %d (rule: fee whitelist)",
                               t->n_fees, BOOK_MAX_FEES);
    for (size_t i = 0; i < t->n_fees; i++) {
        if ((rc = check_fee(r, t, i, st)) != SYND_OK)
            return rc;
    }
    return check_tie_ins(t, st);
}
