/* Amounts of money: yuan as people type them, to and from int64_t fen.
 * Integer arithmetic only, every step checked for overflow. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "synd/synd.h"

#define QUOTE_MAX 64 /* bytes of a bad input quoted in a message */

static const char yen[] = "\xc2\xa5";               /* ¥, U+00A5 */
static const char fullwidth_yen[] = "\xef\xbf\xa5"; /* ￥, U+FFE5 */

/* Fails the parse with a message that quotes the input, so that a bad
 * value among many flags or settings is found at a glance. */
__attribute__((format(printf, 3, 4))) static int bad(synd_status *st, const char *text,
                                                     const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    synd_status_set(st, SYND_INVALID_ARGUMENT, "amount '%.*s%s': %s", QUOTE_MAX, text,
                    strlen(text) > QUOTE_MAX ? "..." : "", why);
    return -1;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Appends one decimal digit to *v; false when the result leaves int64_t. */
static bool push_digit(int64_t *v, char c)
{
    return !__builtin_mul_overflow(*v, 10, v) && !__builtin_add_overflow(*v, c - '0', v);
}

/* The power of ten a suffix scales yuan by: "" 0, k 3, m 6, bn 9, or -1. */
static int suffix_exponent(const char *s)
{
    if (*s == '\0')
        return 0;
    if (strcasecmp(s, "k") == 0)
        return 3;
    if (strcasecmp(s, "m") == 0)
        return 6;
    if (strcasecmp(s, "bn") == 0)
        return 9;
    return -1;
}

/* The digits before the point: '_' may stand between any two digits; ','
 * only between groups of three, so that "1,50" (a decimal comma in much of
 * the world) is refused rather than read as 150. */
static int parse_whole(const char *text, const char **pp, int64_t *v, synd_status *st)
{
    const char *p = *pp;
    char sep = '\0';
    int group = 0, groups = 0;

    for (;; p++) {
        if (is_digit(*p)) {
            if (!push_digit(v, *p))
                return bad(st, text, "too large for an int64 count of fen");
            group++;
            continue;
        }
        if (*p != '_' && *p != ',')
            break;
        if (sep != '\0' && sep != *p)
            return bad(st, text, "mixes '_' and ',' as separators");
        if (!is_digit(p[1]))
            return bad(st, text, "a separator must stand between two digits");
        if (*p == ',' && (groups == 0 ? group > 3 : group != 3))
            return bad(st, text, "',' must separate groups of three digits");
        sep = *p;
        groups++;
        group = 0;
    }
    if (sep == ',' && group != 3)
        return bad(st, text, "',' must separate groups of three digits");
    *pp = p;
    return 0;
}

int synd_money_parse(const char *text, unsigned flags, int64_t *fen, synd_status *st)
{
    const char *p = text;
    bool negative = false;
    int64_t v = 0;
    int decimals = 0, exponent;

    if (text == NULL || *text == '\0') {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "empty amount");
        return -1;
    }
    if (*p == '-') {
        if (!(flags & SYND_MONEY_NEGATIVE))
            return bad(st, text, "a negative amount is not allowed here");
        negative = true;
        p++;
    }
    if (strncmp(p, yen, strlen(yen)) == 0)
        p += strlen(yen);
    else if (strncmp(p, fullwidth_yen, strlen(fullwidth_yen)) == 0)
        p += strlen(fullwidth_yen);
    if (!is_digit(*p))
        return bad(st, text, "expected a number of yuan, such as 1234.56, 250m or 3bn");
    if (parse_whole(text, &p, &v, st) != 0)
        return -1;
    if (*p == '.') {
        if (!is_digit(*++p))
            return bad(st, text, "no digits after the decimal point");
        for (; is_digit(*p); p++, decimals++) {
            if (!push_digit(&v, *p))
                return bad(st, text, "too large for an int64 count of fen");
        }
    }
    exponent = suffix_exponent(p);
    if (exponent < 0) {
        if (isalpha((unsigned char)*p))
            return bad(st, text, "unknown suffix '%s' (use k, m or bn)", p);
        return bad(st, text, "unexpected '%s'", p);
    }
    /* Fen are the smallest unit: yuan take 2 decimals, k 5, m 8, bn 11. */
    if (decimals > 2 + exponent)
        return bad(st, text, "%d decimals, but a fen is the smallest unit (at most %d%s)", decimals,
                   2 + exponent, exponent > 0 ? " with this suffix" : "");
    for (int i = decimals; i < 2 + exponent; i++) {
        if (__builtin_mul_overflow(v, 10, &v))
            return bad(st, text, "too large for an int64 count of fen");
    }
    *fen = negative ? -v : v;
    return 0;
}

char *synd_money_format(int64_t fen, char *out, size_t len)
{
    /* Unsigned negation keeps INT64_MIN representable. */
    uint64_t mag = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;
    uint64_t yuan = mag / 100;
    char rev[32], grouped[32];
    size_t n = 0;

    do {
        if (n % 4 == 3)
            rev[n++] = ',';
        rev[n++] = (char)('0' + yuan % 10);
        yuan /= 10;
    } while (yuan != 0);
    for (size_t i = 0; i < n; i++)
        grouped[i] = rev[n - 1 - i];
    grouped[n] = '\0';
    snprintf(out, len, "%s%s%s.%02u", fen < 0 ? "-" : "", yen, grouped, (unsigned)(mag % 100));
    return out;
}
