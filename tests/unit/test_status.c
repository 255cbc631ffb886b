/* Unit tests of the status codes (broker/rpc/status.c): names, parsing,
 * the wire mapping of unknown numbers, and message truncation. */
#include <limits.h>
#include <string.h>

#include <criterion/criterion.h>

#include "synd/status.h"

/* gRPC's canonical names, written out independently of status.c. */
static const struct {
    synd_code code;
    const char *name;
} expected[] = {
    {SYND_OK, "OK"},
    {SYND_CANCELLED, "CANCELLED"},
    {SYND_UNKNOWN, "UNKNOWN"},
    {SYND_INVALID_ARGUMENT, "INVALID_ARGUMENT"},
    {SYND_DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED"},
    {SYND_NOT_FOUND, "NOT_FOUND"},
    {SYND_ALREADY_EXISTS, "ALREADY_EXISTS"},
    {SYND_PERMISSION_DENIED, "PERMISSION_DENIED"},
    {SYND_RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"},
    {SYND_FAILED_PRECONDITION, "FAILED_PRECONDITION"},
    {SYND_ABORTED, "ABORTED"},
    {SYND_OUT_OF_RANGE, "OUT_OF_RANGE"},
    {SYND_UNIMPLEMENTED, "UNIMPLEMENTED"},
    {SYND_INTERNAL, "INTERNAL"},
    {SYND_UNAVAILABLE, "UNAVAILABLE"},
    {SYND_DATA_LOSS, "DATA_LOSS"},
    {SYND_UNAUTHENTICATED, "UNAUTHENTICATED"},
};

#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

Test(status, codes_have_grpc_numbers)
{
    for (size_t i = 0; i < N_EXPECTED; i++)
        cr_assert_eq((int)expected[i].code, (int)i, "%s", expected[i].name);
    cr_assert_eq(N_EXPECTED, 17);
}

Test(status, every_code_has_its_name)
{
    for (size_t i = 0; i < N_EXPECTED; i++)
        cr_assert_str_eq(synd_code_name(expected[i].code), expected[i].name);
}

Test(status, every_name_parses_back_to_its_code)
{
    for (size_t i = 0; i < N_EXPECTED; i++) {
        synd_code code = (synd_code)-1;

        cr_assert_eq(synd_code_parse(expected[i].name, &code), 0, "%s", expected[i].name);
        cr_assert_eq(code, expected[i].code, "%s", expected[i].name);
        cr_assert_eq(synd_code_parse(synd_code_name(code), &code), 0);
        cr_assert_eq(code, expected[i].code);
    }
}

Test(status, unknown_names_are_rejected_and_leave_code_alone)
{
    const char *bad[] = {"",
                         "ok",
                         "Ok",
                         "NOPE",
                         "OK ",
                         " OK",
                         "INVALID ARGUMENT",
                         "INVALID_ARG",
                         "UNAUTHENTICATED_",
                         "16"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        synd_code code = SYND_ABORTED;

        cr_assert_eq(synd_code_parse(bad[i], &code), -1, "parsed '%s'", bad[i]);
        cr_assert_eq(code, SYND_ABORTED, "'%s' changed the output", bad[i]);
    }
}

Test(status, wire_numbers_in_range_map_to_themselves)
{
    for (int i = 0; i <= 16; i++)
        cr_assert_eq((int)synd_code_from_wire(i), i);
}

Test(status, wire_numbers_out_of_range_are_unknown)
{
    const int bad[] = {-1, 17, 1000, INT_MIN, INT_MAX};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(synd_code_from_wire(bad[i]), SYND_UNKNOWN, "%d", bad[i]);
        cr_assert_str_eq(synd_code_name(bad[i]), "UNKNOWN", "%d", bad[i]);
    }
}

Test(status, set_formats_and_returns_the_code)
{
    synd_status st = {SYND_OK, ""};

    cr_assert_eq(synd_status_set(&st, SYND_NOT_FOUND, "bank %s has %d keys", "ICBC", 3),
                 SYND_NOT_FOUND);
    cr_assert_eq(st.code, SYND_NOT_FOUND);
    cr_assert_str_eq(st.message, "bank ICBC has 3 keys");
    cr_assert_eq(synd_status_set(&st, SYND_OK, "%s", ""), SYND_OK);
    cr_assert_eq(st.code, SYND_OK);
    cr_assert_str_eq(st.message, "");
}

Test(status, set_truncates_a_long_message_within_the_buffer)
{
    struct {
        synd_status st;
        char guard[64];
    } s;
    char long_msg[2000];

    memset(long_msg, 'm', sizeof(long_msg) - 1);
    long_msg[sizeof(long_msg) - 1] = '\0';
    memset(s.guard, 'G', sizeof(s.guard));
    cr_assert_eq(synd_status_set(&s.st, SYND_INTERNAL, "%s!", long_msg), SYND_INTERNAL);
    cr_assert_eq(s.st.code, SYND_INTERNAL);
    cr_assert_eq(strlen(s.st.message), sizeof(s.st.message) - 1);
    cr_assert_eq(strspn(s.st.message, "m"), sizeof(s.st.message) - 1);
    for (size_t i = 0; i < sizeof(s.guard); i++)
        cr_assert_eq(s.guard[i], 'G', "byte %zu past the status was written", i);
}
