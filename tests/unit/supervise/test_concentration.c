/* The figures supervisors read: ratios to capital, the largest-ten-clients
 * ratio and the HHI of lender shares, each worked by hand. */
#include <criterion/criterion.h>

#include "supervise/limits.h"

#define BN(x)  ((int64_t)(x)*100000000000LL) /* x billion yuan, in fen */
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

Test(ratio, rounds_down_in_basis_points)
{
    cr_assert_eq(limit_ratio_bps(BN(35), BN(350)), 1000);    /* exactly 10% */
    cr_assert_eq(limit_ratio_bps(BN(35) - 1, BN(350)), 999); /* one fen under */
    cr_assert_eq(limit_ratio_bps(BN(35) + 35, BN(350)), 1000);
    cr_assert_eq(limit_ratio_bps(1, 3), 3333);
    cr_assert_eq(limit_ratio_bps(2, 3), 6666);
    cr_assert_eq(limit_ratio_bps(1, 10001), 0);
    cr_assert_eq(limit_ratio_bps(3, 2), 15000); /* over the whole */
}

Test(ratio, degenerate_figures)
{
    cr_assert_eq(limit_ratio_bps(5, 0), 0);
    cr_assert_eq(limit_ratio_bps(5, -1), 0);
    cr_assert_eq(limit_ratio_bps(0, 5), 0);
    cr_assert_eq(limit_ratio_bps(-5, 5), 0);
    cr_assert_eq(limit_ratio_bps(INT64_MAX, INT64_MAX), 10000);
    cr_assert_eq(limit_ratio_bps(INT64_MAX, 1), INT64_MAX); /* saturates */
    cr_assert_eq(limit_ratio_bps(INT64_MAX / 10000, 1), INT64_MAX / 10000 * 10000);
}

Test(top_clients, fewer_than_ten_counts_them_all)
{
    int64_t e[] = {BN(1), BN(3), BN(2)};

    cr_assert_eq(limit_top_clients_bps(e, LEN(e), BN(60)), 1000); /* 6 of 60 */
    cr_assert_eq(limit_top_clients_bps(e, 0, BN(60)), 0);
    cr_assert_eq(limit_top_clients_bps(NULL, 0, BN(60)), 0);
}

Test(top_clients, exactly_ten)
{
    int64_t e[10];

    for (size_t i = 0; i < LEN(e); i++)
        e[i] = BN(1);
    cr_assert_eq(limit_top_clients_bps(e, LEN(e), BN(100)), 1000);
}

Test(top_clients, more_than_ten_keeps_the_largest)
{
    /* 1..12 billion, shuffled: the ten largest are 3..12, ¥75bn in all. */
    int64_t e[] = {BN(7),  BN(1), BN(12), BN(4),  BN(9), BN(2),
                   BN(11), BN(3), BN(6),  BN(10), BN(5), BN(8)};
    int64_t asc[12], desc[12];

    cr_assert_eq(limit_top_clients_bps(e, LEN(e), BN(100)), 7500);
    for (size_t i = 0; i < 12; i++) {
        asc[i] = BN(i + 1);
        desc[i] = BN(12 - i);
    }
    cr_assert_eq(limit_top_clients_bps(asc, 12, BN(100)), 7500);
    cr_assert_eq(limit_top_clients_bps(desc, 12, BN(100)), 7500);
    /* One fen less than ¥75bn of a ¥100bn capital: rounded down. */
    asc[2] -= 1;
    asc[0] = asc[1] = 0;
    cr_assert_eq(limit_top_clients_bps(asc, 12, BN(100)), 7499);
}

Test(top_clients, ties_and_negatives)
{
    int64_t e[14];

    for (size_t i = 0; i < LEN(e); i++)
        e[i] = i % 2 ? BN(1) : -BN(50); /* seven ¥1bn, seven not trusted */
    cr_assert_eq(limit_top_clients_bps(e, LEN(e), BN(70)), 1000);
    for (size_t i = 0; i < LEN(e); i++)
        e[i] = BN(2); /* fourteen equal: ten count */
    cr_assert_eq(limit_top_clients_bps(e, LEN(e), BN(100)), 2000);
}

Test(top_clients, sums_past_int64_are_exact)
{
    int64_t e[12];

    for (size_t i = 0; i < LEN(e); i++)
        e[i] = INT64_MAX;
    cr_assert_eq(limit_top_clients_bps(e, LEN(e), INT64_MAX), 100000); /* ten times */
    cr_assert_eq(limit_top_clients_bps(e, LEN(e), 0), 0);
    cr_assert_eq(limit_top_clients_bps(e, LEN(e), 1), INT64_MAX);
}

Test(hhi, hand_worked)
{
    int64_t one[] = {BN(5)};
    int64_t two[] = {BN(3), BN(3)};
    int64_t three[] = {BN(50), BN(30), BN(20)};
    int64_t thirds[] = {7, 7, 7};
    int64_t ten[10];

    cr_assert_eq(limit_hhi(one, LEN(one)), 10000);
    cr_assert_eq(limit_hhi(two, LEN(two)), 5000);
    cr_assert_eq(limit_hhi(three, LEN(three)), 3800);   /* 2,500 + 900 + 400 */
    cr_assert_eq(limit_hhi(thirds, LEN(thirds)), 3333); /* 3,333.33..., rounded down */
    for (size_t i = 0; i < LEN(ten); i++)
        ten[i] = BN(1);
    cr_assert_eq(limit_hhi(ten, LEN(ten)), 1000);
}

Test(hhi, rounds_down)
{
    /* 2/3 and 1/3: 4,444.4... + 1,111.1... = 5,555.5...; 99 and 1 fen:
     * 9,801 + 1 = 9,802 exactly. */
    int64_t a[] = {2, 1};
    int64_t b[] = {99, 1};

    cr_assert_eq(limit_hhi(a, LEN(a)), 5555);
    cr_assert_eq(limit_hhi(b, LEN(b)), 9802);
}

Test(hhi, zero_lenders_count_for_nothing)
{
    int64_t e[] = {0, BN(2), 0};
    int64_t none[] = {0, 0};

    cr_assert_eq(limit_hhi(e, LEN(e)), 10000);
    cr_assert_eq(limit_hhi(none, LEN(none)), 0);
    cr_assert_eq(limit_hhi(NULL, 0), 0);
}

Test(hhi, exact_near_int64_max)
{
    int64_t one[] = {INT64_MAX};
    int64_t halves[] = {INT64_MAX / 2, INT64_MAX - INT64_MAX / 2};
    int64_t lopsided[] = {INT64_MAX - 1, 1};

    cr_assert_eq(limit_hhi(one, LEN(one)), 10000);
    cr_assert_eq(limit_hhi(halves, LEN(halves)), 5000);
    cr_assert_eq(limit_hhi(lopsided, LEN(lopsided)), 9999); /* just under 10,000 */
}

Test(hhi, refuses_what_it_cannot_share_out)
{
    int64_t negative[] = {BN(1), -1};
    int64_t overflow[] = {INT64_MAX, 1};

    cr_assert_eq(limit_hhi(negative, LEN(negative)), -1);
    cr_assert_eq(limit_hhi(overflow, LEN(overflow)), -1);
}
