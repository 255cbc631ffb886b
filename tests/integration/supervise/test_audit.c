/* The audit trail end to end: every state change and every refusal, of
 * any method, recorded with who, what, on what, when and the outcome;
 * successful reads not at all; GetAuditLog's range and limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sv.h"
#include "synd/v1/registry.pb-c.h"

TestSuite(audit, .init = sv_start, .fini = sv_stop, .timeout = 90);

/* One record the script expects, and when its call ran. */
typedef struct want {
    const char *bank, *role, *method, *object;
    synd_code code;
    char detail[512]; /* a part of the message; "" for a change done */
    int64_t before_ms, after_ms;
} want;

#define MAX_WANT 16

static want wants[MAX_WANT];
static size_t n_wants;
static int64_t started_ms;

/* Notes the time before a call. */
static void begin(void)
{
    cr_assert_lt(n_wants, MAX_WANT);
    wants[n_wants].before_ms = harness_now_ms();
}

/* Notes the record the call just made should have left. */
static void expect_record(bk_who who, const char *role, const char *method, const char *object,
                          synd_code code, const char *detail)
{
    want *w = &wants[n_wants++];

    w->after_ms = harness_now_ms();
    w->bank = bk_bank(who);
    w->role = role;
    w->method = method;
    w->object = object;
    w->code = code;
    snprintf(w->detail, sizeof(w->detail), "%s", detail);
}

static void check_record(const Synd__V1__AuditRecord *r, const want *w, size_t i)
{
    cr_expect_neq(r->id[0], '\0', "record %zu has no stream id", i);
    cr_expect_str_eq(r->bank_id, w->bank, "record %zu", i);
    cr_expect_str_eq(r->role, w->role, "record %zu", i);
    cr_expect_str_eq(r->method, w->method, "record %zu", i);
    cr_expect_str_eq(r->object, w->object, "record %zu (%s)", i, w->method);
    cr_expect_eq(r->code, (int32_t)w->code, "record %zu (%s): code %d, want %s", i, w->method,
                 r->code, synd_code_name(w->code));
    if (w->detail[0] == '\0')
        cr_expect_str_eq(r->detail, "", "record %zu", i);
    else
        cr_expect(strstr(r->detail, w->detail) != NULL, "record %zu: '%s' lacks '%s'", i, r->detail,
                  w->detail);
    cr_expect(r->time_ms >= w->before_ms && r->time_ms <= w->after_ms,
              "record %zu (%s) at %lld, outside its call's %lld..%lld", i, w->method,
              (long long)r->time_ms, (long long)w->before_ms, (long long)w->after_ms);
}

/* The time of a record's stream id ("<ms>-<seq>"): what ranges select. */
static int64_t id_ms(const Synd__V1__AuditRecord *r)
{
    return strtoll(r->id, NULL, 10);
}

/* Whether the trail holds the fixture's probe that found the broker ready:
 * its GetBook of BK-0, refused NOT_FOUND. The trail is written after the
 * answer, so the probe's record can land after the probe returned. */
static int holds_probe(const Synd__V1__GetAuditLogResponse *r)
{
    for (size_t i = 0; i < r->n_records; i++) {
        if (strcmp(r->records[i]->object, "BK-0") == 0 && r->records[i]->code == SYND_NOT_FOUND)
            return 1;
    }
    return 0;
}

/* Sets started_ms past every record the trail holds already (the
 * fixture's own refused probes, once they are all in), waiting for the
 * clock to get there. */
static void start_after_trail(void)
{
    Synd__V1__GetAuditLogResponse *r;
    int64_t last = 0, until = harness_now_ms() + BK_WAIT_MS;
    synd_status st;

    for (;;) {
        cr_assert_eq(sv_audit(BK_NFRA, 0, 0, 0, &r, &st), SYND_OK, "%s", st.message);
        if (holds_probe(r) || harness_now_ms() >= until)
            break;
        harness_sleep_ms(20);
    }
    cr_assert(holds_probe(r), "the fixture's probe never reached the audit trail");
    last = id_ms(r->records[r->n_records - 1]);
    while (harness_now_ms() <= last)
        harness_sleep_ms(1);
    started_ms = harness_now_ms();
}

/* The script: changes done and refused by every role, reads refused, and
 * reads that succeed (which leave no record). */
static const char *run_script(void)
{
    Synd__V1__Borrower borrower = SYND__V1__BORROWER__INIT;
    Synd__V1__Bank bank = SYND__V1__BANK__INIT;
    bk_terms bt;
    Synd__V1__Book *book;
    const char *id;
    synd_status st;

    start_after_trail();
    n_wants = 0;
    bk_terms_init(&bt);
    begin();
    book = bk_open_ok(BK_ICBC, &bt);
    id = book->book_id;
    expect_record(BK_ICBC, "lead", "OpenBook", BORROWER_A, SYND_OK, "");

    begin();
    bk_bid_ok(BK_BOC, id, MN(200), 30, NULL);
    expect_record(BK_BOC, "participant", "SubmitBid", id, SYND_OK, "");

    begin();
    cr_assert_eq(bk_open(BK_BOC, &bt, NULL, &st), SYND_PERMISSION_DENIED, "%s", st.message);
    expect_record(BK_BOC, "participant", "OpenBook", BORROWER_A, SYND_PERMISSION_DENIED,
                  "needs the lead role");

    begin();
    cr_assert_neq(bk_bid(BK_CIB, id, MN(100), 5, NULL, NULL, &st), SYND_OK);
    expect_record(BK_CIB, "participant", "SubmitBid", id, st.code, st.message);

    bk_get_ok(BK_NFRA, id); /* a read that succeeds: no record */

    begin();
    cr_assert_eq(bk_get(BK_NFRA, "BK-999", NULL, &st), SYND_NOT_FOUND, "%s", st.message);
    expect_record(BK_NFRA, "supervisor", "GetBook", "BK-999", SYND_NOT_FOUND, "BK-999");

    begin();
    cr_assert_eq(bk_withdraw(BK_BOC, id, NULL, &st), SYND_OK, "%s", st.message);
    expect_record(BK_BOC, "participant", "WithdrawBid", id, SYND_OK, "");

    borrower.code = BORROWER_A;
    borrower.name = "Fujian Lithium Energy";
    borrower.group_id = BORROWER_A_GROUP;
    borrower.joint_limit_fen = MN(3000);
    begin();
    cr_assert_eq(bk_put_borrower(BK_OPS, &borrower, NULL, &st), SYND_OK, "%s", st.message);
    expect_record(BK_OPS, "operator", "PutBorrower", BORROWER_A, SYND_OK, "");

    bank.bank_id = "BOC-SH";
    bank.name = "Bank BOC-SH";
    bank.net_capital_fen = 1;
    begin();
    cr_assert_eq(bk_put_bank(BK_BOC, &bank, NULL, &st), SYND_PERMISSION_DENIED, "%s", st.message);
    expect_record(BK_BOC, "participant", "PutBank", "BOC-SH", SYND_PERMISSION_DENIED, "operator");

    begin();
    cr_assert_eq(sv_audit(BK_BOC, 0, 0, 0, NULL, &st), SYND_PERMISSION_DENIED, "%s", st.message);
    expect_record(BK_BOC, "participant", "GetAuditLog", "", SYND_PERMISSION_DENIED,
                  "needs the supervisor role");

    bk_headroom_ok(BK_CIB, BORROWER_A); /* another read that succeeds */

    begin();
    cr_assert_eq(bk_cancel(BK_ICBC, id, NULL, &st), SYND_OK, "%s", st.message);
    expect_record(BK_ICBC, "lead", "CancelBook", id, SYND_OK, "");
    return id;
}

/* Prints the trail, so that a failure shows what it holds. */
static void dump(const Synd__V1__GetAuditLogResponse *r)
{
    for (size_t i = 0; i < r->n_records; i++) {
        const Synd__V1__AuditRecord *a = r->records[i];
        fprintf(stderr, "audit %zu: %s %lld %s/%s %s '%s' %d %s\n", i, a->id, (long long)a->time_ms,
                a->bank_id, a->role, a->method, a->object, a->code, a->detail);
    }
}

Test(audit, every_change_and_every_refusal_with_who_what_when)
{
    Synd__V1__GetAuditLogResponse *r;

    run_script();
    r = sv_audit_wait(started_ms, n_wants);
    if (r->n_records != n_wants)
        dump(r);
    cr_assert_eq(r->n_records, n_wants, "the trail holds %zu records; the script made %zu",
                 r->n_records, n_wants);
    for (size_t i = 0; i < n_wants; i++)
        check_record(r->records[i], &wants[i], i);
}

Test(audit, range_and_limit)
{
    Synd__V1__GetAuditLogResponse *all, *r;
    int64_t cut;
    size_t before_cut = 0, from_cut = 0;
    synd_status st;

    run_script();
    all = sv_audit_wait(started_ms, n_wants);
    if (all->n_records != n_wants)
        dump(all);
    cr_assert_eq(all->n_records, n_wants, "the trail holds %zu records; the script made %zu",
                 all->n_records, n_wants);

    /* The oldest first, at most limit. */
    cr_assert_eq(sv_audit(BK_NFRA, started_ms, 0, 2, &r, &st), SYND_OK, "%s", st.message);
    cr_assert_eq(r->n_records, 2);
    cr_expect_str_eq(r->records[0]->id, all->records[0]->id);
    cr_expect_str_eq(r->records[1]->id, all->records[1]->id);

    /* The range is of the stream ids' times (Redis stamps them), both
     * ends inclusive: up to the fifth record's holds the fifth and every
     * earlier one (and any later one of the same ms). */
    cut = id_ms(all->records[4]);
    for (size_t i = 0; i < all->n_records; i++) {
        before_cut += id_ms(all->records[i]) <= cut;
        from_cut += id_ms(all->records[i]) >= cut;
    }
    cr_assert_eq(sv_audit(BK_NFRA, started_ms, cut, 0, &r, &st), SYND_OK, "%s", st.message);
    cr_expect_eq(r->n_records, before_cut);
    cr_assert_eq(sv_audit(BK_NFRA, cut, 0, 0, &r, &st), SYND_OK, "%s", st.message);
    cr_expect_eq(r->n_records, from_cut);
    cr_expect_str_eq(r->records[0]->id, all->records[all->n_records - from_cut]->id);

    /* Before the script, nothing of it. */
    cr_assert_eq(sv_audit(BK_NFRA, started_ms - 60000, started_ms - 1, 0, &r, &st), SYND_OK, "%s",
                 st.message);
    for (size_t i = 0; i < r->n_records; i++)
        cr_expect_lt(id_ms(r->records[i]), started_ms);
}

/* A book the clock closes: the close and the settlement are the broker's
 * own changes, recorded as "synd", role "system", on the book. */
Test(audit, the_clock_is_recorded_as_the_system)
{
    bk_terms bt;
    Synd__V1__Book *book;
    Synd__V1__GetAuditLogResponse *r;
    int64_t t0 = harness_now_ms();
    int64_t until = t0 + BK_WAIT_MS;
    int found = 0;
    synd_status st;

    bk_terms_init(&bt);
    bt.t.close_ms = t0 + 1500;
    book = bk_open_ok(BK_ICBC, &bt);
    bk_bid_ok(BK_BOC, book->book_id, MN(500), 30, NULL);
    bk_bid_ok(BK_CIB, book->book_id, MN(350), 40, NULL);
    bk_wait_allocation(BK_ICBC, book->book_id);
    do {
        cr_assert_eq(sv_audit(BK_NFRA, t0, 0, 0, &r, &st), SYND_OK, "%s", st.message);
        for (size_t i = 0; i < r->n_records && !found; i++) {
            const Synd__V1__AuditRecord *a = r->records[i];
            found = strcmp(a->bank_id, "synd") == 0 && strcmp(a->role, "system") == 0 &&
                    strcmp(a->object, book->book_id) == 0 && a->code == 0 &&
                    a->time_ms >= bt.t.close_ms;
        }
        if (!found)
            harness_sleep_ms(20);
    } while (!found && harness_now_ms() < until);
    cr_expect(found, "no system record for the clock's close of %s", book->book_id);
}

/* With Redis gone a record cannot be stored: the broker says so in its
 * log, naming the record, rather than dropping it in silence. */
Test(audit, a_record_that_cannot_be_stored_is_logged)
{
    bk_terms bt;
    synd_status st;

    bk_terms_init(&bt);
    cr_assert_eq(harness_redis_kill(&bk_h), 0, "cannot kill redis-server");
    cr_assert_eq(bk_open(BK_BOC, &bt, NULL, &st), SYND_PERMISSION_DENIED, "%s", st.message);
    bk_wait_log(bk_h.broker.log_path,
                "audit trail: cannot record OpenBook by BOC-SH/participant on '" BORROWER_A
                "' (PERMISSION_DENIED: OpenBook needs the lead role");
}
