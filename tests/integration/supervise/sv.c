/* The supervision integration-test fixture; see sv.h. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sv.h"
#include "synd/v1/reflection.pb-c.h"

#define MAX_WATCHERS 8
#define STREAM_MS    120000 /* a watcher's stream outlives any test */
#define POLL_MS      10

struct sv_watcher {
    pthread_t thread;
    synd_client *client;
    Synd__V1__WatchSupervisionRequest req;
    volatile sig_atomic_t stop;
    int joined;
    pthread_mutex_t mu;
    sv_event **events;
    size_t n, cap;
    synd_code final;
    synd_status st;
};

static sv_watcher *watchers[MAX_WATCHERS];
static size_t n_watchers;
static ProtobufCMessage **kept;
static size_t n_kept, cap_kept;
static synd_keys csrc_keys; /* the second supervisor's, once registered */

void sv_start(void)
{
    bk_start();
}

static void watcher_free(sv_watcher *w)
{
    if (!w->joined) {
        w->stop = 1;
        pthread_join(w->thread, NULL);
    }
    synd_client_free(w->client);
    for (size_t i = 0; i < w->n; i++)
        synd__v1__supervision_event__free_unpacked(w->events[i], NULL);
    free(w->events);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

/* The broker stops first, with the watchers' streams still open, so that
 * its clean exit (checked by bk_stop()) covers ending them. */
void sv_stop(void)
{
    bk_stop();
    for (size_t i = 0; i < n_watchers; i++)
        watcher_free(watchers[i]);
    n_watchers = 0;
    for (size_t i = 0; i < n_kept; i++)
        protobuf_c_message_free_unpacked(kept[i], NULL);
    free(kept);
    kept = NULL;
    n_kept = cap_kept = 0;
    memset(&csrc_keys, 0, sizeof(csrc_keys));
}

/* --- calls -------------------------------------------------------------- */

static void keep(ProtobufCMessage *m)
{
    if (n_kept == cap_kept) {
        cap_kept = cap_kept ? 2 * cap_kept : 64;
        kept = realloc(kept, cap_kept * sizeof(*kept));
        cr_assert_not_null(kept, "out of memory");
    }
    kept[n_kept++] = m;
}

synd_code sv_call(bk_who who, const char *method, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *type, void *out, synd_status *st)
{
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    ProtobufCMessage *reply = NULL;
    synd_code code = synd_call(bk_client(who), method, req, type, &reply, &o, st);

    if (code == SYND_OK)
        keep(reply);
    if (out != NULL)
        *(ProtobufCMessage **)out = code == SYND_OK ? reply : NULL;
    return code;
}

synd_code sv_borrower(bk_who who, const char *code, Synd__V1__GetBorrowerExposureResponse **out,
                      synd_status *st)
{
    Synd__V1__GetBorrowerExposureRequest req = SYND__V1__GET_BORROWER_EXPOSURE_REQUEST__INIT;

    req.borrower_code = (char *)code;
    return sv_call(who, SV_METHOD("GetBorrowerExposure"), &req.base,
                   &synd__v1__get_borrower_exposure_response__descriptor, out, st);
}

synd_code sv_bank(bk_who who, const char *bank, Synd__V1__GetBankExposureResponse **out,
                  synd_status *st)
{
    Synd__V1__GetBankExposureRequest req = SYND__V1__GET_BANK_EXPOSURE_REQUEST__INIT;

    req.bank_id = (char *)bank;
    return sv_call(who, SV_METHOD("GetBankExposure"), &req.base,
                   &synd__v1__get_bank_exposure_response__descriptor, out, st);
}

synd_code sv_top(bk_who who, int32_t n, Synd__V1__TopConcentrationsResponse **out, synd_status *st)
{
    Synd__V1__TopConcentrationsRequest req = SYND__V1__TOP_CONCENTRATIONS_REQUEST__INIT;

    req.n = n;
    return sv_call(who, SV_METHOD("TopConcentrations"), &req.base,
                   &synd__v1__top_concentrations_response__descriptor, out, st);
}

synd_code sv_audit(bk_who who, int64_t from_ms, int64_t to_ms, int32_t limit,
                   Synd__V1__GetAuditLogResponse **out, synd_status *st)
{
    Synd__V1__GetAuditLogRequest req = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;

    req.from_ms = from_ms;
    req.to_ms = to_ms;
    req.limit = limit;
    return sv_call(who, SV_METHOD("GetAuditLog"), &req.base,
                   &synd__v1__get_audit_log_response__descriptor, out, st);
}

Synd__V1__GetBorrowerExposureResponse *sv_borrower_ok(const char *code)
{
    Synd__V1__GetBorrowerExposureResponse *r;
    synd_status st;
    synd_code c = sv_borrower(BK_NFRA, code, &r, &st);

    cr_assert_eq(c, SYND_OK, "GetBorrowerExposure %s: %s: %s", code, synd_code_name(c), st.message);
    return r;
}

Synd__V1__GetBankExposureResponse *sv_bank_ok(const char *bank)
{
    Synd__V1__GetBankExposureResponse *r;
    synd_status st;
    synd_code c = sv_bank(BK_NFRA, bank, &r, &st);

    cr_assert_eq(c, SYND_OK, "GetBankExposure %s: %s: %s", bank, synd_code_name(c), st.message);
    return r;
}

Synd__V1__TopConcentrationsResponse *sv_top_ok(int32_t n)
{
    Synd__V1__TopConcentrationsResponse *r;
    synd_status st;
    synd_code c = sv_top(BK_NFRA, n, &r, &st);

    cr_assert_eq(c, SYND_OK, "TopConcentrations %d: %s: %s", n, synd_code_name(c), st.message);
    return r;
}

Synd__V1__GetAuditLogResponse *sv_audit_wait(int64_t from_ms, size_t n)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;
    Synd__V1__GetAuditLogResponse *r;
    synd_status st;
    synd_code c;

    for (;;) {
        c = sv_audit(BK_NFRA, from_ms, 0, 0, &r, &st);
        cr_assert_eq(c, SYND_OK, "GetAuditLog: %s: %s", synd_code_name(c), st.message);
        if (r->n_records >= n || harness_now_ms() >= until)
            break;
        harness_sleep_ms(POLL_MS);
    }
    cr_assert_geq(r->n_records, n,
                  "the audit trail holds %zu records from %lld after %d ms; want %zu", r->n_records,
                  (long long)from_ms, BK_WAIT_MS, n);
    return r;
}

/* --- the scenario ------------------------------------------------------- */

/* Opens a book for borrower, takes two bids and closes it, checking that
 * it is allocated exactly as bid. Returns its id (kept). */
static const char *allocated_book(const char *borrower, bk_who p1, int64_t a1, bk_who p2,
                                  int64_t a2)
{
    bk_terms bt;
    Synd__V1__Book *book;
    Synd__V1__Allocation *a;
    const Synd__V1__Share *s;

    bk_terms_init(&bt);
    bt.t.borrower_code = (char *)borrower;
    book = bk_open_ok(BK_ICBC, &bt);
    bk_bid_ok(p1, book->book_id, a1, 30, NULL);
    bk_bid_ok(p2, book->book_id, a2, 40, NULL);
    a = bk_close_ok(BK_ICBC, book->book_id);
    cr_assert_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "book %s: %s", book->book_id,
                 a->reason);
    cr_assert_not_null(s = bk_share(a, "ICBC"));
    cr_assert_eq(s->alloc_fen, MN(150));
    cr_assert_not_null(s = bk_share(a, bk_bank(p1)));
    cr_assert_eq(s->alloc_fen, a1);
    cr_assert_not_null(s = bk_share(a, bk_bank(p2)));
    cr_assert_eq(s->alloc_fen, a2);
    return book->book_id;
}

void sv_scenario(const char *books[2])
{
    const char *b1 = allocated_book(BORROWER_A, BK_BOC, MN(500), BK_CIB, MN(350));
    const char *b2 = allocated_book(BORROWER_B, BK_CMB, MN(550), BK_CIB, MN(300));

    if (books != NULL) {
        books[0] = b1;
        books[1] = b2;
    }
}

/* --- the second supervisor ---------------------------------------------- */

/* Inserts the CSRC bank before the end of the registry file's bank list. */
static void add_csrc_to_registry(void)
{
    const char *end_of_banks = "\n);\nborrowers";
    char *text, *at;
    long size;
    FILE *f = fopen(bk_h.registry_path, "r");

    cr_assert_not_null(f, "cannot read %s", bk_h.registry_path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    rewind(f);
    text = calloc(1, (size_t)size + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    at = strstr(text, end_of_banks);
    cr_assert_not_null(at, "the registry has no end of its bank list");
    f = fopen(bk_h.registry_path, "w");
    cr_assert_not_null(f, "cannot write %s", bk_h.registry_path);
    fprintf(f,
            "%.*s,\n  { id = \"CSRC\"; name = \"Second supervisor\";\n"
            "    keys = ( { role = \"supervisor\"; public_key = \"%s\"; } ); }%s",
            (int)(at - text), text, csrc_keys.public_key, at);
    cr_assert_eq(fclose(f), 0, "cannot write %s", bk_h.registry_path);
    free(text);
}

void sv_second_supervisor(void)
{
    char prefix[HARNESS_PATH_MAX], path[HARNESS_PATH_MAX + 8];
    synd_status st;

    snprintf(prefix, sizeof(prefix), "%s/csrc", bk_h.dir);
    snprintf(path, sizeof(path), "%s.key", prefix);
    cr_assert_eq(synd_keygen(prefix, NULL, &st), 0, "keygen: %s", st.message);
    cr_assert_eq(synd_keyfile_read(path, csrc_keys.public_key, csrc_keys.secret_key, &st), 0,
                 "%s: %s", path, st.message);
    memcpy(csrc_keys.server_public, bk_h.broker_public, SYND_KEY_LEN);
    bk_kill();
    add_csrc_to_registry();
    bk_restart();
}

/* --- WatchSupervision --------------------------------------------------- */

/* Stores a copy of one event. Runs on the watcher's thread, where
 * Criterion's asserts must not be used; an event lost to out of memory
 * shows up as a missing event in the test's own thread. */
static int on_event(const ProtobufCMessage *msg, void *arg)
{
    sv_watcher *w = arg;
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(n ? n : 1);
    sv_event *ev = NULL;

    if (buf != NULL) {
        protobuf_c_message_pack(msg, buf);
        ev = synd__v1__supervision_event__unpack(NULL, n, buf);
        free(buf);
    }
    if (ev == NULL)
        return 0;
    pthread_mutex_lock(&w->mu);
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        sv_event **grown = realloc(w->events, cap * sizeof(*grown));
        if (grown == NULL) {
            pthread_mutex_unlock(&w->mu);
            synd__v1__supervision_event__free_unpacked(ev, NULL);
            return 0;
        }
        w->events = grown;
        w->cap = cap;
    }
    w->events[w->n++] = ev;
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void *watch_main(void *arg)
{
    sv_watcher *w = arg;
    synd_call_opts o = {.timeout_ms = STREAM_MS, .stop = &w->stop};

    w->final = synd_stream(w->client, SV_METHOD("WatchSupervision"), &w->req.base,
                           &synd__v1__supervision_event__descriptor, on_event, w, &o, &w->st);
    return NULL;
}

sv_watcher *sv_watch(sv_super who, int snapshot)
{
    sv_watcher *w = calloc(1, sizeof(*w));
    synd_keys keys;
    synd_status st;
    Synd__V1__GetStatsResponse stats;
    uint64_t before;

    cr_assert_not_null(w, "out of memory");
    cr_assert_lt(n_watchers, MAX_WATCHERS);
    if (who == SV_CSRC) {
        cr_assert(csrc_keys.public_key[0], "sv_second_supervisor() first");
        keys = csrc_keys;
    } else {
        memcpy(keys.server_public, bk_h.broker_public, SYND_KEY_LEN);
        memcpy(keys.public_key, bk_h.keys[HARNESS_SUPERVISOR].public_key, SYND_KEY_LEN);
        memcpy(keys.secret_key, bk_h.keys[HARNESS_SUPERVISOR].secret_key, SYND_KEY_LEN);
    }
    cr_assert_eq(harness_stats(bk_client(BK_NFRA), &stats), 0, "GetStats failed");
    before = stats.open_streams;
    synd__v1__watch_supervision_request__init(&w->req);
    w->req.snapshot = snapshot;
    w->client = synd_client_new(bk_h.broker.endpoint, &keys, &st);
    cr_assert_not_null(w->client, "client: %s", st.message);
    pthread_mutex_init(&w->mu, NULL);
    cr_assert_eq(pthread_create(&w->thread, NULL, watch_main, w), 0, "pthread_create");
    watchers[n_watchers++] = w;
    bk_wait_streams(before + 1);
    return w;
}

void sv_unwatch(sv_watcher *w)
{
    w->stop = 1;
    pthread_join(w->thread, NULL);
    w->joined = 1;
}

size_t sv_watch_count(sv_watcher *w)
{
    size_t n;

    pthread_mutex_lock(&w->mu);
    n = w->n;
    pthread_mutex_unlock(&w->mu);
    return n;
}

const sv_event *sv_watch_event(sv_watcher *w, size_t i)
{
    const sv_event *ev;

    pthread_mutex_lock(&w->mu);
    cr_assert_lt(i, w->n);
    ev = w->events[i];
    pthread_mutex_unlock(&w->mu);
    return ev;
}

void sv_watch_wait_count(sv_watcher *w, size_t n)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;

    while (sv_watch_count(w) < n && harness_now_ms() < until)
        harness_sleep_ms(POLL_MS);
    cr_assert_geq(sv_watch_count(w), n, "the stream holds %zu events after %d ms; want %zu (%s %s)",
                  sv_watch_count(w), BK_WAIT_MS, n, synd_code_name(w->final), w->st.message);
}

size_t sv_watch_wait_blocked(sv_watcher *w, const char *bank, const char *method)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;

    do {
        size_t n = sv_watch_count(w);
        for (size_t i = 0; i < n; i++) {
            const sv_event *ev = sv_watch_event(w, i);
            if (ev->kind == SV_BLOCKED && strcmp(ev->bank_id, bank) == 0 &&
                strcmp(ev->method, method) == 0)
                return i;
        }
        harness_sleep_ms(POLL_MS);
    } while (harness_now_ms() < until);
    cr_assert_fail("no BLOCKED event of %s by %s within %d ms (stream: %s %s)", method, bank,
                   BK_WAIT_MS, synd_code_name(w->final), w->st.message);
    return 0;
}
