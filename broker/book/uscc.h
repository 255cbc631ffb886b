/* Unified social credit codes (统一社会信用代码), GB 32100-2015.
 *
 * Eighteen characters from "0123456789ABCDEFGHJKLMNPQRTUWXY": the
 * registration authority, the entity category, a six-digit administrative
 * division, the nine-character entity identifier, and a check character
 * computed over the first seventeen (weights 3^i mod 31). */
#ifndef SYND_BOOK_USCC_H
#define SYND_BOOK_USCC_H

#include "synd/status.h"

/* Returns the check character for the first 17 characters at code, or
 * '\0' if one of them is not in the code's character set. */
char book_uscc_check_char(const char *code);

/* Checks a whole code: length, character set, the digits of the division
 * code, and the check character. Lower case is refused rather than folded,
 * because the code is an identity compared byte for byte elsewhere.
 * Returns SYND_OK or SYND_INVALID_ARGUMENT with the reason. */
synd_code book_uscc_check(const char *code, synd_status *st);

#endif
