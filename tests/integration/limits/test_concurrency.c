/* Limits under concurrency: eight books for the eight borrowers of one
 * connected group close at the same moment, while 32 bidder connections
 * (eight per participant bank, each on a thread of its own) keep bidding
 * on all of them until the close. The settlements then compete for the
 * same group headroom. Afterwards Redis is read back directly, and shows
 * that no limit was exceeded, that the exposure ledger holds exactly the
 * reserved allocations, and that every refusal a bidder got is in the
 * audit trail.
 *
 * The participants' capital is cut (PutBank) so that the limits bind:
 *   bank     net     tier-1  single cap            group cap (20% tier-1)
 *   BOC-SH   ¥6bn    ¥5bn    ¥600m (10% net)       ¥1,000m
 *   ABC      ¥8bn    ¥3bn    ¥450m (15% tier-1)    ¥600m
 *   CMB      ¥4bn    ¥4bn    ¥400m (10% net)       ¥800m
 *   CIB      ¥5bn    ¥2.5bn  ¥375m (15% tier-1)    ¥500m
 * Bids run from ¥200m to ¥700m, so many are over a single cap and refused
 * at bid time, and every bank's live bids across the eight books (at least
 * 8 x ¥200m) are well over its group cap: the group cap must bind at the
 * settlements. One borrower has a joint credit limit of ¥900m, under its
 * ¥1,000m facility, so its book must not lend at all. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>

#include "book/uscc.h"
#include "fixture.h"

TestSuite(limits_concurrency, .init = bk_start, .fini = bk_stop, .timeout = 100);

#define N_BOOKS        8
#define N_PARTICIPANTS 4
#define PER_BANK       8 /* connections per participant bank */
#define N_BIDDERS      (N_PARTICIPANTS * PER_BANK)
#define N_CODES        17 /* gRPC status codes 0..16 */
#define N_LENDERS      (N_PARTICIPANTS + 1)
#define WINDOW_MS      4000  /* from just before the first OpenBook to the common close */
#define AFTER_CLOSE_MS 300   /* bidders go on this long after it: late bids are refused too */
#define SETTLE_MS      20000 /* bound for every book to be ALLOCATED or FAILED */
#define AUDIT_MS       10000 /* bound for the audit trail to hold every call */
#define POLL_MS        20
#define JOINT_BOOK     1 /* the book whose borrower has a joint credit limit */
#define JOINT_LIMIT    MN(900)
#define FACILITY       MN(1000)
#define AUDIT_PAGE     5000

#define GROUP "FJLE" /* BORROWER_A's group in the fixture's registry */

/* The participants, the files in the test folder the fixture wrote their
 * keys to, and their cut capital in fen. */
static const struct {
    bk_who who;
    const char *key;
    int64_t net_fen, tier1_fen;
} participants[N_PARTICIPANTS] = {
    {BK_BOC, "participant", MN(6000), MN(5000)},
    {BK_ABC, "abc", MN(8000), MN(3000)},
    {BK_CMB, "cmb", MN(4000), MN(4000)},
    {BK_CIB, "cib", MN(5000), MN(2500)},
};

/* The lenders whose exposures the test expects: the lead, then the
 * participants in the order above. */
static const char *lender(size_t i)
{
    return i == 0 ? bk_bank(BK_ICBC) : bk_bank(participants[i - 1].who);
}

static int lender_index(const char *bank)
{
    for (size_t i = 0; i < N_LENDERS; i++) {
        if (strcmp(lender(i), bank) == 0)
            return (int)i;
    }
    return -1;
}

static char borrowers[N_BOOKS][19];
static const char *book_ids[N_BOOKS];

static int book_index(const char *id)
{
    for (size_t i = 0; i < N_BOOKS; i++) {
        if (strcmp(book_ids[i], id) == 0)
            return (int)i;
    }
    return -1;
}

/* --- Redis, read directly ------------------------------------------------ */

static redisContext *rc;

static void redis_connect(void)
{
    struct timeval tv = {5, 0};

    rc = redisConnectWithTimeout("127.0.0.1", bk_h.redis_port, tv);
    cr_assert(rc != NULL && rc->err == 0, "cannot connect to redis on port %d", bk_h.redis_port);
    cr_assert_eq(redisSetTimeout(rc, tv), REDIS_OK);
}

/* One command; the caller frees the reply. */
static redisReply *redis(const char *fmt, ...)
{
    redisReply *r;
    va_list ap;

    va_start(ap, fmt);
    r = redisvCommand(rc, fmt, ap);
    va_end(ap);
    cr_assert_not_null(r, "redis: %s", rc->errstr);
    cr_assert_neq(r->type, REDIS_REPLY_ERROR, "redis: %s", r->str);
    return r;
}

/* Parses a decimal fen figure as Redis stores it. */
static int64_t fen_of(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);

    cr_assert(*s != '\0' && *end == '\0', "'%s' is not a whole number", s);
    return v;
}

/* A field of a hash as a number, 0 when it is absent. */
static int64_t hash_fen(const char *key, const char *field)
{
    redisReply *r = redis("HGET %s %s", key, field);
    int64_t v = r->type == REDIS_REPLY_NIL ? 0 : fen_of(r->str);

    freeReplyObject(r);
    return v;
}

/* Reads a hash of bank -> fen into fen[N_LENDERS], failing on a bank that
 * should not be there. */
static void lender_hash(const char *key, int64_t fen[N_LENDERS])
{
    redisReply *r = redis("HGETALL %s", key);

    memset(fen, 0, N_LENDERS * sizeof(*fen));
    cr_assert_eq(r->type, REDIS_REPLY_ARRAY, "%s is not a hash", key);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        int k = lender_index(r->element[i]->str);
        cr_assert_geq(k, 0, "%s holds bank %s, which lent nothing", key, r->element[i]->str);
        fen[k] = fen_of(r->element[i + 1]->str);
        cr_expect_gt(fen[k], 0, "%s holds a field of %lld fen for %s; zero fields are removed", key,
                     (long long)fen[k], r->element[i]->str);
    }
    freeReplyObject(r);
}

/* --- the scene ---------------------------------------------------------- */

/* Borrower 0 is the fixture's BORROWER_A; the others are new codes in its
 * Fuzhou division, each with its check character computed. */
static void make_borrower_codes(void)
{
    snprintf(borrowers[0], sizeof(borrowers[0]), "%s", BORROWER_A);
    for (int i = 1; i < N_BOOKS; i++) {
        snprintf(borrowers[i], sizeof(borrowers[i]), "91350100MA31LC0%02d", i);
        borrowers[i][17] = book_uscc_check_char(borrowers[i]);
        borrowers[i][18] = '\0';
        cr_assert_neq(borrowers[i][17], '\0', "no check character for %s", borrowers[i]);
    }
}

/* An operator registers the new borrowers in the group, one with a joint
 * limit, and cuts the participants' capital. */
static void set_registry(void)
{
    synd_status st;
    char name[64];

    for (int i = 1; i < N_BOOKS; i++) {
        Synd__V1__Borrower b = SYND__V1__BORROWER__INIT;
        snprintf(name, sizeof(name), "Fujian Lithium subsidiary %d", i);
        b.code = borrowers[i];
        b.name = name;
        b.group_id = GROUP;
        b.joint_limit_fen = i == JOINT_BOOK ? JOINT_LIMIT : 0;
        cr_assert_eq(bk_put_borrower(BK_OPS, &b, NULL, &st), SYND_OK, "PutBorrower %s: %s",
                     borrowers[i], st.message);
    }
    for (int i = 0; i < N_PARTICIPANTS; i++) {
        Synd__V1__Bank b = SYND__V1__BANK__INIT;
        b.bank_id = (char *)bk_bank(participants[i].who);
        b.name = b.bank_id;
        b.net_capital_fen = participants[i].net_fen;
        b.tier1_capital_fen = participants[i].tier1_fen;
        cr_assert_eq(bk_put_bank(BK_OPS, &b, NULL, &st), SYND_OK, "PutBank %s: %s", b.bank_id,
                     st.message);
    }
}

/* Opens one book per borrower, all closing at close_ms. */
static void open_books(int64_t close_ms)
{
    for (int i = 0; i < N_BOOKS; i++) {
        bk_terms bt;
        Synd__V1__Book *b;

        bk_terms_init(&bt);
        bt.t.borrower_code = borrowers[i];
        bt.t.facility_fen = FACILITY;
        bt.t.close_ms = close_ms;
        b = bk_open_ok(BK_ICBC, &bt);
        cr_assert_str_eq(b->group_id, GROUP, "book %s is in group %s", b->book_id, b->group_id);
        book_ids[i] = b->book_id;
    }
}

/* --- the bidders -------------------------------------------------------- */

typedef struct bidder {
    pthread_t thread;
    int bank; /* index into participants */
    int n;    /* which of the bank's connections */
    synd_keys keys;
    int64_t until_ms;
    /* What the bidder got, by book and code; filled by its thread only. */
    unsigned calls[N_BOOKS][N_CODES];
    unsigned other;      /* answers with a code outside 0..16 */
    unsigned bad_reason; /* RESOURCE_EXHAUSTED messages that lack the headroom or rule */
    char first_bad[sizeof(((synd_status *)0)->message)];
} bidder;

static bidder bidders[N_BIDDERS];

/* Bids on the books in turn, with amounts and spreads from its own
 * sequence, until until_ms. Asserts must not run on this thread: it only
 * records what it got, for the test's thread to judge. */
static void *bid_main(void *arg)
{
    bidder *b = arg;
    unsigned seed = 7919u * (unsigned)(b->bank * PER_BANK + b->n + 1);
    synd_status st;
    synd_client *c = synd_client_new(bk_h.broker.endpoint, &b->keys, &st);

    if (c == NULL) {
        snprintf(b->first_bad, sizeof(b->first_bad), "%s", st.message);
        b->other++;
        return NULL;
    }
    for (int k = b->n; harness_now_ms() < b->until_ms; k++) {
        Synd__V1__SubmitBidRequest req = SYND__V1__SUBMIT_BID_REQUEST__INIT;
        synd_call_opts o = {.timeout_ms = BK_CALL_MS};
        ProtobufCMessage *reply = NULL;
        int book = k % N_BOOKS;
        synd_code code;

        req.book_id = (char *)book_ids[book];
        req.amount_fen = MN(200 + 10 * (rand_r(&seed) % 51));
        req.spread_bps = 10 + (int32_t)(rand_r(&seed) % 51);
        code = synd_call(c, "/synd.v1.Syndication/SubmitBid", &req.base,
                         &synd__v1__submit_bid_response__descriptor, &reply, &o, &st);
        if (reply != NULL)
            protobuf_c_message_free_unpacked(reply, NULL);
        if ((int)code < 0 || (int)code >= N_CODES) {
            b->other++;
            continue;
        }
        b->calls[book][code]++;
        if (code == SYND_RESOURCE_EXHAUSTED &&
            (strstr(st.message, "headroom") == NULL || strstr(st.message, "(rule: ") == NULL) &&
            b->bad_reason++ == 0)
            snprintf(b->first_bad, sizeof(b->first_bad), "%s", st.message);
    }
    synd_client_free(c);
    return NULL;
}

/* The key pair of participant p, read back from the test folder. */
static void participant_keys(int p, synd_keys *k)
{
    char path[HARNESS_PATH_MAX + 16];
    synd_status st;

    memcpy(k->server_public, bk_h.broker_public, SYND_KEY_LEN);
    snprintf(path, sizeof(path), "%s/%s.key", bk_h.dir, participants[p].key);
    cr_assert_eq(synd_keyfile_read(path, k->public_key, k->secret_key, &st), 0, "%s: %s", path,
                 st.message);
}

static void run_bidders(int64_t until_ms)
{
    synd_keys keys[N_PARTICIPANTS];

    for (int p = 0; p < N_PARTICIPANTS; p++)
        participant_keys(p, &keys[p]);
    for (int i = 0; i < N_BIDDERS; i++) {
        bidder *b = &bidders[i];
        memset(b, 0, sizeof(*b));
        b->bank = i / PER_BANK;
        b->n = i % PER_BANK;
        b->keys = keys[b->bank];
        b->until_ms = until_ms;
        cr_assert_eq(pthread_create(&b->thread, NULL, bid_main, b), 0, "pthread_create");
    }
    for (int i = 0; i < N_BIDDERS; i++)
        pthread_join(bidders[i].thread, NULL);
}

/* --- after the close ---------------------------------------------------- */

/* Waits until every book is ALLOCATED or FAILED; returns how many were
 * allocated, with the allocations (as the lead sees them) in out. */
static int wait_settled(Synd__V1__Allocation *out[N_BOOKS])
{
    int64_t until = harness_now_ms() + SETTLE_MS;
    int settled = 0, allocated = 0;
    synd_status st;

    memset(out, 0, N_BOOKS * sizeof(*out));
    while (settled < N_BOOKS && harness_now_ms() < until) {
        for (int i = 0; i < N_BOOKS; i++) {
            synd_code code;
            if (out[i] != NULL)
                continue;
            code = bk_allocation(BK_ICBC, book_ids[i], &out[i], &st);
            if (code == SYND_OK) {
                settled++;
                continue;
            }
            out[i] = NULL;
            cr_assert(code == SYND_FAILED_PRECONDITION, "GetAllocation %s: %s: %s", book_ids[i],
                      synd_code_name(code), st.message);
        }
        if (settled < N_BOOKS)
            harness_sleep_ms(POLL_MS);
    }
    for (int i = 0; i < N_BOOKS; i++) {
        cr_assert_not_null(out[i], "book %s is not settled %d ms after the close", book_ids[i],
                           SETTLE_MS);
        cr_assert(out[i]->state == SYND__V1__BOOK_STATE__BOOK_ALLOCATED ||
                      out[i]->state == SYND__V1__BOOK_STATE__BOOK_FAILED,
                  "book %s settled in state %d", book_ids[i], (int)out[i]->state);
        allocated += out[i]->state == SYND__V1__BOOK_STATE__BOOK_ALLOCATED;
    }
    return allocated;
}

/* Each lender's share of each book, from the allocations; also checks
 * that a failed book lent nothing and that an allocated one lent its whole
 * facility to known lenders. */
static void shares_of(Synd__V1__Allocation *const a[N_BOOKS], int64_t share[N_BOOKS][N_LENDERS])
{
    memset(share, 0, N_BOOKS * sizeof(*share));
    for (int i = 0; i < N_BOOKS; i++) {
        int64_t sum = 0;
        for (size_t s = 0; s < a[i]->n_shares; s++) {
            const Synd__V1__Share *sh = a[i]->shares[s];
            int k = lender_index(sh->bank_id);
            cr_assert_geq(k, 0, "book %s has a share for %s, which never bid", book_ids[i],
                          sh->bank_id);
            share[i][k] += sh->alloc_fen;
            sum += sh->alloc_fen;
        }
        if (a[i]->state == SYND__V1__BOOK_STATE__BOOK_FAILED)
            cr_expect_eq(sum, 0, "failed book %s lends %lld fen", book_ids[i], (long long)sum);
        else
            cr_expect_eq(sum, a[i]->facility_fen, "book %s lends %lld fen of a %lld fen facility",
                         book_ids[i], (long long)sum, (long long)a[i]->facility_fen);
    }
}

/* A bank's capital as Redis holds it, and the caps it gives. */
typedef struct caps {
    int64_t net_fen, tier1_fen;
    int64_t single_fen, group_fen;
} caps;

static caps caps_of(const char *bank)
{
    char key[96];
    int64_t net, tier1, by_net, by_tier1;

    snprintf(key, sizeof(key), "synd:bank:%s", bank);
    net = hash_fen(key, "net_capital_fen");
    tier1 = hash_fen(key, "tier1_capital_fen");
    cr_assert_gt(net, 0, "bank %s has no capital in Redis", bank);
    by_net = net / 10;
    by_tier1 = tier1 * 15 / 100;
    return (caps){net, tier1, by_net < by_tier1 ? by_net : by_tier1, tier1 * 20 / 100};
}

/* The limits bind: each participant, with the capital the test gave it,
 * has live bids across the books, each within its single cap, that add up
 * to more than its group cap. */
static void expect_demand_over_group_caps(void)
{
    for (int p = 0; p < N_PARTICIPANTS; p++) {
        const char *bank = bk_bank(participants[p].who);
        caps c = caps_of(bank);
        int64_t demand = 0;

        cr_assert(c.net_fen == participants[p].net_fen && c.tier1_fen == participants[p].tier1_fen,
                  "Redis holds capital %lld/%lld fen for %s, not what PutBank set",
                  (long long)c.net_fen, (long long)c.tier1_fen, bank);
        for (int i = 0; i < N_BOOKS; i++) {
            const Synd__V1__Bid *bid = bk_find_bid(bk_get_ok(BK_ICBC, book_ids[i]), bank);
            cr_assert_not_null(bid, "%s has no live bid on book %s", bank, book_ids[i]);
            cr_expect_leq(bid->amount_fen, c.single_fen, "%s's live bid on %s is over its cap",
                          bank, book_ids[i]);
            demand += bid->amount_fen;
        }
        cr_expect_gt(demand, c.group_fen,
                     "%s bid %lld fen across the group, within its group cap of %lld: the "
                     "limit would not bind",
                     bank, (long long)demand, (long long)c.group_fen);
    }
}

/* No limit exceeded, and the ledger holds exactly the reserved shares:
 * exposure hashes, the group exposure, the totals and each book's
 * outstanding amounts. */
static void expect_ledger(int64_t share[N_BOOKS][N_LENDERS])
{
    char key[192];
    int64_t gexp[N_LENDERS], want_g[N_LENDERS] = {0}, group_total = 0;

    for (int i = 0; i < N_BOOKS; i++) {
        int64_t exp[N_LENDERS], out[N_LENDERS], total = 0;

        snprintf(key, sizeof(key), "synd:{g:%s}:exposure:%s", GROUP, borrowers[i]);
        lender_hash(key, exp);
        snprintf(key, sizeof(key), "synd:{g:%s}:book:%s:outstanding", GROUP, book_ids[i]);
        lender_hash(key, out);
        for (int k = 0; k < N_LENDERS; k++) {
            caps c = caps_of(lender(k));
            cr_expect_eq(exp[k], share[i][k],
                         "%s's exposure to %s is %lld fen; it was allocated %lld", lender(k),
                         borrowers[i], (long long)exp[k], (long long)share[i][k]);
            cr_expect_eq(out[k], share[i][k], "book %s owes %s %lld fen; it was allocated %lld",
                         book_ids[i], lender(k), (long long)out[k], (long long)share[i][k]);
            cr_expect_leq(exp[k], c.single_fen,
                          "%s's exposure to %s of %lld fen is over its single cap of %lld",
                          lender(k), borrowers[i], (long long)exp[k], (long long)c.single_fen);
            total += exp[k];
            want_g[k] += exp[k];
        }
        snprintf(key, sizeof(key), "synd:{g:%s}:totals", GROUP);
        cr_expect_eq(hash_fen(key, borrowers[i]), total,
                     "the total of %s is %lld fen; its lenders hold %lld", borrowers[i],
                     (long long)hash_fen(key, borrowers[i]), (long long)total);
        if (i == JOINT_BOOK)
            cr_expect_leq(total, JOINT_LIMIT, "%s's total of %lld fen is over its joint limit",
                          borrowers[i], (long long)total);
        group_total += total;
    }
    snprintf(key, sizeof(key), "synd:{g:%s}:gexposure", GROUP);
    lender_hash(key, gexp);
    for (int k = 0; k < N_LENDERS; k++) {
        caps c = caps_of(lender(k));
        cr_log_info("%s: group exposure %lld fen of its %lld fen cap", lender(k),
                    (long long)gexp[k], (long long)c.group_fen);
        cr_expect_eq(gexp[k], want_g[k],
                     "%s's group exposure is %lld fen; its exposures add up to %lld", lender(k),
                     (long long)gexp[k], (long long)want_g[k]);
        cr_expect_leq(gexp[k], c.group_fen,
                      "%s's group exposure of %lld fen is over its group cap of %lld", lender(k),
                      (long long)gexp[k], (long long)c.group_fen);
    }
    snprintf(key, sizeof(key), "synd:{g:%s}:totals", GROUP);
    cr_expect_eq(hash_fen(key, "_group"), group_total,
                 "the group total is %lld fen; its borrowers' totals add up to %lld",
                 (long long)hash_fen(key, "_group"), (long long)group_total);
}

/* --- the audit trail ---------------------------------------------------- */

/* The SubmitBid records of the audit trail, by participant, book and code. */
typedef unsigned tally[N_PARTICIPANTS][N_BOOKS][N_CODES];

/* Counts one record (a flat field-value array) into t if it is a
 * SubmitBid by a participant on one of the books. */
static void count_record(const redisReply *fields, tally t)
{
    const char *bank = NULL, *method = NULL, *object = NULL, *code = NULL;
    int p = -1, book;
    long c;

    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        const char *k = fields->element[i]->str, *v = fields->element[i + 1]->str;
        if (strcmp(k, "bank") == 0)
            bank = v;
        else if (strcmp(k, "method") == 0)
            method = v;
        else if (strcmp(k, "object") == 0)
            object = v;
        else if (strcmp(k, "code") == 0)
            code = v;
    }
    cr_assert(bank && method && object && code, "an audit record lacks a field");
    if (strcmp(method, "SubmitBid") != 0)
        return;
    for (int i = 0; i < N_PARTICIPANTS; i++) {
        if (strcmp(bank, bk_bank(participants[i].who)) == 0)
            p = i;
    }
    book = book_index(object);
    c = (long)fen_of(code);
    cr_assert(p >= 0 && book >= 0 && c >= 0 && c < N_CODES,
              "a SubmitBid record by %s on '%s' with code %s that no bidder made", bank, object,
              code);
    t[p][book][c]++;
}

/* Reads the whole trail, page by page, into t. */
static void read_audit(tally t)
{
    char start[64] = "-";

    memset(t, 0, sizeof(tally));
    for (;;) {
        redisReply *r = redis("XRANGE synd:audit %s + COUNT %d", start, AUDIT_PAGE);
        size_t n = r->elements;

        cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
        for (size_t i = 0; i < n; i++)
            count_record(r->element[i]->element[1], t);
        if (n > 0)
            snprintf(start, sizeof(start), "(%s", r->element[n - 1]->element[0]->str);
        freeReplyObject(r);
        if (n < AUDIT_PAGE)
            break;
    }
}

/* What the bidders got, by participant, book and code. */
static void client_tally(tally t)
{
    memset(t, 0, sizeof(tally));
    for (int i = 0; i < N_BIDDERS; i++)
        for (int book = 0; book < N_BOOKS; book++)
            for (int c = 0; c < N_CODES; c++)
                t[bidders[i].bank][book][c] += bidders[i].calls[book][c];
}

/* Every answer a bidder got, refusal or not, has its SubmitBid record with
 * the same bank, book and code: the counts match exactly. Appends are
 * asynchronous, so the trail is read until it matches or the bound. */
static void expect_audit(const tally got)
{
    int64_t until = harness_now_ms() + AUDIT_MS;
    static tally rec;

    do {
        read_audit(rec);
        if (memcmp(rec, got, sizeof(tally)) == 0)
            return;
        harness_sleep_ms(POLL_MS);
    } while (harness_now_ms() < until);
    for (int p = 0; p < N_PARTICIPANTS; p++)
        for (int book = 0; book < N_BOOKS; book++)
            for (int c = 0; c < N_CODES; c++)
                cr_expect_eq(rec[p][book][c], got[p][book][c],
                             "%s on %s, %s: the bidders got %u answers, the audit trail holds %u",
                             bk_bank(participants[p].who), book_ids[book],
                             synd_code_name((synd_code)c), got[p][book][c], rec[p][book][c]);
}

Test(limits_concurrency, eight_books_close_at_once_under_32_bidders)
{
    Synd__V1__Allocation *alloc[N_BOOKS];
    int64_t share[N_BOOKS][N_LENDERS];
    static tally got;
    unsigned refused = 0, exhausted = 0, late = 0, accepted = 0;
    int64_t close_ms;
    int allocated;

    make_borrower_codes();
    set_registry();
    close_ms = harness_now_ms() + WINDOW_MS;
    open_books(close_ms);
    run_bidders(close_ms + AFTER_CLOSE_MS);

    for (int i = 0; i < N_BIDDERS; i++) {
        cr_assert_eq(bidders[i].other, 0, "bidder %d got %u unexpected answers: %s", i,
                     bidders[i].other, bidders[i].first_bad);
        cr_expect_eq(bidders[i].bad_reason, 0,
                     "bidder %d: %u refusals without the headroom and the rule, e.g. '%s'", i,
                     bidders[i].bad_reason, bidders[i].first_bad);
    }
    client_tally(got);
    for (int p = 0; p < N_PARTICIPANTS; p++)
        for (int book = 0; book < N_BOOKS; book++)
            for (int c = 0; c < N_CODES; c++) {
                unsigned n = got[p][book][c];
                cr_assert(n == 0 || c == SYND_OK || c == SYND_RESOURCE_EXHAUSTED ||
                              c == SYND_FAILED_PRECONDITION,
                          "%u bids on %s got %s", n, book_ids[book], synd_code_name((synd_code)c));
                accepted += c == SYND_OK ? n : 0;
                refused += c == SYND_OK ? 0 : n;
                exhausted += c == SYND_RESOURCE_EXHAUSTED ? n : 0;
                late += c == SYND_FAILED_PRECONDITION ? n : 0;
            }
    cr_log_info("%u bids accepted, %u refused (%u over a limit, %u after the close)", accepted,
                refused, exhausted, late);
    cr_assert_gt(exhausted, 0, "no bid was refused over a limit");

    allocated = wait_settled(alloc);
    cr_log_info("%d of %d books allocated", allocated, N_BOOKS);
    cr_assert_geq(allocated, 2, "only %d of %d books were allocated", allocated, N_BOOKS);
    cr_expect_eq(alloc[JOINT_BOOK]->state, SYND__V1__BOOK_STATE__BOOK_FAILED,
                 "the book over its borrower's joint limit was allocated");
    cr_expect(strstr(alloc[JOINT_BOOK]->reason, "joint credit limit") != NULL,
              "book %s failed for '%s'", book_ids[JOINT_BOOK], alloc[JOINT_BOOK]->reason);

    redis_connect();
    expect_demand_over_group_caps();
    shares_of(alloc, share);
    expect_ledger(share);
    expect_audit(got);
    redisFree(rc);
    rc = NULL;
}
