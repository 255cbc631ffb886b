/* Registry file loading, reloading and key lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>
#include <zmq.h>

#include "book/uscc.h"
#include "registry.h"

typedef struct registry_key {
    registry_identity id; /* id.key is the key */
    int revoked;
} registry_key;

struct registry {
    registry_key *keys;
    size_t n;
    registry_bank *banks;
    size_t n_banks;
    registry_borrower *borrowers;
    size_t n_borrowers;
};

static const char *const role_names[] = {"none", "lead", "participant", "supervisor", "operator"};

const char *registry_role_name(registry_role role)
{
    if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0]))
        return "none";
    return role_names[role];
}

int registry_role_parse(const char *name, registry_role *role)
{
    for (int i = ROLE_LEAD; i <= ROLE_OPERATOR; i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *role = (registry_role)i;
            return 0;
        }
    }
    return -1;
}

/* Bank ids travel in the ZAP User-Id and in Redis keys, so they are kept
 * to a plain alphabet that cannot break either. */
static int bank_id_ok(const char *id)
{
    size_t n = strlen(id);

    if (n == 0 || n >= REGISTRY_MAX_ID)
        return 0;
    for (const char *p = id; *p; p++) {
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return 0;
    }
    return 1;
}

/* Adds one entry of a bank's keys list, refusing duplicates: a key that
 * maps to two identities would make the caller's identity ambiguous. */
static int add_key(registry *r, const char *bank, config_setting_t *k, const char *path,
                   synd_status *st)
{
    const char *role_s, *z85;
    registry_key *rk = &r->keys[r->n];
    config_setting_t *revoked = config_setting_lookup(k, "revoked");
    int line = config_setting_source_line(k);

    if (!config_setting_lookup_string(k, "role", &role_s) ||
        registry_role_parse(role_s, &rk->id.role) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: bank %s: role must be lead, participant, supervisor or operator",
                        path, line, bank);
        return -1;
    }
    if (!config_setting_lookup_string(k, "public_key", &z85) || strlen(z85) != 40 ||
        zmq_z85_decode(rk->id.key, z85) == NULL) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: bank %s: public_key must be a 40-character Z85 key", path, line,
                        bank);
        return -1;
    }
    if (revoked != NULL && config_setting_type(revoked) != CONFIG_TYPE_BOOL) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: bank %s: revoked must be true or false (no quotes)", path,
                        config_setting_source_line(revoked), bank);
        return -1;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (memcmp(r->keys[i].id.key, rk->id.key, 32) == 0) {
            synd_status_set(st, SYND_INVALID_ARGUMENT,
                            "%s:%d: key %s is registered twice (also for bank %s)", path, line, z85,
                            r->keys[i].id.bank_id);
            return -1;
        }
    }
    strcpy(rk->id.bank_id, bank);
    rk->id.has_key = 1;
    rk->revoked = revoked != NULL && config_setting_get_bool(revoked);
    r->n++;
    return 0;
}

/* Reads an optional amount in fen: absent is 0, negative is refused. */
static int read_amount(config_setting_t *s, const char *name, int64_t *out, const char *path,
                       synd_status *st)
{
    long long v = 0;

    *out = 0;
    if (config_setting_lookup(s, name) == NULL)
        return 0;
    if (!config_setting_lookup_int64(s, name, &v) || v < 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: %s must be a whole, non-negative number of fen", path,
                        config_setting_source_line(s), name);
        return -1;
    }
    *out = v;
    return 0;
}

/* Reads an optional name into a buffer, falling back to dflt. */
static void read_name(config_setting_t *s, char *out, size_t cap, const char *dflt)
{
    const char *name = dflt;

    config_setting_lookup_string(s, "name", &name);
    snprintf(out, cap, "%s", name);
}

/* Grows an array by one element, for the three lists the file holds. */
static void *grow(void *array, size_t n, size_t size, const char *path, synd_status *st)
{
    void *grown = realloc(array, (n + 1) * size);

    if (grown == NULL)
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory loading %s", path);
    return grown;
}

static int add_figures(registry *r, config_setting_t *b, const char *id, const char *path,
                       synd_status *st)
{
    registry_bank *grown = grow(r->banks, r->n_banks, sizeof(*grown), path, st);
    registry_bank *bank;

    if (grown == NULL)
        return -1;
    r->banks = grown;
    bank = &r->banks[r->n_banks];
    memset(bank, 0, sizeof(*bank));
    strcpy(bank->id, id);
    read_name(b, bank->name, sizeof(bank->name), id);
    if (read_amount(b, "net_capital_fen", &bank->net_capital_fen, path, st) != 0 ||
        read_amount(b, "tier1_capital_fen", &bank->tier1_capital_fen, path, st) != 0)
        return -1;
    r->n_banks++;
    return 0;
}

static int add_bank(registry *r, config_setting_t *b, const char *path, synd_status *st)
{
    const char *id;
    config_setting_t *keys;
    int line = config_setting_source_line(b);

    if (!config_setting_lookup_string(b, "id", &id) || !bank_id_ok(id)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: bank id must be 1-%d characters of [A-Za-z0-9_-]", path, line,
                        REGISTRY_MAX_ID - 1);
        return -1;
    }
    if (add_figures(r, b, id, path, st) != 0)
        return -1;
    keys = config_setting_lookup(b, "keys");
    if (keys == NULL || !config_setting_is_list(keys)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: bank %s has no keys = ( ... ) list",
                        path, line, id);
        return -1;
    }
    for (int i = 0; i < config_setting_length(keys); i++) {
        registry_key *grown = grow(r->keys, r->n, sizeof(*grown), path, st);
        if (grown == NULL)
            return -1;
        r->keys = grown;
        if (add_key(r, id, config_setting_get_elem(keys, i), path, st) != 0)
            return -1;
    }
    return 0;
}

/* Adds one borrower: a valid unified social credit code, and a group id
 * of the bank id alphabet (it becomes part of Redis hash tags). */
static int add_borrower(registry *r, config_setting_t *b, const char *path, synd_status *st)
{
    registry_borrower *grown = grow(r->borrowers, r->n_borrowers, sizeof(*grown), path, st);
    registry_borrower *w;
    const char *code = "", *group = NULL;
    int line = config_setting_source_line(b);

    if (grown == NULL)
        return -1;
    r->borrowers = grown;
    w = &r->borrowers[r->n_borrowers];
    memset(w, 0, sizeof(*w));
    config_setting_lookup_string(b, "code", &code);
    if (book_uscc_check(code, st) != SYND_OK) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: borrower code '%s': %.400s", path, line,
                        code, st->message);
        return -1;
    }
    strcpy(w->code, code);
    read_name(b, w->name, sizeof(w->name), code);
    if (config_setting_lookup_string(b, "group", &group) && group[0] != '\0' &&
        !bank_id_ok(group)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: group must be 1-%d characters of [A-Za-z0-9_-]", path, line,
                        REGISTRY_MAX_ID - 1);
        return -1;
    }
    snprintf(w->group, sizeof(w->group), "%s", group && group[0] ? group : code);
    if (read_amount(b, "joint_limit_fen", &w->joint_limit_fen, path, st) != 0)
        return -1;
    r->n_borrowers++;
    return 0;
}

static int load_borrowers(registry *r, config_t *cfg, const char *path, synd_status *st)
{
    config_setting_t *list = config_lookup(cfg, "borrowers");

    if (list == NULL)
        return 0;
    if (!config_setting_is_list(list)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: borrowers must be a ( ... ) list", path);
        return -1;
    }
    for (int i = 0; i < config_setting_length(list); i++) {
        if (add_borrower(r, config_setting_get_elem(list, i), path, st) != 0)
            return -1;
    }
    return 0;
}

static int load_banks(registry *r, config_t *cfg, const char *path, synd_status *st)
{
    config_setting_t *banks = config_lookup(cfg, "banks");

    if (banks == NULL || !config_setting_is_list(banks)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s: no banks = ( ... ) list", path);
        return -1;
    }
    for (int i = 0; i < config_setting_length(banks); i++) {
        if (add_bank(r, config_setting_get_elem(banks, i), path, st) != 0)
            return -1;
    }
    return 0;
}

registry *registry_load(const char *path, synd_status *st)
{
    config_t cfg;
    registry *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory loading %s", path);
        return NULL;
    }
    config_init(&cfg);
    if (!config_read_file(&cfg, path)) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
            synd_status_set(st, SYND_NOT_FOUND, "cannot read registry %s", path);
        else
            synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: %s", path, config_error_line(&cfg),
                            config_error_text(&cfg));
        goto fail;
    }
    if (load_banks(r, &cfg, path, st) != 0 || load_borrowers(r, &cfg, path, st) != 0)
        goto fail;
    config_destroy(&cfg);
    return r;
fail:
    config_destroy(&cfg);
    registry_free(r);
    return NULL;
}

void registry_free(registry *r)
{
    if (r == NULL)
        return;
    free(r->keys);
    free(r->banks);
    free(r->borrowers);
    free(r);
}

/* Swaps contents rather than pointers: the ZAP handler, the server and the
 * services hold r itself, and all see the new file at once. */
int registry_reload(registry *r, const char *path, synd_status *st)
{
    registry *fresh = registry_load(path, st), old;

    if (fresh == NULL)
        return -1;
    old = *r;
    *r = *fresh;
    *fresh = old;
    registry_free(fresh);
    return 0;
}

static const registry_key *find_key(const registry *r, const uint8_t key[32])
{
    for (size_t i = 0; i < r->n; i++) {
        if (memcmp(r->keys[i].id.key, key, 32) == 0)
            return &r->keys[i];
    }
    return NULL;
}

int registry_lookup(const registry *r, const uint8_t key[32], registry_identity *id)
{
    const registry_key *k = find_key(r, key);

    if (k == NULL || k->revoked)
        return -1;
    *id = k->id;
    return 0;
}

int registry_is_revoked(const registry *r, const uint8_t key[32], registry_identity *id)
{
    const registry_key *k = find_key(r, key);

    if (k == NULL || !k->revoked)
        return 0;
    *id = k->id;
    return 1;
}

int registry_admits(const registry *r, const registry_identity *id)
{
    registry_identity now;

    return id->has_key && registry_lookup(r, id->key, &now) == 0 &&
           strcmp(now.bank_id, id->bank_id) == 0 && now.role == id->role;
}

size_t registry_size(const registry *r)
{
    return r->n;
}

size_t registry_revoked_count(const registry *r)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n; i++)
        n += r->keys[i].revoked != 0;
    return n;
}

size_t registry_bank_count(const registry *r)
{
    return r->n_banks;
}

const registry_bank *registry_bank_at(const registry *r, size_t i)
{
    return &r->banks[i];
}

size_t registry_borrower_count(const registry *r)
{
    return r->n_borrowers;
}

const registry_borrower *registry_borrower_at(const registry *r, size_t i)
{
    return &r->borrowers[i];
}
