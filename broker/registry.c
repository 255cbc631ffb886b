/* Registry file loading and key lookup. */
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>
#include <zmq.h>

#include "registry.h"

typedef struct registry_key {
    uint8_t key[32];
    registry_identity id;
} registry_key;

struct registry {
    registry_key *keys;
    size_t n;
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
    int line = config_setting_source_line(k);

    if (!config_setting_lookup_string(k, "role", &role_s) ||
        registry_role_parse(role_s, &rk->id.role) != 0) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: bank %s: role must be lead, participant, supervisor or operator",
                        path, line, bank);
        return -1;
    }
    if (!config_setting_lookup_string(k, "public_key", &z85) || strlen(z85) != 40 ||
        zmq_z85_decode(rk->key, z85) == NULL) {
        synd_status_set(st, SYND_INVALID_ARGUMENT,
                        "%s:%d: bank %s: public_key must be a 40-character Z85 key", path, line,
                        bank);
        return -1;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (memcmp(r->keys[i].key, rk->key, 32) == 0) {
            synd_status_set(st, SYND_INVALID_ARGUMENT,
                            "%s:%d: key %s is registered twice (also for bank %s)", path, line, z85,
                            r->keys[i].id.bank_id);
            return -1;
        }
    }
    strcpy(rk->id.bank_id, bank);
    r->n++;
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
    keys = config_setting_lookup(b, "keys");
    if (keys == NULL || !config_setting_is_list(keys)) {
        synd_status_set(st, SYND_INVALID_ARGUMENT, "%s:%d: bank %s has no keys = ( ... ) list",
                        path, line, id);
        return -1;
    }
    for (int i = 0; i < config_setting_length(keys); i++) {
        registry_key *grown = realloc(r->keys, (r->n + 1) * sizeof(*grown));
        if (grown == NULL) {
            synd_status_set(st, SYND_RESOURCE_EXHAUSTED, "out of memory loading %s", path);
            return -1;
        }
        r->keys = grown;
        if (add_key(r, id, config_setting_get_elem(keys, i), path, st) != 0)
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
    if (load_banks(r, &cfg, path, st) != 0)
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
    free(r);
}

int registry_lookup(const registry *r, const uint8_t key[32], registry_identity *id)
{
    for (size_t i = 0; i < r->n; i++) {
        if (memcmp(r->keys[i].key, key, 32) == 0) {
            *id = r->keys[i].id;
            return 0;
        }
    }
    return -1;
}

size_t registry_size(const registry *r)
{
    return r->n;
}
