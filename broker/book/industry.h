/* Industry codes of GB/T 4754-2017 (国民经济行业分类).
 *
 * A code is a section letter A..T alone ("C"), or a division, group or
 * class of 2, 3 or 4 digits ("30", "301", "3011"), optionally written
 * after its section letter ("C3011"). The standard has 97 divisions,
 * 01..97; manufacturing, section C, is divisions 13..43. Groups and
 * classes are checked for form and for their division, not looked up one
 * by one. */
#ifndef SYND_BOOK_INDUSTRY_H
#define SYND_BOOK_INDUSTRY_H

#include <stdbool.h>

#include "book/terms.h"
#include "synd/status.h"

/* Returns the section letter of division 1..97, or '\0' for any other
 * number. */
char book_industry_division_section(int division);

/* Checks code's form, that its division exists, and that a section letter
 * written before the digits is the division's own. Returns SYND_OK or
 * SYND_INVALID_ARGUMENT with the reason. */
synd_code book_industry_check(const char *code, synd_status *st);

/* Writes the canonical form of a valid code into out: its section letter
 * followed by its digits ("3011" -> "C3011", "C" -> "C"). Returns SYND_OK,
 * or what book_industry_check() returns. */
synd_code book_industry_normalize(const char *code, char out[BOOK_INDUSTRY_MAX], synd_status *st);

/* True if code falls under filter: filter "C" takes all of manufacturing,
 * "30" or "C30" all of division 30, "3011" that class only. Either side
 * may be in any valid form; an invalid one matches nothing. */
bool book_industry_matches(const char *filter, const char *code);

#endif
