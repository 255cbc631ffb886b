/* synd-watch's pure parts: the JSON of a snapshot, the figures as the
 * screen writes them, the layout of the screen, and the alert feed. No
 * I/O, no clock and no terminal, so every one is tested without a broker
 * or a screen. */
#ifndef SYND_WATCH_WATCH_H
#define SYND_WATCH_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "synd/v1/supervision.pb-c.h"

/* The warning line of a joint credit limit, in bps of the limit: the
 * broker's default (DESIGN.md, "Exposure limits"). Bars mark it, and a
 * borrower at or past it is shown as a warning. */
#define WATCH_WARNING_BPS 9000
#define WATCH_FULL_BPS    10000 /* 100% of a limit */

/* JSON of a snapshot. Money is an integer count of fen ("total_fen") and
 * the same in yuan as synd_money_format() writes it ("total":
 * "¥3,000,000,000.00"); ratios, shares and use are basis points, the HHI
 * is 0..10000. Each function returns a new reference, or NULL when out of
 * memory or when a string of the message is not UTF-8. */

/* {"borrowers": [...], "pairs": [...]}: each borrower with borrower_code,
 * group_id, total_fen, total, joint_limit_fen, joint_limit (null when
 * joint_limit_fen is 0: none set), use_bps, lending_banks and hhi; each
 * pair with bank_id, borrower_code, exposure_fen, exposure and
 * ratio_capital_bps. In the broker's order. */
json_t *watch_json_top(const Synd__V1__TopConcentrationsResponse *top);

/* One audit record: id, time_ms, time (ISO 8601 UTC), bank_id, role,
 * method, object, code (0 done, else the refusal's status code),
 * code_name ("NOT_FOUND") and detail. */
json_t *watch_json_audit(const Synd__V1__AuditRecord *rec);

/* The whole snapshot of --once --json: {"time_ms", "time", "borrowers",
 * "pairs"} and, with with_alerts, "alerts": the n audit records of
 * alerts, in order (alerts may be NULL when n is 0). */
json_t *watch_json_snapshot(int64_t time_ms, const Synd__V1__TopConcentrationsResponse *top,
                            int with_alerts, const Synd__V1__AuditRecord *const *alerts, size_t n);

/* Figures as the screen writes them. Each writes at most len bytes, NUL
 * included, like snprintf, and returns out. */

/* An amount in yuan, short, for a table: "3.00bn", "250.50m", "12.34k",
 * "999.99"; rounded towards zero, as the parse suffixes of syndctl read
 * it ("3bn"). Exact for any int64_t. */
char *watch_compact(int64_t fen, char *out, size_t len);

/* Basis points as a percentage with two decimals: 9325 -> "93.25%". */
char *watch_pct(int64_t bps, char *out, size_t len);

/* A unix ms time as "HH:MM:SS.mmm", UTC. */
char *watch_clock(int64_t ms, char *out, size_t len);

/* A unix ms time in ISO 8601, UTC: "2024-05-01T10:00:00.123Z". */
char *watch_iso_time(int64_t ms, char *out, size_t len);

/* Orders two Redis stream ids ("1714557600123-0") as Redis does: by
 * time, then by sequence. Returns <0, 0 or >0; an id that is not one
 * reads as 0-0. */
int watch_stream_id_cmp(const char *a, const char *b);

/* Use of a limit, for colours: 0 below the warning line, 1 from it, 2
 * from the whole limit on (no room left). */
int watch_use_level(int64_t use_bps);

/* How many of width cells a bar fills for use_bps: rounded down, so a
 * bar is full only at 100% or more; 0 for 0 or less. */
int watch_bar_cells(int64_t use_bps, int width);

/* The text of a bar of width cells: '#' for each filled cell, then '.',
 * with '|' at the warning line's cell when the bar has not reached it.
 * out needs width + 1 bytes. */
char *watch_bar_text(int64_t use_bps, int width, char *out);

/* The screen's layout. Row 0 is the title, row 1 the status; then three
 * sections, each a heading row, a column-heading row and its rows, with a
 * blank row between sections: the top borrowers, the (bank, client)
 * pairs and the alert feed, which takes every row left and at least
 * WATCH_FEED_MIN_ROWS. */
#define WATCH_MIN_COLS      60
#define WATCH_FEED_MIN_ROWS 3
#define WATCH_BAR_MIN       10 /* a narrower bar is not drawn */

/* Widths of the borrower table's columns, a space between each. */
#define WATCH_W_CODE   18 /* a unified social credit code */
#define WATCH_W_GROUP  10
#define WATCH_W_AMOUNT 9 /* "999.99bn" */
#define WATCH_W_PCT    7 /* "100.00%" */
#define WATCH_W_BANKS  5
#define WATCH_W_HHI    5

typedef struct watch_layout {
    int rows, cols;
    int top_y, top_rows;   /* the borrowers' heading row; how many borrowers fit */
    int pair_y, pair_rows; /* the pairs' heading row; how many pairs fit */
    int feed_y, feed_rows; /* the feed's heading row; how many alerts fit */
    /* The borrower table's columns: their x, or -1 when the screen is too
     * narrow for the column (only the group is dropped, before the bar). */
    int x_code, x_group, x_total, x_limit, x_use, x_banks, x_hhi, x_bar;
    int bar_width; /* 0: no bar */
} watch_layout;

/* Lays out a rows x cols screen for want_top borrowers and want_pairs
 * pairs. The borrowers and the pairs share the rows the feed leaves,
 * half each, and either gives the other what it does not need. The bar
 * takes the width left of the columns; below WATCH_BAR_MIN the group
 * column goes, then the bar. Returns 0, or -1 when the screen is smaller
 * than WATCH_MIN_COLS or cannot show the headings, the feed's least rows
 * and a row of each table. */
int watch_layout_compute(int rows, int cols, int want_top, int want_pairs, watch_layout *l);

/* The alert feed: ALERT and BLOCKED events as the screen lists them. */
#define WATCH_FEED_CAP 256 /* the alerts kept; the oldest goes first */

typedef struct watch_alert {
    uint64_t seq;
    int64_t time_ms;
    Synd__V1__SupervisionEvent__Kind kind; /* ALERT or BLOCKED */
    char bank[32], borrower[32];
    /* ALERT: the rule and the figures; BLOCKED: the method, the status
     * and the reason, and the rule when it is not in the reason. */
    char text[256];
} watch_alert;

/* Makes the feed line of ev. Returns 0, or -1 when ev is not an ALERT or
 * a BLOCKED event (a snapshot or an exposure change). */
int watch_alert_from_event(const Synd__V1__SupervisionEvent *ev, watch_alert *a);

/* A ring of the latest WATCH_FEED_CAP alerts. Zero-initialise it. */
typedef struct watch_feed {
    watch_alert items[WATCH_FEED_CAP];
    size_t first;   /* index of the oldest alert kept */
    size_t count;   /* alerts kept */
    uint64_t total; /* alerts ever pushed */
} watch_feed;

/* Adds a to the feed, dropping the oldest alert when full. */
void watch_feed_push(watch_feed *f, const watch_alert *a);

/* The i-th alert kept, 0 the oldest; NULL when i >= f->count. */
const watch_alert *watch_feed_at(const watch_feed *f, size_t i);

/* The rows of the screen's tables, as text of at most cols characters
 * (UTF-8 code points, each taken as one column), with no trailing space;
 * a text too long for its column is cut at a character's boundary. out
 * needs WATCH_ROW_BYTES(cols). The screen and the plain text of --once
 * both print them. */
#define WATCH_ROW_BYTES(cols) (4 * (size_t)(cols) + 1)

/* The borrowers' column headings, up to the bar. */
char *watch_top_heading(const watch_layout *l, char *out);

/* One borrower, up to the bar: code, group (when it fits), total, joint
 * limit ("none" for 0), use, lending banks and HHI. */
char *watch_top_row(const watch_layout *l, const Synd__V1__BorrowerUse *b, char *out);

/* Columns of the pairs' table. */
#define WATCH_W_BANK 10

/* The pairs' column headings. */
char *watch_pair_heading(int cols, char *out);

/* One (bank, client) pair: bank, borrower, exposure, ratio to capital. */
char *watch_pair_row(int cols, const Synd__V1__PairRatio *p, char *out);

/* The alert feed's column headings. */
char *watch_alert_heading(int cols, char *out);

/* One alert: time (UTC), kind, bank, borrower and what happened. */
char *watch_alert_row(int cols, const watch_alert *a, char *out);

#endif
