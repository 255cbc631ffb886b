/* Unit tests of syndctl's terms (client/syndctl/terms.c): a libconfig terms
 * file into a Synd__V1__BookTerms, errors naming file:line and the setting,
 * book open's flags over a file, and the --lead and --fee values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "book/terms.h"
#include "ctl.h"

#define NOW 1700000000000LL /* a fixed "now", unix ms */

static char dir[64], path[128];
static Synd__V1__BookTerms *t;

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/synd-unit-terms-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/terms.conf", dir);
    t = ctl_terms_new();
    cr_assert_not_null(t);
}

static void teardown(void)
{
    ctl_terms_free(t);
    unlink(path);
    rmdir(dir);
}

TestSuite(terms_file, .init = setup, .fini = teardown);
TestSuite(terms_flags, .init = setup, .fini = teardown);
TestSuite(terms_values);

static void write_terms(const char *text)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f);
    cr_assert_geq(fputs(text, f), 0);
    cr_assert_eq(fclose(f), 0);
}

/* Asserts that reading text as a terms file fails with a message that
 * names "terms.conf:line: " followed by want. */
static void expect_file_error(const char *text, int line, const char *want)
{
    synd_status st = {0};
    char where[160];

    write_terms(text);
    cr_assert_eq(ctl_terms_read_file(t, path, NOW, &st), -1, "accepted:\n%s", text);
    cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
    snprintf(where, sizeof(where), "%s:%d: ", path, line);
    cr_assert(strncmp(st.message, where, strlen(where)) == 0,
              "message \"%s\" does not start "
              "with \"%s\"",
              st.message, where);
    cr_assert(strstr(st.message, want) != NULL, "message \"%s\" lacks \"%s\"", st.message, want);
}

static void read_ok(const char *file)
{
    synd_status st = {0};

    cr_assert_eq(ctl_terms_read_file(t, file, NOW, &st), 0, "%s", st.message);
}

/* The book module's terms from the wire's, as the broker will see them,
 * so that the example file is checked against the real rules. */
static void to_book_terms(const Synd__V1__BookTerms *w, book_terms *b)
{
    book_rules r = book_rules_default();

    book_terms_init(b, &r);
    snprintf(b->borrower, sizeof(b->borrower), "%s", w->borrower_code);
    snprintf(b->industry, sizeof(b->industry), "%s", w->industry_code);
    b->facility_fen = w->facility_fen;
    if (w->unit_fen)
        b->unit_fen = w->unit_fen;
    b->tenor_months = w->tenor_months;
    b->ref_rate = (book_ref_rate)w->reference_rate;
    b->spread_floor_bps = w->spread_floor_bps;
    b->spread_cap_bps = w->spread_cap_bps;
    b->min_ticket_fen = w->min_ticket_fen;
    b->close_ms = w->close_ms;
    cr_assert_leq(w->n_leads, BOOK_MAX_LEADS);
    b->n_leads = w->n_leads;
    for (size_t i = 0; i < w->n_leads; i++) {
        snprintf(b->leads[i].bank_id, BOOK_MAX_ID, "%s", w->leads[i]->bank_id);
        b->leads[i].hold_fen = w->leads[i]->hold_fen;
    }
    cr_assert_leq(w->n_fees, BOOK_MAX_FEES);
    b->n_fees = w->n_fees;
    for (size_t i = 0; i < w->n_fees; i++) {
        b->fees[i].kind = book_fee_kind_parse(w->fees[i]->kind);
        b->fees[i].basis = (book_fee_basis)w->fees[i]->basis;
        b->fees[i].bps = w->fees[i]->bps;
        b->fees[i].fen = w->fees[i]->fen;
        snprintf(b->fees[i].label, BOOK_MAX_LABEL, "%s", w->fees[i]->kind);
    }
    b->n_tie_ins = w->n_tie_ins;
    if (w->method)
        b->method = (book_method)w->method;
    if (w->shortfall)
        b->shortfall = (book_shortfall)w->shortfall;
    b->borrower_min_fen = w->borrower_min_fen;
}

Test(terms_file, example_3bn_reads_as_written)
{
    read_ok(SYND_SOURCE_DIR "/examples/terms-3bn.conf");
    cr_assert_str_eq(t->borrower_code, "91350100M000100Y43");
    cr_assert_str_eq(t->industry_code, "C3841");
    cr_assert_str_neq(t->project, "");
    cr_assert_eq(t->facility_fen, 300000000000LL);
    cr_assert_eq(t->unit_fen, 1000000);
    cr_assert_eq(t->min_ticket_fen, 10000000000LL);
    cr_assert_eq(t->tenor_months, 60);
    cr_assert_eq(t->reference_rate, SYND__V1__REFERENCE_RATE__LPR_5Y);
    cr_assert_eq(t->spread_floor_bps, 10);
    cr_assert_eq(t->spread_cap_bps, 60);
    cr_assert_eq(t->close_ms, NOW + 86400 * 1000LL);
    cr_assert_eq(t->n_leads, 1);
    cr_assert_str_eq(t->leads[0]->bank_id, "ICBC");
    cr_assert_eq(t->leads[0]->hold_fen, 45000000000LL); /* 15% of ¥3bn */
    cr_assert_eq(t->n_fees, 1);
    cr_assert_str_eq(t->fees[0]->kind, "arrangement");
    cr_assert_eq(t->fees[0]->basis, SYND__V1__FEE_BASIS__ONE_OFF_BPS);
    cr_assert_eq(t->fees[0]->bps, 25);
    cr_assert_eq(t->n_tie_ins, 0);
    cr_assert_eq(t->method, SYND__V1__ALLOCATION_METHOD__PRO_RATA);
    cr_assert_eq(t->shortfall, SYND__V1__SHORTFALL_RULE__UNDERWRITTEN);
}

Test(terms_file, example_3bn_passes_the_book_rules)
{
    book_rules r = book_rules_default();
    book_terms b;
    synd_status st = {0};

    read_ok(SYND_SOURCE_DIR "/examples/terms-3bn.conf");
    to_book_terms(t, &b);
    cr_assert_eq(book_terms_check(&r, &b, NOW, &st), SYND_OK, "%s", st.message);
}

Test(terms_file, every_setting)
{
    write_terms("borrower = \"91350100M000100Y43\";\n"
                "industry = \"C3011\";\n"
                "project = \"kiln\";\n"
                "facility = 2000000000;\n" /* whole yuan as an integer */
                "unit = 50000L;\n"         /* and as a 64-bit one */
                "tenor = 36;\n"
                "rate = \"LPR_1Y\";\n"
                "spread_floor = -30;\n"
                "spread_cap = \"45\";\n" /* numbers may be strings too */
                "min_ticket = \"¥20,000,000\";\n"
                "close_at = 1700000360000L;\n"
                "lead = [ \"A:300m\", \"B:200m\" ];\n"
                "fee = ( \"arrangement:one_off_bps:20\", \"agency:fixed_yearly:150k\" );\n"
                "tie_in = \"deposit account\";\n"
                "method = \"PRICE_PRIORITY\";\n"
                "shortfall = \"BEST_EFFORTS\";\n"
                "borrower_min = \"1.5bn\";\n");
    read_ok(path);
    cr_assert_str_eq(t->project, "kiln");
    cr_assert_eq(t->facility_fen, 200000000000LL);
    cr_assert_eq(t->unit_fen, 5000000);
    cr_assert_eq(t->tenor_months, 36);
    cr_assert_eq(t->reference_rate, SYND__V1__REFERENCE_RATE__LPR_1Y);
    cr_assert_eq(t->spread_floor_bps, -30);
    cr_assert_eq(t->spread_cap_bps, 45);
    cr_assert_eq(t->min_ticket_fen, 2000000000LL);
    cr_assert_eq(t->close_ms, 1700000360000LL);
    cr_assert_eq(t->n_leads, 2);
    cr_assert_str_eq(t->leads[1]->bank_id, "B");
    cr_assert_eq(t->leads[1]->hold_fen, 20000000000LL);
    cr_assert_eq(t->n_fees, 2);
    cr_assert_eq(t->fees[1]->basis, SYND__V1__FEE_BASIS__FIXED_YEARLY);
    cr_assert_eq(t->fees[1]->fen, 15000000);
    cr_assert_eq(t->n_tie_ins, 1);
    cr_assert_str_eq(t->tie_ins[0], "deposit account");
    cr_assert_eq(t->method, SYND__V1__ALLOCATION_METHOD__PRICE_PRIORITY);
    cr_assert_eq(t->shortfall, SYND__V1__SHORTFALL_RULE__BEST_EFFORTS);
    cr_assert_eq(t->borrower_min_fen, 150000000000LL);
}

Test(terms_file, errors_name_the_line_and_setting)
{
    expect_file_error("tenor = 60;\nfacility = \"3xb\";\n", 2, "facility: amount '3xb'");
    expect_file_error("\n\nfacilty = \"3bn\";\n", 3, "facilty: unknown setting");
    expect_file_error("tenor = 60;\nfacility = 3.0e9;\n", 2,
                      "facility: must be a string or "
                      "an integer");
    expect_file_error("industry = 3011;\n", 1, "industry: must be a string");
    expect_file_error("tenor = \"sixty\";\n", 1, "tenor: months: 'sixty' is not a whole number");
    expect_file_error("tenor = 9999999999L;\n", 1, "tenor: months: 9999999999 is out of range");
    expect_file_error("rate = \"LPR_10Y\";\n", 1, "rate: 'LPR_10Y' is not LPR_1Y or LPR_5Y");
    expect_file_error("method = \"pro_rata\";\n", 1, "method: 'pro_rata' is not PRO_RATA");
    expect_file_error("shortfall = \"NONE\";\n", 1, "shortfall: 'NONE' is not UNDERWRITTEN");
    expect_file_error("close_in = 0;\n", 1, "close_in: seconds: 0 is out of range");
    expect_file_error("spread_cap = true;\n", 1, "spread_cap: must be a string or an integer");
    expect_file_error("borrower_min = \"-1m\";\n", 1, "borrower_min: amount '-1m'");
}

Test(terms_file, list_errors_name_the_element)
{
    expect_file_error("lead = [ \"A:1m\",\n  \"B\" ];\n", 2, "lead[1]: lead 'B': write BANK:HOLD");
    expect_file_error("fee = ( \"arrangement:one_off_bps:25\",\n 7 );\n", 2,
                      "fee[1]: must be a string");
    expect_file_error("fee = \"arrangement:upfront:25\";\n", 1,
                      "fee: fee 'arrangement:upfront:25': basis 'upfront'");
    expect_file_error("lead = 5;\n", 1, "lead: must be a string or a list of strings");
    expect_file_error("lead = ( { bank = \"A\"; } );\n", 1, "lead[0]: must be a string");
}

Test(terms_file, one_close_time)
{
    expect_file_error("close_in = 60;\nclose_at = 1700000360000L;\n", 2,
                      "close_at: give close_in or close_at, not both");
}

Test(terms_file, syntax_errors_and_missing_files)
{
    synd_status st = {0};

    expect_file_error("tenor = 60;\nunit = \"10k\";\nfacility = = \"3bn\";\n", 3, "syntax error");
    cr_assert_eq(ctl_terms_read_file(t, "/nonexistent/terms.conf", NOW, &st), -1);
    cr_assert(strstr(st.message, "cannot read terms file /nonexistent/terms.conf") != NULL, "%s",
              st.message);
}

/* Runs ctl_terms_from_args over a NULL-terminated list of arguments. */
static int from_args(const char *const *args, synd_status *st)
{
    char *argv[64];
    int argc = 0;

    argv[argc++] = "open";
    while (*args != NULL && argc < 63)
        argv[argc++] = (char *)*args++;
    argv[argc] = NULL;
    return ctl_terms_from_args(t, argc, argv, NOW, st);
}

/* Asserts that the arguments are refused with want in the message. */
static void expect_args_error(const char *const *args, const char *want)
{
    synd_status st = {0};

    cr_assert_eq(from_args(args, &st), -1, "accepted");
    cr_assert(strstr(st.message, want) != NULL, "message \"%s\" lacks \"%s\"", st.message, want);
}

Test(terms_flags, every_flag)
{
    const char *const args[] = {"--borrower",
                                "91350100M000100Y43",
                                "--industry",
                                "C3011",
                                "--project",
                                "kiln",
                                "--facility",
                                "3bn",
                                "--unit",
                                "10k",
                                "--tenor",
                                "60",
                                "--rate",
                                "LPR_5Y",
                                "--spread-floor",
                                "-20",
                                "--spread-cap",
                                "80",
                                "--min-ticket",
                                "50m",
                                "--close-in",
                                "3600",
                                "--lead",
                                "ICBC:450m",
                                "--lead",
                                "BOC:300m",
                                "--fee",
                                "arrangement:one_off_bps:50",
                                "--fee",
                                "commitment:undrawn_bps:25",
                                "--fee",
                                "agency:fixed_yearly:200k",
                                "--tie-in",
                                "insurance",
                                "--method",
                                "PRICE_PRIORITY",
                                "--shortfall",
                                "BEST_EFFORTS",
                                "--borrower-min",
                                "2bn",
                                NULL};
    synd_status st = {0};

    cr_assert_eq(from_args(args, &st), 0, "%s", st.message);
    cr_assert_str_eq(t->borrower_code, "91350100M000100Y43");
    cr_assert_str_eq(t->industry_code, "C3011");
    cr_assert_eq(t->facility_fen, 300000000000LL);
    cr_assert_eq(t->unit_fen, 1000000);
    cr_assert_eq(t->tenor_months, 60);
    cr_assert_eq(t->reference_rate, SYND__V1__REFERENCE_RATE__LPR_5Y);
    cr_assert_eq(t->spread_floor_bps, -20);
    cr_assert_eq(t->spread_cap_bps, 80);
    cr_assert_eq(t->min_ticket_fen, 5000000000LL);
    cr_assert_eq(t->close_ms, NOW + 3600 * 1000LL);
    cr_assert_eq(t->n_leads, 2);
    cr_assert_str_eq(t->leads[0]->bank_id, "ICBC");
    cr_assert_eq(t->leads[0]->hold_fen, 45000000000LL);
    cr_assert_eq(t->n_fees, 3);
    cr_assert_eq(t->fees[2]->fen, 20000000);
    cr_assert_eq(t->n_tie_ins, 1);
    cr_assert_eq(t->method, SYND__V1__ALLOCATION_METHOD__PRICE_PRIORITY);
    cr_assert_eq(t->shortfall, SYND__V1__SHORTFALL_RULE__BEST_EFFORTS);
    cr_assert_eq(t->borrower_min_fen, 200000000000LL);
}

Test(terms_flags, flags_override_the_file)
{
    const char *args[] = {"--facility", "2bn",       "--file",     path,
                          "--lead",     "BOC:300m",  "--close-at", "1700000999000",
                          "--tie-in",   "insurance", NULL};
    synd_status st = {0};

    write_terms("facility = \"3bn\";\n"
                "tenor = 60;\n"
                "close_in = 60;\n"
                "lead = [ \"ICBC:450m\", \"CCB:300m\" ];\n"
                "fee = [ \"arrangement:one_off_bps:25\" ];\n");
    cr_assert_eq(from_args(args, &st), 0, "%s", st.message);
    cr_assert_eq(t->facility_fen, 200000000000LL, "the flag wins, wherever it stands");
    cr_assert_eq(t->tenor_months, 60, "the file's other settings stay");
    cr_assert_eq(t->close_ms, 1700000999000LL, "--close-at replaces the file's close_in");
    cr_assert_eq(t->n_leads, 1, "--lead replaces the file's whole list");
    cr_assert_str_eq(t->leads[0]->bank_id, "BOC");
    cr_assert_eq(t->n_fees, 1, "the file's fees stay when no --fee is given");
    cr_assert_eq(t->n_tie_ins, 1);
}

Test(terms_flags, bad_flags)
{
    const char *const unknown[] = {"--facilty", "3bn", NULL};
    const char *const missing[] = {"--tenor", NULL};
    const char *const stray[] = {"--tenor", "60", "extra", NULL};
    const char *const two_closes[] = {"--close-in", "60", "--close-at", "1700000999000", NULL};
    const char *const amount[] = {"--facility", "3bn", "--min-ticket", "1.001", NULL};
    const char *const lead[] = {"--lead", "ICBC", NULL};
    const char *const bad_file[] = {"--file", "/nonexistent/terms.conf", NULL};
    const char *const none[] = {NULL};

    expect_args_error(unknown, "unknown option '--facilty'");
    expect_args_error(missing, "option '--tenor' needs a value");
    expect_args_error(stray, "unexpected argument 'extra'");
    expect_args_error(two_closes, "give --close-in or --close-at, once");
    expect_args_error(amount, "--min-ticket: amount '1.001': 3 decimals");
    expect_args_error(lead, "--lead: lead 'ICBC': write BANK:HOLD");
    expect_args_error(bad_file, "cannot read terms file");
    expect_args_error(none, "no terms");
}

Test(terms_flags, file_errors_come_through)
{
    const char *args[] = {"--file", path, "--tenor", "60", NULL};
    synd_status st = {0};

    write_terms("facility = \"3bn\";\nunit = \"ten\";\n");
    cr_assert_eq(from_args(args, &st), -1);
    cr_assert(strstr(st.message, "terms.conf:2: unit: amount 'ten'") != NULL, "%s", st.message);
}

Test(terms_flags, help)
{
    const char *const args[] = {"--tenor", "60", "--help", NULL};
    synd_status st = {0};

    cr_assert_eq(from_args(args, &st), 1);
}

Test(terms_flags, every_flag_is_in_the_help)
{
    const char *const flags[] = {
        "--borrower ", "--industry ",  "--project ",      "--facility ",   "--unit ",
        "--tenor ",    "--rate ",      "--spread-floor ", "--spread-cap ", "--min-ticket ",
        "--close-in ", "--close-at ",  "--lead ",         "--fee ",        "--tie-in ",
        "--method ",   "--shortfall ", "--borrower-min "};

    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        cr_assert(strstr(ctl_terms_help, flags[i]) != NULL, "help lacks %s", flags[i]);
}

Test(terms_values, lead)
{
    synd_status st = {0};
    Synd__V1__LeadHold *l = ctl_lead_parse("ICBC:450m", &st);

    cr_assert_not_null(l, "%s", st.message);
    cr_assert_str_eq(l->bank_id, "ICBC");
    cr_assert_eq(l->hold_fen, 45000000000LL);
    protobuf_c_message_free_unpacked(&l->base, NULL);
    l = ctl_lead_parse("BANK_OF_X:¥1,000,000.50", &st);
    cr_assert_not_null(l, "%s", st.message);
    cr_assert_eq(l->hold_fen, 100000050);
    protobuf_c_message_free_unpacked(&l->base, NULL);
}

Test(terms_values, bad_leads)
{
    const char *const bad[][2] = {
        {"ICBC", "write BANK:HOLD"},    {":450m", "write BANK:HOLD"},
        {"ICBC:", "write BANK:HOLD"},   {"A:B:1m", "write BANK:HOLD"},
        {"", "write BANK:HOLD"},        {"ICBC:-5m", "hold amount '-5m': a negative"},
        {"ICBC:15%", "unexpected '%'"}, {"ICBC:1.005", "3 decimals"},
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        synd_status st = {0};
        Synd__V1__LeadHold *l = ctl_lead_parse(bad[i][0], &st);
        cr_assert_null(l, "'%s' accepted", bad[i][0]);
        cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
        cr_assert(strstr(st.message, bad[i][1]) != NULL, "'%s': \"%s\" lacks \"%s\"", bad[i][0],
                  st.message, bad[i][1]);
    }
}

Test(terms_values, fees)
{
    synd_status st = {0};
    Synd__V1__Fee *f = ctl_fee_parse("arrangement:one_off_bps:25", &st);

    cr_assert_not_null(f, "%s", st.message);
    cr_assert_str_eq(f->kind, "arrangement");
    cr_assert_eq(f->basis, SYND__V1__FEE_BASIS__ONE_OFF_BPS);
    cr_assert_eq(f->bps, 25);
    cr_assert_eq(f->fen, 0);
    protobuf_c_message_free_unpacked(&f->base, NULL);

    f = ctl_fee_parse("agency:fixed_yearly:500k", &st);
    cr_assert_not_null(f, "%s", st.message);
    cr_assert_eq(f->basis, SYND__V1__FEE_BASIS__FIXED_YEARLY);
    cr_assert_eq(f->fen, 50000000);
    cr_assert_eq(f->bps, 0);
    protobuf_c_message_free_unpacked(&f->base, NULL);

    f = ctl_fee_parse("commitment:undrawn_bps:30", &st);
    cr_assert_not_null(f, "%s", st.message);
    cr_assert_eq(f->basis, SYND__V1__FEE_BASIS__UNDRAWN_BPS);
    protobuf_c_message_free_unpacked(&f->base, NULL);
}

/* The client passes on what only the broker may refuse, so that the
 * refusal names its rule and supervisors see the attempt. */
Test(terms_values, fees_the_broker_refuses_are_passed_on)
{
    synd_status st = {0};
    Synd__V1__Fee *f = ctl_fee_parse("upfront:one_off_bps:10", &st);

    cr_assert_not_null(f, "%s", st.message);
    cr_assert_str_eq(f->kind, "upfront");
    protobuf_c_message_free_unpacked(&f->base, NULL);
    f = ctl_fee_parse("arrangement:rate_add_on:5", &st);
    cr_assert_not_null(f, "%s", st.message);
    cr_assert_eq(f->basis, SYND__V1__FEE_BASIS__RATE_ADD_ON);
    protobuf_c_message_free_unpacked(&f->base, NULL);
}

Test(terms_values, bad_fees)
{
    const char *const bad[][2] = {
        {"arrangement:one_off_bps", "write KIND:BASIS:VALUE"},
        {"arrangement", "write KIND:BASIS:VALUE"},
        {"arrangement:one_off_bps:25:1", "write KIND:BASIS:VALUE"},
        {":one_off_bps:25", "write KIND:BASIS:VALUE"},
        {"arrangement::25", "write KIND:BASIS:VALUE"},
        {"arrangement:ONE_OFF_BPS:25", "basis 'ONE_OFF_BPS' is not one_off_bps"},
        {"arrangement:one_off_bps:25.5", "'25.5' is not a whole number"},
        {"arrangement:one_off_bps:25bps", "'25bps' is not a whole number"},
        {"arrangement:one_off_bps:3000000000", "out of range"},
        {"agency:fixed_yearly:1.234", "amount '1.234'"},
        {"agency:fixed_yearly:-5", "a negative amount"},
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        synd_status st = {0};
        Synd__V1__Fee *f = ctl_fee_parse(bad[i][0], &st);
        cr_assert_null(f, "'%s' accepted", bad[i][0]);
        cr_assert_eq(st.code, SYND_INVALID_ARGUMENT);
        cr_assert(strstr(st.message, bad[i][1]) != NULL, "'%s': \"%s\" lacks \"%s\"", bad[i][0],
                  st.message, bad[i][1]);
        cr_assert(strstr(st.message, bad[i][0]) != NULL, "'%s' is not quoted: %s", bad[i][0],
                  st.message);
    }
}

Test(terms_values, whole_numbers)
{
    synd_status st = {0};
    int64_t v;
    int32_t w;

    cr_assert_eq(ctl_parse_int("--x", "-42", -100, 100, &v, &st), 0);
    cr_assert_eq(v, -42);
    cr_assert_eq(ctl_parse_i32("--x", "2147483647", &w, &st), 0);
    cr_assert_eq(w, INT32_MAX);
    cr_assert_eq(ctl_parse_i32("--x", "2147483648", &w, &st), -1);
    cr_assert(strstr(st.message, "--x: 2147483648 is out of range") != NULL, "%s", st.message);
    cr_assert_eq(ctl_parse_int("--x", "99999999999999999999", INT64_MIN, INT64_MAX, &v, &st), -1);
    cr_assert(strstr(st.message, "out of range") != NULL, "%s", st.message);
    cr_assert_eq(ctl_parse_int("--x", " 5", 0, 10, &v, &st), -1);
    cr_assert_eq(ctl_parse_int("--x", "+5", 0, 10, &v, &st), -1);
    cr_assert_eq(ctl_parse_int("--x", "", 0, 10, &v, &st), -1);
    cr_assert_eq(ctl_parse_int("--x", "-", 0, 10, &v, &st), -1);
    cr_assert_eq(ctl_parse_int("--x", "5x", 0, 10, &v, &st), -1);
    cr_assert(strstr(st.message, "'5x' is not a whole number") != NULL, "%s", st.message);
}
