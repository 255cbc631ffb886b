/* Unit tests of synd_money_parse and synd_money_format (client/money.c):
 * every accepted spelling, every refusal with a message naming the input,
 * the int64 edges, and that a formatted amount parses back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "synd/synd.h"

/* Asserts that text parses (with flags) to want fen. */
static void expect_fen(const char *text, unsigned flags, int64_t want)
{
    synd_status st = {0};
    int64_t fen = -12345;

    cr_assert_eq(synd_money_parse(text, flags, &fen, &st), 0, "'%s' refused: %s", text, st.message);
    cr_assert_eq(fen, want, "'%s' gave %lld fen, want %lld", text, (long long)fen, (long long)want);
}

/* Asserts that text is refused, leaves *fen alone, and that the message
 * contains needle. */
static void expect_refused(const char *text, unsigned flags, const char *needle)
{
    synd_status st = {0};
    int64_t fen = 777;

    cr_assert_eq(synd_money_parse(text, flags, &fen, &st), -1, "'%s' was accepted as %lld",
                 text ? text : "(null)", (long long)fen);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    cr_assert_eq(fen, 777, "a refused parse wrote *fen");
    cr_assert(strstr(st.message, needle) != NULL, "'%s': message \"%s\" lacks \"%s\"",
              text ? text : "(null)", st.message, needle);
}

Test(money_parse, plain_yuan_and_decimals)
{
    expect_fen("0", 0, 0);
    expect_fen("1", 0, 100);
    expect_fen("1234", 0, 123400);
    expect_fen("1234.5", 0, 123450);
    expect_fen("1234.56", 0, 123456);
    expect_fen("0.01", 0, 1);
    expect_fen("0.10", 0, 10);
    expect_fen("007", 0, 700);
}

Test(money_parse, suffixes_scale_by_thousands)
{
    expect_fen("3bn", 0, 300000000000LL);
    expect_fen("3BN", 0, 300000000000LL);
    expect_fen("3Bn", 0, 300000000000LL);
    expect_fen("250m", 0, 25000000000LL);
    expect_fen("250M", 0, 25000000000LL);
    expect_fen("10k", 0, 1000000LL);
    expect_fen("10K", 0, 1000000LL);
    expect_fen("0k", 0, 0);
}

Test(money_parse, suffix_with_decimals_down_to_a_fen)
{
    expect_fen("1.5bn", 0, 150000000000LL);
    expect_fen("2.25k", 0, 225000);
    expect_fen("0.5m", 0, 50000000);
    expect_fen("1.23456k", 0, 123456);                /* 5 decimals with k: ¥1,234.56 */
    expect_fen("0.00001k", 0, 1);                     /* one fen */
    expect_fen("1.00000001m", 0, 100000001);          /* 8 decimals with m */
    expect_fen("1.00000000001bn", 0, 100000000001LL); /* 11 decimals with bn */
}

Test(money_parse, currency_sign_and_separators)
{
    expect_fen("¥3,000,000,000", 0, 300000000000LL);
    expect_fen("¥3,000,000,000.00", 0, 300000000000LL);
    expect_fen("￥1,000", 0, 100000);
    expect_fen("¥3bn", 0, 300000000000LL);
    expect_fen("1,234,567.89", 0, 123456789);
    expect_fen("999,999", 0, 99999900);
    expect_fen("1_000_000", 0, 100000000);
    expect_fen("1_0_0", 0, 10000);
    expect_fen("3_000m", 0, 300000000000LL);
}

Test(money_parse, negative_only_when_allowed)
{
    expect_refused("-5", 0, "negative");
    expect_refused("-¥5", 0, "'-¥5'");
    expect_fen("-5", SYND_MONEY_NEGATIVE, -500);
    expect_fen("-¥1.50", SYND_MONEY_NEGATIVE, -150);
    expect_fen("-0", SYND_MONEY_NEGATIVE, 0);
    expect_fen("-1.5bn", SYND_MONEY_NEGATIVE, -150000000000LL);
}

Test(money_parse, empty_and_non_numbers)
{
    expect_refused("", 0, "empty amount");
    expect_refused(NULL, 0, "empty amount");
    expect_refused("¥", 0, "expected a number");
    expect_refused("-", SYND_MONEY_NEGATIVE, "expected a number");
    expect_refused("+5", 0, "'+5'");
    expect_refused("abc", 0, "'abc'");
    expect_refused(" 5", 0, "expected a number");
    expect_refused(".5", 0, "expected a number");
    expect_refused("¥-5", SYND_MONEY_NEGATIVE, "expected a number");
}

Test(money_parse, too_many_decimals)
{
    expect_refused("1.234", 0, "3 decimals");
    expect_refused("1.234", 0, "at most 2");
    expect_refused("0.001", 0, "fen is the smallest unit");
    expect_refused("1.230", 0, "3 decimals");
    expect_refused("1.234567k", 0, "at most 5 with this suffix");
    expect_refused("1.123456789m", 0, "at most 8");
    expect_refused("1.234567890123bn", 0, "at most 11");
    expect_refused("1.", 0, "no digits after the decimal point");
    expect_refused("1.k", 0, "no digits after the decimal point");
    expect_refused("1.2.3", 0, "unexpected '.3'");
}

Test(money_parse, bad_suffixes)
{
    expect_refused("3xb", 0, "unknown suffix 'xb'");
    expect_refused("3xb", 0, "amount '3xb'");
    expect_refused("3b", 0, "unknown suffix 'b'");
    expect_refused("3bnn", 0, "unknown suffix 'bnn'");
    expect_refused("3bn5", 0, "unknown suffix 'bn5'");
    expect_refused("1e6", 0, "unknown suffix 'e6'");
    expect_refused("3 bn", 0, "unexpected ' bn'");
    expect_refused("5%", 0, "unexpected '%'");
}

Test(money_parse, separators_stand_between_digits)
{
    expect_refused("1__000", 0, "between two digits");
    expect_refused("1_", 0, "between two digits");
    expect_refused("_1", 0, "expected a number");
    expect_refused("1_.5", 0, "between two digits");
    expect_refused("1,000_000", 0, "mixes");
    expect_refused("1_000,000", 0, "mixes");
}

Test(money_parse, commas_group_by_three)
{
    /* "1,50" is one and a half in much of the world: never 150. */
    expect_refused("1,50", 0, "groups of three");
    expect_refused("1,2345", 0, "groups of three");
    expect_refused("1234,567", 0, "groups of three");
    expect_refused("1,000,00", 0, "groups of three");
    expect_refused("1,000,0000", 0, "groups of three");
}

Test(money_parse, int64_edges)
{
    /* INT64_MAX fen is ¥92,233,720,368,547,758.07. */
    expect_fen("92233720368547758.07", 0, INT64_MAX);
    expect_fen("¥92,233,720,368,547,758.07", 0, INT64_MAX);
    expect_fen("-92233720368547758.07", SYND_MONEY_NEGATIVE, -INT64_MAX);
    expect_refused("92233720368547758.08", 0, "too large");
    expect_refused("92233720368547759", 0, "too large");
    expect_refused("-92233720368547758.08", SYND_MONEY_NEGATIVE, "too large");
    expect_refused("99999999999999999999999", 0, "too large");
    /* Overflow in the scaling by the suffix, not in the digits. */
    expect_fen("92233720.36854775807bn", 0, INT64_MAX);
    expect_refused("92233720.36854775808bn", 0, "too large");
    expect_refused("92233721bn", 0, "too large");
    expect_refused("9223372036854775807k", 0, "too large");
    expect_refused("100000000000000000k", 0, "too large");
}

Test(money_parse, long_input_is_quoted_shortened)
{
    char text[300];
    synd_status st;
    int64_t fen;

    memset(text, '1', sizeof(text) - 2);
    text[sizeof(text) - 2] = 'x';
    text[sizeof(text) - 1] = '\0';
    cr_assert_eq(synd_money_parse(text, 0, &fen, &st), -1);
    cr_assert(strstr(st.message, "...") != NULL, "%s", st.message);
    cr_assert(strlen(st.message) < 200, "%s", st.message);
}

/* Asserts that fen formats as want. */
static void expect_format(int64_t fen, const char *want)
{
    char out[SYND_MONEY_LEN];

    cr_assert_eq(synd_money_format(fen, out, sizeof(out)), out);
    cr_assert_str_eq(out, want);
}

Test(money_format, yuan_with_separators_and_two_decimals)
{
    expect_format(0, "¥0.00");
    expect_format(1, "¥0.01");
    expect_format(99, "¥0.99");
    expect_format(100, "¥1.00");
    expect_format(123456, "¥1,234.56");
    expect_format(99999999, "¥999,999.99");
    expect_format(100000000, "¥1,000,000.00");
    expect_format(300000000000LL, "¥3,000,000,000.00");
    expect_format(-150, "-¥1.50");
    expect_format(-1, "-¥0.01");
}

Test(money_format, int64_edges_fit_the_buffer)
{
    expect_format(INT64_MAX, "¥92,233,720,368,547,758.07");
    expect_format(INT64_MIN, "-¥92,233,720,368,547,758.08");
    cr_assert_lt(strlen("-¥92,233,720,368,547,758.08"), SYND_MONEY_LEN);
}

Test(money_format, truncates_like_snprintf)
{
    char out[8];

    memset(out, 'Z', sizeof(out));
    synd_money_format(300000000000LL, out, sizeof(out));
    cr_assert_eq(out[7], '\0');
    cr_assert_eq(strncmp(out, "¥3,000", 7), 0, "%s", out);
    cr_assert_eq(synd_money_format(5, NULL, 0), NULL);
}

/* Whatever synd_money_format writes, synd_money_parse reads back exactly:
 * ten thousand amounts from a fixed seed, over every magnitude. */
Test(money_format, parses_back_to_itself)
{
    char out[SYND_MONEY_LEN];
    synd_status st;
    unsigned seed = 20240501;

    for (int i = 0; i < 10000; i++) {
        uint64_t r =
            (uint64_t)rand_r(&seed) << 33 ^ (uint64_t)rand_r(&seed) << 11 ^ (uint64_t)rand_r(&seed);
        int64_t fen = (int64_t)(r >> (i % 63 + 1)), back = 0; /* never INT64_MIN */
        if (i % 2)
            fen = -fen;
        synd_money_format(fen, out, sizeof(out));
        cr_assert_eq(synd_money_parse(out, SYND_MONEY_NEGATIVE, &back, &st), 0, "%s: %s", out,
                     st.message);
        cr_assert_eq(back, fen, "%s read back as %lld, not %lld", out, (long long)back,
                     (long long)fen);
    }
}
