/* Unified social credit codes, GB 32100-2015. */
#include <string.h>

#include "book/internal.h"
#include "book/uscc.h"

/* The 31 characters of the code, in the order of their values 0..30: the
 * digits and the capitals without I, O, Z, S and V. */
static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Weight of position i (0-based) is 3^i mod 31, per the standard. */
static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

/* A character's value, or -1 if it is not in the set. */
static int char_value(char c)
{
    const char *p = c != '\0' ? strchr(charset, c) : NULL;

    return p != NULL ? (int)(p - charset) : -1;
}

char book_uscc_check_char(const char *code)
{
    int sum = 0;

    for (int i = 0; i < 17; i++) {
        int v = char_value(code[i]);
        if (v < 0)
            return '\0';
        sum += v * weights[i];
    }
    return charset[(31 - sum % 31) % 31];
}

/* Length and character set, so that later messages may quote the code. */
static synd_code check_form(const char *code, synd_status *st)
{
    size_t len = strnlen(code, BOOK_USCC_LEN + 1);

    if (len > BOOK_USCC_LEN)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "unified social credit code is longer than 18 characters (rule: "
                               "USCC, GB 32100-2015)");
    if (len < BOOK_USCC_LEN)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "unified social credit code has %zu characters, not 18 (rule: "
                               "USCC, GB 32100-2015)",
                               len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)code[i];
        if (c >= 'a' && c <= 'z')
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "unified social credit code has lower-case '%c' at position "
                                   "%zu; write it in capitals (rule: USCC, GB 32100-2015)",
                                   c, i + 1);
        if (char_value((char)c) < 0)
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "unified social credit code has character 0x%02x at position "
                                   "%zu, outside 0-9 and A-Y without I, O, S, V, Z (rule: USCC, "
                                   "GB 32100-2015)",
                                   c, i + 1);
    }
    return SYND_OK;
}

synd_code book_uscc_check(const char *code, synd_status *st)
{
    synd_code rc = check_form(code, st);

    if (rc != SYND_OK)
        return rc;
    /* Positions 3..8 are the administrative division code, all digits. */
    for (int i = 2; i < 8; i++) {
        if (code[i] < '0' || code[i] > '9')
            return synd_status_set(st, SYND_INVALID_ARGUMENT,
                                   "unified social credit code %s has '%c' at position %d, inside "
                                   "the six-digit division code (rule: USCC, GB 32100-2015)",
                                   code, code[i], i + 1);
    }
    char want = book_uscc_check_char(code);
    if (code[17] != want)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "unified social credit code %s has check character '%c', expected "
                               "'%c' (rule: USCC check character, GB 32100-2015)",
                               code, code[17], want);
    return SYND_OK;
}
