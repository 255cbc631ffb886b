/* Unit tests of request validation (broker/rpc/validate.c): the UTF-8
 * check, the string bounds, the wire walk on hand-made hostile bytes, and
 * decoding within a budget; and the envelope's call-id peek and budget. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/envelope.h"
#include "rpc/validate.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/supervision.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

/* A growing buffer of hand-encoded protobuf. */
typedef struct wire {
    uint8_t *b;
    size_t n, cap;
} wire;

static void put(wire *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->b = realloc(w->b, w->cap);
        cr_assert_not_null(w->b);
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void put_varint(wire *w, uint64_t v)
{
    uint8_t c;

    do {
        c = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            c |= 0x80;
        put(w, &c, 1);
    } while (v);
}

static void put_tag(wire *w, unsigned field, unsigned wire_type)
{
    put_varint(w, (uint64_t)field << 3 | wire_type);
}

/* A length-delimited field: a string, bytes or an embedded message. */
static void put_len(wire *w, unsigned field, const void *p, size_t n)
{
    put_tag(w, field, 2);
    put_varint(w, n);
    put(w, p, n);
}

static void put_int(wire *w, unsigned field, uint64_t v)
{
    put_tag(w, field, 0);
    put_varint(w, v);
}

static synd_code check(const ProtobufCMessageDescriptor *d, const wire *w, synd_status *st)
{
    return validate_wire(d, w->b, w->n, st);
}

#define SUBMIT (&synd__v1__submit_bid_request__descriptor)

Test(validate, utf8)
{
    static const struct {
        const char *s;
        int ok;
        size_t bad_at;
    } cases[] = {
        {"", 1, 0},
        {"BK-12", 1, 0},
        {"\xe4\xb8\xad\xe6\x96\x87", 1, 0}, /* 中文 */
        {"\xe2\x82\xac", 1, 0},             /* € */
        {"\xf0\x9f\x98\x80", 1, 0},         /* an emoji, 4 bytes */
        {"\xf4\x8f\xbf\xbf", 1, 0},         /* U+10FFFF, the last code point */
        {"\xed\x9f\xbf", 1, 0},             /* U+D7FF, just below the surrogates */
        {"a\xc0\x80", 0, 1},                /* an overlong NUL */
        {"\xc1\xbf", 0, 0},                 /* overlong */
        {"\xe0\x80\x80", 0, 0},             /* overlong */
        {"\xf0\x80\x80\x80", 0, 0},         /* overlong */
        {"ab\xed\xa0\x80", 0, 2},           /* a surrogate, U+D800 */
        {"\xf4\x90\x80\x80", 0, 0},         /* above U+10FFFF */
        {"\xf5\x80\x80\x80", 0, 0},
        {"\xff", 0, 0},
        {"x\x80", 0, 1},        /* a lone continuation byte */
        {"\xe4\xb8", 0, 0},     /* cut short */
        {"\xe4\x41\x41", 0, 0}, /* not a continuation */
        {"\xf0\x9f\x98\x41", 0, 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t at = 999;
        int ok = validate_utf8((const uint8_t *)cases[i].s, strlen(cases[i].s), &at);

        cr_expect_eq(ok, cases[i].ok, "case %zu", i);
        if (!cases[i].ok)
            cr_expect_eq(at, cases[i].bad_at, "case %zu: bad at %zu", i, at);
    }
    cr_expect(validate_utf8((const uint8_t *)"a\0b", 3, NULL), "NUL is UTF-8; it is refused apart");
}

Test(validate, string_bounds_by_field_name)
{
    cr_expect_eq(validate_string_bound("book_id"), VALIDATE_MAX_ID);
    cr_expect_eq(validate_string_bound("bank_id"), VALIDATE_MAX_ID);
    cr_expect_eq(validate_string_bound("borrower_code"), VALIDATE_MAX_ID);
    cr_expect_eq(validate_string_bound("industry_codes"), VALIDATE_MAX_ID);
    cr_expect_eq(validate_string_bound("code"), VALIDATE_MAX_ID);
    cr_expect_eq(validate_string_bound("id"), VALIDATE_MAX_ID);
    cr_expect_eq(validate_string_bound("project"), VALIDATE_MAX_TEXT);
    cr_expect_eq(validate_string_bound("name"), VALIDATE_MAX_TEXT);
    cr_expect_eq(validate_string_bound("idempotency_key"), VALIDATE_MAX_TEXT);
    cr_expect_eq(validate_string_bound("codex"), VALIDATE_MAX_TEXT);
}

Test(validate, a_well_formed_request_passes)
{
    wire w = {0};
    synd_status st;

    put_len(&w, 1, "BK-12", 5);
    put_int(&w, 2, 10000000000ULL);
    put_int(&w, 3, (uint64_t)-5); /* a negative int32, as a ten-byte varint */
    cr_expect_eq(check(SUBMIT, &w, &st), SYND_OK, "%s", st.message);
    cr_expect_eq(validate_wire(SUBMIT, NULL, 0, &st), SYND_OK, "an empty payload");
    free(w.b);
}

Test(validate, strings_with_nul_bad_utf8_or_over_their_bound)
{
    char id[VALIDATE_MAX_ID + 2];
    wire w = {0};
    synd_status st;

    put_len(&w, 1, "BK-1\0x", 6);
    cr_assert_eq(check(SUBMIT, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message,
                     "synd.v1.SubmitBidRequest.book_id holds a NUL byte (byte 4 of it)");

    w.n = 0;
    put_len(&w, 1, "BK-\xff", 4);
    cr_assert_eq(check(SUBMIT, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message,
                     "synd.v1.SubmitBidRequest.book_id is not valid UTF-8 (byte 3 of it)");

    memset(id, 'B', sizeof(id));
    w.n = 0;
    put_len(&w, 1, id, VALIDATE_MAX_ID + 1);
    cr_assert_eq(check(SUBMIT, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message,
                     "synd.v1.SubmitBidRequest.book_id is 64 bytes; at most 63 allowed");
    w.n = 0;
    put_len(&w, 1, id, VALIDATE_MAX_ID);
    cr_expect_eq(check(SUBMIT, &w, &st), SYND_OK, "%s", st.message);
    free(w.b);
}

Test(validate, fields_are_named_by_their_path)
{
    wire lead0 = {0}, lead1 = {0}, terms = {0}, req = {0};
    synd_status st;

    put_len(&lead0, 1, "ICBC", 4);
    put_int(&lead0, 2, 100);
    put_len(&lead1, 1, "BO\0C", 4);
    put_len(&terms, 1, "91350100M000100Y43", 18);
    put_len(&terms, 12, lead0.b, lead0.n);
    put_len(&terms, 12, lead1.b, lead1.n);
    put_len(&req, 1, terms.b, terms.n);
    cr_assert_eq(check(&synd__v1__open_book_request__descriptor, &req, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "synd.v1.OpenBookRequest.terms.leads[1].bank_id holds a NUL byte "
                                 "(byte 2 of it)");
    free(lead0.b);
    free(lead1.b);
    free(terms.b);
    free(req.b);
}

Test(validate, text_fields_have_the_text_bound)
{
    char *text = malloc(VALIDATE_MAX_TEXT + 1);
    wire w = {0};
    synd_status st;

    cr_assert_not_null(text);
    memset(text, 'p', VALIDATE_MAX_TEXT + 1);
    put_len(&w, 3, text, VALIDATE_MAX_TEXT);
    cr_expect_eq(check(&synd__v1__book_terms__descriptor, &w, &st), SYND_OK, "%s", st.message);
    w.n = 0;
    put_len(&w, 3, text, VALIDATE_MAX_TEXT + 1);
    cr_assert_eq(check(&synd__v1__book_terms__descriptor, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "synd.v1.BookTerms.project is 1025 bytes; at most 1024 allowed");
    free(text);
    free(w.b);
}

Test(validate, wrong_wire_types_are_refused)
{
    wire w = {0};
    synd_status st;
    uint8_t eight[8] = {0};

    put_int(&w, 1, 7);
    cr_assert_eq(check(SUBMIT, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "synd.v1.SubmitBidRequest.book_id is sent as a varint; its type "
                                 "is sent as length-delimited bytes");
    w.n = 0;
    put_len(&w, 2, "\x01\x02", 2); /* a singular int64 may not be packed */
    cr_assert_eq(check(SUBMIT, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "synd.v1.SubmitBidRequest.amount_fen is sent as length-delimited "
                                 "bytes; its type is sent as a varint");
    w.n = 0;
    put_tag(&w, 3, 1);
    put(&w, eight, sizeof(eight));
    cr_assert_eq(check(SUBMIT, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "spread_bps is sent as 8 fixed bytes") != NULL, "%s", st.message);
    free(w.b);
}

Test(validate, a_field_may_occur_at_most_the_bound)
{
    wire w = {0};
    synd_status st;

    for (int i = 0; i < VALIDATE_MAX_REPEATED; i++)
        put_len(&w, 1, "C", 1);
    cr_expect_eq(check(&synd__v1__watch_books_request__descriptor, &w, &st), SYND_OK, "%s",
                 st.message);
    put_len(&w, 1, "C", 1);
    cr_assert_eq(check(&synd__v1__watch_books_request__descriptor, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message,
                     "synd.v1.WatchBooksRequest.industry_codes[1024] occurs more than 1024 times");
    free(w.b);
}

Test(validate, unknown_fields_are_skipped_up_to_a_bound)
{
    wire w = {0};
    synd_status st;

    for (int i = 0; i < VALIDATE_MAX_UNKNOWN; i++)
        put_int(&w, 100 + (unsigned)i, 1);
    cr_expect_eq(check(SUBMIT, &w, &st), SYND_OK, "%s", st.message);
    put_len(&w, 99, "x", 1);
    cr_assert_eq(check(SUBMIT, &w, &st), SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "too many fields of unknown numbers") != NULL, "%s", st.message);
    free(w.b);
}

Test(validate, bytes_that_do_not_parse)
{
    static const uint8_t cut[] = {0x0a, 0x10, 'a'};        /* 16 bytes promised, 1 sent */
    static const uint8_t group[] = {0x0b, 0x0c};           /* a group */
    static const uint8_t zero[] = {0x00, 0x01};            /* field number 0 */
    static const uint8_t tag_cut[] = {0x80};               /* a tag cut short */
    static const uint8_t fixed_cut[] = {0x11, 0x01, 0x02}; /* 8 bytes promised */
    static const uint8_t long_varint[] = {0x10, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0x7f}; /* 10th byte > 1 */
    synd_status st;

    cr_assert_eq(validate_wire(&synd__v1__health_check_request__descriptor, cut, sizeof(cut), &st),
                 SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "payload of 3 bytes is not a valid synd.v1.HealthCheckRequest: a "
                                 "length-delimited field cut short at byte 0");
    cr_expect_eq(validate_wire(SUBMIT, group, sizeof(group), &st), SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "a group or an unknown wire type") != NULL, "%s", st.message);
    cr_expect_eq(validate_wire(SUBMIT, zero, sizeof(zero), &st), SYND_INVALID_ARGUMENT);
    cr_expect_eq(validate_wire(SUBMIT, tag_cut, sizeof(tag_cut), &st), SYND_INVALID_ARGUMENT);
    cr_expect_eq(validate_wire(SUBMIT, fixed_cut, sizeof(fixed_cut), &st), SYND_INVALID_ARGUMENT);
    cr_expect_eq(validate_wire(SUBMIT, long_varint, sizeof(long_varint), &st),
                 SYND_INVALID_ARGUMENT);
}

Test(validate, errors_in_nested_messages_say_where)
{
    wire terms = {0}, req = {0};
    synd_status st;

    put_tag(&terms, 4, 0); /* facility_fen, its varint missing */
    put_len(&req, 1, terms.b, terms.n);
    cr_assert_eq(check(&synd__v1__open_book_request__descriptor, &req, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "payload of 3 bytes is not a valid synd.v1.OpenBookRequest: a "
                                 "varint that does not parse at byte 2 in "
                                 "synd.v1.OpenBookRequest.terms");
    free(terms.b);
    free(req.b);
}

Test(validate, decode_within_a_budget)
{
    Synd__V1__SubmitBidRequest *bid;
    ProtobufCMessage *m;
    wire w = {0};
    synd_status st;

    put_len(&w, 1, "BK-7", 4);
    put_int(&w, 2, 500);
    cr_assert_eq(validate_decode(SUBMIT, w.b, w.n, VALIDATE_DECODE_BUDGET, &m, &st), SYND_OK, "%s",
                 st.message);
    bid = (Synd__V1__SubmitBidRequest *)m;
    cr_expect_str_eq(bid->book_id, "BK-7");
    cr_expect_eq(bid->amount_fen, 500);
    protobuf_c_message_free_unpacked(m, NULL);

    w.n = 0;
    for (int i = 0; i < 1000; i++)
        put_len(&w, 1, "C30", 3);
    cr_expect_eq(validate_decode(&synd__v1__watch_books_request__descriptor, w.b, w.n,
                                 VALIDATE_DECODE_BUDGET, &m, &st),
                 SYND_OK, "%s", st.message);
    protobuf_c_message_free_unpacked(m, NULL);
    cr_assert_eq(
        validate_decode(&synd__v1__watch_books_request__descriptor, w.b, w.n, 4096, &m, &st),
        SYND_RESOURCE_EXHAUSTED);
    cr_expect_null(m);
    cr_expect(strstr(st.message, "would take more than 4096 bytes to decode as "
                                 "synd.v1.WatchBooksRequest (rule: request size)") != NULL,
              "%s", st.message);
    free(w.b);
}

/* protobuf-c alone would cut "BK-1\0x" to "BK-1", another book's id. */
Test(validate, decode_refuses_what_protobuf_c_would_cut_short)
{
    ProtobufCMessage *m;
    wire w = {0};
    synd_status st;
    Synd__V1__SubmitBidRequest *raw;

    put_len(&w, 1, "BK-1\0x", 6);
    raw = synd__v1__submit_bid_request__unpack(NULL, w.n, w.b);
    cr_assert_not_null(raw);
    cr_expect_str_eq(raw->book_id, "BK-1");
    synd__v1__submit_bid_request__free_unpacked(raw, NULL);
    cr_expect_eq(validate_decode(SUBMIT, w.b, w.n, VALIDATE_DECODE_BUDGET, &m, &st),
                 SYND_INVALID_ARGUMENT);
    cr_expect_null(m);
    free(w.b);
}

Test(validate, decode_names_the_type_of_bytes_protobuf_c_refuses)
{
    static const uint8_t bad_bool[] = {0x08, 0x80, 0x80, 0x80, 0x80, 0x80,
                                       0x80, 0x80, 0x80, 0x80, 0x01};
    ProtobufCMessage *m;
    synd_status st;
    synd_code code = validate_decode(&synd__v1__watch_supervision_request__descriptor, bad_bool,
                                     sizeof(bad_bool), VALIDATE_DECODE_BUDGET, &m, &st);

    /* Whichever refuses it, it is refused or decoded, never a crash. */
    if (code == SYND_OK)
        protobuf_c_message_free_unpacked(m, NULL);
    else
        cr_expect_eq(code, SYND_INVALID_ARGUMENT, "%s", st.message);
}

Test(validate, peek_call_id)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;
    uint8_t *buf, payload[5000] = {0};
    size_t len;
    wire w = {0};

    env.call_id = 42;
    env.method = "/synd.v1.Health/Check";
    env.payload.data = payload;
    env.payload.len = sizeof(payload);
    cr_assert_eq(rpc_envelope_encode(&env, &buf, &len), 0);
    cr_expect_eq(rpc_envelope_peek_call_id(buf, len), 42);
    cr_expect_eq(rpc_envelope_peek_call_id(buf, 1), 0, "cut inside the call id");
    free(buf);

    put_len(&w, 2, "/x.Y/Z", 6); /* the method first, then the id */
    put_int(&w, 1, 77);
    cr_expect_eq(rpc_envelope_peek_call_id(w.b, w.n), 77);
    w.n = 0;
    put_len(&w, 2, "/x.Y/Z", 6);
    cr_expect_eq(rpc_envelope_peek_call_id(w.b, w.n), 0, "no call id");
    cr_expect_eq(rpc_envelope_peek_call_id((const uint8_t *)"\xff\xff", 2), 0);
    free(w.b);
}

/* A million empty metadata entries would decode into tens of MiB; the
 * envelope's budget refuses them before the entries are counted. */
Test(validate, envelope_decode_has_a_budget)
{
    wire w = {0};
    rpc_envelope *env;
    uint64_t call_id;
    synd_status st;

    put_int(&w, 1, 9);
    for (int i = 0; i < 400000; i++)
        put_len(&w, 5, "", 0);
    cr_assert_lt(w.n, (size_t)RPC_MAX_FRAME);
    cr_assert_eq(rpc_envelope_decode(w.b, w.n, &env, &call_id, &st), -1);
    cr_expect_null(env);
    cr_expect(strstr(st.message, "would take more than") != NULL, "%s", st.message);
    free(w.b);
}
