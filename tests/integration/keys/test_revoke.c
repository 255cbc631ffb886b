/* Integration: a revoked key's open streams are ended with
 * UNAUTHENTICATED, its next call on the same connection is refused
 * UNAUTHENTICATED, and a new connection with it fails at the handshake;
 * other keys go on. Removing a key from the file does the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "kt.h"
#include "synd/v1/syndication.pb-c.h"

static harness h;
static void *zctx;

static void setup(void)
{
    cr_assert_eq(harness_start(&h), 0, "cannot start redis-server and syndbroker");
    zctx = zmq_ctx_new();
    cr_assert_not_null(zctx);
}

static void teardown(void)
{
    zmq_ctx_term(zctx);
    cr_expect_eq(harness_stop(&h), 0, "syndbroker did not shut down cleanly");
}

TestSuite(keys_revoke, .init = setup, .fini = teardown, .timeout = 90);

/* Sends a request envelope on a raw DEALER. */
static void send_call(void *sock, uint64_t call_id, const char *method, const ProtobufCMessage *m)
{
    Synd__V1__Envelope env = SYND__V1__ENVELOPE__INIT;
    size_t len;
    uint8_t *payload = harness_pack(m, &len);

    cr_assert_not_null(payload);
    env.call_id = call_id;
    env.method = (char *)method;
    env.payload.data = payload;
    env.payload.len = len;
    cr_assert_eq(harness_send_envelope(sock, &env), 0);
    free(payload);
}

/* The next envelope of call_id on sock within the bound; others (a
 * health change on another stream) are skipped. */
static Synd__V1__Envelope *recv_for(void *sock, uint64_t call_id)
{
    int64_t until = harness_now_ms() + KT_WAIT_MS;

    while (harness_now_ms() < until) {
        Synd__V1__Envelope *e = harness_recv_envelope(sock, (int)(until - harness_now_ms()));
        if (e == NULL)
            return NULL;
        if (e->call_id == call_id)
            return e;
        synd__v1__envelope__free_unpacked(e, NULL);
    }
    return NULL;
}

/* Expects the final status of each of the n calls: UNAUTHENTICATED, "key
 * revoked". Frames a stream sent before the revocation are skipped. */
static void expect_revoked(void *sock, const uint64_t *calls, size_t n)
{
    int64_t until = harness_now_ms() + KT_WAIT_MS;
    size_t ended = 0;

    while (ended < n) {
        Synd__V1__Envelope *e = harness_recv_envelope(sock, (int)(until - harness_now_ms()));
        cr_assert_not_null(e, "%zu of %zu calls ended", ended, n);
        for (size_t i = 0; e->end_of_stream && i < n; i++) {
            if (e->call_id != calls[i])
                continue;
            cr_assert_not_null(e->status);
            cr_expect_eq(e->status->code, SYND_UNAUTHENTICATED, "call %llu: %s %s",
                         (unsigned long long)e->call_id, synd_code_name(e->status->code),
                         e->status->message);
            cr_expect_not_null(strstr(e->status->message, "key revoked"), "%s", e->status->message);
            ended++;
        }
        synd__v1__envelope__free_unpacked(e, NULL);
    }
}

/* Opens a Health Watch on sock and waits for its first frame. */
static void open_health_watch(void *sock, uint64_t call_id)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__Envelope *e;

    send_call(sock, call_id, "/synd.v1.Health/Watch", &req.base);
    e = recv_for(sock, call_id);
    cr_assert_not_null(e, "no first frame of Health Watch");
    cr_assert(!e->end_of_stream, "Health Watch ended: %s", e->status ? e->status->message : "");
    synd__v1__envelope__free_unpacked(e, NULL);
}

/* How many lines of the broker's log hold both a and b. */
static int log_lines_with(const char *a, const char *b)
{
    FILE *f = fopen(h.broker.log_path, "r");
    char line[1024];
    int n = 0;

    cr_assert_not_null(f);
    while (fgets(line, sizeof(line), f) != NULL)
        n += strstr(line, a) != NULL && strstr(line, b) != NULL;
    fclose(f);
    return n;
}

static uint64_t open_streams(void)
{
    synd_client *lead = harness_client(&h, HARNESS_LEAD);
    Synd__V1__GetStatsResponse stats;

    cr_assert_not_null(lead);
    cr_assert_eq(harness_stats(lead, &stats), 0);
    synd_client_free(lead);
    return stats.open_streams;
}

/* Opens WatchBooks on sock as call_id, once the broker has loaded its
 * books (until then it answers UNAVAILABLE), and waits until the broker
 * counts want open streams. WatchBooks sends nothing while no book is
 * open, so the count is what says it is open. */
static void open_watch_books(void *sock, uint64_t *call_id, uint64_t want)
{
    Synd__V1__WatchBooksRequest req = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    int64_t until = harness_now_ms() + KT_WAIT_MS;

    send_call(sock, *call_id, "/synd.v1.Syndication/WatchBooks", &req.base);
    while (open_streams() != want) {
        zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
        cr_assert_lt(harness_now_ms(), until, "WatchBooks did not open");
        if (zmq_poll(&item, 1, 50) == 1) {
            Synd__V1__Envelope *e = recv_for(sock, *call_id);
            cr_assert_not_null(e);
            cr_assert(e->end_of_stream && e->status && e->status->code == SYND_UNAVAILABLE,
                      "WatchBooks refused: %s", e->status ? e->status->message : "");
            synd__v1__envelope__free_unpacked(e, NULL);
            send_call(sock, ++*call_id, "/synd.v1.Syndication/WatchBooks", &req.base);
        }
    }
}

Test(keys_revoke, streams_end_calls_are_refused_and_handshakes_fail)
{
    const char *revoke[] = {"revoke", "--bank", "BOC-SH", "--role", "participant", NULL};
    const char *list[] = {"list", NULL};
    Synd__V1__WhoAmIRequest who = SYND__V1__WHO_AM_IREQUEST__INIT;
    kt_key part = kt_who(&h, HARNESS_PARTICIPANT);
    void *p = harness_dealer(&h, zctx, HARNESS_PARTICIPANT);
    void *l = harness_dealer(&h, zctx, HARNESS_LEAD);
    char out[HARNESS_PATH_MAX + 16], bank[64];
    uint64_t books_call = 2, ended[2] = {1, 0}, next = 100;
    Synd__V1__Envelope *e;
    synd_status st;

    cr_assert_not_null(p);
    cr_assert_not_null(l);
    open_health_watch(p, 1);
    open_health_watch(l, 1);
    open_watch_books(p, &books_call, 3);

    cr_assert_eq(kt_syndctl_key(&h, "revoke.out", revoke), 0);
    snprintf(out, sizeof(out), "%s/revoke.out", h.dir);
    cr_expect(harness_file_contains(out, "revoked BOC-SH/participant"));

    /* Both of the participant's streams end; the lead's stays. */
    ended[1] = books_call;
    expect_revoked(p, ended, 2);
    cr_expect_eq(open_streams(), 1);

    /* The connection is still there, but nothing passes over it. */
    send_call(p, 100, "/synd.v1.Reflection/WhoAmI", &who.base);
    expect_revoked(p, &next, 1);

    /* A new connection with the key fails at the handshake, and a client
     * that keeps trying does not flood the log: a line per 10 s. */
    for (int i = 0; i < 3; i++) {
        cr_expect_eq(kt_whoami_fresh(&h, &part, NULL, NULL, &st), SYND_UNAUTHENTICATED);
        cr_expect_not_null(strstr(st.message, "refused this key"), "%s", st.message);
    }
    cr_expect_eq(log_lines_with(part.pub, "is revoked"), 1);

    /* The lead goes on, on its open connection and on a new one. */
    send_call(l, 2, "/synd.v1.Reflection/WhoAmI", &who.base);
    e = recv_for(l, 2);
    cr_assert_not_null(e);
    cr_expect(e->status == NULL || e->status->code == SYND_OK, "lead: %s",
              e->status ? e->status->message : "");
    synd__v1__envelope__free_unpacked(e, NULL);
    {
        kt_key lead = kt_who(&h, HARNESS_LEAD);
        cr_expect_eq(kt_whoami_fresh(&h, &lead, bank, NULL, &st), SYND_OK, "%s", st.message);
    }

    /* syndctl key list shows the key, revoked. */
    cr_assert_eq(kt_syndctl_key(&h, "list.out", list), 0);
    snprintf(out, sizeof(out), "%s/list.out", h.dir);
    cr_expect(harness_file_contains(out, "revoked"));
    cr_expect(harness_file_contains(out, part.pub));
    zmq_close(p);
    zmq_close(l);
}

/* The stream callback: on the first frame, revokes the caller's own key
 * by its public key, and keeps the stream going. */
typedef struct revoke_on_first {
    const harness *h;
    const char *pub;
    int frames, rc;
} revoke_on_first;

static int revoke_then_wait(const ProtobufCMessage *m, void *arg)
{
    revoke_on_first *r = arg;
    const char *revoke[] = {"revoke", "--public-key", r->pub, NULL};

    if (r->frames++ == 0)
        r->rc = kt_syndctl_key(r->h, "revoke.out", revoke);
    return 0;
}

Test(keys_revoke, libsynd_sees_its_stream_end_unauthenticated)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    kt_key part = kt_who(&h, HARNESS_PARTICIPANT);
    revoke_on_first r = {&h, part.pub, 0, -1};
    synd_client *c = kt_client(&h, &part);
    synd_call_opts o = {.timeout_ms = 60000};
    synd_status st;

    cr_expect_eq(synd_stream(c, "/synd.v1.Health/Watch", &req.base,
                             &synd__v1__health_check_response__descriptor, revoke_then_wait, &r, &o,
                             &st),
                 SYND_UNAUTHENTICATED, "%s %s", synd_code_name(st.code), st.message);
    cr_expect_not_null(strstr(st.message, "key revoked"), "%s", st.message);
    cr_expect_eq(r.rc, 0, "syndctl key revoke failed");
    cr_expect_geq(r.frames, 1);
    cr_expect_eq(kt_whoami(c, NULL, NULL, &st), SYND_UNAUTHENTICATED, "the next call");
    cr_expect_not_null(strstr(st.message, "key revoked"), "%s", st.message);
    synd_client_free(c);
}

Test(keys_revoke, removing_a_key_from_the_file_revokes_it)
{
    kt_key part = kt_who(&h, HARNESS_PARTICIPANT);
    void *p = harness_dealer(&h, zctx, HARNESS_PARTICIPANT);
    char *before = kt_registry_read(&h), *after, entry[128];
    uint64_t first = 1;
    synd_status st;

    cr_assert_not_null(p);
    open_health_watch(p, 1);
    snprintf(entry, sizeof(entry), "{ role = \"participant\"; public_key = \"%s\"; }", part.pub);
    after = kt_replace(before, entry, "");
    kt_registry_write(&h, after);

    expect_revoked(p, &first, 1);
    cr_expect_eq(kt_whoami_fresh(&h, &part, NULL, NULL, &st), SYND_UNAUTHENTICATED);
    cr_expect(harness_file_contains(h.broker.log_path, "is not in the registry"));
    zmq_close(p);
    free(before);
    free(after);
}
