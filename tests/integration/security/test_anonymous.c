/* Integration: the anonymous column of the authorization matrix, on a
 * broker run with --insecure, which has no identities: a caller gets
 * health and reflection, and PERMISSION_DENIED for every other method. */
#include <criterion/criterion.h>

#include "matrix.h"

static harness plain;

static void plain_start(void)
{
    cr_assert_eq(harness_prepare(&plain), 0, "cannot start redis-server");
    cr_assert_eq(harness_broker_start(&plain, &plain.plain, 1), 0, "cannot start the broker");
}

static void plain_stop(void)
{
    cr_expect_eq(harness_stop(&plain), 0, "the broker did not stop cleanly");
}

TestSuite(authz_anonymous, .init = plain_start, .fini = plain_stop, .timeout = 60);

Test(authz_anonymous, an_anonymous_caller_gets_health_and_reflection_only)
{
    static const mx_books none = {"BK-1", "BK-2", "BK-3", "BK-4", "BK-5"};
    synd_client *c = harness_client_at(&plain, &plain.plain, HARNESS_LEAD);

    cr_assert_not_null(c);
    mx_build(&none);
    for (size_t r = 0; r < mx_rows(); r++)
        mx_check_cell(r, MX_ANON, c);
    synd_client_free(c);
}
