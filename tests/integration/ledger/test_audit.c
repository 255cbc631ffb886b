/* The audit trail in a real Redis: records appended to the stream and read
 * back by the time Redis gave them, with a limit. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

#define NOW         INT64_C(1700000000000) /* the broker's clock, which tests set */
#define LATER_BOUND 2000                   /* ms to wait for Redis's clock to move on */

TestSuite(ledger_audit, .init = fx_start, .fini = fx_stop, .timeout = 60);

static const ledger_audit OPENED = {.time_ms = NOW,
                                    .bank_id = "ICBC",
                                    .role = "lead",
                                    .method = "/synd.v1.Syndication/OpenBook",
                                    .object = "BK-1",
                                    .code = SYND_OK,
                                    .detail = "opened"};
static const ledger_audit REFUSED = {.time_ms = NOW + 5,
                                     .bank_id = "BOC",
                                     .role = "participant",
                                     .method = "/synd.v1.Syndication/SubmitBid",
                                     .object = "BK-1",
                                     .code = SYND_RESOURCE_EXHAUSTED,
                                     .detail =
                                         "单一客户 headroom 39 fen (rule: single borrower cap)"};
static const ledger_audit REPAID = {.time_ms = NOW + 9,
                                    .bank_id = "CCB",
                                    .role = "agent",
                                    .method = "/synd.v1.Syndication/RecordRepayment",
                                    .object = "BK-1",
                                    .code = SYND_OK,
                                    .detail = ""};

/* Appends rec and returns its stream id. */
static const char *append(const ledger_audit *rec)
{
    const ledger_result *r = CALL(ledger_audit_append, rec);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_not_null(r->id);
    return r->id;
}

/* The time part of a stream id, "<ms>-<seq>". */
static int64_t id_ms(const char *id)
{
    char *end;
    int64_t ms = strtoll(id, &end, 10);

    cr_assert_eq(*end, '-', "'%s' is not a stream id", id);
    return ms;
}

/* Asserts a record read back is want, with the stream id it was given. */
static void same(const ledger_audit *got, const ledger_audit *want, const char *id)
{
    cr_assert_str_eq(got->id, id);
    cr_assert_eq(got->time_ms, want->time_ms);
    cr_assert_str_eq(got->bank_id, want->bank_id);
    cr_assert_str_eq(got->role, want->role);
    cr_assert_str_eq(got->method, want->method);
    cr_assert_str_eq(got->object, want->object);
    cr_assert_eq(got->code, want->code);
    cr_assert_str_eq(got->detail, want->detail);
}

/* The records from from to to, at most limit; asserts the call worked. */
static const ledger_result *range(int64_t from, int64_t to, size_t limit)
{
    const ledger_result *r = CALL(ledger_audit_range, from, to, limit);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_not_null(r->audit);
    return r;
}

static int clock_passed(void *ms)
{
    return harness_now_ms() > *(int64_t *)ms;
}

Test(ledger_audit, append_and_range_by_time_with_limit)
{
    const char *a = append(&OPENED), *b = append(&REFUSED), *c;
    int64_t b_ms = id_ms(b), c_ms;
    const ledger_result *r;

    /* Redis's clock is this machine's: once it has passed b's ms, the
     * next id is in a later ms. */
    cr_assert(fx_until(clock_passed, &b_ms, LATER_BOUND));
    c = append(&REPAID);
    c_ms = id_ms(c);
    cr_assert_gt(c_ms, b_ms);

    r = range(0, INT64_MAX, 10);
    cr_assert_eq(r->n_items, 3);
    same(&r->audit[0], &OPENED, a);
    same(&r->audit[1], &REFUSED, b);
    same(&r->audit[2], &REPAID, c);

    r = range(0, b_ms, 10); /* to is inclusive */
    cr_assert_eq(r->n_items, 2);
    same(&r->audit[1], &REFUSED, b);
    r = range(c_ms, c_ms, 10); /* and so is from */
    cr_assert_eq(r->n_items, 1);
    same(&r->audit[0], &REPAID, c);
    r = range(b_ms + 1, INT64_MAX, 10);
    cr_assert_eq(r->n_items, 1);
    same(&r->audit[0], &REPAID, c);

    r = range(0, INT64_MAX, 2);
    cr_assert_eq(r->n_items, 2);
    same(&r->audit[0], &OPENED, a);
    same(&r->audit[1], &REFUSED, b);
    cr_assert_eq(range(0, INT64_MAX, 0)->n_items, 0);
    cr_assert_eq(range(c_ms + 1, INT64_MAX, 10)->n_items, 0);
    cr_assert_eq(range(-5, -1, 10)->n_items, 0);
}

Test(ledger_audit, the_time_field_is_the_brokers_and_the_id_is_redis)
{
    const char *id = append(&OPENED);
    const redisReply *r = fx_redis("XRANGE synd:audit - +");

    cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
    cr_assert_eq(r->elements, 1);
    cr_assert_str_eq(r->element[0]->element[0]->str, id);
    /* Redis's clock, this machine's, not the one the test set. */
    cr_assert_lt(llabs(id_ms(id) - harness_now_ms()), 60000);
    cr_assert_str_eq(r->element[0]->element[1]->element[0]->str, "time_ms");
    cr_assert_str_eq(r->element[0]->element[1]->element[1]->str, "1700000000000");
}

static int one_record(void *unused)
{
    return fx_redis("XLEN synd:audit")->integer == 1;
}

Test(ledger_audit, append_without_a_callback)
{
    const ledger_audit blank = {.time_ms = NOW, .code = SYND_PERMISSION_DENIED};
    const ledger_result *r;

    cr_assert_eq(ledger_audit_append(fx_l, &blank, NULL, NULL), 0);
    cr_assert(fx_until(one_record, NULL, FX_CALL_MS), "the record did not arrive");
    r = range(0, INT64_MAX, 10);
    cr_assert_eq(r->n_items, 1);
    cr_assert_eq(r->audit[0].code, SYND_PERMISSION_DENIED);
    cr_assert_str_eq(r->audit[0].bank_id, "");
    cr_assert_str_eq(r->audit[0].detail, "");
}

Test(ledger_audit, records_of_other_versions)
{
    const ledger_result *r;

    /* A field this version does not know is skipped; a missing text is "". */
    fx_redis("XADD synd:audit * time_ms 7 code 0 bank ICBC later x");
    r = range(0, INT64_MAX, 10);
    cr_assert_eq(r->n_items, 1);
    cr_assert_eq(r->audit[0].time_ms, 7);
    cr_assert_str_eq(r->audit[0].bank_id, "ICBC");
    cr_assert_str_eq(r->audit[0].method, "");

    /* A record without its code cannot be read as one. */
    fx_redis("XADD synd:audit * time_ms 8 bank ICBC");
    r = CALL(ledger_audit_range, 0, INT64_MAX, 10);
    cr_assert_eq(r->code, SYND_INTERNAL);
    cr_assert_null(r->audit);
}

Test(ledger_audit, an_empty_trail)
{
    cr_assert_eq(range(0, INT64_MAX, 10)->n_items, 0);
}
