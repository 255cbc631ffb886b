/* The books integration-test fixture; see fixture.h. */
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "fixture.h"
#include "synd/v1/reflection.pb-c.h"

#define MAX_WATCHERS 8
#define MAX_BIDDERS  8
#define STREAM_MS    120000 /* a watcher's stream outlives any test */
#define POLL_MS      20

harness bk_h;

/* Who is who. The first four are the harness's own identities, whose
 * keys it generated; the others get keys here. Capital figures are fen. */
static const struct {
    const char *bank, *role, *key; /* key: file prefix in the test folder */
    int harness_who;               /* the harness identity, or -1 */
    int64_t net_capital_fen, tier1_capital_fen;
} cast[BK_N] = {
    [BK_ICBC] = {"ICBC", "lead", "lead", HARNESS_LEAD, 400000000000000LL, 300000000000000LL},
    [BK_BOC] = {"BOC-SH", "participant", "participant", HARNESS_PARTICIPANT, 100000000000000LL,
                60000000000000LL},
    [BK_NFRA] = {"NFRA", "supervisor", "supervisor", HARNESS_SUPERVISOR, 0, 0},
    [BK_OPS] = {"SYND_OPS", "operator", "operator", HARNESS_OPERATOR, 0, 0},
    [BK_ICBC_P] = {"ICBC", "participant", "icbc-p", -1, 400000000000000LL, 300000000000000LL},
    [BK_CCB] = {"CCB", "lead", "ccb", -1, 390000000000000LL, 330000000000000LL},
    [BK_ABC] = {"ABC", "participant", "abc", -1, 50000000000000LL, 48000000000000LL},
    [BK_CMB] = {"CMB", "participant", "cmb", -1, 11000000000000LL, 9500000000000LL},
    [BK_CIB] = {"CIB", "participant", "cib", -1, 9000000000000LL, 7500000000000LL},
};

static synd_keys keys[BK_N];
static synd_client *clients[BK_N];

/* Replies and copies, freed by bk_stop(). */
static ProtobufCMessage **msgs;
static size_t n_msgs, cap_msgs;
static redisReply **replies;
static size_t n_replies, cap_replies;
static char **strs;
static size_t n_strs, cap_strs;
static redisContext *redis;

struct bk_watcher {
    pthread_t thread;
    synd_client *client;
    Synd__V1__WatchBooksRequest *filter; /* a copy the thread owns */
    volatile sig_atomic_t stop;
    pthread_mutex_t mu;
    Synd__V1__BookEvent **events;
    size_t n, cap;
    synd_code final;
    synd_status st;
};
static bk_watcher *watchers[MAX_WATCHERS];
static size_t n_watchers;

static struct {
    pid_t pid;
    const char *log;
} bidders[MAX_BIDDERS];
static size_t n_bidders;

const char *bk_bank(bk_who who)
{
    return cast[who].bank;
}

int64_t bk_limit(bk_who who)
{
    int64_t by_net = cast[who].net_capital_fen / 10;
    int64_t by_tier1 = cast[who].tier1_capital_fen * 15 / 100;

    return by_net < by_tier1 ? by_net : by_tier1;
}

/* Grows a kept-pointer array by one slot; asserts on out of memory. */
static void *grow(void *array, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return array;
    *cap = *cap ? 2 * *cap : 64;
    array = realloc(array, *cap * size);
    cr_assert_not_null(array, "out of memory");
    return array;
}

static void keep_msg(ProtobufCMessage *m)
{
    msgs = grow(msgs, n_msgs, &cap_msgs, sizeof(*msgs));
    msgs[n_msgs++] = m;
}

static const char *keep_str(const char *s)
{
    char *copy = strdup(s);

    cr_assert_not_null(copy, "out of memory");
    strs = grow(strs, n_strs, &cap_strs, sizeof(*strs));
    strs[n_strs++] = copy;
    return copy;
}

/* Prints a file to stderr, so that a failure shows what a daemon said. */
static void dump(const char *path)
{
    char buf[4096];
    size_t n;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return;
    fprintf(stderr, "---- %s ----\n", path);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, stderr);
    fprintf(stderr, "---- end of %s ----\n", path);
    fclose(f);
}

/* Generates the keys of the cast members the harness has none for, and
 * fills keys[] for everyone. */
static void make_keys(void)
{
    char prefix[HARNESS_PATH_MAX], path[HARNESS_PATH_MAX + 8];
    synd_status st;

    for (int i = 0; i < BK_N; i++) {
        memcpy(keys[i].server_public, bk_h.broker_public, SYND_KEY_LEN);
        if (cast[i].harness_who >= 0) {
            memcpy(keys[i].public_key, bk_h.keys[cast[i].harness_who].public_key, SYND_KEY_LEN);
            memcpy(keys[i].secret_key, bk_h.keys[cast[i].harness_who].secret_key, SYND_KEY_LEN);
            continue;
        }
        snprintf(prefix, sizeof(prefix), "%s/%s", bk_h.dir, cast[i].key);
        snprintf(path, sizeof(path), "%s.key", prefix);
        cr_assert_eq(synd_keygen(prefix, NULL, &st), 0, "keygen %s: %s", prefix, st.message);
        cr_assert_eq(synd_keyfile_read(path, keys[i].public_key, keys[i].secret_key, &st), 0,
                     "%s: %s", path, st.message);
    }
}

/* Writes one bank with every key the cast gives it. */
static void write_bank(FILE *f, int first)
{
    const char *sep = "";

    fprintf(f,
            "  { id = \"%s\"; name = \"Bank %s\";\n"
            "    net_capital_fen = %lldL; tier1_capital_fen = %lldL;\n"
            "    keys = (",
            cast[first].bank, cast[first].bank, (long long)cast[first].net_capital_fen,
            (long long)cast[first].tier1_capital_fen);
    for (int i = first; i < BK_N; i++) {
        if (strcmp(cast[i].bank, cast[first].bank) != 0)
            continue;
        fprintf(f, "%s { role = \"%s\"; public_key = \"%s\"; }", sep, cast[i].role,
                keys[i].public_key);
        sep = ",";
    }
    fprintf(f, " ); }");
}

/* Replaces the harness's registry with the cast's, and two borrowers. */
static void write_registry(void)
{
    FILE *f = fopen(bk_h.registry_path, "w");
    const char *sep = "";

    cr_assert_not_null(f, "cannot write %s", bk_h.registry_path);
    fprintf(f, "banks = (\n");
    for (int i = 0; i < BK_N; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= strcmp(cast[j].bank, cast[i].bank) == 0;
        if (seen)
            continue;
        fprintf(f, "%s", sep);
        write_bank(f, i);
        sep = ",\n";
    }
    fprintf(f, "\n);\nborrowers = (\n"
               "  { code = \"" BORROWER_A
               "\"; name = \"Fujian Lithium Energy\"; group = \"" BORROWER_A_GROUP "\"; },\n"
               "  { code = \"" BORROWER_B
               "\"; name = \"Shenzhen Display Glass\"; group = \"" BORROWER_B_GROUP
               "\"; joint_limit_fen = 0L; }\n"
               ");\n");
    cr_assert_eq(ferror(f), 0);
    cr_assert_eq(fclose(f), 0, "cannot write %s", bk_h.registry_path);
}

/* Waits until the broker has loaded its registry and books: until then
 * it answers UNAVAILABLE (Redis down, or still loading), after it a book
 * that does not exist is NOT_FOUND. */
static void wait_ready(void)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;
    synd_status st;
    synd_code code;

    do {
        code = bk_get(BK_NFRA, "BK-0", NULL, &st);
        if (code == SYND_NOT_FOUND)
            return;
        harness_sleep_ms(POLL_MS);
    } while (harness_now_ms() < until);
    dump(bk_h.broker.log_path);
    cr_assert_fail("the broker did not load its books within %d ms: %s: %s", BK_WAIT_MS,
                   synd_code_name(code), st.message);
}

void bk_start(void)
{
    cr_assert_eq(harness_prepare(&bk_h), 0, "cannot start redis-server");
    make_keys();
    write_registry();
    cr_assert_eq(harness_broker_start(&bk_h, &bk_h.broker, 0), 0, "cannot start syndbroker");
    wait_ready();
}

static void watcher_free(bk_watcher *w)
{
    w->stop = 1;
    pthread_join(w->thread, NULL);
    synd_client_free(w->client);
    synd__v1__watch_books_request__free_unpacked(w->filter, NULL);
    for (size_t i = 0; i < w->n; i++)
        synd__v1__book_event__free_unpacked(w->events[i], NULL);
    free(w->events);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

/* Stops each bidder with SIGTERM and expects a clean exit. */
static void stop_bidders(void)
{
    for (size_t i = 0; i < n_bidders; i++) {
        int status = harness_child_stop(bidders[i].pid, "synd-bidder");
        int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!clean)
            dump(bidders[i].log);
        cr_expect(clean, "synd-bidder (%s) did not exit cleanly: status 0x%x", bidders[i].log,
                  status);
    }
    n_bidders = 0;
}

void bk_stop(void)
{
    stop_bidders();
    for (size_t i = 0; i < n_watchers; i++)
        watcher_free(watchers[i]);
    n_watchers = 0;
    for (int i = 0; i < BK_N; i++) {
        synd_client_free(clients[i]);
        clients[i] = NULL;
    }
    for (size_t i = 0; i < n_msgs; i++)
        protobuf_c_message_free_unpacked(msgs[i], NULL);
    free(msgs);
    msgs = NULL;
    n_msgs = cap_msgs = 0;
    for (size_t i = 0; i < n_replies; i++)
        freeReplyObject(replies[i]);
    free(replies);
    replies = NULL;
    n_replies = cap_replies = 0;
    if (redis != NULL)
        redisFree(redis);
    redis = NULL;
    cr_expect_eq(harness_stop(&bk_h), 0, "syndbroker did not shut down cleanly");
    for (size_t i = 0; i < n_strs; i++)
        free(strs[i]);
    free(strs);
    strs = NULL;
    n_strs = cap_strs = 0;
}

void bk_kill(void)
{
    cr_assert_eq(harness_broker_kill(&bk_h.broker), 0, "cannot SIGKILL syndbroker");
}

void bk_restart(void)
{
    cr_assert_eq(harness_broker_restart(&bk_h, &bk_h.broker), 0, "cannot restart syndbroker");
    wait_ready();
}

synd_client *bk_client(bk_who who)
{
    synd_status st;

    if (clients[who] == NULL) {
        clients[who] = synd_client_new(bk_h.broker.endpoint, &keys[who], &st);
        cr_assert_not_null(clients[who], "client of %s: %s", cast[who].bank, st.message);
    }
    return clients[who];
}

/* --- terms -------------------------------------------------------------- */

void bk_terms_init(bk_terms *bt)
{
    static const char *const icbc[] = {"ICBC"};
    static const int64_t hold[] = {MN(150)};
    Synd__V1__BookTerms *t = &bt->t;

    memset(bt, 0, sizeof(*bt));
    synd__v1__book_terms__init(t);
    t->borrower_code = BORROWER_A;
    t->industry_code = "C3841";
    t->project = "Lithium-ion cell plant, phase 2";
    t->facility_fen = MN(1000);
    t->unit_fen = UNITS(1);
    t->tenor_months = 60;
    t->reference_rate = SYND__V1__REFERENCE_RATE__LPR_5Y;
    t->spread_floor_bps = 10;
    t->spread_cap_bps = 60;
    t->min_ticket_fen = MN(50);
    t->close_ms = harness_now_ms() + 60000;
    t->tie_ins = bt->tie_ins;
    bk_terms_leads(bt, 1, icbc, hold);
    t->fees = bt->fees;
    bk_terms_fee(bt, "arrangement", SYND__V1__FEE_BASIS__ONE_OFF_BPS, 25, 0);
}

void bk_terms_leads(bk_terms *bt, size_t n, const char *const *banks, const int64_t *holds)
{
    cr_assert_leq(n, sizeof(bt->lead) / sizeof(bt->lead[0]));
    for (size_t i = 0; i < n; i++) {
        synd__v1__lead_hold__init(&bt->lead[i]);
        bt->lead[i].bank_id = (char *)banks[i];
        bt->lead[i].hold_fen = holds[i];
        bt->leads[i] = &bt->lead[i];
    }
    bt->t.n_leads = n;
    bt->t.leads = bt->leads;
}

void bk_terms_fee(bk_terms *bt, const char *kind, Synd__V1__FeeBasis basis, int32_t bps,
                  int64_t fen)
{
    size_t i = bt->t.n_fees;

    cr_assert_lt(i, sizeof(bt->fee) / sizeof(bt->fee[0]));
    synd__v1__fee__init(&bt->fee[i]);
    bt->fee[i].kind = (char *)kind;
    bt->fee[i].basis = basis;
    bt->fee[i].bps = bps;
    bt->fee[i].fen = fen;
    bt->fees[i] = &bt->fee[i];
    bt->t.n_fees = i + 1;
}

/* --- calls -------------------------------------------------------------- */

/* One unary call as who; the reply is kept until bk_stop(). */
static synd_code call(bk_who who, const char *method, const ProtobufCMessage *req,
                      const ProtobufCMessageDescriptor *type, void *out, const char *idem,
                      synd_status *st)
{
    synd_call_opts o = {.timeout_ms = BK_CALL_MS, .idempotency_key = idem};
    ProtobufCMessage *reply = NULL;
    synd_code code = synd_call(bk_client(who), method, req, type, &reply, &o, st);

    if (code == SYND_OK)
        keep_msg(reply);
    if (out != NULL)
        *(ProtobufCMessage **)out = reply;
    return code;
}

#define SYND_METHOD(m) "/synd.v1.Syndication/" m

synd_code bk_open(bk_who who, const bk_terms *bt, Synd__V1__Book **out, synd_status *st)
{
    Synd__V1__OpenBookRequest req = SYND__V1__OPEN_BOOK_REQUEST__INIT;
    Synd__V1__OpenBookResponse *resp;
    synd_code code;

    req.terms = (Synd__V1__BookTerms *)&bt->t;
    code = call(who, SYND_METHOD("OpenBook"), &req.base, &synd__v1__open_book_response__descriptor,
                &resp, NULL, st);
    if (out != NULL)
        *out = code == SYND_OK ? resp->book : NULL;
    return code;
}

/* A call that takes a BookRef. */
static synd_code book_call(bk_who who, const char *method, const char *book,
                           const ProtobufCMessageDescriptor *type, void *out, synd_status *st)
{
    Synd__V1__BookRef ref = SYND__V1__BOOK_REF__INIT;

    ref.book_id = (char *)book;
    return call(who, method, &ref.base, type, out, NULL, st);
}

synd_code bk_cancel(bk_who who, const char *book, Synd__V1__Book **out, synd_status *st)
{
    return book_call(who, SYND_METHOD("CancelBook"), book, &synd__v1__book__descriptor, out, st);
}

synd_code bk_close(bk_who who, const char *book, Synd__V1__Allocation **out, synd_status *st)
{
    return book_call(who, SYND_METHOD("CloseBook"), book, &synd__v1__allocation__descriptor, out,
                     st);
}

synd_code bk_get(bk_who who, const char *book, Synd__V1__Book **out, synd_status *st)
{
    return book_call(who, SYND_METHOD("GetBook"), book, &synd__v1__book__descriptor, out, st);
}

synd_code bk_bid(bk_who who, const char *book, int64_t amount_fen, int32_t spread_bps,
                 const char *idem_key, Synd__V1__SubmitBidResponse **out, synd_status *st)
{
    Synd__V1__SubmitBidRequest req = SYND__V1__SUBMIT_BID_REQUEST__INIT;

    req.book_id = (char *)book;
    req.amount_fen = amount_fen;
    req.spread_bps = spread_bps;
    return call(who, SYND_METHOD("SubmitBid"), &req.base,
                &synd__v1__submit_bid_response__descriptor, out, idem_key, st);
}

synd_code bk_withdraw(bk_who who, const char *book, Synd__V1__WithdrawBidResponse **out,
                      synd_status *st)
{
    return book_call(who, SYND_METHOD("WithdrawBid"), book,
                     &synd__v1__withdraw_bid_response__descriptor, out, st);
}

synd_code bk_allocation(bk_who who, const char *book, Synd__V1__Allocation **out, synd_status *st)
{
    return book_call(who, SYND_METHOD("GetAllocation"), book, &synd__v1__allocation__descriptor,
                     out, st);
}

synd_code bk_headroom(bk_who who, const char *borrower, Synd__V1__GetHeadroomResponse **out,
                      synd_status *st)
{
    Synd__V1__GetHeadroomRequest req = SYND__V1__GET_HEADROOM_REQUEST__INIT;

    req.borrower_code = (char *)borrower;
    return call(who, SYND_METHOD("GetHeadroom"), &req.base,
                &synd__v1__get_headroom_response__descriptor, out, NULL, st);
}

synd_code bk_put_bank(bk_who who, const Synd__V1__Bank *bank, Synd__V1__Bank **out, synd_status *st)
{
    return call(who, "/synd.v1.Registry/PutBank", &bank->base, &synd__v1__bank__descriptor, out,
                NULL, st);
}

synd_code bk_put_borrower(bk_who who, const Synd__V1__Borrower *b, Synd__V1__Borrower **out,
                          synd_status *st)
{
    return call(who, "/synd.v1.Registry/PutBorrower", &b->base, &synd__v1__borrower__descriptor,
                out, NULL, st);
}

synd_code bk_list_banks(bk_who who, Synd__V1__ListBanksResponse **out, synd_status *st)
{
    Synd__V1__ListBanksRequest req = SYND__V1__LIST_BANKS_REQUEST__INIT;

    return call(who, "/synd.v1.Registry/ListBanks", &req.base,
                &synd__v1__list_banks_response__descriptor, out, NULL, st);
}

synd_code bk_list_borrowers(bk_who who, Synd__V1__ListBorrowersResponse **out, synd_status *st)
{
    Synd__V1__ListBorrowersRequest req = SYND__V1__LIST_BORROWERS_REQUEST__INIT;

    return call(who, "/synd.v1.Registry/ListBorrowers", &req.base,
                &synd__v1__list_borrowers_response__descriptor, out, NULL, st);
}

/* Fails the test unless code is SYND_OK. */
static void ok(synd_code code, const synd_status *st, const char *what, bk_who who)
{
    cr_assert_eq(code, SYND_OK, "%s as %s/%s: %s: %s", what, cast[who].bank, cast[who].role,
                 synd_code_name(code), st->message);
}

Synd__V1__Book *bk_open_ok(bk_who who, const bk_terms *bt)
{
    Synd__V1__Book *b;
    synd_status st;

    ok(bk_open(who, bt, &b, &st), &st, "OpenBook", who);
    cr_assert_not_null(b, "OpenBook answered without a book");
    return b;
}

Synd__V1__Allocation *bk_close_ok(bk_who who, const char *book)
{
    Synd__V1__Allocation *a;
    synd_status st;

    ok(bk_close(who, book, &a, &st), &st, "CloseBook", who);
    return a;
}

Synd__V1__Book *bk_get_ok(bk_who who, const char *book)
{
    Synd__V1__Book *b;
    synd_status st;

    ok(bk_get(who, book, &b, &st), &st, "GetBook", who);
    return b;
}

Synd__V1__SubmitBidResponse *bk_bid_ok(bk_who who, const char *book, int64_t amount_fen,
                                       int32_t spread_bps, const char *idem_key)
{
    Synd__V1__SubmitBidResponse *r;
    synd_status st;

    ok(bk_bid(who, book, amount_fen, spread_bps, idem_key, &r, &st), &st, "SubmitBid", who);
    cr_assert_not_null(r->bid, "SubmitBid answered without the bid");
    return r;
}

Synd__V1__Allocation *bk_allocation_ok(bk_who who, const char *book)
{
    Synd__V1__Allocation *a;
    synd_status st;

    ok(bk_allocation(who, book, &a, &st), &st, "GetAllocation", who);
    return a;
}

Synd__V1__GetHeadroomResponse *bk_headroom_ok(bk_who who, const char *borrower)
{
    Synd__V1__GetHeadroomResponse *r;
    synd_status st;

    ok(bk_headroom(who, borrower, &r, &st), &st, "GetHeadroom", who);
    return r;
}

const Synd__V1__Share *bk_share(const Synd__V1__Allocation *a, const char *bank)
{
    for (size_t i = 0; i < a->n_shares; i++) {
        if (strcmp(a->shares[i]->bank_id, bank) == 0)
            return a->shares[i];
    }
    return NULL;
}

const Synd__V1__Bid *bk_find_bid(const Synd__V1__Book *b, const char *bank)
{
    for (size_t i = 0; i < b->n_bids; i++) {
        if (strcmp(b->bids[i]->bank_id, bank) == 0)
            return b->bids[i];
    }
    return NULL;
}

Synd__V1__Book *bk_wait_bids(bk_who who, const char *book, size_t n)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;
    Synd__V1__Book *b;

    for (;;) {
        b = bk_get_ok(who, book);
        if (b->n_bids >= n || harness_now_ms() >= until)
            break;
        harness_sleep_ms(POLL_MS);
    }
    cr_assert_geq(b->n_bids, n, "book %s holds %zu bids after %d ms; want %zu", book, b->n_bids,
                  BK_WAIT_MS, n);
    return b;
}

Synd__V1__Allocation *bk_wait_allocation(bk_who who, const char *book)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;
    Synd__V1__Allocation *a = NULL;
    synd_status st;
    synd_code code;

    do {
        code = bk_allocation(who, book, &a, &st);
        if (code == SYND_OK)
            return a;
        cr_assert(code == SYND_FAILED_PRECONDITION || code == SYND_UNAVAILABLE,
                  "GetAllocation %s: %s: %s", book, synd_code_name(code), st.message);
        harness_sleep_ms(POLL_MS);
    } while (harness_now_ms() < until);
    dump(bk_h.broker.log_path);
    cr_assert_fail("book %s has no allocation after %d ms: %s", book, BK_WAIT_MS, st.message);
    return NULL;
}

/* --- WatchBooks --------------------------------------------------------- */

/* Copies a message by packing and unpacking it; NULL if out of memory. */
static ProtobufCMessage *copy_msg(const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    ProtobufCMessage *copy;

    if (buf == NULL)
        return NULL;
    protobuf_c_message_pack(m, buf);
    copy = protobuf_c_message_unpack(m->descriptor, NULL, n, buf);
    free(buf);
    return copy;
}

/* Stores one event. Runs on the watcher's thread, where Criterion's
 * asserts must not be used; an event lost to out of memory shows up as a
 * missing event in the test's own thread. */
static int on_event(const ProtobufCMessage *msg, void *arg)
{
    bk_watcher *w = arg;
    Synd__V1__BookEvent *ev = (Synd__V1__BookEvent *)copy_msg(msg);
    Synd__V1__BookEvent **grown;

    if (ev == NULL)
        return 0;
    pthread_mutex_lock(&w->mu);
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 16;
        grown = realloc(w->events, w->cap * sizeof(*grown));
        if (grown == NULL) {
            pthread_mutex_unlock(&w->mu);
            synd__v1__book_event__free_unpacked(ev, NULL);
            return 0;
        }
        w->events = grown;
    }
    w->events[w->n++] = ev;
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void *watch_main(void *arg)
{
    bk_watcher *w = arg;
    synd_call_opts o = {.timeout_ms = STREAM_MS, .stop = &w->stop};

    w->final = synd_stream(w->client, SYND_METHOD("WatchBooks"), &w->filter->base,
                           &synd__v1__book_event__descriptor, on_event, w, &o, &w->st);
    return NULL;
}

/* The broker's count of open streams. */
static uint64_t open_streams(void)
{
    Synd__V1__GetStatsResponse s;

    cr_assert_eq(harness_stats(bk_client(BK_NFRA), &s), 0, "GetStats failed");
    return s.open_streams;
}

void bk_wait_streams(uint64_t n)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;
    uint64_t now;

    while ((now = open_streams()) < n && harness_now_ms() < until)
        harness_sleep_ms(POLL_MS);
    cr_assert_geq(now, n, "the broker holds %llu streams after %d ms; want %llu",
                  (unsigned long long)now, BK_WAIT_MS, (unsigned long long)n);
}

bk_watcher *bk_watch(bk_who who, const Synd__V1__WatchBooksRequest *filter)
{
    bk_watcher *w = calloc(1, sizeof(*w));
    uint64_t before = open_streams();
    synd_status st;

    cr_assert_not_null(w, "out of memory");
    cr_assert_lt(n_watchers, MAX_WATCHERS);
    w->filter = (Synd__V1__WatchBooksRequest *)copy_msg(&filter->base);
    w->client = synd_client_new(bk_h.broker.endpoint, &keys[who], &st);
    cr_assert_not_null(w->filter, "out of memory");
    cr_assert_not_null(w->client, "client: %s", st.message);
    pthread_mutex_init(&w->mu, NULL);
    cr_assert_eq(pthread_create(&w->thread, NULL, watch_main, w), 0, "pthread_create");
    watchers[n_watchers++] = w;
    bk_wait_streams(before + 1);
    return w;
}

size_t bk_watch_count(bk_watcher *w)
{
    size_t n;

    pthread_mutex_lock(&w->mu);
    n = w->n;
    pthread_mutex_unlock(&w->mu);
    return n;
}

const Synd__V1__BookEvent *bk_watch_event(bk_watcher *w, size_t i)
{
    const Synd__V1__BookEvent *ev;

    pthread_mutex_lock(&w->mu);
    cr_assert_lt(i, w->n);
    ev = w->events[i];
    pthread_mutex_unlock(&w->mu);
    return ev;
}

size_t bk_watch_seen(bk_watcher *w, Synd__V1__BookEvent__Kind kind, const char *book)
{
    size_t n = bk_watch_count(w), seen = 0;

    for (size_t i = 0; i < n; i++) {
        const Synd__V1__BookEvent *ev = bk_watch_event(w, i);
        if ((kind == 0 || ev->kind == kind) &&
            (book == NULL || (ev->book != NULL && strcmp(ev->book->book_id, book) == 0)))
            seen++;
    }
    return seen;
}

const Synd__V1__BookEvent *bk_watch_wait(bk_watcher *w, Synd__V1__BookEvent__Kind kind,
                                         const char *book)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;

    do {
        size_t n = bk_watch_count(w);
        for (size_t i = 0; i < n; i++) {
            const Synd__V1__BookEvent *ev = bk_watch_event(w, i);
            if (ev->kind == kind && ev->book != NULL && strcmp(ev->book->book_id, book) == 0)
                return ev;
        }
        harness_sleep_ms(POLL_MS);
    } while (harness_now_ms() < until);
    cr_assert_fail("no event of kind %d for %s within %d ms (stream: %s %s)", (int)kind, book,
                   BK_WAIT_MS, synd_code_name(w->final), w->st.message);
    return NULL;
}

/* --- Redis and daemons ---------------------------------------------------- */

const redisReply *bk_redis(const char *fmt, ...)
{
    struct timeval tv = {2, 0};
    redisReply *r;
    va_list ap;

    if (redis == NULL) {
        redis = redisConnectWithTimeout("127.0.0.1", bk_h.redis_port, tv);
        cr_assert(redis != NULL && redis->err == 0, "cannot connect to redis on port %d",
                  bk_h.redis_port);
    }
    va_start(ap, fmt);
    r = redisvCommand(redis, fmt, ap);
    va_end(ap);
    cr_assert_not_null(r, "redis: %s", redis->errstr);
    replies = grow(replies, n_replies, &cap_replies, sizeof(*replies));
    replies[n_replies++] = r;
    return r;
}

const char *bk_bidder_start(bk_who who, const char *policy)
{
    char policy_path[HARNESS_PATH_MAX + 32], log[HARNESS_PATH_MAX + 32];
    char key[HARNESS_PATH_MAX + 32], server[HARNESS_PATH_MAX + 32];
    const char *argv[] = {
        SYND_BIDDER_PATH, "--endpoint", bk_h.broker.endpoint, "--server-key", server, "--key", key,
        "--policy",       policy_path,  "--log-level",        "debug",        NULL};
    FILE *f;

    cr_assert_lt(n_bidders, MAX_BIDDERS);
    snprintf(policy_path, sizeof(policy_path), "%s/policy-%s.conf", bk_h.dir, cast[who].key);
    snprintf(log, sizeof(log), "%s/bidder-%s.log", bk_h.dir, cast[who].key);
    snprintf(key, sizeof(key), "%s/%s.key", bk_h.dir, cast[who].key);
    snprintf(server, sizeof(server), "%s/broker.pub", bk_h.dir);
    f = fopen(policy_path, "w");
    cr_assert_not_null(f, "cannot write %s", policy_path);
    fputs(policy, f);
    cr_assert_eq(fclose(f), 0, "cannot write %s", policy_path);
    bidders[n_bidders].pid = harness_spawn(argv, log);
    cr_assert_gt(bidders[n_bidders].pid, 0, "cannot start synd-bidder");
    bidders[n_bidders].log = keep_str(log);
    return bidders[n_bidders++].log;
}

void bk_wait_log(const char *path, const char *needle)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;

    while (!harness_file_contains(path, needle)) {
        if (harness_now_ms() >= until) {
            dump(path);
            cr_assert_fail("%s does not say '%s' after %d ms", path, needle, BK_WAIT_MS);
        }
        harness_sleep_ms(POLL_MS);
    }
}
