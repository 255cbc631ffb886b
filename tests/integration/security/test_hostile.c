/* Integration: hostile input. Each kind gets a status and an audit record,
 * and the broker keeps serving everyone else: oversized frames; truncated
 * and malformed protobufs and wrong field types; huge repeated fields;
 * negative, zero and overflowing amounts; strings with NUL bytes or bad
 * UTF-8 and over-long ids; unknown methods; an idempotency key reused by
 * another bank; and a flood of open streams. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "sec.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

#define SUBMIT_BID  "/synd.v1.Syndication/SubmitBid"
#define OPEN_BOOK   "/synd.v1.Syndication/OpenBook"
#define WATCH_BOOKS "/synd.v1.Syndication/WatchBooks"
#define CHECK       "/synd.v1.Health/Check"

TestSuite(hostile, .init = sec_start, .fini = sec_stop, .timeout = 120);

/* An open book of ICBC's, kept. */
static const char *open_book(void)
{
    bk_terms bt;

    bk_terms_init(&bt);
    return bk_open_ok(BK_ICBC, &bt)->book_id;
}

/* Sends raw bytes as one frame and returns the final status of call_id. */
static synd_code raw_frame(void *d, const void *bytes, size_t len, uint64_t call_id,
                           synd_status *st)
{
    Synd__V1__Envelope *env;
    synd_code code;

    cr_assert_eq(zmq_send(d, bytes, len, 0), (int)len);
    env = sec_final(d, call_id);
    code = synd_code_from_wire(env->status->code);
    synd_status_set(st, code, "%s", env->status->message);
    synd__v1__envelope__free_unpacked(env, NULL);
    return code;
}

Test(hostile, oversized_frames)
{
    int64_t from = harness_now_ms();
    void *d = sec_dealer(HARNESS_PARTICIPANT), *d2;
    size_t big = SEC_MAX_FRAME + SEC_MAX_FRAME / 2, huge = 2 * SEC_MAX_FRAME + 4096;
    uint8_t *payload = calloc(1, huge);
    Synd__V1__HealthCheckRequest check = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    uint8_t *ok;
    size_t ok_len;
    synd_status st;

    cr_assert_not_null(payload);
    /* Over the limit: refused with a status under the frame's own call id. */
    sec_expect_refused(sec_raw(d, 41, CHECK, payload, big, &st), st, SYND_INVALID_ARGUMENT,
                       "exceeds the 1048576-byte limit (rule: frame size)");
    sec_expect_audited(from, "BOC-SH", "(frame)", SYND_INVALID_ARGUMENT,
                       "exceeds the 1048576-byte limit");
    /* Over twice the limit, ZeroMQ cuts the connection before we buffer
     * it; the broker serves on, BOC-SH too on a new connection. */
    d2 = sec_dealer(HARNESS_PARTICIPANT);
    sec_send(d2, 42, CHECK, payload, huge, NULL);
    free(payload);
    sec_expect_serving();
    ok = harness_pack(&check.base, &ok_len);
    cr_assert_not_null(ok);
    cr_expect_eq(sec_raw(sec_dealer(HARNESS_PARTICIPANT), 43, CHECK, ok, ok_len, &st), SYND_OK,
                 "%s", st.message);
    cr_expect_eq(sec_raw(d, 44, CHECK, ok, ok_len, &st), SYND_OK, "%s", st.message);
    free(ok);
}

Test(hostile, truncated_and_malformed_protobufs_and_wrong_field_types)
{
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t cut_payload[] = {0x0a, 0x10, 'a'}; /* 16 bytes promised, 1 sent */
    int64_t from = harness_now_ms();
    void *d = sec_dealer(HARNESS_PARTICIPANT);
    Synd__V1__Envelope env = SYND__V1__ENVELOPE__INIT;
    sec_wire w = {0};
    uint8_t *buf;
    size_t len;
    synd_status st;

    sec_expect_refused(raw_frame(d, garbage, sizeof(garbage), 0, &st), st, SYND_INVALID_ARGUMENT,
                       "is not a valid synd.v1.Envelope");
    sec_expect_audited(from, "BOC-SH", "(frame)", SYND_INVALID_ARGUMENT,
                       "is not a valid synd.v1.Envelope");

    env.call_id = 7;
    env.method = CHECK;
    env.payload.data = (uint8_t *)"\x0a\x00";
    env.payload.len = 2;
    buf = harness_pack(&env.base, &len);
    cr_assert_not_null(buf);
    sec_expect_refused(raw_frame(d, buf, len - 1, 0, &st), st, SYND_INVALID_ARGUMENT,
                       "is not a valid synd.v1.Envelope");
    free(buf);

    sec_expect_refused(sec_raw(d, 8, SUBMIT_BID, cut_payload, sizeof(cut_payload), &st), st,
                       SYND_INVALID_ARGUMENT, "is not a valid synd.v1.SubmitBidRequest");
    sec_expect_audited(from, "BOC-SH", "SubmitBid", SYND_INVALID_ARGUMENT,
                       "is not a valid synd.v1.SubmitBidRequest");

    sec_put_int(&w, 1, 12345); /* book_id, a string, sent as a number */
    sec_expect_refused(sec_raw(d, 9, SUBMIT_BID, w.b, w.n, &st), st, SYND_INVALID_ARGUMENT,
                       "synd.v1.SubmitBidRequest.book_id is sent as a varint");
    sec_expect_audited(from, "BOC-SH", "SubmitBid", SYND_INVALID_ARGUMENT,
                       "book_id is sent as a varint");
    w.n = 0;
    sec_put_len(&w, 2, "100", 3); /* amount_fen, a number, sent as bytes */
    sec_expect_refused(sec_raw(d, 10, SUBMIT_BID, w.b, w.n, &st), st, SYND_INVALID_ARGUMENT,
                       "amount_fen is sent as length-delimited bytes");
    sec_wire_free(&w);
    sec_expect_serving();
}

Test(hostile, huge_repeated_fields)
{
    int64_t from = harness_now_ms();
    void *boc = sec_dealer(HARNESS_PARTICIPANT), *icbc = sec_dealer(HARNESS_LEAD);
    sec_wire w = {0}, terms = {0};
    synd_status st;

    for (int i = 0; i < 200000; i++)
        sec_put_len(&w, 1, "C", 1);
    sec_expect_refused(sec_raw(boc, 1, WATCH_BOOKS, w.b, w.n, &st), st, SYND_INVALID_ARGUMENT,
                       "synd.v1.WatchBooksRequest.industry_codes[1024] occurs more than 1024 "
                       "times");
    sec_expect_audited(from, "BOC-SH", "WatchBooks", SYND_INVALID_ARGUMENT,
                       "occurs more than 1024 times");

    for (int i = 0; i < 200000; i++)
        sec_put_len(&terms, 12, "", 0);
    w.n = 0;
    sec_put_len(&w, 1, terms.b, terms.n);
    sec_expect_refused(sec_raw(icbc, 2, OPEN_BOOK, w.b, w.n, &st), st, SYND_INVALID_ARGUMENT,
                       "synd.v1.OpenBookRequest.terms.leads[1024] occurs more than 1024 times");
    sec_expect_audited(from, "ICBC", "OpenBook", SYND_INVALID_ARGUMENT, "terms.leads[1024]");

    /* An envelope of 300,000 empty metadata entries would decode into
     * tens of MiB: refused on its decoding budget, before it is counted. */
    w.n = 0;
    sec_put_int(&w, 1, 3);
    sec_put_len(&w, 2, CHECK, strlen(CHECK));
    for (int i = 0; i < 300000; i++)
        sec_put_len(&w, 5, "", 0);
    sec_expect_refused(raw_frame(boc, w.b, w.n, 0, &st), st, SYND_INVALID_ARGUMENT,
                       "would take more than");
    sec_expect_audited(from, "BOC-SH", "(frame)", SYND_INVALID_ARGUMENT, "would take more than");
    sec_wire_free(&w);
    sec_wire_free(&terms);
    sec_expect_serving();
}

/* OpenBook as ICBC with terms changed by change, expecting
 * INVALID_ARGUMENT. */
static void open_refused(void (*change)(bk_terms *bt), const char *needle)
{
    bk_terms bt;
    synd_status st;

    bk_terms_init(&bt);
    change(&bt);
    sec_expect_refused(bk_open(BK_ICBC, &bt, NULL, &st), st, SYND_INVALID_ARGUMENT, needle);
}

static void facility_max(bk_terms *bt)
{
    bt->t.facility_fen = INT64_MAX;
}

static void facility_negative(bk_terms *bt)
{
    bt->t.facility_fen = -MN(1000);
}

static void holds_overflow(bk_terms *bt)
{
    static const char *const banks[] = {"ICBC", "CCB"};
    static const int64_t holds[] = {INT64_MAX, INT64_MAX};

    bk_terms_leads(bt, 2, banks, holds);
}

static void unit_negative(bk_terms *bt)
{
    bt->t.unit_fen = -UNITS(1);
}

static void ticket_zero(bk_terms *bt)
{
    bt->t.min_ticket_fen = 0;
}

static void fee_min(bk_terms *bt)
{
    bk_terms_fee(bt, "agency", SYND__V1__FEE_BASIS__FIXED_YEARLY, 0, INT64_MIN);
}

static void close_max(bk_terms *bt)
{
    bt->t.close_ms = INT64_MAX;
}

Test(hostile, negative_zero_and_overflowing_amounts)
{
    static const int64_t bids[] = {-MN(100), 0, INT64_MAX, INT64_MIN, MN(1001)};
    int64_t from = harness_now_ms();
    const char *id = open_book(), *lent;
    Synd__V1__RecordRepaymentRequest repay = SYND__V1__RECORD_REPAYMENT_REQUEST__INIT;
    Synd__V1__Bank bank = SYND__V1__BANK__INIT;
    Synd__V1__Borrower borrower = SYND__V1__BORROWER__INIT;
    Synd__V1__TopConcentrationsRequest top = SYND__V1__TOP_CONCENTRATIONS_REQUEST__INIT;
    Synd__V1__GetAuditLogRequest log = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    Synd__V1__WatchBooksRequest watch = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    bk_terms bt;
    synd_status st;

    for (size_t i = 0; i < sizeof(bids) / sizeof(bids[0]); i++)
        sec_expect_refused(bk_bid(BK_BOC, id, bids[i], 30, NULL, NULL, &st), st,
                           SYND_INVALID_ARGUMENT, "rule: ");
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->n_bids, 0, "no refused bid was taken");
    sec_expect_audited(from, "BOC-SH", "SubmitBid", SYND_INVALID_ARGUMENT, "allocation unit");

    open_refused(facility_max, "rule: facility");
    open_refused(facility_negative, "rule: facility");
    open_refused(holds_overflow, "rule: leads");
    open_refused(unit_negative, "rule: allocation unit");
    open_refused(ticket_zero, "minimum ticket");
    open_refused(fee_min, "rule: fee bounds");
    open_refused(close_max, "rule: close time");
    sec_expect_audited(from, "ICBC", "OpenBook", SYND_INVALID_ARGUMENT, "rule: leads");

    bk_terms_init(&bt);
    lent = bk_open_ok(BK_ICBC, &bt)->book_id;
    bk_bid_ok(BK_BOC, lent, MN(500), 30, NULL);
    bk_bid_ok(BK_CIB, lent, MN(350), 40, NULL);
    cr_assert_eq(bk_close_ok(BK_ICBC, lent)->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED);
    repay.book_id = (char *)lent;
    repay.amount_fen = 0;
    sec_expect_refused(
        sec_call(bk_client(BK_ICBC), "/synd.v1.Syndication/RecordRepayment", &repay.base, &st), st,
        SYND_INVALID_ARGUMENT, "must be positive");
    repay.amount_fen = -1;
    sec_expect_refused(
        sec_call(bk_client(BK_ICBC), "/synd.v1.Syndication/RecordRepayment", &repay.base, &st), st,
        SYND_INVALID_ARGUMENT, "must be positive");
    repay.amount_fen = INT64_MAX;
    sec_expect_refused(
        sec_call(bk_client(BK_ICBC), "/synd.v1.Syndication/RecordRepayment", &repay.base, &st), st,
        SYND_INVALID_ARGUMENT, "rule: repay at most what is outstanding");
    sec_expect_audited(from, "ICBC", "RecordRepayment", SYND_INVALID_ARGUMENT, "must be positive");

    bank.bank_id = "BOC-SH";
    bank.name = "Bank of China, Shanghai";
    bank.net_capital_fen = -1;
    sec_expect_refused(bk_put_bank(BK_OPS, &bank, NULL, &st), st, SYND_INVALID_ARGUMENT,
                       "non-negative");
    borrower.code = BORROWER_A;
    borrower.name = "Fujian Lithium Energy";
    borrower.group_id = BORROWER_A_GROUP;
    borrower.joint_limit_fen = INT64_MIN;
    sec_expect_refused(bk_put_borrower(BK_OPS, &borrower, NULL, &st), st, SYND_INVALID_ARGUMENT,
                       "non-negative");
    sec_expect_audited(from, "SYND_OPS", "PutBorrower", SYND_INVALID_ARGUMENT, "non-negative");

    top.n = -1;
    sec_expect_refused(
        sec_call(bk_client(BK_NFRA), "/synd.v1.Supervision/TopConcentrations", &top.base, &st), st,
        SYND_INVALID_ARGUMENT, "may not be negative");
    log.limit = -5;
    sec_expect_refused(
        sec_call(bk_client(BK_NFRA), "/synd.v1.Supervision/GetAuditLog", &log.base, &st), st,
        SYND_INVALID_ARGUMENT, "may not be negative");
    watch.min_facility_fen = -1;
    sec_expect_refused(sec_call(bk_client(BK_CIB), WATCH_BOOKS, &watch.base, &st), st,
                       SYND_INVALID_ARGUMENT, "may not be negative");
    sec_expect_audited(from, "CIB", "WatchBooks", SYND_INVALID_ARGUMENT, "may not be negative");
    sec_expect_serving();
}

static void lead_bad_utf8(bk_terms *bt)
{
    static const char *const banks[] = {"IC\xc0\x80"
                                        "BC"};
    static const int64_t holds[] = {MN(150)};

    bk_terms_leads(bt, 1, banks, holds);
}

static void project_too_long(bk_terms *bt)
{
    static char project[5001];

    memset(project, 'p', sizeof(project) - 1);
    bt->t.project = project;
}

Test(hostile, strings_with_nul_or_bad_utf8_and_over_long_ids)
{
    static const uint8_t nul_key[] = {0x08, 0x05, /* call 5 */
                                      0x12, 0x15, '/', 's',  'y',  'n', 'd',  '.', 'v', '1',
                                      '.',  'H',  'e', 'a',  'l',  't', 'h',  '/', 'C', 'h',
                                      'e',  'c',  'k', 0x22, 0x03, 'k', 0x00, 'y'}; /* key "k\0y" */
    int64_t from = harness_now_ms();
    const char *id = open_book();
    void *d = sec_dealer(HARNESS_PARTICIPANT);
    char with_nul[64], long_id[201];
    sec_wire w = {0};
    synd_status st;
    size_t n = (size_t)snprintf(with_nul, sizeof(with_nul), "%s", id);

    /* protobuf-c would read "<id>\0x" as <id>, and the bid would land. */
    memcpy(with_nul + n, "\0x", 2);
    sec_put_len(&w, 1, with_nul, n + 2);
    sec_put_int(&w, 2, (uint64_t)MN(100));
    sec_put_int(&w, 3, 30);
    sec_expect_refused(sec_raw(d, 1, SUBMIT_BID, w.b, w.n, &st), st, SYND_INVALID_ARGUMENT,
                       "synd.v1.SubmitBidRequest.book_id holds a NUL byte");
    cr_expect_eq(bk_get_ok(BK_ICBC, id)->n_bids, 0, "the bid did not land on %s", id);
    sec_expect_audited(from, "BOC-SH", "SubmitBid", SYND_INVALID_ARGUMENT, "holds a NUL byte");

    sec_expect_refused(bk_bid(BK_BOC, "BK-\xff\xfe", MN(100), 30, NULL, NULL, &st), st,
                       SYND_INVALID_ARGUMENT, "book_id is not valid UTF-8 (byte 3 of it)");
    memset(long_id, 'B', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    sec_expect_refused(bk_bid(BK_BOC, long_id, MN(100), 30, NULL, NULL, &st), st,
                       SYND_INVALID_ARGUMENT, "book_id is 200 bytes; at most 63 allowed");
    sec_expect_audited(from, "BOC-SH", "SubmitBid", SYND_INVALID_ARGUMENT, "200 bytes");

    open_refused(lead_bad_utf8, "synd.v1.OpenBookRequest.terms.leads[0].bank_id is not valid "
                                "UTF-8");
    open_refused(project_too_long, "terms.project is 5000 bytes; at most 1024 allowed");
    sec_expect_audited(from, "ICBC", "OpenBook", SYND_INVALID_ARGUMENT, "not valid UTF-8");

    /* The envelope's own strings too: this key would be another's "k". */
    sec_expect_refused(raw_frame(d, nul_key, sizeof(nul_key), 5, &st), st, SYND_INVALID_ARGUMENT,
                       "synd.v1.Envelope.idempotency_key holds a NUL byte");
    sec_expect_audited(from, "BOC-SH", "Check", SYND_INVALID_ARGUMENT, "idempotency_key");
    sec_wire_free(&w);
    sec_expect_serving();
}

Test(hostile, unknown_methods)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    int64_t from = harness_now_ms();
    ProtobufCMessage *reply = NULL;
    synd_status st;

    sec_expect_refused(synd_call(bk_client(BK_BOC), "/synd.v1.Syndication/DropTables", &req.base,
                                 &synd__v1__health_check_response__descriptor, &reply, NULL, &st),
                       st, SYND_UNIMPLEMENTED,
                       "/synd.v1.Syndication/DropTables is not implemented");
    sec_expect_refused(synd_call(bk_client(BK_BOC), "/synd.v1.Nope/Nothing", &req.base,
                                 &synd__v1__health_check_response__descriptor, &reply, NULL, &st),
                       st, SYND_UNIMPLEMENTED, "not implemented");
    cr_expect_null(reply);
    sec_expect_audited(from, "BOC-SH", "DropTables", SYND_UNIMPLEMENTED, "not implemented");
    sec_expect_audited(from, "BOC-SH", "Nothing", SYND_UNIMPLEMENTED, "not implemented");
    sec_expect_serving();
}

/* Idempotency keys are each bank's own: another bank's use of the same
 * key is a request of its own, answered with its own result. */
Test(hostile, an_idempotency_key_reused_by_another_bank)
{
    int64_t from = harness_now_ms();
    const char *id = open_book();
    Synd__V1__SubmitBidResponse *r;
    Synd__V1__Book *book;

    r = bk_bid_ok(BK_BOC, id, MN(100), 30, "shared-key");
    cr_expect_str_eq(r->bid->bank_id, "BOC-SH");
    r = bk_bid_ok(BK_CIB, id, MN(200), 40, "shared-key");
    cr_expect_str_eq(r->bid->bank_id, "CIB", "CIB got another bank's answer");
    cr_expect_eq(r->bid->amount_fen, MN(200));
    cr_expect_eq(r->bid->spread_bps, 40);
    cr_expect_not(r->replaced);
    /* Each bank's retry gets its own first answer back. */
    r = bk_bid_ok(BK_CIB, id, MN(300), 50, "shared-key");
    cr_expect_str_eq(r->bid->bank_id, "CIB");
    cr_expect_eq(r->bid->amount_fen, MN(200));
    r = bk_bid_ok(BK_BOC, id, MN(400), 30, "shared-key");
    cr_expect_str_eq(r->bid->bank_id, "BOC-SH");
    cr_expect_eq(r->bid->amount_fen, MN(100));
    book = bk_get_ok(BK_ICBC, id);
    cr_assert_eq(book->n_bids, 2);
    cr_expect_eq(bk_find_bid(book, "BOC-SH")->amount_fen, MN(100));
    cr_expect_eq(bk_find_bid(book, "CIB")->amount_fen, MN(200));
    sec_expect_audited(from, "BOC-SH", "SubmitBid", SYND_OK, "");
    sec_expect_audited(from, "CIB", "SubmitBid", SYND_OK, "");
}

/* Open streams as GetStats counts them, once they reach want. */
static void wait_open_streams(uint64_t want)
{
    int64_t until = harness_now_ms() + BK_WAIT_MS;
    Synd__V1__GetStatsResponse s;

    do {
        cr_assert_eq(harness_stats(bk_client(BK_NFRA), &s), 0, "GetStats failed");
        if (s.open_streams == want)
            return;
        harness_sleep_ms(20);
    } while (harness_now_ms() < until);
    cr_assert_fail("%llu open streams after %d ms, want %llu", (unsigned long long)s.open_streams,
                   BK_WAIT_MS, (unsigned long long)want);
}

Test(hostile, a_flood_of_open_streams)
{
    int64_t from = harness_now_ms();
    void *boc = sec_dealer(HARNESS_PARTICIPANT), *icbc = sec_dealer(HARNESS_LEAD);
    Synd__V1__Envelope cancel = SYND__V1__ENVELOPE__INIT;
    Synd__V1__WatchBooksRequest watch = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    Synd__V1__Envelope *env;
    synd_status st;

    for (uint64_t i = 1; i <= SEC_STREAMS + 4; i++)
        sec_send(boc, i, WATCH_BOOKS, NULL, 0, NULL);
    /* The streams past the quota are ended at once, in order. */
    for (uint64_t i = SEC_STREAMS + 1; i <= SEC_STREAMS + 4; i++) {
        env = sec_final(boc, i);
        cr_expect_eq(env->status->code, SYND_RESOURCE_EXHAUSTED, "stream %llu: %s",
                     (unsigned long long)i, env->status->message);
        cr_expect(strstr(env->status->message,
                         "bank BOC-SH holds 16 open streams, its quota; end one before opening "
                         "another (rule: open stream quota)") != NULL,
                  "%s", env->status->message);
        synd__v1__envelope__free_unpacked(env, NULL);
    }
    wait_open_streams(SEC_STREAMS);
    sec_expect_audited(from, "BOC-SH", "WatchBooks", SYND_RESOURCE_EXHAUSTED,
                       "rule: open stream quota");

    /* Another bank opens its own. */
    sec_send(icbc, 1, WATCH_BOOKS, NULL, 0, NULL);
    wait_open_streams(SEC_STREAMS + 1);
    /* An ended stream gives its room back. */
    cancel.call_id = 1;
    cancel.cancel = 1;
    cr_assert_eq(harness_send_envelope(boc, &cancel), 0);
    wait_open_streams(SEC_STREAMS);
    sec_send(boc, 100, WATCH_BOOKS, NULL, 0, NULL);
    wait_open_streams(SEC_STREAMS + 1);
    sec_send(boc, 101, WATCH_BOOKS, NULL, 0, NULL);
    env = sec_final(boc, 101);
    cr_expect_eq(env->status->code, SYND_RESOURCE_EXHAUSTED, "%s", env->status->message);
    synd__v1__envelope__free_unpacked(env, NULL);
    cr_expect_eq(sec_call(bk_client(BK_CIB), WATCH_BOOKS, &watch.base, &st), SYND_OK,
                 "CIB's stream: %s", st.message);
    sec_expect_serving();
}
