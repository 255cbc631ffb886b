/* Every rule a book's terms are checked against, each refusal naming it. */
#include <criterion/criterion.h>

#include "book/terms.h"
#include "fixture.h"

static book_rules R;
static book_terms T;
static synd_status st;

static void setup(void)
{
    R = book_rules_default();
    fx_terms(&T);
    memset(&st, 0, sizeof(st));
}

/* Checks T at NOW; the refusals below change one term each. */
static synd_code check(void)
{
    return book_terms_check(&R, &T, NOW, &st);
}

TestSuite(terms, .init = setup);

Test(terms, realistic_book_passes)
{
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, default_rules_are_the_design_figures)
{
    cr_assert_eq(R.sole_lead_min_bps, 1500);
    cr_assert_eq(R.co_lead_min_bps, 1000);
    cr_assert_eq(R.others_min_bps, 3000);
    cr_assert_eq(R.single_bank_max_bps, 7000);
    cr_assert_eq(R.default_unit_fen, 1000000);
    cr_assert_eq(book_rules_check(&R, &st), SYND_OK, "%s", st.message);
}

Test(terms, init_sets_unit_method_and_shortfall)
{
    book_terms t;

    book_terms_init(&t, &R);
    cr_assert_eq(t.unit_fen, 1000000);
    cr_assert_eq(t.method, BOOK_PRO_RATA);
    cr_assert_eq(t.shortfall, BOOK_UNDERWRITTEN);
}

Test(terms, unsound_rules_are_refused)
{
    book_rules r = R;
    r.sole_lead_min_bps = 10001;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "sole_lead_min_bps");
    r = R;
    r.single_bank_max_bps = 1200; /* below the sole lead's 15% */
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "single_bank_max_bps");
    r = R;
    r.others_min_bps = 9000; /* 15% + 90% > 100% */
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "others_min_bps");
    r = R;
    r.default_unit_fen = 0;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "default_unit_fen");
    r = R;
    r.max_leads = BOOK_MAX_LEADS + 1;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "max_leads");
    r = R;
    r.max_tenor_months = 0;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "max_tenor_months");
    r = R;
    r.max_open_ms = 0;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "max_open_ms");
    r = R;
    r.spread_min_bps = 50;
    r.spread_max_bps = 40;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "spread_min_bps");
    r = R;
    r.fee_max_bps = -1;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "fee_max_bps");
    r = R;
    r.fee_kinds |= 1u << BOOK_FEE_OTHER;
    assert_refused(book_rules_check(&r, &st), SYND_INVALID_ARGUMENT, st, "rule: fee whitelist");
}

Test(terms, borrower_code_is_checked)
{
    strcpy(T.borrower, "91350100M000100Y44"); /* the check character is 3 */
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: USCC check character");
    strcpy(T.borrower, "91350100M000100Y4");
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "has 17 characters, not 18");
    memset(T.borrower, '9', sizeof(T.borrower)); /* no NUL at all */
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "longer than 18 characters");
}

Test(terms, industry_code_is_checked)
{
    strcpy(T.industry, "C01"); /* division 01 is agriculture, section A */
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: GB/T 4754-2017 industry code");
    strcpy(T.industry, "98");
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "divisions 01-97");
}

Test(terms, facility_and_unit)
{
    T.unit_fen = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: allocation unit");
    setup();
    T.facility_fen = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: facility");
    setup();
    T.facility_fen = BOOK_MAX_FACILITY_FEN + UNIT;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: facility");
    setup();
    T.facility_fen += 100; /* ¥1 over a whole number of ¥10,000 units */
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: allocation unit");
    cr_assert(strstr(st.message, "¥3,000,000,001.00") != NULL, "%s", st.message);
}

Test(terms, tenor)
{
    T.tenor_months = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: tenor");
    T.tenor_months = 361;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: tenor");
    T.tenor_months = 360;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
    T.tenor_months = 1;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, price_talk)
{
    T.ref_rate = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "LPR_1Y or LPR_5Y (rule: price talk)");
    T.ref_rate = BOOK_LPR_1Y;
    T.spread_floor_bps = 90; /* above the cap of 80 */
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: price talk");
    T.spread_floor_bps = -301; /* below the deployment's -300 */
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: price talk");
    T.spread_floor_bps = -300;
    T.spread_cap_bps = 1001;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: price talk");
    T.spread_cap_bps = 1000;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
    T.spread_floor_bps = T.spread_cap_bps = 50; /* a single price is a band too */
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, minimum_ticket)
{
    T.min_ticket_fen = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: minimum ticket");
    T.min_ticket_fen = T.facility_fen + UNIT;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: minimum ticket");
    T.min_ticket_fen = UNIT + 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: allocation unit");
    T.min_ticket_fen = T.facility_fen;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, close_time)
{
    T.close_ms = NOW;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "future close time (rule: close time)");
    T.close_ms = NOW - 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: close time");
    T.close_ms = NOW + R.max_open_ms + 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "may stay open");
    T.close_ms = INT64_MAX; /* close - now overflows int64: refused, not wrapped */
    assert_refused(book_terms_check(&R, &T, -NOW, &st), SYND_INVALID_ARGUMENT, st,
                   "rule: close time");
    T.close_ms = NOW + R.max_open_ms;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
    T.close_ms = NOW + 1;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, lead_count_and_ids)
{
    T.n_leads = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "1 to 8 leads, not 0 (rule: leads)");
    T.n_leads = BOOK_MAX_LEADS + 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: leads");
    setup();
    R.max_leads = 1;
    T.n_leads = 2;
    strcpy(T.leads[1].bank_id, "BOC");
    T.leads[1].hold_fen = T.leads[0].hold_fen;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "1 to 1 leads, not 2");
    R.max_leads = 2;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
    strcpy(T.leads[1].bank_id, "ICBC");
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "listed twice");
    T.leads[1].bank_id[0] = '\0';
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "needs a bank id");
}

Test(terms, lead_hold_amounts)
{
    T.leads[0].hold_fen = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "must be positive");
    T.leads[0].hold_fen = 60000000000LL + 100; /* not whole ¥10,000 units */
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: allocation unit");
}

/* ¥3bn facility: 15% is ¥450m. ¥440m is 14.66%, refused; ¥450m passes. */
Test(terms, sole_lead_hold)
{
    T.leads[0].hold_fen = 44000000000LL;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "lead ICBC's hold of 14.66% is below the 15% a sole lead must keep (rule: "
                   "sole-lead hold)");
    T.leads[0].hold_fen = 45000000000LL;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

/* With two leads each needs 10% (¥300m): ¥290m (9.66%) is refused. */
Test(terms, co_lead_hold)
{
    T.n_leads = 2;
    strcpy(T.leads[1].bank_id, "BOC");
    T.leads[1].hold_fen = 29000000000LL;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "co-lead BOC's hold of 9.66% is below the 10% each lead must keep");
    cr_assert(strstr(st.message, "rule: co-lead hold") != NULL);
    T.leads[1].hold_fen = 30000000000LL;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

/* A sole lead holding 71% passes its 15% but not the 70% cap. */
Test(terms, single_bank_cap_on_a_lead)
{
    T.leads[0].hold_fen = 213000000000LL;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "bank ICBC would hold 71.00% of the facility, above the 70% any one bank may "
                   "hold (rule: single-bank cap)");
}

/* Two leads at 40% and 35%: each under 70%, together leaving 25% < 30%.
 * At 40% and 30% they leave exactly 30%, which passes. */
Test(terms, others_share)
{
    T.n_leads = 2;
    T.leads[0].hold_fen = 120000000000LL;
    strcpy(T.leads[1].bank_id, "BOC");
    T.leads[1].hold_fen = 105000000000LL;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "the leads hold 75.00% together, leaving 25.00% to other banks, below the 30% "
                   "that must go to them (rule: others' share)");
    T.leads[1].hold_fen = 90000000000LL;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, fee_of_another_kind)
{
    T.fees[1] = (book_fee){BOOK_FEE_OTHER, BOOK_BASIS_ONE_OFF_BPS, 30, 0, "advisory"};
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "fee 'advisory' is not an arrangement, commitment or agency fee");
    cr_assert(strstr(st.message, "rule: fee whitelist") != NULL);
}

Test(terms, fee_as_rate_add_on)
{
    T.fees[0].basis = BOOK_BASIS_RATE_ADD_ON;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "fee 'arrangement' is written as a rate add-on");
    cr_assert(strstr(st.message, "rule: no rate add-on fees") != NULL);
    /* Whatever it is called, a rate add-on is refused as one. */
    T.fees[0] = (book_fee){BOOK_FEE_OTHER, BOOK_BASIS_RATE_ADD_ON, 10, 0, "service margin"};
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: no rate add-on fees");
}

Test(terms, fee_kind_off_the_deployment_whitelist)
{
    R.fee_kinds &= ~(1u << BOOK_FEE_COMMITMENT);
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "commitment fees are not on this deployment's fee whitelist");
    T.n_fees = 1;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, fee_in_the_wrong_form)
{
    T.fees[0].basis = BOOK_BASIS_FIXED_YEARLY;
    T.fees[0].fen = 100000;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "arrangement fees are charged as one_off_bps, not fixed_yearly");
    setup();
    T.fees[2].basis = BOOK_BASIS_UNDRAWN_BPS;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: fee whitelist");
}

Test(terms, fee_bounds)
{
    T.fees[0].bps = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: fee bounds");
    T.fees[0].bps = 501;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "arrangement fee of 501 bps");
    T.fees[0].bps = 500;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
    T.fees[2].fen = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "agency fee of ¥0.00 a year");
    T.fees[2].fen = T.facility_fen + 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: fee bounds");
}

Test(terms, fee_listing)
{
    T.fees[2] = T.fees[0];
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "two arrangement fees");
    setup();
    T.fees[1].label[0] = '\0';
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "needs a label");
    setup();
    T.n_fees = BOOK_MAX_FEES + 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "more than 8");
    T.n_fees = 0; /* no fees at all is fine */
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, tie_in_condition)
{
    T.n_tie_ins = 1;
    strcpy(T.tie_ins[0], "borrower buys the bank's wealth-management product");
    assert_refused(check(), SYND_INVALID_ARGUMENT, st,
                   "tie-in condition 'borrower buys the bank's wealth-management product' is not "
                   "allowed");
    cr_assert(strstr(st.message, "rule: no tie-ins") != NULL);
    T.n_tie_ins = BOOK_MAX_TIE_INS + 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: no tie-ins");
}

Test(terms, allocation_method_and_shortfall)
{
    T.method = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: allocation method");
    T.method = BOOK_PRICE_PRIORITY;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
    T.shortfall = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: shortfall");
    T.shortfall = BOOK_UNDERWRITTEN;
    T.borrower_min_fen = UNIT;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "best-efforts books only");
    T.shortfall = BOOK_BEST_EFFORTS;
    T.borrower_min_fen = 0;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: best-efforts minimum");
    T.borrower_min_fen = T.facility_fen + UNIT;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: best-efforts minimum");
    T.borrower_min_fen = UNIT + 1;
    assert_refused(check(), SYND_INVALID_ARGUMENT, st, "rule: best-efforts minimum");
    T.borrower_min_fen = 200000000000LL;
    cr_assert_eq(check(), SYND_OK, "%s", st.message);
}

Test(terms, lead_index)
{
    cr_assert_eq(book_lead_index(&T, "ICBC"), 0);
    cr_assert_eq(book_lead_index(&T, "BOC"), -1);
    cr_assert_eq(book_lead_index(&T, "ICB"), -1);
}

Test(terms, names_round_trip)
{
    book_ref_rate rr;
    book_method m;
    book_shortfall s;
    book_fee_basis b;

    cr_assert_str_eq(book_ref_rate_name(BOOK_LPR_5Y), "LPR_5Y");
    cr_assert_eq(book_ref_rate_parse("LPR_1Y", &rr), 0);
    cr_assert_eq(rr, BOOK_LPR_1Y);
    cr_assert_eq(book_ref_rate_parse("SHIBOR", &rr), -1);
    cr_assert_str_eq(book_method_name(BOOK_PRICE_PRIORITY), "PRICE_PRIORITY");
    cr_assert_eq(book_method_parse("PRO_RATA", &m), 0);
    cr_assert_eq(m, BOOK_PRO_RATA);
    cr_assert_str_eq(book_shortfall_name(BOOK_BEST_EFFORTS), "BEST_EFFORTS");
    cr_assert_eq(book_shortfall_parse("UNDERWRITTEN", &s), 0);
    cr_assert_eq(s, BOOK_UNDERWRITTEN);
    cr_assert_eq(book_fee_basis_parse("rate_add_on", &b), 0);
    cr_assert_eq(b, BOOK_BASIS_RATE_ADD_ON);
    cr_assert_str_eq(book_fee_basis_name(BOOK_BASIS_UNDRAWN_BPS), "undrawn_bps");
    cr_assert_eq(book_fee_kind_parse("agency"), BOOK_FEE_AGENCY);
    cr_assert_eq(book_fee_kind_parse("advisory"), BOOK_FEE_OTHER);
    cr_assert_str_eq(book_fee_kind_name(BOOK_FEE_COMMITMENT), "commitment");
    cr_assert_str_eq(book_method_name(0), "?");
    cr_assert_str_eq(book_ref_rate_name(7), "?");
}
