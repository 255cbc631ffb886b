/* The audit chain in a real Redis, through the ledger (no broker): every
 * append linked to the one before it and hashed, appends of one ledger
 * kept in order, audit_append refusing a stale head and writing nothing,
 * a head another writer moved read again and built on, the trim keeping
 * the chain checkable from its base, and paging by stream id. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"
#include "synd/audit.h"

#define NOW   INT64_C(1700000000000)
#define BURST 40 /* appends made at once */

TestSuite(audit_ledger, .init = fx_start, .fini = fx_stop, .timeout = 60);

/* A record with time NOW + i, by ICBC, on "BK-<i>". */
static ledger_audit record(int i, char object[16])
{
    snprintf(object, 16, "BK-%d", i);
    return (ledger_audit){.time_ms = NOW + i,
                          .bank_id = "ICBC",
                          .role = "lead",
                          .method = "OpenBook",
                          .object = object,
                          .code = i % 3 ? SYND_OK : SYND_PERMISSION_DENIED,
                          .detail = i % 3 ? "" : "OpenBook needs the lead role"};
}

/* The hash rec should have with prev. */
static void hash_of(const ledger_audit *a, const char *prev, char out[SYND_AUDIT_HASH_LEN])
{
    synd_audit_fields f = {a->time_ms, a->bank_id, a->role,   a->method,
                           a->object,  a->code,    a->detail, prev};

    cr_assert_eq(synd_audit_hash(&f, out), 0);
}

/* What Redis answered a raw call: its type, and its text or first id. */
typedef struct raw_reply {
    int type;
    char str[512];
} raw_reply;

/* Calls audit_append the way another broker would: prev, max_len, then
 * the n records, each with its hash (a hash given as NULL is computed,
 * linked to the one before). */
static raw_reply raw_append(const char *prev, int max_len, const ledger_audit *recs,
                            const char *const *hashes, size_t n)
{
    char nums[16][3][24], hash[16][SYND_AUDIT_HASH_LEN];
    const char *argv[6 + 16 * 8] = {"FCALL", "audit_append", "1", "synd:audit", prev, nums[0][2]};
    const char *link = prev;
    struct timeval tv = {2, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", fx_h.redis_port, tv);
    redisReply *r;
    raw_reply out;
    int argc = 6;

    cr_assert(c != NULL && c->err == 0, "cannot connect to redis");
    cr_assert_leq(n, 16);
    snprintf(nums[0][2], sizeof(nums[0][2]), "%d", max_len);
    for (size_t i = 0; i < n; i++) {
        snprintf(nums[i][0], sizeof(nums[i][0]), "%lld", (long long)recs[i].time_ms);
        snprintf(nums[i][1], sizeof(nums[i][1]), "%d", recs[i].code);
        if (hashes != NULL && hashes[i] != NULL)
            snprintf(hash[i], sizeof(hash[i]), "%s", hashes[i]);
        else
            hash_of(&recs[i], link, hash[i]);
        link = hash[i];
        argv[argc++] = nums[i][0];
        argv[argc++] = recs[i].bank_id;
        argv[argc++] = recs[i].role;
        argv[argc++] = recs[i].method;
        argv[argc++] = recs[i].object;
        argv[argc++] = nums[i][1];
        argv[argc++] = recs[i].detail;
        argv[argc++] = hash[i];
    }
    r = redisCommandArgv(c, argc, argv, NULL);
    cr_assert_not_null(r, "redis: %s", c->errstr);
    out.type = r->type;
    snprintf(out.str, sizeof(out.str), "%s",
             r->type == REDIS_REPLY_ERROR ? r->str
             : r->type == REDIS_REPLY_ARRAY && r->elements > 0 && r->element[0]->str
                 ? r->element[0]->str
                 : "");
    freeReplyObject(r);
    redisFree(c);
    return out;
}

/* The whole trail, checked: each record's hash is its content's, each
 * prev the hash before it (from base), and head the last hash. Returns
 * the read. */
static const ledger_result *check_chain(const char *base)
{
    const ledger_result *r = CALL(ledger_audit_after, "0-0", 0, 100000);
    const char *prev = base;
    char hash[SYND_AUDIT_HASH_LEN];

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_str_eq(r->audit_base, base);
    for (size_t i = 0; i < r->n_items; i++) {
        const ledger_audit *a = &r->audit[i];

        cr_assert_str_eq(a->prev, prev, "record %zu (%s)", i, a->id);
        hash_of(a, a->prev, hash);
        cr_assert_str_eq(a->hash, hash, "record %zu (%s)", i, a->id);
        prev = a->hash;
    }
    cr_assert_str_eq(r->audit_head, prev);
    return r;
}

Test(audit_ledger, each_record_is_linked_and_hashed)
{
    char obj[3][16];
    const ledger_result *r;

    for (int i = 0; i < 3; i++) {
        ledger_audit a = record(i, obj[i]);

        r = CALL(ledger_audit_append, &a);
        cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    }
    r = check_chain(SYND_AUDIT_GENESIS);
    cr_assert_eq(r->n_items, 3);
    cr_expect_str_eq(r->audit[0].prev, SYND_AUDIT_GENESIS);
    cr_expect_str_eq(r->audit[1].object, "BK-1");
    cr_expect_str_eq(fx_redis("GET synd:audit:head")->str, r->audit[2].hash);
    cr_expect_eq(fx_redis("EXISTS synd:audit:base")->integer, 0, "no trim, no base");
}

/* What the test's callbacks saw of each append of a burst. */
typedef struct seen {
    int times;
    synd_code code;
} seen;

static void count(void *arg, const ledger_result *r)
{
    seen *s = arg;

    s->times++;
    s->code = r->code;
}

static int all_answered(void *arg)
{
    seen *s = arg;

    for (int i = 0; i < BURST; i++) {
        if (s[i].times == 0)
            return 0;
    }
    return 1;
}

/* Appends made at once go to Redis one at a time, in the order made, so
 * the chain holds them in that order. */
Test(audit_ledger, a_burst_is_chained_in_order)
{
    seen s[BURST] = {{0}};
    char obj[BURST][16];
    const ledger_result *r;

    for (int i = 0; i < BURST; i++) {
        ledger_audit a = record(i, obj[i]);

        cr_assert_eq(ledger_audit_append(fx_l, &a, count, &s[i]), 0);
    }
    cr_assert(fx_until(all_answered, s, FX_CALL_MS), "not every append was answered");
    for (int i = 0; i < BURST; i++) {
        cr_expect_eq(s[i].times, 1, "append %d answered %d times", i, s[i].times);
        cr_expect_eq(s[i].code, SYND_OK, "append %d: %s", i, synd_code_name(s[i].code));
    }
    r = check_chain(SYND_AUDIT_GENESIS);
    cr_assert_eq(r->n_items, BURST);
    for (int i = 0; i < BURST; i++)
        cr_expect_eq(r->audit[i].time_ms, NOW + i);
}

/* audit_append is a compare-and-append: a prev that is not the head, or
 * a record that is not well formed, is refused and nothing is written,
 * not even the batch's good records. */
Test(audit_ledger, a_stale_prev_is_refused_and_writes_nothing)
{
    char obj[3][16], hash[SYND_AUDIT_HASH_LEN];
    ledger_audit a = record(1, obj[0]), more[2] = {record(2, obj[1]), record(3, obj[2])};
    const char *bad_hash[] = {NULL, "NOTAHASH"};
    const char *before;
    raw_reply r;

    cr_assert_eq(CALL(ledger_audit_append, &a)->code, SYND_OK);
    before = fx_dump();
    hash_of(&a, SYND_AUDIT_GENESIS, hash);
    r = raw_append(SYND_AUDIT_GENESIS, 1000, more, NULL, 2);
    cr_assert_eq(r.type, REDIS_REPLY_ERROR);
    cr_expect(strncmp(r.str, "ABORTED the audit trail's head is ", 34) == 0, "%s", r.str);
    cr_expect(strstr(r.str, hash) != NULL, "the refusal names the head: %s", r.str);
    cr_expect(strstr(r.str, "(rule: audit chain)") != NULL, "%s", r.str);
    r = raw_append(hash, 1000, more, bad_hash, 2);
    cr_assert_eq(r.type, REDIS_REPLY_ERROR);
    cr_expect(strncmp(r.str, "INVALID_ARGUMENT hash", 21) == 0, "%s", r.str);
    cr_expect_str_eq(fx_dump(), before);
}

/* Another broker appends behind this ledger's back: the ledger's next
 * append is refused, and relinked to the head the refusal names. */
Test(audit_ledger, a_head_moved_by_another_writer_is_read_again)
{
    char obj[3][16], hash_a[SYND_AUDIT_HASH_LEN], hash_b[SYND_AUDIT_HASH_LEN];
    ledger_audit a = record(0, obj[0]), b = record(1, obj[1]), c = record(2, obj[2]);
    const ledger_result *r;
    raw_reply x;

    cr_assert_eq(CALL(ledger_audit_append, &a)->code, SYND_OK);
    b.detail = "another-broker";
    hash_of(&a, SYND_AUDIT_GENESIS, hash_a);
    hash_of(&b, hash_a, hash_b);
    x = raw_append(hash_a, 1000, &b, NULL, 1);
    cr_assert_eq(x.type, REDIS_REPLY_ARRAY, "%s", x.str);
    cr_assert_eq(CALL(ledger_audit_append, &c)->code, SYND_OK);
    r = check_chain(SYND_AUDIT_GENESIS);
    cr_assert_eq(r->n_items, 3);
    cr_expect_str_eq(r->audit[1].detail, "another-broker");
    cr_expect_str_eq(r->audit[2].prev, hash_b);
}

/* A head that is not a hash is never built upon: the append fails, and
 * the trail is unchanged. */
Test(audit_ledger, a_corrupt_head_is_not_built_upon)
{
    char obj[2][16];
    ledger_audit a = record(0, obj[0]), b = record(1, obj[1]);
    const ledger_result *r;

    cr_assert_eq(CALL(ledger_audit_append, &a)->code, SYND_OK);
    fx_redis("SET synd:audit:head corrupt");
    r = CALL(ledger_audit_append, &b);
    cr_expect_neq(r->code, SYND_OK);
    cr_expect_eq(fx_redis("XLEN synd:audit")->integer, 1);
}

/* The trim keeps exactly max_len records and remembers the hash of the
 * newest one it dropped, from which the rest still checks. Records come
 * in batches of two and three. */
Test(audit_ledger, the_trim_keeps_the_chain_checkable)
{
    char obj[5][16], dropped[SYND_AUDIT_HASH_LEN], hash0[SYND_AUDIT_HASH_LEN];
    ledger_audit recs[5];
    const ledger_result *r;
    raw_reply x;

    for (int i = 0; i < 5; i++)
        recs[i] = record(i, obj[i]);
    x = raw_append(SYND_AUDIT_GENESIS, 3, recs, NULL, 2);
    cr_assert_eq(x.type, REDIS_REPLY_ARRAY, "%s", x.str);
    hash_of(&recs[0], SYND_AUDIT_GENESIS, hash0);
    hash_of(&recs[1], hash0, dropped);
    cr_assert_eq(fx_redis("XLEN synd:audit")->integer, 2);
    x = raw_append(dropped, 3, recs + 2, NULL, 3);
    cr_assert_eq(x.type, REDIS_REPLY_ARRAY, "%s", x.str);
    cr_assert_eq(fx_redis("XLEN synd:audit")->integer, 3);
    cr_assert_str_eq(fx_redis("GET synd:audit:base")->str, dropped);
    r = check_chain(dropped);
    cr_assert_eq(r->n_items, 3);
    cr_expect_eq(r->audit[0].time_ms, NOW + 2);
}

/* Paging by stream id: the records after an id, to a time or the end. */
Test(audit_ledger, pages_after_a_stream_id)
{
    char obj[4][16], id0[64];
    const ledger_result *all, *r;

    for (int i = 0; i < 4; i++) {
        ledger_audit a = record(i, obj[i]);

        cr_assert_eq(CALL(ledger_audit_append, &a)->code, SYND_OK);
    }
    all = check_chain(SYND_AUDIT_GENESIS);
    cr_assert_eq(all->n_items, 4);
    snprintf(id0, sizeof(id0), "%s", all->audit[0].id);
    r = CALL(ledger_audit_after, id0, 0, 2);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->n_items, 2);
    cr_expect_str_eq(r->audit[0].id, all->audit[1].id);
    cr_expect_str_eq(r->audit[1].id, all->audit[2].id);
    cr_expect_str_eq(r->audit_head, all->audit[3].hash);
    r = CALL(ledger_audit_after, all->audit[3].id, 0, 10);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_expect_eq(r->n_items, 0);
    cr_expect_str_eq(r->audit_head, all->audit[3].hash, "the head comes with an empty page");
    r = CALL(ledger_audit_after, id0, strtoll(id0, NULL, 10) - 1, 10);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_expect_eq(r->n_items, 0, "to_ms before the start: nothing");

    r = CALL(ledger_audit_after, "BK-1", 0, 10);
    cr_expect_eq(r->code, SYND_INVALID_ARGUMENT);
    cr_expect(strstr(r->message, "is not a stream id") != NULL, "%s", r->message);
    r = CALL(ledger_audit_after, "18446744073709551615-18446744073709551615", 0, 10);
    cr_expect_eq(r->code, SYND_INVALID_ARGUMENT, "%s", r->message);
}

/* Appends queued behind one in flight when Redis goes: each is answered
 * once, UNAVAILABLE, in order; none is lost in silence. */
Test(audit_ledger, queued_appends_fail_once_when_redis_goes)
{
    seen s[BURST] = {{0}};
    char obj[BURST][16];

    for (int i = 0; i < BURST; i++) {
        ledger_audit a = record(i, obj[i]);

        cr_assert_eq(ledger_audit_append(fx_l, &a, count, &s[i]), 0);
    }
    cr_assert_eq(harness_redis_kill(&fx_h), 0, "cannot kill redis-server");
    cr_assert(fx_until(all_answered, s, FX_UP_MS), "not every append was answered");
    for (int i = 0; i < BURST; i++) {
        cr_expect_eq(s[i].times, 1, "append %d answered %d times", i, s[i].times);
        cr_expect(s[i].code == SYND_OK || s[i].code == SYND_UNAVAILABLE, "append %d: %s", i,
                  synd_code_name(s[i].code));
    }
    cr_expect_eq(s[BURST - 1].code, SYND_UNAVAILABLE, "the last append cannot have been made");
}
