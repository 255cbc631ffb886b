/* The pure checks of the Syndication and Registry requests. */
#include <string.h>

#include "book/industry.h"
#include "book/uscc.h"
#include "rpc/authz.h"
#include "syndication/checks.h"
#include "syndication/convert.h"

#define OPEN_BOOK "/synd.v1.Syndication/OpenBook"

synd_code syndication_check_open_book(const book_rules *r, const registry_identity *id,
                                      Synd__V1__BookTerms *wire, int64_t now_ms, book_terms *out,
                                      synd_status *st)
{
    if (wire == NULL)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "OpenBook needs terms");
    convert_terms_defaults(wire, r);
    if (convert_terms(wire, r, out, st) != SYND_OK ||
        book_terms_check(r, out, now_ms, st) != SYND_OK)
        return st->code;
    if (authz_scope_of(OPEN_BOOK, id->role) == AUTHZ_OWN_BOOK &&
        book_lead_index(out, id->bank_id) < 0)
        return synd_status_set(st, SYND_PERMISSION_DENIED,
                               "bank %s is not among the book's leads; a lead opens only its own "
                               "books",
                               id->bank_id);
    return SYND_OK;
}

synd_code syndication_check_bid(const book_terms *t, book_state s, const char *bank,
                                const Synd__V1__SubmitBidRequest *in, const char *idem_key,
                                int64_t now_ms, book_bid *bid, int *retry, synd_status *st)
{
    size_t n = strlen(bank);

    memset(bid, 0, sizeof(*bid));
    if (n >= sizeof(bid->bank_id))
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "bank id of %zu bytes is too long", n);
    memcpy(bid->bank_id, bank, n + 1);
    bid->amount_fen = in->amount_fen;
    bid->spread_bps = in->spread_bps;
    *retry = idem_key[0] != '\0' && book_bidding_open(t, s, now_ms, st) != SYND_OK;
    if (*retry)
        return SYND_OK;
    return book_bid_check(t, s, bid, now_ms, st);
}

synd_code syndication_check_headroom(const Synd__V1__GetHeadroomRequest *in, synd_status *st)
{
    size_t n = strlen(in->borrower_code);

    if (n > BOOK_USCC_LEN)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "borrower_code is %zu bytes; a unified social credit code has %d", n,
                               BOOK_USCC_LEN);
    return SYND_OK;
}

synd_code syndication_check_repayment(const Synd__V1__RecordRepaymentRequest *in, synd_status *st)
{
    if (in->amount_fen <= 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "amount_fen must be positive, not %lld",
                               (long long)in->amount_fen);
    return SYND_OK;
}

synd_code syndication_check_watch(const Synd__V1__WatchBooksRequest *f, synd_status *st)
{
    for (size_t i = 0; i < f->n_industry_codes; i++) {
        if (book_industry_check(f->industry_codes[i], st) != SYND_OK)
            return st->code;
    }
    if (f->min_facility_fen < 0 || f->max_facility_fen < 0 || f->min_tenor_months < 0 ||
        f->max_tenor_months < 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT, "filter bounds may not be negative");
    return SYND_OK;
}

int syndication_id_ok(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n >= REGISTRY_MAX_ID)
        return 0;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

synd_code syndication_check_bank(const Synd__V1__Bank *in, synd_status *st)
{
    if (!syndication_id_ok(in->bank_id) || in->net_capital_fen < 0 || in->tier1_capital_fen < 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "bank_id must be 1-%d characters of [A-Za-z0-9_-] and capital "
                               "figures non-negative fen",
                               REGISTRY_MAX_ID - 1);
    return SYND_OK;
}

synd_code syndication_check_borrower(const Synd__V1__Borrower *in, synd_status *st)
{
    const char *group = in->group_id[0] ? in->group_id : in->code;

    if (book_uscc_check(in->code, st) != SYND_OK)
        return st->code;
    if (!syndication_id_ok(group) || in->joint_limit_fen < 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "group_id must be 1-%d characters of [A-Za-z0-9_-] and "
                               "joint_limit_fen non-negative",
                               REGISTRY_MAX_ID - 1);
    return SYND_OK;
}
