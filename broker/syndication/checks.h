/* The pure checks of the Syndication and Registry requests: what each
 * handler checks of a request before it asks the ledger, as functions of
 * the request, the caller and the time alone. The handlers call them, and
 * so do the fuzzers, without a broker or a Redis. */
#ifndef SYND_SYNDICATION_CHECKS_H
#define SYND_SYNDICATION_CHECKS_H

#include <stdint.h>

#include "book/bid.h"
#include "book/state.h"
#include "book/terms.h"
#include "registry.h"
#include "synd/status.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

/* OpenBook by id at now_ms: fills the defaults a lead may leave out into
 * wire (in place), converts it into *out and checks every term; then the
 * scope the authorization matrix gives id's role on OpenBook: with
 * AUTHZ_OWN_BOOK the caller must be among the book's leads. Returns
 * SYND_OK, INVALID_ARGUMENT (no terms, or the first term broken) or
 * PERMISSION_DENIED. */
synd_code syndication_check_open_book(const book_rules *r, const registry_identity *id,
                                      Synd__V1__BookTerms *wire, int64_t now_ms, book_terms *out,
                                      synd_status *st);

/* SubmitBid by bank on a book with terms t in state s at now_ms, sent
 * with idempotency key idem_key ("" for none); fills *bid. A retry (a key
 * is given) after the bidding window closed is not checked: *retry is set
 * and it goes to the ledger, which answers a retry with its first answer
 * and refuses anything else. Otherwise book_bid_check(). */
synd_code syndication_check_bid(const book_terms *t, book_state s, const char *bank,
                                const Synd__V1__SubmitBidRequest *in, const char *idem_key,
                                int64_t now_ms, book_bid *bid, int *retry, synd_status *st);

/* GetHeadroom: a borrower code no longer than a unified social credit
 * code (an unknown one is NOT_FOUND from the ledger). */
synd_code syndication_check_headroom(const Synd__V1__GetHeadroomRequest *in, synd_status *st);

/* RecordRepayment: a positive amount. The book's state, and that the
 * amount is at most what is outstanding, need the book and the ledger. */
synd_code syndication_check_repayment(const Synd__V1__RecordRepaymentRequest *in, synd_status *st);

/* WatchBooks: every industry code is a GB/T 4754 code or prefix, and no
 * bound is negative. */
synd_code syndication_check_watch(const Synd__V1__WatchBooksRequest *f, synd_status *st);

/* PutBank: an id of [A-Za-z0-9_-] that fits, and capital figures that
 * are not negative. */
synd_code syndication_check_bank(const Synd__V1__Bank *in, synd_status *st);

/* PutBorrower: a unified social credit code with its check character, a
 * group id (the code when empty) of [A-Za-z0-9_-], and a joint credit
 * limit that is not negative. */
synd_code syndication_check_borrower(const Synd__V1__Borrower *in, synd_status *st);

/* Whether id is 1 to REGISTRY_MAX_ID - 1 characters of [A-Za-z0-9_-]:
 * ids become parts of Redis keys and hash tags. */
int syndication_id_ok(const char *id);

#endif
