/* The alert feed: which events make a line, what the line says, and the
 * ring that keeps the latest. */
#include <string.h>

#include <criterion/criterion.h>

#include "watch/watch.h"

#define CODE "91350100M000100Y43"

static Synd__V1__SupervisionEvent event(Synd__V1__SupervisionEvent__Kind kind)
{
    Synd__V1__SupervisionEvent ev = SYND__V1__SUPERVISION_EVENT__INIT;

    ev.kind = kind;
    ev.seq = 42;
    ev.time_ms = 1714557600123;
    ev.bank_id = "BOC";
    ev.borrower_code = CODE;
    return ev;
}

Test(feed, only_alerts_and_refusals_make_a_line)
{
    Synd__V1__SupervisionEvent ev = event(SYND__V1__SUPERVISION_EVENT__KIND__EXPOSURE_CHANGE);
    watch_alert a;

    cr_expect_eq(watch_alert_from_event(&ev, &a), -1);
    ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT;
    cr_expect_eq(watch_alert_from_event(&ev, &a), -1);
    ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__SNAPSHOT_END;
    cr_expect_eq(watch_alert_from_event(&ev, &a), -1);
    ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__KIND_UNSPECIFIED;
    cr_expect_eq(watch_alert_from_event(&ev, &a), -1);
}

Test(feed, an_alert_gives_its_rule_and_figures)
{
    Synd__V1__SupervisionEvent ev = event(SYND__V1__SUPERVISION_EVENT__KIND__ALERT);
    watch_alert a;

    ev.rule = "warning line: 90% of the joint credit limit";
    ev.exposure_fen = 460000000000;  /* ¥4.6bn */
    ev.threshold_fen = 450000000000; /* ¥4.5bn */
    ev.limit_fen = 500000000000;     /* ¥5bn */
    cr_assert_eq(watch_alert_from_event(&ev, &a), 0);
    cr_expect_eq(a.seq, 42);
    cr_expect_eq(a.time_ms, 1714557600123);
    cr_expect_eq(a.kind, SYND__V1__SUPERVISION_EVENT__KIND__ALERT);
    cr_expect_str_eq(a.bank, "BOC");
    cr_expect_str_eq(a.borrower, CODE);
    cr_expect_str_eq(a.text, "warning line: 90% of the joint credit limit: exposure 4.60bn, "
                             "threshold 4.50bn of 5.00bn");

    ev.detail = "set by OPS";
    cr_assert_eq(watch_alert_from_event(&ev, &a), 0);
    cr_expect_str_eq(a.text, "warning line: 90% of the joint credit limit: exposure 4.60bn, "
                             "threshold 4.50bn of 5.00bn; set by OPS");
}

Test(feed, a_refusal_gives_the_method_status_and_reason)
{
    Synd__V1__SupervisionEvent ev = event(SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED);
    watch_alert a;

    ev.method = "/synd.v1.Syndication/SubmitBid";
    ev.code = 5;
    ev.book_id = "BK-9";
    ev.detail = "no book BK-9";
    cr_assert_eq(watch_alert_from_event(&ev, &a), 0);
    cr_expect_str_eq(a.text, "SubmitBid NOT_FOUND: no book BK-9");

    /* A book the reason does not name is added; so is a rule. */
    ev.code = 8;
    ev.detail = "bank BOC: over the single-borrower limit";
    ev.rule = "single borrower <= 10% of net capital";
    cr_assert_eq(watch_alert_from_event(&ev, &a), 0);
    cr_expect_str_eq(a.text, "SubmitBid RESOURCE_EXHAUSTED on BK-9: bank BOC: over the "
                             "single-borrower limit (rule: single borrower <= 10% of net "
                             "capital)");

    /* A rule the reason names already is not repeated. */
    ev.detail = "over (rule: single borrower <= 10% of net capital)";
    ev.book_id = "";
    cr_assert_eq(watch_alert_from_event(&ev, &a), 0);
    cr_expect_str_eq(a.text,
                     "SubmitBid RESOURCE_EXHAUSTED: over (rule: single borrower <= 10% of net "
                     "capital)");
}

Test(feed, missing_and_long_strings_are_safe)
{
    Synd__V1__SupervisionEvent ev = event(SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED);
    char long_detail[1000];
    watch_alert a;

    ev.bank_id = NULL;
    ev.borrower_code = "0123456789012345678901234567890123456789";
    ev.method = NULL;
    ev.detail = NULL;
    ev.code = 99;
    cr_assert_eq(watch_alert_from_event(&ev, &a), 0);
    cr_expect_str_eq(a.bank, "");
    cr_expect_eq(strlen(a.borrower), sizeof(a.borrower) - 1, "cut to fit");
    cr_expect_str_eq(a.text, " UNKNOWN: ");

    memset(long_detail, 'x', sizeof(long_detail) - 1);
    long_detail[sizeof(long_detail) - 1] = '\0';
    ev.detail = long_detail;
    cr_assert_eq(watch_alert_from_event(&ev, &a), 0);
    cr_expect_eq(strlen(a.text), sizeof(a.text) - 1, "cut to fit");
}

static watch_alert numbered(uint64_t seq)
{
    watch_alert a;

    memset(&a, 0, sizeof(a));
    a.seq = seq;
    return a;
}

Test(feed, an_empty_ring_has_nothing)
{
    static watch_feed f;

    cr_expect_eq(f.count, 0);
    cr_expect_null(watch_feed_at(&f, 0));
}

Test(feed, the_ring_keeps_the_latest_in_order)
{
    static watch_feed f;
    watch_alert a;

    for (uint64_t s = 1; s <= 3; s++) {
        a = numbered(s);
        watch_feed_push(&f, &a);
    }
    cr_expect_eq(f.count, 3);
    cr_expect_eq(watch_feed_at(&f, 0)->seq, 1);
    cr_expect_eq(watch_feed_at(&f, 2)->seq, 3);
    cr_expect_null(watch_feed_at(&f, 3));

    /* Past its capacity the oldest go first. */
    for (uint64_t s = 4; s <= WATCH_FEED_CAP + 44; s++) {
        a = numbered(s);
        watch_feed_push(&f, &a);
    }
    cr_expect_eq(f.count, WATCH_FEED_CAP);
    cr_expect_eq(f.total, WATCH_FEED_CAP + 44);
    cr_expect_eq(watch_feed_at(&f, 0)->seq, 45);
    for (size_t i = 0; i < WATCH_FEED_CAP; i++)
        cr_assert_eq(watch_feed_at(&f, i)->seq, 45 + i);
    cr_expect_null(watch_feed_at(&f, WATCH_FEED_CAP));
}
