/* Allocation at the close.
 *
 * The rules, in the order they apply (DESIGN.md "Allocation at the close",
 * with the choices it leaves to the code marked "our rule"):
 *
 * 1. Leads first. Each lead's hold is placed as committed. A lead whose
 *    headroom is below its hold fails the book: nobody is ever placed
 *    above its headroom.
 *
 * 2. Caps. A participant never gets more than the least of its bid, its
 *    headroom (rounded down to the unit) and the single-bank cap (70% of
 *    the facility, rounded down to the unit).
 *
 * 3. Pro-rata (the default). The participants share facility minus the
 *    leads' holds. Every bid is scaled by one ratio and rounded down to
 *    the unit; the units left over go one each by largest remainder, ties
 *    to the earlier bid (lower sequence number), then to the lower bank id.
 *    A bid whose scaled amount passes its cap is held at the cap and the
 *    ratio of the others grows to take up the difference.
 *
 * 4. Price priority. Bids are filled from the lowest spread up, each at its
 *    cap, until the amount runs out; the bids at the spread where it runs
 *    out share what is left pro-rata as in 3. Bids above that spread get
 *    nothing.
 *
 * 5. Our rule for shares below the minimum ticket. A participant whose cap
 *    is below the minimum ticket takes no part from the start. Then, while
 *    some bid the method reached has a share below the minimum ticket
 *    (zero included), the smallest such share is dropped to zero: on equal
 *    shares the later bid goes first, then the higher bank id, which is the
 *    tie-break of 3 turned around. The dropped bid leaves the book and the
 *    method runs again from the start without it, so what it freed is
 *    handed out again by the same procedure. Each round drops one bid, so
 *    this ends. Every participant's final share is zero or at least the
 *    minimum ticket.
 *
 * 6. Shortfall. If the participants' shares fall short of facility minus
 *    the leads' holds:
 *    - UNDERWRITTEN: the leads take the shortfall, split pro-rata to their
 *      holds as in 3 (ties by their order in the terms, then bank id), each
 *      within its headroom and the single-bank cap (our rule for co-leads).
 *      If they cannot take all of it, the book fails.
 *    - BEST_EFFORTS: the facility shrinks to the leads' holds plus what was
 *      raised. If that is below the borrower's minimum, the book fails.
 *
 * 7. The final check. The final split must keep every rule a book opens
 *    under, on the final facility: lead holds (15% sole, 10% each
 *    co-lead), 30% to banks other than the leads, nobody above 70%. A
 *    shrunken best-efforts facility can break them; the book then fails
 *    rather than being reshaped.
 *
 * 8. The clearing spread (our rule for pro-rata too). A syndicated loan
 *    pays every lender one rate, so every lender gets the highest spread
 *    among the bids given a share: under price priority that is the
 *    clearing spread of 4; under pro-rata every allocated participant
 *    asked for that spread or less. With no participant allocated it is
 *    the cap of the price talk.
 *
 * Determinism. Bids are put in bank-id order before anything else and every
 * tie is broken by a total order, so the result does not depend on the
 * order the bids come in. All arithmetic is in whole units with exact
 * 128-bit intermediates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/allocate.h"
#include "book/internal.h"

/* One participant's bid during the allocation. */
typedef struct part {
    book_pr_item pr; /* weight: the bid in units; cap: per rule 2; share */
    const book_bid *bid;
    bool active;  /* still in the book (not dropped under rule 5) */
    bool reached; /* the method got to it in this round */
    bool dropped; /* dropped under rule 5 */
} part;

/* The allocation in progress. Amounts ending in _u are in units. */
typedef struct alloc {
    const book_rules *r;
    const book_terms *t;
    int64_t unit;
    int64_t facility_u, target_u, min_ticket_u, bank_max_u;
    part *parts; /* by bank id */
    size_t n;
    part **order;     /* scratch for price priority */
    book_pr_item **v; /* scratch for book_prorata() */
    book_share *shares;
    book_pr_item leads[BOOK_MAX_LEADS]; /* share: a lead's part of the shortfall */
    int64_t lead_headroom[BOOK_MAX_LEADS];
    int64_t raised_u, shortfall_u, final_u;
} alloc;

const char *book_outcome_name(book_outcome o)
{
    switch (o) {
    case BOOK_OUTCOME_ALLOCATED:
        return "ALLOCATED";
    case BOOK_OUTCOME_FAILED:
        return "FAILED";
    }
    return "?";
}

void book_allocation_free(book_allocation *a)
{
    free(a->shares);
    a->shares = NULL;
    a->n_shares = 0;
}

/* The input contract: sound rules and terms, and each bid one the book
 * would have taken. A breach is the caller's bug, so it is reported as
 * INVALID_ARGUMENT whatever the bid check would have said. */
static synd_code check_input(const book_alloc_input *in, synd_status *st)
{
    synd_code rc;

    if ((rc = book_rules_check(in->rules, st)) ||
        (rc = book_terms_check_static(in->rules, in->terms, st)))
        return rc;
    if (in->n_bids > BOOK_MAX_BIDS || (in->n_bids > 0 && in->bids == NULL))
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "an allocation takes 0 to %d bids, not %zu (rule: bids per book)",
                               BOOK_MAX_BIDS, in->n_bids);
    for (size_t i = 0; i < in->n_bids; i++) {
        if (book_bid_check_terms(in->terms, &in->bids[i], st) != SYND_OK) {
            st->code = SYND_INVALID_ARGUMENT;
            return st->code;
        }
    }
    return SYND_OK;
}

/* Headroom in whole units: what is left of a partial unit cannot be lent
 * in this book, and a negative figure means none. */
static int64_t headroom_units(int64_t fen, int64_t unit)
{
    return fen <= 0 ? 0 : fen / unit;
}

/* The smaller amount: caps are the least of several limits. */
static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The canonical order of the bids, which makes the result independent of
 * the order they came in; ids are unique, so the order is total. */
static int by_bank_id(const void *a, const void *b)
{
    return strcmp(((const part *)a)->bid->bank_id, ((const part *)b)->bid->bank_id);
}

/* Sets up one participant per bid, capped per rule 2 and out from the
 * start if its cap is below the minimum ticket (rule 5). */
static void init_parts(alloc *a, const book_alloc_input *in)
{
    for (size_t i = 0; i < a->n; i++) {
        part *p = &a->parts[i];
        p->bid = &in->bids[i];
        int64_t room = in->bid_headroom != NULL ? in->bid_headroom[i] : INT64_MAX;
        p->pr.weight = p->bid->amount_fen / a->unit;
        p->pr.cap = min64(min64(p->pr.weight, headroom_units(room, a->unit)), a->bank_max_u);
        p->pr.seq = p->bid->seq;
        p->pr.id = p->bid->bank_id;
        p->active = p->pr.cap >= a->min_ticket_u;
        p->dropped = !p->active;
    }
    qsort(a->parts, a->n, sizeof(*a->parts), by_bank_id);
}

/* One live bid per bank: two would let a bank double its pro-rata weight. */
static synd_code check_unique(const alloc *a, synd_status *st)
{
    for (size_t i = 1; i < a->n; i++) {
        if (strcmp(a->parts[i - 1].bid->bank_id, a->parts[i].bid->bank_id) == 0)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "bank %s has two live bids; a bank has one per book (rule: "
                                   "one bid per bank)",
                                   a->parts[i].bid->bank_id);
    }
    return SYND_OK;
}

/* Frees the working memory; the shares array goes with it unless the
 * result took it. */
static void alloc_free(alloc *a)
{
    free(a->parts);
    free(a->order);
    free(a->v);
    free(a->shares);
}

/* Fixes the amounts in units and takes all memory up front, so that the
 * allocation itself cannot fail for want of it. */
static synd_code alloc_init(alloc *a, const book_alloc_input *in, synd_status *st)
{
    const book_terms *t = in->terms;
    size_t nv = in->n_bids > BOOK_MAX_LEADS ? in->n_bids : BOOK_MAX_LEADS;

    memset(a, 0, sizeof(*a));
    a->r = in->rules;
    a->t = t;
    a->unit = t->unit_fen;
    a->facility_u = t->facility_fen / a->unit;
    a->target_u = (t->facility_fen - book_leads_total(t)) / a->unit;
    a->min_ticket_u = t->min_ticket_fen / a->unit;
    a->bank_max_u = (int64_t)((book_i128)a->facility_u * a->r->single_bank_max_bps / BOOK_BPS);
    a->n = in->n_bids;
    a->parts = calloc(a->n + 1, sizeof(*a->parts));
    a->order = calloc(a->n + 1, sizeof(*a->order));
    a->v = calloc(nv, sizeof(*a->v));
    a->shares = calloc(a->n + t->n_leads, sizeof(*a->shares));
    if (a->parts == NULL || a->order == NULL || a->v == NULL || a->shares == NULL) {
        alloc_free(a);
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory allocating a book");
    }
    for (size_t j = 0; j < t->n_leads; j++)
        a->lead_headroom[j] = in->lead_headroom != NULL ? in->lead_headroom[j] : INT64_MAX;
    init_parts(a, in);
    synd_code rc = check_unique(a, st);
    if (rc != SYND_OK)
        alloc_free(a);
    return rc;
}

/* Rule 1: a lead must have the headroom for its own hold. */
static synd_code check_lead_headroom(const alloc *a, synd_status *st)
{
    for (size_t j = 0; j < a->t->n_leads; j++) {
        const book_lead *l = &a->t->leads[j];
        int64_t h = a->lead_headroom[j] < 0 ? 0 : a->lead_headroom[j];
        if (h < l->hold_fen)
            return synd_status_set(st, SYND_FAILED_PRECONDITION,
                                   "lead %s's headroom of %s is below its hold of %s (rule: "
                                   "exposure headroom)",
                                   l->bank_id, book_money(h).s, book_money(l->hold_fen).s);
    }
    return SYND_OK;
}

/* Rule 3: one pro-rata split among every active bid. */
static void prorata_round(alloc *a)
{
    size_t m = 0;

    for (size_t i = 0; i < a->n; i++) {
        if (a->parts[i].active) {
            a->parts[i].reached = true;
            a->v[m++] = &a->parts[i].pr;
        }
    }
    book_prorata(a->v, m, a->target_u);
}

/* Lowest spread first; the rest only makes the order total. */
static int by_spread(const void *a, const void *b)
{
    const part *x = *(part *const *)a;
    const part *y = *(part *const *)b;

    if (x->bid->spread_bps != y->bid->spread_bps)
        return x->bid->spread_bps < y->bid->spread_bps ? -1 : 1;
    if (x->pr.seq != y->pr.seq)
        return x->pr.seq < y->pr.seq ? -1 : 1;
    return strcmp(x->pr.id, y->pr.id);
}

/* Rule 4: fill spread by spread from the lowest; book_prorata() gives a
 * group that fits its caps and splits the group where the amount runs out. */
static void price_round(alloc *a)
{
    size_t m = 0;
    int64_t left = a->target_u;

    for (size_t i = 0; i < a->n; i++) {
        if (a->parts[i].active)
            a->order[m++] = &a->parts[i];
    }
    qsort(a->order, m, sizeof(*a->order), by_spread);
    for (size_t i = 0, j; i < m && left > 0; i = j) {
        size_t g = 0;
        for (j = i; j < m && a->order[j]->bid->spread_bps == a->order[i]->bid->spread_bps; j++) {
            a->order[j]->reached = true;
            a->v[g++] = &a->order[j]->pr;
        }
        left -= book_prorata(a->v, g, left);
    }
}

/* Whether p's share is dropped before q's under rule 5: the smaller share,
 * then the later bid, then the higher bank id. */
static bool drops_before(const part *p, const part *q)
{
    if (p->pr.share != q->pr.share)
        return p->pr.share < q->pr.share;
    if (p->pr.seq != q->pr.seq)
        return p->pr.seq > q->pr.seq;
    return strcmp(p->pr.id, q->pr.id) > 0;
}

/* The bid rule 5 drops next, or NULL if every share reached is at least
 * the minimum ticket. */
static part *next_drop(alloc *a)
{
    part *victim = NULL;

    for (size_t i = 0; i < a->n; i++) {
        part *p = &a->parts[i];
        if (p->active && p->reached && p->pr.share < a->min_ticket_u &&
            (victim == NULL || drops_before(p, victim)))
            victim = p;
    }
    return victim;
}

/* Rules 3 to 5: runs the book's method, dropping one share below the
 * minimum ticket per round until none is left. Sets raised_u. */
static void place_participants(alloc *a)
{
    for (;;) {
        for (size_t i = 0; i < a->n; i++) {
            a->parts[i].pr.share = 0;
            a->parts[i].reached = false;
        }
        if (a->t->method == BOOK_PRICE_PRIORITY)
            price_round(a);
        else
            prorata_round(a);
        part *victim = next_drop(a);
        if (victim == NULL)
            break;
        victim->active = false;
        victim->dropped = true;
    }
    a->raised_u = 0;
    for (size_t i = 0; i < a->n; i++)
        a->raised_u += a->parts[i].pr.share; /* at most target_u */
}

/* Rule 6, underwritten: the leads split the shortfall pro-rata to their
 * holds, each within its headroom and the single-bank cap. */
static synd_code underwrite(alloc *a, synd_status *st)
{
    size_t n = a->t->n_leads;

    for (size_t j = 0; j < n; j++) {
        book_pr_item *l = &a->leads[j];
        l->weight = a->t->leads[j].hold_fen / a->unit;
        int64_t room = min64(headroom_units(a->lead_headroom[j], a->unit), a->bank_max_u);
        l->cap = room > l->weight ? room - l->weight : 0;
        l->seq = j;
        l->id = a->t->leads[j].bank_id;
        a->v[j] = l;
    }
    int64_t got = book_prorata(a->v, n, a->shortfall_u);
    if (got < a->shortfall_u)
        return synd_status_set(st, SYND_FAILED_PRECONDITION,
                               "the participants left a shortfall of %s and the leads can take "
                               "only %s of it within their headroom and the %s single-bank cap "
                               "(rule: underwritten shortfall)",
                               book_money(a->shortfall_u * a->unit).s, book_money(got * a->unit).s,
                               book_bps_pct(a->r->single_bank_max_bps).s);
    return SYND_OK;
}

/* Rule 6, best efforts: the facility shrinks to what was raised, if the
 * borrower still takes it. */
static synd_code shrink(alloc *a, synd_status *st)
{
    a->final_u = a->facility_u - a->shortfall_u;
    if (a->final_u * a->unit < a->t->borrower_min_fen)
        return synd_status_set(st, SYND_FAILED_PRECONDITION,
                               "the book raised a facility of %s, below the borrower's minimum "
                               "of %s (rule: best-efforts minimum)",
                               book_money(a->final_u * a->unit).s,
                               book_money(a->t->borrower_min_fen).s);
    return SYND_OK;
}

/* Rule 7: every share rule on the final facility, failing the book rather
 * than letting a broken split through. */
static synd_code check_final(const alloc *a, synd_status *st)
{
    int64_t f = a->final_u * a->unit, leads = 0;
    size_t n = a->t->n_leads;
    synd_code rc;

    for (size_t j = 0; j < n; j++) {
        int64_t amount = a->t->leads[j].hold_fen + a->leads[j].share * a->unit;
        leads += amount;
        if ((rc = book_rule_lead_hold(a->r, f, n, a->t->leads[j].bank_id, amount,
                                      SYND_FAILED_PRECONDITION, st)))
            return rc;
    }
    if ((rc = book_rule_others(a->r, f, leads, SYND_FAILED_PRECONDITION, st)))
        return rc;
    for (size_t i = 0; i < a->n; i++) {
        if ((rc = book_rule_bank_cap(a->r, f, a->parts[i].bid->bank_id,
                                     a->parts[i].pr.share * a->unit, SYND_FAILED_PRECONDITION, st)))
            return rc;
    }
    return SYND_OK;
}

/* Rules 1 to 7 in order. Returns SYND_OK if the book is allocated, or
 * SYND_FAILED_PRECONDITION with the reason it fails. */
static synd_code run(alloc *a, synd_status *st)
{
    synd_code rc = check_lead_headroom(a, st);

    if (rc != SYND_OK)
        return rc;
    place_participants(a);
    a->shortfall_u = a->target_u - a->raised_u;
    a->final_u = a->facility_u;
    if (a->shortfall_u > 0) {
        rc = a->t->shortfall == BOOK_UNDERWRITTEN ? underwrite(a, st) : shrink(a, st);
        if (rc != SYND_OK)
            return rc;
    }
    synd_status why;
    if (check_final(a, &why) != SYND_OK)
        return synd_status_set(st, SYND_FAILED_PRECONDITION, "with a final facility of %s, %s",
                               book_money(a->final_u * a->unit).s, why.message);
    return SYND_OK;
}

/* Rule 8: the highest spread among the participants given a share. */
static int32_t clearing_spread(const alloc *a)
{
    int32_t best = a->t->spread_cap_bps;
    bool any = false;

    for (size_t i = 0; i < a->n; i++) {
        const part *p = &a->parts[i];
        if (p->pr.share > 0 && (!any || p->bid->spread_bps > best)) {
            best = p->bid->spread_bps;
            any = true;
        }
    }
    return best;
}

/* Writes the result; a failed book gives everyone zero. Moves the shares
 * array from a to out. */
static void write_result(alloc *a, bool ok, const char *reason, book_allocation *out)
{
    size_t nl = a->t->n_leads;

    for (size_t j = 0; j < nl; j++) {
        book_share *s = &a->shares[j];
        memcpy(s->bank_id, a->t->leads[j].bank_id, BOOK_MAX_ID);
        s->lead = true;
        s->asked_fen = a->t->leads[j].hold_fen;
        s->seq = j;
        s->underwritten_fen = ok ? a->leads[j].share * a->unit : 0;
        s->alloc_fen = ok ? s->asked_fen + s->underwritten_fen : 0;
    }
    for (size_t i = 0; i < a->n; i++) {
        book_share *s = &a->shares[nl + i];
        const part *p = &a->parts[i];
        memcpy(s->bank_id, p->bid->bank_id, BOOK_MAX_ID);
        s->asked_fen = p->bid->amount_fen;
        s->spread_bps = p->bid->spread_bps;
        s->seq = p->bid->seq;
        s->alloc_fen = ok ? p->pr.share * a->unit : 0;
        s->dropped = p->dropped;
    }
    out->outcome = ok ? BOOK_OUTCOME_ALLOCATED : BOOK_OUTCOME_FAILED;
    out->facility_fen = ok ? a->final_u * a->unit : 0;
    out->clearing_spread_bps = ok ? clearing_spread(a) : 0;
    out->shortfall_fen = a->shortfall_u * a->unit;
    out->n_shares = nl + a->n;
    out->shares = a->shares;
    a->shares = NULL;
    snprintf(out->reason, sizeof(out->reason), "%s", ok ? "" : reason);
}

synd_code book_allocate(const book_alloc_input *in, book_allocation *out, synd_status *st)
{
    alloc a;
    synd_status why = {0};
    synd_code rc;

    memset(out, 0, sizeof(*out));
    if ((rc = check_input(in, st)) || (rc = alloc_init(&a, in, st)))
        return rc;
    bool ok = run(&a, &why) == SYND_OK;
    write_result(&a, ok, why.message, out);
    alloc_free(&a);
    st->code = SYND_OK;
    st->message[0] = '\0';
    return SYND_OK;
}

synd_code book_allocation_fail(const book_alloc_input *in, const char *reason,
                               book_allocation *out, synd_status *st)
{
    alloc a;
    synd_code rc;

    memset(out, 0, sizeof(*out));
    if ((rc = check_input(in, st)) || (rc = alloc_init(&a, in, st)))
        return rc;
    write_result(&a, false, reason, out);
    alloc_free(&a);
    st->code = SYND_OK;
    st->message[0] = '\0';
    return SYND_OK;
}
