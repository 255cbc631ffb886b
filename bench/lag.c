/* synd-bench-lag: how long an event takes to reach a watching supervisor.
 *
 * It watches WatchSupervision as the supervisor (NFRA) and, as the lead
 * and the participant banks in turn, causes one event at a time: a bid on
 * a book that does not exist ("BK-none-<run>-<i>"), which the broker
 * refuses and reports to supervisors as a BLOCKED event naming the book.
 * The lag of each is the time from just before the bid is sent to the
 * event's arrival at the supervisor, on one monotonic clock. It prints
 * the count, p50, p90, p99 and max in microseconds, and the issue's
 * target (p99 under 100 ms) as PASS or MISS: a figure to read, not a test
 * that fails. Keys come from a directory made by scripts/setup-keys. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"
#include "synd/synd.h"
#include "synd/v1/supervision.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

#define TARGET_P99_US     100000 /* the target: p99 under 100 ms */
#define MAX_BANKS         16
#define WARMUP_TRIES      20
#define STREAM_TIMEOUT_MS (24LL * 3600 * 1000)

/* The cast of scripts/setup-keys: the lead first, then the participants;
 * those without a key file in --keys are left out. */
static const char *const cast[] = {"ICBC", "BOC", "CCB", "ABC", "BOCOM", "CMB", "CIB"};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    stopping = 1;
}

typedef struct bench {
    const char *endpoint, *dir, *supervisor;
    int64_t books, wait_ms;
    char prefix[64]; /* "BK-none-<run>-" */
    synd_keys server;
    synd_client *watch, *banks[MAX_BANKS];
    const char *bank_ids[MAX_BANKS];
    size_t n_banks;

    /* Shared with the watcher thread, under mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int live;          /* the stream's snapshot has ended: live events follow */
    int ended;         /* the stream ended */
    synd_status end;   /* how */
    int64_t *arrived;  /* per book: arrival, in monotonic us; 0 not yet */
    int64_t warm_seen; /* the last warm-up number seen; -1 none */
} bench;

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: synd-bench-lag --keys DIR [--endpoint ENDPOINT] [--books N] [--wait MS]\n\n"
            "Measures the lag from a cause to its event at a supervisor watching\n"
            "WatchSupervision: N bids on books that do not exist, each refused by the broker\n"
            "and reported as a BLOCKED event. Prints count, p50, p90, p99 and max in us.\n\n"
            "  --keys DIR           keys made by scripts/setup-keys: broker.pub, NFRA.key,\n"
            "                       ICBC.key and the participants' (BOC.key, CCB.key, ...)\n"
            "  --endpoint ENDPOINT  broker endpoint (default SYND_ENDPOINT, else\n"
            "                       tcp://127.0.0.1:7700)\n"
            "  --books N            events to time (default 50)\n"
            "  --wait MS            how long to wait for each event (default 5000)\n"
            "  --help               show this help\n"
            "Exit status: 0 when every event was timed (whether or not the target was met),\n"
            "1 when one never came or the broker could not be used, 2 on a usage error.\n");
}

/* Parses a whole number within [min, max] for flag name. */
static int parse_num(const char *name, const char *text, int64_t min, int64_t max, int64_t *v)
{
    char *end;
    long long n = strtoll(text, &end, 10);

    if (*text == '\0' || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "synd-bench-lag: %s must be a whole number from %lld to %lld\n", name,
                (long long)min, (long long)max);
        return -1;
    }
    *v = n;
    return 0;
}

/* Parses the command line. Returns 0, 1 after --help, or -1 after
 * printing what is wrong. */
static int parse_flags(int argc, char **argv, bench *b)
{
    static const struct option opts[] = {
        {"keys", required_argument, NULL, 'k'},  {"endpoint", required_argument, NULL, 'e'},
        {"books", required_argument, NULL, 'n'}, {"wait", required_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    int o;

    opterr = 0;
    while ((o = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (o) {
        case 'k':
            b->dir = optarg;
            break;
        case 'e':
            b->endpoint = optarg;
            break;
        case 'n':
            if (parse_num("--books", optarg, 1, 10000000, &b->books) != 0)
                return -1;
            break;
        case 'w':
            if (parse_num("--wait", optarg, 1, 600000, &b->wait_ms) != 0)
                return -1;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case ':':
            fprintf(stderr, "synd-bench-lag: %s needs a value; try --help\n", argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "synd-bench-lag: unknown option %s; try --help\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "synd-bench-lag: unexpected argument '%s'; try --help\n", argv[optind]);
        return -1;
    }
    if (b->dir == NULL) {
        fprintf(stderr, "synd-bench-lag: --keys is required; try --help\n");
        return -1;
    }
    return 0;
}

/* Connects as the bank whose key is DIR/<id>.key. Returns the client, or
 * NULL with st set; a missing key file is SYND_NOT_FOUND. */
static synd_client *connect_as(const bench *b, const char *id, synd_status *st)
{
    synd_keys k = b->server;
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s.key", b->dir, id);
    if (access(path, R_OK) != 0) {
        synd_status_set(st, SYND_NOT_FOUND, "no key file %s", path);
        return NULL;
    }
    if (synd_keyfile_read(path, k.public_key, k.secret_key, st) != 0)
        return NULL;
    return synd_client_new(b->endpoint, &k, st);
}

/* Connects the supervisor and every bank of the cast that has a key. */
static int connect_all(bench *b)
{
    char path[4096];
    synd_status st;

    snprintf(path, sizeof(path), "%s/broker.pub", b->dir);
    if (synd_keyfile_read(path, b->server.server_public, NULL, &st) != 0 ||
        (b->watch = connect_as(b, b->supervisor, &st)) == NULL) {
        fprintf(stderr, "synd-bench-lag: %s: %s\n", synd_code_name(st.code), st.message);
        return -1;
    }
    for (size_t i = 0; i < sizeof(cast) / sizeof(cast[0]) && b->n_banks < MAX_BANKS; i++) {
        synd_client *c = connect_as(b, cast[i], &st);
        if (c == NULL && st.code == SYND_NOT_FOUND)
            continue;
        if (c == NULL) {
            fprintf(stderr, "synd-bench-lag: %s: %s: %s\n", cast[i], synd_code_name(st.code),
                    st.message);
            return -1;
        }
        b->bank_ids[b->n_banks] = cast[i];
        b->banks[b->n_banks++] = c;
    }
    if (b->n_banks == 0) {
        fprintf(stderr, "synd-bench-lag: no bank key (ICBC.key, BOC.key, ...) in %s\n", b->dir);
        return -1;
    }
    return 0;
}

/* Reads "<prefix><i>" or "<prefix>w<i>" from a BLOCKED event's book id.
 * Returns 1 for a timed book, 2 for a warm-up, 0 for anything else. */
static int our_book(const bench *b, const char *book_id, int64_t *i)
{
    size_t n = strlen(b->prefix);
    const char *p = book_id;
    int warm;
    char *end;

    if (strncmp(p, b->prefix, n) != 0)
        return 0;
    p += n;
    warm = *p == 'w';
    p += warm;
    if (*p < '0' || *p > '9')
        return 0;
    errno = 0;
    *i = strtoll(p, &end, 10);
    if (*end != '\0' || errno != 0)
        return 0;
    return warm ? 2 : 1;
}

/* The WatchSupervision callback, on the watcher thread: notes the
 * arrival of our BLOCKED events. */
static int on_event(const ProtobufCMessage *msg, void *arg)
{
    const Synd__V1__SupervisionEvent *ev = (const Synd__V1__SupervisionEvent *)msg;
    int64_t at = now_us(), i;
    bench *b = arg;
    int which;

    pthread_mutex_lock(&b->mu);
    if (ev->kind == SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT_END) {
        b->live = 1;
        pthread_cond_broadcast(&b->cv);
    } else if (ev->kind == SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED &&
               (which = our_book(b, ev->book_id, &i)) != 0) {
        if (which == 2 && i > b->warm_seen)
            b->warm_seen = i;
        else if (which == 1 && i >= 0 && i < b->books && b->arrived[i] == 0)
            b->arrived[i] = at;
        pthread_cond_broadcast(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
    return stopping != 0;
}

/* The watcher thread: one stream, with a snapshot whose end says that
 * live events follow. */
static void *watch_main(void *arg)
{
    Synd__V1__WatchSupervisionRequest req = SYND__V1__WATCH_SUPERVISION_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = STREAM_TIMEOUT_MS, .stop = &stopping};
    bench *b = arg;
    synd_status st;

    req.snapshot = 1;
    synd_stream(b->watch, "/synd.v1.Supervision/WatchSupervision", &req.base,
                &synd__v1__supervision_event__descriptor, on_event, b, &o, &st);
    pthread_mutex_lock(&b->mu);
    b->ended = 1;
    b->end = st;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* Waits, holding mu, until done(b) or the stream ends or ms pass.
 * Returns 1 when done(b). */
static int wait_for(bench *b, int (*done)(const bench *, int64_t), int64_t arg, int64_t ms)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!done(b, arg) && !b->ended && !stopping)
        if (pthread_cond_timedwait(&b->cv, &b->mu, &until) == ETIMEDOUT)
            break;
    return done(b, arg);
}

static int is_live(const bench *b, int64_t unused)
{
    return b->live;
}

static int warm_arrived(const bench *b, int64_t k)
{
    return b->warm_seen >= k;
}

static int book_arrived(const bench *b, int64_t i)
{
    return b->arrived[i] != 0;
}

/* Bids on the book that does not exist, as bank k. Returns the status;
 * a refusal is the point. */
static synd_code cause(bench *b, size_t k, const char *book_id, synd_status *st)
{
    Synd__V1__SubmitBidRequest req = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    Synd__V1__SubmitBidResponse *resp = NULL;
    synd_call_opts o = {.timeout_ms = b->wait_ms, .stop = &stopping};
    synd_code code;

    req.book_id = (char *)book_id;
    req.amount_fen = 1000000000; /* ¥10m */
    req.spread_bps = 100;
    code =
        synd_call(b->banks[k], "/synd.v1.Syndication/SubmitBid", &req.base,
                  &synd__v1__submit_bid_response__descriptor, (ProtobufCMessage **)&resp, &o, st);
    if (resp != NULL)
        protobuf_c_message_free_unpacked(&resp->base, NULL);
    return code;
}

/* Waits for the stream to be live, then sends warm-up refusals until one
 * is seen, so that the timed ones meet warm connections. */
static int warm_up(bench *b)
{
    char id[128];
    synd_status st;
    int ok;

    pthread_mutex_lock(&b->mu);
    ok = wait_for(b, is_live, 0, b->wait_ms);
    pthread_mutex_unlock(&b->mu);
    if (!ok) {
        fprintf(stderr, "synd-bench-lag: WatchSupervision did not start within %lld ms\n",
                (long long)b->wait_ms);
        return -1;
    }
    for (int64_t k = 0; k < WARMUP_TRIES && !stopping; k++) {
        snprintf(id, sizeof(id), "%sw%lld", b->prefix, (long long)k);
        for (size_t j = 0; j < b->n_banks; j++)
            if (cause(b, j, id, &st) == SYND_OK) {
                fprintf(stderr,
                        "synd-bench-lag: a bid on %s was taken; the bench needs a "
                        "refusal\n",
                        id);
                return -1;
            }
        pthread_mutex_lock(&b->mu);
        ok = wait_for(b, warm_arrived, k, b->wait_ms / WARMUP_TRIES + 1);
        pthread_mutex_unlock(&b->mu);
        if (ok)
            return 0;
    }
    fprintf(stderr, "synd-bench-lag: no BLOCKED event naming the book came for a refused bid; "
                    "does the broker report refusals to supervisors?\n");
    return -1;
}

/* Times each book in turn. Fills sent[] and the lags of the events that
 * came; returns how many came. */
static size_t run(bench *b, int64_t *lags, int64_t *replies, size_t *n_replies)
{
    char id[128];
    size_t n = 0;
    synd_status st;

    *n_replies = 0;
    for (int64_t i = 0; i < b->books && !stopping; i++) {
        size_t k = (size_t)i % b->n_banks;
        int64_t sent, replied;
        int came;

        snprintf(id, sizeof(id), "%s%lld", b->prefix, (long long)i);
        sent = now_us();
        if (cause(b, k, id, &st) == SYND_OK) {
            fprintf(stderr, "synd-bench-lag: a bid on %s was taken; the bench needs a refusal\n",
                    id);
            break;
        }
        replied = now_us();
        if (st.code != SYND_UNAVAILABLE && st.code != SYND_DEADLINE_EXCEEDED &&
            st.code != SYND_CANCELLED)
            replies[(*n_replies)++] = replied - sent;
        pthread_mutex_lock(&b->mu);
        came = wait_for(b, book_arrived, i, b->wait_ms);
        if (came)
            lags[n++] = b->arrived[i] - sent;
        pthread_mutex_unlock(&b->mu);
        if (!came) {
            fprintf(stderr, "synd-bench-lag: no event for %s by %s within %lld ms (%s: %s)\n", id,
                    b->bank_ids[k], (long long)b->wait_ms, synd_code_name(st.code), st.message);
            if (b->ended)
                break;
        }
    }
    return n;
}

/* Prints the figures and the target. */
static void report(const bench *b, int64_t *lags, size_t n, int64_t *replies, size_t n_replies)
{
    lag_stats s, r;

    lag_stats_of(lags, n, &s);
    lag_stats_of(replies, n_replies, &r);
    printf("synd-bench-lag: %lld refused bids by %zu banks at %s, watched by %s\n",
           (long long)b->books, b->n_banks, b->endpoint, b->supervisor);
    printf("event lag, cause sent -> BLOCKED event at the supervisor (us):\n");
    printf("  count %zu  p50 %lld  p90 %lld  p99 %lld  max %lld\n", s.count, (long long)s.p50,
           (long long)s.p90, (long long)s.p99, (long long)s.max);
    printf("refusal round trip, for reference (us):\n");
    printf("  count %zu  p50 %lld  p90 %lld  p99 %lld  max %lld\n", r.count, (long long)r.p50,
           (long long)r.p90, (long long)r.p99, (long long)r.max);
    if ((int64_t)n < b->books)
        printf("missed: %lld events never came\n", (long long)(b->books - (int64_t)n));
    printf("target: p99 < %d ms: %s\n", TARGET_P99_US / 1000,
           (int64_t)n == b->books && s.p99 < TARGET_P99_US ? "PASS" : "MISS");
}

int main(int argc, char **argv)
{
    bench b = {.endpoint = getenv("SYND_ENDPOINT"),
               .supervisor = "NFRA",
               .books = 50,
               .wait_ms = 5000,
               .warm_seen = -1,
               .mu = PTHREAD_MUTEX_INITIALIZER,
               .cv = PTHREAD_COND_INITIALIZER};
    struct sigaction sa = {.sa_handler = on_signal};
    int64_t *lags = NULL, *replies = NULL;
    size_t n = 0, n_replies = 0;
    pthread_t watcher;
    int rc = parse_flags(argc, argv, &b), started = 0;

    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (b.endpoint == NULL)
        b.endpoint = "tcp://127.0.0.1:7700";
    snprintf(b.prefix, sizeof(b.prefix), "BK-none-%ld%03ld-", (long)getpid(),
             (long)(now_us() % 1000));
    sigemptyset(&sa.sa_mask);
    rc = 1;
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) {
        fprintf(stderr, "synd-bench-lag: cannot install the signal handlers\n");
        goto out;
    }
    b.arrived = calloc((size_t)b.books, sizeof(*b.arrived));
    lags = calloc((size_t)b.books, sizeof(*lags));
    replies = calloc((size_t)b.books, sizeof(*replies));
    if (b.arrived == NULL || lags == NULL || replies == NULL) {
        fprintf(stderr, "synd-bench-lag: out of memory\n");
        goto out;
    }
    if (connect_all(&b) != 0)
        goto out;
    if (pthread_create(&watcher, NULL, watch_main, &b) != 0) {
        fprintf(stderr, "synd-bench-lag: cannot start the watcher thread\n");
        goto out;
    }
    started = 1;
    if (warm_up(&b) != 0)
        goto out;
    n = run(&b, lags, replies, &n_replies);
    report(&b, lags, n, replies, n_replies);
    rc = (int64_t)n == b.books ? 0 : 1;
out:
    stopping = 1;
    if (started) {
        pthread_join(watcher, NULL);
        if (b.ended && b.end.code != SYND_CANCELLED && b.end.code != SYND_OK) {
            fprintf(stderr, "synd-bench-lag: WatchSupervision ended: %s: %s\n",
                    synd_code_name(b.end.code), b.end.message);
            rc = 1;
        }
    }
    synd_client_free(b.watch);
    for (size_t i = 0; i < b.n_banks; i++)
        synd_client_free(b.banks[i]);
    free(b.arrived);
    free(lags);
    free(replies);
    return rc;
}
