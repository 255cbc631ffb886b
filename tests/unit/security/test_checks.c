/* Unit tests of the handlers' pure checks (broker/syndication/checks.c,
 * broker/supervise/checks.c): what each request must be before a handler
 * asks the ledger, without a broker. */
#include <string.h>

#include <criterion/criterion.h>

#include "supervise/checks.h"
#include "supervise/supervision.h"
#include "syndication/checks.h"

#define NOW   1767225600000LL
#define CLOSE (NOW + 60000)
#define MN(x) ((int64_t)(x)*100000000LL)

static const registry_identity icbc = {.bank_id = "ICBC", .role = ROLE_LEAD};
static const registry_identity ccb = {.bank_id = "CCB", .role = ROLE_LEAD};

/* Terms ICBC opens with: ¥1,000m, ICBC holding ¥150m, closing at CLOSE. */
typedef struct terms {
    Synd__V1__BookTerms t;
    Synd__V1__LeadHold lead;
    Synd__V1__LeadHold *leads[1];
} terms;

static void terms_init(terms *s)
{
    synd__v1__book_terms__init(&s->t);
    synd__v1__lead_hold__init(&s->lead);
    s->t.borrower_code = "91350100M000100Y43";
    s->t.industry_code = "C3841";
    s->t.project = "Lithium-ion cell plant";
    s->t.facility_fen = MN(1000);
    s->t.tenor_months = 60;
    s->t.reference_rate = SYND__V1__REFERENCE_RATE__LPR_5Y;
    s->t.spread_floor_bps = 10;
    s->t.spread_cap_bps = 60;
    s->t.min_ticket_fen = MN(50);
    s->t.close_ms = CLOSE;
    s->lead.bank_id = "ICBC";
    s->lead.hold_fen = MN(150);
    s->leads[0] = &s->lead;
    s->t.n_leads = 1;
    s->t.leads = s->leads;
}

Test(checks, open_book)
{
    book_rules rules = book_rules_default();
    book_terms t;
    synd_status st;
    terms s;

    terms_init(&s);
    cr_assert_eq(syndication_check_open_book(&rules, &icbc, &s.t, NOW, &t, &st), SYND_OK, "%s",
                 st.message);
    cr_expect_eq(t.facility_fen, MN(1000));
    cr_expect_eq(t.unit_fen, rules.default_unit_fen, "the default unit is filled in");
    cr_expect_eq(s.t.unit_fen, rules.default_unit_fen, "in the wire terms too, to be stored");
    cr_expect_eq(t.method, BOOK_PRO_RATA);

    cr_assert_eq(syndication_check_open_book(&rules, &ccb, &s.t, NOW, &t, &st),
                 SYND_PERMISSION_DENIED);
    cr_expect_str_eq(st.message, "bank CCB is not among the book's leads; a lead opens only its "
                                 "own books");
    cr_expect_eq(syndication_check_open_book(&rules, &icbc, NULL, NOW, &t, &st),
                 SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "OpenBook needs terms");
    cr_expect_eq(syndication_check_open_book(&rules, &icbc, &s.t, CLOSE, &t, &st),
                 SYND_INVALID_ARGUMENT, "a close time not in the future");
    s.lead.hold_fen = INT64_MAX;
    cr_expect_eq(syndication_check_open_book(&rules, &icbc, &s.t, NOW, &t, &st),
                 SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "rule: leads") != NULL, "%s", st.message);
}

/* The book fuzz_book() is: checked once, bids are checked against it. */
static book_terms book(void)
{
    book_rules rules = book_rules_default();
    book_terms t;
    synd_status st;
    terms s;

    terms_init(&s);
    cr_assert_eq(syndication_check_open_book(&rules, &icbc, &s.t, NOW, &t, &st), SYND_OK);
    return t;
}

Test(checks, bids)
{
    book_terms t = book();
    Synd__V1__SubmitBidRequest in = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    book_bid bid;
    synd_status st;
    int retry;

    in.book_id = "BK-1";
    in.amount_fen = MN(100);
    in.spread_bps = 30;
    cr_assert_eq(syndication_check_bid(&t, BOOK_OPEN, "BOC-SH", &in, "", NOW, &bid, &retry, &st),
                 SYND_OK, "%s", st.message);
    cr_expect_not(retry);
    cr_expect_str_eq(bid.bank_id, "BOC-SH");
    cr_expect_eq(bid.amount_fen, MN(100));
    cr_expect_eq(bid.spread_bps, 30);

    /* After the close: refused, unless it carries a key (a retry the
     * ledger answers with its first answer). */
    cr_expect_eq(syndication_check_bid(&t, BOOK_CLOSED, "BOC-SH", &in, "", NOW, &bid, &retry, &st),
                 SYND_FAILED_PRECONDITION);
    cr_expect_eq(syndication_check_bid(&t, BOOK_OPEN, "BOC-SH", &in, "k", CLOSE, &bid, &retry, &st),
                 SYND_OK);
    cr_expect(retry);
    cr_expect_eq(syndication_check_bid(&t, BOOK_OPEN, "BOC-SH", &in, "k", NOW, &bid, &retry, &st),
                 SYND_OK);
    cr_expect_not(retry, "a key on an open book is checked like any bid");

    cr_expect_eq(syndication_check_bid(&t, BOOK_OPEN, "ICBC", &in, "", NOW, &bid, &retry, &st),
                 SYND_FAILED_PRECONDITION, "a lead bids on its own book");
    in.amount_fen = 0;
    cr_expect_eq(syndication_check_bid(&t, BOOK_OPEN, "BOC-SH", &in, "", NOW, &bid, &retry, &st),
                 SYND_INVALID_ARGUMENT);
    in.amount_fen = INT64_MIN;
    cr_expect_eq(syndication_check_bid(&t, BOOK_OPEN, "BOC-SH", &in, "", NOW, &bid, &retry, &st),
                 SYND_INVALID_ARGUMENT);
    in.amount_fen = MN(100);
    in.spread_bps = INT32_MIN;
    cr_expect_eq(syndication_check_bid(&t, BOOK_OPEN, "BOC-SH", &in, "", NOW, &bid, &retry, &st),
                 SYND_INVALID_ARGUMENT);
}

Test(checks, headroom_repayment_and_watch)
{
    Synd__V1__GetHeadroomRequest h = SYND__V1__GET_HEADROOM_REQUEST__INIT;
    Synd__V1__RecordRepaymentRequest r = SYND__V1__RECORD_REPAYMENT_REQUEST__INIT;
    Synd__V1__WatchBooksRequest w = SYND__V1__WATCH_BOOKS_REQUEST__INIT;
    char *bad[] = {"Z99"};
    synd_status st;

    h.borrower_code = "91350100M000100Y43";
    cr_expect_eq(syndication_check_headroom(&h, &st), SYND_OK);
    h.borrower_code = "91350100M000100Y431";
    cr_expect_eq(syndication_check_headroom(&h, &st), SYND_INVALID_ARGUMENT);

    r.amount_fen = 1;
    cr_expect_eq(syndication_check_repayment(&r, &st), SYND_OK);
    r.amount_fen = 0;
    cr_expect_eq(syndication_check_repayment(&r, &st), SYND_INVALID_ARGUMENT);
    r.amount_fen = INT64_MIN;
    cr_expect_eq(syndication_check_repayment(&r, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "amount_fen must be positive, not -9223372036854775808");

    cr_expect_eq(syndication_check_watch(&w, &st), SYND_OK);
    w.max_tenor_months = -1;
    cr_expect_eq(syndication_check_watch(&w, &st), SYND_INVALID_ARGUMENT);
    w.max_tenor_months = 0;
    w.n_industry_codes = 1;
    w.industry_codes = bad;
    cr_expect_eq(syndication_check_watch(&w, &st), SYND_INVALID_ARGUMENT);
}

Test(checks, registry_writes)
{
    Synd__V1__Bank b = SYND__V1__BANK__INIT;
    Synd__V1__Borrower r = SYND__V1__BORROWER__INIT;
    synd_status st;

    b.bank_id = "BOC-SH";
    cr_expect_eq(syndication_check_bank(&b, &st), SYND_OK);
    b.tier1_capital_fen = -1;
    cr_expect_eq(syndication_check_bank(&b, &st), SYND_INVALID_ARGUMENT);
    b.tier1_capital_fen = 0;
    b.bank_id = "BOC SH";
    cr_expect_eq(syndication_check_bank(&b, &st), SYND_INVALID_ARGUMENT);
    b.bank_id = "";
    cr_expect_eq(syndication_check_bank(&b, &st), SYND_INVALID_ARGUMENT);

    r.code = "91350100M000100Y43";
    cr_expect_eq(syndication_check_borrower(&r, &st), SYND_OK, "%s", st.message);
    r.group_id = "{g:x}";
    cr_expect_eq(syndication_check_borrower(&r, &st), SYND_INVALID_ARGUMENT,
                 "a group id would break out of its hash tag");
    r.group_id = "";
    r.joint_limit_fen = -1;
    cr_expect_eq(syndication_check_borrower(&r, &st), SYND_INVALID_ARGUMENT);
    r.joint_limit_fen = 0;
    r.code = "91350100M000100Y44";
    cr_expect_eq(syndication_check_borrower(&r, &st), SYND_INVALID_ARGUMENT);
    cr_expect(strstr(st.message, "check character") != NULL, "%s", st.message);
}

Test(checks, supervision_requests)
{
    Synd__V1__GetBorrowerExposureRequest be = SYND__V1__GET_BORROWER_EXPOSURE_REQUEST__INIT;
    Synd__V1__GetBankExposureRequest ke = SYND__V1__GET_BANK_EXPOSURE_REQUEST__INIT;
    Synd__V1__TopConcentrationsRequest top = SYND__V1__TOP_CONCENTRATIONS_REQUEST__INIT;
    Synd__V1__GetAuditLogRequest log = SYND__V1__GET_AUDIT_LOG_REQUEST__INIT;
    char long_id[REGISTRY_MAX_ID + 1];
    synd_status st;
    int64_t to;
    size_t n;

    be.borrower_code = "91350100M000100Y43";
    cr_expect_eq(supervision_check_borrower_exposure(&be, &st), SYND_OK);
    be.borrower_code = "91350100M000100Y44";
    cr_expect_eq(supervision_check_borrower_exposure(&be, &st), SYND_INVALID_ARGUMENT);

    ke.bank_id = "CIB";
    cr_expect_eq(supervision_check_bank_exposure(&ke, &st), SYND_OK);
    ke.bank_id = "";
    cr_expect_eq(supervision_check_bank_exposure(&ke, &st), SYND_INVALID_ARGUMENT);
    memset(long_id, 'B', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    ke.bank_id = long_id;
    cr_expect_eq(supervision_check_bank_exposure(&ke, &st), SYND_INVALID_ARGUMENT);

    cr_expect_eq(supervision_check_top(&top, &n, &st), SYND_OK);
    cr_expect_eq(n, SUPERVISION_TOP_DEFAULT);
    top.n = 1000000;
    cr_expect_eq(supervision_check_top(&top, &n, &st), SYND_OK);
    cr_expect_eq(n, SUPERVISION_TOP_MAX);
    top.n = -1;
    cr_expect_eq(supervision_check_top(&top, &n, &st), SYND_INVALID_ARGUMENT);

    cr_expect_eq(supervision_check_audit_log(&log, NOW, &to, &n, &st), SYND_OK);
    cr_expect_eq(to, NOW, "to_ms 0 is now");
    cr_expect_eq(n, SUPERVISION_AUDIT_DEFAULT);
    log.limit = INT32_MAX;
    cr_expect_eq(supervision_check_audit_log(&log, NOW, &to, &n, &st), SYND_OK);
    cr_expect_eq(n, SUPERVISION_AUDIT_MAX);
    log.from_ms = NOW + 1;
    cr_expect_eq(supervision_check_audit_log(&log, NOW, &to, &n, &st), SYND_INVALID_ARGUMENT);
    log.after_id = "1767225600000-0";
    cr_expect_eq(supervision_check_audit_log(&log, NOW, &to, &n, &st), SYND_INVALID_ARGUMENT);
    cr_expect_str_eq(st.message, "give from_ms or after_id, not both");
    log.from_ms = 0;
    cr_expect_eq(supervision_check_audit_log(&log, NOW, &to, &n, &st), SYND_OK);
    log.limit = -1;
    cr_expect_eq(supervision_check_audit_log(&log, NOW, &to, &n, &st), SYND_INVALID_ARGUMENT);
}
