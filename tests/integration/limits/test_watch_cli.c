/* synd-watch --once --json end to end: the real binary, with the
 * supervisor's key, against a running broker that holds two settled
 * books; its JSON is parsed and every figure checked against the scenario
 * worked by hand. A key of any other role makes it fail with
 * PERMISSION_DENIED.
 *
 * The scenario, each book ¥1,000m with ICBC the lead holding ¥150m and
 * allocated exactly as bid (¥1m = 10^8 fen):
 *   borrower A (group FJLE, joint limit ¥2,000m): BOC-SH ¥500m, CIB ¥350m
 *   borrower B (group SZG, no joint limit):       CMB ¥550m, ABC ¥300m
 * Borrowers, those with a joint limit first, by use of it:
 *   A: total ¥1,000m, use 1000/2000 = 5000 bps, 3 lenders,
 *      HHI 50^2 + 35^2 + 15^2 = 2500 + 1225 + 225 = 3950
 *   B: total ¥1,000m, no limit (use 0), 3 lenders,
 *      HHI 55^2 + 30^2 + 15^2 = 3025 + 900 + 225 = 4150
 * Pairs by exposure over the bank's net capital (fixture.c's figures),
 * rounded down to a basis point:
 *   CMB/B   5.5e10 / 1.1e13 = 50 bps
 *   CIB/A   3.5e10 / 9e12   = 38.9 -> 38 bps
 *   ABC/B   3e10   / 5e13   = 6 bps
 *   BOC-SH/A 5e10  / 1e14   = 5 bps
 *   ICBC/A and ICBC/B 1.5e10 / 4e14 = 0.375 -> 0 bps; equal exposures, so
 *   by borrower code: A (9135...) before B (9144...)
 * With --top 5, the sixth pair (ICBC/B) is left out. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "fixture.h"

TestSuite(watch_cli, .init = bk_start, .fini = bk_stop, .timeout = 90);

#define RUN_MS    15000 /* bound for one synd-watch run */
#define JOINT_A   MN(2000)
#define MAX_WATCH 65536 /* the most of its output read back */

/* A run of synd-watch: exit status, stdout and stderr. */
typedef struct run {
    int exit_code; /* -1 if it did not exit normally */
    char out[MAX_WATCH], err[MAX_WATCH];
} run;

/* Reads a file (at most MAX_WATCH - 1 bytes) into buf as a string. */
static void slurp(const char *path, char *buf)
{
    FILE *f = fopen(path, "r");
    size_t n;

    cr_assert_not_null(f, "cannot read %s", path);
    n = fread(buf, 1, MAX_WATCH - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs synd-watch --once --json --top 5 as the holder of key_name's key
 * (a file prefix in the test folder), with stdout and stderr apart, and
 * waits (bounded) for it to exit. */
static void watch_once(const char *key_name, run *r)
{
    char key[HARNESS_PATH_MAX + 32], server[HARNESS_PATH_MAX + 32];
    char out_path[HARNESS_PATH_MAX + 32], err_path[HARNESS_PATH_MAX + 32];
    const char *argv[] = {
        SYND_WATCH_PATH,      "--once",       "--json", "--top", "5", "--endpoint",
        bk_h.broker.endpoint, "--server-key", server,   "--key", key, NULL};
    int64_t until = harness_now_ms() + RUN_MS;
    int status = 0, out_fd, err_fd;
    pid_t pid, done = 0;

    snprintf(key, sizeof(key), "%s/%s.key", bk_h.dir, key_name);
    snprintf(server, sizeof(server), "%s/broker.pub", bk_h.dir);
    snprintf(out_path, sizeof(out_path), "%s/watch-%s.out", bk_h.dir, key_name);
    snprintf(err_path, sizeof(err_path), "%s/watch-%s.err", bk_h.dir, key_name);
    out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert(out_fd >= 0 && err_fd >= 0, "cannot create %s: %s", out_path, strerror(errno));
    pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(err_fd, STDERR_FILENO) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    while ((done = waitpid(pid, &status, WNOHANG)) == 0 && harness_now_ms() < until)
        harness_sleep_ms(20);
    if (done == 0) {
        harness_child_stop(pid, "synd-watch");
        cr_assert_fail("synd-watch (key %s) still running after %d ms", key_name, RUN_MS);
    }
    cr_assert_eq(done, pid, "waitpid: %s", strerror(errno));
    r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    slurp(out_path, r->out);
    slurp(err_path, r->err);
}

/* An operator sets borrower A's joint credit limit. */
static void set_joint_limit_a(void)
{
    Synd__V1__Borrower b = SYND__V1__BORROWER__INIT;
    synd_status st;

    b.code = BORROWER_A;
    b.name = "Fujian Lithium Energy";
    b.group_id = BORROWER_A_GROUP;
    b.joint_limit_fen = JOINT_A;
    cr_assert_eq(bk_put_borrower(BK_OPS, &b, NULL, &st), SYND_OK, "PutBorrower: %s", st.message);
}

/* Opens a book for borrower, takes two bids, closes it and checks that
 * it was allocated exactly as bid. */
static void settled_book(const char *borrower, bk_who p1, int64_t a1, bk_who p2, int64_t a2)
{
    bk_terms bt;
    Synd__V1__Book *book;
    Synd__V1__Allocation *a;

    bk_terms_init(&bt);
    bt.t.borrower_code = (char *)borrower;
    book = bk_open_ok(BK_ICBC, &bt);
    bk_bid_ok(p1, book->book_id, a1, 30, NULL);
    bk_bid_ok(p2, book->book_id, a2, 40, NULL);
    a = bk_close_ok(BK_ICBC, book->book_id);
    cr_assert_eq(a->state, SYND__V1__BOOK_STATE__BOOK_ALLOCATED, "book %s: %s", book->book_id,
                 a->reason);
    cr_assert_eq(bk_share(a, "ICBC")->alloc_fen, MN(150));
    cr_assert_eq(bk_share(a, bk_bank(p1))->alloc_fen, a1);
    cr_assert_eq(bk_share(a, bk_bank(p2))->alloc_fen, a2);
}

static void scenario(void)
{
    set_joint_limit_a();
    settled_book(BORROWER_A, BK_BOC, MN(500), BK_CIB, MN(350));
    settled_book(BORROWER_B, BK_CMB, MN(550), BK_ABC, MN(300));
}

/* The value of an integer member, failing if it is missing or not one. */
static json_int_t int_of(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);

    cr_assert(json_is_integer(v), "member %s is missing or not an integer", name);
    return json_integer_value(v);
}

static const char *str_of(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);

    cr_assert(json_is_string(v), "member %s is missing or not a string", name);
    return json_string_value(v);
}

static void expect_borrower(const json_t *b, const char *code, const char *group, int64_t total_fen,
                            const char *total, int64_t limit_fen, const char *limit,
                            int64_t use_bps, int banks, int hhi)
{
    const json_t *jl = json_object_get(b, "joint_limit");

    cr_expect_str_eq(str_of(b, "borrower_code"), code);
    cr_expect_str_eq(str_of(b, "group_id"), group, "%s", code);
    cr_expect_eq(int_of(b, "total_fen"), total_fen, "%s", code);
    cr_expect_str_eq(str_of(b, "total"), total, "%s", code);
    cr_expect_eq(int_of(b, "joint_limit_fen"), limit_fen, "%s", code);
    if (limit == NULL)
        cr_expect(json_is_null(jl), "%s: joint_limit should be null without a limit", code);
    else
        cr_expect(json_is_string(jl) && strcmp(json_string_value(jl), limit) == 0,
                  "%s: joint_limit is not %s", code, limit);
    cr_expect_eq(int_of(b, "use_bps"), use_bps, "%s", code);
    cr_expect_eq(int_of(b, "lending_banks"), banks, "%s", code);
    cr_expect_eq(int_of(b, "hhi"), hhi, "%s", code);
}

static void expect_pair(const json_t *p, const char *bank, const char *borrower, int64_t fen,
                        int64_t bps)
{
    cr_expect_str_eq(str_of(p, "bank_id"), bank);
    cr_expect_str_eq(str_of(p, "borrower_code"), borrower, "%s", bank);
    cr_expect_eq(int_of(p, "exposure_fen"), fen, "%s/%s", bank, borrower);
    cr_expect_eq(int_of(p, "ratio_capital_bps"), bps, "%s/%s", bank, borrower);
}

/* The HHI of lenders' exposures, worked out here in whole numbers:
 * the sum of squared percentage shares, each share exact for this
 * scenario (every exposure a whole percent of the total). */
static int hhi_by_hand(const int64_t *fen, size_t n)
{
    int64_t total = 0, sum = 0;

    for (size_t i = 0; i < n; i++)
        total += fen[i];
    for (size_t i = 0; i < n; i++) {
        int64_t pct = fen[i] * 100 / total;
        cr_assert_eq(pct * total, fen[i] * 100, "share not a whole percent");
        sum += pct * pct;
    }
    return (int)sum;
}

Test(watch_cli, once_json_prints_the_figures)
{
    const int64_t a_fen[] = {MN(500), MN(350), MN(150)}, b_fen[] = {MN(550), MN(300), MN(150)};
    int64_t before = harness_now_ms();
    json_error_t jerr;
    json_t *snap, *borrowers, *pairs;
    static run r;

    scenario();
    watch_once("supervisor", &r);
    cr_assert_eq(r.exit_code, 0, "synd-watch exited %d: %s", r.exit_code, r.err);
    snap = json_loads(r.out, 0, &jerr);
    cr_assert_not_null(snap, "not JSON (%s, line %d): %s", jerr.text, jerr.line, r.out);
    cr_assert(json_is_object(snap));
    cr_expect_geq(int_of(snap, "time_ms"), before);
    cr_expect_leq(int_of(snap, "time_ms"), harness_now_ms());
    cr_expect_null(json_object_get(snap, "alerts"), "alerts without --alerts");

    borrowers = json_object_get(snap, "borrowers");
    cr_assert(json_is_array(borrowers));
    cr_assert_eq(json_array_size(borrowers), 2, "%s", r.out);
    cr_expect_eq(hhi_by_hand(a_fen, 3), 3950);
    cr_expect_eq(hhi_by_hand(b_fen, 3), 4150);
    expect_borrower(json_array_get(borrowers, 0), BORROWER_A, BORROWER_A_GROUP, MN(1000),
                    "¥1,000,000,000.00", JOINT_A, "¥2,000,000,000.00", 5000, 3,
                    hhi_by_hand(a_fen, 3));
    expect_borrower(json_array_get(borrowers, 1), BORROWER_B, BORROWER_B_GROUP, MN(1000),
                    "¥1,000,000,000.00", 0, NULL, 0, 3, hhi_by_hand(b_fen, 3));

    pairs = json_object_get(snap, "pairs");
    cr_assert(json_is_array(pairs));
    cr_assert_eq(json_array_size(pairs), 5, "--top 5 gives %zu pairs: %s", json_array_size(pairs),
                 r.out);
    expect_pair(json_array_get(pairs, 0), "CMB", BORROWER_B, MN(550), 50);
    expect_pair(json_array_get(pairs, 1), "CIB", BORROWER_A, MN(350), 38);
    expect_pair(json_array_get(pairs, 2), "ABC", BORROWER_B, MN(300), 6);
    expect_pair(json_array_get(pairs, 3), "BOC-SH", BORROWER_A, MN(500), 5);
    expect_pair(json_array_get(pairs, 4), "ICBC", BORROWER_A, MN(150), 0);
    cr_expect_str_eq(str_of(json_array_get(pairs, 0), "exposure"), "¥550,000,000.00");
    json_decref(snap);
}

/* The dashboard is the supervisor's: a lead's, a participant's or an
 * operator's key is refused, and synd-watch says so and fails, printing
 * nothing. */
Test(watch_cli, other_roles_are_refused)
{
    const char *keys[] = {"lead", "participant", "operator"};
    static run r;

    scenario();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        watch_once(keys[i], &r);
        cr_expect_neq(r.exit_code, 0, "synd-watch with the %s key exited 0: %s", keys[i], r.out);
        cr_expect(strstr(r.err, "PERMISSION_DENIED") != NULL,
                  "synd-watch with the %s key: stderr lacks PERMISSION_DENIED: %s", keys[i], r.err);
        cr_expect_str_empty(r.out, "synd-watch with the %s key printed: %s", keys[i], r.out);
    }
}
