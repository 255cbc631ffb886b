/* The supervisors' live feed: exposure changes, alerts and blocked
 * attempts, in one order, to every WatchSupervision stream.
 *
 * Live events are numbered 1, 2, 3... in the order they are emitted, and
 * every stream gets every live event emitted after it subscribed, in that
 * order. A stream that asks for a snapshot first gets one SNAPSHOT event
 * per current exposure (bank, borrower, group, exposure_fen, and the
 * borrower's joint limit in limit_fen), ordered by group, borrower and
 * bank, then SNAPSHOT_END; the live events emitted while the snapshot was
 * read are held for it and follow SNAPSHOT_END, so none is missed. The
 * snapshot's events carry the number of the last live event emitted before
 * the stream subscribed (0: none yet), so the first live event after
 * SNAPSHOT_END is that number plus one; they do not advance the count. The
 * snapshot reflects at least every live event up to that number; a live
 * event after it may already be in the snapshot too, and since an
 * EXPOSURE_CHANGE carries the exposure after the change, applying it again
 * gives the same figure. Single-threaded, like the loop. */
#ifndef SYND_SUPERVISE_EVENTS_H
#define SYND_SUPERVISE_EVENTS_H

#include "ledger/ledger.h"
#include "rpc/server.h"
#include "synd/status.h"
#include "synd/v1/supervision.pb-c.h"

typedef struct events events;

/* The feed; l (borrowed) is read for snapshots. NULL if out of memory. */
events *events_new(ledger *l);

/* Frees the feed. Free the ledger first (its pending snapshot reads call
 * back) and the server (it ends the streams), then this. */
void events_free(events *e);

/* Stamps ev with the next sequence number and, if unset, the time, and
 * sends it to every subscriber, in order. ev stays the caller's. */
void events_emit(events *e, Synd__V1__SupervisionEvent *ev);

/* Subscribes the WatchSupervision stream c; with snapshot, the current
 * exposures come first. The stream is dropped from the feed when it ends.
 * Returns SYND_OK, or an error status in st (UNAVAILABLE when Redis is
 * down for a snapshot, RESOURCE_EXHAUSTED) and c is not subscribed. */
synd_code events_subscribe(events *e, rpc_call *c, int snapshot, synd_status *st);

#endif
