/* What syndication.c, load.c and directory.c share. Not an API. */
#ifndef SYND_SYNDICATION_INTERNAL_H
#define SYND_SYNDICATION_INTERNAL_H

#include <stddef.h>

#include "ledger/books.h"
#include "rpc/server.h"
#include "supervise/limits.h"
#include "syndication/catalog.h"
#include "syndication/syndication.h"
#include "syndication/watch.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

struct syndication {
    Synd__V1__Syndication_Service base; /* first: handlers cast back from it */
    Synd__V1__Registry_Service dir;
    ledger *l;
    const registry *reg;
    const book_rules *rules;
    limit_rules limits;
    catalog *cat;
    watch *w;
    int ready;       /* the registry is in Redis and every book is loaded */
    int loading;     /* a load is in flight */
    int load_failed; /* some step of it failed: retry at retry_ms */
    size_t pending;  /* ledger calls of the load still to answer */
    int64_t retry_ms;
};

/* Finishes c with PERMISSION_DENIED unless its caller has role. Returns
 * 0 if the caller may go on. */
int syndication_require_role(rpc_call *c, registry_role role, const char *method);

/* Finishes c with UNAVAILABLE when the ledger refused to queue a call.
 * Use as: if (ledger_x(...) != 0) syndication_unavailable(c); */
void syndication_unavailable(rpc_call *c);

/* The reload at start (load.c). */
void syndication_load_start(syndication *s);

#endif
