/* synd-watch's internals: what main.c (flags, --once) and live.c (the
 * dashboard) share. */
#ifndef SYND_WATCH_LIVE_H
#define SYND_WATCH_LIVE_H

#include <signal.h>
#include <stdint.h>

#include "synd/synd.h"
#include "synd/v1/supervision.pb-c.h"

#define WATCH_CALL_TIMEOUT_MS 3000

typedef struct watch_opts {
    const char *endpoint;
    const synd_keys *keys; /* NULL: a plain connection (--insecure) */
    int64_t interval_ms;   /* between two refreshes of the figures */
    int32_t top;           /* borrowers and pairs asked of TopConcentrations */
} watch_opts;

/* Asks the broker for the top n borrowers and pairs. On SYND_OK, *top is
 * to be freed with protobuf_c_message_free_unpacked(). stop ends the call
 * early. */
synd_code watch_fetch_top(synd_client *c, int32_t n, const volatile sig_atomic_t *stop,
                          Synd__V1__TopConcentrationsResponse **top, synd_status *st);

/* Runs the dashboard on the terminal until 'q' or *stop. Returns the exit
 * code: 0, or 1 after printing why it could not run. */
int watch_live(const watch_opts *o, volatile sig_atomic_t *stop);

#endif
