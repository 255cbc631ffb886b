/* Every exposure limit and every alert threshold at its edges: exactly at
 * it, one fen over and one fen under. */
#include <criterion/criterion.h>
#include <string.h>

#include "supervise/limits.h"

#define MN(x) ((int64_t)(x)*100000000LL) /* x million yuan, in fen */

/* The bank of most tests: net capital ¥3.5bn, net tier-1 ¥3bn. Its caps:
 * one borrower ¥350m (10% of net capital binds; 15% of tier-1 is ¥450m),
 * one group ¥600m, large exposures from ¥75m. */
#define NET   MN(3500)
#define TIER1 MN(3000)

static limit_rules R;
static limit_caps C;
static synd_status st;

/* Asserts that a check returned code and that its message contains text. */
#define assert_refused(rc, want, text)                                                             \
    do {                                                                                           \
        cr_assert_eq((rc), (want), "code %d, want %d: %s", (int)(rc), (int)(want), st.message);    \
        cr_assert(strstr(st.message, (text)) != NULL, "message \"%s\" lacks \"%s\"", st.message,   \
                  (text));                                                                         \
    } while (0)

static void setup(void)
{
    R = limit_rules_default();
    limit_caps_of(&R, NET, TIER1, &C);
    memset(&st, 0, sizeof(st));
}

static limit_position pos(int64_t bank_borrower, int64_t bank_group, int64_t total, int64_t joint)
{
    limit_position p = {bank_borrower, bank_group, total, joint};
    return p;
}

/* --- rules -------------------------------------------------------------- */

TestSuite(rules, .init = setup);

Test(rules, defaults_are_the_design_figures)
{
    cr_assert_eq(R.single_capital_bps, 1000);
    cr_assert_eq(R.single_tier1_bps, 1500);
    cr_assert_eq(R.group_tier1_bps, 2000);
    cr_assert_eq(R.warning_bps, 9000);
    cr_assert_eq(R.large_tier1_bps, 250);
    cr_assert_eq(R.joint_min_banks, 3);
    cr_assert_eq(R.joint_min_total_fen, 500000000000LL);
    cr_assert_eq(limit_rules_check(&R, &st), SYND_OK, "%s", st.message);
}

Test(rules, unsound_settings_are_refused_by_name)
{
    limit_rules r = R;

    r.single_capital_bps = 0;
    assert_refused(limit_rules_check(&r, &st), SYND_INVALID_ARGUMENT, "single_capital_bps");
    r = R;
    r.single_tier1_bps = 10001;
    assert_refused(limit_rules_check(&r, &st), SYND_INVALID_ARGUMENT, "single_tier1_bps");
    r = R;
    r.group_tier1_bps = -1;
    assert_refused(limit_rules_check(&r, &st), SYND_INVALID_ARGUMENT, "group_tier1_bps");
    r = R;
    r.warning_bps = 10001;
    assert_refused(limit_rules_check(&r, &st), SYND_INVALID_ARGUMENT, "warning_bps");
    r = R;
    r.large_tier1_bps = 0;
    assert_refused(limit_rules_check(&r, &st), SYND_INVALID_ARGUMENT, "large_tier1_bps");
    r = R;
    r.joint_min_banks = 0;
    assert_refused(limit_rules_check(&r, &st), SYND_INVALID_ARGUMENT, "joint_min_banks");
    r = R;
    r.joint_min_total_fen = -1;
    assert_refused(limit_rules_check(&r, &st), SYND_INVALID_ARGUMENT, "joint_min_total_fen");
    r = R;
    r.single_capital_bps = 10000; /* both ends of the range pass */
    r.large_tier1_bps = 1;
    cr_assert_eq(limit_rules_check(&r, &st), SYND_OK, "%s", st.message);
}

Test(rules, rule_texts_follow_the_figures)
{
    limit_rules r = R;

    cr_assert_str_eq(limit_rule_text(&R, LIMIT_SINGLE_CAPITAL).s,
                     "single borrower <= 10% of net capital");
    cr_assert_str_eq(limit_rule_text(&R, LIMIT_SINGLE_TIER1).s,
                     "single borrower <= 15% of net tier-1 capital");
    cr_assert_str_eq(limit_rule_text(&R, LIMIT_GROUP).s,
                     "connected group <= 20% of net tier-1 capital");
    cr_assert_str_eq(limit_rule_text(&R, LIMIT_JOINT).s, "borrower total <= joint credit limit");
    cr_assert_str_eq(limit_rule_text(&R, (limit_kind)0).s, "?");
    r.single_capital_bps = 1050;
    r.single_tier1_bps = 1;
    r.group_tier1_bps = 1999;
    cr_assert_str_eq(limit_rule_text(&r, LIMIT_SINGLE_CAPITAL).s,
                     "single borrower <= 10.5% of net capital");
    cr_assert_str_eq(limit_rule_text(&r, LIMIT_SINGLE_TIER1).s,
                     "single borrower <= 0.01% of net tier-1 capital");
    cr_assert_str_eq(limit_rule_text(&r, LIMIT_GROUP).s,
                     "connected group <= 19.99% of net tier-1 capital");
}

/* --- caps --------------------------------------------------------------- */

TestSuite(caps, .init = setup);

Test(caps, from_the_capital_of_a_bank)
{
    cr_assert_eq(C.single_fen, MN(350));
    cr_assert_eq(C.single_kind, LIMIT_SINGLE_CAPITAL);
    cr_assert_eq(C.group_fen, MN(600));
    cr_assert_eq(C.large_fen, MN(75));
    cr_assert_eq(C.tier1_fen, TIER1);
}

Test(caps, tier1_binds_when_it_gives_less)
{
    limit_caps c;

    /* 10% of ¥10bn = ¥1bn; 15% of ¥6bn = ¥900m. */
    limit_caps_of(&R, MN(10000), MN(6000), &c);
    cr_assert_eq(c.single_fen, MN(900));
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_TIER1);
    /* One fen more of tier-1 still gives less than ¥1bn: 15% of it rounds
     * down to the same ¥900m. */
    limit_caps_of(&R, MN(10000), MN(6000) + 1, &c);
    cr_assert_eq(c.single_fen, MN(900));
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_TIER1);
}

Test(caps, a_tie_names_net_capital)
{
    limit_caps c;

    limit_caps_of(&R, 1500, 1000, &c); /* 150 fen either way */
    cr_assert_eq(c.single_fen, 150);
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_CAPITAL);
    limit_caps_of(&R, 1509, 1006, &c); /* 150.9 and 150.9, both rounded to 150 */
    cr_assert_eq(c.single_fen, 150);
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_CAPITAL);
    limit_caps_of(&R, 1510, 1006, &c); /* 151 against 150.9 */
    cr_assert_eq(c.single_fen, 150);
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_TIER1);
}

Test(caps, caps_round_down_and_the_large_threshold_up)
{
    limit_caps c;

    /* 10% of 12,345 = 1,234.5; 15% of 9,999 = 1,499.85; 20% of 9,999 =
     * 1,999.8; 2.5% of 9,999 = 249.975. */
    limit_caps_of(&R, 12345, 9999, &c);
    cr_assert_eq(c.single_fen, 1234);
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_CAPITAL);
    cr_assert_eq(c.group_fen, 1999);
    cr_assert_eq(c.large_fen, 250);
    limit_caps_of(&R, 9, 6, &c); /* every share under a fen */
    cr_assert_eq(c.single_fen, 0);
    cr_assert_eq(c.group_fen, 1);
    cr_assert_eq(c.large_fen, 1);
}

Test(caps, no_capital_no_room)
{
    limit_caps c;

    limit_caps_of(&R, -5, -1, &c);
    cr_assert_eq(c.single_fen, 0);
    cr_assert_eq(c.group_fen, 0);
    cr_assert_eq(c.large_fen, 0);
    cr_assert_eq(c.tier1_fen, 0);
    limit_caps_of(&R, 0, 0, &c);
    cr_assert_eq(c.single_fen, 0);
    cr_assert_eq(c.group_fen, 0);
}

Test(caps, exact_at_int64_max)
{
    limit_caps c;

    limit_caps_of(&R, INT64_MAX, INT64_MAX, &c);
    cr_assert_eq(c.single_fen, 922337203685477580LL); /* 10%, rounded down */
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_CAPITAL);
    cr_assert_eq(c.group_fen, 1844674407370955161LL);
    cr_assert_eq(c.large_fen, 230584300921369396LL); /* 2.5%, rounded up */
    limit_caps_of(&R, INT64_MAX, INT64_MAX / 2, &c);
    cr_assert_eq(c.single_kind, LIMIT_SINGLE_TIER1);
    cr_assert_eq(c.single_fen, 691752902764108185LL); /* 15% of INT64_MAX / 2, rounded down */
}

/* --- headroom ----------------------------------------------------------- */

TestSuite(headroom, .init = setup);

Test(headroom, nothing_lent_gives_the_single_cap)
{
    limit_position p = pos(0, 0, 0, 0);
    limit_kind k = 0;

    cr_assert_eq(limit_headroom(&C, &p, &k), MN(350));
    cr_assert_eq(k, LIMIT_SINGLE_CAPITAL);
    cr_assert_eq(limit_headroom(&C, &p, NULL), MN(350));
}

Test(headroom, single_borrower_binds)
{
    /* rooms: single 350 - 100 = 250, group 600 - 200 = 400, joint 1000. */
    limit_position p = pos(MN(100), MN(200), MN(9000), MN(10000));
    limit_kind k = 0;

    cr_assert_eq(limit_headroom(&C, &p, &k), MN(250));
    cr_assert_eq(k, LIMIT_SINGLE_CAPITAL);
}

Test(headroom, tier1_single_borrower_binds)
{
    limit_caps c;
    limit_position p = pos(MN(100), MN(100), MN(100), 0);
    limit_kind k = 0;

    limit_caps_of(&R, MN(10000), MN(6000), &c); /* single ¥900m by tier-1, group ¥1.2bn */
    cr_assert_eq(limit_headroom(&c, &p, &k), MN(800));
    cr_assert_eq(k, LIMIT_SINGLE_TIER1);
}

Test(headroom, group_binds)
{
    /* rooms: single 350, group 600 - 400 = 200, joint 1000. */
    limit_position p = pos(0, MN(400), MN(9000), MN(10000));
    limit_kind k = 0;

    cr_assert_eq(limit_headroom(&C, &p, &k), MN(200));
    cr_assert_eq(k, LIMIT_GROUP);
}

Test(headroom, joint_limit_binds)
{
    /* rooms: single 350, group 600, joint 1,000 - 900 = 100. */
    limit_position p = pos(0, 0, MN(900), MN(1000));
    limit_kind k = 0;

    cr_assert_eq(limit_headroom(&C, &p, &k), MN(100));
    cr_assert_eq(k, LIMIT_JOINT);
}

Test(headroom, ties_name_single_then_group)
{
    limit_position p = pos(0, MN(250), MN(650), MN(1000)); /* all three 350 */
    limit_kind k = 0;

    cr_assert_eq(limit_headroom(&C, &p, &k), MN(350));
    cr_assert_eq(k, LIMIT_SINGLE_CAPITAL);
    p = pos(MN(100), MN(400), MN(800), MN(1000)); /* group and joint 200 */
    cr_assert_eq(limit_headroom(&C, &p, &k), MN(200));
    cr_assert_eq(k, LIMIT_GROUP);
}

Test(headroom, unset_joint_limit_does_not_count)
{
    limit_position p = pos(0, 0, INT64_MAX, 0);
    limit_kind k = 0;

    cr_assert_eq(limit_headroom(&C, &p, &k), MN(350));
    cr_assert_eq(k, LIMIT_SINGLE_CAPITAL);
    p.joint_limit_fen = -1;
    cr_assert_eq(limit_headroom(&C, &p, &k), MN(350));
    cr_assert_eq(k, LIMIT_SINGLE_CAPITAL);
}

Test(headroom, over_a_limit_is_zero_never_negative)
{
    limit_position p = pos(MN(400), MN(400), MN(400), 0);
    limit_kind k = 0;

    cr_assert_eq(limit_headroom(&C, &p, &k), 0);
    cr_assert_eq(k, LIMIT_SINGLE_CAPITAL);
    p = pos(0, 0, MN(1200), MN(1000)); /* joint limit lowered below use */
    cr_assert_eq(limit_headroom(&C, &p, &k), 0);
    cr_assert_eq(k, LIMIT_JOINT);
}

Test(headroom, negative_exposure_adds_no_room)
{
    limit_position p = pos(-MN(100), INT64_MIN, INT64_MIN, MN(10000));

    cr_assert_eq(limit_headroom(&C, &p, NULL), MN(350));
}

Test(headroom, negative_caps_give_no_room)
{
    limit_caps c = C;
    limit_position p = pos(INT64_MAX, INT64_MAX, 0, 0);

    c.single_fen = -5; /* a caller's own caps: cap - use would overflow */
    cr_assert_eq(limit_headroom(&c, &p, NULL), 0);
    c.single_fen = INT64_MIN;
    c.group_fen = -1;
    p = pos(0, 0, 0, 0);
    cr_assert_eq(limit_headroom(&c, &p, NULL), 0);
}

/* --- check -------------------------------------------------------------- */

TestSuite(check, .init = setup);

Test(check, the_message_of_the_design)
{
    limit_position p = pos(0, 0, 0, 0);

    cr_assert_eq(limit_check(&R, &C, &p, "BOC", MN(350) + 100000, &st), SYND_RESOURCE_EXHAUSTED);
    cr_assert_str_eq(st.message, "bank BOC: ¥350,001,000.00 is ¥1,000.00 over the single-borrower "
                                 "limit; headroom ¥350,000,000.00 (rule: single borrower <= 10% "
                                 "of net capital)");
}

Test(check, single_borrower_by_net_capital_at_the_edge)
{
    limit_position p = pos(MN(100), MN(100), MN(100), 0);

    cr_assert_eq(limit_check(&R, &C, &p, "BOC", MN(250), &st), SYND_OK, "%s", st.message);
    assert_refused(limit_check(&R, &C, &p, "BOC", MN(250) + 1, &st), SYND_RESOURCE_EXHAUSTED,
                   "¥0.01 over the single-borrower limit; headroom ¥250,000,000.00 (rule: single "
                   "borrower <= 10% of net capital)");
}

Test(check, single_borrower_by_tier1_at_the_edge)
{
    limit_caps c;
    limit_position p = pos(0, 0, 0, 0);

    limit_caps_of(&R, MN(10000), MN(6000), &c);
    cr_assert_eq(limit_check(&R, &c, &p, "ICBC", MN(900), &st), SYND_OK, "%s", st.message);
    assert_refused(limit_check(&R, &c, &p, "ICBC", MN(900) + 1, &st), SYND_RESOURCE_EXHAUSTED,
                   "bank ICBC: ¥900,000,000.01 is ¥0.01 over the single-borrower limit; headroom "
                   "¥900,000,000.00 (rule: single borrower <= 15% of net tier-1 capital)");
}

Test(check, group_at_the_edge)
{
    limit_position p = pos(MN(100), MN(500), MN(100), 0); /* group room ¥100m */

    cr_assert_eq(limit_check(&R, &C, &p, "BOC", MN(100), &st), SYND_OK, "%s", st.message);
    assert_refused(limit_check(&R, &C, &p, "BOC", MN(100) + 1, &st), SYND_RESOURCE_EXHAUSTED,
                   "¥0.01 over the group limit; headroom ¥100,000,000.00 (rule: connected group "
                   "<= 20% of net tier-1 capital)");
}

Test(check, joint_limit_at_the_edge)
{
    limit_position p = pos(0, 0, MN(4950), MN(5000)); /* joint room ¥50m */

    cr_assert_eq(limit_check(&R, &C, &p, "BOC", MN(50), &st), SYND_OK, "%s", st.message);
    assert_refused(limit_check(&R, &C, &p, "BOC", MN(50) + 1, &st), SYND_RESOURCE_EXHAUSTED,
                   "¥0.01 over the borrower's joint credit limit; headroom ¥50,000,000.00 (rule: "
                   "borrower total <= joint credit limit)");
}

Test(check, unset_joint_limit_leaves_the_bank_caps)
{
    limit_position p = pos(0, 0, MN(10000000), 0);

    cr_assert_eq(limit_check(&R, &C, &p, "BOC", MN(350), &st), SYND_OK, "%s", st.message);
    assert_refused(limit_check(&R, &C, &p, "BOC", MN(350) + 1, &st), SYND_RESOURCE_EXHAUSTED,
                   "single-borrower limit");
}

Test(check, a_limit_below_use_blocks_new_lending)
{
    limit_position p = pos(MN(100), MN(100), MN(1100), MN(1000));

    assert_refused(limit_check(&R, &C, &p, "BOC", 1, &st), SYND_RESOURCE_EXHAUSTED,
                   "bank BOC: ¥0.01 is ¥0.01 over the borrower's joint credit limit; headroom "
                   "¥0.00 (rule: borrower total <= joint credit limit)");
    cr_assert_eq(limit_check(&R, &C, &p, "BOC", 0, &st), SYND_OK, "%s", st.message);
}

Test(check, negative_amount_is_invalid)
{
    limit_position p = pos(0, 0, 0, 0);

    assert_refused(limit_check(&R, &C, &p, "BOC", -1, &st), SYND_INVALID_ARGUMENT,
                   "amount -¥0.01 is negative");
}

Test(check, amounts_near_int64_max_are_refused_not_wrapped)
{
    limit_caps c;
    limit_position p = pos(MN(100), MN(100), 0, 0);

    /* exposure + INT64_MAX would wrap to a negative sum that looks small. */
    assert_refused(limit_check(&R, &C, &p, "BOC", INT64_MAX, &st), SYND_RESOURCE_EXHAUSTED,
                   "bank BOC: ¥92,233,720,368,547,758.07 is ¥92,233,720,118,547,758.07 over the "
                   "single-borrower limit; headroom ¥250,000,000.00");
    /* Caps at INT64_MAX, and a joint limit at it with one fen of room. */
    limit_caps_of(&R, INT64_MAX, INT64_MAX, &c);
    c.single_fen = c.group_fen = INT64_MAX;
    p = pos(MN(100), MN(100), INT64_MAX - 1, INT64_MAX);
    cr_assert_eq(limit_check(&R, &c, &p, "BIG", 1, &st), SYND_OK, "%s", st.message);
    assert_refused(limit_check(&R, &c, &p, "BIG", 2, &st), SYND_RESOURCE_EXHAUSTED,
                   "¥0.01 over the borrower's joint credit limit; headroom ¥0.01");
    assert_refused(limit_check(&R, &c, &p, "BIG", INT64_MAX, &st), SYND_RESOURCE_EXHAUSTED,
                   "is ¥92,233,720,368,547,758.06 over the borrower's joint credit limit");
    p = pos(INT64_MAX - 1, INT64_MAX - 1, 0, 0);
    cr_assert_eq(limit_check(&R, &c, &p, "BIG", 1, &st), SYND_OK, "%s", st.message);
    assert_refused(limit_check(&R, &c, &p, "BIG", INT64_MAX, &st), SYND_RESOURCE_EXHAUSTED,
                   "headroom ¥0.01 (rule: single borrower <= 10% of net capital)");
}

/* --- position ----------------------------------------------------------- */

TestSuite(position, .init = setup);

Test(position, lending_moves_every_figure_but_the_limit)
{
    limit_position p = pos(1, 2, 3, 4), q;

    cr_assert_eq(limit_position_add(&p, 10, &q), 0);
    cr_assert_eq(q.bank_borrower_fen, 11);
    cr_assert_eq(q.bank_group_fen, 12);
    cr_assert_eq(q.borrower_total_fen, 13);
    cr_assert_eq(q.joint_limit_fen, 4);
    cr_assert_eq(limit_position_add(&q, -11, &q), 0); /* a repayment, to exactly zero */
    cr_assert_eq(q.bank_borrower_fen, 0);
    cr_assert_eq(q.bank_group_fen, 1);
    cr_assert_eq(q.borrower_total_fen, 2);
}

Test(position, overflow_and_negative_are_refused_unchanged)
{
    limit_position p = pos(5, INT64_MAX - 1, 7, 0), q = pos(-1, -1, -1, -1);

    cr_assert_eq(limit_position_add(&p, 1, &q), 0);
    cr_assert_eq(q.bank_group_fen, INT64_MAX);
    q = pos(-1, -1, -1, -1);
    cr_assert_eq(limit_position_add(&p, 2, &q), -1);
    cr_assert_eq(limit_position_add(&p, INT64_MAX, &q), -1);
    cr_assert_eq(limit_position_add(&p, -6, &q), -1); /* more repaid than lent */
    cr_assert_eq(limit_position_add(&p, INT64_MIN, &q), -1);
    cr_assert_eq(q.bank_borrower_fen, -1, "out changed on failure");
}

/* --- joint credit --------------------------------------------------------- */

TestSuite(joint, .init = setup);

#define FIVE_BN 500000000000LL

Test(joint, both_thresholds_must_be_reached)
{
    cr_assert(limit_joint_required(&R, 3, FIVE_BN));
    cr_assert(limit_joint_required(&R, 7, INT64_MAX));
    cr_assert_not(limit_joint_required(&R, 2, FIVE_BN));
    cr_assert_not(limit_joint_required(&R, 3, FIVE_BN - 1));
    cr_assert_not(limit_joint_required(&R, 2, INT64_MAX));
    cr_assert_not(limit_joint_required(&R, 0, 0));
}

Test(joint, open_book_refused_without_a_limit)
{
    assert_refused(limit_joint_check(&R, "91350100M000100Y43", 3, FIVE_BN, 0, &st),
                   SYND_FAILED_PRECONDITION,
                   "borrower 91350100M000100Y43 is lent to by 3 banks for ¥5,000,000,000.00 in "
                   "total and has no joint credit limit");
    assert_refused(limit_joint_check(&R, "91350100M000100Y43", 3, FIVE_BN, 0, &st),
                   SYND_FAILED_PRECONDITION,
                   "(rule: joint credit: 3 or more lending banks and ¥5,000,000,000.00 or more "
                   "in total)");
}

Test(joint, open_book_allowed_with_a_limit_or_below_the_trigger)
{
    cr_assert_eq(limit_joint_check(&R, "B", 3, FIVE_BN, 1, &st), SYND_OK);
    cr_assert_eq(limit_joint_check(&R, "B", 2, FIVE_BN, 0, &st), SYND_OK);
    cr_assert_eq(limit_joint_check(&R, "B", 3, FIVE_BN - 1, 0, &st), SYND_OK);
}

/* --- alerts ------------------------------------------------------------- */

TestSuite(alerts, .init = setup);

/* The alerts of a change from before to after, asserting how many. */
static size_t alerts(limit_position before, limit_position after, limit_alert *out, size_t want)
{
    size_t n = limit_alerts(&R, &C, &before, &after, out);

    cr_assert_eq(n, want, "%zu alerts, want %zu", n, want);
    return n;
}

Test(alerts, warning_line_fires_exactly_at_90_percent)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    /* A joint limit of ¥1bn: the warning line is ¥900m. */
    alerts(pos(0, 0, MN(900) - 1, MN(1000)), pos(0, 0, MN(900), MN(1000)), a, 1);
    cr_assert_eq(a[0].kind, LIMIT_ALERT_WARNING_LINE);
    cr_assert_eq(a[0].exposure_fen, MN(900));
    cr_assert_eq(a[0].threshold_fen, MN(900));
    cr_assert_eq(a[0].base_fen, MN(1000));
    cr_assert_str_eq(a[0].rule, "warning line: 90% of the joint credit limit");
    cr_assert_str_eq(limit_alert_name(a[0].kind), "WARNING_LINE");
}

Test(alerts, warning_line_one_fen_either_side)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    alerts(pos(0, 0, MN(900) - 2, MN(1000)), pos(0, 0, MN(900) - 1, MN(1000)), a, 0); /* under */
    alerts(pos(0, 0, MN(900) - 1, MN(1000)), pos(0, 0, MN(900) + 1, MN(1000)), a, 1); /* over */
    cr_assert_eq(a[0].exposure_fen, MN(900) + 1);
    alerts(pos(0, 0, MN(900), MN(1000)), pos(0, 0, MN(900) + 1, MN(1000)), a, 0); /* already past */
    alerts(pos(0, 0, MN(900) + 1, MN(1000)), pos(0, 0, MN(900) - 1, MN(1000)), a,
           0);                                                           /* repaid below */
    alerts(pos(0, 0, 0, MN(1000)), pos(0, 0, MN(1000), MN(1000)), a, 1); /* in one step */
}

Test(alerts, warning_line_rounds_up)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    /* 90% of 1,001 fen is 900.9: 900 is below it, 901 is not. */
    alerts(pos(0, 0, 899, 1001), pos(0, 0, 900, 1001), a, 0);
    alerts(pos(0, 0, 900, 1001), pos(0, 0, 901, 1001), a, 1);
    cr_assert_eq(a[0].threshold_fen, 901);
}

Test(alerts, no_joint_limit_no_warning_line)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    alerts(pos(0, 0, 0, 0), pos(0, 0, INT64_MAX, 0), a, 0);
}

Test(alerts, a_new_or_lowered_limit_can_cross_the_line)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    alerts(pos(0, 0, 95, 0), pos(0, 0, 95, 100), a, 1); /* limit first set */
    cr_assert_eq(a[0].kind, LIMIT_ALERT_WARNING_LINE);
    alerts(pos(0, 0, 95, 200), pos(0, 0, 95, 100), a, 1); /* lowered */
    cr_assert_eq(a[0].threshold_fen, 90);
    alerts(pos(0, 0, 95, 100), pos(0, 0, 95, 200), a, 0); /* raised */
}

Test(alerts, large_exposure_fires_exactly_at_2_5_percent)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    /* 2.5% of ¥3bn tier-1 is ¥75m. */
    alerts(pos(MN(75) - 1, 0, 0, 0), pos(MN(75), 0, 0, 0), a, 1);
    cr_assert_eq(a[0].kind, LIMIT_ALERT_LARGE_EXPOSURE);
    cr_assert_eq(a[0].exposure_fen, MN(75));
    cr_assert_eq(a[0].threshold_fen, MN(75));
    cr_assert_eq(a[0].base_fen, TIER1);
    cr_assert_str_eq(a[0].rule, "large exposure: 2.5% or more of net tier-1 capital");
    cr_assert_str_eq(limit_alert_name(a[0].kind), "LARGE_EXPOSURE");
}

Test(alerts, large_exposure_one_fen_either_side)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    alerts(pos(MN(75) - 2, 0, 0, 0), pos(MN(75) - 1, 0, 0, 0), a, 0); /* under */
    alerts(pos(MN(75) - 1, 0, 0, 0), pos(MN(75) + 1, 0, 0, 0), a, 1); /* over */
    alerts(pos(MN(75), 0, 0, 0), pos(MN(100), 0, 0, 0), a, 0);        /* already large */
    alerts(pos(MN(100), 0, 0, 0), pos(MN(50), 0, 0, 0), a, 0);        /* repaid */
}

Test(alerts, large_exposure_threshold_rounds_up)
{
    limit_alert a[LIMIT_MAX_ALERTS];
    limit_position b = pos(248, 0, 0, 0), m = pos(249, 0, 0, 0), e = pos(250, 0, 0, 0);

    /* 2.5% of 9,999 fen is 249.975: 249 is below it, 250 is not. */
    limit_caps_of(&R, 12345, 9999, &C);
    cr_assert_eq(limit_alerts(&R, &C, &b, &m, a), 0);
    cr_assert_eq(limit_alerts(&R, &C, &m, &e, a), 1);
    cr_assert_eq(a[0].threshold_fen, 250);
}

Test(alerts, both_at_once_warning_first)
{
    limit_alert a[LIMIT_MAX_ALERTS];

    alerts(pos(0, 0, MN(800), MN(1000)), pos(MN(100), MN(100), MN(900), MN(1000)), a, 2);
    cr_assert_eq(a[0].kind, LIMIT_ALERT_WARNING_LINE);
    cr_assert_eq(a[1].kind, LIMIT_ALERT_LARGE_EXPOSURE);
}

Test(alerts, limit_lowered_below_use)
{
    limit_alert a;

    memset(&a, 0, sizeof(a));
    cr_assert(limit_below_use(MN(1000), MN(1000) - 1, &a));
    cr_assert_eq(a.kind, LIMIT_ALERT_BELOW_USE);
    cr_assert_eq(a.exposure_fen, MN(1000));
    cr_assert_eq(a.threshold_fen, MN(1000) - 1);
    cr_assert_eq(a.base_fen, MN(1000) - 1);
    cr_assert(strstr(a.rule, "joint credit limit below use") != NULL, "%s", a.rule);
    cr_assert_str_eq(limit_alert_name(a.kind), "LIMIT_BELOW_USE");
    cr_assert_not(limit_below_use(MN(1000), MN(1000), &a)); /* exactly at use */
    cr_assert_not(limit_below_use(MN(1000), MN(1000) + 1, &a));
    cr_assert_not(limit_below_use(MN(1000), 0, &a)); /* limit removed */
    cr_assert_str_eq(limit_alert_name((limit_alert_kind)0), "?");
}
