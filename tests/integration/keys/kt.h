/* The keys integration-test helpers: the harness's broker and registry,
 * keys made during a test, syndctl key runs against the registry file,
 * and waits on what the broker does after a change (bounded, polled). */
#ifndef SYND_TEST_KEYS_KT_H
#define SYND_TEST_KEYS_KT_H

#include "harness.h"

#define KT_CALL_MS 3000  /* bound of one call */
#define KT_WAIT_MS 15000 /* bound of a wait for the broker to apply a change */

typedef struct kt_key {
    char pub[SYND_KEY_LEN], sec[SYND_KEY_LEN];
    char pub_path[HARNESS_PATH_MAX + 8]; /* NAME.pub in the test's folder */
} kt_key;

/* A fresh key pair written to NAME.key and NAME.pub in the test's folder. */
void kt_keygen(const harness *h, const char *name, kt_key *k);

/* A harness identity's key, as a kt_key (pub_path left empty). */
kt_key kt_who(const harness *h, harness_who who);

/* A libsynd client of the secure broker with k. */
synd_client *kt_client(const harness *h, const kt_key *k);

/* WhoAmI over c; the bank and role go to bank and role (may be NULL). */
synd_code kt_whoami(synd_client *c, char bank[64], char role[16], synd_status *st);

/* WhoAmI with a new connection made with k: what a fresh handshake gets. */
synd_code kt_whoami_fresh(const harness *h, const kt_key *k, char bank[64], char role[16],
                          synd_status *st);

/* Polls kt_whoami_fresh() until it answers want (SYND_OK or
 * SYND_UNAUTHENTICATED), for up to KT_WAIT_MS. Returns 0 when it did. */
int kt_wait_whoami(const harness *h, const kt_key *k, synd_code want, char bank[64], char role[16]);

/* Runs `syndctl key ARGS... --registry <the test's registry>`; the output
 * goes to h->dir/out_name (appended). Returns syndctl's exit code. */
int kt_syndctl_key(const harness *h, const char *out_name, const char *const args[]);

/* Polls the broker's log until it holds needle, for up to KT_WAIT_MS. */
int kt_wait_log(const harness *h, const char *needle);

/* The registry file's text (free with free()). */
char *kt_registry_read(const harness *h);

/* Replaces the registry file with text, atomically (a new file renamed
 * over it), so that the broker never reads half a file. */
void kt_registry_write(const harness *h, const char *text);

/* Replaces the first from in text with to; text must hold it. */
char *kt_replace(const char *text, const char *from, const char *to);

#endif
