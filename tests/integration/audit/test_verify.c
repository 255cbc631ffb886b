/* The tamper-evident audit trail end to end: a trail made by real calls
 * to the real broker, then changed behind its back in Redis, the way
 * someone with access to Redis could: a record's field edited, a record
 * deleted, two records' contents swapped, the newest or the oldest record
 * deleted, the chain rewritten with fresh hashes. `syndctl audit verify`
 * must pass the untouched trail and name the right record for each
 * change; `syndctl audit show` lists the trail. Two brokers on one Redis
 * append to one chain without forking it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "fixture.h"
#include "synd/audit.h"
#include "synd/v1/supervision.pb-c.h"

#define M_AUDIT_LOG "/synd.v1.Supervision/GetAuditLog"
#define MARKER_BOOK "BK-404" /* no one opens it: GetBook is refused, and that is recorded */
#define MAX_FIELDS  32       /* of one stream entry, names and values */
#define BURST       40       /* refused calls per broker in the concurrent part */

static redisContext *redis;

static void start(void)
{
    struct timeval tv = {5, 0};

    bk_start();
    redis = redisConnectWithTimeout("127.0.0.1", bk_h.redis_port, tv);
    cr_assert(redis != NULL && redis->err == 0, "cannot connect to redis");
}

static void stop(void)
{
    redisFree(redis);
    bk_stop();
}

TestSuite(audit_verify, .init = start, .fini = stop, .timeout = 120);

/* One command on the test's own Redis connection, each argument as is. */
static redisReply *cmd(int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(redis, argc, argv, NULL);

    cr_assert_not_null(r, "redis: %s", redis->errstr);
    cr_assert_neq(r->type, REDIS_REPLY_ERROR, "redis %s: %s", argv[0], r->str);
    return r;
}

/* --- the trail ---------------------------------------------------------- */

/* The stream's entries, oldest first (free with freeReplyObject). */
static redisReply *entries(void)
{
    const char *argv[] = {"XRANGE", "synd:audit", "-", "+"};

    return cmd(4, argv);
}

static const char *entry_id(const redisReply *all, size_t i)
{
    return all->element[i]->element[0]->str;
}

/* The value of field name of entry e, or NULL. */
static const char *entry_field(const redisReply *e, const char *name)
{
    const redisReply *f = e->element[1];

    for (size_t i = 0; i + 1 < f->elements; i += 2) {
        if (strcmp(f->element[i]->str, name) == 0)
            return f->element[i + 1]->str;
    }
    return NULL;
}

/* Waits until the trail holds the record of the refusal of GetBook on
 * book, which a marker() call leaves: a broker appends in order, so
 * every record that broker made before it is in. Returns the entries. */
static redisReply *wait_for_marker(const char *book)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;
    redisReply *all;

    for (;;) {
        all = entries();
        for (size_t i = all->elements; i > 0; i--) {
            const char *object = entry_field(all->element[i - 1], "object");
            if (object != NULL && strcmp(object, book) == 0)
                return all;
        }
        freeReplyObject(all);
        cr_assert_lt(harness_now_ms(), until, "the record of GetBook %s did not arrive", book);
        harness_sleep_ms(20);
    }
}

/* A refused read on c's broker, of a book that does not exist: it leaves
 * a record naming book. */
static void marker(synd_client *c, const char *book)
{
    Synd__V1__BookRef req = SYND__V1__BOOK_REF__INIT;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    ProtobufCMessage *out = NULL;
    synd_status st;

    req.book_id = (char *)book;
    cr_assert_eq(synd_call(c, "/synd.v1.Syndication/GetBook", &req.base,
                           &synd__v1__book__descriptor, &out, &o, &st),
                 SYND_NOT_FOUND, "%s", st.message);
}

/* Real calls that change state and are refused, by several roles; the
 * trail then holds their records after the fixture's own. Returns the
 * entries once the last has arrived. */
static redisReply *script(void)
{
    Synd__V1__Borrower borrower = SYND__V1__BORROWER__INIT;
    bk_terms bt;
    Synd__V1__Book *book;
    synd_status st;

    bk_terms_init(&bt);
    book = bk_open_ok(BK_ICBC, &bt);
    bk_bid_ok(BK_BOC, book->book_id, MN(200), 30, NULL);
    cr_assert_eq(bk_open(BK_BOC, &bt, NULL, &st), SYND_PERMISSION_DENIED, "%s", st.message);
    bk_bid_ok(BK_CIB, book->book_id, MN(100), 40, NULL);
    cr_assert_eq(bk_withdraw(BK_BOC, book->book_id, NULL, &st), SYND_OK, "%s", st.message);
    borrower.code = BORROWER_A;
    borrower.name = "Fujian Lithium Energy";
    borrower.group_id = BORROWER_A_GROUP;
    borrower.joint_limit_fen = MN(3000);
    cr_assert_eq(bk_put_borrower(BK_OPS, &borrower, NULL, &st), SYND_OK, "%s", st.message);
    cr_assert_eq(bk_cancel(BK_ICBC, book->book_id, NULL, &st), SYND_OK, "%s", st.message);
    marker(bk_client(BK_NFRA), MARKER_BOOK);
    return wait_for_marker(MARKER_BOOK);
}

/* The index of the entry of method (the first from from on). */
static size_t find(const redisReply *all, size_t from, const char *method)
{
    for (size_t i = from; i < all->elements; i++) {
        const char *m = entry_field(all->element[i], "method");
        if (m != NULL && strcmp(m, method) == 0)
            return i;
    }
    cr_assert_fail("no %s record in the trail", method);
    return 0;
}

/* --- changes behind the broker's back ----------------------------------- */

/* A stream entry cannot be changed in place, nor added again under its
 * id once a later one exists. So an edit is simulated faithfully by
 * writing the whole stream anew under the same ids with the change made,
 * and renaming it over the trail: the result is what an edit in place
 * would leave. content[i] is the entry whose fields go under entry i's
 * id; set, if not NULL, changes field set[0] of entry set_at to set[1]. */
static void rewrite(const redisReply *all, const size_t *content, size_t set_at,
                    const char *const *set)
{
    const char *del[] = {"DEL", "synd:audit:new"};
    const char *ren[] = {"RENAME", "synd:audit:new", "synd:audit"};

    freeReplyObject(cmd(2, del));
    for (size_t i = 0; i < all->elements; i++) {
        const redisReply *f = all->element[content ? content[i] : i]->element[1];
        const char *argv[3 + MAX_FIELDS] = {"XADD", "synd:audit:new", entry_id(all, i)};
        int argc = 3;

        cr_assert_leq(f->elements, MAX_FIELDS);
        for (size_t j = 0; j < f->elements; j++) {
            argv[argc] = f->element[j]->str;
            if (set != NULL && i == set_at && j % 2 == 1 &&
                strcmp(f->element[j - 1]->str, set[0]) == 0)
                argv[argc] = set[1];
            argc++;
        }
        freeReplyObject(cmd(argc, argv));
    }
    freeReplyObject(cmd(3, ren));
}

static void xdel(const char *id)
{
    const char *argv[] = {"XDEL", "synd:audit", id};
    redisReply *r = cmd(3, argv);

    cr_assert_eq(r->integer, 1, "XDEL %s removed nothing", id);
    freeReplyObject(r);
}

/* --- syndctl ------------------------------------------------------------ */

static char out_path[HARNESS_PATH_MAX + 32];
static char output[16384];
static int n_runs;

/* Runs syndctl with key (a key file of the test folder, "supervisor")
 * and the arguments (NULL-terminated); returns its exit code, with what
 * it printed in output. */
static int syndctl(const char *key, const char *const *args)
{
    char key_path[HARNESS_PATH_MAX + 32], server[HARNESS_PATH_MAX + 32];
    const char *argv[16] = {SYNDCTL_PATH,   "--endpoint", bk_h.broker.endpoint,
                            "--server-key", server,       "--key",
                            key_path};
    int argc = 7, rc;
    size_t n;
    FILE *f;

    snprintf(key_path, sizeof(key_path), "%s/%s.key", bk_h.dir, key);
    snprintf(server, sizeof(server), "%s/broker.pub", bk_h.dir);
    snprintf(out_path, sizeof(out_path), "%s/syndctl-%d.out", bk_h.dir, n_runs++);
    for (; *args != NULL; args++) {
        cr_assert_lt(argc, 15);
        argv[argc++] = *args;
    }
    argv[argc] = NULL;
    rc = harness_run(argv, out_path);
    f = fopen(out_path, "r");
    cr_assert_not_null(f, "no output from syndctl");
    n = fread(output, 1, sizeof(output) - 1, f);
    output[n] = '\0';
    fclose(f);
    return rc;
}

static int verify(void)
{
    return syndctl("supervisor", (const char *[]){"audit", "verify", NULL});
}

/* Asserts the output names what it should. */
static void says(const char *needle)
{
    cr_expect(strstr(output, needle) != NULL, "syndctl said:\n%s\nwhich lacks '%s'", output,
              needle);
}

/* --- tests -------------------------------------------------------------- */

/* Every record, read through GetAuditLog, carries prev and hash: the
 * hash is its content's, each prev the hash before it, the first prev
 * the genesis, and the reply's head the last hash. syndctl agrees. */
Test(audit_verify, an_untouched_trail_is_intact)
{
    Synd__V1__GetAuditLogRequest req = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    Synd__V1__GetAuditLogResponse *page;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    redisReply *all = script();
    const char *prev = SYND_AUDIT_GENESIS;
    char hash[SYND_AUDIT_HASH_LEN], want[64], head[80];
    synd_status st;

    req.after_id = "0-0";
    req.limit = 10000;
    cr_assert_eq(synd_call(bk_client(BK_NFRA), M_AUDIT_LOG, &req.base,
                           &synd__v1__get_audit_log_response__descriptor,
                           (ProtobufCMessage **)&page, &o, &st),
                 SYND_OK, "%s", st.message);
    cr_assert_eq(page->n_records, all->elements);
    cr_expect_str_eq(page->base_hash, SYND_AUDIT_GENESIS);
    for (size_t i = 0; i < page->n_records; i++) {
        const Synd__V1__AuditRecord *r = page->records[i];
        synd_audit_fields f = {r->time_ms, r->bank_id, r->role,   r->method,
                               r->object,  r->code,    r->detail, r->prev};

        cr_assert_str_eq(r->id, entry_id(all, i));
        cr_assert_str_eq(r->prev, prev, "record %s", r->id);
        cr_assert_eq(synd_audit_hash(&f, hash), 0);
        cr_assert_str_eq(r->hash, hash, "record %s", r->id);
        prev = r->hash;
    }
    cr_expect_str_eq(page->head_hash, prev);
    snprintf(head, sizeof(head), "head %s", prev);
    protobuf_c_message_free_unpacked(&page->base, NULL);

    cr_expect_eq(verify(), 0, "%s", output);
    snprintf(want, sizeof(want), "chain intact: %zu records", all->elements);
    says(want);
    says(head);
    freeReplyObject(all);
}

Test(audit_verify, an_edited_field_names_the_record)
{
    redisReply *all = script();
    size_t k = find(all, 0, "OpenBook") + 2; /* a record in the middle of the script */
    char want[128];

    rewrite(all, NULL, k, (const char *const[]){"detail", "nothing happened here"});
    cr_expect_eq(verify(), 1, "%s", output);
    snprintf(want, sizeof(want), "chain broken: record %s was modified", entry_id(all, k));
    says(want);
    freeReplyObject(all);
}

/* Each field is covered: an edit of the bank, the outcome or the time is
 * named as well. */
Test(audit_verify, edits_of_who_and_what_and_when)
{
    const char *const edits[][2] = {{"bank", "CCB"}, {"code", "5"}, {"time_ms", "1700000000000"}};
    redisReply *all = script();
    size_t k = find(all, 0, "WithdrawBid");
    char want[128];

    for (size_t e = 0; e < sizeof(edits) / sizeof(edits[0]); e++) {
        rewrite(all, NULL, k, edits[e]);
        cr_expect_eq(verify(), 1, "%s: %s", edits[e][0], output);
        snprintf(want, sizeof(want), "record %s was modified", entry_id(all, k));
        says(want);
        rewrite(all, NULL, 0, NULL); /* back as it was */
        cr_expect_eq(verify(), 0, "%s", output);
    }
    freeReplyObject(all);
}

Test(audit_verify, a_deleted_record_names_its_neighbours)
{
    redisReply *all = script();
    size_t k = find(all, 0, "SubmitBid");
    char want[256];

    xdel(entry_id(all, k));
    cr_expect_eq(verify(), 1, "%s", output);
    snprintf(want, sizeof(want), "records were deleted between record %s and record %s",
             entry_id(all, k - 1), entry_id(all, k + 1));
    says(want);
    freeReplyObject(all);
}

Test(audit_verify, swapped_records_are_out_of_order)
{
    redisReply *all = script();
    size_t k = find(all, 0, "SubmitBid"), *content = calloc(all->elements, sizeof(*content));
    char want[256];

    cr_assert_not_null(content);
    for (size_t i = 0; i < all->elements; i++)
        content[i] = i;
    content[k] = k + 1;
    content[k + 1] = k;
    rewrite(all, content, 0, NULL);
    cr_expect_eq(verify(), 1, "%s", output);
    snprintf(want, sizeof(want), "record %s is out of order: it follows record %s",
             entry_id(all, k), entry_id(all, k + 1));
    says(want);
    free(content);
    freeReplyObject(all);
}

Test(audit_verify, the_newest_and_the_oldest_records_deleted)
{
    redisReply *all = script();
    size_t n = all->elements;
    char want[256];

    xdel(entry_id(all, n - 1));
    cr_expect_eq(verify(), 1, "%s", output);
    snprintf(want, sizeof(want), "records were deleted after record %s, the last",
             entry_id(all, n - 2));
    says(want);

    xdel(entry_id(all, 0));
    cr_expect_eq(verify(), 1, "%s", output);
    snprintf(want, sizeof(want), "records were deleted before record %s, the first",
             entry_id(all, 1));
    says(want);
    freeReplyObject(all);
}

/* Someone who knows the scheme can rewrite the chain with fresh hashes
 * from a record on, and the chain alone then checks; a record's hash
 * kept from an earlier verify (an anchor) shows the rewrite. */
Test(audit_verify, an_anchor_catches_a_rewritten_chain)
{
    redisReply *all = script();
    size_t n = all->elements, k = find(all, 0, "PutBorrower");
    char anchor[256], prev[SYND_AUDIT_HASH_LEN] = SYND_AUDIT_GENESIS, hash[SYND_AUDIT_HASH_LEN];
    char want[256];
    const char *set_head[] = {"SET", "synd:audit:head", NULL};

    /* The supervisor notes what verify said, "head H (record ID)", and
     * later uses it as the anchor ID:H. */
    cr_assert_eq(verify(), 0, "%s", output);
    snprintf(want, sizeof(want), "head %s (record %s)", entry_field(all->element[n - 1], "hash"),
             entry_id(all, n - 1));
    says(want);
    snprintf(anchor, sizeof(anchor), "%s:%s", entry_id(all, n - 1),
             entry_field(all->element[n - 1], "hash"));
    cr_assert_eq(
        syndctl("supervisor", (const char *[]){"audit", "verify", "--anchor", anchor, NULL}), 0,
        "%s", output);

    /* Edit record k and rehash it and everything after it, as the broker
     * would have: every link holds. */
    for (size_t i = 0; i < n; i++) {
        const redisReply *e = all->element[i];
        synd_audit_fields f = {strtoll(entry_field(e, "time_ms"), NULL, 10),
                               entry_field(e, "bank"),
                               entry_field(e, "role"),
                               entry_field(e, "method"),
                               entry_field(e, "object"),
                               (int32_t)strtol(entry_field(e, "code"), NULL, 10),
                               i == k ? "limit unchanged" : entry_field(e, "detail"),
                               prev};
        const char *argv[] = {
            "XADD",   "synd:audit:new", entry_id(all, i), "time_ms", entry_field(e, "time_ms"),
            "bank",   f.bank,           "role",           f.role,    "method",
            f.method, "object",         f.object,         "code",    entry_field(e, "code"),
            "detail", f.detail,         "prev",           prev,      "hash",
            hash};

        cr_assert_eq(synd_audit_hash(&f, hash), 0);
        freeReplyObject(cmd(sizeof(argv) / sizeof(argv[0]), argv));
        memcpy(prev, hash, sizeof(prev));
    }
    freeReplyObject(cmd(3, (const char *[]){"RENAME", "synd:audit:new", "synd:audit"}));
    set_head[2] = prev;
    freeReplyObject(cmd(3, set_head));

    cr_expect_eq(verify(), 0, "the chain alone cannot show a rewrite: %s", output);
    cr_expect_eq(
        syndctl("supervisor", (const char *[]){"audit", "verify", "--anchor", anchor, NULL}), 1,
        "%s", output);
    snprintf(want, sizeof(want), "record %s has the hash %s, not the anchored",
             entry_id(all, n - 1), prev);
    says(want);
    freeReplyObject(all);
}

/* --- two brokers, one chain --------------------------------------------- */

typedef struct burst {
    synd_client *client;
    int refused; /* calls refused as expected */
} burst;

/* Refused reads on one broker's connection; each leaves a record. A
 * quota may refuse some with RESOURCE_EXHAUSTED, which is recorded too. */
static void *run_burst(void *arg)
{
    Synd__V1__BookRef req = SYND__V1__BOOK_REF__INIT;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    burst *b = arg;
    ProtobufCMessage *out;
    synd_status st;
    synd_code code;

    req.book_id = "BK-999";
    for (int i = 0; i < BURST; i++) {
        code = synd_call(b->client, "/synd.v1.Syndication/GetBook", &req.base,
                         &synd__v1__book__descriptor, &out, &o, &st);
        b->refused += code == SYND_NOT_FOUND || code == SYND_RESOURCE_EXHAUSTED;
    }
    return NULL;
}

/* A second broker on the same Redis: each appends after the other in
 * turn, so each finds the head moved every time and must relink its
 * record; then both append at once. The chain stays one line with every record. */
Test(audit_verify, two_brokers_append_to_one_chain)
{
    harness_broker second = {0};
    synd_client *c2;
    burst b[2] = {{0}};
    pthread_t t[2];
    redisReply *all;
    char want[64], book[16];
    int status;

    cr_assert_eq(harness_broker_start(&bk_h, &second, 0), 0, "cannot start a second syndbroker");
    c2 = harness_client_at(&bk_h, &second, HARNESS_SUPERVISOR);
    cr_assert_not_null(c2);
    for (int turn = 0; turn < 3; turn++) {
        snprintf(book, sizeof(book), "BK-%d", 4000 + 2 * turn);
        marker(c2, book);
        freeReplyObject(wait_for_marker(book));
        snprintf(book, sizeof(book), "BK-%d", 4001 + 2 * turn);
        marker(bk_client(BK_NFRA), book);
        freeReplyObject(wait_for_marker(book));
    }
    bk_wait_log(second.log_path, "another broker appended");
    bk_wait_log(bk_h.broker.log_path, "another broker appended");

    b[0].client = harness_client_at(&bk_h, &bk_h.broker, HARNESS_SUPERVISOR);
    b[1].client = harness_client_at(&bk_h, &second, HARNESS_SUPERVISOR);
    cr_assert(b[0].client != NULL && b[1].client != NULL);
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, run_burst, &b[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    cr_expect_eq(b[0].refused + b[1].refused, 2 * BURST);
    /* Each broker's last record, after its burst's. */
    marker(c2, "BK-5000");
    freeReplyObject(wait_for_marker("BK-5000"));
    marker(bk_client(BK_NFRA), "BK-5001");
    all = wait_for_marker("BK-5001");

    cr_expect_eq(verify(), 0, "%s", output);
    snprintf(want, sizeof(want), "chain intact: %zu records", all->elements);
    says(want);
    cr_expect_geq(all->elements, 2 * BURST + 8, "%zu records", all->elements);

    freeReplyObject(all);
    for (int i = 0; i < 2; i++)
        synd_client_free(b[i].client);
    synd_client_free(c2);
    status = harness_child_stop(second.pid, "syndbroker");
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the second broker exited 0x%x",
              status);
}

/* --- audit show, and who may ---------------------------------------------- */

Test(audit_verify, show_lists_the_trail_oldest_first)
{
    redisReply *all = script();
    char fourth[64];

    cr_assert_eq(syndctl("supervisor", (const char *[]){"audit", "show", "--limit", "3", NULL}), 0,
                 "%s", output);
    says(entry_id(all, 0));
    says(entry_id(all, 2));
    snprintf(fourth, sizeof(fourth), "%s ", entry_id(all, 3));
    cr_expect(strstr(output, fourth) == NULL, "--limit 3 showed a fourth:\n%s", output);
    says("outcome");

    cr_assert_eq(syndctl("supervisor", (const char *[]){"audit", "show", "--since", "3600",
                                                        "--limit", "1000", NULL}),
                 0, "%s", output);
    says(entry_id(all, all->elements - 1));
    says("PutBorrower");
    says("PERMISSION_DENIED");
    says(MARKER_BOOK);
    freeReplyObject(all);
}

Test(audit_verify, only_supervisors_read_the_trail)
{
    cr_expect_eq(syndctl("participant", (const char *[]){"audit", "verify", NULL}), 1, "%s",
                 output);
    says("PERMISSION_DENIED");
    cr_expect_eq(syndctl("participant", (const char *[]){"audit", "show", NULL}), 1, "%s", output);
    says("PERMISSION_DENIED");
}

/* GetAuditLog pages by stream id: after_id with from_ms, or an after_id
 * that is not a stream id, is refused. */
Test(audit_verify, paging_arguments)
{
    Synd__V1__GetAuditLogRequest req = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    ProtobufCMessage *out = NULL;
    synd_status st;

    req.after_id = "0-0";
    req.from_ms = 1;
    bk_expect_refused(synd_call(bk_client(BK_NFRA), M_AUDIT_LOG, &req.base,
                                &synd__v1__get_audit_log_response__descriptor, &out, &o, &st),
                      st, SYND_INVALID_ARGUMENT, "not both");
    req.from_ms = 0;
    req.after_id = "BK-1";
    bk_expect_refused(synd_call(bk_client(BK_NFRA), M_AUDIT_LOG, &req.base,
                                &synd__v1__get_audit_log_response__descriptor, &out, &o, &st),
                      st, SYND_INVALID_ARGUMENT, "is not a stream id");
}

Test(audit_verify, usage_errors)
{
    cr_expect_eq(
        syndctl("supervisor", (const char *[]){"audit", "verify", "--anchor", "junk", NULL}), 2,
        "%s", output);
    says("ID:HASH");
    cr_expect_eq(syndctl("supervisor", (const char *[]){"audit", "show", "--limit", "0", NULL}), 2,
                 "%s", output);
    cr_expect_eq(syndctl("supervisor", (const char *[]){"audit", "verify", "extra", NULL}), 2, "%s",
                 output);
}
