/* Reads: GetBook, GetAllocation and GetHeadroom. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/allocate.h"
#include "book/bid.h"
#include "log.h"
#include "rpc/envelope.h"
#include "supervise/limits.h"
#include "syndication/checks.h"
#include "syndication/convert.h"
#include "syndication/internal.h"

/* --- reads -------------------------------------------------------------- */

static void on_book(void *arg, const ledger_result *r)
{
    op *o = arg;
    const ledger_book *lb = r->book;
    Synd__V1__Bid *bids = NULL, **ptrs = NULL;
    Synd__V1__Book book;
    const char *me = rpc_call_identity(o->call)->bank_id;
    int all = syndication_sees_all(o->call, o->book);

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        syndication_op_free(o);
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
            syndication_wire_bid(&lb->bids[i], o->book->id, &bids[book.n_bids]);
            ptrs[book.n_bids] = &bids[book.n_bids];
            book.n_bids++;
        }
        book.bids = ptrs;
        rpc_call_reply(o->call, &book.base);
    }
    free(bids);
    free(ptrs);
    syndication_op_free(o);
}

/* Reads b from Redis for a call, answering through cb. */
static void read_book(syndication *s, rpc_call *c, catalog_book *b, ledger_cb cb)
{
    op *o = syndication_op_new(s, c, b);

    if (o != NULL && ledger_book_get(s->l, b->group, b->id, cb, o) != 0) {
        syndication_unavailable(c);
        syndication_op_free(o);
    }
}

void syndication_get_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                          Synd__V1__Book_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    catalog_book *b = syndication_find_book(s, data, in->book_id);

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
        if (syndication_sees_all(o->call, o->book) || strcmp(a->shares[i]->bank_id, me) == 0) {
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
    syndication_op_free(o);
}

void syndication_get_allocation(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                                Synd__V1__Allocation_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    catalog_book *b = syndication_find_book(s, data, in->book_id);

    if (b != NULL)
        read_book(s, data, b, on_allocation);
}

/* --- GetHeadroom -------------------------------------------------------- */

/* Answers with the bank's headroom for the borrower under every limit:
 * its own caps for the borrower and the group, and the borrower's joint
 * credit limit. */
static void on_position(void *arg, const ledger_result *r)
{
    op *o = arg;
    Synd__V1__GetHeadroomResponse out = SYND__V1__GET_HEADROOM_RESPONSE__INIT;
    const ledger_positions *p = r->positions;
    limit_position pos;
    limit_kind binding;
    limit_text rule;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
    } else {
        pos = (limit_position){p->banks[0].borrower_fen, p->banks[0].group_fen,
                               p->borrower_total_fen, p->joint_limit_fen};
        out.exposure_fen = pos.bank_borrower_fen;
        out.headroom_fen = limit_headroom(&o->caps, &pos, &binding);
        rule = limit_rule_text(&o->s->limits, binding);
        out.binding_rule = rule.s;
        rpc_call_reply(o->call, &out.base);
    }
    syndication_op_free(o);
}

static void on_headroom_borrower(void *arg, const ledger_result *r)
{
    op *o = arg;
    const char *bank = rpc_call_identity(o->call)->bank_id;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        syndication_op_free(o);
    } else if (ledger_positions_get(o->s->l, r->borrower->group, o->borrower, &bank, 1, on_position,
                                    o) != 0) {
        syndication_unavailable(o->call);
        syndication_op_free(o);
    }
}

/* The bank's caps come from its capital figures in the registry. */
static void on_headroom_bank(void *arg, const ledger_result *r)
{
    op *o = arg;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        syndication_op_free(o);
        return;
    }
    limit_caps_of(&o->s->limits, r->bank->net_capital_fen, r->bank->tier1_capital_fen, &o->caps);
    if (ledger_borrower_get(o->s->l, o->borrower, on_headroom_borrower, o) != 0) {
        syndication_unavailable(o->call);
        syndication_op_free(o);
    }
}

void syndication_get_headroom(Synd__V1__Syndication_Service *svc,
                              const Synd__V1__GetHeadroomRequest *in,
                              Synd__V1__GetHeadroomResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    synd_status st;
    op *o;

    if (syndication_check_headroom(in, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if ((o = syndication_op_new(s, c, NULL)) == NULL)
        return;
    strcpy(o->borrower, in->borrower_code);
    if (ledger_bank_get(s->l, rpc_call_identity(c)->bank_id, on_headroom_bank, o) != 0) {
        syndication_unavailable(c);
        syndication_op_free(o);
    }
}
