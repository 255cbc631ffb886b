/* Integration: fair use. A bank over its request rate gets
 * RESOURCE_EXHAUSTED naming the quota, recorded once a second rather than
 * once a request; and one bank flooding the broker from many threads and
 * connections, with calls and with streams, does not stop another bank's
 * bids from being acknowledged, each within a bound. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "sec.h"

#define CHECK       "/synd.v1.Health/Check"
#define GET_BOOK    "/synd.v1.Syndication/GetBook"
#define WATCH_BOOKS "/synd.v1.Syndication/WatchBooks"

#define FLOOD_THREADS   4
#define FLOOD_SOCKETS   2    /* DEALERs per thread, each a connection */
#define FLOOD_IN_FLIGHT 64   /* unary calls each DEALER keeps waiting */
#define STREAM_EVERY    8    /* every 8th request a flooder sends opens a stream */
#define VICTIM_BIDS     30   /* at least, and for at least FLOOD_MS */
#define FLOOD_MS        2000 /* long enough that the rate, not the burst, bounds the flood */
#define BID_BOUND_MS    2000 /* the most one of the victim's bids may take */

TestSuite(fair, .init = sec_start, .fini = sec_stop, .timeout = 120);

/* Sends n Health checks on d at once, then reads their n answers. */
static void burst(void *d, int n, int *ok, int *exhausted, char *message, size_t cap)
{
    Synd__V1__Envelope *env;

    *ok = *exhausted = 0;
    for (int i = 1; i <= n; i++)
        sec_send(d, (uint64_t)i, CHECK, NULL, 0, NULL);
    for (int i = 0; i < n; i++) {
        env = harness_recv_envelope(d, 10000);
        cr_assert_not_null(env, "%d of %d answers came", i, n);
        cr_assert_not_null(env->status);
        if (env->status->code == SYND_OK) {
            (*ok)++;
        } else {
            cr_expect_eq(env->status->code, SYND_RESOURCE_EXHAUSTED, "%s", env->status->message);
            if ((*exhausted)++ == 0)
                snprintf(message, cap, "%s", env->status->message);
        }
        synd__v1__envelope__free_unpacked(env, NULL);
    }
}

Test(fair, a_bank_over_its_rate_is_refused_and_recorded_once_a_second)
{
    int64_t from = harness_now_ms(), t0, elapsed;
    void *d = sec_dealer(HARNESS_PARTICIPANT);
    char message[512] = "";
    int ok, exhausted;
    size_t records;

    t0 = harness_now_ms();
    burst(d, 1000, &ok, &exhausted, message, sizeof(message));
    elapsed = harness_now_ms() - t0;
    cr_expect_geq(ok, SEC_BURST, "the burst is served: %d", ok);
    cr_expect_leq(ok, SEC_BURST + SEC_RATE * elapsed / 1000 + 1,
                  "%d served in %lld ms: more than the quota allows", ok, (long long)elapsed);
    cr_expect_gt(exhausted, 0);
    cr_expect_str_eq(message, "bank BOC-SH is over its request rate quota of 200 a second "
                              "(burst 400); slow down and retry (rule: request rate quota)");
    sec_expect_serving();

    sec_expect_audited(from, "BOC-SH", "Check", SYND_RESOURCE_EXHAUSTED,
                       "rule: request rate quota");
    records = sec_audited(from, "BOC-SH", SYND_RESOURCE_EXHAUSTED);
    elapsed = harness_now_ms() - t0;
    cr_expect_leq(records, (size_t)(elapsed / 1000 + 1),
                  "%zu records of %d refusals in %lld ms: a flood became a flood of records",
                  records, exhausted, (long long)elapsed);

    /* The bucket refills: BOC-SH is served again. */
    {
        int64_t until = harness_now_ms() + BK_WAIT_MS;
        int status;

        do {
            status = harness_health(bk_client(BK_BOC), "", BK_CALL_MS);
            if (status != HARNESS_SERVING)
                harness_sleep_ms(20);
        } while (status != HARNESS_SERVING && harness_now_ms() < until);
        cr_expect_eq(status, HARNESS_SERVING, "BOC-SH is not served again");
    }
}

/* One flooding thread: FLOOD_SOCKETS connections of BOC-SH, each keeping
 * FLOOD_IN_FLIGHT GetBooks waiting and opening a stream every
 * STREAM_EVERY requests, until told to stop. Criterion's asserts are for
 * the test's thread: failures are kept in why. */
typedef struct flood {
    pthread_t thread;
    void *zctx;
    const char *book;
    atomic_int *stop;
    atomic_ulong ok, exhausted, streams_refused, other;
    char why[256];   /* what went wrong in the thread */
    char first[512]; /* the first answer that was neither served nor over the quota */
} flood;

/* Encodes one request of the flood: call id, and a GetBook of the book or
 * (every STREAM_EVERY) a WatchBooks. */
static int flood_send(flood *f, void *s, uint64_t id)
{
    Synd__V1__Envelope env = SYND__V1__ENVELOPE__INIT;
    Synd__V1__BookRef ref = SYND__V1__BOOK_REF__INIT;
    uint8_t payload[128], buf[512];
    size_t len;

    ref.book_id = (char *)f->book;
    env.call_id = id;
    if (id % STREAM_EVERY == 0) {
        env.method = WATCH_BOOKS;
    } else {
        env.method = GET_BOOK;
        env.payload.len = synd__v1__book_ref__pack(&ref, payload);
        env.payload.data = payload;
    }
    len = synd__v1__envelope__pack(&env, buf);
    return zmq_send(s, buf, len, ZMQ_DONTWAIT) == (int)len ? 0 : -1;
}

/* Reads every frame waiting on s; returns how many unary calls ended. */
static int flood_read(flood *f, void *s)
{
    int ended = 0;
    zmq_msg_t m;

    for (;;) {
        Synd__V1__Envelope *env;

        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, s, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            return ended;
        }
        env = synd__v1__envelope__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
        zmq_msg_close(&m);
        if (env == NULL) {
            snprintf(f->why, sizeof(f->why), "an answer that is not an envelope");
            continue;
        }
        if (env->status != NULL && env->call_id % STREAM_EVERY == 0) {
            f->streams_refused += env->status->code == SYND_RESOURCE_EXHAUSTED;
        } else if (env->status != NULL) {
            ended++;
            if (env->status->code == SYND_OK)
                f->ok++;
            else if (env->status->code == SYND_RESOURCE_EXHAUSTED)
                f->exhausted++;
            else if (f->other++ == 0)
                snprintf(f->first, sizeof(f->first), "%s: %s",
                         synd_code_name(synd_code_from_wire(env->status->code)),
                         env->status->message);
        }
        synd__v1__envelope__free_unpacked(env, NULL);
    }
}

static void *flood_main(void *arg)
{
    flood *f = arg;
    void *s[FLOOD_SOCKETS] = {NULL};
    int in_flight[FLOOD_SOCKETS] = {0};
    uint64_t next[FLOOD_SOCKETS];
    zmq_pollitem_t items[FLOOD_SOCKETS];

    for (int i = 0; i < FLOOD_SOCKETS; i++) {
        next[i] = 1;
        if ((s[i] = harness_dealer(&bk_h, f->zctx, HARNESS_PARTICIPANT)) == NULL) {
            snprintf(f->why, sizeof(f->why), "cannot make a DEALER");
            goto out;
        }
        items[i] = (zmq_pollitem_t){s[i], 0, ZMQ_POLLIN, 0};
    }
    while (!atomic_load(f->stop)) {
        for (int i = 0; i < FLOOD_SOCKETS; i++) {
            while (in_flight[i] < FLOOD_IN_FLIGHT && flood_send(f, s[i], next[i]) == 0) {
                in_flight[i] += next[i] % STREAM_EVERY != 0;
                next[i]++;
            }
        }
        if (zmq_poll(items, FLOOD_SOCKETS, 10) < 0)
            continue;
        for (int i = 0; i < FLOOD_SOCKETS; i++)
            in_flight[i] -= flood_read(f, s[i]);
    }
out:
    for (int i = 0; i < FLOOD_SOCKETS; i++)
        if (s[i] != NULL)
            zmq_close(s[i]);
    return NULL;
}

Test(fair, one_bank_flooding_does_not_stop_another_banks_bids)
{
    static atomic_int stop;
    flood floods[FLOOD_THREADS];
    unsigned long ok = 0, exhausted = 0, streams_refused = 0;
    int64_t t0, elapsed, slowest = 0;
    void *zctx = zmq_ctx_new();
    Synd__V1__SubmitBidResponse *r;
    const char *id;
    bk_terms bt;
    synd_status st;
    int bids;

    cr_assert_not_null(zctx);
    bk_terms_init(&bt);
    id = bk_open_ok(BK_ICBC, &bt)->book_id;
    atomic_store(&stop, 0);
    t0 = harness_now_ms();
    for (int i = 0; i < FLOOD_THREADS; i++) {
        memset(&floods[i], 0, sizeof(floods[i]));
        atomic_init(&floods[i].ok, 0);
        atomic_init(&floods[i].exhausted, 0);
        atomic_init(&floods[i].streams_refused, 0);
        atomic_init(&floods[i].other, 0);
        floods[i].zctx = zctx;
        floods[i].book = id;
        floods[i].stop = &stop;
        cr_assert_eq(pthread_create(&floods[i].thread, NULL, flood_main, &floods[i]), 0);
    }
    /* Let the flood reach the quota before the other bank bids. */
    {
        int64_t until = harness_now_ms() + BK_WAIT_MS;
        unsigned long seen = 0;

        while (seen == 0 && harness_now_ms() < until) {
            harness_sleep_ms(20);
            for (int i = 0; i < FLOOD_THREADS; i++)
                seen += atomic_load(&floods[i].exhausted);
        }
    }

    for (bids = 0; bids < VICTIM_BIDS || harness_now_ms() - t0 < FLOOD_MS; bids++) {
        int64_t sent = harness_now_ms(), took;
        synd_code code = bk_bid(BK_CIB, id, MN(100 + bids % 400), 30, NULL, &r, &st);

        took = harness_now_ms() - sent;
        slowest = took > slowest ? took : slowest;
        cr_expect_eq(code, SYND_OK, "CIB's bid %d under the flood: %s: %s", bids,
                     synd_code_name(code), st.message);
        cr_expect_leq(took, BID_BOUND_MS, "CIB's bid %d took %lld ms under the flood", bids,
                      (long long)took);
    }

    atomic_store(&stop, 1);
    for (int i = 0; i < FLOOD_THREADS; i++) {
        pthread_join(floods[i].thread, NULL);
        cr_expect_str_eq(floods[i].why, "", "flooder %d: %s", i, floods[i].why);
        cr_expect_eq(atomic_load(&floods[i].other), 0,
                     "flooder %d got %lu answers that are neither, the first %s", i,
                     atomic_load(&floods[i].other), floods[i].first);
        ok += atomic_load(&floods[i].ok);
        exhausted += atomic_load(&floods[i].exhausted);
        streams_refused += atomic_load(&floods[i].streams_refused);
    }
    elapsed = harness_now_ms() - t0;
    zmq_ctx_term(zctx);
    cr_log_info("flood: %lu served, %lu refused, %lu streams refused in %lld ms; CIB's %d bids, "
                "the slowest %lld ms",
                ok, exhausted, streams_refused, (long long)elapsed, bids, (long long)slowest);
    cr_expect_gt(exhausted, 0, "the flood never reached the rate quota");
    cr_expect_gt(streams_refused, 0, "the flood never reached the stream quota");
    cr_expect_leq(ok, (unsigned long)(SEC_BURST + SEC_RATE * elapsed / 1000 + 1),
                  "%lu of the flood's calls served in %lld ms", ok, (long long)elapsed);
    cr_expect_eq(bk_find_bid(bk_get_ok(BK_ICBC, id), "CIB")->amount_fen, MN(100 + (bids - 1) % 400),
                 "CIB's last bid stands");
    sec_expect_serving();
}
