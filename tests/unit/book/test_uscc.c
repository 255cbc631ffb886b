/* Unified social credit codes: the GB 32100-2015 check character on real
 * codes, and every corruption of them refused. */
#include <criterion/criterion.h>

#include "book/uscc.h"
#include "fixture.h"

/* Codes of real enterprises as published in their business licences. Each
 * check character was also computed by hand (weights 3^i mod 31) before
 * being written here. */
static const char *const valid[] = {
    "91350100M000100Y43", "914403001922038216", "91330100716105852F", "91110000802100433B",
    "9144030071526726XG", "91310000717866186P", "91440300708461136T", "91110108551385082Q",
};

#define N_VALID (sizeof(valid) / sizeof(valid[0]))

static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

Test(uscc, real_codes_pass)
{
    synd_status st = {0};

    for (size_t i = 0; i < N_VALID; i++) {
        cr_assert_eq(book_uscc_check(valid[i], &st), SYND_OK, "%s: %s", valid[i], st.message);
        cr_assert_eq(book_uscc_check_char(valid[i]), valid[i][17], "%s", valid[i]);
    }
}

/* 91350100M000100Y4 weighs 9*1 + 1*3 + 3*9 + 5*27 + 0*19 + 1*26 + 0*16 +
 * 0*17 + M(21)*20 + 0*29 + 0*25 + 0*13 + 1*8 + 0*24 + 0*10 + Y(30)*30 +
 * 4*28 = 9+3+27+135+26+420+8+900+112 = 1640; 1640 mod 31 = 28; 31-28 = 3. */
Test(uscc, check_character_worked_by_hand)
{
    cr_assert_eq(book_uscc_check_char("91350100M000100Y4"), '3');
    cr_assert_eq(book_uscc_check_char("91350100I000100Y4"), '\0', "I is not in the set");
}

/* The check character catches every single substitution: each position's
 * weight is a unit mod 31, so any change of value changes the sum. */
Test(uscc, every_single_substitution_is_refused)
{
    synd_status st = {0};
    char code[BOOK_USCC_LEN + 1];

    for (size_t i = 0; i < N_VALID; i++) {
        for (int pos = 0; pos < BOOK_USCC_LEN; pos++) {
            for (const char *c = charset; *c != '\0'; c++) {
                strcpy(code, valid[i]);
                if (code[pos] == *c)
                    continue;
                code[pos] = *c;
                cr_assert_eq(book_uscc_check(code, &st), SYND_INVALID_ARGUMENT, "%s", code);
                cr_assert(strstr(st.message, "GB 32100-2015") != NULL, "%s", st.message);
            }
        }
    }
}

/* And every swap of two adjacent different characters: the two weights
 * differ by a factor of 3, so the sum moves by 2(a-b)w, never 0 mod 31. */
Test(uscc, every_adjacent_transposition_is_refused)
{
    synd_status st = {0};
    char code[BOOK_USCC_LEN + 1];

    for (size_t i = 0; i < N_VALID; i++) {
        for (int pos = 0; pos + 1 < BOOK_USCC_LEN; pos++) {
            strcpy(code, valid[i]);
            if (code[pos] == code[pos + 1])
                continue;
            char tmp = code[pos];
            code[pos] = code[pos + 1];
            code[pos + 1] = tmp;
            cr_assert_eq(book_uscc_check(code, &st), SYND_INVALID_ARGUMENT, "%s", code);
        }
    }
}

Test(uscc, wrong_check_character_names_the_expected_one)
{
    synd_status st = {0};

    assert_refused(book_uscc_check("914403001922038217", &st), SYND_INVALID_ARGUMENT, st,
                   "has check character '7', expected '6' (rule: USCC check character");
}

Test(uscc, form)
{
    synd_status st = {0};

    assert_refused(book_uscc_check("", &st), SYND_INVALID_ARGUMENT, st, "has 0 characters, not 18");
    assert_refused(book_uscc_check("9135010M000100Y43", &st), SYND_INVALID_ARGUMENT, st,
                   "has 17 characters, not 18");
    assert_refused(book_uscc_check("91350100M000100Y430", &st), SYND_INVALID_ARGUMENT, st,
                   "longer than 18 characters");
    assert_refused(book_uscc_check("91350100m000100Y43", &st), SYND_INVALID_ARGUMENT, st,
                   "lower-case 'm' at position 9");
    assert_refused(book_uscc_check("91350100O000100Y43", &st), SYND_INVALID_ARGUMENT, st,
                   "character 0x4f at position 9");
    assert_refused(book_uscc_check("91350100M0001 0Y43", &st), SYND_INVALID_ARGUMENT, st,
                   "character 0x20 at position 14");
    /* Positions 3-8 are the administrative division code: digits only. */
    assert_refused(book_uscc_check("91A50100M000100Y43", &st), SYND_INVALID_ARGUMENT, st,
                   "six-digit division code");
}
