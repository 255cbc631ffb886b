/* Integration: the command lines of syndbroker and syndctl. Bad flags and
 * commands exit 2 with a message; syndctl talks to a real broker. */
#include <stdio.h>

#include <criterion/criterion.h>

#include "harness.h"

static char dir[HARNESS_DIR_MAX];
static harness h;
static int runs;

static void setup_dir(void)
{
    cr_assert_eq(harness_mkdtemp(dir), 0);
}

static void teardown_dir(void)
{
    harness_rmdir(dir);
}

static void setup_broker(void)
{
    cr_assert_eq(harness_start(&h), 0, "cannot start redis-server and syndbroker");
}

static void teardown_broker(void)
{
    cr_expect_eq(harness_stop(&h), 0, "syndbroker did not shut down cleanly");
}

/* Runs argv with its output in a new file of folder; returns the exit
 * code and the output's path in out. */
static int run(const char *folder, const char *const argv[], char out[HARNESS_PATH_MAX])
{
    snprintf(out, HARNESS_PATH_MAX, "%s/run-%d.out", folder, runs++);
    return harness_run(argv, out);
}

/* Asserts that argv exits with code and prints needle. */
static void expect_run(const char *folder, const char *const argv[], int code, const char *needle)
{
    char out[HARNESS_PATH_MAX];
    int rc = run(folder, argv, out);

    cr_expect_eq(rc, code, "%s %s: exit %d, want %d", argv[0], argv[1] ? argv[1] : "", rc, code);
    cr_expect(harness_file_contains(out, needle), "%s %s: output lacks '%s'", argv[0],
              argv[1] ? argv[1] : "", needle);
}

TestSuite(cli, .init = setup_dir, .fini = teardown_dir, .timeout = 30);

Test(cli, syndbroker_bad_flags)
{
    const char *const unknown[] = {SYNDBROKER_PATH, "--bogus", NULL};
    const char *const stray[] = {SYNDBROKER_PATH, "--insecure", "stray", NULL};
    const char *const no_keys[] = {SYNDBROKER_PATH, "--bind", "tcp://127.0.0.1:1", NULL};
    const char *const level[] = {SYNDBROKER_PATH, "--insecure", "--log-level", "loud", NULL};
    const char *const size[] = {SYNDBROKER_PATH, "--insecure", "--max-msg-size", "12x", NULL};
    const char *const help[] = {SYNDBROKER_PATH, "--help", NULL};

    expect_run(dir, unknown, 2, "--bogus");
    expect_run(dir, unknown, 2, "try --help");
    expect_run(dir, stray, 2, "unexpected argument 'stray'");
    expect_run(dir, no_keys, 2, "--registry and --key are required");
    expect_run(dir, level, 2, "--log-level must be");
    expect_run(dir, size, 2, "--max-msg-size must be");
    expect_run(dir, help, 0, "usage: syndbroker");
}

Test(cli, syndctl_bad_commands)
{
    const char *const unknown[] = {SYNDCTL_PATH, "frobnicate", NULL};
    const char *const flag[] = {SYNDCTL_PATH, "--bogus", "health", NULL};
    const char *const none[] = {SYNDCTL_PATH, NULL};
    const char *const keygen[] = {SYNDCTL_PATH, "keygen", NULL};

    expect_run(dir, unknown, 2, "unknown command 'frobnicate'");
    expect_run(dir, flag, 2, "try --help");
    expect_run(dir, none, 2, "usage: syndctl");
    expect_run(dir, keygen, 2, "usage: syndctl keygen");
}

Test(cli_broker, syndctl_talks_to_broker, .init = setup_broker, .fini = teardown_broker,
     .timeout = 60)
{
    char server_key[HARNESS_PATH_MAX], lead_key[HARNESS_PATH_MAX], who[128];
    const char *const health[] = {SYNDCTL_PATH,   "--endpoint", h.broker.endpoint,
                                  "--server-key", server_key,   "--key",
                                  lead_key,       "health",     NULL};
    const char *const whoami[] = {SYNDCTL_PATH,   "--endpoint", h.broker.endpoint,
                                  "--server-key", server_key,   "--key",
                                  lead_key,       "whoami",     NULL};
    const char *const methods[] = {SYNDCTL_PATH,   "--endpoint", h.broker.endpoint,
                                   "--server-key", server_key,   "--key",
                                   lead_key,       "methods",    NULL};

    snprintf(server_key, sizeof(server_key), "%s/broker.pub", h.dir);
    snprintf(lead_key, sizeof(lead_key), "%s/lead.key", h.dir);
    expect_run(h.dir, health, 0, "SERVING");
    snprintf(who, sizeof(who), "bank %s, role %s", h.keys[HARNESS_LEAD].bank_id,
             h.keys[HARNESS_LEAD].role);
    expect_run(h.dir, whoami, 0, who);
    expect_run(h.dir, methods, 0, "/synd.v1.Health/Watch");
}
