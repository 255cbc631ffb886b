/* Figures in messages. Integer arithmetic only: a percentage shown to a
 * bank must agree with the integer rule that was applied. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "book/internal.h"
#include "synd/synd.h"

book_text book_money(int64_t fen)
{
    book_text t;

    synd_money_format(fen, t.s, sizeof(t.s));
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
