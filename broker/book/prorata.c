/* Pro-rata with largest remainder, in whole allocation units.
 *
 * Every claimant gets the same ratio of its weight, rounded down; the units
 * that rounding leaves over go one each to the largest remainders, ties to
 * the earlier bid, then to the lower bank id. A claimant whose share would
 * pass its cap is held at the cap, and the ratio of the others grows to
 * absorb what it could not take. All ratios are exact rationals in 128-bit
 * integers, so the result never depends on rounding of floating point. */
#include <stdlib.h>
#include <string.h>

#include "book/internal.h"

/* Marks the claimants held at their caps (water-filling). At the ratio
 * left / weight of the uncapped ones, any claimant with weight * ratio
 * above its cap is capped; capping them can only raise the ratio of the
 * rest, so those stay capped and the loop ends within n rounds. */
static void mark_capped(book_pr_item **v, size_t n, int64_t total)
{
    for (size_t i = 0; i < n; i++)
        v[i]->capped = false;
    for (bool more = true; more;) {
        book_i128 left = total, weight = 0;
        for (size_t i = 0; i < n; i++) {
            if (v[i]->capped)
                left -= v[i]->cap;
            else
                weight += v[i]->weight;
        }
        more = false;
        for (size_t i = 0; i < n; i++) {
            if (!v[i]->capped && (book_i128)v[i]->weight * left > (book_i128)v[i]->cap * weight) {
                v[i]->capped = true;
                more = true;
            }
        }
    }
}

/* Gives each claimant its cap or its rounded-down share of what the caps
 * leave, keeping the remainder of the division. Returns the units left
 * over by the rounding, fewer than the uncapped claimants with a remainder. */
static int64_t floor_shares(book_pr_item **v, size_t n, int64_t total)
{
    book_i128 left = total, weight = 0, given = 0;

    for (size_t i = 0; i < n; i++) {
        if (v[i]->capped)
            left -= v[i]->cap;
        else
            weight += v[i]->weight;
    }
    for (size_t i = 0; i < n; i++) {
        book_pr_item *p = v[i];
        if (p->capped) {
            p->share = p->cap;
            p->rem = 0;
        } else {
            book_i128 x = (book_i128)p->weight * left;
            p->share = (int64_t)(x / weight);
            p->rem = x % weight;
        }
        given += p->share;
    }
    return (int64_t)(total - given);
}

/* Largest remainder first; ties to the earlier bid, then the lower id. */
static int by_remainder(const void *a, const void *b)
{
    const book_pr_item *x = *(book_pr_item *const *)a;
    const book_pr_item *y = *(book_pr_item *const *)b;

    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Moves the uncapped claimants to the front; returns how many there are. */
static size_t uncapped_first(book_pr_item **v, size_t n)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        if (!v[i]->capped) {
            book_pr_item *tmp = v[m];
            v[m++] = v[i];
            v[i] = tmp;
        }
    }
    return m;
}

int64_t book_prorata(book_pr_item **v, size_t n, int64_t total)
{
    book_i128 caps = 0;

    for (size_t i = 0; i < n; i++)
        caps += v[i]->cap;
    if (caps <= total) {
        for (size_t i = 0; i < n; i++)
            v[i]->share = v[i]->cap;
        return (int64_t)caps;
    }
    mark_capped(v, n, total);
    int64_t leftover = floor_shares(v, n, total);
    size_t m = uncapped_first(v, n);
    qsort(v, m, sizeof(*v), by_remainder);
    for (size_t i = 0; i < m && (int64_t)i < leftover; i++)
        v[i]->share++;
    return total;
}
