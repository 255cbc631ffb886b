/* libFuzzer target: any method's request, validated without side effects.
 * The input is two option bytes, then the payload: byte 0 picks the
 * caller, byte 1 the method among every method of every service the
 * broker serves. The payload is decoded as the server decodes it, the
 * matrix asked (every method must have its row), and an allowed caller's
 * request gets its handler's pure checks where it has any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "rpc/authz.h"
#include "supervise/checks.h"
#include "syndication/checks.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const ProtobufCServiceDescriptor *const services[] = {
    &synd__v1__health__descriptor,      &synd__v1__reflection__descriptor,
    &synd__v1__syndication__descriptor, &synd__v1__registry__descriptor,
    &synd__v1__supervision__descriptor,
};

#define N_SERVICES (sizeof(services) / sizeof(services[0]))

/* The i-th method of all services, i below their total; its service in
 * *svc. */
static const ProtobufCMethodDescriptor *method_at(unsigned i,
                                                  const ProtobufCServiceDescriptor **svc)
{
    unsigned total = 0;

    for (size_t k = 0; k < N_SERVICES; k++)
        total += services[k]->n_methods;
    i %= total;
    for (size_t k = 0; k < N_SERVICES; k++) {
        if (i < services[k]->n_methods) {
            *svc = services[k];
            return &services[k]->methods[i];
        }
        i -= services[k]->n_methods;
    }
    abort();
}

/* The handler's pure checks of name's request m, for who. */
static void pure_checks(const char *name, const registry_identity *who, ProtobufCMessage *m)
{
    book_rules rules = book_rules_default();
    synd_status st;
    book_terms t;
    book_bid bid;
    int64_t to;
    size_t n;
    int retry;

    if (strcmp(name, "OpenBook") == 0) {
        if (syndication_check_open_book(&rules, who, ((Synd__V1__OpenBookRequest *)m)->terms,
                                        FUZZ_NOW_MS, &t, &st) == SYND_OK)
            fuzz_expect_sound_terms(&t, who->bank_id);
    } else if (strcmp(name, "SubmitBid") == 0) {
        if (syndication_check_bid(fuzz_book(), BOOK_OPEN, who->bank_id, (const void *)m, "",
                                  FUZZ_NOW_MS, &bid, &retry, &st) == SYND_OK &&
            (retry || bid.amount_fen <= 0))
            abort();
    } else if (strcmp(name, "GetHeadroom") == 0) {
        syndication_check_headroom((const void *)m, &st);
    } else if (strcmp(name, "RecordRepayment") == 0) {
        if (syndication_check_repayment((const void *)m, &st) == SYND_OK &&
            ((const Synd__V1__RecordRepaymentRequest *)m)->amount_fen <= 0)
            abort();
    } else if (strcmp(name, "WatchBooks") == 0) {
        syndication_check_watch((const void *)m, &st);
    } else if (strcmp(name, "PutBank") == 0) {
        syndication_check_bank((const void *)m, &st);
    } else if (strcmp(name, "PutBorrower") == 0) {
        syndication_check_borrower((const void *)m, &st);
    } else if (strcmp(name, "GetBorrowerExposure") == 0) {
        supervision_check_borrower_exposure((const void *)m, &st);
    } else if (strcmp(name, "GetBankExposure") == 0) {
        supervision_check_bank_exposure((const void *)m, &st);
    } else if (strcmp(name, "TopConcentrations") == 0) {
        supervision_check_top((const void *)m, &n, &st);
    } else if (strcmp(name, "GetAuditLog") == 0) {
        supervision_check_audit_log((const void *)m, FUZZ_NOW_MS, &to, &n, &st);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ProtobufCServiceDescriptor *svc;
    const ProtobufCMethodDescriptor *md;
    const registry_identity *who;
    ProtobufCMessage *m;
    char method[160];

    if (size < 2)
        return 0;
    who = &fuzz_callers[data[0] % FUZZ_N_CALLERS];
    md = method_at(data[1], &svc);
    snprintf(method, sizeof(method), "/%s/%s", svc->name, md->name);
    if (authz_find(method) == NULL)
        abort(); /* a served method without a row: refused to all */
    if ((m = fuzz_decode(md->input, data + 2, size - 2)) == NULL)
        return 0;
    if (fuzz_allowed(method, who))
        pure_checks(md->name, who, m);
    protobuf_c_message_free_unpacked(m, NULL);
    return 0;
}
