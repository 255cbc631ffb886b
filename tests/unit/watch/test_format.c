/* The figures as synd-watch writes them: short amounts, percentages,
 * times, the use levels and the bars, at their edges. */
#include <stdint.h>

#include <criterion/criterion.h>

#include "watch/watch.h"

/* The short amount of fen. */
static const char *compact(int64_t fen)
{
    static char out[32];
    return watch_compact(fen, out, sizeof(out));
}

Test(format, compact_picks_the_unit_at_each_edge)
{
    cr_expect_str_eq(compact(0), "0.00");
    cr_expect_str_eq(compact(1), "0.01");
    cr_expect_str_eq(compact(99999), "999.99");        /* ¥999.99 */
    cr_expect_str_eq(compact(100000), "1.00k");        /* ¥1,000 */
    cr_expect_str_eq(compact(99999999), "999.99k");    /* ¥999,999.99 */
    cr_expect_str_eq(compact(100000000), "1.00m");     /* ¥1m */
    cr_expect_str_eq(compact(99999999999), "999.99m"); /* ¥999,999,999.99 */
    cr_expect_str_eq(compact(100000000000), "1.00bn"); /* ¥1bn */
    cr_expect_str_eq(compact(300000000000), "3.00bn"); /* ¥3bn */
    cr_expect_str_eq(compact(25050000000), "250.50m"); /* ¥250.5m */
}

Test(format, compact_rounds_towards_zero)
{
    cr_expect_str_eq(compact(123456789), "1.23m"); /* ¥1,234,567.89 */
    cr_expect_str_eq(compact(-123456789), "-1.23m");
    cr_expect_str_eq(compact(199999), "1.99k");
    cr_expect_str_eq(compact(-150), "-1.50");
}

Test(format, compact_is_exact_at_int64s_edges)
{
    cr_expect_str_eq(compact(INT64_MAX), "92233720.36bn");
    cr_expect_str_eq(compact(INT64_MIN), "-92233720.36bn");
}

Test(format, compact_cuts_like_snprintf)
{
    char out[5];

    cr_expect_str_eq(watch_compact(300000000000, out, sizeof(out)), "3.00");
}

Test(format, pct_has_two_decimals)
{
    char out[32];

    cr_expect_str_eq(watch_pct(9325, out, sizeof(out)), "93.25%");
    cr_expect_str_eq(watch_pct(0, out, sizeof(out)), "0.00%");
    cr_expect_str_eq(watch_pct(5, out, sizeof(out)), "0.05%");
    cr_expect_str_eq(watch_pct(10000, out, sizeof(out)), "100.00%");
    cr_expect_str_eq(watch_pct(-50, out, sizeof(out)), "-0.50%");
    cr_expect_str_eq(watch_pct(INT64_MIN, out, sizeof(out)), "-92233720368547758.08%");
}

Test(format, times_are_utc_with_milliseconds)
{
    char out[40];

    cr_expect_str_eq(watch_clock(1714557600123, out, sizeof(out)), "10:00:00.123");
    cr_expect_str_eq(watch_iso_time(1714557600123, out, sizeof(out)), "2024-05-01T10:00:00.123Z");
    cr_expect_str_eq(watch_clock(0, out, sizeof(out)), "00:00:00.000");
    /* Before 1970 the milliseconds still count forward within a second. */
    cr_expect_str_eq(watch_iso_time(-1, out, sizeof(out)), "1969-12-31T23:59:59.999Z");
}

Test(format, use_level_changes_at_the_warning_line_and_the_limit)
{
    cr_expect_eq(watch_use_level(0), 0);
    cr_expect_eq(watch_use_level(8999), 0);
    cr_expect_eq(watch_use_level(9000), 1);
    cr_expect_eq(watch_use_level(9999), 1);
    cr_expect_eq(watch_use_level(10000), 2);
    cr_expect_eq(watch_use_level(INT64_MAX), 2);
}

Test(format, bar_cells_round_down_and_fill_only_at_the_limit)
{
    cr_expect_eq(watch_bar_cells(0, 10), 0);
    cr_expect_eq(watch_bar_cells(-5, 10), 0);
    cr_expect_eq(watch_bar_cells(999, 10), 0);
    cr_expect_eq(watch_bar_cells(1000, 10), 1);
    cr_expect_eq(watch_bar_cells(9999, 10), 9);
    cr_expect_eq(watch_bar_cells(10000, 10), 10);
    cr_expect_eq(watch_bar_cells(20000, 10), 10);
    cr_expect_eq(watch_bar_cells(INT64_MAX, 10), 10);
    cr_expect_eq(watch_bar_cells(5000, 0), 0);
    cr_expect_eq(watch_bar_cells(5000, -3), 0);
    cr_expect_eq(watch_bar_cells(5000, 333), 166);
}

Test(format, bar_text_marks_the_warning_line_until_it_is_passed)
{
    char out[64];

    cr_expect_str_eq(watch_bar_text(0, 10, out), ".........|");
    cr_expect_str_eq(watch_bar_text(5000, 10, out), "#####....|");
    cr_expect_str_eq(watch_bar_text(8999, 10, out), "########.|");
    cr_expect_str_eq(watch_bar_text(9000, 10, out), "#########|");
    cr_expect_str_eq(watch_bar_text(9999, 10, out), "#########|");
    cr_expect_str_eq(watch_bar_text(10000, 10, out), "##########");
    cr_expect_str_eq(watch_bar_text(15000, 10, out), "##########");
    cr_expect_str_eq(watch_bar_text(5000, 20, out), "##########........|.");
    cr_expect_str_eq(watch_bar_text(9500, 20, out), "###################.");
    cr_expect_str_eq(watch_bar_text(5000, 0, out), "");
}

Test(format, stream_ids_order_by_time_then_sequence)
{
    cr_expect_lt(watch_stream_id_cmp("1714557600123-0", "1714557600123-1"), 0);
    cr_expect_gt(watch_stream_id_cmp("1714557600124-0", "1714557600123-9"), 0);
    cr_expect_eq(watch_stream_id_cmp("5-3", "5-3"), 0);
    cr_expect_gt(watch_stream_id_cmp("10-0", "9-0"), 0, "numbers, not text");
    cr_expect_gt(watch_stream_id_cmp("7-10", "7-9"), 0);
    cr_expect_eq(watch_stream_id_cmp("garbage", "0-0"), 0);
    cr_expect_eq(watch_stream_id_cmp(NULL, "0-0"), 0);
    cr_expect_lt(watch_stream_id_cmp("", "1-0"), 0);
}
