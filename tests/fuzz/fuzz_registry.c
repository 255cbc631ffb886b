/* libFuzzer target: the Registry's writes, PutBank and PutBorrower,
 * validated without side effects. The input is two option bytes, then the
 * payload: byte 0 picks the caller, bit 0 of byte 1 the method. The
 * payload is decoded as the server decodes it, the matrix asked (only an
 * operator writes the registry), and an operator's request gets the
 * handler's pure checks. What passes must be storable: ids of the plain
 * alphabet, a valid credit code, no negative figure. */
#include <stdlib.h>

#include "book/uscc.h"
#include "fuzz_common.h"
#include "syndication/checks.h"

#define PUT_BANK     "/synd.v1.Registry/PutBank"
#define PUT_BORROWER "/synd.v1.Registry/PutBorrower"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_bank(const registry_identity *who, const uint8_t *data, size_t size)
{
    ProtobufCMessage *m = fuzz_decode(&synd__v1__bank__descriptor, data, size);
    const Synd__V1__Bank *b = (const Synd__V1__Bank *)m;
    synd_status st;

    if (m == NULL)
        return;
    if (fuzz_allowed(PUT_BANK, who) != (who->role == ROLE_OPERATOR))
        abort();
    if (who->role == ROLE_OPERATOR && syndication_check_bank(b, &st) == SYND_OK &&
        (!syndication_id_ok(b->bank_id) || b->net_capital_fen < 0 || b->tier1_capital_fen < 0))
        abort();
    protobuf_c_message_free_unpacked(m, NULL);
}

static void put_borrower(const registry_identity *who, const uint8_t *data, size_t size)
{
    ProtobufCMessage *m = fuzz_decode(&synd__v1__borrower__descriptor, data, size);
    const Synd__V1__Borrower *b = (const Synd__V1__Borrower *)m;
    synd_status st;

    if (m == NULL)
        return;
    if (fuzz_allowed(PUT_BORROWER, who) != (who->role == ROLE_OPERATOR))
        abort();
    if (who->role == ROLE_OPERATOR && syndication_check_borrower(b, &st) == SYND_OK &&
        (book_uscc_check(b->code, &st) != SYND_OK || b->joint_limit_fen < 0 ||
         !syndication_id_ok(b->group_id[0] ? b->group_id : b->code)))
        abort();
    protobuf_c_message_free_unpacked(m, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const registry_identity *who;

    if (size < 2)
        return 0;
    who = &fuzz_callers[data[0] % FUZZ_N_CALLERS];
    if (data[1] & 1)
        put_borrower(who, data + 2, size - 2);
    else
        put_bank(who, data + 2, size - 2);
    return 0;
}
