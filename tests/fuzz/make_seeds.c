/* Writes the seed corpus of every fuzz target, one folder per target
 * under DIR (corpus/<name>/ for fuzz_<name>): a few well-formed inputs
 * for each path through the code under test, and a few hostile ones, so
 * that the fuzzer starts from inputs that reach the checks instead of
 * having to discover protobuf first.
 *
 * Usage: make_seeds DIR   (the committed seeds are in tests/fuzz/corpus/)
 *
 * The output is deterministic: fixed call ids, deadlines that are either
 * none, long past or far in the future, and book times relative to
 * FUZZ_NOW_MS, the time the request targets check at. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "rpc/envelope.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/supervision.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

#define DEADLINE_PAST   1             /* 1970-01-01T00:00:00.001Z */
#define DEADLINE_FUTURE 4102444800000 /* 2100-01-01T00:00:00Z */
#define MAX_SEED        4096

/* The request targets' option bytes: the caller, by fuzz_callers index. */
#define ICBC FUZZ_ICBC
#define BOC  FUZZ_BOC
#define NFRA FUZZ_NFRA
#define OPS  FUZZ_OPS

static const char *root;

/* Writes bytes into root/target/name, making the folder. */
static int write_file(const char *target, const char *name, const uint8_t *bytes, size_t len)
{
    char path[4096];
    FILE *f;
    int ok;

    snprintf(path, sizeof(path), "%s/%s", root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        return -1;
    }
    snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
    if ((f = fopen(path, "wb")) == NULL) {
        perror(path);
        return -1;
    }
    ok = fwrite(bytes, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        perror(path);
    return ok ? 0 : -1;
}

/* Writes a request target's seed: the two option bytes (if with_options),
 * then msg packed. */
static int write_request(const char *target, const char *name, int with_options, uint8_t opt0,
                         uint8_t opt1, const ProtobufCMessage *msg)
{
    uint8_t buf[MAX_SEED];
    size_t n = with_options ? 2 : 0;

    if (protobuf_c_message_get_packed_size(msg) > sizeof(buf) - n) {
        fprintf(stderr, "make_seeds: %s/%s is too large\n", target, name);
        return -1;
    }
    buf[0] = opt0;
    buf[1] = opt1;
    n += protobuf_c_message_pack(msg, buf + n);
    return write_file(target, name, buf, n);
}

/* --- fuzz_envelope ------------------------------------------------------- */

/* Encodes env (with msg, if any, as its payload) into the envelope corpus. */
static int write_envelope(const char *name, rpc_envelope *env, const ProtobufCMessage *msg)
{
    uint8_t payload[256], *buf;
    size_t len;
    int rc;

    if (msg != NULL) {
        if (protobuf_c_message_get_packed_size(msg) > sizeof(payload)) {
            fprintf(stderr, "make_seeds: payload of %s too large\n", name);
            return -1;
        }
        env->payload.len = protobuf_c_message_pack(msg, payload);
        env->payload.data = payload;
    }
    if (rpc_envelope_encode(env, &buf, &len) != 0) {
        fprintf(stderr, "make_seeds: out of memory\n");
        return -1;
    }
    rc = write_file("envelope", name, buf, len);
    free(buf);
    return rc;
}

/* An envelope calling method with call id id and deadline deadline_ms. */
static rpc_envelope request(uint64_t id, const char *method, int64_t deadline_ms)
{
    rpc_envelope env = SYND__V1__ENVELOPE__INIT;

    env.call_id = id;
    env.method = (char *)method;
    env.deadline_ms = deadline_ms;
    return env;
}

/* One frame per path through rpc_server_process. fuzz_envelope ends a
 * stream by call id % 3: 0 the client cancels, 1 its deadline passes, 2
 * the server closes with it open. */
static int envelope_seeds(void)
{
    Synd__V1__HealthCheckRequest health = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__HealthCheckRequest health_svc = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__ListMethodsRequest list = SYND__V1__LIST_METHODS_REQUEST__INIT;
    Synd__V1__MetadataEntry meta = SYND__V1__METADATA_ENTRY__INIT;
    Synd__V1__MetadataEntry *metas[] = {&meta};
    rpc_envelope check = request(1, "/synd.v1.Health/Check", 0);
    rpc_envelope check_svc = request(2, "/synd.v1.Health/Check", DEADLINE_FUTURE);
    rpc_envelope watch = request(3, "/synd.v1.Health/Watch", 0);
    rpc_envelope watch_deadline = request(4, "/synd.v1.Health/Watch", DEADLINE_FUTURE);
    rpc_envelope watch_open = request(5, "/synd.v1.Health/Watch", 0);
    rpc_envelope cancel = SYND__V1__ENVELOPE__INIT;
    rpc_envelope bad_method = request(6, "synd.v1.Health/Check", 0);
    rpc_envelope unknown = request(7, "/synd.v1.Health/Nope", 0);
    rpc_envelope past = request(8, "/synd.v1.Health/Watch", DEADLINE_PAST);
    rpc_envelope methods = request(9, "/synd.v1.Reflection/ListMethods", 0);

    health_svc.service = "synd.v1.Reflection";
    list.service = "synd.v1.Health";
    meta.key = "trace";
    meta.value = "seed";
    check_svc.idempotency_key = "seed-2";
    check_svc.n_metadata = 1;
    check_svc.metadata = metas;
    cancel.call_id = 3;
    cancel.cancel = 1;
    if (write_envelope("check", &check, &health.base) != 0 ||
        write_envelope("check_service", &check_svc, &health_svc.base) != 0 ||
        write_envelope("list_methods", &methods, &list.base) != 0 ||
        write_envelope("watch", &watch, &health.base) != 0 ||
        write_envelope("watch_deadline", &watch_deadline, &health.base) != 0 ||
        write_envelope("watch_open", &watch_open, &health_svc.base) != 0 ||
        write_envelope("cancel", &cancel, NULL) != 0 ||
        write_envelope("bad_method", &bad_method, &health.base) != 0 ||
        write_envelope("unknown_method", &unknown, NULL) != 0 ||
        write_envelope("past_deadline", &past, &health.base) != 0)
        return -1;
    return 0;
}

/* --- the requests -------------------------------------------------------- */

/* Terms a lead would open with: fuzz_book()'s, and an arrangement fee. */
typedef struct terms {
    Synd__V1__BookTerms t;
    Synd__V1__LeadHold lead[2];
    Synd__V1__LeadHold *leads[2];
    Synd__V1__Fee fee[2];
    Synd__V1__Fee *fees[2];
} terms;

static void terms_init(terms *s)
{
    memset(s, 0, sizeof(*s));
    synd__v1__book_terms__init(&s->t);
    s->t.borrower_code = "91350100M000100Y43";
    s->t.industry_code = "C3841";
    s->t.project = "Lithium-ion cell plant";
    s->t.facility_fen = 100000000000LL;
    s->t.unit_fen = 1000000;
    s->t.tenor_months = 60;
    s->t.reference_rate = SYND__V1__REFERENCE_RATE__LPR_5Y;
    s->t.spread_floor_bps = 10;
    s->t.spread_cap_bps = 60;
    s->t.min_ticket_fen = 5000000000LL;
    s->t.close_ms = FUZZ_CLOSE_MS;
    for (int i = 0; i < 2; i++) {
        synd__v1__lead_hold__init(&s->lead[i]);
        s->leads[i] = &s->lead[i];
        synd__v1__fee__init(&s->fee[i]);
        s->fees[i] = &s->fee[i];
    }
    s->lead[0].bank_id = "ICBC";
    s->lead[0].hold_fen = 15000000000LL;
    s->t.n_leads = 1;
    s->t.leads = s->leads;
    s->fee[0].kind = "arrangement";
    s->fee[0].basis = SYND__V1__FEE_BASIS__ONE_OFF_BPS;
    s->fee[0].bps = 25;
    s->t.n_fees = 1;
    s->t.fees = s->fees;
}

/* A hand-encoded length-delimited field, for bytes no encoder makes. */
static size_t put_len(uint8_t *at, unsigned field, const void *p, size_t n)
{
    at[0] = (uint8_t)(field << 3 | 2);
    at[1] = (uint8_t)n;
    memcpy(at + 2, p, n);
    return n + 2;
}

static int open_book_seeds(void)
{
    static char *tie_ins[] = {"a deposit account with the lead"};
    Synd__V1__OpenBookRequest req = SYND__V1__OPEN_BOOK_REQUEST__INIT;
    Synd__V1__OpenBookRequest none = SYND__V1__OPEN_BOOK_REQUEST__INIT;
    uint8_t lead[16], terms_bytes[32], raw[48];
    size_t n;
    terms s;

    req.terms = &s.t;
    terms_init(&s);
    if (write_request("open_book", "sole_lead", 0, 0, 0, &req.base) != 0 ||
        write_request("open_book", "no_terms", 0, 0, 0, &none.base) != 0)
        return -1;
    s.lead[0].hold_fen = 10000000000LL;
    s.lead[1].bank_id = "CCB";
    s.lead[1].hold_fen = 10000000000LL;
    s.t.n_leads = 2;
    if (write_request("open_book", "co_leads", 0, 0, 0, &req.base) != 0)
        return -1;
    terms_init(&s);
    s.t.shortfall = SYND__V1__SHORTFALL_RULE__BEST_EFFORTS;
    s.t.borrower_min_fen = 50000000000LL;
    s.t.method = SYND__V1__ALLOCATION_METHOD__PRICE_PRIORITY;
    s.fee[1].kind = "agency";
    s.fee[1].basis = SYND__V1__FEE_BASIS__FIXED_YEARLY;
    s.fee[1].fen = 1000000;
    s.t.n_fees = 2;
    if (write_request("open_book", "best_efforts", 0, 0, 0, &req.base) != 0)
        return -1;
    terms_init(&s);
    s.t.n_tie_ins = 1;
    s.t.tie_ins = tie_ins;
    if (write_request("open_book", "tie_in", 0, 0, 0, &req.base) != 0)
        return -1;
    terms_init(&s);
    s.t.facility_fen = INT64_MAX;
    s.lead[0].hold_fen = INT64_MAX;
    if (write_request("open_book", "overflow", 0, 0, 0, &req.base) != 0)
        return -1;
    /* terms { leads { bank_id: "IC\0BC" } } */
    n = put_len(lead, 1, "IC\0BC", 5);
    n = put_len(terms_bytes, 12, lead, n);
    n = put_len(raw, 1, terms_bytes, n);
    return write_file("open_book", "lead_with_nul", raw, n);
}

static int submit_bid_seeds(void)
{
    Synd__V1__SubmitBidRequest bid = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    uint8_t raw[32] = {BOC, 0};
    size_t n;

    bid.book_id = "BK-1";
    bid.amount_fen = 10000000000LL;
    bid.spread_bps = 30;
    if (write_request("submit_bid", "participant", 1, BOC, 0, &bid.base) != 0 ||
        write_request("submit_bid", "retry_after_close", 1, BOC, 3, &bid.base) != 0 ||
        write_request("submit_bid", "closed", 1, BOC, 1, &bid.base) != 0 ||
        write_request("submit_bid", "lead", 1, ICBC, 0, &bid.base) != 0)
        return -1;
    bid.amount_fen = -1;
    if (write_request("submit_bid", "negative", 1, BOC, 0, &bid.base) != 0)
        return -1;
    bid.amount_fen = 10000000000LL;
    bid.spread_bps = 90;
    if (write_request("submit_bid", "out_of_band", 1, BOC, 0, &bid.base) != 0)
        return -1;
    n = 2 + put_len(raw + 2, 1, "BK-1\0x", 6);
    return write_file("submit_bid", "book_id_with_nul", raw, n);
}

static int registry_seeds(void)
{
    Synd__V1__Bank bank = SYND__V1__BANK__INIT;
    Synd__V1__Borrower borrower = SYND__V1__BORROWER__INIT;

    bank.bank_id = "SECTEST";
    bank.name = "Security test bank";
    bank.net_capital_fen = 1000000000000LL;
    bank.tier1_capital_fen = 800000000000LL;
    borrower.code = "91350100M000100Y43";
    borrower.name = "Fujian Lithium Energy";
    borrower.group_id = "FJLE";
    if (write_request("registry", "bank", 1, OPS, 0, &bank.base) != 0 ||
        write_request("registry", "bank_as_lead", 1, ICBC, 0, &bank.base) != 0 ||
        write_request("registry", "borrower", 1, OPS, 1, &borrower.base) != 0)
        return -1;
    bank.net_capital_fen = -1;
    borrower.code = "91350100M000100Y44";
    borrower.joint_limit_fen = 300000000000LL;
    return write_request("registry", "bank_negative", 1, OPS, 0, &bank.base) ||
           write_request("registry", "borrower_bad_code", 1, OPS, 1, &borrower.base);
}

/* The index of method name in the Supervision service. */
static uint8_t supervision_index(const char *name)
{
    const ProtobufCMethodDescriptor *m =
        protobuf_c_service_descriptor_get_method_by_name(&synd__v1__supervision__descriptor, name);

    return (uint8_t)(m - synd__v1__supervision__descriptor.methods);
}

static int supervision_seeds(void)
{
    Synd__V1__GetBorrowerExposureRequest borrower = SYND__V1__GET_BORROWER_EXPOSURE_REQUEST__INIT;
    Synd__V1__GetBankExposureRequest bank = SYND__V1__GET_BANK_EXPOSURE_REQUEST__INIT;
    Synd__V1__TopConcentrationsRequest top = SYND__V1__TOP_CONCENTRATIONS_REQUEST__INIT;
    Synd__V1__WatchSupervisionRequest watch = SYND__V1__WATCH_SUPERVISION_REQUEST__INIT;
    Synd__V1__GetAuditLogRequest audit = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;

    borrower.borrower_code = "91350100M000100Y43";
    bank.bank_id = "CIB";
    top.n = 10;
    watch.snapshot = 1;
    audit.from_ms = FUZZ_NOW_MS - 3600000;
    audit.limit = 100;
    if (write_request("supervision", "borrower", 1, NFRA, supervision_index("GetBorrowerExposure"),
                      &borrower.base) != 0 ||
        write_request("supervision", "bank", 1, NFRA, supervision_index("GetBankExposure"),
                      &bank.base) != 0 ||
        write_request("supervision", "top", 1, NFRA, supervision_index("TopConcentrations"),
                      &top.base) != 0 ||
        write_request("supervision", "watch", 1, NFRA, supervision_index("WatchSupervision"),
                      &watch.base) != 0 ||
        write_request("supervision", "audit", 1, NFRA, supervision_index("GetAuditLog"),
                      &audit.base) != 0 ||
        write_request("supervision", "audit_as_participant", 1, BOC,
                      supervision_index("GetAuditLog"), &audit.base) != 0)
        return -1;
    top.n = -1;
    audit.after_id = "1767225600000-0";
    return write_request("supervision", "top_negative", 1, NFRA,
                         supervision_index("TopConcentrations"), &top.base) ||
           write_request("supervision", "audit_after_and_from", 1, NFRA,
                         supervision_index("GetAuditLog"), &audit.base);
}

/* --- fuzz_any_method ----------------------------------------------------- */

/* The services in the order fuzz_any_method counts their methods. */
static const ProtobufCServiceDescriptor *const services[] = {
    &synd__v1__health__descriptor,      &synd__v1__reflection__descriptor,
    &synd__v1__syndication__descriptor, &synd__v1__registry__descriptor,
    &synd__v1__supervision__descriptor,
};

/* A caller the policy allows for method name, so that the seed reaches
 * the method's checks. */
static uint8_t allowed_caller(const char *service, const char *name)
{
    static const char *const lead_only[] = {"OpenBook", "CancelBook", "CloseBook",
                                            "RecordRepayment"};

    if (strcmp(service, "synd.v1.Supervision") == 0)
        return NFRA;
    if (strcmp(name, "PutBank") == 0 || strcmp(name, "PutBorrower") == 0)
        return OPS;
    for (size_t i = 0; i < sizeof(lead_only) / sizeof(lead_only[0]); i++) {
        if (strcmp(name, lead_only[i]) == 0)
            return ICBC;
    }
    return BOC;
}

static int any_method_seeds(void)
{
    Synd__V1__OpenBookRequest open = SYND__V1__OPEN_BOOK_REQUEST__INIT;
    Synd__V1__SubmitBidRequest bid = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    Synd__V1__BookRef ref = SYND__V1__BOOK_REF__INIT;
    Synd__V1__GetHeadroomRequest headroom = SYND__V1__GET_HEADROOM_REQUEST__INIT;
    Synd__V1__RecordRepaymentRequest repay = SYND__V1__RECORD_REPAYMENT_REQUEST__INIT;
    Synd__V1__WatchBooksRequest watch = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    Synd__V1__HealthCheckRequest health = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    static char *industries[] = {"C38", "C3841"};
    unsigned index = 0;
    terms s;

    terms_init(&s);
    open.terms = &s.t;
    bid.book_id = ref.book_id = repay.book_id = "BK-1";
    bid.amount_fen = 10000000000LL;
    bid.spread_bps = 30;
    headroom.borrower_code = "91350100M000100Y43";
    repay.amount_fen = 100000000;
    watch.n_industry_codes = 2;
    watch.industry_codes = industries;
    watch.min_facility_fen = 1000000000;
    health.service = "synd.v1.Syndication";
    for (size_t k = 0; k < sizeof(services) / sizeof(services[0]); k++) {
        for (unsigned m = 0; m < services[k]->n_methods; m++, index++) {
            const ProtobufCMethodDescriptor *md = &services[k]->methods[m];
            const ProtobufCMessage *msg = NULL;
            _Alignas(max_align_t) uint8_t empty[256];
            char name[160];

            if (md->input == open.base.descriptor)
                msg = &open.base;
            else if (md->input == bid.base.descriptor)
                msg = &bid.base;
            else if (md->input == ref.base.descriptor)
                msg = &ref.base;
            else if (md->input == headroom.base.descriptor)
                msg = &headroom.base;
            else if (md->input == repay.base.descriptor)
                msg = &repay.base;
            else if (md->input == watch.base.descriptor)
                msg = &watch.base;
            else if (md->input == health.base.descriptor)
                msg = &health.base;
            if (msg == NULL) {
                /* Any other input: its empty message. */
                if (md->input->sizeof_message > sizeof(empty))
                    return -1;
                protobuf_c_message_init(md->input, empty);
                msg = (const ProtobufCMessage *)empty;
            }
            snprintf(name, sizeof(name), "%s_%s", services[k]->short_name, md->name);
            if (write_request("any_method", name, 1, allowed_caller(services[k]->name, md->name),
                              (uint8_t)index, msg) != 0)
                return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    root = argv[1];
    if (envelope_seeds() != 0 || open_book_seeds() != 0 || submit_bid_seeds() != 0 ||
        registry_seeds() != 0 || supervision_seeds() != 0 || any_method_seeds() != 0)
        return 1;
    return 0;
}
