/* Values on syndctl's command line: options, whole numbers, amounts. Pure
 * code, unit-tested. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

void ctl_opt_error(int opt, char **argv, synd_status *st)
{
    /* getopt_long leaves optind just past the element it choked on. */
    const char *arg = optind > 0 ? argv[optind - 1] : "?";

    if (opt == ':')
        synd_status_set(st, SYND_INVALID_ARGUMENT, "option '%s' needs a value", arg);
    else
        synd_status_set(st, SYND_INVALID_ARGUMENT, "unknown option '%s'", arg);
}

int ctl_parse_int(const char *what, const char *text, int64_t min, int64_t max, int64_t *v,
                  synd_status *st)
{
    char *end;
    long long n;
    /* strtoll alone would take leading blanks and a '+'. */
    const char *digits = text[0] == '-' ? text + 1 : text;

    errno = 0;
    n = strtoll(text, &end, 10);
    if (digits[0] < '0' || digits[0] > '9' || *end != '\0') {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: '%s' is not a whole number", what, text);
        return -1;
    }
    if (errno == ERANGE || n < min || n > max) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: %s is out of range (%lld..%lld)", what,
                        text, (long long)min, (long long)max);
        return -1;
    }
    *v = n;
    return 0;
}

int ctl_parse_i32(const char *what, const char *text, int32_t *v, synd_status *st)
{
    int64_t n;

    if (ctl_parse_int(what, text, INT32_MIN, INT32_MAX, &n, st) != 0)
        return -1;
    *v = (int32_t)n;
    return 0;
}

int ctl_parse_money(const char *what, const char *text, int64_t *fen, synd_status *st)
{
    synd_status inner;

    if (synd_money_parse(text, 0, fen, &inner) != 0) {
        synd_status_set(st, inner.code, "%s: %s", what, inner.message);
        return -1;
    }
    return 0;
}
