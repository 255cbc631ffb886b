/* The audit trail's pure parts: which object a request names, found by
 * reflection over any request type, and which methods change state. */
#include <criterion/criterion.h>

#include "supervise/audit.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/supervision.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

Test(object, a_book_id_names_a_book)
{
    Synd__V1__SubmitBidRequest req = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    const char *id;

    req.book_id = "BK-7";
    cr_assert_eq(audit_object(&req.base, &id), AUDIT_OBJECT_BOOK);
    cr_assert_str_eq(id, "BK-7");
}

Test(object, a_borrower_code_or_a_borrowers_code_names_a_borrower)
{
    Synd__V1__GetHeadroomRequest head = SYND__V1__GET_HEADROOM_REQUEST__INIT;
    Synd__V1__Borrower b = SYND__V1__BORROWER__INIT;
    const char *id;

    head.borrower_code = "91350100M000100Y43";
    cr_assert_eq(audit_object(&head.base, &id), AUDIT_OBJECT_BORROWER);
    cr_assert_str_eq(id, "91350100M000100Y43");
    b.code = "91440300MA5DC00012";
    b.group_id = "SZG";
    cr_assert_eq(audit_object(&b.base, &id), AUDIT_OBJECT_BORROWER);
    cr_assert_str_eq(id, "91440300MA5DC00012");
}

Test(object, a_bank_id_names_a_bank)
{
    Synd__V1__Bank bank = SYND__V1__BANK__INIT;
    const char *id;

    bank.bank_id = "BOC-SH";
    bank.name = "Bank of China, Shanghai";
    cr_assert_eq(audit_object(&bank.base, &id), AUDIT_OBJECT_BANK);
    cr_assert_str_eq(id, "BOC-SH");
}

Test(object, the_first_field_of_the_list_that_is_set_wins)
{
    Synd__V1__SupervisionEvent ev = SYND__V1__SUPERVISION_EVENT__INIT;
    const char *id;

    /* It has all of book_id, borrower_code and bank_id. */
    ev.bank_id = "ICBC";
    cr_assert_eq(audit_object(&ev.base, &id), AUDIT_OBJECT_BANK);
    cr_assert_str_eq(id, "ICBC");
    ev.borrower_code = "91350100M000100Y43";
    cr_assert_eq(audit_object(&ev.base, &id), AUDIT_OBJECT_BORROWER);
    ev.book_id = "BK-1";
    cr_assert_eq(audit_object(&ev.base, &id), AUDIT_OBJECT_BOOK);
    cr_assert_str_eq(id, "BK-1");
}

Test(object, an_empty_field_is_not_set)
{
    Synd__V1__SubmitBidRequest req = SYND__V1__SUBMIT_BID_REQUEST__INIT;
    const char *id = "stale";

    cr_assert_eq(audit_object(&req.base, &id), AUDIT_OBJECT_NONE);
    cr_assert_str_eq(id, "");
}

Test(object, found_in_a_nested_message)
{
    Synd__V1__OpenBookRequest req = SYND__V1__OPEN_BOOK_REQUEST__INIT;
    Synd__V1__BookTerms terms = SYND__V1__BOOK_TERMS__INIT;
    const char *id;

    cr_assert_eq(audit_object(&req.base, &id), AUDIT_OBJECT_NONE);
    terms.borrower_code = "91350100M000100Y43";
    req.terms = &terms;
    cr_assert_eq(audit_object(&req.base, &id), AUDIT_OBJECT_BORROWER);
    cr_assert_str_eq(id, "91350100M000100Y43");
}

Test(object, a_request_without_one_names_nothing)
{
    Synd__V1__HealthCheckRequest health = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__WatchSupervisionRequest watch = SYND__V1__WATCH_SUPERVISION_REQUEST__INIT;
    const char *id;

    health.service = "synd.v1.Supervision";
    cr_assert_eq(audit_object(&health.base, &id), AUDIT_OBJECT_NONE);
    cr_assert_str_eq(id, "");
    cr_assert_eq(audit_object(&watch.base, &id), AUDIT_OBJECT_NONE);
    cr_assert_eq(audit_object(NULL, &id), AUDIT_OBJECT_NONE);
    cr_assert_str_eq(id, "");
}

Test(mutating, the_state_changing_methods_and_no_others)
{
    static const char *const yes[] = {
        "/synd.v1.Syndication/OpenBook",    "/synd.v1.Syndication/CancelBook",
        "/synd.v1.Syndication/CloseBook",   "/synd.v1.Syndication/SubmitBid",
        "/synd.v1.Syndication/WithdrawBid", "/synd.v1.Syndication/RecordRepayment",
        "/synd.v1.Registry/PutBank",        "/synd.v1.Registry/PutBorrower",
    };
    static const char *const no[] = {
        "/synd.v1.Syndication/GetBook",          "/synd.v1.Syndication/WatchBooks",
        "/synd.v1.Syndication/GetHeadroom",      "/synd.v1.Registry/ListBanks",
        "/synd.v1.Supervision/GetAuditLog",      "/synd.v1.Health/Check",
        "/synd.v1.Supervision/WatchSupervision", "OpenBook",
        "/synd.v1.Syndication/OpenBookX",        "",
    };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        cr_assert(audit_is_mutating(yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        cr_assert(!audit_is_mutating(no[i]), "%s", no[i]);
}
