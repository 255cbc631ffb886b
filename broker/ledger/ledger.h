/* The ledger's Redis connection: hiredis' async API, driven by the broker's
 * zmq_poll loop with the Redis socket as a poll item.
 *
 * The connection is kept up by itself: a lost connection is retried with
 * backoff, and a PING every 500 ms finds a Redis that stopped answering.
 * Whoever needs to know (the health service) is told of every change of
 * state through a callback. Single-threaded, like the loop. */
#ifndef SYND_LEDGER_H
#define SYND_LEDGER_H

#include <stdint.h>

#include "synd/status.h"

typedef struct ledger ledger;

/* Called with up = 1 when Redis becomes usable (it answered PING and loaded
 * the synd Functions library) and 0 when it is lost. */
typedef void (*ledger_state_fn)(int up, void *arg);

/* Parses "host:port" and starts connecting. Returns NULL with the reason
 * in st only if the address is malformed; an unreachable Redis is retried. */
ledger *ledger_new(const char *address, ledger_state_fn fn, void *arg, synd_status *st);

/* Closes the connection. Pending commands get NULL replies. */
void ledger_free(ledger *l);

int ledger_is_up(const ledger *l);

/* The Redis socket and the events hiredis waits for. Returns -1 if there
 * is no socket at the moment (between reconnects). */
int ledger_poll_fd(const ledger *l, short *events);

/* Hands poll results for the Redis socket to hiredis. */
void ledger_on_events(ledger *l, short revents);

/* Runs timers: reconnects, PINGs, and drops a Redis that stopped
 * answering. Returns the ms until it next needs to run. */
int64_t ledger_tick(ledger *l, int64_t now_ms);

#endif
