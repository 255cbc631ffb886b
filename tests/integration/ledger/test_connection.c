/* The ledger's connection: the Functions library is loaded on every
 * connection, and a Redis that is down or goes away is UNAVAILABLE. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

#define OTHER_LIB "#!lua name=other\nredis.register_function('bank_get', function() return 1 end)"

TestSuite(ledger_connection, .fini = fx_stop, .timeout = 60);

static const ledger_bank boc = {"BOC", "Bank of China", 400, 300};

/* Asserts that the library answers: an unknown bank is its NOT_FOUND. */
static void library_answers(void)
{
    const ledger_result *r = CALL(ledger_bank_get, "BOC");

    cr_assert_eq(r->code, SYND_NOT_FOUND, "got %s: %s", synd_code_name(r->code), r->message);
}

/* How many FUNCTION LOAD calls Redis failed, from INFO commandstats. */
static long failed_loads(void)
{
    const char *line = strstr(fx_redis("INFO commandstats")->str, "cmdstat_function|load:");
    const char *failed = line ? strstr(line, "failed_calls=") : NULL;

    return failed ? strtol(failed + strlen("failed_calls="), NULL, 10) : 0;
}

static int load_failed(void *unused)
{
    return failed_loads() > 0;
}

Test(ledger_connection, calls_are_refused_while_redis_is_down)
{
    fx_redis_start();
    cr_assert_eq(harness_redis_kill(&fx_h), 0);
    fx_ledger_start();
    cr_assert_not(ledger_is_up(fx_l));
    cr_assert_eq(ledger_bank_get(fx_l, "BOC", fx_cb, fx_next()), -1);
    cr_assert_eq(ledger_bank_put(fx_l, &boc, fx_cb, fx_next()), -1);
}

Test(ledger_connection, a_call_waiting_when_redis_dies_is_unavailable)
{
    const ledger_result *r;
    int times;

    fx_start();
    cr_assert_eq(ledger_bank_put(fx_l, &boc, fx_cb, fx_next()), 0);
    cr_assert_eq(harness_redis_kill(&fx_h), 0);
    r = fx_wait(0);
    cr_assert_eq(r->code, SYND_UNAVAILABLE, "got %s: %s", synd_code_name(r->code), r->message);
    cr_assert_str_eq(r->message, "redis is not available");
    cr_assert_null(r->bank);
    cr_assert(fx_until(fx_is_down, NULL, FX_UP_MS));
    cr_assert_eq(ledger_bank_get(fx_l, "BOC", fx_cb, fx_next()), -1);
    fx_last(&times);
    cr_assert_eq(times, 0);
}

Test(ledger_connection, a_call_waiting_when_the_ledger_is_freed_is_unavailable)
{
    const ledger_result *r;
    int times;

    fx_start();
    cr_assert_eq(ledger_bank_get(fx_l, "BOC", fx_cb, fx_next()), 0);
    ledger_free(fx_l);
    fx_l = NULL;
    r = fx_last(&times);
    cr_assert_eq(times, 1);
    cr_assert_eq(r->code, SYND_UNAVAILABLE);
}

Test(ledger_connection, the_library_is_loaded_again_after_a_restart)
{
    fx_start();
    cr_assert_eq(CALL(ledger_bank_put, &boc)->code, SYND_OK);
    cr_assert_eq(harness_redis_kill(&fx_h), 0);
    cr_assert(fx_until(fx_is_down, NULL, FX_UP_MS), "the ledger did not see Redis go");
    cr_assert_eq(harness_redis_start(&fx_h), 0); /* empty: no data, no functions */
    cr_assert_eq(fx_redis("FUNCTION LIST")->elements, 0);
    cr_assert(fx_until(fx_is_up, NULL, FX_UP_MS), "the ledger did not come back");
    cr_assert_eq(fx_redis("FUNCTION LIST LIBRARYNAME synd")->elements, 1);
    library_answers();
    cr_assert_eq(CALL(ledger_bank_put, &boc)->code, SYND_OK);
    cr_assert_eq(CALL(ledger_bank_get, "BOC")->bank->net_capital_fen, 400);
}

Test(ledger_connection, a_refused_load_keeps_redis_down_and_is_tried_again)
{
    fx_redis_start();
    /* Another library owning one of our function names makes the load fail. */
    cr_assert_eq(fx_redis("FUNCTION LOAD %s", OTHER_LIB)->type, REDIS_REPLY_STRING);
    fx_ledger_start();
    cr_assert(fx_until(load_failed, NULL, FX_UP_MS), "the ledger never tried to load");
    cr_assert_not(ledger_is_up(fx_l));
    cr_assert_eq(ledger_bank_get(fx_l, "BOC", fx_cb, fx_next()), -1);

    cr_assert_eq(fx_redis("FUNCTION DELETE other")->type, REDIS_REPLY_STATUS);
    cr_assert(fx_until(fx_is_up, NULL, FX_UP_MS), "the ledger did not load on a later try");
    library_answers();
}
