/* The screen's layout: the least screen, the rows the sections share, and
 * the columns that go as the screen narrows. */
#include <criterion/criterion.h>

#include "watch/watch.h"

/* Title, status, three headings of two rows and two blank rows. */
#define FIXED 10

Test(layout, refuses_a_screen_too_small)
{
    watch_layout l;

    cr_expect_eq(watch_layout_compute(40, WATCH_MIN_COLS - 1, 5, 5, &l), -1);
    cr_expect_eq(watch_layout_compute(FIXED + WATCH_FEED_MIN_ROWS + 1, 80, 5, 5, &l), -1);
    cr_expect_eq(watch_layout_compute(0, 0, 0, 0, &l), -1);
}

Test(layout, the_least_screen_shows_a_row_of_each_table_and_the_least_feed)
{
    watch_layout l;

    cr_assert_eq(watch_layout_compute(FIXED + WATCH_FEED_MIN_ROWS + 2, WATCH_MIN_COLS, 5, 5, &l),
                 0);
    cr_expect_eq(l.top_rows, 1);
    cr_expect_eq(l.pair_rows, 1);
    cr_expect_eq(l.feed_rows, WATCH_FEED_MIN_ROWS);
}

Test(layout, a_classic_terminal_shares_the_rows)
{
    watch_layout l;

    /* 24 rows: 11 left for the tables after the fixed rows and the feed's
     * least; the borrowers get the odd one. */
    cr_assert_eq(watch_layout_compute(24, 80, 10, 10, &l), 0);
    cr_expect_eq(l.top_y, 2);
    cr_expect_eq(l.top_rows, 6);
    cr_expect_eq(l.pair_y, 11);
    cr_expect_eq(l.pair_rows, 5);
    cr_expect_eq(l.feed_y, 19);
    cr_expect_eq(l.feed_rows, 3);
}

Test(layout, a_table_gives_the_other_what_it_does_not_need)
{
    watch_layout l;

    cr_assert_eq(watch_layout_compute(30, 80, 20, 2, &l), 0);
    cr_expect_eq(l.pair_rows, 2);
    cr_expect_eq(l.top_rows, 15);
    cr_expect_eq(l.feed_rows, 3);

    cr_assert_eq(watch_layout_compute(30, 80, 2, 20, &l), 0);
    cr_expect_eq(l.top_rows, 2);
    cr_expect_eq(l.pair_rows, 15);
}

Test(layout, the_feed_takes_the_rows_the_tables_leave)
{
    watch_layout l;

    cr_assert_eq(watch_layout_compute(40, 100, 2, 1, &l), 0);
    cr_expect_eq(l.top_rows, 2);
    cr_expect_eq(l.pair_rows, 1);
    cr_expect_eq(l.feed_rows, 40 - FIXED - 3);
}

Test(layout, an_empty_table_keeps_one_row_to_say_so)
{
    watch_layout l;

    cr_assert_eq(watch_layout_compute(40, 100, 0, 0, &l), 0);
    cr_expect_eq(l.top_rows, 1);
    cr_expect_eq(l.pair_rows, 1);
}

Test(layout, the_bar_takes_the_width_left)
{
    watch_layout l;

    /* Every column with the group is 70 wide. */
    cr_assert_eq(watch_layout_compute(24, 80, 1, 1, &l), 0);
    cr_expect_eq(l.x_code, 0);
    cr_expect_eq(l.x_group, 19);
    cr_expect_eq(l.x_total, 30);
    cr_expect_eq(l.x_limit, 40);
    cr_expect_eq(l.x_use, 50);
    cr_expect_eq(l.x_banks, 58);
    cr_expect_eq(l.x_hhi, 64);
    cr_expect_eq(l.x_bar, 70);
    cr_expect_eq(l.bar_width, 10);

    cr_assert_eq(watch_layout_compute(24, 200, 1, 1, &l), 0);
    cr_expect_eq(l.x_group, 19);
    cr_expect_eq(l.bar_width, 130);
}

Test(layout, the_group_goes_first_then_the_bar)
{
    watch_layout l;

    /* One column short of a bar with the group: the group goes. */
    cr_assert_eq(watch_layout_compute(24, 79, 1, 1, &l), 0);
    cr_expect_eq(l.x_group, -1);
    cr_expect_eq(l.x_total, 19);
    cr_expect_eq(l.x_bar, 59);
    cr_expect_eq(l.bar_width, 20);

    cr_assert_eq(watch_layout_compute(24, 69, 1, 1, &l), 0);
    cr_expect_eq(l.x_group, -1);
    cr_expect_eq(l.bar_width, WATCH_BAR_MIN);

    /* One column short of a bar without the group: no bar. */
    cr_assert_eq(watch_layout_compute(24, 68, 1, 1, &l), 0);
    cr_expect_eq(l.x_group, -1);
    cr_expect_eq(l.x_bar, -1);
    cr_expect_eq(l.bar_width, 0);
}

Test(layout, sections_never_overlap_nor_leave_the_screen)
{
    watch_layout l;

    for (int rows = FIXED + WATCH_FEED_MIN_ROWS + 2; rows <= 70; rows++)
        for (int want_top = 0; want_top <= 25; want_top++)
            for (int want_pairs = 0; want_pairs <= 25; want_pairs += 5) {
                cr_assert_eq(watch_layout_compute(rows, 120, want_top, want_pairs, &l), 0);
                cr_assert_geq(l.top_rows, 1);
                cr_assert_geq(l.pair_rows, 1);
                cr_assert_leq(l.top_rows, want_top < 1 ? 1 : want_top);
                cr_assert_leq(l.pair_rows, want_pairs < 1 ? 1 : want_pairs);
                cr_assert_geq(l.feed_rows, WATCH_FEED_MIN_ROWS);
                cr_assert_eq(l.pair_y, l.top_y + 2 + l.top_rows + 1);
                cr_assert_eq(l.feed_y, l.pair_y + 2 + l.pair_rows + 1);
                cr_assert_eq(l.feed_y + 2 + l.feed_rows, rows, "the feed ends at the last row");
                /* Only when both tables are cut does the feed keep no
                 * more than its least. */
                if (l.top_rows < want_top && l.pair_rows < want_pairs)
                    cr_assert_eq(l.feed_rows, WATCH_FEED_MIN_ROWS);
            }
}
