/* Percentiles of measured lags, by nearest rank: each figure is a sample
 * that was measured, never an interpolation between two. */
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

int64_t lag_percentile(const int64_t *sorted, size_t n, int pct)
{
    size_t rank;

    if (n == 0)
        return 0;
    pct = pct < 1 ? 1 : pct > 100 ? 100 : pct;
    /* rank = ceil(pct * n / 100), from 1 to n. */
    rank = ((size_t)pct * n + 99) / 100;
    return sorted[rank - 1];
}

void lag_stats_of(int64_t *samples, size_t n, lag_stats *s)
{
    memset(s, 0, sizeof(*s));
    s->count = n;
    if (n == 0)
        return;
    qsort(samples, n, sizeof(*samples), cmp_i64);
    s->min = samples[0];
    s->max = samples[n - 1];
    s->p50 = lag_percentile(samples, n, 50);
    s->p90 = lag_percentile(samples, n, 90);
    s->p99 = lag_percentile(samples, n, 99);
}
