/* What the request-validation fuzz targets share; see fuzz_common.h. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "rpc/authz.h"
#include "rpc/validate.h"
#include "syndication/convert.h"

#define MAX_DEPTH 32

const registry_identity fuzz_callers[FUZZ_N_CALLERS] = {
    {.bank_id = "ICBC", .role = ROLE_LEAD},
    {.bank_id = "CCB", .role = ROLE_LEAD},
    {.bank_id = "BOC-SH", .role = ROLE_PARTICIPANT},
    {.bank_id = "CIB", .role = ROLE_PARTICIPANT},
    {.bank_id = "NFRA", .role = ROLE_SUPERVISOR},
    {.bank_id = "SYND_OPS", .role = ROLE_OPERATOR},
    {.bank_id = "", .role = ROLE_NONE},
};

/* Aborts unless s is a string the validator lets through for a field
 * named name. */
static void expect_string(const char *s, const char *name)
{
    size_t n = strlen(s);

    if (n > validate_string_bound(name) || !validate_utf8((const uint8_t *)s, n, NULL))
        abort();
}

/* Walks every string of a decoded message, as the validator walked its
 * bytes. */
static void expect_strings(const ProtobufCMessage *m, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;

    if (depth > MAX_DEPTH)
        abort();
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *at = (const char *)m + f->offset;
        size_t n = 1;
        const void *const *v = (const void *const *)at;

        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *)((const char *)m + f->quantifier_offset);
            v = *(const void *const *const *)at;
        }
        for (size_t k = 0; k < n; k++) {
            if (v[k] == NULL)
                continue;
            if (f->type == PROTOBUF_C_TYPE_STRING)
                expect_string(v[k], f->name);
            else
                expect_strings(v[k], depth + 1);
        }
    }
}

ProtobufCMessage *fuzz_decode(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t size)
{
    ProtobufCMessage *m;
    synd_status st;

    if (validate_decode(d, data, size, VALIDATE_DECODE_BUDGET, &m, &st) != SYND_OK) {
        if ((st.code != SYND_INVALID_ARGUMENT && st.code != SYND_RESOURCE_EXHAUSTED) || m != NULL)
            abort();
        return NULL;
    }
    expect_strings(m, 0);
    return m;
}

int fuzz_allowed(const char *method, const registry_identity *caller)
{
    synd_status st;
    synd_code code = authz_check(method, caller, &st);

    if ((code == SYND_OK) != (authz_scope_of(method, caller->role) != AUTHZ_DENY))
        abort();
    if (code != SYND_OK && (code != SYND_PERMISSION_DENIED || st.message[0] == '\0'))
        abort();
    return code == SYND_OK;
}

const book_terms *fuzz_book(void)
{
    static book_terms t;
    static int made;
    Synd__V1__BookTerms wire = SYND__V1__BOOK_TERMS__INIT;
    Synd__V1__LeadHold lead = SYND__V1__LEAD_HOLD__INIT, *leads[] = {&lead};
    book_rules rules = book_rules_default();
    synd_status st;

    if (made)
        return &t;
    wire.borrower_code = "91350100M000100Y43";
    wire.industry_code = "C3841";
    wire.project = "Lithium-ion cell plant";
    wire.facility_fen = 100000000000LL;
    wire.unit_fen = 1000000;
    wire.tenor_months = 60;
    wire.reference_rate = SYND__V1__REFERENCE_RATE__LPR_5Y;
    wire.spread_floor_bps = 10;
    wire.spread_cap_bps = 60;
    wire.min_ticket_fen = 5000000000LL;
    wire.close_ms = FUZZ_CLOSE_MS;
    lead.bank_id = "ICBC";
    lead.hold_fen = 15000000000LL;
    wire.n_leads = 1;
    wire.leads = leads;
    convert_terms_defaults(&wire, &rules);
    if (convert_terms(&wire, &rules, &t, &st) != SYND_OK ||
        book_terms_check(&rules, &t, FUZZ_NOW_MS, &st) != SYND_OK)
        abort();
    made = 1;
    return &t;
}

void fuzz_expect_sound_terms(const book_terms *t, const char *bank)
{
    book_rules rules = book_rules_default();
    int64_t held = 0;
    synd_status st;

    if (book_lead_index(t, bank) < 0 || t->facility_fen <= 0 ||
        t->facility_fen > BOOK_MAX_FACILITY_FEN || t->unit_fen <= 0 || t->n_leads < 1 ||
        t->n_leads > BOOK_MAX_LEADS || t->n_tie_ins != 0)
        abort();
    for (size_t i = 0; i < t->n_leads; i++) {
        if (t->leads[i].hold_fen <= 0 || __builtin_add_overflow(held, t->leads[i].hold_fen, &held))
            abort();
    }
    if (held > t->facility_fen || book_terms_check(&rules, t, FUZZ_NOW_MS, &st) != SYND_OK)
        abort();
}
