/* WatchSupervision end to end: every event of a scripted sequence reaches
 * two supervisors at once, in order, numbered one by one; a snapshot
 * comes first when asked for, and live events that arrive while it is
 * read follow it, none missed. */
#include <pthread.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sv.h"
#include "synd/v1/reflection.pb-c.h"

TestSuite(watch, .init = sv_start, .fini = sv_stop, .timeout = 90);

/* A refusal the script makes: who, the method's short name, the code,
 * and the book or borrower the event must name ("" for none). */
typedef struct refusal {
    const char *bank, *method;
    synd_code code;
    const char *book, *borrower;
} refusal;

#define MAX_REFUSALS 16

static refusal script[MAX_REFUSALS];
static size_t n_script;

static void refused(bk_who who, const char *method, synd_code got, synd_code want,
                    const synd_status *st, const char *book, const char *borrower)
{
    cr_assert_eq(got, want, "%s by %s: %s (%s), want %s", method, bk_bank(who), synd_code_name(got),
                 st->message, synd_code_name(want));
    cr_assert_lt(n_script, MAX_REFUSALS);
    script[n_script++] = (refusal){bk_bank(who), method, want, book, borrower};
}

/* Checks that w's events are numbered one by one from its first. */
static void expect_consecutive(sv_watcher *w, size_t from, size_t n)
{
    uint64_t first = sv_watch_event(w, from)->seq;

    for (size_t i = from; i < from + n; i++)
        cr_expect_eq(sv_watch_event(w, i)->seq, first + (i - from), "event %zu has seq %llu", i,
                     (unsigned long long)sv_watch_event(w, i)->seq);
}

static void expect_same_event(const sv_event *a, const sv_event *b, size_t i)
{
    cr_expect_eq(a->seq, b->seq, "event %zu", i);
    cr_expect_eq(a->time_ms, b->time_ms, "event %zu", i);
    cr_expect_eq(a->kind, b->kind, "event %zu", i);
    cr_expect_str_eq(a->bank_id, b->bank_id, "event %zu", i);
    cr_expect_str_eq(a->borrower_code, b->borrower_code, "event %zu", i);
    cr_expect_str_eq(a->book_id, b->book_id, "event %zu", i);
    cr_expect_str_eq(a->method, b->method, "event %zu", i);
    cr_expect_eq(a->code, b->code, "event %zu", i);
    cr_expect_eq(a->exposure_fen, b->exposure_fen, "event %zu", i);
    cr_expect_eq(a->delta_fen, b->delta_fen, "event %zu", i);
    cr_expect_str_eq(a->detail, b->detail, "event %zu", i);
}

/* The exposure change of bank to borrower A among w's events [0, n), or
 * NULL. */
static const sv_event *exposure_change(sv_watcher *w, size_t n, const char *bank)
{
    for (size_t i = 0; i < n; i++) {
        const sv_event *ev = sv_watch_event(w, i);
        if (ev->kind == SV_EXPOSURE && strcmp(ev->bank_id, bank) == 0 &&
            strcmp(ev->borrower_code, BORROWER_A) == 0)
            return ev;
    }
    return NULL;
}

/* Refusals of every kind, by every role, around a book's allocation. */
static void run_script(void)
{
    Synd__V1__TopConcentrationsRequest top = SYND__V1__TOP_CONCENTRATIONS_REQUEST__INIT;
    Synd__V1__GetAuditLogRequest log = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    bk_terms bt;
    Synd__V1__Book *book;
    const char *id;
    synd_code code;
    synd_status st;

    n_script = 0;
    bk_terms_init(&bt);
    refused(BK_BOC, "OpenBook", bk_open(BK_BOC, &bt, NULL, &st), SYND_PERMISSION_DENIED, &st, "",
            BORROWER_A);
    book = bk_open_ok(BK_ICBC, &bt);
    id = book->book_id;
    refused(BK_CIB, "SubmitBid", bk_bid(BK_CIB, id, MN(100), 5, NULL, NULL, &st),
            SYND_INVALID_ARGUMENT, &st, id, "");
    refused(BK_ICBC, "SubmitBid", bk_bid(BK_ICBC, id, MN(100), 30, NULL, NULL, &st),
            SYND_PERMISSION_DENIED, &st, id, "");
    refused(BK_OPS, "TopConcentrations",
            sv_call(BK_OPS, SV_METHOD("TopConcentrations"), &top.base,
                    &synd__v1__top_concentrations_response__descriptor, NULL, &st),
            SYND_PERMISSION_DENIED, &st, "", "");
    refused(BK_ABC, "GetBook", bk_get(BK_ABC, "BK-999", NULL, &st), SYND_NOT_FOUND, &st, "BK-999",
            "");
    bk_bid_ok(BK_BOC, id, MN(500), 30, NULL);
    bk_bid_ok(BK_CIB, id, MN(350), 40, NULL);
    bk_close_ok(BK_ICBC, id);
    /* CMB never bid, and the book is closed: refused either way. */
    code = bk_withdraw(BK_CMB, id, NULL, &st);
    cr_assert_neq(code, SYND_OK);
    refused(BK_CMB, "WithdrawBid", code, code, &st, id, "");
    refused(BK_ICBC_P, "GetAuditLog",
            sv_call(BK_ICBC_P, SV_METHOD("GetAuditLog"), &log.base,
                    &synd__v1__get_audit_log_response__descriptor, NULL, &st),
            SYND_PERMISSION_DENIED, &st, "", "");
}

Test(watch, two_supervisors_get_every_event_in_order)
{
    sv_watcher *w[2];
    size_t n[2], blocked;
    const refusal *last;
    const sv_event *ev;
    Synd__V1__GetStatsResponse stats;
    int64_t until;
    synd_status st;

    sv_second_supervisor();
    w[0] = sv_watch(SV_NFRA, 0);
    w[1] = sv_watch(SV_CSRC, 0);
    run_script();
    last = &script[n_script - 1];
    for (int k = 0; k < 2; k++)
        n[k] = sv_watch_wait_blocked(w[k], last->bank, last->method) + 1;

    /* The same events, numbered one by one, to both. */
    cr_assert_eq(n[0], n[1], "one supervisor got %zu events, the other %zu", n[0], n[1]);
    for (int k = 0; k < 2; k++)
        expect_consecutive(w[k], 0, n[k]);
    for (size_t i = 0; i < n[0]; i++)
        expect_same_event(sv_watch_event(w[0], i), sv_watch_event(w[1], i), i);

    /* Every refusal as a BLOCKED event, in the script's order, and no
     * other. */
    blocked = 0;
    for (size_t i = 0; i < n[0]; i++) {
        const refusal *r = &script[blocked];
        ev = sv_watch_event(w[0], i);
        if (ev->kind != SV_BLOCKED)
            continue;
        cr_assert_lt(blocked, n_script, "an unscripted BLOCKED event: %s by %s", ev->method,
                     ev->bank_id);
        cr_expect_str_eq(ev->bank_id, r->bank, "refusal %zu", blocked);
        cr_expect_str_eq(ev->method, r->method, "refusal %zu", blocked);
        cr_expect_eq(ev->code, (int32_t)r->code, "refusal %zu (%s)", blocked, r->method);
        cr_expect_str_eq(ev->book_id, r->book, "refusal %zu (%s)", blocked, r->method);
        cr_expect_str_eq(ev->borrower_code, r->borrower, "refusal %zu (%s)", blocked, r->method);
        cr_expect_neq(ev->detail[0], '\0', "refusal %zu has no reason", blocked);
        cr_expect_gt(ev->time_ms, 0);
        blocked++;
    }
    cr_expect_eq(blocked, n_script, "%zu BLOCKED events for %zu refusals", blocked, n_script);

    /* The allocation's exposure changes, each lender's. */
    cr_assert_not_null(ev = exposure_change(w[0], n[0], "ICBC"), "no exposure change for ICBC");
    cr_expect_eq(ev->exposure_fen, MN(150));
    cr_expect_eq(ev->delta_fen, MN(150));
    cr_assert_not_null(ev = exposure_change(w[0], n[0], "BOC-SH"), "no exposure change for BOC");
    cr_expect_eq(ev->exposure_fen, MN(500));
    cr_assert_not_null(ev = exposure_change(w[0], n[0], "CIB"), "no exposure change for CIB");
    cr_expect_eq(ev->exposure_fen, MN(350));
    cr_expect_str_eq(ev->group_id, BORROWER_A_GROUP);

    /* One supervisor leaves: the broker drops its stream, and the other
     * still gets what follows. */
    sv_unwatch(w[0]);
    until = harness_now_ms() + BK_WAIT_MS;
    do {
        cr_assert_eq(harness_stats(bk_client(BK_NFRA), &stats), 0, "GetStats failed");
        if (stats.open_streams > 1)
            harness_sleep_ms(10);
    } while (stats.open_streams > 1 && harness_now_ms() < until);
    cr_expect_eq(stats.open_streams, 1, "the broker still holds %llu streams",
                 (unsigned long long)stats.open_streams);
    cr_assert_eq(bk_get(BK_CMB, "BK-998", NULL, &st), SYND_NOT_FOUND);
    n[1] = sv_watch_wait_blocked(w[1], "CMB", "GetBook");
    cr_expect_eq(sv_watch_event(w[1], n[1])->seq, sv_watch_event(w[1], n[1] - 1)->seq + 1);
    cr_expect_str_eq(sv_watch_event(w[1], n[1])->book_id, "BK-998");
}

/* Refused calls from a connection of its own, while the main thread
 * subscribes: live events that may arrive during the snapshot's read. */
typedef struct hammer {
    pthread_t thread;
    int calls;
    int refused;
} hammer;

static void *hammer_main(void *arg)
{
    hammer *h = arg;
    Synd__V1__GetAuditLogRequest req = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    synd_keys keys;
    synd_status st;
    synd_client *c;

    memcpy(keys.server_public, bk_h.broker_public, SYND_KEY_LEN);
    memcpy(keys.public_key, bk_h.keys[HARNESS_PARTICIPANT].public_key, SYND_KEY_LEN);
    memcpy(keys.secret_key, bk_h.keys[HARNESS_PARTICIPANT].secret_key, SYND_KEY_LEN);
    if ((c = synd_client_new(bk_h.broker.endpoint, &keys, &st)) == NULL)
        return NULL;
    for (int i = 0; i < h->calls; i++) {
        ProtobufCMessage *reply = NULL;
        if (synd_call(c, SV_METHOD("GetAuditLog"), &req.base,
                      &synd__v1__get_audit_log_response__descriptor, &reply, &o,
                      &st) == SYND_PERMISSION_DENIED)
            h->refused++;
        if (reply != NULL)
            protobuf_c_message_free_unpacked(reply, NULL);
    }
    synd_client_free(c);
    return NULL;
}

Test(watch, snapshot_then_live_none_missed)
{
    /* The scenario's exposures, in the snapshot's order: by group, then
     * borrower, then bank. */
    static const struct {
        const char *group, *borrower, *bank;
        int64_t fen;
    } want[] = {
        {BORROWER_A_GROUP, BORROWER_A, "BOC-SH", MN(500)},
        {BORROWER_A_GROUP, BORROWER_A, "CIB", MN(350)},
        {BORROWER_A_GROUP, BORROWER_A, "ICBC", MN(150)},
        {BORROWER_B_GROUP, BORROWER_B, "CIB", MN(300)},
        {BORROWER_B_GROUP, BORROWER_B, "CMB", MN(550)},
        {BORROWER_B_GROUP, BORROWER_B, "ICBC", MN(150)},
    };
    const size_t n_want = sizeof(want) / sizeof(want[0]);
    hammer h = {.calls = 60};
    sv_watcher *w, *plain;
    const sv_event *end, *ev;
    size_t n, last;
    synd_status st;

    sv_scenario(NULL);
    plain = sv_watch(SV_NFRA, 0);
    cr_assert_eq(pthread_create(&h.thread, NULL, hammer_main, &h), 0);
    w = sv_watch(SV_NFRA, 1);
    pthread_join(h.thread, NULL);
    cr_assert_eq(h.refused, h.calls, "only %d of %d calls were refused", h.refused, h.calls);
    cr_assert_eq(bk_get(BK_CMB, "BK-997", NULL, &st), SYND_NOT_FOUND);
    last = sv_watch_wait_blocked(w, "CMB", "GetBook");
    n = last + 1;

    /* The snapshot, whole and in order, then its end. */
    cr_assert_gt(n, n_want);
    end = sv_watch_event(w, n_want);
    cr_assert_eq(end->kind, SV_SNAPSHOT_END, "event %zu is of kind %d, not SNAPSHOT_END", n_want,
                 end->kind);
    for (size_t i = 0; i < n_want; i++) {
        ev = sv_watch_event(w, i);
        cr_expect_eq(ev->kind, SV_SNAPSHOT, "event %zu", i);
        cr_expect_str_eq(ev->group_id, want[i].group, "event %zu", i);
        cr_expect_str_eq(ev->borrower_code, want[i].borrower, "event %zu", i);
        cr_expect_str_eq(ev->bank_id, want[i].bank, "event %zu", i);
        cr_expect_eq(ev->exposure_fen, want[i].fen, "event %zu", i);
        cr_expect_eq(ev->limit_fen, 0, "event %zu", i);
        cr_expect_eq(ev->seq, end->seq, "event %zu", i);
    }

    /* Then every live event after the last one before it subscribed:
     * numbered on from the snapshot's, one by one, up to the marker. */
    for (size_t i = n_want + 1; i < n; i++) {
        ev = sv_watch_event(w, i);
        cr_expect_neq(ev->kind, SV_SNAPSHOT, "a snapshot event after its end, at %zu", i);
        cr_expect_eq(ev->seq, end->seq + (i - n_want), "event %zu has seq %llu", i,
                     (unsigned long long)ev->seq);
    }

    /* The stream without a snapshot saw the same live events: its copy
     * of the marker has the same number, and so does every event from
     * end->seq + 1 on. */
    last = sv_watch_wait_blocked(plain, "CMB", "GetBook");
    cr_expect_eq(sv_watch_event(plain, last)->seq, sv_watch_event(w, n - 1)->seq);
    for (size_t i = 0; i <= last; i++) {
        const sv_event *p = sv_watch_event(plain, i);
        if (p->seq > end->seq)
            expect_same_event(p, sv_watch_event(w, n_want + (size_t)(p->seq - end->seq)), i);
    }
}

/* An operator lowering a borrower's joint credit limit below what it
 * already uses is allowed, raises an ALERT, and blocks new lending: a new
 * book for the borrower is refused. */
Test(watch, limit_lowered_below_use_alerts_and_blocks)
{
    Synd__V1__Borrower b = SYND__V1__BORROWER__INIT, *got;
    sv_watcher *w;
    const sv_event *ev = NULL;
    bk_terms bt;
    Synd__V1__Book *book;
    synd_status st;
    synd_code code;

    sv_scenario(NULL); /* borrower A uses ¥1,000m */
    w = sv_watch(SV_NFRA, 0);
    b.code = BORROWER_A;
    b.name = "Fujian Lithium Energy Co., Ltd.";
    b.group_id = "FJLE";
    b.joint_limit_fen = 50000000000LL; /* ¥500m */
    code = bk_put_borrower(BK_OPS, &b, &got, &st);
    cr_assert_eq(code, SYND_OK, "PutBorrower: %s: %s", synd_code_name(code), st.message);
    cr_expect_eq(got->joint_limit_fen, 50000000000LL); /* the fixture frees replies */
    for (int64_t until = harness_now_ms() + BK_WAIT_MS; ev == NULL;) {
        for (size_t i = 0; i < sv_watch_count(w) && ev == NULL; i++) {
            const sv_event *e = sv_watch_event(w, i);
            if (e->kind == SYND__V1__SUPERVISION_EVENT__KIND__ALERT &&
                strcmp(e->borrower_code, BORROWER_A) == 0)
                ev = e;
        }
        cr_assert_lt(harness_now_ms(), until, "no ALERT for the lowered limit");
        harness_sleep_ms(20);
    }
    cr_expect_eq(ev->exposure_fen, 100000000000LL);
    cr_expect_eq(ev->limit_fen, 50000000000LL);
    cr_expect(strstr(ev->rule, "below use") != NULL, "rule: %s", ev->rule);

    bk_terms_init(&bt);
    code = bk_open(BK_ICBC, &bt, &book, &st);
    cr_expect_eq(code, SYND_FAILED_PRECONDITION, "OpenBook: %s: %s", synd_code_name(code),
                 st.message);
    cr_expect(strstr(st.message, "joint credit limit") != NULL, "%s", st.message);
    sv_unwatch(w);
}
