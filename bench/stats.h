/* The summary synd-bench-lag prints: nearest-rank percentiles of a set of
 * measured lags. Pure code, tested on its own. */
#ifndef SYND_BENCH_STATS_H
#define SYND_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct lag_stats {
    size_t count;
    int64_t min, p50, p90, p99, max; /* in the unit of the samples; 0 when count is 0 */
} lag_stats;

/* The nearest-rank percentile pct (1..100) of n sorted samples: the
 * smallest sample that at least pct% of the samples do not exceed. 0 when
 * n is 0. */
int64_t lag_percentile(const int64_t *sorted, size_t n, int pct);

/* Sorts the n samples in place and summarises them into s. */
void lag_stats_of(int64_t *samples, size_t n, lag_stats *s);

#endif
