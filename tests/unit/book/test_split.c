/* book_split_pro_rata: repayments shared by what each lender is owed. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "book/split.h"

Test(split, exact_shares)
{
    int64_t w[] = {600, 300, 100}, out[3];
    synd_status st;

    cr_assert_eq(book_split_pro_rata(500, w, 3, out, &st), SYND_OK);
    cr_expect_eq(out[0], 300);
    cr_expect_eq(out[1], 150);
    cr_expect_eq(out[2], 50);
}

/* 100 over three equal holders: 33 each, the leftover fen to the first. */
Test(split, leftover_by_largest_remainder_then_lower_index)
{
    int64_t w[] = {10, 10, 10}, out[3];
    synd_status st;

    cr_assert_eq(book_split_pro_rata(10, w, 3, out, &st), SYND_OK);
    cr_expect_eq(out[0] + out[1] + out[2], 10);
    cr_expect_eq(out[0], 4);
    cr_expect_eq(out[1], 3);
    cr_expect_eq(out[2], 3);
}

/* 7 over {5, 3}: 4.375 and 2.625; the larger remainder (0.625) wins. */
Test(split, larger_remainder_wins)
{
    int64_t w[] = {5, 3}, out[2];
    synd_status st;

    cr_assert_eq(book_split_pro_rata(7, w, 2, out, &st), SYND_OK);
    cr_expect_eq(out[0], 4);
    cr_expect_eq(out[1], 3);
}

Test(split, whole_repayment_clears_everyone)
{
    int64_t w[] = {45000000000LL, 85000000000LL, 1}, out[3];
    synd_status st;

    cr_assert_eq(book_split_pro_rata(130000000001LL, w, 3, out, &st), SYND_OK);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(out[i], w[i]);
}

Test(split, refusals)
{
    int64_t w[] = {10, 20}, neg[] = {10, -1}, big[] = {INT64_MAX, 1}, out[2];
    synd_status st;

    cr_expect_eq(book_split_pro_rata(31, w, 2, out, &st), SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "rule: repay at most what is outstanding") != NULL);
    cr_expect_eq(book_split_pro_rata(0, w, 2, out, &st), SYND_INVALID_ARGUMENT);
    cr_expect_eq(book_split_pro_rata(5, neg, 2, out, &st), SYND_INVALID_ARGUMENT);
    cr_expect_eq(book_split_pro_rata(5, big, 2, out, &st), SYND_INVALID_ARGUMENT);
}

Test(split, near_int64_max_is_exact)
{
    int64_t w[] = {INT64_MAX / 2, INT64_MAX / 2}, out[2];
    synd_status st;

    cr_assert_eq(book_split_pro_rata(INT64_MAX - 1, w, 2, out, &st), SYND_OK);
    cr_expect_eq(out[0], INT64_MAX / 2);
    cr_expect_eq(out[1], INT64_MAX / 2);
}
