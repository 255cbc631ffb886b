/* Integration: syndctl key add, revoke and list, run as a user runs them,
 * on a registry file in a temporary folder (no broker: the file is what
 * they work on). Exit codes: 0 done, 1 refused, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <zmq.h>

#include "harness.h"

static char dir[HARNESS_DIR_MAX];
static char registry[HARNESS_PATH_MAX], out[HARNESS_PATH_MAX];
static int runs;

static void setup(void)
{
    FILE *f;

    cr_assert_eq(harness_mkdtemp(dir), 0);
    snprintf(registry, sizeof(registry), "%s/registry.conf", dir);
    f = fopen(registry, "w");
    cr_assert_not_null(f);
    fputs("banks = (\n"
          "  { id = \"ICBC\"; name = \"Industrial and Commercial Bank of China\";\n"
          "    net_capital_fen = 430000000000000L; keys = ( ); }\n"
          ");\n",
          f);
    cr_assert_eq(fclose(f), 0);
}

static void teardown(void)
{
    harness_rmdir(dir);
}

TestSuite(keys_cli, .init = setup, .fini = teardown, .timeout = 60);

/* Runs syndctl with args (NULL-terminated); its output goes to a new file
 * named in out. Returns the exit code. */
static int syndctl(const char *const args[])
{
    const char *argv[16] = {SYNDCTL_PATH};
    size_t n = 1;

    for (const char *const *a = args; *a != NULL; a++)
        argv[n++] = *a;
    argv[n] = NULL;
    snprintf(out, sizeof(out), "%s/out-%d", dir, ++runs);
    return harness_run(argv, out);
}

static int said(const char *needle)
{
    return harness_file_contains(out, needle);
}

Test(keys_cli, add_revoke_and_list_round_trip)
{
    char prefix[HARNESS_PATH_MAX], pub_path[HARNESS_PATH_MAX + 8], pub[SYND_KEY_LEN];
    synd_status st;

    snprintf(prefix, sizeof(prefix), "%s/icbc-ops", dir);
    snprintf(pub_path, sizeof(pub_path), "%s.pub", prefix);
    cr_assert_eq(synd_keygen(prefix, pub, &st), 0, "%s", st.message);

    {
        const char *add[] = {"key",    "add",      "--registry", registry, "--bank", "ICBC",
                             "--role", "operator", "--pub",      pub_path, NULL};
        cr_assert_eq(syndctl(add), 0);
        cr_expect(said("added ICBC/operator"));
    }
    {
        const char *list[] = {"key", "list", "--registry", registry, NULL};
        cr_assert_eq(syndctl(list), 0);
        cr_expect(said("ICBC"));
        cr_expect(said("operator"));
        cr_expect(said("active"));
        cr_expect(said(pub));
        cr_expect(said(" UTC"), "the date it was added");
    }
    {
        const char *again[] = {"key",    "add",  "--registry",   registry, "--bank", "ICBC",
                               "--role", "lead", "--public-key", pub,      NULL};
        cr_expect_eq(syndctl(again), 1, "a key is listed once");
        cr_expect(said("ALREADY_EXISTS"));
    }
    {
        const char *revoke[] = {"key", "revoke", "--registry", registry, "--public-key", pub, NULL};
        cr_assert_eq(syndctl(revoke), 0);
        cr_expect(said("revoked ICBC/operator"));
    }
    {
        const char *revoke[] = {"key",  "revoke", "--registry", registry, "--bank",
                                "ICBC", "--role", "operator",   NULL};
        cr_assert_eq(syndctl(revoke), 0);
        cr_expect(said("already revoked ICBC/operator"));
    }
    {
        const char *list[] = {"key", "list", "--registry", registry, NULL};
        cr_assert_eq(syndctl(list), 0);
        cr_expect(said("revoked"));
        cr_expect(said(pub), "a revoked key stays listed");
    }
    cr_expect(harness_file_contains(registry, "net_capital_fen = 430000000000000L"),
              "other settings are kept");
}

Test(keys_cli, refusals_say_why)
{
    char pub[SYND_KEY_LEN], sec[SYND_KEY_LEN];

    cr_assert_eq(zmq_curve_keypair(pub, sec), 0);
    {
        const char *add[] = {"key",    "add",  "--registry",   registry, "--bank", "NOPE",
                             "--role", "lead", "--public-key", pub,      NULL};
        cr_expect_eq(syndctl(add), 1);
        cr_expect(said("NOT_FOUND"));
        cr_expect(said("no bank 'NOPE'"));
    }
    {
        const char *revoke[] = {"key", "revoke", "--registry", registry, "--public-key", pub, NULL};
        cr_expect_eq(syndctl(revoke), 1);
        cr_expect(said("NOT_FOUND"));
    }
    {
        const char *missing[] = {"key", "list", "--registry", "/nonexistent/registry.conf", NULL};
        cr_expect_eq(syndctl(missing), 1);
        cr_expect(said("cannot read /nonexistent/registry.conf"));
    }
}

Test(keys_cli, usage_errors_exit_2)
{
    const char *no_registry[] = {"key", "list", NULL};
    const char *both[] = {"key",   "add",    "--registry", registry,       "--bank",
                          "ICBC",  "--role", "lead",       "--public-key", "x",
                          "--pub", "y",      NULL};
    const char *half[] = {"key", "revoke", "--registry", registry, "--bank", "ICBC", NULL};
    const char *stray[] = {"key", "list", "--registry", registry, "--bank", "ICBC", NULL};
    const char *help[] = {"key", "revoke", "--help", NULL};

    cr_expect_eq(syndctl(no_registry), 2);
    cr_expect(said("--registry is required"));
    cr_expect_eq(syndctl(both), 2);
    cr_expect_eq(syndctl(half), 2);
    cr_expect_eq(syndctl(stray), 2);
    cr_expect(said("does not apply"));
    cr_expect_eq(syndctl(help), 0);
    cr_expect(said("usage: syndctl key revoke"));
    cr_expect(said("SIGHUP"));
}
