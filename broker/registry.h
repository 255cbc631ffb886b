/* The registry: which CurveZMQ public key belongs to which bank, in which
 * role. Read from a libconfig file at start. */
#ifndef SYND_REGISTRY_H
#define SYND_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "synd/status.h"

#define REGISTRY_MAX_ID 64

typedef enum registry_role {
    ROLE_NONE = 0,
    ROLE_LEAD,
    ROLE_PARTICIPANT,
    ROLE_SUPERVISOR,
    ROLE_OPERATOR
} registry_role;

typedef struct registry registry;

/* One key's identity. */
typedef struct registry_identity {
    char bank_id[REGISTRY_MAX_ID];
    registry_role role;
} registry_identity;

/* Loads path. Returns the registry, or NULL with the reason (file, line and
 * what to fix) in st. The file looks like:
 *
 *   banks = (
 *     { id = "ICBC"; name = "Industrial and Commercial Bank";
 *       keys = ( { role = "lead"; public_key = "<Z85>"; } ); }
 *   );
 */
registry *registry_load(const char *path, synd_status *st);

void registry_free(registry *r);

/* Finds the identity of a 32-byte CURVE public key. Returns 0 and fills
 * *id, or -1 if the key is not registered. */
int registry_lookup(const registry *r, const uint8_t key[32], registry_identity *id);

/* Number of keys loaded. */
size_t registry_size(const registry *r);

/* "lead", "participant", "supervisor", "operator" or "none". */
const char *registry_role_name(registry_role role);

/* Parses a role name. Returns 0, or -1 if name is not a role. */
int registry_role_parse(const char *name, registry_role *role);

#endif
