/* Randomized property test of the allocation: many generated books, each
 * checked for the invariants every result must keep, and recomputed from
 * its bids in another order to the same result. The seed is fixed, so a
 * failure names a book that can be regenerated. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "book/allocate.h"
#include "fixture.h"

#define N_BOOKS  20000
#define MAX_BIDS 40
#define SEED     0x5eed5eedcafef00dULL

__extension__ typedef __int128 i128;

static uint64_t rng = SEED;

/* xorshift64*: small, fast, and the same on every platform. */
static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

/* A uniform-enough integer in [lo, hi]. */
static int64_t between(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1));
}

/* One generated book with its bids and headroom. */
typedef struct gen {
    book_rules r;
    book_terms t;
    book_bid bids[MAX_BIDS];
    int64_t room[MAX_BIDS];
    int64_t lead_room[BOOK_MAX_LEADS];
    size_t n;
    bool has_room, has_lead_room;
} gen;

/* Splits a budget of extra units over the leads above their minimum, each
 * taking a random part of what is left. */
static void gen_leads(book_terms *t, int64_t fu)
{
    t->n_leads = (size_t)between(1, 3);
    int64_t min = t->n_leads == 1 ? (fu * 1500 + 9999) / 10000 : (fu * 1000 + 9999) / 10000;
    int64_t budget = fu * 7000 / 10000 - (int64_t)t->n_leads * min;

    for (size_t i = 0; i < t->n_leads; i++) {
        int64_t extra = between(0, budget / (int64_t)between(1, 4));
        budget -= extra;
        snprintf(t->leads[i].bank_id, BOOK_MAX_ID, "L%zu", i);
        t->leads[i].hold_fen = (min + extra) * t->unit_fen;
    }
}

/* Valid terms of every shape: units from a fen to ¥500,000, facilities of
 * 10 to 5,000 units, 1 to 3 leads, any method and shortfall rule. */
static void gen_terms(gen *g)
{
    static const int64_t units[] = {1, 100, 10000, 1000000, 50000000};
    book_terms *t = &g->t;
    synd_status st = {0};

    fx_terms(t);
    t->unit_fen = units[between(0, 4)];
    int64_t fu = between(10, 5000);
    t->facility_fen = fu * t->unit_fen;
    gen_leads(t, fu);
    t->fees[2].fen = between(1, t->facility_fen); /* the agency fee fits any facility */
    t->min_ticket_fen = between(1, fu / between(2, 40) + 1) * t->unit_fen;
    t->spread_floor_bps = (int32_t)between(-50, 100);
    t->spread_cap_bps = t->spread_floor_bps + (int32_t)between(0, 100);
    t->method = between(0, 1) ? BOOK_PRICE_PRIORITY : BOOK_PRO_RATA;
    t->shortfall = between(0, 1) ? BOOK_BEST_EFFORTS : BOOK_UNDERWRITTEN;
    t->borrower_min_fen = t->shortfall == BOOK_BEST_EFFORTS ? between(1, fu) * t->unit_fen : 0;
    cr_assert_eq(book_terms_check(&g->r, t, NOW, &st), SYND_OK, "generated terms: %s", st.message);
}

/* Headroom of one bidder: often unlimited, often tight, sometimes none or
 * negative, and rarely a whole number of units. */
static int64_t gen_room(const book_terms *t, int64_t amount)
{
    switch (between(0, 2)) {
    case 0:
        return INT64_MAX;
    case 1:
        return between(-t->unit_fen, t->facility_fen);
    default:
        return between(0, 2 * amount);
    }
}

/* Bids from distinct banks, sizes skewed toward the small end so that the
 * minimum-ticket rule has work, sequence numbers that sometimes tie. */
static void gen_bids(gen *g)
{
    const book_terms *t = &g->t;
    int64_t fu = t->facility_fen / t->unit_fen, tu = t->min_ticket_fen / t->unit_fen;
    bool taken[100] = {false};

    g->n = (size_t)between(0, between(0, 1) ? 12 : MAX_BIDS);
    g->has_room = between(0, 1);
    for (size_t i = 0; i < g->n; i++) {
        int id;
        do
            id = (int)between(0, 99);
        while (taken[id]);
        taken[id] = true;
        book_bid *b = &g->bids[i];
        snprintf(b->bank_id, BOOK_MAX_ID, "B%02d", id);
        int64_t hi = between(0, 1) ? fu : (tu * 4 + fu / 10 < fu ? tu * 4 + fu / 10 : fu);
        b->amount_fen = between(tu, hi) * t->unit_fen;
        b->spread_bps = (int32_t)between(t->spread_floor_bps, t->spread_cap_bps);
        b->seq = (uint64_t)between(1, 30);
        g->room[i] = gen_room(t, b->amount_fen);
    }
}

/* Lead headroom: usually enough for the hold, sometimes not. */
static void gen_lead_room(gen *g)
{
    g->has_lead_room = between(0, 1);
    for (size_t j = 0; j < g->t.n_leads; j++) {
        int64_t hold = g->t.leads[j].hold_fen;
        g->lead_room[j] =
            between(0, 3) ? between(hold, 2 * g->t.facility_fen) : between(0, g->t.facility_fen);
    }
}

static void allocate(const gen *g, const book_bid *bids, const int64_t *room, book_allocation *out)
{
    book_alloc_input in = {&g->r,
                           &g->t,
                           bids,
                           g->n,
                           g->has_room ? room : NULL,
                           g->has_lead_room ? g->lead_room : NULL};
    synd_status st = {0};

    cr_assert_eq(book_allocate(&in, out, &st), SYND_OK, "book_allocate: %s", st.message);
}

static int64_t room_of(const gen *g, size_t i)
{
    int64_t h = g->has_room ? g->room[i] : INT64_MAX;
    return h < 0 ? 0 : h;
}

static int64_t lead_room_of(const gen *g, size_t j)
{
    int64_t h = g->has_lead_room ? g->lead_room[j] : INT64_MAX;
    return h < 0 ? 0 : h;
}

/* The most bid i may get: its bid, its headroom and 70% of the facility,
 * each rounded down to the unit. */
static int64_t cap_of(const gen *g, size_t i)
{
    int64_t u = g->t.unit_fen, cap = g->bids[i].amount_fen;
    int64_t room = room_of(g, i) / u * u;
    int64_t max = (int64_t)((i128)g->t.facility_fen * 7000 / 10000) / u * u;

    cap = room < cap ? room : cap;
    return max < cap ? max : cap;
}

/* The bid of the bank in share s, by id. */
static size_t bid_index(const gen *g, const book_share *s)
{
    for (size_t i = 0; i < g->n; i++) {
        if (strcmp(g->bids[i].bank_id, s->bank_id) == 0)
            return i;
    }
    cr_assert_fail("share for unknown bank %s", s->bank_id);
    return 0;
}

/* The share rules on the final facility f: lead holds, the others' 30%
 * and nobody above 70%. */
static void check_share_rules(const gen *g, const book_allocation *a, int64_t f)
{
    i128 leads = 0;

    for (size_t k = 0; k < a->n_shares; k++) {
        const book_share *s = &a->shares[k];
        cr_assert((i128)s->alloc_fen * 10000 <= (i128)7000 * f, "%s above 70%%", s->bank_id);
        if (!s->lead)
            continue;
        leads += s->alloc_fen;
        int32_t min = g->t.n_leads == 1 ? 1500 : 1000;
        cr_assert((i128)s->alloc_fen * 10000 >= (i128)min * f, "lead %s below its minimum",
                  s->bank_id);
    }
    cr_assert((f - leads) * 10000 >= (i128)3000 * f, "others below 30%%");
}

/* A lead's line: its hold placed, any extra only from underwriting, within
 * its headroom. */
static void check_lead(const gen *g, const book_share *s, size_t j)
{
    cr_assert_str_eq(s->bank_id, g->t.leads[j].bank_id);
    cr_assert_eq(s->alloc_fen, g->t.leads[j].hold_fen + s->underwritten_fen);
    cr_assert(s->underwritten_fen >= 0);
    cr_assert(s->alloc_fen <= lead_room_of(g, j), "lead %s above its headroom", s->bank_id);
    if (g->t.shortfall == BOOK_BEST_EFFORTS)
        cr_assert_eq(s->underwritten_fen, 0);
}

/* A participant's line: within its bid, headroom and cap; zero or at
 * least the minimum ticket; at most the clearing spread if allocated, and
 * under price priority filled to its cap below the clearing spread. */
static void check_participant(const gen *g, const book_allocation *a, const book_share *s)
{
    size_t i = bid_index(g, s);
    int64_t cap = cap_of(g, i);

    cr_assert(s->alloc_fen <= g->bids[i].amount_fen, "%s above its bid", s->bank_id);
    cr_assert(s->alloc_fen <= room_of(g, i), "%s above its headroom", s->bank_id);
    cr_assert(s->alloc_fen == 0 || s->alloc_fen >= g->t.min_ticket_fen, "%s below the ticket",
              s->bank_id);
    cr_assert(!s->dropped || s->alloc_fen == 0);
    if (s->alloc_fen > 0)
        cr_assert(s->spread_bps <= a->clearing_spread_bps);
    if (g->t.method == BOOK_PRICE_PRIORITY && !s->dropped && s->spread_bps < a->clearing_spread_bps)
        cr_assert_eq(s->alloc_fen, cap, "%s below the clearing spread but not filled", s->bank_id);
}

/* Under pro-rata, two bids neither held at its cap got the same ratio of
 * their bids to within the one unit of rounding each may be off by. */
static void check_same_ratio(const gen *g, const book_allocation *a)
{
    size_t nl = g->t.n_leads;
    int64_t u = g->t.unit_fen;

    for (size_t x = nl; x < a->n_shares; x++) {
        const book_share *p = &a->shares[x];
        if (p->dropped || p->alloc_fen >= cap_of(g, bid_index(g, p)))
            continue;
        for (size_t y = x + 1; y < a->n_shares; y++) {
            const book_share *q = &a->shares[y];
            if (q->dropped || q->alloc_fen >= cap_of(g, bid_index(g, q)))
                continue;
            i128 d = (i128)(p->alloc_fen / u) * (q->asked_fen / u) -
                     (i128)(q->alloc_fen / u) * (p->asked_fen / u);
            i128 bound = p->asked_fen / u + q->asked_fen / u;
            cr_assert(d <= bound && -d <= bound, "%s and %s got different ratios", p->bank_id,
                      q->bank_id);
        }
    }
}

/* Every invariant of one result. */
static void check_result(const gen *g, const book_allocation *a)
{
    cr_assert_eq(a->n_shares, g->t.n_leads + g->n);
    if (a->outcome == BOOK_OUTCOME_FAILED) {
        cr_assert_eq(a->facility_fen, 0);
        cr_assert(a->reason[0] != '\0');
        for (size_t k = 0; k < a->n_shares; k++)
            cr_assert_eq(a->shares[k].alloc_fen, 0);
        return;
    }
    cr_assert_eq(a->outcome, BOOK_OUTCOME_ALLOCATED);
    int64_t sum = 0;
    for (size_t k = 0; k < a->n_shares; k++) {
        const book_share *s = &a->shares[k];
        cr_assert(!__builtin_add_overflow(sum, s->alloc_fen, &sum));
        cr_assert(s->alloc_fen >= 0 && s->alloc_fen % g->t.unit_fen == 0);
        if (k < g->t.n_leads)
            check_lead(g, s, k);
        else
            check_participant(g, a, s);
    }
    cr_assert_eq(sum, a->facility_fen, "allocated %lld of %lld", (long long)sum,
                 (long long)a->facility_fen);
    cr_assert(a->facility_fen <= g->t.facility_fen);
    if (g->t.shortfall == BOOK_UNDERWRITTEN)
        cr_assert_eq(a->facility_fen, g->t.facility_fen);
    else
        cr_assert(a->facility_fen >= g->t.borrower_min_fen);
    check_share_rules(g, a, a->facility_fen);
    if (g->t.method == BOOK_PRO_RATA)
        check_same_ratio(g, a);
}

/* The whole result, field by field. */
static void check_same(const book_allocation *a, const book_allocation *b)
{
    cr_assert_eq(a->outcome, b->outcome);
    cr_assert_eq(a->facility_fen, b->facility_fen);
    cr_assert_eq(a->clearing_spread_bps, b->clearing_spread_bps);
    cr_assert_eq(a->shortfall_fen, b->shortfall_fen);
    cr_assert_str_eq(a->reason, b->reason);
    cr_assert_eq(a->n_shares, b->n_shares);
    for (size_t k = 0; k < a->n_shares; k++) {
        const book_share *x = &a->shares[k], *y = &b->shares[k];
        cr_assert_str_eq(x->bank_id, y->bank_id);
        cr_assert(x->lead == y->lead && x->dropped == y->dropped);
        cr_assert(x->alloc_fen == y->alloc_fen && x->underwritten_fen == y->underwritten_fen);
        cr_assert(x->asked_fen == y->asked_fen && x->spread_bps == y->spread_bps &&
                  x->seq == y->seq);
    }
}

/* The same bids in a shuffled order, headroom kept with its bid. */
static void shuffled(const gen *g, book_bid *bids, int64_t *room)
{
    memcpy(bids, g->bids, g->n * sizeof(*bids));
    memcpy(room, g->room, g->n * sizeof(*room));
    for (size_t i = g->n; i > 1; i--) {
        size_t j = (size_t)between(0, (int64_t)i - 1);
        book_bid tb = bids[i - 1];
        bids[i - 1] = bids[j];
        bids[j] = tb;
        int64_t tr = room[i - 1];
        room[i - 1] = room[j];
        room[j] = tr;
    }
}

Test(property, random_books)
{
    static gen g;
    size_t allocated = 0, shrunk = 0, underwritten = 0, dropped = 0;

    g.r = book_rules_default();
    for (int k = 0; k < N_BOOKS; k++) {
        book_allocation a, b;
        book_bid bids[MAX_BIDS];
        int64_t room[MAX_BIDS];

        gen_terms(&g);
        gen_bids(&g);
        gen_lead_room(&g);
        allocate(&g, g.bids, g.room, &a);
        check_result(&g, &a);
        shuffled(&g, bids, room);
        allocate(&g, bids, room, &b);
        check_same(&a, &b);

        allocated += a.outcome == BOOK_OUTCOME_ALLOCATED;
        shrunk += a.outcome == BOOK_OUTCOME_ALLOCATED && a.facility_fen < g.t.facility_fen;
        underwritten += a.outcome == BOOK_OUTCOME_ALLOCATED && g.t.shortfall == BOOK_UNDERWRITTEN &&
                        a.shortfall_fen > 0;
        for (size_t i = 0; i < a.n_shares; i++)
            dropped += a.shares[i].dropped;
        book_allocation_free(&a);
        book_allocation_free(&b);
    }
    cr_log_info("%d books: %zu allocated (%zu shrunk, %zu underwritten), %zu bids dropped", N_BOOKS,
                allocated, shrunk, underwritten, dropped);
    /* The generator must reach every path, not just the easy one. */
    cr_assert(allocated > N_BOOKS / 5 && allocated < N_BOOKS);
    cr_assert(shrunk > 100 && underwritten > 100 && dropped > 100);
}
