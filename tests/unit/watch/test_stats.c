/* synd-bench-lag's figures: nearest-rank percentiles, each a measured
 * sample. */
#include <stdint.h>

#include <criterion/criterion.h>

#include "stats.h"

Test(stats, nothing_measured_is_all_zero)
{
    lag_stats s;

    lag_stats_of(NULL, 0, &s);
    cr_expect_eq(s.count, 0);
    cr_expect_eq(s.p50, 0);
    cr_expect_eq(s.p99, 0);
    cr_expect_eq(s.max, 0);
    cr_expect_eq(lag_percentile(NULL, 0, 50), 0);
}

Test(stats, one_sample_is_every_percentile)
{
    int64_t one[] = {812};
    lag_stats s;

    lag_stats_of(one, 1, &s);
    cr_expect_eq(s.count, 1);
    cr_expect_eq(s.min, 812);
    cr_expect_eq(s.p50, 812);
    cr_expect_eq(s.p90, 812);
    cr_expect_eq(s.p99, 812);
    cr_expect_eq(s.max, 812);
}

Test(stats, a_hundred_samples_by_nearest_rank)
{
    int64_t v[100];
    lag_stats s;

    /* 100, 99, ..., 1: sorted first. */
    for (int i = 0; i < 100; i++)
        v[i] = 100 - i;
    lag_stats_of(v, 100, &s);
    cr_expect_eq(s.min, 1);
    cr_expect_eq(s.p50, 50);
    cr_expect_eq(s.p90, 90);
    cr_expect_eq(s.p99, 99);
    cr_expect_eq(s.max, 100);
}

Test(stats, ranks_round_up)
{
    int64_t v[] = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110};

    /* 11 samples: rank ceil(5.5) = 6 for p50, ceil(9.9) = 10 for p90,
     * ceil(10.89) = 11 for p99. */
    cr_expect_eq(lag_percentile(v, 11, 50), 60);
    cr_expect_eq(lag_percentile(v, 11, 90), 100);
    cr_expect_eq(lag_percentile(v, 11, 99), 110);
    cr_expect_eq(lag_percentile(v, 11, 100), 110);
    cr_expect_eq(lag_percentile(v, 11, 1), 10);
    /* Out of range, clamped. */
    cr_expect_eq(lag_percentile(v, 11, 0), 10);
    cr_expect_eq(lag_percentile(v, 11, 150), 110);
}

Test(stats, one_slow_sample_in_fifty_is_the_p99)
{
    int64_t v[50];
    lag_stats s;

    for (int i = 0; i < 50; i++)
        v[i] = 1000;
    v[17] = 150000;
    lag_stats_of(v, 50, &s);
    cr_expect_eq(s.p50, 1000);
    cr_expect_eq(s.p90, 1000);
    cr_expect_eq(s.p99, 150000, "rank ceil(49.5) = 50: the slowest");
    cr_expect_eq(s.max, 150000);
}
