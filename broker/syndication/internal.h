/* What syndication.c, load.c and directory.c share. Not an API. */
#ifndef SYND_SYNDICATION_INTERNAL_H
#define SYND_SYNDICATION_INTERNAL_H

#include <stddef.h>

#include "ledger/books.h"
#include "rpc/server.h"
#include "supervise/audit.h"
#include "supervise/events.h"
#include "supervise/limits.h"
#include "syndication/catalog.h"
#include "syndication/syndication.h"
#include "syndication/watch.h"
#include "book/allocate.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

struct syndication {
    Synd__V1__Syndication_Service base; /* first: handlers cast back from it */
    Synd__V1__Registry_Service dir;
    ledger *l;
    const registry *reg;
    const book_rules *rules;
    limit_rules limits;
    events *ev; /* the supervisors' live feed */
    audit *au;  /* the audit trail, for what the clock does */
    catalog *cat;
    watch *w;
    int ready;       /* the registry is in Redis and every book is loaded */
    int loading;     /* a load is in flight */
    int load_failed; /* some step of it failed: retry at retry_ms */
    size_t pending;  /* ledger calls of the load still to answer */
    int64_t retry_ms;
};

/* Finishes c with UNAVAILABLE when the ledger refused to queue a call.
 * Use as: if (ledger_x(...) != 0) syndication_unavailable(c); */
void syndication_unavailable(rpc_call *c);

/* One request in flight between a handler and the ledger's answer, or a
 * close the clock started (call is NULL then). */
typedef struct op {
    syndication *s;
    rpc_call *call;
    catalog_book *book;
    Synd__V1__BookTerms *wire; /* OpenBook: the terms to store, owned */
    char group[64];
    char borrower[32];     /* GetHeadroom, SubmitBid */
    limit_caps caps;       /* GetHeadroom, SubmitBid: the bank's caps */
    int64_t amount_fen;    /* SubmitBid, RecordRepayment */
    int32_t spread_bps;    /* SubmitBid */
    book_allocation alloc; /* a close: the allocation being settled */
    /* A close: the bids it closed with, and for every bank of the book
     * (leads, then bidders) its caps and its position before the close. */
    book_bid *bids;
    size_t n_bids, n_banks;
    const char **banks;
    limit_caps *bank_caps;
    limit_position *before;
    int tries; /* settlements refused because a limit moved */
} op;

/* Shared by syndication.c, close.c and reads.c. */
op *syndication_op_new(syndication *s, rpc_call *call, catalog_book *book);
void syndication_op_free(op *o);
catalog_book *syndication_find_book(syndication *s, rpc_call *c, const char *id);
int syndication_sees_all(rpc_call *c, const catalog_book *b);
int syndication_require_scope(rpc_call *c, const catalog_book *b);
int syndication_claim(rpc_call *c, catalog_book *b);
void syndication_wire_bid(const ledger_bid *in, const char *book_id, Synd__V1__Bid *out);
uint8_t *syndication_pack(const ProtobufCMessage *m, size_t *len);

/* close.c: the clock's close and the retry of an unfinished settlement. */
void syndication_close(syndication *s, catalog_book *b, rpc_call *call);
void syndication_resettle(syndication *s, catalog_book *b);

/* Handlers defined outside syndication.c. */
void syndication_close_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                            Synd__V1__Allocation_Closure closure, void *data);
void syndication_cancel_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                             Synd__V1__Book_Closure closure, void *data);
void syndication_get_book(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                          Synd__V1__Book_Closure closure, void *data);
void syndication_get_allocation(Synd__V1__Syndication_Service *svc, const Synd__V1__BookRef *in,
                                Synd__V1__Allocation_Closure closure, void *data);
void syndication_get_headroom(Synd__V1__Syndication_Service *svc,
                              const Synd__V1__GetHeadroomRequest *in,
                              Synd__V1__GetHeadroomResponse_Closure closure, void *data);

void syndication_record_repayment(Synd__V1__Syndication_Service *svc,
                                  const Synd__V1__RecordRepaymentRequest *in,
                                  Synd__V1__RecordRepaymentResponse_Closure closure, void *data);

/* The reload at start (load.c). */
void syndication_load_start(syndication *s);

#endif
