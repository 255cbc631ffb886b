/* libFuzzer target: OpenBook's request validation, without side effects.
 * The input is the payload of an OpenBook call. It is decoded as the
 * server decodes it (wire walk, budget), the matrix is asked for every
 * caller, and each caller it allows gets the pure checks of the handler
 * (defaults, conversion, every rule of the terms, and the matrix's scope:
 * a lead opens only its own books) at a fixed time. What passes must be a
 * book the rules accept, led by its caller. */
#include <stdlib.h>

#include "fuzz_common.h"
#include "syndication/checks.h"

#define OPEN_BOOK "/synd.v1.Syndication/OpenBook"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    book_rules rules = book_rules_default();
    ProtobufCMessage *m = fuzz_decode(&synd__v1__open_book_request__descriptor, data, size);
    Synd__V1__OpenBookRequest *req = (Synd__V1__OpenBookRequest *)m;

    if (m == NULL)
        return 0;
    for (int i = 0; i < FUZZ_N_CALLERS; i++) {
        const registry_identity *who = &fuzz_callers[i];
        book_terms t;
        synd_status st;
        synd_code code;

        if (fuzz_allowed(OPEN_BOOK, who) != (who->role == ROLE_LEAD))
            abort();
        if (who->role != ROLE_LEAD)
            continue;
        code = syndication_check_open_book(&rules, who, req->terms, FUZZ_NOW_MS, &t, &st);
        if (code == SYND_OK)
            fuzz_expect_sound_terms(&t, who->bank_id);
        else if (code != SYND_INVALID_ARGUMENT && code != SYND_PERMISSION_DENIED)
            abort();
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
