/* libFuzzer target: SubmitBid's request validation, without side effects.
 * The input is two option bytes, then the payload of a SubmitBid call:
 * byte 0 picks the caller, byte 1 whether the book is closed (bit 0) and
 * whether the call carries an idempotency key (bit 1). The payload is
 * decoded as the server decodes it, the matrix asked, and an allowed
 * caller's bid checked against fuzz_book(). A bid that passes must fit
 * the book; one let through unchecked must be a retry after the close. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "syndication/checks.h"

#define SUBMIT_BID "/synd.v1.Syndication/SubmitBid"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless bid b fits book t. */
static void expect_fits(const book_terms *t, const book_bid *b)
{
    if (b->amount_fen <= 0 || b->amount_fen % t->unit_fen != 0 ||
        b->amount_fen < t->min_ticket_fen || b->amount_fen > t->facility_fen ||
        b->spread_bps < t->spread_floor_bps || b->spread_bps > t->spread_cap_bps ||
        book_lead_index(t, b->bank_id) >= 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const book_terms *t = fuzz_book();
    const registry_identity *who;
    Synd__V1__SubmitBidRequest *req;
    book_state state;
    const char *key;
    ProtobufCMessage *m;
    book_bid bid;
    synd_status st;
    synd_code code;
    int retry;

    if (size < 2)
        return 0;
    who = &fuzz_callers[data[0] % FUZZ_N_CALLERS];
    state = data[1] & 1 ? BOOK_CLOSED : BOOK_OPEN;
    key = data[1] & 2 ? "retry-key" : "";
    if ((m = fuzz_decode(&synd__v1__submit_bid_request__descriptor, data + 2, size - 2)) == NULL)
        return 0;
    req = (Synd__V1__SubmitBidRequest *)m;
    if (fuzz_allowed(SUBMIT_BID, who) != (who->role == ROLE_PARTICIPANT))
        abort();
    if (who->role == ROLE_PARTICIPANT) {
        code =
            syndication_check_bid(t, state, who->bank_id, req, key, FUZZ_NOW_MS, &bid, &retry, &st);
        if (code == SYND_OK && retry && (state == BOOK_OPEN || key[0] == '\0'))
            abort();
        if (code == SYND_OK && !retry)
            expect_fits(t, &bid);
        if (code != SYND_OK && code != SYND_INVALID_ARGUMENT && code != SYND_FAILED_PRECONDITION)
            abort();
        if (state == BOOK_CLOSED && key[0] == '\0' && code == SYND_OK)
            abort();
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
