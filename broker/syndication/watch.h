/* WatchBooks subscriptions: who is told of which book event.
 *
 * A bank's systems subscribe with a filter. A new book that matches is
 * announced to every subscriber but the book's own leads; the close or
 * cancellation of a book goes to the banks that bid on it; an allocation
 * goes to each bidder with only its own share, and whole to the leads.
 * So no stream ever carries another bank's bid or share. */
#ifndef SYND_SYNDICATION_WATCH_H
#define SYND_SYNDICATION_WATCH_H

#include "rpc/server.h"
#include "syndication/catalog.h"
#include "synd/v1/syndication.pb-c.h"

typedef struct watch watch;

watch *watch_new(void);

/* Frees the list. Close the server first: it ends the streams. */
void watch_free(watch *w);

/* Subscribes the stream call for bank with filter f (copied). Returns
 * SYND_OK, or an error status with st set (bad filter, out of memory). */
synd_code watch_add(watch *w, rpc_call *call, const char *bank,
                    const Synd__V1__WatchBooksRequest *f, synd_status *st);

/* Sends ANNOUNCED for b to every subscriber whose filter matches, except
 * its leads; with only_call set, to that one subscription alone. */
void watch_announce(watch *w, const catalog_book *b, const rpc_call *only_call);

/* Sends ev to every subscription of bank. */
void watch_send_bank(watch *w, const char *bank, const Synd__V1__BookEvent *ev);

#endif
