/* Figures in messages. Integer arithmetic only: a percentage shown to a
 * bank must agree with the integer rule that was applied. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "book/internal.h"

/* Writes the digits of v with a comma every three, most significant first,
 * so large facilities read as bankers write them. */
static void group_digits(uint64_t v, char *out, size_t len)
{
    char rev[32];
    size_t n = 0;

    do {
        if (n % 4 == 3)
            rev[n++] = ',';
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n && i + 1 < len; i++) {
        out[i] = rev[n - 1 - i];
        out[i + 1] = '\0';
    }
}

book_text book_money(int64_t fen)
{
    book_text t;
    char yuan[32];
    /* Unsigned negation keeps INT64_MIN representable. */
    uint64_t mag = fen < 0 ? 0 - (uint64_t)fen : (uint64_t)fen;

    group_digits(mag / 100, yuan, sizeof(yuan));
    snprintf(t.s, sizeof(t.s), "CNY %s%s.%02u", fen < 0 ? "-" : "", yuan, (unsigned)(mag % 100));
    return t;
}

book_text book_pct(int64_t part, int64_t whole)
{
    book_text t;

    if (whole <= 0) {
        snprintf(t.s, sizeof(t.s), "n/a");
        return t;
    }
    book_i128 bps = (book_i128)part * BOOK_BPS / whole;
    int64_t v = (int64_t)bps; /* |part| <= whole in every use, so it fits */
    snprintf(t.s, sizeof(t.s), "%s%" PRId64 ".%02" PRId64 "%%", v < 0 ? "-" : "",
             (v < 0 ? -v : v) / 100, (v < 0 ? -v : v) % 100);
    return t;
}

book_text book_bps_pct(int32_t bps)
{
    book_text t;
    int64_t mag = bps < 0 ? -(int64_t)bps : bps;

    if (mag % 100 == 0)
        snprintf(t.s, sizeof(t.s), "%s%" PRId64 "%%", bps < 0 ? "-" : "", mag / 100);
    else
        snprintf(t.s, sizeof(t.s), "%s%" PRId64 ".%02" PRId64 "%%", bps < 0 ? "-" : "", mag / 100,
                 mag % 100);
    return t;
}

bool book_text_ok(const char *s, size_t cap)
{
    return s[0] != '\0' && memchr(s, '\0', cap) != NULL;
}
