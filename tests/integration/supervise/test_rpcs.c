/* synd.v1.Supervision end to end: every RPC's figures against the
 * scripted scenario of sv.h, worked by hand, and every method refused to
 * every role but the supervisor's.
 *
 * The scenario's exposures, in fen (¥1m = 10^8 fen):
 *   borrower A (FJLE): BOC-SH 5e10, CIB 3.5e10, ICBC 1.5e10; total 1e11
 *   borrower B (SZG):  CMB 5.5e10,  CIB 3e10,   ICBC 1.5e10; total 1e11
 * and the capital of the banks (net, tier-1): ICBC 4e14, 3e14; BOC-SH
 * 1e14, 6e13; CMB 1.1e13, 9.5e12; CIB 9e12, 7.5e12. */
#include <string.h>

#include <criterion/criterion.h>

#include "sv.h"
#include "synd/v1/registry.pb-c.h"

TestSuite(supervision, .init = sv_start, .fini = sv_stop, .timeout = 90);

static void expect_line(const Synd__V1__BankShare *l, const char *bank, int64_t fen, int64_t bps)
{
    cr_expect_str_eq(l->bank_id, bank);
    cr_expect_eq(l->exposure_fen, fen, "%s: %lld fen", bank, (long long)l->exposure_fen);
    cr_expect_eq(l->share_bps, bps, "%s: %lld bps", bank, (long long)l->share_bps);
}

static void expect_client(const Synd__V1__ClientExposure *c, const char *id, int64_t fen,
                          int64_t capital_bps, int64_t tier1_bps)
{
    cr_expect_str_eq(c->id, id);
    cr_expect_eq(c->exposure_fen, fen, "%s: %lld fen", id, (long long)c->exposure_fen);
    cr_expect_eq(c->ratio_capital_bps, capital_bps, "%s: %lld bps of capital", id,
                 (long long)c->ratio_capital_bps);
    cr_expect_eq(c->ratio_tier1_bps, tier1_bps, "%s: %lld bps of tier 1", id,
                 (long long)c->ratio_tier1_bps);
}

static void expect_pair(const Synd__V1__PairRatio *p, const char *bank, const char *borrower,
                        int64_t fen, int64_t bps)
{
    cr_expect_str_eq(p->bank_id, bank);
    cr_expect_str_eq(p->borrower_code, borrower);
    cr_expect_eq(p->exposure_fen, fen, "%s/%s: %lld fen", bank, borrower,
                 (long long)p->exposure_fen);
    cr_expect_eq(p->ratio_capital_bps, bps, "%s/%s: %lld bps", bank, borrower,
                 (long long)p->ratio_capital_bps);
}

/* An operator sets borrower A's joint credit limit. */
static void set_joint_limit(int64_t fen)
{
    Synd__V1__Borrower b = SYND__V1__BORROWER__INIT;
    synd_status st;

    b.code = BORROWER_A;
    b.name = "Fujian Lithium Energy";
    b.group_id = BORROWER_A_GROUP;
    b.joint_limit_fen = fen;
    cr_assert_eq(bk_put_borrower(BK_OPS, &b, NULL, &st), SYND_OK, "PutBorrower: %s", st.message);
}

/* Before any lending every figure is zero and every list empty. */
Test(supervision, nothing_lent_yet)
{
    Synd__V1__GetBorrowerExposureResponse *b = sv_borrower_ok(BORROWER_A);
    Synd__V1__GetBankExposureResponse *k = sv_bank_ok("CIB");
    Synd__V1__TopConcentrationsResponse *t = sv_top_ok(0);

    cr_expect_str_eq(b->borrower_code, BORROWER_A);
    cr_expect_str_eq(b->group_id, BORROWER_A_GROUP);
    cr_expect_eq(b->n_banks, 0);
    cr_expect_eq(b->total_fen, 0);
    cr_expect_eq(b->joint_limit_fen, 0);
    cr_expect_eq(b->use_bps, 0);
    cr_expect_eq(b->lending_banks, 0);
    cr_expect_eq(b->hhi, 0);
    cr_expect_str_eq(k->bank_id, "CIB");
    cr_expect_eq(k->net_capital_fen, 9000000000000LL);
    cr_expect_eq(k->tier1_capital_fen, 7500000000000LL);
    cr_expect_eq(k->n_borrowers, 0);
    cr_expect_eq(k->n_groups, 0);
    cr_expect_eq(k->top10_ratio_bps, 0);
    cr_expect_eq(t->n_borrowers, 0);
    cr_expect_eq(t->n_pairs, 0);
}

Test(supervision, borrower_exposure)
{
    Synd__V1__GetBorrowerExposureResponse *r;

    sv_scenario(NULL);
    set_joint_limit(MN(2000));
    r = sv_borrower_ok(BORROWER_A);
    cr_expect_str_eq(r->borrower_code, BORROWER_A);
    cr_expect_str_eq(r->group_id, BORROWER_A_GROUP);
    cr_assert_eq(r->n_banks, 3);
    expect_line(r->banks[0], "BOC-SH", MN(500), 5000);
    expect_line(r->banks[1], "CIB", MN(350), 3500);
    expect_line(r->banks[2], "ICBC", MN(150), 1500);
    cr_expect_eq(r->total_fen, MN(1000));
    cr_expect_eq(r->joint_limit_fen, MN(2000));
    cr_expect_eq(r->use_bps, 5000);
    cr_expect_eq(r->lending_banks, 3);
    cr_expect_eq(r->hhi, 3950); /* 50^2 + 35^2 + 15^2 */

    /* B has no joint limit: no use of one. */
    r = sv_borrower_ok(BORROWER_B);
    cr_expect_str_eq(r->group_id, BORROWER_B_GROUP);
    cr_assert_eq(r->n_banks, 3);
    expect_line(r->banks[0], "CMB", MN(550), 5500);
    expect_line(r->banks[1], "CIB", MN(300), 3000);
    expect_line(r->banks[2], "ICBC", MN(150), 1500);
    cr_expect_eq(r->total_fen, MN(1000));
    cr_expect_eq(r->joint_limit_fen, 0);
    cr_expect_eq(r->use_bps, 0);
    cr_expect_eq(r->lending_banks, 3);
    cr_expect_eq(r->hhi, 4150); /* 55^2 + 30^2 + 15^2 */
}

Test(supervision, bank_exposure)
{
    Synd__V1__GetBankExposureResponse *r;

    sv_scenario(NULL);
    /* CIB: A 3.5e10 of 9e12 = 38.9 bps, of 7.5e12 = 46.7; B 3e10: 33.3
     * and 40; its two clients together 6.5e10 of 9e12 = 72.2. */
    r = sv_bank_ok("CIB");
    cr_expect_str_eq(r->bank_id, "CIB");
    cr_expect_eq(r->net_capital_fen, 9000000000000LL);
    cr_expect_eq(r->tier1_capital_fen, 7500000000000LL);
    cr_assert_eq(r->n_borrowers, 2);
    expect_client(r->borrowers[0], BORROWER_A, MN(350), 38, 46);
    expect_client(r->borrowers[1], BORROWER_B, MN(300), 33, 40);
    cr_assert_eq(r->n_groups, 2);
    expect_client(r->groups[0], BORROWER_A_GROUP, MN(350), 38, 46);
    expect_client(r->groups[1], BORROWER_B_GROUP, MN(300), 33, 40);
    cr_expect_eq(r->top10_ratio_bps, 72);

    /* BOC-SH lends to A only: 5e10 of 1e14 = 5 bps, of 6e13 = 8.3. */
    r = sv_bank_ok("BOC-SH");
    cr_assert_eq(r->n_borrowers, 1);
    expect_client(r->borrowers[0], BORROWER_A, MN(500), 5, 8);
    cr_assert_eq(r->n_groups, 1);
    expect_client(r->groups[0], BORROWER_A_GROUP, MN(500), 5, 8);
    cr_expect_eq(r->top10_ratio_bps, 5);

    /* A supervisor lends nothing. */
    r = sv_bank_ok("NFRA");
    cr_expect_eq(r->n_borrowers, 0);
    cr_expect_eq(r->top10_ratio_bps, 0);
}

Test(supervision, top_concentrations)
{
    Synd__V1__TopConcentrationsResponse *r;

    sv_scenario(NULL);
    set_joint_limit(MN(2000));
    /* A has a joint limit (use 50%), so it ranks before B, which has
     * none, though their totals tie. Pairs by ratio to net capital: CMB/B
     * 5.5e10 of 1.1e13 = 50 bps, CIB/A 38, CIB/B 33, BOC-SH/A 5, and
     * ICBC's two at 0 (1.5e10 of 4e14), A's code before B's. */
    r = sv_top_ok(0);
    cr_assert_eq(r->n_borrowers, 2);
    cr_expect_str_eq(r->borrowers[0]->borrower_code, BORROWER_A);
    cr_expect_str_eq(r->borrowers[0]->group_id, BORROWER_A_GROUP);
    cr_expect_eq(r->borrowers[0]->total_fen, MN(1000));
    cr_expect_eq(r->borrowers[0]->joint_limit_fen, MN(2000));
    cr_expect_eq(r->borrowers[0]->use_bps, 5000);
    cr_expect_eq(r->borrowers[0]->lending_banks, 3);
    cr_expect_eq(r->borrowers[0]->hhi, 3950);
    cr_expect_str_eq(r->borrowers[1]->borrower_code, BORROWER_B);
    cr_expect_eq(r->borrowers[1]->joint_limit_fen, 0);
    cr_expect_eq(r->borrowers[1]->use_bps, 0);
    cr_expect_eq(r->borrowers[1]->hhi, 4150);
    cr_assert_eq(r->n_pairs, 6);
    expect_pair(r->pairs[0], "CMB", BORROWER_B, MN(550), 50);
    expect_pair(r->pairs[1], "CIB", BORROWER_A, MN(350), 38);
    expect_pair(r->pairs[2], "CIB", BORROWER_B, MN(300), 33);
    expect_pair(r->pairs[3], "BOC-SH", BORROWER_A, MN(500), 5);
    expect_pair(r->pairs[4], "ICBC", BORROWER_A, MN(150), 0);
    expect_pair(r->pairs[5], "ICBC", BORROWER_B, MN(150), 0);

    /* n cuts both lists; above the maximum it is cut to 100. */
    r = sv_top_ok(1);
    cr_assert_eq(r->n_borrowers, 1);
    cr_expect_str_eq(r->borrowers[0]->borrower_code, BORROWER_A);
    cr_assert_eq(r->n_pairs, 1);
    expect_pair(r->pairs[0], "CMB", BORROWER_B, MN(550), 50);
    r = sv_top_ok(3);
    cr_expect_eq(r->n_borrowers, 2);
    cr_assert_eq(r->n_pairs, 3);
    expect_pair(r->pairs[2], "CIB", BORROWER_B, MN(300), 33);
    r = sv_top_ok(100000);
    cr_expect_eq(r->n_pairs, 6);

    /* A limit below use ranks A first by use (above 100%). */
    set_joint_limit(MN(800));
    r = sv_top_ok(0);
    cr_expect_str_eq(r->borrowers[0]->borrower_code, BORROWER_A);
    cr_expect_eq(r->borrowers[0]->use_bps, 12500);
}

Test(supervision, unknown_objects_and_bad_arguments)
{
    Synd__V1__GetBorrowerExposureResponse *b;
    Synd__V1__GetBankExposureResponse *k;
    Synd__V1__TopConcentrationsResponse *t;
    Synd__V1__GetAuditLogResponse *a;
    synd_status st;

    bk_expect_refused(sv_borrower(BK_NFRA, BORROWER_NONE, &b, &st), st, SYND_NOT_FOUND,
                      BORROWER_NONE);
    bk_expect_refused(sv_borrower(BK_NFRA, "91350100M000100Y44", &b, &st), st,
                      SYND_INVALID_ARGUMENT, "check character");
    bk_expect_refused(sv_borrower(BK_NFRA, "", &b, &st), st, SYND_INVALID_ARGUMENT, "");
    bk_expect_refused(sv_bank(BK_NFRA, "NOPE", &k, &st), st, SYND_NOT_FOUND, "NOPE");
    bk_expect_refused(sv_bank(BK_NFRA, "", &k, &st), st, SYND_INVALID_ARGUMENT, "bank_id");
    bk_expect_refused(sv_top(BK_NFRA, -1, &t, &st), st, SYND_INVALID_ARGUMENT, "negative");
    bk_expect_refused(sv_audit(BK_NFRA, -1, 0, 0, &a, &st), st, SYND_INVALID_ARGUMENT, "negative");
    bk_expect_refused(sv_audit(BK_NFRA, 0, 0, -5, &a, &st), st, SYND_INVALID_ARGUMENT, "negative");
    bk_expect_refused(sv_audit(BK_NFRA, 2000, 1000, 0, &a, &st), st, SYND_INVALID_ARGUMENT,
                      "after");
}

/* Counts a stream's frames; a refused stream must have none. */
static int count_frame(const ProtobufCMessage *msg, void *arg)
{
    (*(int *)arg)++;
    return 1;
}

/* Every Supervision method as who: PERMISSION_DENIED naming the role
 * needed and the caller's. */
static void expect_denied_everywhere(bk_who who, const char *role)
{
    Synd__V1__WatchSupervisionRequest watch = SYND__V1__WATCH_SUPERVISION_REQUEST__INIT;
    synd_call_opts o = {.timeout_ms = BK_CALL_MS};
    char needle[128];
    synd_status st;
    synd_code code;
    int frames = 0;
    void *out;

    snprintf(needle, sizeof(needle), "this key is %s %s", bk_bank(who), role);
    bk_expect_refused(sv_borrower(who, BORROWER_A, (void *)&out, &st), st, SYND_PERMISSION_DENIED,
                      "GetBorrowerExposure needs the supervisor role");
    cr_expect(strstr(st.message, needle) != NULL, "'%s' lacks '%s'", st.message, needle);
    bk_expect_refused(sv_bank(who, "CIB", (void *)&out, &st), st, SYND_PERMISSION_DENIED,
                      "GetBankExposure needs the supervisor role");
    cr_expect(strstr(st.message, needle) != NULL, "'%s' lacks '%s'", st.message, needle);
    bk_expect_refused(sv_top(who, 0, (void *)&out, &st), st, SYND_PERMISSION_DENIED,
                      "TopConcentrations needs the supervisor role");
    cr_expect(strstr(st.message, needle) != NULL, "'%s' lacks '%s'", st.message, needle);
    bk_expect_refused(sv_audit(who, 0, 0, 0, (void *)&out, &st), st, SYND_PERMISSION_DENIED,
                      "GetAuditLog needs the supervisor role");
    cr_expect(strstr(st.message, needle) != NULL, "'%s' lacks '%s'", st.message, needle);
    watch.snapshot = 1;
    code = synd_stream(bk_client(who), SV_METHOD("WatchSupervision"), &watch.base,
                       &synd__v1__supervision_event__descriptor, count_frame, &frames, &o, &st);
    bk_expect_refused(code, st, SYND_PERMISSION_DENIED,
                      "WatchSupervision needs the supervisor role");
    cr_expect_eq(frames, 0, "a refused stream sent %d frames", frames);
    cr_expect(strstr(st.message, needle) != NULL, "'%s' lacks '%s'", st.message, needle);
}

Test(supervision, only_supervisors)
{
    sv_scenario(NULL);
    expect_denied_everywhere(BK_ICBC, "lead");
    expect_denied_everywhere(BK_BOC, "participant");
    expect_denied_everywhere(BK_ICBC_P, "participant");
    expect_denied_everywhere(BK_OPS, "operator");
}
