/* The Syndication service: shared helpers, OpenBook, bids, WatchBooks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/allocate.h"
#include "book/bid.h"
#include "log.h"
#include "rpc/authz.h"
#include "rpc/envelope.h"
#include "supervise/limits.h"
#include "syndication/checks.h"
#include "syndication/internal.h"

op *syndication_op_new(syndication *s, rpc_call *call, catalog_book *book)
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

void syndication_op_free(op *o)
{
    if (o->wire)
        synd__v1__book_terms__free_unpacked(o->wire, NULL);
    book_allocation_free(&o->alloc);
    free(o->bids);
    free(o->banks);
    free(o->bank_caps);
    free(o->before);
    free(o);
}

void syndication_unavailable(rpc_call *c)
{
    rpc_call_finish(c, SYND_UNAVAILABLE, "redis is not available; retry later");
}

/* Finds the book a request names, finishing the call if it cannot. */
catalog_book *syndication_find_book(syndication *s, rpc_call *c, const char *id)
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

/* Whether the caller may see every bid and share of b, by the scope the
 * authorization matrix gives its role on the call's method: its leads and
 * supervisors may; anyone else sees its own only. */
int syndication_sees_all(rpc_call *c, const catalog_book *b)
{
    const registry_identity *id = rpc_call_identity(c);

    return authz_sees_all(authz_scope_of(rpc_call_method(c), id->role),
                          book_lead_index(&b->terms, id->bank_id) >= 0);
}

/* The scope the matrix gives the caller on the call's method, applied to
 * book b: with AUTHZ_OWN_BOOK (a lead closing, cancelling, repaying) only
 * a book the caller leads. The matrix let the role call the method. */
int syndication_require_scope(rpc_call *c, const catalog_book *b)
{
    const registry_identity *id = rpc_call_identity(c);
    const char *method = rpc_call_method(c), *name = strrchr(method, '/');

    if (authz_scope_of(method, id->role) != AUTHZ_OWN_BOOK ||
        book_lead_index(&b->terms, id->bank_id) >= 0)
        return 0;
    rpc_call_finish(c, SYND_PERMISSION_DENIED, "%s: bank %s is not a lead of book %s",
                    name ? name + 1 : method, id->bank_id, b->id);
    return -1;
}

/* Claims b for a state change; concurrent changes of one book would race
 * in the catalog even though Redis orders them. */
int syndication_claim(rpc_call *c, catalog_book *b)
{
    if (!b->busy) {
        b->busy = 1;
        return 0;
    }
    rpc_call_finish(c, SYND_ABORTED, "another change to book %s is in progress; retry", b->id);
    return -1;
}

void syndication_wire_bid(const ledger_bid *in, const char *book_id, Synd__V1__Bid *out)
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
uint8_t *syndication_pack(const ProtobufCMessage *m, size_t *len)
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
        syndication_op_free(o);
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
    syndication_op_free(o);
}

/* Stores the new book; Redis gives it its id. */
static void store_book(op *o)
{
    const registry_identity *id = rpc_call_identity(o->call);
    uint8_t *blob;
    size_t len;
    int rc;

    if ((blob = syndication_pack(&o->wire->base, &len)) == NULL) {
        rpc_call_finish(o->call, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        syndication_op_free(o);
        return;
    }
    rc = ledger_book_open(o->s->l, o->group, id->bank_id, o->wire->borrower_code, o->wire->close_ms,
                          rpc_now_ms(), blob, len, on_opened, o);
    free(blob);
    if (rc != 0) {
        syndication_unavailable(o->call);
        syndication_op_free(o);
    }
}

/* Joint credit: a borrower lent to by enough banks for enough in total
 * needs a joint credit limit before a new book, and one whose limit is
 * used up (or was lowered below its use) gets no new lending. */
static void on_open_position(void *arg, const ledger_result *r)
{
    op *o = arg;
    const ledger_positions *p = r->positions;
    synd_status st;

    if (r->code != SYND_OK)
        rpc_call_finish(o->call, r->code, "%s", r->message);
    else if (limit_joint_check(&o->s->limits, o->wire->borrower_code, p->lending_banks,
                               p->borrower_total_fen, p->joint_limit_fen, &st) != SYND_OK)
        rpc_call_finish(o->call, st.code, "%s", st.message);
    else if (p->joint_limit_fen > 0 && p->borrower_total_fen >= p->joint_limit_fen)
        rpc_call_finish(o->call, SYND_FAILED_PRECONDITION,
                        "borrower %s uses %lld fen of its %lld fen joint credit limit; no new "
                        "lending (rule: joint credit limit)",
                        o->wire->borrower_code, (long long)p->borrower_total_fen,
                        (long long)p->joint_limit_fen);
    else {
        store_book(o);
        return;
    }
    syndication_op_free(o);
}

static void on_borrower(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK) {
        if (r->code == SYND_NOT_FOUND)
            rpc_call_finish(o->call, SYND_FAILED_PRECONDITION,
                            "borrower %s is not in the registry; an operator adds it with "
                            "'syndctl borrower put' (rule: registered borrower)",
                            o->wire->borrower_code);
        else
            rpc_call_finish(o->call, r->code, "%s", r->message);
        syndication_op_free(o);
        return;
    }
    snprintf(o->group, sizeof(o->group), "%s", r->borrower->group);
    if (ledger_positions_get(o->s->l, o->group, o->wire->borrower_code, NULL, 0, on_open_position,
                             o) != 0) {
        syndication_unavailable(o->call);
        syndication_op_free(o);
    }
}

static void open_book(Synd__V1__Syndication_Service *svc, const Synd__V1__OpenBookRequest *in,
                      Synd__V1__OpenBookResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    size_t len;
    uint8_t *blob;
    book_terms t;
    synd_status st;
    op *o;

    if (!s->ready) {
        rpc_call_finish(c, SYND_UNAVAILABLE, "the broker is still loading its books; retry");
        return;
    }
    if ((o = syndication_op_new(s, c, NULL)) == NULL)
        return;
    /* A copy the catalog can own; the request dies with this handler. */
    if (in->terms != NULL) {
        blob = syndication_pack(&in->terms->base, &len);
        o->wire = blob ? synd__v1__book_terms__unpack(NULL, len, blob) : NULL;
        free(blob);
    }
    if (in->terms != NULL && o->wire == NULL) {
        rpc_call_finish(c, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        syndication_op_free(o);
    } else if (syndication_check_open_book(s->rules, rpc_call_identity(c), o->wire, rpc_now_ms(),
                                           &t, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        syndication_op_free(o);
    } else if (ledger_borrower_get(s->l, o->wire->borrower_code, on_borrower, o) != 0) {
        syndication_unavailable(c);
        syndication_op_free(o);
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
        syndication_wire_bid(r->bid, o->book->id, &bid);
        out.bid = &bid;
        out.replaced = r->replaced;
        rpc_call_reply(o->call, &out.base);
    }
    syndication_op_free(o);
}

/* Stores the bid; Redis's answer acknowledges it. */
static void store_bid(op *o)
{
    const char *bank = rpc_call_identity(o->call)->bank_id;

    if (ledger_bid_submit(o->s->l, o->book->group, o->book->id, bank,
                          rpc_call_idempotency_key(o->call), o->amount_fen, o->spread_bps,
                          rpc_now_ms(), on_bid, o) != 0) {
        syndication_unavailable(o->call);
        syndication_op_free(o);
    }
}

/* The pre-check at bid time: a bid above the bank's headroom for the
 * borrower, its group or the borrower's joint limit is refused with the
 * headroom and the limit that applies. The reservation at the close
 * checks again, atomically. */
static void on_bid_position(void *arg, const ledger_result *r)
{
    op *o = arg;
    const ledger_positions *p = r->positions;
    limit_position pos;
    synd_status st;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        syndication_op_free(o);
        return;
    }
    pos = (limit_position){p->banks[0].borrower_fen, p->banks[0].group_fen, p->borrower_total_fen,
                           p->joint_limit_fen};
    if (limit_check(&o->s->limits, &o->caps, &pos, p->banks[0].bank_id, o->amount_fen, &st) !=
        SYND_OK) {
        rpc_call_finish(o->call, st.code, "%s", st.message);
        syndication_op_free(o);
        return;
    }
    store_bid(o);
}

static void on_bid_bank(void *arg, const ledger_result *r)
{
    op *o = arg;
    const char *bank = rpc_call_identity(o->call)->bank_id;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code == SYND_NOT_FOUND ? SYND_FAILED_PRECONDITION : r->code,
                        "%s", r->message);
        syndication_op_free(o);
        return;
    }
    limit_caps_of(&o->s->limits, r->bank->net_capital_fen, r->bank->tier1_capital_fen, &o->caps);
    if (ledger_positions_get(o->s->l, o->book->group, o->book->terms.borrower, &bank, 1,
                             on_bid_position, o) != 0) {
        syndication_unavailable(o->call);
        syndication_op_free(o);
    }
}

static void submit_bid(Synd__V1__Syndication_Service *svc, const Synd__V1__SubmitBidRequest *in,
                       Synd__V1__SubmitBidResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    const registry_identity *id = rpc_call_identity(c);
    book_bid bid;
    catalog_book *b;
    synd_status st;
    int retry;
    op *o;

    if ((b = syndication_find_book(s, c, in->book_id)) == NULL)
        return;
    /* A retry after the close skips the limit pre-check: the ledger
     * answers it with its first answer, or refuses it. */
    if (syndication_check_bid(&b->terms, b->state, id->bank_id, in, rpc_call_idempotency_key(c),
                              rpc_now_ms(), &bid, &retry, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if ((o = syndication_op_new(s, c, b)) == NULL)
        return;
    o->amount_fen = bid.amount_fen;
    o->spread_bps = bid.spread_bps;
    if (retry)
        store_bid(o);
    else if (ledger_bank_get(s->l, id->bank_id, on_bid_bank, o) != 0) {
        syndication_unavailable(c);
        syndication_op_free(o);
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
        syndication_wire_bid(r->bid, o->book->id, &bid);
        out.withdrawn = &bid;
        rpc_call_reply(o->call, &out.base);
    }
    syndication_op_free(o);
}

static void withdraw_bid(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                         Synd__V1__WithdrawBidResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    catalog_book *b;
    op *o;

    if ((b = syndication_find_book(s, c, in->book_id)) == NULL ||
        (o = syndication_op_new(s, c, b)) == NULL)
        return;
    if (ledger_bid_withdraw(s->l, b->group, b->id, rpc_call_identity(c)->bank_id, rpc_now_ms(),
                            on_withdrawn, o) != 0) {
        syndication_unavailable(c);
        syndication_op_free(o);
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

syndication *syndication_new(ledger *l, const registry *reg, const book_rules *rules, events *ev,
                             audit *au)
{
    syndication *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    synd__v1__syndication__init(&s->base, NULL);
    s->base.open_book = open_book;
    s->base.cancel_book = syndication_cancel_book;
    s->base.close_book = syndication_close_book;
    s->base.get_book = syndication_get_book;
    s->base.submit_bid = submit_bid;
    s->base.withdraw_bid = withdraw_bid;
    s->base.get_allocation = syndication_get_allocation;
    s->base.get_headroom = syndication_get_headroom;
    s->base.record_repayment = syndication_record_repayment;
    s->base.watch_books = watch_books;
    s->l = l;
    s->reg = reg;
    s->rules = rules;
    s->limits = limit_rules_default();
    s->ev = ev;
    s->au = au;
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
            syndication_close(s, b, NULL);
        else
            syndication_resettle(s, b);
    }
    return next;
}
