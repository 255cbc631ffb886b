/* Conversion between the wire's synd.v1 messages and the book module's
 * structs. Pure code: it checks shapes (lengths, counts, enum values) and
 * leaves the rules to book_terms_check() and book_bid_check(). */
#ifndef SYND_SYNDICATION_CONVERT_H
#define SYND_SYNDICATION_CONVERT_H

#include "book/allocate.h"
#include "book/terms.h"
#include "synd/status.h"
#include "synd/v1/syndication.pb-c.h"

/* Fills the defaults a lead may leave out, in place: the deployment's
 * allocation unit, pro-rata allocation, underwritten shortfall. */
void convert_terms_defaults(Synd__V1__BookTerms *t, const book_rules *r);

/* Converts wire terms into out. Returns SYND_OK, or INVALID_ARGUMENT
 * naming the field that does not fit (too long, too many, unknown enum). */
synd_code convert_terms(const Synd__V1__BookTerms *in, const book_rules *r, book_terms *out,
                        synd_status *st);

/* Builds the wire allocation of book_id from a; the shares point into a
 * and into shares/ptrs, which the caller provides with a->n_shares
 * entries each and keeps while out is used. */
void convert_allocation(const char *book_id, const book_allocation *a, Synd__V1__Share *shares,
                        Synd__V1__Share **ptrs, Synd__V1__Allocation *out);

#endif
