/* The independent authorization matrix of the security tests; see
 * matrix.h. */
#include <stddef.h>
#include <string.h>

#include <criterion/criterion.h>

#include "matrix.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"

static const char *const who_name[MX_N_WHO] = {
    "ICBC, lead of the book",
    "CCB, a lead but not of the book",
    "BOC-SH, participant that bid",
    "CIB, participant that did not",
    "NFRA, supervisor",
    "SYND_OPS, operator",
    "anonymous (--insecure)",
};

const bk_who mx_cast[MX_N_WHO - 1] = {BK_ICBC, BK_CCB, BK_BOC, BK_CIB, BK_NFRA, BK_OPS};

/* y: allowed (any status but PERMISSION_DENIED); n: PERMISSION_DENIED.
 * A lead acts only on its own books, and reads the others' as itself; a
 * participant bids, withdraws and reads only as itself; a supervisor
 * reads everything and changes nothing; an operator keeps the registry;
 * health and reflection are open to all, and all an anonymous caller
 * gets. */
static const struct {
    const char *method;
    const char *expect; /* ICBC CCB BOC CIB NFRA OPS anonymous */
} matrix[] = {
    {"/synd.v1.Health/Check", "yyyyyyy"},
    {"/synd.v1.Health/Watch", "yyyyyyy"},
    {"/synd.v1.Reflection/ListServices", "yyyyyyy"},
    {"/synd.v1.Reflection/ListMethods", "yyyyyyy"},
    {"/synd.v1.Reflection/WhoAmI", "yyyyyyy"},
    {"/synd.v1.Reflection/GetStats", "yyyyyyy"},
    {"/synd.v1.Syndication/OpenBook", "ynnnnnn"},
    {"/synd.v1.Syndication/CancelBook", "ynnnnnn"},
    {"/synd.v1.Syndication/CloseBook", "ynnnnnn"},
    {"/synd.v1.Syndication/GetBook", "yyyyynn"},
    {"/synd.v1.Syndication/SubmitBid", "nnyynnn"},
    {"/synd.v1.Syndication/WithdrawBid", "nnyynnn"},
    {"/synd.v1.Syndication/GetAllocation", "yyyyynn"},
    {"/synd.v1.Syndication/GetHeadroom", "yyyynnn"},
    {"/synd.v1.Syndication/RecordRepayment", "ynnnnnn"},
    {"/synd.v1.Syndication/WatchBooks", "yyyynnn"},
    {"/synd.v1.Registry/PutBank", "nnnnnyn"},
    {"/synd.v1.Registry/PutBorrower", "nnnnnyn"},
    {"/synd.v1.Registry/ListBanks", "yyyyyyn"},
    {"/synd.v1.Registry/ListBorrowers", "yyyyyyn"},
    {"/synd.v1.Supervision/GetBorrowerExposure", "nnnnynn"},
    {"/synd.v1.Supervision/GetBankExposure", "nnnnynn"},
    {"/synd.v1.Supervision/TopConcentrations", "nnnnynn"},
    {"/synd.v1.Supervision/WatchSupervision", "nnnnynn"},
    {"/synd.v1.Supervision/GetAuditLog", "nnnnynn"},
};

#define N_ROWS (sizeof(matrix) / sizeof(matrix[0]))

size_t mx_rows(void)
{
    return N_ROWS;
}

const char *mx_method(size_t r)
{
    return matrix[r].method;
}

/* One request of every method, built in place. */
typedef struct requests {
    Synd__V1__HealthCheckRequest health;
    Synd__V1__ListServicesRequest services;
    Synd__V1__ListMethodsRequest methods;
    Synd__V1__WhoAmIRequest whoami;
    Synd__V1__GetStatsRequest stats;
    bk_terms terms;
    Synd__V1__OpenBookRequest open;
    Synd__V1__BookRef cancel, close, book, withdraw, allocation;
    Synd__V1__SubmitBidRequest bid;
    Synd__V1__GetHeadroomRequest headroom;
    Synd__V1__RecordRepaymentRequest repay;
    Synd__V1__WatchBooksRequest watch;
    Synd__V1__Bank bank;
    Synd__V1__Borrower borrower;
    Synd__V1__ListBanksRequest banks;
    Synd__V1__ListBorrowersRequest borrowers;
    Synd__V1__GetBorrowerExposureRequest borrower_exposure;
    Synd__V1__GetBankExposureRequest bank_exposure;
    Synd__V1__TopConcentrationsRequest top;
    Synd__V1__WatchSupervisionRequest supervision;
    Synd__V1__GetAuditLogRequest audit;
} requests;

static requests rq;

static void book_ref(Synd__V1__BookRef *r, const char *id)
{
    synd__v1__book_ref__init(r);
    r->book_id = (char *)id;
}

void mx_build(const mx_books *b)
{
    memset(&rq, 0, sizeof(rq));
    synd__v1__health_check_request__init(&rq.health);
    synd__v1__list_services_request__init(&rq.services);
    synd__v1__list_methods_request__init(&rq.methods);
    synd__v1__who_am_irequest__init(&rq.whoami);
    synd__v1__get_stats_request__init(&rq.stats);
    bk_terms_init(&rq.terms);
    synd__v1__open_book_request__init(&rq.open);
    rq.open.terms = &rq.terms.t;
    book_ref(&rq.cancel, b->cancel);
    book_ref(&rq.close, b->close);
    book_ref(&rq.book, b->open);
    book_ref(&rq.withdraw, b->withdraw);
    book_ref(&rq.allocation, b->allocated);
    synd__v1__submit_bid_request__init(&rq.bid);
    rq.bid.book_id = (char *)b->open;
    rq.bid.amount_fen = MN(100);
    rq.bid.spread_bps = 30;
    synd__v1__get_headroom_request__init(&rq.headroom);
    rq.headroom.borrower_code = BORROWER_A;
    synd__v1__record_repayment_request__init(&rq.repay);
    rq.repay.book_id = (char *)b->allocated;
    rq.repay.amount_fen = MN(1);
    synd__v1__watch_books_request__init(&rq.watch);
    synd__v1__bank__init(&rq.bank);
    rq.bank.bank_id = "SECTEST";
    rq.bank.name = "Security test bank";
    rq.bank.net_capital_fen = 1000000000000LL;
    rq.bank.tier1_capital_fen = 800000000000LL;
    synd__v1__borrower__init(&rq.borrower);
    rq.borrower.code = BORROWER_B;
    rq.borrower.name = "Shenzhen borrower";
    rq.borrower.group_id = BORROWER_B_GROUP;
    synd__v1__list_banks_request__init(&rq.banks);
    synd__v1__list_borrowers_request__init(&rq.borrowers);
    synd__v1__get_borrower_exposure_request__init(&rq.borrower_exposure);
    rq.borrower_exposure.borrower_code = BORROWER_A;
    synd__v1__get_bank_exposure_request__init(&rq.bank_exposure);
    rq.bank_exposure.bank_id = "CIB";
    synd__v1__top_concentrations_request__init(&rq.top);
    synd__v1__watch_supervision_request__init(&rq.supervision);
    rq.supervision.snapshot = 1;
    synd__v1__get_audit_log_request__init(&rq.audit);
}

/* The request of method, from rq. */
static const ProtobufCMessage *request_of(const char *method)
{
    static const struct {
        const char *method;
        size_t offset;
    } of[] = {
        {"/synd.v1.Health/Check", offsetof(requests, health)},
        {"/synd.v1.Health/Watch", offsetof(requests, health)},
        {"/synd.v1.Reflection/ListServices", offsetof(requests, services)},
        {"/synd.v1.Reflection/ListMethods", offsetof(requests, methods)},
        {"/synd.v1.Reflection/WhoAmI", offsetof(requests, whoami)},
        {"/synd.v1.Reflection/GetStats", offsetof(requests, stats)},
        {"/synd.v1.Syndication/OpenBook", offsetof(requests, open)},
        {"/synd.v1.Syndication/CancelBook", offsetof(requests, cancel)},
        {"/synd.v1.Syndication/CloseBook", offsetof(requests, close)},
        {"/synd.v1.Syndication/GetBook", offsetof(requests, book)},
        {"/synd.v1.Syndication/SubmitBid", offsetof(requests, bid)},
        {"/synd.v1.Syndication/WithdrawBid", offsetof(requests, withdraw)},
        {"/synd.v1.Syndication/GetAllocation", offsetof(requests, allocation)},
        {"/synd.v1.Syndication/GetHeadroom", offsetof(requests, headroom)},
        {"/synd.v1.Syndication/RecordRepayment", offsetof(requests, repay)},
        {"/synd.v1.Syndication/WatchBooks", offsetof(requests, watch)},
        {"/synd.v1.Registry/PutBank", offsetof(requests, bank)},
        {"/synd.v1.Registry/PutBorrower", offsetof(requests, borrower)},
        {"/synd.v1.Registry/ListBanks", offsetof(requests, banks)},
        {"/synd.v1.Registry/ListBorrowers", offsetof(requests, borrowers)},
        {"/synd.v1.Supervision/GetBorrowerExposure", offsetof(requests, borrower_exposure)},
        {"/synd.v1.Supervision/GetBankExposure", offsetof(requests, bank_exposure)},
        {"/synd.v1.Supervision/TopConcentrations", offsetof(requests, top)},
        {"/synd.v1.Supervision/WatchSupervision", offsetof(requests, supervision)},
        {"/synd.v1.Supervision/GetAuditLog", offsetof(requests, audit)},
    };

    for (size_t i = 0; i < sizeof(of) / sizeof(of[0]); i++) {
        if (strcmp(of[i].method, method) == 0)
            return (const ProtobufCMessage *)((const char *)&rq + of[i].offset);
    }
    cr_assert_fail("the test builds no request for %s", method);
    return NULL;
}

void mx_check_cell(size_t r, mx_who w, synd_client *c)
{
    const char *method = matrix[r].method;
    int allowed = matrix[r].expect[w] == 'y';
    synd_status st = {SYND_OK, ""};
    synd_code code = sec_call(c, method, request_of(method), &st);

    if (allowed)
        cr_expect_neq(code, SYND_PERMISSION_DENIED, "%s as %s: refused: %s", method, who_name[w],
                      st.message);
    else
        cr_expect_eq(code, SYND_PERMISSION_DENIED, "%s as %s: %s (%s), want PERMISSION_DENIED",
                     method, who_name[w], synd_code_name(code), st.message);
}
