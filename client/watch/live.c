/* synd-watch's live dashboard, in three threads so that the screen never
 * waits on the broker. The main thread only draws with ncurses and reads
 * keys. A fetch thread asks TopConcentrations every interval, or sooner
 * after an exposure change, on its own connection (libsynd wants one per
 * thread). A feed thread holds a WatchSupervision stream on a second
 * connection and puts its ALERT and BLOCKED events into a ring that the
 * screen lists. The feed resubscribes with backoff when the stream ends;
 * events while it was away are not replayed, and the status row says
 * so. */
#include <curses.h>
#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpc/envelope.h"
#include "watch/live.h"
#include "watch/watch.h"

#define TICK_MS           100 /* the longest wait for a key */
#define CHANGE_GAP_MS     250 /* the least time between two refreshes an exposure change asks */
#define STREAM_TIMEOUT_MS (24LL * 3600 * 1000) /* the feed resubscribes once a day */
#define BACKOFF_MIN_MS    200
#define BACKOFF_MAX_MS    5000
#define MAX_COLS          512 /* wider screens are drawn this wide */

enum { COLOR_OK = 1, COLOR_WARN = 2, COLOR_FULL = 3 };

typedef struct live {
    const watch_opts *o;
    volatile sig_atomic_t *stop;
    synd_client *calls, *stream;

    /* Shared by the threads, under mu. */
    pthread_mutex_t mu;
    pthread_cond_t wake; /* the fetch thread waits on it for an exposure change */
    watch_feed feed;
    char feed_state[256];
    uint64_t events;   /* live events received */
    uint64_t last_seq; /* of the last live event on this subscription; 0 none */
    uint64_t missed;   /* sequence numbers skipped within a subscription */
    uint64_t version;  /* bumped on every change the screen shows */
    int changed;       /* an exposure changed since the last refresh */
    Synd__V1__TopConcentrationsResponse *top; /* the last figures read */
    int64_t top_ms;                           /* when; unix ms */
    synd_status top_st;                       /* how the last attempt went */

    int colors; /* the main thread's */
} live;

/* Milliseconds of a clock that never goes back, for the refresh timer. */
static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sets the feed's state line; the caller holds mu. */
__attribute__((format(printf, 2, 3))) static void set_state(live *lv, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(lv->feed_state, sizeof(lv->feed_state), fmt, ap);
    va_end(ap);
    lv->version++;
}

/* Counts a live event and any gap in the sequence before it; the caller
 * holds mu. */
static void count_event(live *lv, uint64_t seq)
{
    if (lv->last_seq != 0 && seq > lv->last_seq + 1)
        lv->missed += seq - lv->last_seq - 1;
    lv->last_seq = seq;
    lv->events++;
}

/* The WatchSupervision callback, on the feed thread. */
static int on_event(const ProtobufCMessage *msg, void *arg)
{
    const Synd__V1__SupervisionEvent *ev = (const Synd__V1__SupervisionEvent *)msg;
    live *lv = arg;
    watch_alert a;
    char when[32];

    pthread_mutex_lock(&lv->mu);
    switch (ev->kind) {
    case SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT:
        break; /* TopConcentrations gives the figures; the snapshot only marks the start */
    case SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT_END:
        set_state(lv, "live since %s", watch_clock(rpc_now_ms(), when, sizeof(when)));
        break;
    case SYND__V1__SUPERVISION_EVENT__KIND__EXPOSURE_CHANGE:
        count_event(lv, ev->seq);
        lv->changed = 1;
        lv->version++;
        pthread_cond_signal(&lv->wake);
        break;
    default:
        count_event(lv, ev->seq);
        if (watch_alert_from_event(ev, &a) == 0)
            watch_feed_push(&lv->feed, &a);
        lv->version++;
        break;
    }
    pthread_mutex_unlock(&lv->mu);
    return *lv->stop != 0;
}

/* Sleeps ms, waking early when told to stop. */
static void pause_ms(live *lv, int64_t ms)
{
    int64_t end = mono_ms() + ms, left;

    while (!*lv->stop && (left = end - mono_ms()) > 0) {
        struct timespec ts = {0, (left > TICK_MS ? TICK_MS : left) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* The feed thread: subscribes with a snapshot (its end tells that the
 * stream is live) and resubscribes with backoff until told to stop. */
static void *feed_main(void *arg)
{
    Synd__V1__WatchSupervisionRequest req = SYND__V1__WATCH_SUPERVISION_REQUEST__INIT;
    live *lv = arg;
    synd_call_opts o = {.timeout_ms = STREAM_TIMEOUT_MS, .stop = lv->stop};
    int64_t backoff = BACKOFF_MIN_MS;
    synd_status st;

    req.snapshot = 1;
    while (!*lv->stop) {
        int64_t started = mono_ms();
        synd_code code;

        pthread_mutex_lock(&lv->mu);
        lv->last_seq = 0;
        set_state(lv, "subscribing");
        pthread_mutex_unlock(&lv->mu);
        code = synd_stream(lv->stream, "/synd.v1.Supervision/WatchSupervision", &req.base,
                           &synd__v1__supervision_event__descriptor, on_event, lv, &o, &st);
        if (*lv->stop)
            break;
        if (mono_ms() - started >= BACKOFF_MAX_MS)
            backoff = BACKOFF_MIN_MS;
        pthread_mutex_lock(&lv->mu);
        set_state(lv, "ended (%s: %s); resubscribing, events meanwhile are missed",
                  synd_code_name(code), st.message);
        pthread_mutex_unlock(&lv->mu);
        pause_ms(lv, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
}

/* Waits, holding mu, until the next refresh is due: the interval after
 * the last, or CHANGE_GAP_MS after it once an exposure changed. Wakes
 * every TICK_MS to see the stop flag, which no one signals. */
static void wait_refresh(live *lv, int64_t last)
{
    while (!*lv->stop) {
        int64_t now = mono_ms(), due = last + (lv->changed ? CHANGE_GAP_MS : lv->o->interval_ms);
        int64_t until = due < now + TICK_MS ? due : now + TICK_MS;
        struct timespec ts;

        if (now >= due)
            break;
        ts.tv_sec = until / 1000;
        ts.tv_nsec = until % 1000 * 1000000L;
        pthread_cond_timedwait(&lv->wake, &lv->mu, &ts);
    }
    lv->changed = 0;
}

/* The fetch thread: reads the figures and waits for the next refresh. A
 * failure keeps the last figures on screen and says why on the status
 * row. */
static void *fetch_main(void *arg)
{
    live *lv = arg;

    while (!*lv->stop) {
        Synd__V1__TopConcentrationsResponse *top = NULL;
        synd_status st;
        synd_code code = watch_fetch_top(lv->calls, lv->o->top, lv->stop, &top, &st);
        int64_t last = mono_ms();

        pthread_mutex_lock(&lv->mu);
        lv->top_st = st;
        if (code == SYND_OK) {
            if (lv->top != NULL)
                protobuf_c_message_free_unpacked(&lv->top->base, NULL);
            lv->top = top;
            lv->top_ms = rpc_now_ms();
        }
        lv->version++;
        wait_refresh(lv, last);
        pthread_mutex_unlock(&lv->mu);
    }
    return NULL;
}

/* Writes text at (y, x), cut at the screen's edge, with attributes. */
static void put(int y, int x, attr_t attr, const char *text)
{
    int cols = getmaxx(stdscr);

    if (x >= cols)
        return;
    attron(attr);
    mvaddnstr(y, x, text, cols - x);
    attroff(attr);
}

/* The colour of a use of a limit, or of an alert. */
static attr_t level_attr(const live *lv, int level)
{
    static const short pairs[] = {COLOR_OK, COLOR_WARN, COLOR_FULL};

    if (!lv->colors)
        return level > 0 ? A_BOLD : A_NORMAL;
    return COLOR_PAIR(pairs[level]) | (level > 0 ? A_BOLD : A_NORMAL);
}

/* The title row, in reverse video across the screen. */
static void draw_title(const live *lv, int cols)
{
    char title[256], when[32];

    snprintf(title, sizeof(title), " synd-watch (q quits)  %s  %s UTC  every %lld.%lld s",
             lv->o->endpoint, watch_clock(rpc_now_ms(), when, sizeof(when)),
             (long long)(lv->o->interval_ms / 1000), (long long)(lv->o->interval_ms % 1000 / 100));
    attron(A_REVERSE);
    mvhline(0, 0, ' ', cols);
    attroff(A_REVERSE);
    put(0, 0, A_REVERSE, title);
}

/* The status row: how fresh the figures are and how the feed is. */
static void draw_status(const live *lv)
{
    char line[1024], when[32], miss[64] = "";

    if (lv->missed > 0)
        snprintf(miss, sizeof(miss), ", %llu missed", (unsigned long long)lv->missed);
    if (lv->top_st.code != SYND_OK)
        snprintf(line, sizeof(line), "figures: %s: %s%s%s | feed %s, %llu events%s",
                 synd_code_name(lv->top_st.code), lv->top_st.message,
                 lv->top ? "; showing those of " : "",
                 lv->top ? watch_clock(lv->top_ms, when, sizeof(when)) : "", lv->feed_state,
                 (unsigned long long)lv->events, miss);
    else
        snprintf(line, sizeof(line), "figures of %s | feed %s, %llu events%s",
                 lv->top ? watch_clock(lv->top_ms, when, sizeof(when)) : "-", lv->feed_state,
                 (unsigned long long)lv->events, miss);
    put(1, 0, lv->top_st.code != SYND_OK ? level_attr(lv, 2) : A_NORMAL, line);
}

/* A section's heading and column headings. */
static void draw_heading(int y, const char *title, const char *columns)
{
    put(y, 0, A_BOLD, title);
    put(y + 1, 0, A_UNDERLINE, columns);
}

/* The top borrowers, each with a bar of the use of its limit. */
static void draw_top(const live *lv, const watch_layout *l, char *line)
{
    const Synd__V1__TopConcentrationsResponse *top = lv->top;
    size_t n = top ? top->n_borrowers : 0;
    char title[128], bar[MAX_COLS + 1];

    snprintf(title, sizeof(title), "Top borrowers by use of their joint credit limit (%zu of %zu)",
             n < (size_t)l->top_rows ? n : (size_t)l->top_rows, n);
    draw_heading(l->top_y, title, watch_top_heading(l, line));
    if (n == 0)
        put(l->top_y + 2, 0, A_DIM, top ? "(no exposure yet)" : "(waiting for the figures)");
    for (size_t i = 0; i < n && i < (size_t)l->top_rows; i++) {
        const Synd__V1__BorrowerUse *b = top->borrowers[i];
        int y = l->top_y + 2 + (int)i;

        put(y, 0, A_NORMAL, watch_top_row(l, b, line));
        if (l->bar_width > 0 && b->joint_limit_fen != 0)
            put(y, l->x_bar, level_attr(lv, watch_use_level(b->use_bps)),
                watch_bar_text(b->use_bps, l->bar_width, bar));
    }
}

/* The (bank, client) pairs by ratio to capital. */
static void draw_pairs(const live *lv, const watch_layout *l, char *line)
{
    const Synd__V1__TopConcentrationsResponse *top = lv->top;
    size_t n = top ? top->n_pairs : 0;
    char title[128];

    snprintf(title, sizeof(title),
             "Highest concentrations: (bank, client) by ratio to net capital (%zu of %zu)",
             n < (size_t)l->pair_rows ? n : (size_t)l->pair_rows, n);
    draw_heading(l->pair_y, title, watch_pair_heading(l->cols, line));
    if (n == 0)
        put(l->pair_y + 2, 0, A_DIM, top ? "(no exposure yet)" : "(waiting for the figures)");
    for (size_t i = 0; i < n && i < (size_t)l->pair_rows; i++)
        put(l->pair_y + 2 + (int)i, 0, A_NORMAL, watch_pair_row(l->cols, top->pairs[i], line));
}

/* The latest alerts that fit, the newest last. */
static void draw_feed(const live *lv, const watch_layout *l, char *line)
{
    size_t rows = (size_t)l->feed_rows, count = lv->feed.count;
    size_t first = count > rows ? count - rows : 0;
    char title[128];

    snprintf(title, sizeof(title), "Alerts and blocked attempts, the latest last (%llu in all)",
             (unsigned long long)lv->feed.total);
    draw_heading(l->feed_y, title, watch_alert_heading(l->cols, line));
    if (count == 0)
        put(l->feed_y + 2, 0, A_DIM, "(none since the dashboard started)");
    for (size_t i = first; i < count; i++) {
        const watch_alert *a = watch_feed_at(&lv->feed, i);
        int level = a->kind == SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED ? 2 : 1;

        put(l->feed_y + 2 + (int)(i - first), 0, level_attr(lv, level),
            watch_alert_row(l->cols, a, line));
    }
}

/* Draws the whole screen; the caller holds mu, so that the figures and
 * the feed hold still meanwhile. */
static void draw(const live *lv)
{
    static char line[WATCH_ROW_BYTES(MAX_COLS)];
    size_t n_top = lv->top ? lv->top->n_borrowers : 0, n_pairs = lv->top ? lv->top->n_pairs : 0;
    watch_layout l;
    int rows, cols;

    getmaxyx(stdscr, rows, cols);
    erase();
    draw_title(lv, cols);
    if (watch_layout_compute(rows, cols > MAX_COLS ? MAX_COLS : cols, (int)n_top, (int)n_pairs,
                             &l) != 0) {
        put(1, 0, A_BOLD, "Too small: the dashboard needs 60x15.");
        refresh();
        return;
    }
    draw_status(lv);
    draw_top(lv, &l, line);
    draw_pairs(lv, &l, line);
    draw_feed(lv, &l, line);
    refresh();
}

/* Sets up the terminal: keys without echo or line buffering, a bounded
 * wait for a key, no cursor, and colours where there are any. */
static int screen_open(live *lv)
{
    if (newterm(NULL, stdout, stdin) == NULL) {
        fprintf(stderr, "synd-watch: cannot use the terminal (TERM=%s); try --once\n",
                getenv("TERM") ? getenv("TERM") : "unset");
        return -1;
    }
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(TICK_MS);
    if (has_colors() && start_color() == OK) {
        use_default_colors();
        init_pair(COLOR_OK, COLOR_GREEN, -1);
        init_pair(COLOR_WARN, COLOR_YELLOW, -1);
        init_pair(COLOR_FULL, COLOR_RED, -1);
        lv->colors = 1;
    }
    return 0;
}

/* The main loop: redraw on news from either thread, on a resize and every
 * second for the clock; stop on 'q' or a signal. */
static void loop(live *lv)
{
    uint64_t drawn = UINT64_MAX;
    int64_t next_draw = 0;

    while (!*lv->stop) {
        int ch;

        pthread_mutex_lock(&lv->mu);
        if (lv->version != drawn || mono_ms() >= next_draw) {
            draw(lv);
            drawn = lv->version;
            next_draw = mono_ms() + 1000;
        }
        pthread_mutex_unlock(&lv->mu);
        ch = getch();
        if (ch == 'q' || ch == 'Q')
            *lv->stop = 1;
        else if (ch == KEY_RESIZE)
            next_draw = 0;
    }
}

/* Makes the mutex, and the condition the fetch thread waits on with a
 * monotonic clock, as mono_ms() reads it. */
static int sync_init(live *lv)
{
    pthread_condattr_t ca;
    int rc;

    if (pthread_mutex_init(&lv->mu, NULL) != 0)
        return -1;
    if (pthread_condattr_init(&ca) != 0) {
        pthread_mutex_destroy(&lv->mu);
        return -1;
    }
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
                 pthread_cond_init(&lv->wake, &ca) == 0
             ? 0
             : -1;
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        pthread_mutex_destroy(&lv->mu);
    return rc;
}

int watch_live(const watch_opts *o, volatile sig_atomic_t *stop)
{
    static live lv; /* the feed ring is large: not on the stack */
    pthread_t feed, fetch;
    int started = 0, rc = 1;
    synd_status st;

    lv.o = o;
    lv.stop = stop;
    snprintf(lv.feed_state, sizeof(lv.feed_state), "starting");
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
        fprintf(stderr, "synd-watch: the dashboard needs a terminal; for scripts use --once "
                        "[--json]\n");
        return 1;
    }
    if (sync_init(&lv) != 0) {
        fprintf(stderr, "synd-watch: cannot make a mutex\n");
        return 1;
    }
    if ((lv.calls = synd_client_new(o->endpoint, o->keys, &st)) == NULL ||
        (lv.stream = synd_client_new(o->endpoint, o->keys, &st)) == NULL) {
        fprintf(stderr, "synd-watch: %s: %s\n", synd_code_name(st.code), st.message);
        goto out;
    }
    setlocale(LC_ALL, "");
    if (screen_open(&lv) != 0)
        goto out;
    if (pthread_create(&feed, NULL, feed_main, &lv) == 0) {
        started++;
        if (pthread_create(&fetch, NULL, fetch_main, &lv) == 0)
            started++;
    }
    if (started == 2) {
        loop(&lv);
        rc = 0;
    }
    *stop = 1;
    endwin();
    if (started < 2)
        fprintf(stderr, "synd-watch: cannot start a thread\n");
    if (started >= 1)
        pthread_join(feed, NULL);
    if (started == 2)
        pthread_join(fetch, NULL);
out:
    if (lv.top != NULL)
        protobuf_c_message_free_unpacked(&lv.top->base, NULL);
    synd_client_free(lv.calls);
    synd_client_free(lv.stream);
    pthread_cond_destroy(&lv.wake);
    pthread_mutex_destroy(&lv.mu);
    return rc;
}
