/* The integration-test harness: child processes, keys, registry, clients. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <zmq.h>

#include "harness.h"

#define START_ATTEMPTS  3     /* a free port can be taken before we bind it */
#define REDIS_UP_MS     5000  /* bound for Redis to answer PING */
#define BROKER_UP_MS    10000 /* bound for the broker to answer SERVING */
#define TERM_GRACE_MS   5000  /* SIGTERM to SIGKILL */
#define RUN_BOUND_MS    10000 /* harness_run() */
#define MAX_FILE_READ   (1024 * 1024)
#define MAX_BROKER_ARGS 32 /* syndbroker's argv, with the flags a test adds */

/* The registered identities, one bank per role, in harness_who order. */
static const struct {
    const char *name, *bank_id, *role;
} who_info[HARNESS_N_WHO] = {
    {"lead", "ICBC", "lead"},
    {"participant", "BOC-SH", "participant"},
    {"supervisor", "NFRA", "supervisor"},
    {"operator", "SYND_OPS", "operator"},
    {"stranger", NULL, NULL},
};

int64_t harness_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Asks the kernel for a free loopback port by binding port 0. The port is
 * free again when this returns; callers retry if someone takes it first. */
static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if (fd < 0) {
        fprintf(stderr, "harness: socket: %s\n", strerror(errno));
        return -1;
    }
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        fprintf(stderr, "harness: cannot find a free port: %s\n", strerror(errno));
    else
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

int harness_mkdtemp(char dir[HARNESS_DIR_MAX])
{
    snprintf(dir, HARNESS_DIR_MAX, "/tmp/synd-it-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        dir[0] = '\0';
        return -1;
    }
    return 0;
}

void harness_rmdir(const char *dir)
{
    char path[HARNESS_PATH_MAX * 2];
    struct dirent *e;
    DIR *d;

    if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (unlink(path) != 0)
            fprintf(stderr, "harness: unlink %s: %s\n", path, strerror(errno));
    }
    closedir(d);
    if (rmdir(dir) != 0)
        fprintf(stderr, "harness: rmdir %s: %s\n", dir, strerror(errno));
}

/* Prints a child's log, so a failure shows what the child said. */
static void dump_file(const char *path)
{
    char buf[4096];
    size_t n;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return;
    fprintf(stderr, "---- %s ----\n", path);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        fwrite(buf, 1, n, stderr);
    fprintf(stderr, "---- end of %s ----\n", path);
    fclose(f);
}

pid_t harness_spawn(const char *const argv[], const char *log_path)
{
    pid_t parent = getpid(), pid;
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    sigset_t none;

    if (fd < 0) {
        fprintf(stderr, "harness: cannot open %s: %s\n", log_path, strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "harness: fork: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent || in < 0 ||
            dup2(in, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
            dup2(fd, STDERR_FILENO) < 0)
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        dprintf(STDERR_FILENO, "harness: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fd);
    return pid;
}

/* Reaps pid if it has exited. Returns 1 and sets *status if it has, 0 if
 * it is still running. */
static int reaped(pid_t pid, int *status)
{
    pid_t r;

    while ((r = waitpid(pid, status, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r < 0) { /* not our child any more: report it as a failed exit */
        fprintf(stderr, "harness: waitpid %d: %s\n", (int)pid, strerror(errno));
        *status = 255 << 8;
        return 1;
    }
    return r == pid;
}

/* Waits up to bound_ms for pid to exit. Returns 1 with *status if it did. */
static int wait_exit(pid_t pid, int bound_ms, int *status)
{
    int64_t until = harness_now_ms() + bound_ms;

    do {
        if (reaped(pid, status))
            return 1;
        harness_sleep_ms(10);
    } while (harness_now_ms() < until);
    return reaped(pid, status);
}

int harness_child_stop(pid_t pid, const char *what)
{
    int status = 0;

    kill(pid, SIGTERM);
    kill(pid, SIGCONT);
    if (wait_exit(pid, TERM_GRACE_MS, &status))
        return status;
    fprintf(stderr, "harness: %s (pid %d) ignored SIGTERM for %d ms; killing it\n", what, (int)pid,
            TERM_GRACE_MS);
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

/* One PING with short timeouts: 1 if Redis answered PONG. */
static int redis_answers(int port)
{
    struct timeval tv = {0, 200000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    redisReply *r;
    int ok = 0;

    if (c != NULL && c->err == 0 && redisSetTimeout(c, tv) == REDIS_OK) {
        r = redisCommand(c, "PING");
        ok = r != NULL && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        if (r != NULL)
            freeReplyObject(r);
    }
    if (c != NULL)
        redisFree(c);
    return ok;
}

int harness_redis_start(harness *h)
{
    char port[16];
    const char *argv[] = {"redis-server", "--port", port,    "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no",     "--dir", h->dir,   NULL};
    int64_t until = harness_now_ms() + REDIS_UP_MS;
    int status;

    snprintf(port, sizeof(port), "%d", h->redis_port);
    if ((h->redis_pid = harness_spawn(argv, h->redis_log)) < 0) {
        h->redis_pid = 0;
        return -1;
    }
    do {
        if (reaped(h->redis_pid, &status)) {
            fprintf(stderr, "harness: redis-server on port %d exited (status 0x%x)\n",
                    h->redis_port, status);
            dump_file(h->redis_log);
            h->redis_pid = 0;
            return -1;
        }
        if (redis_answers(h->redis_port))
            return 0;
        harness_sleep_ms(20);
    } while (harness_now_ms() < until);
    fprintf(stderr, "harness: redis-server on port %d did not answer PING in %d ms\n",
            h->redis_port, REDIS_UP_MS);
    dump_file(h->redis_log);
    harness_child_stop(h->redis_pid, "redis-server");
    h->redis_pid = 0;
    return -1;
}

int harness_redis_kill(harness *h)
{
    int status;

    if (h->redis_pid <= 0) {
        fprintf(stderr, "harness: redis is not running\n");
        return -1;
    }
    if (kill(h->redis_pid, SIGKILL) != 0) {
        fprintf(stderr, "harness: kill redis: %s\n", strerror(errno));
        return -1;
    }
    while (waitpid(h->redis_pid, &status, 0) < 0 && errno == EINTR)
        ;
    h->redis_pid = 0;
    return 0;
}

/* Generates who's key pair into the folder and reads the secret back. */
static int make_key(const harness *h, const char *name, char pub[SYND_KEY_LEN],
                    char sec[SYND_KEY_LEN], char *key_path, size_t key_path_len)
{
    char prefix[HARNESS_PATH_MAX];
    synd_status st;

    snprintf(prefix, sizeof(prefix), "%s/%s", h->dir, name);
    snprintf(key_path, key_path_len, "%s/%s.key", h->dir, name);
    if (synd_keygen(prefix, pub, &st) != 0 || synd_keyfile_read(key_path, pub, sec, &st) != 0) {
        fprintf(stderr, "harness: key %s: %s\n", name, st.message);
        return -1;
    }
    return 0;
}

/* Writes the registry: one bank per registered identity. */
static int write_registry(harness *h)
{
    const char *sep = "";
    FILE *f;
    int bad;

    snprintf(h->registry_path, sizeof(h->registry_path), "%s/registry.cfg", h->dir);
    if ((f = fopen(h->registry_path, "w")) == NULL) {
        fprintf(stderr, "harness: %s: %s\n", h->registry_path, strerror(errno));
        return -1;
    }
    fprintf(f, "banks = (\n");
    for (int i = 0; i < HARNESS_N_WHO; i++) {
        if (h->keys[i].bank_id == NULL)
            continue;
        fprintf(f,
                "%s  { id = \"%s\"; name = \"Test bank %d\";\n"
                "    keys = ( { role = \"%s\"; public_key = \"%s\"; } ); }",
                sep, h->keys[i].bank_id, i, h->keys[i].role, h->keys[i].public_key);
        sep = ",\n";
    }
    fprintf(f, "\n);\n");
    bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        fprintf(stderr, "harness: cannot write %s\n", h->registry_path);
        return -1;
    }
    return 0;
}

/* Generates the broker's key and every client's, the stranger's too. */
static int make_keys(harness *h)
{
    char sec[SYND_KEY_LEN], path[HARNESS_PATH_MAX];

    if (make_key(h, "broker", h->broker_public, sec, h->broker_key_path,
                 sizeof(h->broker_key_path)) != 0)
        return -1;
    for (int i = 0; i < HARNESS_N_WHO; i++) {
        harness_key *k = &h->keys[i];
        k->bank_id = who_info[i].bank_id;
        k->role = who_info[i].role;
        if (make_key(h, who_info[i].name, k->public_key, k->secret_key, path, sizeof(path)) != 0)
            return -1;
    }
    return 0;
}

synd_client *harness_client_at(const harness *h, const harness_broker *b, harness_who who)
{
    synd_keys k;
    synd_status st;
    synd_client *c;

    memcpy(k.server_public, h->broker_public, SYND_KEY_LEN);
    memcpy(k.public_key, h->keys[who].public_key, SYND_KEY_LEN);
    memcpy(k.secret_key, h->keys[who].secret_key, SYND_KEY_LEN);
    c = synd_client_new(b->endpoint, b->insecure ? NULL : &k, &st);
    if (c == NULL)
        fprintf(stderr, "harness: synd_client_new %s: %s\n", b->endpoint, st.message);
    return c;
}

synd_client *harness_client(const harness *h, harness_who who)
{
    return harness_client_at(h, &h->broker, who);
}

int harness_health(synd_client *c, const char *service, int timeout_ms)
{
    Synd__V1__HealthCheckRequest req = SYND__V1__HEALTH_CHECK_REQUEST__INIT;
    Synd__V1__HealthCheckResponse *resp;
    synd_call_opts o = {.timeout_ms = timeout_ms};
    synd_status st;
    int status;

    req.service = (char *)service;
    if (synd_call(c, "/synd.v1.Health/Check", &req.base,
                  &synd__v1__health_check_response__descriptor, (ProtobufCMessage **)&resp, &o,
                  &st) != SYND_OK)
        return -1;
    status = resp->status;
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return status;
}

int harness_stats(synd_client *c, Synd__V1__GetStatsResponse *out)
{
    Synd__V1__GetStatsRequest req = SYND__V1__GET_STATS_REQUEST__INIT;
    Synd__V1__GetStatsResponse *resp;
    synd_call_opts o = {.timeout_ms = 3000};
    synd_status st;

    if (synd_call(c, "/synd.v1.Reflection/GetStats", &req.base,
                  &synd__v1__get_stats_response__descriptor, (ProtobufCMessage **)&resp, &o,
                  &st) != SYND_OK) {
        fprintf(stderr, "harness: GetStats: %s: %s\n", synd_code_name(st.code), st.message);
        return -1;
    }
    synd__v1__get_stats_response__init(out);
    out->calls = resp->calls;
    out->bad_frames = resp->bad_frames;
    out->undeliverable = resp->undeliverable;
    out->open_streams = resp->open_streams;
    out->deadline_exceeded = resp->deadline_exceeded;
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    return 0;
}

/* Polls Health/Check until SERVING, giving up if the broker exits. Returns
 * 0 when serving, 1 if the broker exited (the caller may retry on another
 * port), -1 on timeout. */
static int wait_serving(const harness *h, harness_broker *b)
{
    int64_t until = harness_now_ms() + BROKER_UP_MS;
    synd_client *c = harness_client_at(h, b, HARNESS_LEAD);
    int status, rc = -1;

    if (c == NULL)
        return -1;
    do {
        if (reaped(b->pid, &status)) {
            fprintf(stderr, "harness: syndbroker exited before serving (status 0x%x)\n", status);
            dump_file(b->log_path);
            b->pid = 0;
            rc = 1;
            break;
        }
        if (harness_health(c, "", 250) == HARNESS_SERVING) {
            rc = 0;
            break;
        }
        harness_sleep_ms(20);
    } while (harness_now_ms() < until);
    synd_client_free(c);
    if (rc < 0) {
        fprintf(stderr, "harness: syndbroker at %s not SERVING within %d ms\n", b->endpoint,
                BROKER_UP_MS);
        dump_file(b->log_path);
    }
    return rc;
}

/* The flags every broker gets after the harness's own; see
 * harness_set_broker_flags(). */
static const char *const no_quotas[] = {"--quota-rate", "0", "--quota-streams", "0", NULL};
static const char *const *broker_flags = no_quotas;

void harness_set_broker_flags(const char *const *flags)
{
    broker_flags = flags != NULL ? flags : no_quotas;
}

/* Spawns one broker on b->port; see harness_broker_start(). */
static int broker_spawn(harness *h, harness_broker *b)
{
    char redis[64];
    const char *argv[MAX_BROKER_ARGS] = {SYNDBROKER_PATH, "--bind",      b->endpoint, "--redis",
                                         redis,           "--log-level", "debug"};
    size_t n = 7;

    snprintf(redis, sizeof(redis), "127.0.0.1:%d", h->redis_port);
    if (b->insecure) {
        argv[n++] = "--insecure";
    } else {
        argv[n++] = "--registry";
        argv[n++] = h->registry_path;
        argv[n++] = "--key";
        argv[n++] = h->broker_key_path;
    }
    for (size_t i = 0; broker_flags[i] != NULL; i++) {
        if (n + 1 >= MAX_BROKER_ARGS) {
            fprintf(stderr, "harness: more than %d broker arguments\n", MAX_BROKER_ARGS - 1);
            return -1;
        }
        argv[n++] = broker_flags[i];
    }
    argv[n] = NULL;
    b->pid = harness_spawn(argv, b->log_path);
    if (b->pid < 0) {
        b->pid = 0;
        return -1;
    }
    return 0;
}

int harness_broker_start(harness *h, harness_broker *b, int insecure)
{
    int rc = -1;

    b->insecure = insecure;
    for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
        if ((b->port = free_port()) < 0)
            return -1;
        snprintf(b->endpoint, sizeof(b->endpoint), "tcp://127.0.0.1:%d", b->port);
        snprintf(b->log_path, sizeof(b->log_path), "%s/broker-%d.log", h->dir, b->port);
        if (broker_spawn(h, b) != 0)
            return -1;
        if ((rc = wait_serving(h, b)) <= 0)
            break;
    }
    if (rc != 0 && b->pid > 0) {
        harness_child_stop(b->pid, "syndbroker");
        b->pid = 0;
    }
    return rc == 0 ? 0 : -1;
}

int harness_prepare(harness *h)
{
    int rc = -1;

    memset(h, 0, sizeof(*h));
    if (harness_mkdtemp(h->dir) != 0)
        return -1;
    snprintf(h->redis_log, sizeof(h->redis_log), "%s/redis.log", h->dir);
    for (int attempt = 0; rc != 0 && attempt < START_ATTEMPTS; attempt++) {
        if ((h->redis_port = free_port()) < 0)
            break;
        rc = harness_redis_start(h);
    }
    if (rc != 0 || make_keys(h) != 0 || write_registry(h) != 0) {
        harness_stop(h);
        return -1;
    }
    return 0;
}

int harness_start(harness *h)
{
    if (harness_prepare(h) != 0)
        return -1;
    if (harness_broker_start(h, &h->broker, 0) != 0) {
        harness_stop(h);
        return -1;
    }
    return 0;
}

int harness_broker_kill(harness_broker *b)
{
    int status;

    if (b->pid <= 0) {
        fprintf(stderr, "harness: syndbroker is not running\n");
        return -1;
    }
    if (kill(b->pid, SIGKILL) != 0) {
        fprintf(stderr, "harness: kill syndbroker: %s\n", strerror(errno));
        return -1;
    }
    while (waitpid(b->pid, &status, 0) < 0 && errno == EINTR)
        ;
    b->pid = 0;
    return 0;
}

int harness_broker_restart(harness *h, harness_broker *b)
{
    if (b->pid > 0) {
        fprintf(stderr, "harness: syndbroker at %s is still running\n", b->endpoint);
        return -1;
    }
    if (broker_spawn(h, b) != 0)
        return -1;
    if (wait_serving(h, b) != 0) {
        if (b->pid > 0)
            harness_child_stop(b->pid, "syndbroker");
        b->pid = 0;
        return -1;
    }
    return 0;
}

/* Stops a broker and checks it shut down cleanly. */
static int broker_stop(harness_broker *b)
{
    int status;

    if (b->pid <= 0)
        return 0;
    status = harness_child_stop(b->pid, "syndbroker");
    b->pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    fprintf(stderr, "harness: syndbroker at %s did not exit cleanly (status 0x%x)\n", b->endpoint,
            status);
    dump_file(b->log_path);
    return -1;
}

int harness_stop(harness *h)
{
    int rc = 0;

    if (broker_stop(&h->broker) != 0)
        rc = -1;
    if (broker_stop(&h->plain) != 0)
        rc = -1;
    if (h->redis_pid > 0) {
        harness_child_stop(h->redis_pid, "redis-server");
        h->redis_pid = 0;
    }
    harness_rmdir(h->dir);
    h->dir[0] = '\0';
    return rc;
}

static int set_int(void *sock, int opt, int value)
{
    return zmq_setsockopt(sock, opt, &value, sizeof(value));
}

void *harness_dealer(const harness *h, void *zctx, harness_who who)
{
    void *s = zmq_socket(zctx, ZMQ_DEALER);

    if (s == NULL || set_int(s, ZMQ_LINGER, 0) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, h->broker_public, SYND_KEY_LEN) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, h->keys[who].public_key, SYND_KEY_LEN) != 0 ||
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, h->keys[who].secret_key, SYND_KEY_LEN) != 0 ||
        zmq_connect(s, h->broker.endpoint) != 0) {
        fprintf(stderr, "harness: DEALER to %s: %s\n", h->broker.endpoint,
                zmq_strerror(zmq_errno()));
        if (s != NULL)
            zmq_close(s);
        return NULL;
    }
    return s;
}

uint8_t *harness_pack(const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);

    if (buf == NULL) {
        fprintf(stderr, "harness: out of memory\n");
        return NULL;
    }
    *len = protobuf_c_message_pack(m, buf);
    return buf;
}

int harness_send_envelope(void *sock, const Synd__V1__Envelope *env)
{
    size_t len;
    uint8_t *buf = harness_pack(&env->base, &len);
    int rc;

    if (buf == NULL)
        return -1;
    rc = zmq_send(sock, buf, len, 0);
    free(buf);
    if (rc != (int)len) {
        fprintf(stderr, "harness: zmq_send: %s\n", zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

Synd__V1__Envelope *harness_recv_envelope(void *sock, int timeout_ms)
{
    int64_t until = harness_now_ms() + timeout_ms;
    Synd__V1__Envelope *env;
    zmq_msg_t m;

    for (;;) {
        zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
        int64_t left = until - harness_now_ms();

        if (left <= 0) {
            fprintf(stderr, "harness: no envelope within %d ms\n", timeout_ms);
            return NULL;
        }
        if (zmq_poll(&item, 1, (long)left) < 0 && zmq_errno() != EINTR) {
            fprintf(stderr, "harness: zmq_poll: %s\n", zmq_strerror(zmq_errno()));
            return NULL;
        }
        if (item.revents & ZMQ_POLLIN)
            break;
    }
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, sock, 0) < 0) {
        fprintf(stderr, "harness: zmq_msg_recv: %s\n", zmq_strerror(zmq_errno()));
        zmq_msg_close(&m);
        return NULL;
    }
    env = synd__v1__envelope__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    if (env == NULL)
        fprintf(stderr, "harness: reply of %zu bytes is not an Envelope\n", zmq_msg_size(&m));
    zmq_msg_close(&m);
    return env;
}

int harness_run(const char *const argv[], const char *out_path)
{
    pid_t pid = harness_spawn(argv, out_path);
    int status;

    if (pid < 0)
        return -1;
    if (!wait_exit(pid, RUN_BOUND_MS, &status)) {
        fprintf(stderr, "harness: %s still running after %d ms\n", argv[0], RUN_BOUND_MS);
        harness_child_stop(pid, argv[0]);
        return -1;
    }
    if (!WIFEXITED(status)) {
        fprintf(stderr, "harness: %s did not exit normally (status 0x%x)\n", argv[0], status);
        return -1;
    }
    return WEXITSTATUS(status);
}

int harness_file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t n;
    int found;

    if (f == NULL)
        return 0;
    buf = malloc(MAX_FILE_READ + 1);
    if (buf == NULL) {
        fclose(f);
        return 0;
    }
    n = fread(buf, 1, MAX_FILE_READ, f);
    buf[n] = '\0';
    fclose(f);
    found = strstr(buf, needle) != NULL;
    free(buf);
    return found;
}
