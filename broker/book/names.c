/* The names of the book's enums, one table each, so that the wire, files
 * and the command line spell them the same way. */
#include <string.h>

#include "book/internal.h"

/* names[v] for v in 1..n-1; index 0 is unused because every enum starts at
 * 1, which keeps a zeroed field invalid. */
static const char *name_of(const char *const *names, size_t n, int v)
{
    if (v < 1 || (size_t)v >= n)
        return "?";
    return names[v];
}

/* The value whose name is name, or -1. */
static int value_of(const char *const *names, size_t n, const char *name)
{
    for (size_t v = 1; v < n; v++) {
        if (strcmp(names[v], name) == 0)
            return (int)v;
    }
    return -1;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const ref_rates[] = {NULL, "LPR_1Y", "LPR_5Y"};
static const char *const methods[] = {NULL, "PRO_RATA", "PRICE_PRIORITY"};
static const char *const shortfalls[] = {NULL, "UNDERWRITTEN", "BEST_EFFORTS"};
static const char *const fee_kinds[] = {NULL, "arrangement", "commitment", "agency", "other"};
static const char *const fee_bases[] = {NULL, "one_off_bps", "undrawn_bps", "fixed_yearly",
                                        "rate_add_on"};

const char *book_ref_rate_name(book_ref_rate v)
{
    return name_of(ref_rates, COUNT(ref_rates), (int)v);
}

const char *book_method_name(book_method v)
{
    return name_of(methods, COUNT(methods), (int)v);
}

const char *book_shortfall_name(book_shortfall v)
{
    return name_of(shortfalls, COUNT(shortfalls), (int)v);
}

const char *book_fee_kind_name(book_fee_kind v)
{
    return name_of(fee_kinds, COUNT(fee_kinds), (int)v);
}

const char *book_fee_basis_name(book_fee_basis v)
{
    return name_of(fee_bases, COUNT(fee_bases), (int)v);
}

int book_ref_rate_parse(const char *name, book_ref_rate *v)
{
    int i = value_of(ref_rates, COUNT(ref_rates), name);

    if (i < 0)
        return -1;
    *v = (book_ref_rate)i;
    return 0;
}

int book_method_parse(const char *name, book_method *v)
{
    int i = value_of(methods, COUNT(methods), name);

    if (i < 0)
        return -1;
    *v = (book_method)i;
    return 0;
}

int book_shortfall_parse(const char *name, book_shortfall *v)
{
    int i = value_of(shortfalls, COUNT(shortfalls), name);

    if (i < 0)
        return -1;
    *v = (book_shortfall)i;
    return 0;
}

int book_fee_basis_parse(const char *name, book_fee_basis *v)
{
    int i = value_of(fee_bases, COUNT(fee_bases), name);

    if (i < 0)
        return -1;
    *v = (book_fee_basis)i;
    return 0;
}

book_fee_kind book_fee_kind_parse(const char *name)
{
    int i = value_of(fee_kinds, COUNT(fee_kinds), name);

    return i < 0 ? BOOK_FEE_OTHER : (book_fee_kind)i;
}
