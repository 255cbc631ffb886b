/* The rows of the tables: each column where the layout puts it, cut to
 * its width at a character's boundary, and no trailing space. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "watch/watch.h"

#define CODE "91350100M000100Y43"

static char out[WATCH_ROW_BYTES(200)];
static char want[1024];

/* want, cut to cols characters (ASCII here) and its trailing spaces. */
static const char *cut(int cols)
{
    size_t n = strlen(want);

    if (n > (size_t)cols)
        n = (size_t)cols;
    while (n > 0 && want[n - 1] == ' ')
        n--;
    want[n] = '\0';
    return want;
}

static watch_layout layout(int cols)
{
    watch_layout l;

    cr_assert_eq(watch_layout_compute(24, cols, 5, 5, &l), 0);
    return l;
}

static Synd__V1__BorrowerUse borrower(const char *group, int64_t total, int64_t limit, int64_t use)
{
    Synd__V1__BorrowerUse b = SYND__V1__BORROWER_USE__INIT;

    b.borrower_code = CODE;
    b.group_id = (char *)group;
    b.total_fen = total;
    b.joint_limit_fen = limit;
    b.use_bps = use;
    b.lending_banks = 7;
    b.hhi = 1836;
    return b;
}

Test(rows, top_heading_names_every_column_and_the_bar)
{
    watch_layout l = layout(80);

    snprintf(want, sizeof(want), "%-19s%-11s%9s %9s %7s %5s %5s %s", "borrower", "group", "total",
             "limit", "use", "banks", "HHI", "use bar, | at 90%");
    cr_expect_str_eq(watch_top_heading(&l, out), cut(80));
}

Test(rows, top_row_puts_each_figure_under_its_heading)
{
    watch_layout l = layout(80);
    /* ¥4.5bn of a ¥5bn limit: 90%. */
    Synd__V1__BorrowerUse b = borrower("FJLE", 450000000000, 500000000000, 9000);

    snprintf(want, sizeof(want), "%-19s%-11s%9s %9s %7s %5s %5s", CODE, "FJLE", "4.50bn", "5.00bn",
             "90.00%", "7", "1836");
    cr_expect_str_eq(watch_top_row(&l, &b, out), cut(80));
}

Test(rows, a_borrower_without_a_limit_says_none)
{
    watch_layout l = layout(80);
    Synd__V1__BorrowerUse b = borrower("FJLE", 100000000000, 0, 0);

    snprintf(want, sizeof(want), "%-19s%-11s%9s %9s %7s %5s %5s", CODE, "FJLE", "1.00bn", "none",
             "-", "7", "1836");
    cr_expect_str_eq(watch_top_row(&l, &b, out), cut(80));
}

Test(rows, a_long_group_is_cut_and_a_narrow_screen_drops_it)
{
    watch_layout l = layout(80);
    Synd__V1__BorrowerUse b = borrower("ABCDEFGHIJKLMNOP", 100000, 200000, 5000);

    snprintf(want, sizeof(want), "%-19s%-11s%9s %9s %7s %5s %5s", CODE, "ABCDEFGHIJ", "1.00k",
             "2.00k", "50.00%", "7", "1836");
    cr_expect_str_eq(watch_top_row(&l, &b, out), cut(80));

    l = layout(79);
    snprintf(want, sizeof(want), "%-19s%9s %9s %7s %5s %5s", CODE, "1.00k", "2.00k", "50.00%", "7",
             "1836");
    cr_expect_str_eq(watch_top_row(&l, &b, out), cut(79));
}

Test(rows, a_missing_string_is_empty)
{
    watch_layout l = layout(80);
    Synd__V1__BorrowerUse b = borrower(NULL, 0, 0, 0);

    b.borrower_code = NULL;
    snprintf(want, sizeof(want), "%-19s%-11s%9s %9s %7s %5s %5s", "", "", "0.00", "none", "-", "7",
             "1836");
    cr_expect_str_eq(watch_top_row(&l, &b, out), cut(80));
}

Test(rows, pairs)
{
    Synd__V1__PairRatio p = SYND__V1__PAIR_RATIO__INIT;

    p.bank_id = "BOC";
    p.borrower_code = CODE;
    p.exposure_fen = 35000000000; /* ¥350m */
    p.ratio_capital_bps = 100;
    snprintf(want, sizeof(want), "%-11s%-19s%9s %10s", "bank", "borrower", "exposure",
             "of capital");
    cr_expect_str_eq(watch_pair_heading(80, out), cut(80));
    snprintf(want, sizeof(want), "%-11s%-19s%9s %10s", "BOC", CODE, "350.00m", "1.00%");
    cr_expect_str_eq(watch_pair_row(80, &p, out), cut(80));
    /* Cut at the screen's edge. */
    cr_expect_str_eq(watch_pair_row(35, &p, out), cut(35));
}

static watch_alert alert(Synd__V1__SupervisionEvent__Kind kind, const char *bank,
                         const char *borrower_code, const char *text)
{
    watch_alert a;

    memset(&a, 0, sizeof(a));
    a.time_ms = 1714557600123;
    a.kind = kind;
    snprintf(a.bank, sizeof(a.bank), "%s", bank);
    snprintf(a.borrower, sizeof(a.borrower), "%s", borrower_code);
    snprintf(a.text, sizeof(a.text), "%s", text);
    return a;
}

Test(rows, alerts)
{
    watch_alert a = alert(SYND__V1__SUPERVISION_EVENT__KIND__ALERT, "ICBC", CODE,
                          "warning line: 90% of the joint credit limit");
    watch_alert b = alert(SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED, "BOC", "",
                          "SubmitBid NOT_FOUND: no book BK-9");

    snprintf(want, sizeof(want), "%-13s%-8s%-11s%-19s%s", "time (UTC)", "kind", "bank", "borrower",
             "what");
    cr_expect_str_eq(watch_alert_heading(100, out), cut(100));
    snprintf(want, sizeof(want), "%-13s%-8s%-11s%-19s%s", "10:00:00.123", "ALERT", "ICBC", CODE,
             a.text);
    cr_expect_str_eq(watch_alert_row(120, &a, out), cut(120));
    snprintf(want, sizeof(want), "%-13s%-8s%-11s%-19s%s", "10:00:00.123", "BLOCKED", "BOC", "-",
             b.text);
    cr_expect_str_eq(watch_alert_row(120, &b, out), cut(120));
    /* What happened is cut at the screen's edge. */
    cr_expect_str_eq(watch_alert_row(60, &b, out), cut(60));
    cr_expect_eq(strlen(out), 60);
}

Test(rows, no_trailing_space_when_the_last_columns_are_empty)
{
    watch_alert a = alert(SYND__V1__SUPERVISION_EVENT__KIND__ALERT, "ICBC", CODE, "");

    watch_alert_row(120, &a, out);
    cr_expect_str_eq(out, "10:00:00.123 ALERT   ICBC       " CODE);
}

Test(rows, utf8_is_cut_between_characters_and_counted_as_one_column_each)
{
    /* "¥" is two bytes and one column. The text starts at column 51. */
    watch_alert a = alert(SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED, "BOC", CODE,
                          "\xc2\xa5"
                          "350,001,000.00 is over");

    watch_alert_row(53, &a, out);
    cr_expect_eq(strlen(out), 51 + 3, "¥ and 3: three bytes, two columns");
    cr_expect_str_eq(out + 51, "\xc2\xa5"
                               "3");
    watch_alert_row(52, &a, out);
    cr_expect_str_eq(out + 51, "\xc2\xa5");
}

Test(rows, stray_bytes_never_overrun_the_row)
{
    watch_alert a = alert(SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED, "BOC", CODE, "");
    static char small[WATCH_ROW_BYTES(WATCH_MIN_COLS) + 16];

    /* Continuation bytes with no leading byte, the whole text long. */
    memset(a.text, 0x80, sizeof(a.text) - 1);
    a.text[sizeof(a.text) - 1] = '\0';
    memset(small, 'Z', sizeof(small));
    watch_alert_row(WATCH_MIN_COLS, &a, small);
    cr_expect_leq(strlen(small) + 1, WATCH_ROW_BYTES(WATCH_MIN_COLS));
    cr_expect_eq(small[WATCH_ROW_BYTES(WATCH_MIN_COLS)], 'Z', "nothing written past the row");
}
