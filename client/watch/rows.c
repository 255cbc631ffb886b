/* The rows of synd-watch's tables as text, for the screen and for the
 * plain output of --once alike. */
#include <stdio.h>
#include <string.h>

#include "watch/watch.h"

#define W_TIME     12 /* "HH:MM:SS.mmm" */
#define W_KIND     7  /* "BLOCKED" */
#define W_RATIO    10 /* "of capital" */
#define MAX_CHAR_B 4  /* bytes of one UTF-8 character */

/* A row being written left to right: bytes written, and columns. */
typedef struct row {
    char *out;
    size_t n;
    int col, cols;
} row;

static const char *str(const char *s)
{
    return s ? s : "";
}

/* The bytes of the character at p, at most MAX_CHAR_B, so that stray
 * continuation bytes still count as characters and a row never outgrows
 * WATCH_ROW_BYTES. */
static size_t char_bytes(const char *p)
{
    size_t len = 1;

    while (len < MAX_CHAR_B && ((unsigned char)p[len] & 0xC0) == 0x80)
        len++;
    return len;
}

/* The characters of text, counting no further than max. */
static int char_count(const char *text, int max)
{
    int n = 0;

    for (const char *p = text; *p && n < max; p += char_bytes(p))
        n++;
    return n;
}

static void row_start(row *r, char *out, int cols)
{
    r->out = out;
    r->n = 0;
    r->col = 0;
    r->cols = cols;
}

/* Pads with spaces up to column x. */
static void pad_to(row *r, int x)
{
    while (r->col < x && r->col < r->cols) {
        r->out[r->n++] = ' ';
        r->col++;
    }
}

/* Writes text into the column at x, width wide, aligned left or right,
 * as a wider screen would show it, then cut at the row's edge. Cells go
 * left to right. */
static void cell(row *r, int x, int width, int right, const char *text)
{
    const char *p = text;
    int n;

    if (x < 0 || x >= r->cols)
        return;
    pad_to(r, x);
    n = char_count(text, width);
    if (right)
        pad_to(r, x + width - n);
    if (n > r->cols - r->col)
        n = r->cols - r->col;
    for (int i = 0; i < n; i++) {
        size_t len = char_bytes(p);
        memcpy(r->out + r->n, p, len);
        r->n += len;
        p += len;
    }
    r->col += n;
}

/* Ends the row without its trailing spaces. */
static char *row_end(row *r)
{
    while (r->n > 0 && r->out[r->n - 1] == ' ')
        r->n--;
    r->out[r->n] = '\0';
    return r->out;
}

char *watch_top_heading(const watch_layout *l, char *out)
{
    row r;

    row_start(&r, out, l->cols);
    cell(&r, l->x_code, WATCH_W_CODE, 0, "borrower");
    cell(&r, l->x_group, WATCH_W_GROUP, 0, "group");
    cell(&r, l->x_total, WATCH_W_AMOUNT, 1, "total");
    cell(&r, l->x_limit, WATCH_W_AMOUNT, 1, "limit");
    cell(&r, l->x_use, WATCH_W_PCT, 1, "use");
    cell(&r, l->x_banks, WATCH_W_BANKS, 1, "banks");
    cell(&r, l->x_hhi, WATCH_W_HHI, 1, "HHI");
    cell(&r, l->x_bar, l->bar_width, 0, "use bar, | at 90%");
    return row_end(&r);
}

char *watch_top_row(const watch_layout *l, const Synd__V1__BorrowerUse *b, char *out)
{
    char total[32], limit[32], use[32], banks[16], hhi[16];
    row r;

    snprintf(banks, sizeof(banks), "%d", (int)b->lending_banks);
    snprintf(hhi, sizeof(hhi), "%d", (int)b->hhi);
    row_start(&r, out, l->cols);
    cell(&r, l->x_code, WATCH_W_CODE, 0, str(b->borrower_code));
    cell(&r, l->x_group, WATCH_W_GROUP, 0, str(b->group_id));
    cell(&r, l->x_total, WATCH_W_AMOUNT, 1, watch_compact(b->total_fen, total, sizeof(total)));
    cell(&r, l->x_limit, WATCH_W_AMOUNT, 1,
         b->joint_limit_fen != 0 ? watch_compact(b->joint_limit_fen, limit, sizeof(limit))
                                 : "none");
    cell(&r, l->x_use, WATCH_W_PCT, 1,
         b->joint_limit_fen != 0 ? watch_pct(b->use_bps, use, sizeof(use)) : "-");
    cell(&r, l->x_banks, WATCH_W_BANKS, 1, banks);
    cell(&r, l->x_hhi, WATCH_W_HHI, 1, hhi);
    return row_end(&r);
}

/* The x of each column of the pairs' table. */
enum {
    PAIR_X_BANK = 0,
    PAIR_X_BORROWER = PAIR_X_BANK + WATCH_W_BANK + 1,
    PAIR_X_EXPOSURE = PAIR_X_BORROWER + WATCH_W_CODE + 1,
    PAIR_X_RATIO = PAIR_X_EXPOSURE + WATCH_W_AMOUNT + 1
};

char *watch_pair_heading(int cols, char *out)
{
    row r;

    row_start(&r, out, cols);
    cell(&r, PAIR_X_BANK, WATCH_W_BANK, 0, "bank");
    cell(&r, PAIR_X_BORROWER, WATCH_W_CODE, 0, "borrower");
    cell(&r, PAIR_X_EXPOSURE, WATCH_W_AMOUNT, 1, "exposure");
    cell(&r, PAIR_X_RATIO, W_RATIO, 1, "of capital");
    return row_end(&r);
}

char *watch_pair_row(int cols, const Synd__V1__PairRatio *p, char *out)
{
    char exposure[32], ratio[32];
    row r;

    row_start(&r, out, cols);
    cell(&r, PAIR_X_BANK, WATCH_W_BANK, 0, str(p->bank_id));
    cell(&r, PAIR_X_BORROWER, WATCH_W_CODE, 0, str(p->borrower_code));
    cell(&r, PAIR_X_EXPOSURE, WATCH_W_AMOUNT, 1,
         watch_compact(p->exposure_fen, exposure, sizeof(exposure)));
    cell(&r, PAIR_X_RATIO, W_RATIO, 1, watch_pct(p->ratio_capital_bps, ratio, sizeof(ratio)));
    return row_end(&r);
}

/* The x of each column of the alert feed; what happened takes the rest. */
enum {
    ALERT_X_TIME = 0,
    ALERT_X_KIND = ALERT_X_TIME + W_TIME + 1,
    ALERT_X_BANK = ALERT_X_KIND + W_KIND + 1,
    ALERT_X_BORROWER = ALERT_X_BANK + WATCH_W_BANK + 1,
    ALERT_X_TEXT = ALERT_X_BORROWER + WATCH_W_CODE + 1
};

char *watch_alert_heading(int cols, char *out)
{
    row r;

    row_start(&r, out, cols);
    cell(&r, ALERT_X_TIME, W_TIME, 0, "time (UTC)");
    cell(&r, ALERT_X_KIND, W_KIND, 0, "kind");
    cell(&r, ALERT_X_BANK, WATCH_W_BANK, 0, "bank");
    cell(&r, ALERT_X_BORROWER, WATCH_W_CODE, 0, "borrower");
    cell(&r, ALERT_X_TEXT, cols, 0, "what");
    return row_end(&r);
}

char *watch_alert_row(int cols, const watch_alert *a, char *out)
{
    char when[32];
    row r;

    row_start(&r, out, cols);
    cell(&r, ALERT_X_TIME, W_TIME, 0, watch_clock(a->time_ms, when, sizeof(when)));
    cell(&r, ALERT_X_KIND, W_KIND, 0,
         a->kind == SYND__V1__SUPERVISION_EVENT__KIND__ALERT ? "ALERT" : "BLOCKED");
    cell(&r, ALERT_X_BANK, WATCH_W_BANK, 0, a->bank[0] ? a->bank : "-");
    cell(&r, ALERT_X_BORROWER, WATCH_W_CODE, 0, a->borrower[0] ? a->borrower : "-");
    cell(&r, ALERT_X_TEXT, cols, 0, a->text);
    return row_end(&r);
}
