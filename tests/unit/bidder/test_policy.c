/* The policy file: a valid file read whole, and each refusal naming the
 * file, the line and the setting. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "bidder/policy.h"

static char dir[64], path[128];

static void make_dir(void)
{
    strcpy(dir, "/tmp/synd-bidder-policy-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/policy.conf", dir);
}

static void remove_dir(void)
{
    unlink(path);
    rmdir(dir);
}

TestSuite(policy, .init = make_dir, .fini = remove_dir);

/* Writes text as the policy file and loads it. */
static synd_code load(const char *text, bidder_policy *p, synd_status *st)
{
    FILE *f = fopen(path, "w");

    cr_assert_not_null(f);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
    return bidder_policy_load(path, p, st);
}

/* Asserts that text is refused with a message that starts "<path>:<line>:"
 * and contains want. */
static void assert_refused_at(const char *text, int line, const char *want)
{
    bidder_policy p;
    synd_status st = {0};
    char where[192];

    cr_assert_eq(load(text, &p, &st), SYND_INVALID_ARGUMENT, "accepted:\n%s", text);
    snprintf(where, sizeof(where), "%s:%d: ", path, line);
    cr_assert_eq(strncmp(st.message, where, strlen(where)), 0, "message \"%s\" lacks \"%s\"",
                 st.message, where);
    cr_assert_not_null(strstr(st.message, want), "message \"%s\" lacks \"%s\"", st.message, want);
}

#define VALID_TAIL                                                                                 \
    "max_ticket_fen = 50000000000L;\n"                                                             \
    "min_spread_bps = 40;\n"                                                                       \
    "headroom_share_bps = 5000;\n"

Test(policy, valid_file)
{
    bidder_policy p;
    synd_status st = {0};

    cr_assert_eq(load("# a participant's policy\n"
                      "appetite = ( { industry = \"C\"; },\n"
                      "             { industry = \"30\"; max_ticket_fen = 30000000000L; } );\n"
                      "max_ticket_fen = 50000000000L;\n"
                      "min_spread_bps = -15;\n"
                      "headroom_share_bps = 5000;\n"
                      "max_tenor_months = 120;\n",
                      &p, &st),
                 SYND_OK, "%s", st.message);
    cr_assert_eq(p.n_appetite, 2);
    cr_assert_str_eq(p.appetite[0].industry, "C");
    cr_assert_eq(p.appetite[0].max_ticket_fen, 0);
    cr_assert_str_eq(p.appetite[1].industry, "C30", "stored in canonical form");
    cr_assert_eq(p.appetite[1].max_ticket_fen, 30000000000LL);
    cr_assert_eq(p.max_ticket_fen, 50000000000LL);
    cr_assert_eq(p.min_spread_bps, -15);
    cr_assert_eq(p.headroom_share_bps, 5000);
    cr_assert_eq(p.max_tenor_months, 120);
    cr_assert_str_eq(st.message, "");
}

/* The demo's and docker-compose's policies are ones the daemon accepts. */
Test(policy, example_files)
{
    DIR *d = opendir(EXAMPLE_POLICIES);
    struct dirent *e;
    int n = 0;

    cr_assert_not_null(d, "%s", EXAMPLE_POLICIES);
    while ((e = readdir(d)) != NULL) {
        char file[512];
        bidder_policy p;
        synd_status st = {0};
        size_t len = strlen(e->d_name);

        if (len < 5 || strcmp(e->d_name + len - 5, ".conf") != 0)
            continue;
        snprintf(file, sizeof(file), "%s/%s", EXAMPLE_POLICIES, e->d_name);
        cr_assert_eq(bidder_policy_load(file, &p, &st), SYND_OK, "%s", st.message);
        cr_assert_gt(p.n_appetite, 0);
        n++;
    }
    closedir(d);
    cr_assert_gt(n, 0, "no policies in %s", EXAMPLE_POLICIES);
}

Test(policy, tenor_is_optional_and_bounds_are_inclusive)
{
    bidder_policy p;
    synd_status st = {0};

    cr_assert_eq(load("appetite = ( { industry = \"C3011\"; } );\n"
                      "max_ticket_fen = 1000000000000000L;\n"
                      "min_spread_bps = 10000;\n"
                      "headroom_share_bps = 10000;\n",
                      &p, &st),
                 SYND_OK, "%s", st.message);
    cr_assert_eq(p.max_tenor_months, 0);
    cr_assert_eq(p.max_ticket_fen, 1000000000000000LL);
    cr_assert_eq(p.headroom_share_bps, 10000);
    cr_assert_eq(load("appetite = ( { industry = \"C3011\"; } );\n"
                      "max_ticket_fen = 1L;\n"
                      "min_spread_bps = -10000;\n"
                      "headroom_share_bps = 1;\n",
                      &p, &st),
                 SYND_OK, "%s", st.message);
    cr_assert_eq(p.max_ticket_fen, 1);
    cr_assert_eq(p.headroom_share_bps, 1);
}

Test(policy, missing_file)
{
    bidder_policy p;
    synd_status st = {0};

    cr_assert_eq(bidder_policy_load("/nonexistent/policy.conf", &p, &st), SYND_NOT_FOUND);
    cr_assert_not_null(strstr(st.message, "/nonexistent/policy.conf: cannot open"), "%s",
                       st.message);
}

Test(policy, syntax_error_names_line)
{
    assert_refused_at("appetite = ( { industry = \"C\"; } );\n"
                      "max_ticket_fen = 50000000000L;\n"
                      "min_spread_bps = = 40;\n",
                      3, "syntax error");
}

Test(policy, missing_settings)
{
    static const char *const required[] = {"appetite", "max_ticket_fen", "min_spread_bps",
                                           "headroom_share_bps"};
    static const char *const lines[] = {"appetite = ( { industry = \"C\"; } );\n",
                                        "max_ticket_fen = 50000000000L;\n",
                                        "min_spread_bps = 40;\n", "headroom_share_bps = 5000;\n"};

    for (size_t skip = 0; skip < 4; skip++) {
        char text[512] = "", want[256];
        bidder_policy p;
        synd_status st = {0};

        for (size_t i = 0; i < 4; i++) {
            if (i != skip)
                strcat(text, lines[i]);
        }
        cr_assert_eq(load(text, &p, &st), SYND_INVALID_ARGUMENT);
        snprintf(want, sizeof(want), "%s: missing setting %s", path, required[skip]);
        cr_assert_str_eq(st.message, want);
    }
}

Test(policy, unknown_setting)
{
    assert_refused_at("appetite = ( { industry = \"C\"; } );\n" VALID_TAIL "max_tiket_fen = 1L;\n",
                      5, "unknown setting 'max_tiket_fen'");
}

Test(policy, fen_needs_int64_form)
{
    /* libconfig 1.5 reads 50000000000 without L as a truncated 32-bit
     * number; the refusal says so instead of bidding a wrong amount. */
    assert_refused_at("appetite = ( { industry = \"C\"; } );\n"
                      "max_ticket_fen = 50000000000;\n"
                      "min_spread_bps = 40;\nheadroom_share_bps = 5000;\n",
                      2, "max_ticket_fen must be written as a 64-bit integer with an L suffix");
    assert_refused_at("appetite = ( { industry = \"C\"; } );\n"
                      "min_spread_bps = 40;\nheadroom_share_bps = 5000;\n"
                      "max_ticket_fen = 500.0;\n",
                      4, "max_ticket_fen must be an integer count of fen");
}

Test(policy, fen_range)
{
    static const char *const bad[] = {"0L", "-1L", "1000000000000001L",
                                      "99999999999999999999L" /* clamped by libconfig */};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[512];
        snprintf(text, sizeof(text),
                 "appetite = ( { industry = \"C\"; } );\nmin_spread_bps = 40;\n"
                 "max_ticket_fen = %s;\nheadroom_share_bps = 5000;\n",
                 bad[i]);
        assert_refused_at(text, 3, "max_ticket_fen must be between 1 and 1000000000000000 fen");
    }
}

Test(policy, int_ranges)
{
    assert_refused_at("appetite = ( { industry = \"C\"; } );\nmax_ticket_fen = 1L;\n"
                      "min_spread_bps = 10001;\nheadroom_share_bps = 5000;\n",
                      3, "min_spread_bps must be an integer from -10000 to 10000");
    assert_refused_at("appetite = ( { industry = \"C\"; } );\nmax_ticket_fen = 1L;\n"
                      "min_spread_bps = \"40\";\nheadroom_share_bps = 5000;\n",
                      3, "min_spread_bps must be an integer");
    assert_refused_at("appetite = ( { industry = \"C\"; } );\nmax_ticket_fen = 1L;\n"
                      "min_spread_bps = 40;\nheadroom_share_bps = 0;\n",
                      4, "headroom_share_bps must be an integer from 1 to 10000");
    assert_refused_at("appetite = ( { industry = \"C\"; } );\nmax_ticket_fen = 1L;\n"
                      "min_spread_bps = 40;\nheadroom_share_bps = 10001;\n",
                      4, "headroom_share_bps must be an integer from 1 to 10000");
    assert_refused_at("appetite = ( { industry = \"C\"; } );\n" VALID_TAIL
                      "max_tenor_months = 0;\n",
                      5, "max_tenor_months must be an integer from 1 to 1200");
    assert_refused_at("appetite = ( { industry = \"C\"; } );\n" VALID_TAIL
                      "max_tenor_months = 60.5;\n",
                      5, "max_tenor_months must be an integer");
}

Test(policy, appetite_shape)
{
    assert_refused_at(VALID_TAIL "appetite = ( );\n", 4, "appetite must be a non-empty list");
    assert_refused_at(VALID_TAIL "appetite = \"C\";\n", 4, "appetite must be a non-empty list");
    assert_refused_at(VALID_TAIL "appetite = ( { industry = \"C\"; },\n \"C30\" );\n", 5,
                      "appetite entries must be groups");
    assert_refused_at(VALID_TAIL "appetite = ( { industry = \"C\"; },\n"
                                 "  { max_ticket_fen = 1L; } );\n",
                      5, "appetite entry needs industry");
    assert_refused_at(VALID_TAIL "appetite = ( { industry = \"C\"; },\n"
                                 "  { industry = \"C30\"; max_tiket_fen = 1L; } );\n",
                      5, "unknown appetite setting 'max_tiket_fen'");
    assert_refused_at(VALID_TAIL "appetite = ( { industry = 30; } );\n", 4,
                      "appetite industry must be a string");
}

Test(policy, appetite_codes)
{
    assert_refused_at(VALID_TAIL "appetite = ( { industry = \"C\"; },\n"
                                 "  { industry = \"C99\"; } );\n",
                      5, "appetite industry: industry code C99 names division 99");
    assert_refused_at(VALID_TAIL "appetite = ( { industry = \"C\"; },\n"
                                 "  { industry = \"B30\"; } );\n",
                      5, "division 30 is in section C, not B");
    assert_refused_at(VALID_TAIL "appetite = ( { industry = \"C30\"; },\n"
                                 "  { industry = \"30\"; } );\n",
                      5, "appetite industry C30 is listed twice");
}

Test(policy, appetite_caps)
{
    assert_refused_at(VALID_TAIL "appetite = (\n"
                                 "  { industry = \"C30\"; max_ticket_fen = 30000000000; } );\n",
                      5, "appetite max_ticket_fen must be written as a 64-bit integer");
    assert_refused_at(VALID_TAIL "appetite = (\n"
                                 "  { industry = \"C30\"; max_ticket_fen = 0L; } );\n",
                      5, "appetite max_ticket_fen must be between 1 and");
}

Test(policy, appetite_limit)
{
    char text[8192] = VALID_TAIL "appetite = (\n";
    int n = 0;

    /* 65 distinct classes of division 30: 3000..3064. */
    for (int i = 0; i <= 64; i++) {
        char e[64];
        snprintf(e, sizeof(e), "%s{ industry = \"C30%02d\"; }", i ? ", " : "", i);
        strcat(text, e);
        n++;
    }
    strcat(text, " );\n");
    cr_assert_eq(n, BIDDER_MAX_APPETITE + 1);
    assert_refused_at(text, 4, "appetite lists 65 industries; at most 64");
}
