/* Integration: registry changes take effect without a restart. A key
 * added to the file can call within a bounded wait; a broken edit leaves
 * the previous registry in force and says where the file is wrong; SIGHUP
 * applies an edit that the file's inode, size and time do not show. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "kt.h"

static harness h;

static void setup(void)
{
    cr_assert_eq(harness_start(&h), 0, "cannot start redis-server and syndbroker");
}

static void teardown(void)
{
    cr_expect_eq(harness_stop(&h), 0, "syndbroker did not shut down cleanly");
}

TestSuite(keys_reload, .init = setup, .fini = teardown, .timeout = 90);

Test(keys_reload, a_key_added_to_the_file_calls_without_a_restart)
{
    const char *add[] = {"add", "--bank", "BOC-SH", "--role", "participant", "--pub", NULL, NULL};
    pid_t pid = h.broker.pid;
    char bank[64], role[16], out[HARNESS_PATH_MAX + 16];
    synd_status st;
    kt_key k;

    kt_keygen(&h, "newcomer", &k);
    cr_assert_eq(kt_whoami_fresh(&h, &k, NULL, NULL, &st), SYND_UNAUTHENTICATED,
                 "not registered yet: %s", st.message);
    add[6] = k.pub_path;
    cr_assert_eq(kt_syndctl_key(&h, "add.out", add), 0);

    cr_assert_eq(kt_wait_whoami(&h, &k, SYND_OK, bank, role), 0);
    cr_expect_str_eq(bank, "BOC-SH");
    cr_expect_str_eq(role, "participant");
    cr_expect_eq(h.broker.pid, pid);
    cr_expect_eq(kill(pid, 0), 0, "the same broker process serves");
    cr_expect(harness_file_contains(h.broker.log_path, "reloaded (the file changed)"));

    /* syndctl whoami shows the new key's identity. */
    {
        char key_path[HARNESS_PATH_MAX + 16];
        const char *argv[] = {SYNDCTL_PATH,   "--endpoint",      h.broker.endpoint,
                              "--server-key", h.broker_key_path, "--key",
                              key_path,       "whoami",          NULL};
        snprintf(key_path, sizeof(key_path), "%s/newcomer.key", h.dir);
        snprintf(out, sizeof(out), "%s/whoami.out", h.dir);
        cr_assert_eq(harness_run(argv, out), 0);
        cr_expect(harness_file_contains(out, "bank BOC-SH, role participant"));
    }
}

Test(keys_reload, a_broken_edit_keeps_the_previous_registry)
{
    char *before = kt_registry_read(&h), *broken, *fixed, bank[64], entry[256], where[64];
    kt_key k, lead = kt_who(&h, HARNESS_LEAD);
    synd_client *open_lead = kt_client(&h, &lead);
    synd_status st;
    int line = 0;

    cr_assert_eq(kt_whoami(open_lead, NULL, NULL, &st), SYND_OK, "%s", st.message);
    kt_keygen(&h, "newcomer", &k);
    /* The file ends with ");\n", on its last line: the new bank goes there. */
    for (const char *p = before; *p; p++)
        line += *p == '\n';
    snprintf(entry, sizeof(entry),
             ",\n  { id = \"NEWB\"; keys = ( { role = \"admin\"; public_key = \"%s\"; } ); }\n);\n",
             k.pub);
    broken = kt_replace(before, "\n);\n", entry);
    kt_registry_write(&h, broken);

    snprintf(where, sizeof(where), "registry.cfg:%d: bank NEWB: role must be", line);
    cr_assert_eq(kt_wait_log(&h, "previous one stays in force"), 0);
    cr_expect(harness_file_contains(h.broker.log_path, where), "the log does not say '%s'", where);
    cr_expect_eq(kt_whoami(open_lead, bank, NULL, &st), SYND_OK, "an open connection: %s",
                 st.message);
    cr_expect_eq(kt_whoami_fresh(&h, &lead, bank, NULL, &st), SYND_OK, "a new handshake: %s",
                 st.message);
    cr_expect_str_eq(bank, "ICBC");
    cr_expect_eq(kt_whoami_fresh(&h, &k, NULL, NULL, &st), SYND_UNAUTHENTICATED,
                 "nothing of the broken file applies");

    /* Fixed, the file applies. */
    fixed = kt_replace(broken, "\"admin\"", "\"participant\"");
    kt_registry_write(&h, fixed);
    cr_assert_eq(kt_wait_whoami(&h, &k, SYND_OK, bank, NULL), 0);
    cr_expect_str_eq(bank, "NEWB");
    synd_client_free(open_lead);
    free(before);
    free(broken);
    free(fixed);
}

Test(keys_reload, sighup_applies_an_edit_the_file_does_not_show)
{
    kt_key stranger = kt_who(&h, HARNESS_STRANGER), part = kt_who(&h, HARNESS_PARTICIPANT);
    char *before = kt_registry_read(&h), *after, role[16];
    struct timespec times[2];
    struct stat sb;
    FILE *f;

    /* In place, the same size, and the old times put back: the broker's
     * look at the file sees nothing new. */
    after = kt_replace(before, part.pub, stranger.pub);
    cr_assert_eq(strlen(after), strlen(before));
    cr_assert_eq(stat(h.registry_path, &sb), 0);
    f = fopen(h.registry_path, "r+");
    cr_assert_not_null(f);
    cr_assert_geq(fputs(after, f), 0);
    cr_assert_eq(fclose(f), 0);
    times[0] = sb.st_atim;
    times[1] = sb.st_mtim;
    cr_assert_eq(utimensat(AT_FDCWD, h.registry_path, times, 0), 0);

    cr_assert_eq(kill(h.broker.pid, SIGHUP), 0);
    cr_assert_eq(kt_wait_whoami(&h, &stranger, SYND_OK, NULL, role), 0);
    cr_expect_str_eq(role, "participant");
    cr_expect_eq(kt_wait_whoami(&h, &part, SYND_UNAUTHENTICATED, NULL, NULL), 0,
                 "the key it replaced is out");
    cr_expect(harness_file_contains(h.broker.log_path, "reloaded (SIGHUP)"));
    free(before);
    free(after);
}
