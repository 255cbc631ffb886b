/* The ledger's integration-test fixture: a redis-server of the test's own
 * on a free loopback port (started through the integration harness), a
 * ledger connected to it, and a poll loop that drives the ledger the way
 * the broker's loop does, so each call runs to its callback.
 *
 * Results are copied when the callback runs (the ledger's own live only
 * until it returns) and freed by fx_stop(). Every helper asserts, so a
 * test fails at the step that went wrong. */
#ifndef SYND_TEST_LEDGER_FIXTURE_H
#define SYND_TEST_LEDGER_FIXTURE_H

#include <stdint.h>

#include <hiredis/hiredis.h>

#include "harness.h"
#include "ledger/books.h"
#include "ledger/ledger.h"

#define FX_CALL_MS 5000  /* bound for one call to reach its callback */
#define FX_UP_MS   10000 /* bound for the ledger to come up */

extern harness fx_h;
extern ledger *fx_l;

/* Starts Redis, then the ledger, and waits until the ledger is up. */
void fx_start(void);

/* Starts only Redis; fx_ledger_start() then connects. */
void fx_redis_start(void);
void fx_ledger_start(void);

/* Frees the ledger (if any), stops Redis, frees every copied result. */
void fx_stop(void);

/* Runs the ledger's loop until cond(arg) holds or bound_ms pass. Returns
 * 1 if it held. */
int fx_until(int (*cond)(void *), void *arg, int bound_ms);
int fx_is_up(void *unused);
int fx_is_down(void *unused);

/* The callback and argument for the next call; fx_wait() runs the loop
 * until that call's callback ran (asserting rc == 0 and that it ran once)
 * and returns its copied result. CALL() does all three. */
void fx_cb(void *arg, const ledger_result *r);
void *fx_next(void);
const ledger_result *fx_wait(int rc);

#define CALL(fn, ...) fx_wait(fn(fx_l, __VA_ARGS__, fx_cb, fx_next()))
#define CALL0(fn)     fx_wait(fn(fx_l, fx_cb, fx_next()))

/* The result of the last fx_next() call so far, and how often its
 * callback ran. */
const ledger_result *fx_last(int *times);

/* One command on a separate, blocking connection to the test's Redis,
 * for looking at keys behind the ledger's back (hiredis format: pass keys
 * as %s). The reply is freed by fx_stop(). */
const redisReply *fx_redis(const char *fmt, ...);

/* The whole database as text (every key, its type and its content,
 * sorted), for showing that a refused call wrote nothing. Lives until
 * fx_stop(). */
const char *fx_dump(void);

/* A copy of s that lives until fx_stop(). */
const char *fx_keep_str(const char *s);

#endif
