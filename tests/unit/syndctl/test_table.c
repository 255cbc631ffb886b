/* Unit tests of syndctl's tables and figures (client/syndctl/table.c):
 * columns line up in terminal columns, with "¥" and Chinese names; integer
 * percentages; UTC times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "ctl.h"

/* Prints t into a string, which the caller frees. */
static char *print_to_string(const ctl_table *t)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    cr_assert_not_null(f);
    cr_assert_eq(ctl_table_print(t, f), 0);
    cr_assert_eq(fclose(f), 0);
    return text;
}

Test(table, columns_align_by_their_display_width)
{
    static const char *const heads[] = {"bank", "allocation", "share"};
    const char *const rows[][3] = {
        {"ICBC (lead)", "¥450,000,000.00", "15.00%"},
        {"福建银行", "¥1.00", "0.00%"},
    };
    ctl_table *t = ctl_table_new(3, heads, "lrr");
    char *out;

    cr_assert_not_null(t);
    for (size_t i = 0; i < 2; i++)
        ctl_table_add(t, rows[i]);
    out = print_to_string(t);
    cr_assert_str_eq(out, "bank              allocation   share\n"
                          "-----------  ---------------  ------\n"
                          "ICBC (lead)  ¥450,000,000.00  15.00%\n"
                          "福建银行               ¥1.00   0.00%\n");
    free(out);
    ctl_table_free(t);
}

Test(table, last_left_column_has_no_trailing_blanks)
{
    static const char *const heads[] = {"code", "name"};
    const char *const row[] = {"91350100M000100Y43", "x"};
    ctl_table *t = ctl_table_new(2, heads, "ll");
    char *out;

    ctl_table_add(t, row);
    out = print_to_string(t);
    cr_assert_str_eq(out, "code                name\n"
                          "------------------  ----\n"
                          "91350100M000100Y43  x\n");
    free(out);
    ctl_table_free(t);
}

Test(table, many_rows)
{
    static const char *const heads[] = {"n"};
    ctl_table *t = ctl_table_new(1, heads, "r");
    char cell[16], *out;
    const char *row[] = {cell};

    for (int i = 0; i < 1000; i++) {
        snprintf(cell, sizeof(cell), "%d", i);
        ctl_table_add(t, row);
    }
    out = print_to_string(t);
    cr_assert(strncmp(out, "  n\n---\n  0\n  1\n", 16) == 0, "%.20s", out);
    cr_assert(strstr(out, "\n999\n") != NULL);
    free(out);
    ctl_table_free(t);
}

Test(table, bad_shapes_are_refused)
{
    static const char *const heads[] = {"a", "b"};

    cr_assert_null(ctl_table_new(2, heads, "l"));
    cr_assert_null(ctl_table_new(0, heads, ""));
    ctl_table_free(NULL);
}

Test(table, text_width)
{
    cr_assert_eq(ctl_text_width(""), 0);
    cr_assert_eq(ctl_text_width("abc"), 3);
    cr_assert_eq(ctl_text_width("¥1.00"), 5);
    cr_assert_eq(ctl_text_width("￥1"), 3); /* the fullwidth sign takes two */
    cr_assert_eq(ctl_text_width("福建银行"), 8);
    cr_assert_eq(ctl_text_width("\xe7\xa6"), 1); /* cut short */
    cr_assert_eq(ctl_text_width("a\xff"
                                "b"),
                 3);                                     /* a stray byte */
    cr_assert_eq(ctl_text_width("\xf0\xa0\x80\x80"), 2); /* U+20000, an ideograph */
}

/* Asserts that ctl_pct(part, whole) is want. */
static void expect_pct(int64_t part, int64_t whole, const char *want)
{
    char out[32];

    cr_assert_str_eq(ctl_pct(part, whole, out, sizeof(out)), want, "%lld / %lld", (long long)part,
                     (long long)whole);
}

Test(table, percentages_in_integers)
{
    expect_pct(45000000000LL, 300000000000LL, "15.00%");
    expect_pct(1, 3, "33.33%");
    expect_pct(2, 3, "66.66%"); /* rounded down, as the broker's rules are */
    expect_pct(0, 5, "0.00%");
    expect_pct(5, 5, "100.00%");
    expect_pct(-1, 4, "-25.00%");
    expect_pct(INT64_MAX, INT64_MAX, "100.00%");
    expect_pct(INT64_MAX - 1, INT64_MAX, "99.99%");
    expect_pct(1, 0, "-");
    expect_pct(1, -5, "-");
    expect_pct(INT64_MAX, 1, "-"); /* beyond what a percentage can say */
}

Test(table, times)
{
    char out[48];

    cr_assert_str_eq(ctl_time(1700000000000LL, out, sizeof(out)), "2023-11-14 22:13:20 UTC");
    cr_assert_str_eq(ctl_time(1700000000999LL, out, sizeof(out)), "2023-11-14 22:13:20 UTC");
    cr_assert_str_eq(ctl_time(0, out, sizeof(out)), "-");
    cr_assert_str_eq(ctl_time(1700000000000LL, out, 8), "-");
}
