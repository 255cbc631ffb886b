/* Editing the registry file: read with libconfig, change, write to a
 * temporary file, rename over the original under a lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>
#include <zmq.h>

#include "regfile.h"

#define LOCK_TRIES 20 /* renames by others between our open and our lock */

static const char *const roles[] = {"lead", "participant", "supervisor", "operator", NULL};

static int role_ok(const char *role)
{
    for (const char *const *r = roles; *r; r++) {
        if (strcmp(*r, role) == 0)
            return 1;
    }
    return 0;
}

/* Decodes a Z85 public key; 0 if it is one. Keys are compared decoded: two
 * spellings could decode to the same 32 bytes. */
static int decode_key(const char *z85, uint8_t raw[32])
{
    if (z85 == NULL || strlen(z85) != SYND_KEY_LEN - 1 || zmq_z85_decode(raw, z85) == NULL)
        return -1;
    return 0;
}

/* Reads an open registry file into cfg, naming path and line on error. */
static int parse(config_t *cfg, FILE *f, const char *path, synd_status *st)
{
    config_init(cfg);
    if (config_read(cfg, f))
        return 0;
    synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: %s", path, config_error_line(cfg),
                    config_error_text(cfg));
    config_destroy(cfg);
    return -1;
}

static config_setting_t *banks_of(config_t *cfg, const char *path, synd_status *st)
{
    config_setting_t *banks = config_lookup(cfg, "banks");

    if (banks != NULL && config_setting_is_list(banks))
        return banks;
    synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: no banks = ( ... ) list", path);
    return NULL;
}

static void copy_string(config_setting_t *s, const char *name, char *out, size_t cap)
{
    const char *v = "";

    config_setting_lookup_string(s, name, &v);
    snprintf(out, cap, "%s", v);
}

/* Describes one key entry of bank b. */
static void describe(config_setting_t *b, config_setting_t *k, regfile_key *out)
{
    int revoked = 0;

    memset(out, 0, sizeof(*out));
    copy_string(b, "id", out->bank_id, sizeof(out->bank_id));
    copy_string(k, "role", out->role, sizeof(out->role));
    copy_string(k, "public_key", out->public_key, sizeof(out->public_key));
    copy_string(k, "added_at", out->added_at, sizeof(out->added_at));
    copy_string(k, "revoked_at", out->revoked_at, sizeof(out->revoked_at));
    out->revoked = config_setting_lookup_bool(k, "revoked", &revoked) && revoked;
    out->line = config_setting_source_line(k);
}

/* Appends one entry to a growing array. */
static int push(regfile_key **keys, size_t *n, const regfile_key *k, synd_status *st)
{
    regfile_key *grown = realloc(*keys, (*n + 1) * sizeof(*grown));

    if (grown == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    grown[(*n)++] = *k;
    *keys = grown;
    return 0;
}

/* Calls fn on every key entry of every bank, in file order, until it
 * returns non-zero (which is returned). */
static int each_key(config_setting_t *banks,
                    int (*fn)(config_setting_t *b, config_setting_t *k, void *arg), void *arg)
{
    for (int i = 0; i < config_setting_length(banks); i++) {
        config_setting_t *b = config_setting_get_elem(banks, i);
        config_setting_t *keys = config_setting_lookup(b, "keys");
        for (int j = 0; keys != NULL && j < config_setting_length(keys); j++) {
            int rc = fn(b, config_setting_get_elem(keys, j), arg);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

typedef struct list_state {
    regfile_key **keys;
    size_t *n;
    synd_status *st;
} list_state;

static int list_one(config_setting_t *b, config_setting_t *k, void *arg)
{
    list_state *ls = arg;
    regfile_key d;

    describe(b, k, &d);
    return push(ls->keys, ls->n, &d, ls->st);
}

int regfile_list(const char *path, regfile_key **keys, size_t *n, synd_status *st)
{
    FILE *f = fopen(path, "r");
    config_t cfg;
    config_setting_t *banks;
    list_state ls = {keys, n, st};
    int rc = -1;

    *keys = NULL;
    *n = 0;
    if (f == NULL) {
        synd_status_set(st, SYND_NOT_FOUND, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (parse(&cfg, f, path, st) == 0) {
        if ((banks = banks_of(&cfg, path, st)) != NULL)
            rc = each_key(banks, list_one, &ls);
        config_destroy(&cfg);
    }
    fclose(f);
    if (rc != 0) {
        free(*keys);
        *keys = NULL;
        *n = 0;
    }
    return rc;
}

/* --- locked edits --------------------------------------------------------- */

/* Opens path and takes an exclusive lock on it. Another writer may rename
 * a new file over path between our open and our lock; the lock is then on
 * a file nobody reads, so we open again until we hold the current one.
 * Returns the fd, or -1. */
static int open_locked(const char *path, synd_status *st)
{
    for (int i = 0; i < LOCK_TRIES; i++) {
        struct stat held, now;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0) {
            synd_status_set(st, SYND_NOT_FOUND, "cannot open %s: %s", path, strerror(errno));
            return -1;
        }
        if (flock(fd, LOCK_EX) != 0 || fstat(fd, &held) != 0) {
            synd_status_set(st, SYND_INTERNAL, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (stat(path, &now) == 0 && now.st_dev == held.st_dev && now.st_ino == held.st_ino)
            return fd;
        close(fd);
    }
    synd_status_set(st, SYND_ABORTED, "%s keeps being replaced; try again", path);
    return -1;
}

/* Reads the locked file through a second descriptor, so that closing the
 * stream keeps the lock. */
static int read_locked(int fd, config_t *cfg, const char *path, synd_status *st)
{
    int copy = dup(fd);
    FILE *f = copy >= 0 ? fdopen(copy, "r") : NULL;
    int rc;

    if (f == NULL) {
        synd_status_set(st, SYND_INTERNAL, "cannot read %s: %s", path, strerror(errno));
        if (copy >= 0)
            close(copy);
        return -1;
    }
    rc = parse(cfg, f, path, st);
    fclose(f);
    return rc;
}

/* Flushes a directory's entries, so that the rename survives a crash. */
static void sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else
        snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Writes cfg to a temporary file next to path with the mode of the file
 * locked as fd, flushes it to disk and renames it over path. */
static int write_atomically(const config_t *cfg, int fd, const char *path, synd_status *st)
{
    char tmp[4096];
    struct stat sb;
    FILE *f = NULL;
    int tfd, bad;

    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "path %s is too long", path);
        return -1;
    }
    if (fstat(fd, &sb) != 0 || (tfd = mkstemp(tmp)) < 0) {
        synd_status_set(st, SYND_INTERNAL, "cannot create a temporary file next to %s: %s", path,
                        strerror(errno));
        return -1;
    }
    if (fchmod(tfd, sb.st_mode & 07777) != 0 || (f = fdopen(tfd, "w")) == NULL) {
        synd_status_set(st, SYND_INTERNAL, "cannot write %s: %s", tmp, strerror(errno));
        close(tfd);
        unlink(tmp);
        return -1;
    }
    config_write(cfg, f);
    bad = fflush(f) != 0 || ferror(f) || fsync(tfd) != 0;
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        synd_status_set(st, SYND_INTERNAL, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    sync_dir(path);
    return 0;
}

/* A change to the registry: run on the parsed, locked file. Returns 1 to
 * write the file, 0 to leave it, -1 on error (st set). */
typedef int (*edit_fn)(config_setting_t *banks, void *arg, const char *path, synd_status *st);

/* Locks, reads, edits, writes and unlocks the file. */
static int edit(const char *path, edit_fn fn, void *arg, synd_status *st)
{
    int fd = open_locked(path, st), rc = -1;
    config_setting_t *banks;
    config_t cfg;

    if (fd < 0)
        return -1;
    if (read_locked(fd, &cfg, path, st) == 0) {
        if ((banks = banks_of(&cfg, path, st)) != NULL && (rc = fn(banks, arg, path, st)) > 0)
            rc = write_atomically(&cfg, fd, path, st);
        config_destroy(&cfg);
    }
    close(fd);
    return rc < 0 ? -1 : 0;
}

/* Sets a string setting of group g, adding it if absent. */
static int set_string(config_setting_t *g, const char *name, const char *value)
{
    config_setting_t *s = config_setting_lookup(g, name);

    if (s != NULL && config_setting_type(s) != CONFIG_TYPE_STRING) {
        config_setting_remove(g, name);
        s = NULL;
    }
    if (s == NULL)
        s = config_setting_add(g, name, CONFIG_TYPE_STRING);
    return s != NULL && config_setting_set_string(s, value) == CONFIG_TRUE ? 0 : -1;
}

/* --- add ------------------------------------------------------------------ */

typedef struct add_args {
    const char *bank_id, *role, *now;
    uint8_t raw[32];
    char z85[SYND_KEY_LEN]; /* the key as zmq writes it */
    regfile_key dup;
    int found_dup;
} add_args;

/* Finds an entry holding the same key, for any bank. */
static int find_dup(config_setting_t *b, config_setting_t *k, void *arg)
{
    add_args *a = arg;
    const char *z85 = NULL;
    uint8_t raw[32];

    if (config_setting_lookup_string(k, "public_key", &z85) && decode_key(z85, raw) == 0 &&
        memcmp(raw, a->raw, 32) == 0) {
        describe(b, k, &a->dup);
        a->found_dup = 1;
        return 1;
    }
    return 0;
}

/* Finds the bank by id among banks, whether or not it has keys yet. */
static config_setting_t *find_bank(config_setting_t *banks, const char *bank_id)
{
    for (int i = 0; i < config_setting_length(banks); i++) {
        config_setting_t *b = config_setting_get_elem(banks, i);
        const char *id;
        if (config_setting_lookup_string(b, "id", &id) && strcmp(id, bank_id) == 0)
            return b;
    }
    return NULL;
}

static int add_entry(config_setting_t *banks, void *arg, const char *path, synd_status *st)
{
    add_args *a = arg;
    config_setting_t *bank, *keys, *k;

    each_key(banks, find_dup, a);
    if (a->found_dup) {
        synd_status_set(st, SYND_ALREADY_EXISTS,
                        "%s:%d: key %s is already listed for %s/%s%s; a key belongs to one bank "
                        "and role, and a revoked key is never used again",
                        path, a->dup.line, a->z85, a->dup.bank_id, a->dup.role,
                        a->dup.revoked ? " (revoked)" : "");
        return -1;
    }
    if ((bank = find_bank(banks, a->bank_id)) == NULL) {
        synd_status_set(st, SYND_NOT_FOUND,
                        "%s: no bank '%s'; add the bank to the file first: { id = \"%s\"; name = "
                        "\"...\"; net_capital_fen = ...L; tier1_capital_fen = ...L; keys = ( ); }",
                        path, a->bank_id, a->bank_id);
        return -1;
    }
    keys = config_setting_lookup(bank, "keys");
    if (keys == NULL)
        keys = config_setting_add(bank, "keys", CONFIG_TYPE_LIST);
    else if (!config_setting_is_list(keys)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: keys of bank %s is not a ( ... ) list",
                        path, config_setting_source_line(keys), a->bank_id);
        return -1;
    }
    if (keys == NULL || (k = config_setting_add(keys, NULL, CONFIG_TYPE_GROUP)) == NULL ||
        set_string(k, "role", a->role) != 0 || set_string(k, "public_key", a->z85) != 0 ||
        set_string(k, "added_at", a->now) != 0) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory editing %s", path);
        return -1;
    }
    return 1;
}

int regfile_add(const char *path, const char *bank_id, const char *role, const char *public_key,
                const char *now, synd_status *st)
{
    add_args a = {.bank_id = bank_id, .role = role, .now = now};

    if (!role_ok(role)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "role '%s' must be lead, participant, supervisor or operator", role);
        return -1;
    }
    if (decode_key(public_key, a.raw) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "'%s' is not a public key: 40 characters of Z85 expected", public_key);
        return -1;
    }
    zmq_z85_encode(a.z85, a.raw, 32);
    return edit(path, add_entry, &a, st);
}

/* --- revoke --------------------------------------------------------------- */

typedef struct revoke_args {
    const regfile_match *m;
    uint8_t raw[32];
    const char *now;
    regfile_key **matched;
    size_t *n;
    synd_status *st;
    int changed;
} revoke_args;

static int names(const revoke_args *r, config_setting_t *b, config_setting_t *k)
{
    const char *id = "", *role = "", *z85 = NULL;
    uint8_t raw[32];

    if (r->m->public_key != NULL)
        return config_setting_lookup_string(k, "public_key", &z85) && decode_key(z85, raw) == 0 &&
               memcmp(raw, r->raw, 32) == 0;
    return config_setting_lookup_string(b, "id", &id) && strcmp(id, r->m->bank_id) == 0 &&
           config_setting_lookup_string(k, "role", &role) && strcmp(role, r->m->role) == 0;
}

static int revoke_one(config_setting_t *b, config_setting_t *k, void *arg)
{
    revoke_args *r = arg;
    config_setting_t *flag;
    regfile_key before;

    if (!names(r, b, k))
        return 0;
    describe(b, k, &before);
    if (push(r->matched, r->n, &before, r->st) != 0)
        return -1;
    if (before.revoked)
        return 0;
    if (config_setting_lookup(k, "revoked") != NULL) /* false, or not a bool */
        config_setting_remove(k, "revoked");
    if ((flag = config_setting_add(k, "revoked", CONFIG_TYPE_BOOL)) == NULL ||
        config_setting_set_bool(flag, 1) != CONFIG_TRUE ||
        set_string(k, "revoked_at", r->now) != 0) {
        synd_status_set(r->st, SYND_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    r->changed = 1;
    return 0;
}

static int revoke_entries(config_setting_t *banks, void *arg, const char *path, synd_status *st)
{
    revoke_args *r = arg;

    if (each_key(banks, revoke_one, r) != 0)
        return -1;
    if (*r->n == 0) {
        if (r->m->public_key != NULL)
            synd_status_set(st, SYND_NOT_FOUND, "%s lists no key %s", path, r->m->public_key);
        else
            synd_status_set(st, SYND_NOT_FOUND, "%s lists no %s key of bank %s", path, r->m->role,
                            r->m->bank_id);
        return -1;
    }
    return r->changed;
}

int regfile_revoke(const char *path, const regfile_match *m, const char *now, regfile_key **matched,
                   size_t *n, synd_status *st)
{
    revoke_args r = {.m = m, .now = now, .matched = matched, .n = n, .st = st};
    int rc;

    *matched = NULL;
    *n = 0;
    if (m->public_key != NULL && decode_key(m->public_key, r.raw) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "'%s' is not a public key: 40 characters of Z85 expected", m->public_key);
        return -1;
    }
    if (m->public_key == NULL && (m->bank_id == NULL || m->role == NULL || !role_ok(m->role))) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "name a key, or a bank and a role (lead, participant, supervisor or "
                        "operator)");
        return -1;
    }
    rc = edit(path, revoke_entries, &r, st);
    if (rc != 0) {
        free(*matched);
        *matched = NULL;
        *n = 0;
    }
    return rc;
}
