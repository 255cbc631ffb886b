/* GB/T 4754-2017 industry codes: the 97 divisions and their sections, the
 * accepted forms, normalization and filter matching. */
#include <criterion/criterion.h>

#include "book/industry.h"
#include "fixture.h"

/* Each section's first and last division, from the standard. */
static const struct {
    char section;
    int first, last;
} sections[] = {
    {'A', 1, 5},   {'B', 6, 12},  {'C', 13, 43}, {'D', 44, 46}, {'E', 47, 50},
    {'F', 51, 52}, {'G', 53, 60}, {'H', 61, 62}, {'I', 63, 65}, {'J', 66, 69},
    {'K', 70, 70}, {'L', 71, 72}, {'M', 73, 75}, {'N', 76, 79}, {'O', 80, 82},
    {'P', 83, 83}, {'Q', 84, 85}, {'R', 86, 90}, {'S', 91, 96}, {'T', 97, 97},
};

Test(industry, every_division_in_its_section)
{
    int count = 0;

    for (size_t s = 0; s < sizeof(sections) / sizeof(sections[0]); s++) {
        for (int d = sections[s].first; d <= sections[s].last; d++) {
            cr_assert_eq(book_industry_division_section(d), sections[s].section, "division %02d",
                         d);
            count++;
        }
    }
    cr_assert_eq(count, 97);
    cr_assert_eq(book_industry_division_section(0), '\0');
    cr_assert_eq(book_industry_division_section(98), '\0');
    cr_assert_eq(book_industry_division_section(-1), '\0');
}

Test(industry, accepted_forms)
{
    static const char *const ok[] = {"C",   "A",   "T",    "13",    "43",    "3011",
                                     "301", "C30", "C301", "C3011", "K7010", "97"};
    synd_status st = {0};

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        cr_assert_eq(book_industry_check(ok[i], &st), SYND_OK, "%s: %s", ok[i], st.message);
}

Test(industry, refused_forms)
{
    synd_status st = {0};

    assert_refused(book_industry_check("", &st), SYND_INVALID_ARGUMENT, st,
                   "rule: GB/T 4754-2017 industry code");
    assert_refused(book_industry_check("U", &st), SYND_INVALID_ARGUMENT, st, "section letter A-T");
    assert_refused(book_industry_check("3", &st), SYND_INVALID_ARGUMENT, st, "has 1 digit;");
    assert_refused(book_industry_check("30111", &st), SYND_INVALID_ARGUMENT, st, "has 5 digits");
    assert_refused(book_industry_check("c3011", &st), SYND_INVALID_ARGUMENT, st,
                   "is not a section letter A-T followed by digits");
    assert_refused(book_industry_check("30a1", &st), SYND_INVALID_ARGUMENT, st,
                   "followed by digits");
    assert_refused(book_industry_check("CC30", &st), SYND_INVALID_ARGUMENT, st,
                   "followed by digits");
    assert_refused(book_industry_check("00", &st), SYND_INVALID_ARGUMENT, st,
                   "names division 00; GB/T 4754-2017 has divisions 01-97");
    assert_refused(book_industry_check("9801", &st), SYND_INVALID_ARGUMENT, st,
                   "names division 98");
    assert_refused(book_industry_check("C0511", &st), SYND_INVALID_ARGUMENT, st,
                   "division 05 is in section A, not C");
    assert_refused(book_industry_check("B13", &st), SYND_INVALID_ARGUMENT, st,
                   "division 13 is in section C, not B");
    assert_refused(book_industry_check("C301123", &st), SYND_INVALID_ARGUMENT, st, "has 6 digits");
    assert_refused(book_industry_check("C3011234", &st), SYND_INVALID_ARGUMENT, st,
                   "rule: GB/T 4754-2017 industry code");
}

Test(industry, normalize)
{
    char out[BOOK_INDUSTRY_MAX];
    synd_status st = {0};

    cr_assert_eq(book_industry_normalize("3011", out, &st), SYND_OK);
    cr_assert_str_eq(out, "C3011");
    cr_assert_eq(book_industry_normalize("C3011", out, &st), SYND_OK);
    cr_assert_str_eq(out, "C3011");
    cr_assert_eq(book_industry_normalize("I", out, &st), SYND_OK);
    cr_assert_str_eq(out, "I");
    cr_assert_eq(book_industry_normalize("65", out, &st), SYND_OK);
    cr_assert_str_eq(out, "I65");
    cr_assert_eq(book_industry_normalize("98", out, &st), SYND_INVALID_ARGUMENT);
}

Test(industry, filter_matching)
{
    cr_assert(book_industry_matches("C", "3011"));
    cr_assert(book_industry_matches("C", "C13"));
    cr_assert(book_industry_matches("30", "C3011"));
    cr_assert(book_industry_matches("C30", "301"));
    cr_assert(book_industry_matches("3011", "3011"));
    cr_assert_not(book_industry_matches("3011", "3012"));
    cr_assert_not(book_industry_matches("3011", "30"), "a class does not take its division");
    cr_assert_not(book_industry_matches("C", "0511"));
    cr_assert_not(book_industry_matches("C", "98"));
    cr_assert_not(book_industry_matches("X", "3011"));
}
