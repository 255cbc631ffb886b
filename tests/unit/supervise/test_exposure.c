/* The supervisors' exposure rankings: sums, HHI per borrower, ratios to
 * capital, and every order with its tie-breaks, worked by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "supervise/exposure.h"

#define MN(x)  ((int64_t)(x)*100000000LL) /* x million yuan, in fen */
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Pointers to each of v[0..n), as the functions take them. */
static const ledger_exposure **ptrs(const ledger_exposure *v, size_t n)
{
    static const ledger_exposure *p[64];

    cr_assert_leq(n, LEN(p));
    for (size_t i = 0; i < n; i++)
        p[i] = &v[i];
    return p;
}

/* Three borrowers: A (limit 2,000m) lent 500/300/200 by three banks, B
 * (limit 1,000m) lent 900 by one, C (no limit) lent 1,500 by two, and D
 * (no limit) lent 1,500 by one; a zero line for A does not count as a
 * lender. Listed out of order on purpose. */
static const ledger_exposure cast[] = {
    {"G2", "C", "BOC", MN(1000), 0},       {"G1", "A", "ICBC", MN(300), MN(2000)},
    {"G1", "B", "CCB", MN(900), MN(1000)}, {"G1", "A", "BOC", MN(500), MN(2000)},
    {"G3", "D", "ABC", MN(1500), 0},       {"G1", "A", "ABC", MN(200), MN(2000)},
    {"G2", "C", "ICBC", MN(500), 0},       {"G1", "A", "CMB", 0, MN(2000)},
};

Test(borrowers, limits_first_by_use_then_the_rest_by_total)
{
    exposure_borrower *rows;
    size_t n;
    synd_status st;

    cr_assert_eq(exposure_borrowers(ptrs(cast, LEN(cast)), LEN(cast), &rows, &n, &st), SYND_OK);
    cr_assert_eq(n, 4);
    /* B uses 90% of its limit, A 50%; C and D have none and tie on
     * total, so the lower code comes first. */
    cr_assert_str_eq(rows[0].borrower, "B");
    cr_assert_eq(rows[0].use_bps, 9000);
    cr_assert_eq(rows[0].hhi, 10000);
    cr_assert_eq(rows[0].lending_banks, 1);
    cr_assert_str_eq(rows[1].borrower, "A");
    cr_assert_str_eq(rows[1].group, "G1");
    cr_assert_eq(rows[1].total_fen, MN(1000));
    cr_assert_eq(rows[1].joint_limit_fen, MN(2000));
    cr_assert_eq(rows[1].use_bps, 5000);
    cr_assert_eq(rows[1].lending_banks, 3);
    cr_assert_eq(rows[1].hhi, 3800); /* 50^2 + 30^2 + 20^2 */
    cr_assert_str_eq(rows[2].borrower, "C");
    cr_assert_eq(rows[2].total_fen, MN(1500));
    cr_assert_eq(rows[2].use_bps, 0);
    cr_assert_eq(rows[2].hhi, 5555); /* (2/3)^2 + (1/3)^2, rounded down */
    cr_assert_str_eq(rows[3].borrower, "D");
    free(rows);
}

Test(borrowers, use_ties_go_to_the_larger_total_then_the_code)
{
    const ledger_exposure v[] = {
        {"G", "X", "BOC", MN(450), MN(500)},
        {"G", "Y", "BOC", MN(900), MN(1000)},
        {"G", "W", "BOC", MN(900), MN(1000)},
    };
    exposure_borrower *rows;
    size_t n;
    synd_status st;

    cr_assert_eq(exposure_borrowers(ptrs(v, LEN(v)), LEN(v), &rows, &n, &st), SYND_OK);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(rows[0].borrower, "W");
    cr_assert_str_eq(rows[1].borrower, "Y");
    cr_assert_str_eq(rows[2].borrower, "X");
    free(rows);
}

Test(borrowers, none_is_an_empty_list)
{
    exposure_borrower *rows;
    size_t n = 99;
    synd_status st;

    cr_assert_eq(exposure_borrowers(NULL, 0, &rows, &n, &st), SYND_OK);
    cr_assert_eq(n, 0);
    free(rows);
}

Test(borrowers, negative_or_overflowing_figures_are_refused)
{
    const ledger_exposure neg[] = {{"G", "A", "BOC", -1, 0}};
    const ledger_exposure big[] = {{"G", "A", "BOC", INT64_MAX, 0}, {"G", "A", "CCB", 1, 0}};
    exposure_borrower *rows;
    size_t n;
    synd_status st;

    cr_assert_eq(exposure_borrowers(ptrs(neg, 1), 1, &rows, &n, &st), SYND_INTERNAL);
    cr_assert_null(rows);
    cr_assert(strstr(st.message, "BOC") != NULL, "%s", st.message);
    cr_assert_eq(exposure_borrowers(ptrs(big, 2), 2, &rows, &n, &st), SYND_INTERNAL);
    cr_assert_eq(n, 0);
}

Test(totals, by_borrower_and_by_group_largest_first)
{
    /* One bank's lines: groups G1 (A 300 + B 300 = 600) and G2 (C 600,
     * tied with G1, so G1 first by id) and G3 (D 100). */
    const ledger_exposure v[] = {
        {"G2", "C", "BOC", MN(600), 0},
        {"G1", "B", "BOC", MN(300), 0},
        {"G3", "D", "BOC", MN(100), 0},
        {"G1", "A", "BOC", MN(300), 0},
    };
    exposure_total *t;
    size_t n;
    synd_status st;

    cr_assert_eq(exposure_totals(ptrs(v, LEN(v)), LEN(v), 0, &t, &n, &st), SYND_OK);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(t[0].id, "C");
    cr_assert_str_eq(t[1].id, "A"); /* A and B tie at 300 */
    cr_assert_str_eq(t[2].id, "B");
    cr_assert_str_eq(t[3].id, "D");
    free(t);
    cr_assert_eq(exposure_totals(ptrs(v, LEN(v)), LEN(v), 1, &t, &n, &st), SYND_OK);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(t[0].id, "G1");
    cr_assert_eq(t[0].fen, MN(600));
    cr_assert_str_eq(t[1].id, "G2");
    cr_assert_eq(t[1].fen, MN(600));
    cr_assert_str_eq(t[2].id, "G3");
    cr_assert_eq(t[2].fen, MN(100));
    free(t);
}

Test(totals, an_overflowing_group_is_refused)
{
    const ledger_exposure v[] = {{"G", "A", "BOC", INT64_MAX, 0}, {"G", "B", "BOC", 1, 0}};
    exposure_total *t;
    size_t n;
    synd_status st;

    cr_assert_eq(exposure_totals(ptrs(v, 2), 2, 0, &t, &n, &st), SYND_OK);
    free(t);
    cr_assert_eq(exposure_totals(ptrs(v, 2), 2, 1, &t, &n, &st), SYND_INTERNAL);
    cr_assert_null(t);
    cr_assert_eq(n, 0);
}

Test(pairs, by_ratio_to_capital_then_exposure_then_ids)
{
    const ledger_bank banks[] = {
        {"BOC", "Bank of China", MN(10000), MN(8000)},
        {"ICBC", "ICBC", MN(100000), MN(80000)},
        {"CMB", "CMB", MN(5000), MN(4000)},
    };
    const ledger_exposure v[] = {
        {"G", "A", "ICBC", MN(1000), 0}, /* 1% */
        {"G", "A", "BOC", MN(500), 0},   /* 5% */
        {"G", "B", "CMB", MN(250), 0},   /* 5%, smaller */
        {"G", "B", "BOC", MN(500), 0},   /* 5%, ties with BOC/A */
        {"G", "A", "XYZ", MN(9999), 0},  /* no capital known: 0 */
    };
    exposure_pair *p;
    synd_status st;

    cr_assert_eq(exposure_pairs(ptrs(v, LEN(v)), LEN(v), banks, LEN(banks), &p, &st), SYND_OK);
    cr_assert_str_eq(p[0].bank, "BOC");
    cr_assert_str_eq(p[0].borrower, "A");
    cr_assert_eq(p[0].ratio_capital_bps, 500);
    cr_assert_str_eq(p[1].bank, "BOC");
    cr_assert_str_eq(p[1].borrower, "B");
    cr_assert_str_eq(p[2].bank, "CMB");
    cr_assert_eq(p[2].ratio_capital_bps, 500);
    cr_assert_eq(p[2].fen, MN(250));
    cr_assert_str_eq(p[3].bank, "ICBC");
    cr_assert_eq(p[3].ratio_capital_bps, 100);
    cr_assert_str_eq(p[4].bank, "XYZ");
    cr_assert_eq(p[4].ratio_capital_bps, 0);
    free(p);
}

Test(sort, lines_largest_first_ties_by_bank)
{
    const ledger_exposure v[] = {
        {"G", "A", "CCB", MN(100), 0},
        {"G", "A", "ABC", MN(300), 0},
        {"G", "A", "BOC", MN(100), 0},
    };
    const ledger_exposure **p = ptrs(v, LEN(v));

    exposure_sort_lines(p, LEN(v));
    cr_assert_str_eq(p[0]->bank, "ABC");
    cr_assert_str_eq(p[1]->bank, "BOC");
    cr_assert_str_eq(p[2]->bank, "CCB");
}

Test(sort, snapshot_by_group_borrower_bank)
{
    const ledger_exposure **p = ptrs(cast, LEN(cast));
    static const char *const want[][2] = {{"A", "ABC"}, {"A", "BOC"}, {"A", "CMB"},  {"A", "ICBC"},
                                          {"B", "CCB"}, {"C", "BOC"}, {"C", "ICBC"}, {"D", "ABC"}};

    exposure_sort_ids(p, LEN(cast));
    for (size_t i = 0; i < LEN(cast); i++) {
        cr_assert_str_eq(p[i]->borrower, want[i][0], "at %zu", i);
        cr_assert_str_eq(p[i]->bank, want[i][1], "at %zu", i);
    }
}
