/* The integration-test harness: every test gets its own redis-server and
 * syndbroker, on free loopback ports, with keys and a registry in its own
 * temporary folder.
 *
 * Criterion runs each test in a forked process; a suite's .init calls
 * harness_start() and its .fini harness_stop(), so tests share nothing.
 * Children get SIGKILL if the test process dies, so a crashed test leaves
 * no server running. Functions return 0 (or a valid value) on success and
 * -1 (or NULL) on failure, after printing the reason to stderr. */
#ifndef SYND_TEST_HARNESS_H
#define SYND_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "synd/synd.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"
#include "synd/v1/rpc.pb-c.h"

#define HARNESS_DIR_MAX  64  /* "/tmp/synd-it-XXXXXX" */
#define HARNESS_PATH_MAX 512 /* a file in that folder */

#define HARNESS_SERVING     SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING
#define HARNESS_NOT_SERVING SYND__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING

/* The client identities of a test. All but the stranger are registered. */
typedef enum harness_who {
    HARNESS_LEAD,
    HARNESS_PARTICIPANT,
    HARNESS_SUPERVISOR,
    HARNESS_OPERATOR,
    HARNESS_STRANGER,
    HARNESS_N_WHO
} harness_who;

typedef struct harness_key {
    char public_key[SYND_KEY_LEN];
    char secret_key[SYND_KEY_LEN];
    const char *bank_id; /* as in the registry; NULL for the stranger */
    const char *role;
} harness_key;

typedef struct harness_broker {
    pid_t pid; /* 0 when not running */
    int port;
    int insecure;
    char endpoint[64];
    char log_path[HARNESS_PATH_MAX];
} harness_broker;

typedef struct harness {
    char dir[HARNESS_DIR_MAX];
    pid_t redis_pid; /* 0 when not running */
    int redis_port;
    char redis_log[HARNESS_PATH_MAX];
    char registry_path[HARNESS_PATH_MAX];
    char broker_key_path[HARNESS_PATH_MAX];
    char broker_public[SYND_KEY_LEN];
    harness_key keys[HARNESS_N_WHO];
    harness_broker broker; /* CURVE, with the registry */
    harness_broker plain;  /* --insecure, started on demand */
} harness;

/* Makes the folder, starts Redis, writes keys and registry, and starts the
 * secure broker, returning once it answers SERVING. On failure, whatever
 * was started is stopped and the folder removed. */
int harness_start(harness *h);

/* harness_start() without the broker: a test may then rewrite the registry
 * at h->registry_path (keeping the lead's key, which the harness checks
 * health with) before it calls harness_broker_start(h, &h->broker, 0). */
int harness_prepare(harness *h);

/* Stops every child (SIGTERM, then SIGKILL after a bound) and removes the
 * folder. Returns 0 if every broker exited with status 0 on SIGTERM, so a
 * broker that crashes or leaks at shutdown (under ASan) fails the test. */
int harness_stop(harness *h);

/* Starts a broker on a new free port against the test's Redis; b is
 * &h->broker or &h->plain. Returns once it answers SERVING (10 s bound). */
int harness_broker_start(harness *h, harness_broker *b, int insecure);

/* The flags every broker the harness starts (or restarts) gets after its
 * own: a NULL-terminated list, kept by reference. By default the fair-use
 * quotas are off (--quota-rate 0 --quota-streams 0), so that tests that
 * hammer the broker on purpose test what they mean to; the security tests
 * set the quotas they test. NULL restores the default. */
void harness_set_broker_flags(const char *const *flags);

/* Kills a broker with SIGKILL and reaps it; its port and log are kept. */
int harness_broker_kill(harness_broker *b);

/* Starts a killed broker again on its own port, against the test's Redis,
 * and returns once it answers SERVING (10 s bound). */
int harness_broker_restart(harness *h, harness_broker *b);

/* (Re)starts redis-server on h->redis_port and waits until it answers PING. */
int harness_redis_start(harness *h);

/* Kills Redis with SIGKILL and reaps it. */
int harness_redis_kill(harness *h);

/* A libsynd client of b (a secure broker: with who's keys; an insecure
 * one: plain). harness_client() is the one for h->broker. */
synd_client *harness_client_at(const harness *h, const harness_broker *b, harness_who who);
synd_client *harness_client(const harness *h, harness_who who);

/* A raw DEALER in zctx, connected to h->broker with who's CURVE keys. */
void *harness_dealer(const harness *h, void *zctx, harness_who who);

/* Serializes m into a new buffer (free with free()), length in *len. */
uint8_t *harness_pack(const ProtobufCMessage *m, size_t *len);

/* Sends env as one message on a DEALER. */
int harness_send_envelope(void *sock, const Synd__V1__Envelope *env);

/* Receives one envelope within timeout_ms; NULL on timeout or if it does
 * not decode. Free with synd__v1__envelope__free_unpacked(e, NULL). */
Synd__V1__Envelope *harness_recv_envelope(void *sock, int timeout_ms);

/* Health/Check of service ("" for the broker). Returns the serving status,
 * or -1 if the call failed. */
int harness_health(synd_client *c, const char *service, int timeout_ms);

/* Reflection/GetStats into *out. */
int harness_stats(synd_client *c, Synd__V1__GetStatsResponse *out);

/* Forks and execs argv (searched on PATH) with stdout and stderr appended
 * to log_path. The child is killed if the test process dies first, and
 * gets default signal handling whatever the test runner set up. Returns
 * its pid, or -1. */
pid_t harness_spawn(const char *const argv[], const char *log_path);

/* Stops a child: SIGTERM (and SIGCONT, in case a test froze it), SIGKILL
 * after 5 s. Returns its wait status. */
int harness_child_stop(pid_t pid, const char *what);

/* Runs argv to completion (bound 10 s) with stdout and stderr in out_path.
 * Returns its exit code, or -1 if it did not exit normally. */
int harness_run(const char *const argv[], const char *out_path);

/* 1 if the file at path contains needle, 0 if not or unreadable. */
int harness_file_contains(const char *path, const char *needle);

/* A fresh folder under /tmp, and its removal with its (flat) contents. */
int harness_mkdtemp(char dir[HARNESS_DIR_MAX]);
void harness_rmdir(const char *dir);

int64_t harness_now_ms(void);
void harness_sleep_ms(int ms);

#endif
