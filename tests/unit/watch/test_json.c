/* The JSON of --once --json: every field, money as fen and as yuan, null
 * for a limit not set, exact int64 figures, and the alerts key only when
 * asked for. */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "watch/watch.h"

#define CODE "91350100M000100Y43"

/* A TopConcentrations reply with the pointers protobuf-c needs. */
typedef struct fx_top {
    Synd__V1__TopConcentrationsResponse top;
    Synd__V1__BorrowerUse b[2];
    Synd__V1__BorrowerUse *bp[2];
    Synd__V1__PairRatio p[1];
    Synd__V1__PairRatio *pp[1];
} fx_top;

static fx_top fx;

static void fx_init(void)
{
    Synd__V1__TopConcentrationsResponse top = SYND__V1__TOP_CONCENTRATIONS_RESPONSE__INIT;
    Synd__V1__BorrowerUse b = SYND__V1__BORROWER_USE__INIT;
    Synd__V1__PairRatio p = SYND__V1__PAIR_RATIO__INIT;

    fx.top = top;
    fx.b[0] = fx.b[1] = b;
    fx.p[0] = p;
    fx.b[0].borrower_code = CODE;
    fx.b[0].group_id = "FJLE";
    fx.b[0].total_fen = 450000000000;       /* ¥4.5bn */
    fx.b[0].joint_limit_fen = 500000000000; /* ¥5bn */
    fx.b[0].use_bps = 9000;
    fx.b[0].lending_banks = 7;
    fx.b[0].hhi = 1836;
    fx.b[1].borrower_code = "91110000100000000B";
    fx.b[1].group_id = "";
    fx.b[1].total_fen = 150;
    fx.b[1].lending_banks = 1;
    fx.b[1].hhi = 10000;
    fx.p[0].bank_id = "BOC";
    fx.p[0].borrower_code = CODE;
    fx.p[0].exposure_fen = 35000000000; /* ¥350m */
    fx.p[0].ratio_capital_bps = 100;
    fx.bp[0] = &fx.b[0];
    fx.bp[1] = &fx.b[1];
    fx.pp[0] = &fx.p[0];
    fx.top.n_borrowers = 2;
    fx.top.borrowers = fx.bp;
    fx.top.n_pairs = 1;
    fx.top.pairs = fx.pp;
}

TestSuite(json, .init = fx_init);

static json_int_t int_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    cr_assert(json_is_integer(v), "%s is an integer", key);
    return json_integer_value(v);
}

static const char *str_at(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    cr_assert(json_is_string(v), "%s is a string", key);
    return json_string_value(v);
}

Test(json, borrowers_in_order_with_every_field)
{
    json_t *j = watch_json_top(&fx.top), *list, *b;

    cr_assert_not_null(j);
    list = json_object_get(j, "borrowers");
    cr_assert(json_is_array(list));
    cr_assert_eq(json_array_size(list), 2);
    b = json_array_get(list, 0);
    cr_expect_eq(json_object_size(b), 9);
    cr_expect_str_eq(str_at(b, "borrower_code"), CODE);
    cr_expect_str_eq(str_at(b, "group_id"), "FJLE");
    cr_expect_eq(int_at(b, "total_fen"), 450000000000);
    cr_expect_str_eq(str_at(b, "total"), "\xc2\xa5"
                                         "4,500,000,000.00");
    cr_expect_eq(int_at(b, "joint_limit_fen"), 500000000000);
    cr_expect_str_eq(str_at(b, "joint_limit"), "\xc2\xa5"
                                               "5,000,000,000.00");
    cr_expect_eq(int_at(b, "use_bps"), 9000);
    cr_expect_eq(int_at(b, "lending_banks"), 7);
    cr_expect_eq(int_at(b, "hhi"), 1836);
    json_decref(j);
}

Test(json, a_limit_not_set_is_zero_fen_and_null)
{
    json_t *j = watch_json_top(&fx.top), *b;

    cr_assert_not_null(j);
    b = json_array_get(json_object_get(j, "borrowers"), 1);
    cr_expect_eq(int_at(b, "joint_limit_fen"), 0);
    cr_expect(json_is_null(json_object_get(b, "joint_limit")));
    cr_expect_str_eq(str_at(b, "total"), "\xc2\xa5"
                                         "1.50");
    cr_expect_eq(int_at(b, "use_bps"), 0);
    cr_expect_eq(int_at(b, "hhi"), 10000);
    json_decref(j);
}

Test(json, pairs_with_every_field)
{
    json_t *j = watch_json_top(&fx.top), *list, *p;

    cr_assert_not_null(j);
    list = json_object_get(j, "pairs");
    cr_assert_eq(json_array_size(list), 1);
    p = json_array_get(list, 0);
    cr_expect_eq(json_object_size(p), 5);
    cr_expect_str_eq(str_at(p, "bank_id"), "BOC");
    cr_expect_str_eq(str_at(p, "borrower_code"), CODE);
    cr_expect_eq(int_at(p, "exposure_fen"), 35000000000);
    cr_expect_str_eq(str_at(p, "exposure"), "\xc2\xa5"
                                            "350,000,000.00");
    cr_expect_eq(int_at(p, "ratio_capital_bps"), 100);
    json_decref(j);
}

Test(json, int64_figures_are_exact)
{
    json_t *j;
    char *text;

    fx.b[0].total_fen = INT64_MAX;
    fx.b[0].joint_limit_fen = INT64_MIN;
    fx.b[0].use_bps = INT64_MAX;
    j = watch_json_top(&fx.top);
    cr_assert_not_null(j);
    text = json_dumps(j, JSON_COMPACT);
    cr_assert_not_null(text);
    cr_expect(strstr(text, "\"total_fen\":9223372036854775807") != NULL, "%s", text);
    cr_expect(strstr(text, "\"total\":\"\xc2\xa5"
                           "92,233,720,368,547,758.07\"") != NULL,
              "%s", text);
    cr_expect(strstr(text, "\"joint_limit_fen\":-9223372036854775808") != NULL, "%s", text);
    cr_expect(strstr(text, "\"use_bps\":9223372036854775807") != NULL, "%s", text);
    free(text);
    json_decref(j);
}

Test(json, an_empty_reply_has_empty_lists)
{
    Synd__V1__TopConcentrationsResponse top = SYND__V1__TOP_CONCENTRATIONS_RESPONSE__INIT;
    json_t *j = watch_json_top(&top);
    char *text;

    cr_assert_not_null(j);
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    cr_expect_str_eq(text, "{\"borrowers\":[],\"pairs\":[]}");
    free(text);
    json_decref(j);
}

Test(json, a_string_that_is_not_utf8_fails_the_whole)
{
    fx.b[1].group_id = "\xff\xfe";
    cr_expect_null(watch_json_top(&fx.top));
}

static Synd__V1__AuditRecord record(const char *id, int32_t code)
{
    Synd__V1__AuditRecord r = SYND__V1__AUDIT_RECORD__INIT;

    r.id = (char *)id;
    r.time_ms = 1714557600123;
    r.bank_id = "BOC";
    r.role = "participant";
    r.method = "/synd.v1.Syndication/SubmitBid";
    r.object = "BK-9";
    r.code = code;
    r.detail = "no book BK-9";
    return r;
}

Test(json, an_audit_record_with_every_field)
{
    Synd__V1__AuditRecord r = record("1714557600123-0", 5);
    json_t *j = watch_json_audit(&r);

    cr_assert_not_null(j);
    cr_expect_eq(json_object_size(j), 10);
    cr_expect_str_eq(str_at(j, "id"), "1714557600123-0");
    cr_expect_eq(int_at(j, "time_ms"), 1714557600123);
    cr_expect_str_eq(str_at(j, "time"), "2024-05-01T10:00:00.123Z");
    cr_expect_str_eq(str_at(j, "bank_id"), "BOC");
    cr_expect_str_eq(str_at(j, "role"), "participant");
    cr_expect_str_eq(str_at(j, "method"), "/synd.v1.Syndication/SubmitBid");
    cr_expect_str_eq(str_at(j, "object"), "BK-9");
    cr_expect_eq(int_at(j, "code"), 5);
    cr_expect_str_eq(str_at(j, "code_name"), "NOT_FOUND");
    cr_expect_str_eq(str_at(j, "detail"), "no book BK-9");
    json_decref(j);
}

Test(json, the_snapshot_has_its_time_and_alerts_only_when_asked)
{
    Synd__V1__AuditRecord r0 = record("1-0", 5), r1 = record("1-1", 7);
    const Synd__V1__AuditRecord *alerts[] = {&r0, &r1};
    json_t *j = watch_json_snapshot(1714557600123, &fx.top, 0, NULL, 0), *list;

    char *text;

    cr_assert_not_null(j);
    text = json_dumps(j, JSON_COMPACT);
    cr_assert_not_null(text);
    cr_expect(strncmp(text, "{\"time_ms\":1714557600123,\"time\":", 32) == 0,
              "the time comes first: %s", text);
    free(text);
    cr_expect_eq(int_at(j, "time_ms"), 1714557600123);
    cr_expect_str_eq(str_at(j, "time"), "2024-05-01T10:00:00.123Z");
    cr_expect_eq(json_array_size(json_object_get(j, "borrowers")), 2);
    cr_expect_eq(json_array_size(json_object_get(j, "pairs")), 1);
    cr_expect_null(json_object_get(j, "alerts"));
    json_decref(j);

    j = watch_json_snapshot(1714557600123, &fx.top, 1, NULL, 0);
    cr_assert_not_null(j);
    list = json_object_get(j, "alerts");
    cr_expect(json_is_array(list) && json_array_size(list) == 0, "asked for: an empty list");
    json_decref(j);

    j = watch_json_snapshot(1714557600123, &fx.top, 1, alerts, 2);
    cr_assert_not_null(j);
    list = json_object_get(j, "alerts");
    cr_assert_eq(json_array_size(list), 2);
    cr_expect_str_eq(str_at(json_array_get(list, 0), "id"), "1-0");
    cr_expect_str_eq(str_at(json_array_get(list, 1), "code_name"), "PERMISSION_DENIED");
    json_decref(j);
}
