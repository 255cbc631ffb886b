/* Figures as synd-watch writes them, and the layout of its screen. Pure
 * code: integer arithmetic only, no terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "watch/watch.h"

#define SECTION_HEAD_ROWS 2 /* a section's heading and its column headings */
#define FIXED_ROWS        (2 + 3 * SECTION_HEAD_ROWS + 2) /* title, status, headings, blanks */

char *watch_compact(int64_t fen, char *out, size_t len)
{
    /* The magnitude as unsigned, so that INT64_MIN is exact too. */
    uint64_t mag = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    uint64_t hundredths; /* of the unit shown */
    const char *suffix;

    if (mag >= 100000000000ULL) { /* 1bn yuan */
        hundredths = mag / 1000000000ULL;
        suffix = "bn";
    } else if (mag >= 100000000ULL) { /* 1m yuan */
        hundredths = mag / 1000000ULL;
        suffix = "m";
    } else if (mag >= 100000ULL) { /* 1k yuan */
        hundredths = mag / 1000ULL;
        suffix = "k";
    } else {
        hundredths = mag;
        suffix = "";
    }
    snprintf(out, len, "%s%llu.%02llu%s", fen < 0 ? "-" : "",
             (unsigned long long)(hundredths / 100), (unsigned long long)(hundredths % 100),
             suffix);
    return out;
}

char *watch_pct(int64_t bps, char *out, size_t len)
{
    uint64_t mag = bps < 0 ? 0 - (uint64_t)bps : (uint64_t)bps;

    snprintf(out, len, "%s%llu.%02llu%%", bps < 0 ? "-" : "", (unsigned long long)(mag / 100),
             (unsigned long long)(mag % 100));
    return out;
}

/* Splits unix ms into whole seconds and ms, rounding down before 1970
 * too, and breaks the seconds down in UTC. Returns 0, or -1 when the time
 * is beyond struct tm. */
static int split_time(int64_t ms, struct tm *tm, int *millis)
{
    int64_t s = ms / 1000, r = ms % 1000;
    time_t t;

    if (r < 0) {
        r += 1000;
        s--;
    }
    t = (time_t)s;
    *millis = (int)r;
    return gmtime_r(&t, tm) ? 0 : -1;
}

char *watch_clock(int64_t ms, char *out, size_t len)
{
    struct tm tm;
    int millis;

    if (split_time(ms, &tm, &millis) != 0)
        snprintf(out, len, "??:??:??.???");
    else
        snprintf(out, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return out;
}

char *watch_iso_time(int64_t ms, char *out, size_t len)
{
    struct tm tm;
    int millis;

    if (split_time(ms, &tm, &millis) != 0)
        snprintf(out, len, "?");
    else
        snprintf(out, len, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return out;
}

/* Reads "<ms>-<seq>" into its two numbers; anything else is 0-0. */
static void stream_id(const char *id, unsigned long long *ms, unsigned long long *seq)
{
    char *end;

    *ms = *seq = 0;
    if (id == NULL || *id < '0' || *id > '9')
        return;
    *ms = strtoull(id, &end, 10);
    if (*end == '-' && end[1] >= '0' && end[1] <= '9')
        *seq = strtoull(end + 1, NULL, 10);
}

int watch_stream_id_cmp(const char *a, const char *b)
{
    unsigned long long ams, aseq, bms, bseq;

    stream_id(a, &ams, &aseq);
    stream_id(b, &bms, &bseq);
    if (ams != bms)
        return ams < bms ? -1 : 1;
    return aseq < bseq ? -1 : aseq > bseq;
}

int watch_use_level(int64_t use_bps)
{
    if (use_bps >= WATCH_FULL_BPS)
        return 2;
    return use_bps >= WATCH_WARNING_BPS ? 1 : 0;
}

int watch_bar_cells(int64_t use_bps, int width)
{
    if (width <= 0 || use_bps <= 0)
        return 0;
    if (use_bps >= WATCH_FULL_BPS)
        return width;
    /* use_bps < 10000 and width is an int: the product fits in int64. */
    return (int)(use_bps * width / WATCH_FULL_BPS);
}

char *watch_bar_text(int64_t use_bps, int width, char *out)
{
    int filled = watch_bar_cells(use_bps, width), mark = watch_bar_cells(WATCH_WARNING_BPS, width);
    int i;

    for (i = 0; i < width; i++)
        out[i] = i < filled ? '#' : '.';
    if (width > 0 && filled <= mark && mark < width)
        out[mark] = '|';
    out[width > 0 ? width : 0] = '\0';
    return out;
}

/* Places the borrower table's columns, with or without the group, and
 * returns the x where the bar starts. */
static int place_columns(watch_layout *l, int with_group)
{
    int x = 0;

    l->x_code = x;
    x += WATCH_W_CODE + 1;
    l->x_group = with_group ? x : -1;
    x += with_group ? WATCH_W_GROUP + 1 : 0;
    l->x_total = x;
    x += WATCH_W_AMOUNT + 1;
    l->x_limit = x;
    x += WATCH_W_AMOUNT + 1;
    l->x_use = x;
    x += WATCH_W_PCT + 1;
    l->x_banks = x;
    x += WATCH_W_BANKS + 1;
    l->x_hhi = x;
    x += WATCH_W_HHI + 1;
    return x;
}

int watch_layout_compute(int rows, int cols, int want_top, int want_pairs, watch_layout *l)
{
    int space, x;

    memset(l, 0, sizeof(*l));
    l->rows = rows;
    l->cols = cols;
    /* An empty table still has a row, to say that it is empty. */
    want_top = want_top < 1 ? 1 : want_top;
    want_pairs = want_pairs < 1 ? 1 : want_pairs;
    space = rows - FIXED_ROWS - WATCH_FEED_MIN_ROWS;
    if (cols < WATCH_MIN_COLS || space < 2)
        return -1;

    l->top_rows = want_top < (space + 1) / 2 ? want_top : (space + 1) / 2;
    l->pair_rows = want_pairs < space - l->top_rows ? want_pairs : space - l->top_rows;
    l->top_rows = want_top < space - l->pair_rows ? want_top : space - l->pair_rows;
    l->top_y = 2;
    l->pair_y = l->top_y + SECTION_HEAD_ROWS + l->top_rows + 1;
    l->feed_y = l->pair_y + SECTION_HEAD_ROWS + l->pair_rows + 1;
    l->feed_rows = rows - l->feed_y - SECTION_HEAD_ROWS;

    x = place_columns(l, 1);
    if (cols - x < WATCH_BAR_MIN)
        x = place_columns(l, 0);
    if (cols - x < WATCH_BAR_MIN) {
        l->x_bar = -1;
        l->bar_width = 0;
    } else {
        l->x_bar = x;
        l->bar_width = cols - x;
    }
    return 0;
}
