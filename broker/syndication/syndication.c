/* The Syndication service: handlers, closes and allocation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/allocate.h"
#include "book/bid.h"
#include "log.h"
#include "rpc/envelope.h"
#include "supervise/limits.h"
#include "syndication/convert.h"
#include "syndication/internal.h"

/* One request in flight between a handler and the ledger's answer, or a
 * close the clock started (call is NULL then). */
typedef struct op {
    syndication *s;
    rpc_call *call;
    catalog_book *book;
    Synd__V1__BookTerms *wire; /* OpenBook: the terms to store, owned */
    char group[64];
    char borrower[32];     /* GetHeadroom */
    limit_caps caps;       /* GetHeadroom: the bank's caps */
    book_allocation alloc; /* a close: the allocation being settled */
} op;

static op *op_new(syndication *s, rpc_call *call, catalog_book *book)
{
    op *o = calloc(1, sizeof(*o));

    if (o == NULL) {
        if (call)
            rpc_call_finish(call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return NULL;
    }
    o->s = s;
    o->call = call;
    o->book = book;
    return o;
}

static void op_free(op *o)
{
    if (o->wire)
        synd__v1__book_terms__free_unpacked(o->wire, NULL);
    book_allocation_free(&o->alloc);
    free(o);
}

int syndication_require_role(rpc_call *c, registry_role role, const char *method)
{
    const registry_identity *id = rpc_call_identity(c);

    if (id->role == role)
        return 0;
    rpc_call_finish(c, SYND_PERMISSION_DENIED, "%s needs the %s role; this key is %s %s", method,
                    registry_role_name(role), id->bank_id[0] ? id->bank_id : "anonymous",
                    registry_role_name(id->role));
    return -1;
}

void syndication_unavailable(rpc_call *c)
{
    rpc_call_finish(c, SYND_UNAVAILABLE, "redis is not available; retry later");
}

/* Finds the book a request names, finishing the call if it cannot. */
static catalog_book *find_book(syndication *s, rpc_call *c, const char *id)
{
    catalog_book *b;

    if (!s->ready) {
        rpc_call_finish(c, SYND_UNAVAILABLE, "the broker is still loading its books; retry");
        return NULL;
    }
    b = catalog_find(s->cat, id);
    if (b == NULL)
        rpc_call_finish(c, SYND_NOT_FOUND, "no book '%s'", id);
    return b;
}

/* Whether the caller may see every bid and share of b: its leads and
 * supervisors may; anyone else sees its own only. */
static int sees_all(rpc_call *c, const catalog_book *b)
{
    const registry_identity *id = rpc_call_identity(c);

    return id->role == ROLE_SUPERVISOR ||
           (id->role == ROLE_LEAD && book_lead_index(&b->terms, id->bank_id) >= 0);
}

/* A lead acts only on books it leads. */
static int require_book_lead(rpc_call *c, const catalog_book *b, const char *method)
{
    const registry_identity *id = rpc_call_identity(c);

    if (syndication_require_role(c, ROLE_LEAD, method) != 0)
        return -1;
    if (book_lead_index(&b->terms, id->bank_id) >= 0)
        return 0;
    rpc_call_finish(c, SYND_PERMISSION_DENIED, "%s: bank %s is not a lead of book %s", method,
                    id->bank_id, b->id);
    return -1;
}

/* Claims b for a state change; concurrent changes of one book would race
 * in the catalog even though Redis orders them. */
static int claim(rpc_call *c, catalog_book *b)
{
    if (!b->busy) {
        b->busy = 1;
        return 0;
    }
    rpc_call_finish(c, SYND_ABORTED, "another change to book %s is in progress; retry", b->id);
    return -1;
}

static void wire_bid(const ledger_bid *in, const char *book_id, Synd__V1__Bid *out)
{
    synd__v1__bid__init(out);
    out->book_id = (char *)book_id;
    out->bank_id = (char *)in->bank_id;
    out->amount_fen = in->amount_fen;
    out->spread_bps = in->spread_bps;
    out->seq = in->seq;
    out->submitted_ms = in->submitted_ms;
}

/* Packs a message into a new buffer, or returns NULL. */
static uint8_t *pack(const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);

    if (buf != NULL)
        *len = protobuf_c_message_pack(m, buf);
    return buf;
}

/* --- OpenBook ----------------------------------------------------------- */

static void on_opened(void *arg, const ledger_result *r)
{
    op *o = arg;
    Synd__V1__OpenBookResponse out = SYND__V1__OPEN_BOOK_RESPONSE__INIT;
    Synd__V1__Book book;
    const registry_identity *id = rpc_call_identity(o->call);
    catalog_book *b;
    synd_status st;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        op_free(o);
        return;
    }
    b = catalog_add(o->s->cat, r->id, o->group, id->bank_id, BOOK_OPEN, rpc_now_ms(), o->wire,
                    o->s->rules, &st);
    o->wire = NULL;
    if (b == NULL) {
        log_error("book %s is stored but not indexed: %s", r->id, st.message);
        rpc_call_finish(o->call, SYND_INTERNAL, "book %s stored but not indexed: %s", r->id,
                        st.message);
    } else {
        log_info("book %s opened by %s: %s, %lld fen", b->id, b->lead, b->terms.borrower,
                 (long long)b->terms.facility_fen);
        catalog_wire_book(b, &book);
        out.book = &book;
        rpc_call_reply(o->call, &out.base);
        watch_announce(o->s->w, b, NULL);
    }
    op_free(o);
}

static void on_borrower(void *arg, const ledger_result *r)
{
    op *o = arg;
    const registry_identity *id = rpc_call_identity(o->call);
    uint8_t *blob;
    size_t len;
    int rc;

    if (r->code != SYND_OK) {
        if (r->code == SYND_NOT_FOUND)
            rpc_call_finish(o->call, SYND_FAILED_PRECONDITION,
                            "borrower %s is not in the registry; an operator adds it with "
                            "'syndctl borrower put' (rule: registered borrower)",
                            o->wire->borrower_code);
        else
            rpc_call_finish(o->call, r->code, "%s", r->message);
        op_free(o);
        return;
    }
    snprintf(o->group, sizeof(o->group), "%s", r->borrower->group);
    if ((blob = pack(&o->wire->base, &len)) == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        op_free(o);
        return;
    }
    rc = ledger_book_open(o->s->l, o->group, id->bank_id, o->wire->borrower_code, o->wire->close_ms,
                          rpc_now_ms(), blob, len, on_opened, o);
    free(blob);
    if (rc != 0) {
        syndication_unavailable(o->call);
        op_free(o);
    }
}

/* Checks the terms of a book a lead opens. Returns SYND_OK, or finishes
 * the call. */
static synd_code check_terms(syndication *s, rpc_call *c, Synd__V1__BookTerms *wire)
{
    const registry_identity *id = rpc_call_identity(c);
    book_terms t;
    synd_status st;

    convert_terms_defaults(wire, s->rules);
    if (convert_terms(wire, s->rules, &t, &st) != SYND_OK ||
        book_terms_check(s->rules, &t, rpc_now_ms(), &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return st.code;
    }
    if (book_lead_index(&t, id->bank_id) < 0) {
        rpc_call_finish(c, SYND_PERMISSION_DENIED,
                        "bank %s is not among the book's leads; a lead opens only its own books",
                        id->bank_id);
        return SYND_PERMISSION_DENIED;
    }
    return SYND_OK;
}

static void open_book(Synd__V1__Syndication_Service *svc, const Synd__V1__OpenBookRequest *in,
                      Synd__V1__OpenBookResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    size_t len;
    uint8_t *blob;
    op *o;

    if (syndication_require_role(c, ROLE_LEAD, "OpenBook") != 0)
        return;
    if (!s->ready) {
        rpc_call_finish(c, SYND_UNAVAILABLE, "the broker is still loading its books; retry");
        return;
    }
    if (in->terms == NULL) {
        rpc_call_finish(c, SYND_INVALID_ARGUMENT, "OpenBook needs terms");
        return;
    }
    if ((o = op_new(s, c, NULL)) == NULL)
        return;
    /* A copy the catalog can own; the request dies with this handler. */
    blob = pack(&in->terms->base, &len);
    o->wire = blob ? synd__v1__book_terms__unpack(NULL, len, blob) : NULL;
    free(blob);
    if (o->wire == NULL) {
        rpc_call_finish(c, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        op_free(o);
    } else if (check_terms(s, c, o->wire) != SYND_OK) {
        op_free(o);
    } else if (ledger_borrower_get(s->l, o->wire->borrower_code, on_borrower, o) != 0) {
        syndication_unavailable(c);
        op_free(o);
    }
}

/* --- SubmitBid, WithdrawBid --------------------------------------------- */

static void on_bid(void *arg, const ledger_result *r)
{
    op *o = arg;
    Synd__V1__SubmitBidResponse out = SYND__V1__SUBMIT_BID_RESPONSE__INIT;
    Synd__V1__Bid bid;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
    } else {
        wire_bid(r->bid, o->book->id, &bid);
        out.bid = &bid;
        out.replaced = r->replaced;
        rpc_call_reply(o->call, &out.base);
    }
    op_free(o);
}

/* Checks a bid against the book's terms and window. A retry with an
 * idempotency key goes to the ledger even after the close, because the
 * ledger answers a retry with its first answer before it checks the
 * window itself. Returns SYND_OK, or finishes the call. */
static synd_code check_bid(rpc_call *c, const catalog_book *b, const book_bid *bid)
{
    int64_t now = rpc_now_ms();
    synd_status st;

    if (book_bidding_open(&b->terms, b->state, now, &st) != SYND_OK &&
        rpc_call_idempotency_key(c)[0] != '\0')
        return SYND_OK;
    if (book_bid_check(&b->terms, b->state, bid, now, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return st.code;
    }
    return SYND_OK;
}

static void submit_bid(Synd__V1__Syndication_Service *svc, const Synd__V1__SubmitBidRequest *in,
                       Synd__V1__SubmitBidResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    const registry_identity *id = rpc_call_identity(c);
    book_bid bid = {.amount_fen = in->amount_fen, .spread_bps = in->spread_bps};
    catalog_book *b;
    op *o;

    if (syndication_require_role(c, ROLE_PARTICIPANT, "SubmitBid") != 0 ||
        (b = find_book(s, c, in->book_id)) == NULL)
        return;
    snprintf(bid.bank_id, sizeof(bid.bank_id), "%s", id->bank_id);
    if (check_bid(c, b, &bid) != SYND_OK || (o = op_new(s, c, b)) == NULL)
        return;
    if (ledger_bid_submit(s->l, b->group, b->id, id->bank_id, rpc_call_idempotency_key(c),
                          bid.amount_fen, bid.spread_bps, rpc_now_ms(), on_bid, o) != 0) {
        syndication_unavailable(c);
        op_free(o);
    }
}

static void on_withdrawn(void *arg, const ledger_result *r)
{
    op *o = arg;
    Synd__V1__WithdrawBidResponse out = SYND__V1__WITHDRAW_BID_RESPONSE__INIT;
    Synd__V1__Bid bid;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
    } else {
        wire_bid(r->bid, o->book->id, &bid);
        out.withdrawn = &bid;
        rpc_call_reply(o->call, &out.base);
    }
    op_free(o);
}

static void withdraw_bid(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                         Synd__V1__WithdrawBidResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    catalog_book *b;
    op *o;

    if (syndication_require_role(c, ROLE_PARTICIPANT, "WithdrawBid") != 0 ||
        (b = find_book(s, c, in->book_id)) == NULL || (o = op_new(s, c, b)) == NULL)
        return;
    if (ledger_bid_withdraw(s->l, b->group, b->id, rpc_call_identity(c)->bank_id, rpc_now_ms(),
                            on_withdrawn, o) != 0) {
        syndication_unavailable(c);
        op_free(o);
    }
}

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
    op_free(o);
}

static void on_settled(void *arg, const ledger_result *r)
{
    op *o = arg;
    catalog_book *b = o->book;
    Synd__V1__Share *shares = calloc(o->alloc.n_shares + 1, sizeof(*shares));
    Synd__V1__Share **ptrs = calloc(o->alloc.n_shares + 1, sizeof(*ptrs));
    Synd__V1__Allocation all;

    if (r->code != SYND_OK || shares == NULL || ptrs == NULL) {
        free(shares);
        free(ptrs);
        close_failed(o, r->code != SYND_OK ? r->code : SYND_RESOURCE_EXHAUSTED,
                     r->code != SYND_OK ? r->message : "broker out of memory");
        return;
    }
    b->state = r->book->state;
    b->busy = 0;
    convert_allocation(b->id, &o->alloc, shares, ptrs, &all);
    log_info("book %s %s: facility %lld fen, clearing spread %d bps%s%s", b->id,
             book_state_name(b->state), (long long)all.facility_fen, all.clearing_spread_bps,
             all.reason[0] ? "; " : "", all.reason);
    tell_allocation(o->s, b, &all);
    if (o->call)
        rpc_call_reply(o->call, &all.base);
    free(shares);
    free(ptrs);
    op_free(o);
}

/* Allocates a closed book from the bids Redis closed it with, and
 * settles the result in Redis. */
static void settle(op *o, const ledger_book *lb)
{
    catalog_book *b = o->book;
    book_bid *bids = calloc(lb->n_bids + 1, sizeof(*bids));
    book_alloc_input in = {o->s->rules, &b->terms, bids, lb->n_bids, NULL, NULL};
    Synd__V1__Share *shares = NULL;
    Synd__V1__Share **ptrs = NULL;
    ledger_share *lines = NULL;
    Synd__V1__Allocation all;
    uint8_t *blob = NULL;
    size_t len = 0;
    synd_status st;
    int rc = -1;

    for (size_t i = 0; bids && i < lb->n_bids; i++) {
        snprintf(bids[i].bank_id, sizeof(bids[i].bank_id), "%s", lb->bids[i].bank_id);
        bids[i].amount_fen = lb->bids[i].amount_fen;
        bids[i].spread_bps = lb->bids[i].spread_bps;
        bids[i].seq = lb->bids[i].seq;
    }
    if (bids == NULL || book_allocate(&in, &o->alloc, &st) != SYND_OK) {
        free(bids);
        close_failed(o, bids ? st.code : SYND_RESOURCE_EXHAUSTED,
                     bids ? st.message : "broker out of memory");
        return;
    }
    shares = calloc(o->alloc.n_shares + 1, sizeof(*shares));
    ptrs = calloc(o->alloc.n_shares + 1, sizeof(*ptrs));
    lines = calloc(o->alloc.n_shares + 1, sizeof(*lines));
    if (shares && ptrs && lines) {
        convert_allocation(b->id, &o->alloc, shares, ptrs, &all);
        for (size_t i = 0; i < o->alloc.n_shares; i++)
            lines[i] = (ledger_share){o->alloc.shares[i].bank_id, o->alloc.shares[i].alloc_fen};
        blob = pack(&all.base, &len);
    }
    if (blob != NULL)
        rc = ledger_book_settle(o->s->l, b->group, b->id,
                                o->alloc.outcome == BOOK_OUTCOME_ALLOCATED ? BOOK_ALLOCATED
                                                                           : BOOK_FAILED,
                                blob, len, lines, o->alloc.n_shares, on_settled, o);
    free(bids);
    free(shares);
    free(ptrs);
    free(lines);
    free(blob);
    if (rc != 0)
        close_failed(o, SYND_UNAVAILABLE, "redis is not available; the book will settle later");
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
    tell_bidders(o->s, o->book, r->book, SYND__V1__BOOK_EVENT__KIND__CLOSED);
    settle(o, r->book);
}

/* Closes b: by its lead (call set, early) or by the clock. */
static void start_close(syndication *s, catalog_book *b, rpc_call *call)
{
    op *o = op_new(s, call, b);

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
static void start_resettle(syndication *s, catalog_book *b)
{
    op *o = op_new(s, NULL, b);

    if (o == NULL) {
        b->busy = 0;
        return;
    }
    if (ledger_book_get(s->l, b->group, b->id, on_reread, o) != 0)
        close_failed(o, SYND_UNAVAILABLE, "redis is not available");
}

static void close_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                       Synd__V1__Allocation_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    catalog_book *b = find_book(s, c, in->book_id);

    if (b == NULL || require_book_lead(c, b, "CloseBook") != 0)
        return;
    if (b->state != BOOK_OPEN) {
        rpc_call_finish(c, SYND_FAILED_PRECONDITION, "book %s is %s, not OPEN (rule: book life)",
                        b->id, book_state_name(b->state));
        return;
    }
    if (claim(c, b) == 0)
        start_close(s, b, c);
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
    op_free(o);
}

static void cancel_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                        Synd__V1__Book_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    catalog_book *b = find_book(s, c, in->book_id);
    op *o;

    if (b == NULL || require_book_lead(c, b, "CancelBook") != 0 || claim(c, b) != 0)
        return;
    if ((o = op_new(s, c, b)) == NULL) {
        b->busy = 0;
        return;
    }
    if (ledger_book_cancel(s->l, b->group, b->id, rpc_now_ms(), on_cancelled, o) != 0) {
        b->busy = 0;
        syndication_unavailable(c);
        op_free(o);
    }
}

/* --- reads -------------------------------------------------------------- */

static void on_book(void *arg, const ledger_result *r)
{
    op *o = arg;
    const ledger_book *lb = r->book;
    Synd__V1__Bid *bids = NULL, **ptrs = NULL;
    Synd__V1__Book book;
    const char *me = rpc_call_identity(o->call)->bank_id;
    int all = sees_all(o->call, o->book);

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        op_free(o);
        return;
    }
    bids = calloc(lb->n_bids + 1, sizeof(*bids));
    ptrs = calloc(lb->n_bids + 1, sizeof(*ptrs));
    if (bids == NULL || ptrs == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    } else {
        catalog_wire_book(o->book, &book);
        book.state = (Synd__V1__BookState)lb->state;
        for (size_t i = 0; i < lb->n_bids; i++) {
            if (!all && strcmp(lb->bids[i].bank_id, me) != 0)
                continue;
            wire_bid(&lb->bids[i], o->book->id, &bids[book.n_bids]);
            ptrs[book.n_bids] = &bids[book.n_bids];
            book.n_bids++;
        }
        book.bids = ptrs;
        rpc_call_reply(o->call, &book.base);
    }
    free(bids);
    free(ptrs);
    op_free(o);
}

/* Reads b from Redis for a call, answering through cb. */
static void read_book(syndication *s, rpc_call *c, catalog_book *b, ledger_cb cb)
{
    op *o = op_new(s, c, b);

    if (o != NULL && ledger_book_get(s->l, b->group, b->id, cb, o) != 0) {
        syndication_unavailable(c);
        op_free(o);
    }
}

static void get_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                     Synd__V1__Book_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    catalog_book *b = find_book(s, data, in->book_id);

    if (b != NULL)
        read_book(s, data, b, on_book);
}

/* Answers with the stored allocation, cut to the caller's own line unless
 * it may see all of it. */
static void reply_allocation(op *o, const ledger_book *lb)
{
    Synd__V1__Allocation *a;
    const char *me = rpc_call_identity(o->call)->bank_id;
    size_t kept = 0, total;

    if (lb->allocation_len == 0) {
        rpc_call_finish(o->call, SYND_FAILED_PRECONDITION,
                        "book %s is %s; it has no allocation yet (rule: book life)", o->book->id,
                        book_state_name(lb->state));
        return;
    }
    a = synd__v1__allocation__unpack(NULL, lb->allocation_len, lb->allocation);
    if (a == NULL) {
        rpc_call_finish(o->call, SYND_DATA_LOSS, "stored allocation of %s does not decode",
                        o->book->id);
        return;
    }
    for (size_t i = 0; i < a->n_shares; i++) {
        if (sees_all(o->call, o->book) || strcmp(a->shares[i]->bank_id, me) == 0) {
            Synd__V1__Share *keep = a->shares[kept];
            a->shares[kept++] = a->shares[i];
            a->shares[i] = keep;
        }
    }
    total = a->n_shares;
    a->n_shares = kept; /* the rest stay in the array, to be freed */
    rpc_call_reply(o->call, &a->base);
    a->n_shares = total;
    synd__v1__allocation__free_unpacked(a, NULL);
}

static void on_allocation(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK)
        rpc_call_finish(o->call, r->code, "%s", r->message);
    else
        reply_allocation(o, r->book);
    op_free(o);
}

static void get_allocation(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                           Synd__V1__Allocation_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    catalog_book *b = find_book(s, data, in->book_id);

    if (b != NULL)
        read_book(s, data, b, on_allocation);
}

/* --- GetHeadroom -------------------------------------------------------- */

/* Answers with the bank's headroom for the borrower. The ledger records
 * exposure per bank and borrower only, so that figure stands in for the
 * group position too, and no joint limit is applied yet. */
static void on_exposure(void *arg, const ledger_result *r)
{
    op *o = arg;
    Synd__V1__GetHeadroomResponse out = SYND__V1__GET_HEADROOM_RESPONSE__INIT;
    limit_position pos = {r->value, r->value, 0, 0};
    limit_kind binding;
    limit_text rule;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
    } else {
        out.exposure_fen = r->value;
        out.headroom_fen = limit_headroom(&o->caps, &pos, &binding);
        rule = limit_rule_text(&o->s->limits, binding);
        out.binding_rule = rule.s;
        rpc_call_reply(o->call, &out.base);
    }
    op_free(o);
}

static void on_headroom_borrower(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        op_free(o);
    } else if (ledger_exposure_get(o->s->l, r->borrower->group, o->borrower,
                                   rpc_call_identity(o->call)->bank_id, on_exposure, o) != 0) {
        syndication_unavailable(o->call);
        op_free(o);
    }
}

/* The bank's caps come from its capital figures in the registry. */
static void on_headroom_bank(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        op_free(o);
        return;
    }
    limit_caps_of(&o->s->limits, r->bank->net_capital_fen, r->bank->tier1_capital_fen, &o->caps);
    if (ledger_borrower_get(o->s->l, o->borrower, on_headroom_borrower, o) != 0) {
        syndication_unavailable(o->call);
        op_free(o);
    }
}

static void get_headroom(Synd__V1__Syndication_Service *svc, const Synd__V1__GetHeadroomRequest *in,
                         Synd__V1__GetHeadroomResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    op *o;

    if (strlen(in->borrower_code) >= sizeof(o->borrower)) {
        rpc_call_finish(c, SYND_INVALID_ARGUMENT, "borrower_code is too long");
        return;
    }
    if ((o = op_new(s, c, NULL)) == NULL)
        return;
    strcpy(o->borrower, in->borrower_code);
    if (ledger_bank_get(s->l, rpc_call_identity(c)->bank_id, on_headroom_bank, o) != 0) {
        syndication_unavailable(c);
        op_free(o);
    }
}

/* --- WatchBooks --------------------------------------------------------- */

/* Subscribes the caller and announces every open book that matches, so
 * that a bidder that (re)connects misses nothing. */
static void watch_books(Synd__V1__Syndication_Service *svc, const Synd__V1__WatchBooksRequest *in,
                        Synd__V1__BookEvent_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    synd_status st;

    if (!s->ready) {
        rpc_call_finish(c, SYND_UNAVAILABLE, "the broker is still loading its books; retry");
        return;
    }
    if (watch_add(s->w, c, rpc_call_identity(c)->bank_id, in, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    for (size_t i = 0; i < catalog_count(s->cat); i++) {
        catalog_book *b = catalog_at(s->cat, i);
        if (b->state == BOOK_OPEN)
            watch_announce(s->w, b, c);
    }
}

/* --- life --------------------------------------------------------------- */

syndication *syndication_new(ledger *l, const registry *reg, const book_rules *rules)
{
    syndication *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    synd__v1__syndication__init(&s->base, NULL);
    s->base.open_book = open_book;
    s->base.cancel_book = cancel_book;
    s->base.close_book = close_book;
    s->base.get_book = get_book;
    s->base.submit_bid = submit_bid;
    s->base.withdraw_bid = withdraw_bid;
    s->base.get_allocation = get_allocation;
    s->base.get_headroom = get_headroom;
    s->base.watch_books = watch_books;
    s->l = l;
    s->reg = reg;
    s->rules = rules;
    s->limits = limit_rules_default();
    s->cat = catalog_new();
    s->w = watch_new();
    if (s->cat == NULL || s->w == NULL) {
        syndication_free(s);
        return NULL;
    }
    return s;
}

void syndication_free(syndication *s)
{
    if (s == NULL)
        return;
    catalog_free(s->cat);
    watch_free(s->w);
    free(s);
}

ProtobufCService *syndication_service(syndication *s)
{
    return &s->base.base;
}

int64_t syndication_tick(syndication *s, int64_t now)
{
    int64_t next = -1;

    if (!s->ready) {
        if (s->load_failed && !s->loading && now >= s->retry_ms)
            syndication_load_start(s);
        return s->load_failed ? 200 : -1;
    }
    for (size_t i = 0; i < catalog_count(s->cat); i++) {
        catalog_book *b = catalog_at(s->cat, i);
        int64_t due = b->state == BOOK_OPEN ? b->terms.close_ms : 0;

        if (b->busy || book_state_final(b->state))
            continue;
        if (due < b->next_try_ms)
            due = b->next_try_ms;
        if (now < due) {
            next = next < 0 || due - now < next ? due - now : next;
            continue;
        }
        b->busy = 1;
        if (b->state == BOOK_OPEN)
            start_close(s, b, NULL);
        else
            start_resettle(s, b);
    }
    return next;
}
