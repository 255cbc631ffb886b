/* RecordRepayment: the lead, as agent, records principal repaid; each
 * lender's share of it comes off its exposure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book/split.h"
#include "log.h"
#include "supervise/events.h"
#include "syndication/checks.h"
#include "syndication/internal.h"

/* Tells supervisors of each lender's exposure after the repayment. */
static void on_positions_after(void *arg, const ledger_result *r)
{
    op *o = arg;

    for (size_t i = 0; r->code == SYND_OK && i < r->positions->n_banks; i++) {
        Synd__V1__SupervisionEvent ev = SYND__V1__SUPERVISION_EVENT__INIT;

        ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__EXPOSURE_CHANGE;
        ev.bank_id = (char *)r->positions->banks[i].bank_id;
        ev.borrower_code = (char *)o->book->terms.borrower;
        ev.group_id = (char *)o->book->group;
        ev.book_id = (char *)o->book->id;
        ev.exposure_fen = r->positions->banks[i].borrower_fen;
        ev.delta_fen = -o->bids[i].amount_fen;
        events_emit(o->s->ev, &ev);
    }
    if (r->code != SYND_OK)
        log_error("book %s: repaid, but cannot read exposures to report: %s", o->book->id,
                  r->message);
    syndication_op_free(o);
}

static void on_repaid(void *arg, const ledger_result *r)
{
    op *o = arg;
    Synd__V1__RecordRepaymentResponse out = SYND__V1__RECORD_REPAYMENT_RESPONSE__INIT;
    Synd__V1__Share *lines = calloc(r->n_items + 1, sizeof(*lines));
    Synd__V1__Share **ptrs = calloc(r->n_items + 1, sizeof(*ptrs));

    if (r->code != SYND_OK || lines == NULL || ptrs == NULL) {
        rpc_call_finish(o->call, r->code != SYND_OK ? r->code : SYND_RESOURCE_EXHAUSTED, "%s",
                        r->code != SYND_OK ? r->message : "broker out of memory");
        free(lines);
        free(ptrs);
        syndication_op_free(o);
        return;
    }
    out.book_id = o->book->id;
    for (size_t i = 0; i < r->n_items; i++) {
        synd__v1__share__init(&lines[i]);
        lines[i].bank_id = (char *)r->shares[i].bank_id;
        lines[i].alloc_fen = r->shares[i].alloc_fen;
        out.outstanding_fen += r->shares[i].alloc_fen;
        ptrs[i] = &lines[i];
    }
    out.n_outstanding = r->n_items;
    out.outstanding = ptrs;
    rpc_call_reply(o->call, &out.base);
    o->call = NULL;
    free(lines);
    free(ptrs);
    if (ledger_positions_get(o->s->l, o->book->group, o->book->terms.borrower, o->banks, o->n_banks,
                             on_positions_after, o) != 0)
        syndication_op_free(o);
}

static int by_bank(const void *a, const void *b)
{
    return strcmp(((const book_bid *)a)->bank_id, ((const book_bid *)b)->bank_id);
}

/* Keeps the lenders by bank id, each with what it is owed, so that the
 * split's tie-break (lower index) is the lower bank id. */
static int keep_lenders(op *o, const ledger_result *r)
{
    o->n_bids = o->n_banks = r->n_items;
    o->bids = calloc(r->n_items + 1, sizeof(*o->bids));
    o->banks = calloc(r->n_items + 1, sizeof(*o->banks));
    if (o->bids == NULL || o->banks == NULL)
        return -1;
    for (size_t i = 0; i < r->n_items; i++) {
        snprintf(o->bids[i].bank_id, sizeof(o->bids[i].bank_id), "%s", r->shares[i].bank_id);
        o->bids[i].amount_fen = r->shares[i].alloc_fen;
    }
    qsort(o->bids, o->n_bids, sizeof(*o->bids), by_bank);
    for (size_t i = 0; i < o->n_bids; i++)
        o->banks[i] = o->bids[i].bank_id;
    return 0;
}

/* Splits the repayment pro-rata to what each lender is owed and records
 * it; o->bids then holds each lender's part. */
static void on_outstanding(void *arg, const ledger_result *r)
{
    op *o = arg;
    int64_t *owed = NULL, *part = NULL;
    ledger_share *lines = NULL;
    synd_status st = {SYND_RESOURCE_EXHAUSTED, "broker out of memory"};
    int rc = -2;

    if (r->code != SYND_OK) {
        rpc_call_finish(o->call, r->code, "%s", r->message);
        syndication_op_free(o);
        return;
    }
    if (keep_lenders(o, r) == 0 && (owed = calloc(o->n_bids + 1, sizeof(*owed))) &&
        (part = calloc(o->n_bids + 1, sizeof(*part))) &&
        (lines = calloc(o->n_bids + 1, sizeof(*lines)))) {
        for (size_t i = 0; i < o->n_bids; i++)
            owed[i] = o->bids[i].amount_fen;
        if (book_split_pro_rata(o->amount_fen, owed, o->n_bids, part, &st) == SYND_OK) {
            for (size_t i = 0; i < o->n_bids; i++) {
                o->bids[i].amount_fen = part[i];
                lines[i] = (ledger_share){o->bids[i].bank_id, part[i], 0, 0};
            }
            rc = ledger_book_repay(o->s->l, o->book->group, o->book->id, o->book->terms.borrower,
                                   lines, o->n_bids, on_repaid, o);
        }
    }
    free(owed);
    free(part);
    free(lines);
    if (rc == 0)
        return;
    if (rc == -1)
        syndication_unavailable(o->call);
    else
        rpc_call_finish(o->call, st.code, "%s", st.message);
    syndication_op_free(o);
}

void syndication_record_repayment(Synd__V1__Syndication_Service *svc,
                                  const Synd__V1__RecordRepaymentRequest *in,
                                  Synd__V1__RecordRepaymentResponse_Closure closure, void *data)
{
    syndication *s = (syndication *)svc;
    rpc_call *c = data;
    catalog_book *b = syndication_find_book(s, c, in->book_id);
    synd_status st;
    op *o;

    if (b == NULL || syndication_require_scope(c, b) != 0)
        return;
    if (b->state != BOOK_ALLOCATED) {
        rpc_call_finish(c, SYND_FAILED_PRECONDITION,
                        "book %s is %s; only an allocated loan is repaid (rule: book life)", b->id,
                        book_state_name(b->state));
        return;
    }
    if (syndication_check_repayment(in, &st) != SYND_OK) {
        rpc_call_finish(c, st.code, "%s", st.message);
        return;
    }
    if ((o = syndication_op_new(s, c, b)) == NULL)
        return;
    o->amount_fen = in->amount_fen;
    if (ledger_book_outstanding(s->l, b->group, b->id, on_outstanding, o) != 0) {
        syndication_unavailable(c);
        syndication_op_free(o);
    }
}
