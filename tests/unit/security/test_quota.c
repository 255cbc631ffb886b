/* Unit tests of the fair-use quotas (broker/rpc/quota.c): the token
 * bucket, with the time passed in, and the per-bank table. */
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/quota.h"

static const quota_opts opts = {.rate = 200, .burst = 400, .streams = 16};

#define T0 1000000

Test(quota, a_full_bucket_takes_its_burst_then_refuses)
{
    quota_bucket b;
    int taken = 0;

    quota_bucket_init(&b, &opts, T0);
    while (quota_bucket_take(&b, &opts, T0) && taken < 1000)
        taken++;
    cr_expect_eq(taken, 400);
    cr_expect_not(quota_bucket_take(&b, &opts, T0));
}

Test(quota, the_bucket_refills_at_the_rate_and_no_further_than_the_burst)
{
    quota_bucket b;
    int taken = 0;

    quota_bucket_init(&b, &opts, T0);
    while (quota_bucket_take(&b, &opts, T0))
        ;
    /* 200 a second is one every 5 ms. */
    cr_expect_not(quota_bucket_take(&b, &opts, T0 + 4));
    cr_expect(quota_bucket_take(&b, &opts, T0 + 5));
    cr_expect_not(quota_bucket_take(&b, &opts, T0 + 5));
    /* Half a second later: 100 more, exactly. */
    while (quota_bucket_take(&b, &opts, T0 + 505))
        taken++;
    cr_expect_eq(taken, 100);
    /* An hour later the bucket is full, not fuller. */
    taken = 0;
    while (quota_bucket_take(&b, &opts, T0 + 3600000) && taken < 1000)
        taken++;
    cr_expect_eq(taken, 400);
}

Test(quota, fractions_of_a_request_are_kept)
{
    quota_opts slow = {.rate = 3, .burst = 2};
    quota_bucket b;
    int taken = 0;

    quota_bucket_init(&b, &slow, T0);
    cr_expect(quota_bucket_take(&b, &slow, T0));
    cr_expect(quota_bucket_take(&b, &slow, T0));
    /* Three a second: one each 333.3 ms, refilled a millisecond at a time. */
    for (int64_t t = T0 + 1; t <= T0 + 1000; t++)
        taken += quota_bucket_take(&b, &slow, t);
    cr_expect_eq(taken, 3);
}

Test(quota, a_clock_that_goes_back_refills_nothing)
{
    quota_bucket b;

    quota_bucket_init(&b, &opts, T0);
    while (quota_bucket_take(&b, &opts, T0))
        ;
    cr_expect_not(quota_bucket_take(&b, &opts, T0 - 60000));
    cr_expect_not(quota_bucket_take(&b, &opts, T0 - 59996), "4 ms after the jump back");
    cr_expect(quota_bucket_take(&b, &opts, T0 - 59995), "5 ms after it");
}

Test(quota, extreme_gaps_and_rates_do_not_overflow)
{
    quota_opts big = {.rate = 1000000, .burst = 1000000};
    quota_bucket b;

    quota_bucket_init(&b, &big, 0);
    cr_expect(quota_bucket_take(&b, &big, INT64_MAX / 2));
    cr_expect_leq(b.milli, big.burst * 1000);
    cr_expect_geq(b.milli, 0);
}

Test(quota, rate_zero_is_no_limit)
{
    quota_opts off = {0};
    quota_bucket b;

    quota_bucket_init(&b, &off, T0);
    for (int i = 0; i < 100000; i++)
        cr_assert(quota_bucket_take(&b, &off, T0));
}

Test(quota, each_bank_has_its_own_bucket)
{
    quota *q = quota_new(&opts);
    quota_bank *boc, *cib, *again;
    synd_status st;
    int taken = 0;

    cr_assert_not_null(q);
    boc = quota_bank_of(q, "BOC-SH", T0);
    cib = quota_bank_of(q, "CIB", T0);
    again = quota_bank_of(q, "BOC-SH", T0);
    cr_assert_not_null(boc);
    cr_assert_not_null(cib);
    cr_expect_eq(boc, again);
    cr_expect_neq(boc, cib);
    while (quota_take(q, boc, T0, &st) == SYND_OK)
        taken++;
    cr_expect_eq(taken, 400);
    cr_expect_eq(st.code, SYND_RESOURCE_EXHAUSTED);
    cr_expect_str_eq(st.message, "bank BOC-SH is over its request rate quota of 200 a second "
                                 "(burst 400); slow down and retry (rule: request rate quota)");
    cr_expect_eq(quota_take(q, cib, T0, &st), SYND_OK, "another bank is untouched");
    quota_free(q);
}

Test(quota, anonymous_callers_share_one_bucket)
{
    quota_opts one = {.rate = 1, .burst = 1};
    quota *q = quota_new(&one);
    quota_bank *anon;
    synd_status st;

    cr_assert_not_null(q);
    anon = quota_bank_of(q, "", T0);
    cr_assert_not_null(anon);
    cr_expect_eq(quota_take(q, anon, T0, &st), SYND_OK);
    cr_assert_eq(quota_take(q, quota_bank_of(q, "", T0), T0, &st), SYND_RESOURCE_EXHAUSTED);
    cr_expect(strstr(st.message, "anonymous callers are over their shared request rate quota") ==
                  st.message,
              "%s", st.message);
    quota_free(q);
}

Test(quota, open_streams_are_counted_per_bank)
{
    quota_opts two = {.streams = 2};
    quota *q = quota_new(&two);
    quota_bank *boc, *cib;
    synd_status st;

    cr_assert_not_null(q);
    boc = quota_bank_of(q, "BOC-SH", T0);
    cib = quota_bank_of(q, "CIB", T0);
    cr_expect_eq(quota_stream_open(q, boc, &st), SYND_OK);
    cr_expect_eq(quota_stream_open(q, boc, &st), SYND_OK);
    cr_assert_eq(quota_stream_open(q, boc, &st), SYND_RESOURCE_EXHAUSTED);
    cr_expect_str_eq(st.message, "bank BOC-SH holds 2 open streams, its quota; end one before "
                                 "opening another (rule: open stream quota)");
    cr_expect_eq(quota_streams(boc), 2);
    cr_expect_eq(quota_stream_open(q, cib, &st), SYND_OK, "another bank is untouched");
    quota_stream_close(boc);
    cr_expect_eq(quota_streams(boc), 1);
    cr_expect_eq(quota_stream_open(q, boc, &st), SYND_OK, "room again after one ended");
    quota_stream_close(cib);
    quota_stream_close(cib);
    cr_expect_eq(quota_streams(cib), 0, "never below zero");
    quota_free(q);
}

Test(quota, refusals_are_recorded_once_a_second)
{
    quota *q = quota_new(&opts);
    quota_bank *b;
    uint64_t skipped = 99;

    cr_assert_not_null(q);
    b = quota_bank_of(q, "BOC-SH", T0);
    cr_assert(quota_notice_due(b, T0, &skipped));
    cr_expect_eq(skipped, 0);
    for (int i = 0; i < 10; i++)
        cr_expect_not(quota_notice_due(b, T0 + 100 * i, &skipped));
    cr_expect_not(quota_notice_due(b, T0 + QUOTA_NOTICE_MS - 1, &skipped));
    cr_assert(quota_notice_due(b, T0 + QUOTA_NOTICE_MS, &skipped));
    cr_expect_eq(skipped, 11, "the refusals not recorded in between");
    cr_expect_not(quota_notice_due(b, T0 + QUOTA_NOTICE_MS + 1, &skipped));
    quota_free(q);
}
