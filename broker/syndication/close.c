/* Closing books: by the lead or the clock, allocation within the banks'
 * limits, settlement in Redis, cancellation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/allocate.h"
#include "book/bid.h"
#include "log.h"
#include "rpc/envelope.h"
#include "supervise/limits.h"
#include "syndication/convert.h"
#include "supervise/audit.h"
#include "supervise/events.h"
#include "syndication/internal.h"

/* --- closing and allocation --------------------------------------------- */

/* Tells each bidder of b that the book ended, by kind (CLOSED or
 * CANCELLED). */
static void tell_bidders(syndication *s, const catalog_book *b, const ledger_book *lb,
                         Synd__V1__BookEvent__Kind kind)
{
    Synd__V1__BookEvent ev = SYND__V1__BOOK_EVENT__INIT;
    Synd__V1__Book book;

    catalog_wire_book(b, &book);
    ev.kind = kind;
    ev.book = &book;
    for (size_t i = 0; i < lb->n_bids; i++)
        watch_send_bank(s->w, lb->bids[i].bank_id, &ev);
}

/* Sends each bank its own line of the allocation, and the leads the
 * whole of it: no stream carries another bank's share. */
static void tell_allocation(syndication *s, const catalog_book *b, Synd__V1__Allocation *all)
{
    Synd__V1__BookEvent ev = SYND__V1__BOOK_EVENT__INIT;
    Synd__V1__Allocation own = *all;
    Synd__V1__Book book;

    catalog_wire_book(b, &book);
    ev.kind = SYND__V1__BOOK_EVENT__KIND__ALLOCATED;
    ev.book = &book;
    for (size_t i = 0; i < all->n_shares; i++) {
        if (all->shares[i]->lead)
            continue;
        own.n_shares = 1;
        own.shares = &all->shares[i];
        ev.allocation = &own;
        watch_send_bank(s->w, all->shares[i]->bank_id, &ev);
    }
    ev.allocation = all;
    for (size_t i = 0; i < b->terms.n_leads; i++)
        watch_send_bank(s->w, b->terms.leads[i].bank_id, &ev);
}

/* Leaves the book for the clock to retry, and tells the lead if it asked. */
static void close_failed(op *o, synd_code code, const char *message)
{
    o->book->busy = 0;
    o->book->next_try_ms = rpc_now_ms() + 1000;
    log_warn("book %s: close or settlement failed, will retry: %s", o->book->id, message);
    if (o->call)
        rpc_call_finish(o->call, code, "%s", message);
    syndication_op_free(o);
}

/* Settlements refused because another book's reservation moved a limit
 * are recomputed with the real headroom this many times; after that the
 * book stays CLOSED and the clock retries it. */
#define MAX_SETTLE_TRIES 3

/* The wire form of o->alloc, for the reply, the events and the record. */
typedef struct wire_alloc {
    Synd__V1__Share *shares;
    Synd__V1__Share **ptrs;
    Synd__V1__Allocation msg;
} wire_alloc;

static int wire_alloc_make(op *o, wire_alloc *w)
{
    memset(w, 0, sizeof(*w));
    w->shares = calloc(o->alloc.n_shares + 1, sizeof(*w->shares));
    w->ptrs = calloc(o->alloc.n_shares + 1, sizeof(*w->ptrs));
    if (w->shares == NULL || w->ptrs == NULL)
        return -1;
    convert_allocation(o->book->id, &o->alloc, w->shares, w->ptrs, &w->msg);
    return 0;
}

static void wire_alloc_free(wire_alloc *w)
{
    free(w->shares);
    free(w->ptrs);
}

/* The index of bank among the closing book's banks, or -1. */
static int bank_index(const op *o, const char *bank)
{
    for (size_t i = 0; i < o->n_banks; i++) {
        if (strcmp(o->banks[i], bank) == 0)
            return (int)i;
    }
    return -1;
}

static void emit(syndication *s, Synd__V1__SupervisionEvent *ev)
{
    events_emit(s->ev, ev);
}

/* Tells supervisors of each exposure the settlement created and of the
 * thresholds it crossed: a large exposure per bank, and the borrower's
 * warning line once. */
static void report_exposures(op *o)
{
    const catalog_book *b = o->book;
    int warned = 0;

    for (size_t i = 0; i < o->alloc.n_shares; i++) {
        const book_share *sh = &o->alloc.shares[i];
        int k = bank_index(o, sh->bank_id);
        Synd__V1__SupervisionEvent ev = SYND__V1__SUPERVISION_EVENT__INIT;
        limit_position after;
        limit_alert alerts[LIMIT_MAX_ALERTS];
        size_t n;

        if (sh->alloc_fen == 0 || k < 0)
            continue;
        after = o->before[k];
        after.bank_borrower_fen += sh->alloc_fen;
        after.bank_group_fen += sh->alloc_fen;
        after.borrower_total_fen += o->alloc.facility_fen;
        ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__EXPOSURE_CHANGE;
        ev.bank_id = (char *)sh->bank_id;
        ev.borrower_code = (char *)b->terms.borrower;
        ev.group_id = (char *)b->group;
        ev.book_id = (char *)b->id;
        ev.exposure_fen = after.bank_borrower_fen;
        ev.delta_fen = sh->alloc_fen;
        emit(o->s, &ev);
        n = limit_alerts(&o->s->limits, &o->bank_caps[k], &o->before[k], &after, alerts);
        for (size_t a = 0; a < n; a++) {
            if (alerts[a].kind == LIMIT_ALERT_WARNING_LINE && warned++)
                continue;
            ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__ALERT;
            ev.exposure_fen = alerts[a].exposure_fen;
            ev.threshold_fen = alerts[a].threshold_fen;
            ev.limit_fen = alerts[a].base_fen;
            ev.rule = alerts[a].rule;
            ev.delta_fen = 0;
            emit(o->s, &ev);
        }
    }
}

static void read_limits(op *o);

static void on_settled(void *arg, const ledger_result *r)
{
    op *o = arg;
    catalog_book *b = o->book;
    wire_alloc w;

    if (r->code == SYND_ABORTED && ++o->tries < MAX_SETTLE_TRIES) {
        log_info("book %s: %s; recomputing with the real headroom", b->id, r->message);
        read_limits(o);
        return;
    }
    if (r->code != SYND_OK) {
        close_failed(o, r->code, r->message);
        return;
    }
    b->state = r->book->state;
    b->busy = 0;
    if (wire_alloc_make(o, &w) != 0) {
        log_error("book %s settled, but out of memory reporting it", b->id);
        if (o->call)
            rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "settled; out of memory replying");
    } else {
        log_info("book %s %s: facility %lld fen, clearing spread %d bps%s%s", b->id,
                 book_state_name(b->state), (long long)w.msg.facility_fen,
                 w.msg.clearing_spread_bps, w.msg.reason[0] ? "; " : "", w.msg.reason);
        if (o->call == NULL)
            audit_system(o->s->au, "SettleBook", b->id, SYND_OK, book_state_name(b->state));
        report_exposures(o);
        tell_allocation(o->s, b, &w.msg);
        if (o->call)
            rpc_call_reply(o->call, &w.msg.base);
    }
    wire_alloc_free(&w);
    syndication_op_free(o);
}

/* Sends the allocation to Redis to be reserved, each share with the caps
 * the reservation must keep. */
static void send_settlement(op *o)
{
    catalog_book *b = o->book;
    ledger_share *lines = calloc(o->alloc.n_shares + 1, sizeof(*lines));
    uint8_t *blob = NULL;
    size_t len = 0;
    wire_alloc w = {0};
    int rc = -1;

    if (lines != NULL && wire_alloc_make(o, &w) == 0 &&
        (blob = syndication_pack(&w.msg.base, &len)) != NULL) {
        for (size_t i = 0; i < o->alloc.n_shares; i++) {
            const book_share *sh = &o->alloc.shares[i];
            int k = bank_index(o, sh->bank_id);
            lines[i] =
                (ledger_share){sh->bank_id, sh->alloc_fen, k < 0 ? 0 : o->bank_caps[k].single_fen,
                               k < 0 ? 0 : o->bank_caps[k].group_fen};
        }
        rc = ledger_book_settle(
            o->s->l, b->group, b->id,
            o->alloc.outcome == BOOK_OUTCOME_ALLOCATED ? BOOK_ALLOCATED : BOOK_FAILED, blob, len,
            b->terms.borrower, o->n_banks ? o->before[0].joint_limit_fen : 0, lines,
            o->alloc.n_shares, on_settled, o);
    }
    wire_alloc_free(&w);
    free(lines);
    free(blob);
    if (rc != 0)
        close_failed(o, SYND_UNAVAILABLE, "redis is not available; the book will settle later");
}

/* Whether the whole facility fits under the borrower's joint credit
 * limit; if not, writes why. Each bank's own headroom cannot say this:
 * the limit is shared by all of them. */
static int joint_room(const op *o, char *why, size_t len)
{
    const limit_position *p = &o->before[0];
    int64_t room = p->joint_limit_fen - p->borrower_total_fen;

    if (p->joint_limit_fen <= 0 || o->book->terms.facility_fen <= room)
        return 1;
    snprintf(why, len,
             "the facility of %lld fen is over the %lld fen left under the borrower's joint credit "
             "limit (rule: joint credit limit)",
             (long long)o->book->terms.facility_fen, (long long)(room > 0 ? room : 0));
    return 0;
}

/* Allocates with each bank's headroom under its limits, then settles. */
static void allocate(op *o)
{
    const book_terms *t = &o->book->terms;
    int64_t *head = calloc(o->n_banks + 1, sizeof(*head));
    book_alloc_input in = {o->s->rules, t, o->bids, o->n_bids, head + t->n_leads, head};
    char why[256];
    synd_status st;
    synd_code rc;

    if (head == NULL) {
        close_failed(o, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return;
    }
    for (size_t i = 0; i < o->n_banks; i++)
        head[i] = limit_headroom(&o->bank_caps[i], &o->before[i], NULL);
    book_allocation_free(&o->alloc);
    if (joint_room(o, why, sizeof(why)))
        rc = book_allocate(&in, &o->alloc, &st);
    else
        rc = book_allocation_fail(&in, why, &o->alloc, &st);
    free(head);
    if (rc != SYND_OK)
        close_failed(o, st.code, st.message);
    else
        send_settlement(o);
}

static void on_positions(void *arg, const ledger_result *r)
{
    op *o = arg;
    const ledger_positions *p = r->positions;

    if (r->code != SYND_OK) {
        close_failed(o, r->code, r->message);
        return;
    }
    for (size_t i = 0; i < o->n_banks; i++)
        o->before[i] = (limit_position){p->banks[i].borrower_fen, p->banks[i].group_fen,
                                        p->borrower_total_fen, p->joint_limit_fen};
    allocate(o);
}

/* Each bank's caps come from its capital in the registry; a bank the
 * registry does not know has no headroom. */
static void on_capital(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK) {
        close_failed(o, r->code, r->message);
        return;
    }
    for (size_t i = 0; i < o->n_banks; i++) {
        memset(&o->bank_caps[i], 0, sizeof(o->bank_caps[i]));
        for (size_t j = 0; j < r->n_items; j++) {
            if (strcmp(r->banks[j].bank_id, o->banks[i]) == 0)
                limit_caps_of(&o->s->limits, r->banks[j].net_capital_fen,
                              r->banks[j].tier1_capital_fen, &o->bank_caps[i]);
        }
    }
    if (ledger_positions_get(o->s->l, o->book->group, o->book->terms.borrower, o->banks, o->n_banks,
                             on_positions, o) != 0)
        close_failed(o, SYND_UNAVAILABLE, "redis is not available; the book will settle later");
}

/* Reads what the allocation needs to keep every bank within its limits:
 * capital figures, then positions. Run again after a refused settlement. */
static void read_limits(op *o)
{
    if (ledger_banks_list(o->s->l, on_capital, o) != 0)
        close_failed(o, SYND_UNAVAILABLE, "redis is not available; the book will settle later");
}

/* Keeps the bids the book closed with, and lists its banks: leads first,
 * then bidders. */
static void settle(op *o, const ledger_book *lb)
{
    const book_terms *t = &o->book->terms;

    o->n_bids = lb->n_bids;
    o->n_banks = t->n_leads + lb->n_bids;
    o->bids = calloc(o->n_bids + 1, sizeof(*o->bids));
    o->banks = calloc(o->n_banks + 1, sizeof(*o->banks));
    o->bank_caps = calloc(o->n_banks + 1, sizeof(*o->bank_caps));
    o->before = calloc(o->n_banks + 1, sizeof(*o->before));
    if (o->bids == NULL || o->banks == NULL || o->bank_caps == NULL || o->before == NULL) {
        close_failed(o, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return;
    }
    for (size_t i = 0; i < t->n_leads; i++)
        o->banks[i] = t->leads[i].bank_id;
    for (size_t i = 0; i < lb->n_bids; i++) {
        snprintf(o->bids[i].bank_id, sizeof(o->bids[i].bank_id), "%s", lb->bids[i].bank_id);
        o->bids[i].amount_fen = lb->bids[i].amount_fen;
        o->bids[i].spread_bps = lb->bids[i].spread_bps;
        o->bids[i].seq = lb->bids[i].seq;
        o->banks[t->n_leads + i] = o->bids[i].bank_id;
    }
    read_limits(o);
}

static void on_closed(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK) {
        close_failed(o, r->code, r->message);
        return;
    }
    o->book->state = BOOK_CLOSED;
    log_info("book %s closed with %zu bids", o->book->id, r->book->n_bids);
    if (o->call == NULL)
        audit_system(o->s->au, "CloseBook", o->book->id, SYND_OK, "closed by the clock");
    tell_bidders(o->s, o->book, r->book, SYND__V1__BOOK_EVENT__KIND__CLOSED);
    settle(o, r->book);
}

/* Closes b: by its lead (call set, early) or by the clock. */
void syndication_close(syndication *s, catalog_book *b, rpc_call *call)
{
    op *o = syndication_op_new(s, call, b);

    if (o == NULL) {
        b->busy = 0;
        return;
    }
    if (ledger_book_close(s->l, b->group, b->id, call != NULL, rpc_now_ms(), on_closed, o) != 0)
        close_failed(o, SYND_UNAVAILABLE, "redis is not available; the book will close later");
}

static void on_reread(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK)
        close_failed(o, r->code, r->message);
    else
        settle(o, r->book);
}

/* Settles a book left CLOSED: a settlement that failed, or a broker that
 * stopped between the close and the settlement. */
void syndication_resettle(syndication *s, catalog_book *b)
{
    op *o = syndication_op_new(s, NULL, b);

    if (o == NULL) {
        b->busy = 0;
        return;
    }
    if (ledger_book_get(s->l, b->group, b->id, on_reread, o) != 0)
        close_failed(o, SYND_UNAVAILABLE, "redis is not available");
}

void syndication_close_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                            Synd__V1__Allocation_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    catalog_book *b = syndication_find_book(s, c, in->book_id);

    if (b == NULL || syndication_require_scope(c, b) != 0)
        return;
    if (b->state != BOOK_OPEN) {
        rpc_call_finish(c, SYND_FAILED_PRECONDITION, "book %s is %s, not OPEN (rule: book life)",
                        b->id, book_state_name(b->state));
        return;
    }
    if (syndication_claim(c, b) == 0)
        syndication_close(s, b, c);
}

static void on_cancelled(void *arg, const ledger_result *r)
{
    op *o = arg;
    Synd__V1__Book book;

    o->book->busy = 0;
    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
    } else {
        o->book->state = BOOK_CANCELLED;
        log_info("book %s cancelled by its lead", o->book->id);
        tell_bidders(o->s, o->book, r->book, SYND__V1__BOOK_EVENT__KIND__CANCELLED);
        catalog_wire_book(o->book, &book);
        rpc_call_reply(o->call, &book.base);
    }
    syndication_op_free(o);
}

void syndication_cancel_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                             Synd__V1__Book_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    catalog_book *b = syndication_find_book(s, c, in->book_id);
    op *o;

    if (b == NULL || syndication_require_scope(c, b) != 0 || syndication_claim(c, b) != 0)
        return;
    if ((o = syndication_op_new(s, c, b)) == NULL) {
        b->busy = 0;
        return;
    }
    if (ledger_book_cancel(s->l, b->group, b->id, rpc_now_ms(), on_cancelled, o) != 0) {
        b->busy = 0;
        syndication_unavailable(c);
        syndication_op_free(o);
    }
}
