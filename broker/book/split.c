/* Pro-rata split with largest remainders. */
#include <stdlib.h>

#include "book/internal.h"
#include "book/split.h"

/* The weights' total, or -1 if one is negative or the sum overflows. */
static int64_t total_of(const int64_t *w, size_t n)
{
    int64_t total = 0;

    for (size_t i = 0; i < n; i++) {
        if (w[i] < 0 || __builtin_add_overflow(total, w[i], &total))
            return -1;
    }
    return total;
}

/* Hands the leftover fen to the largest remainders, lower index first on
 * a tie: one pass per fen, and fewer fen are left than there are parts. */
static void hand_out(int64_t left, book_i128 *rem, size_t n, int64_t *out)
{
    while (left-- > 0) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (rem[i] > 0 && (best == n || rem[i] > rem[best]))
                best = i;
        }
        out[best]++;
        rem[best] = 0;
    }
}

synd_code book_split_pro_rata(int64_t amount_fen, const int64_t *weights, size_t n, int64_t *out,
                              synd_status *st)
{
    int64_t total = total_of(weights, n), given = 0;
    book_i128 *rem;

    if (total < 0 || amount_fen <= 0)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "amount must be positive and holdings non-negative");
    if (amount_fen > total)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "%s is more than the %s outstanding (rule: repay at most what is "
                               "outstanding)",
                               book_money(amount_fen).s, book_money(total).s);
    if ((rem = calloc(n ? n : 1, sizeof(*rem))) == NULL)
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
    for (size_t i = 0; i < n; i++) {
        book_i128 p = (book_i128)amount_fen * weights[i];
        out[i] = (int64_t)(p / total);
        rem[i] = p % total;
        given += out[i];
    }
    hand_out(amount_fen - given, rem, n, out);
    free(rem);
    return SYND_OK;
}
