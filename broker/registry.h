/* The registry: which CurveZMQ public key belongs to which bank, in which
 * role. Read from a libconfig file at start, and again whenever the file
 * changes (registry_reload), so keys are added and revoked without a
 * restart. */
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

/* A bank's figures as the file gives them; what the limits are taken of. */
typedef struct registry_bank {
    char id[REGISTRY_MAX_ID];
    char name[128];
    int64_t net_capital_fen;
    int64_t tier1_capital_fen; /* net tier-1 capital */
} registry_bank;

/* A borrower: its unified social credit code, name and connected group
 * (its own code when it has none), and its joint credit limit (0: none). */
typedef struct registry_borrower {
    char code[19];
    char name[128];
    char group[REGISTRY_MAX_ID];
    int64_t joint_limit_fen;
} registry_borrower;

/* One key's identity: the bank and role it acts as, and the key itself,
 * against which the registry is asked again on every call. */
typedef struct registry_identity {
    char bank_id[REGISTRY_MAX_ID];
    registry_role role;
    int has_key;     /* 0 for an anonymous (--insecure) caller */
    uint8_t key[32]; /* the CURVE public key, when has_key */
} registry_identity;

/* Loads path. Returns the registry, or NULL with the reason (file, line and
 * what to fix) in st. The file looks like:
 *
 *   banks = (
 *     { id = "ICBC"; name = "Industrial and Commercial Bank";
 *       net_capital_fen = 380000000000000L; tier1_capital_fen = 330000000000000L;
 *       keys = ( { role = "lead"; public_key = "<Z85>"; },
 *                { role = "lead"; public_key = "<Z85>"; revoked = true; } ); }
 *   );
 *   borrowers = (
 *     { code = "91350100M000100Y43"; name = "Fujian Motors"; group = "FJG";
 *       joint_limit_fen = 0L; }
 *   );
 *
 * Capital figures, names, groups, limits and the borrowers list are
 * optional; amounts are int64 fen and may not be negative. A key with
 * revoked = true stays listed (tools show it) but admits no one; a key
 * may appear once in the whole file, revoked or not. Other settings of a
 * key entry (added_at, revoked_at) are notes for people and ignored. */
registry *registry_load(const char *path, synd_status *st);

/* Loads path again into r: on success r holds the new file's contents
 * (pointers to r stay valid; pointers into it, from registry_bank_at()
 * and the like, do not) and 0 is returned. On failure r is unchanged and
 * st says why, as registry_load() does. */
int registry_reload(registry *r, const char *path, synd_status *st);

void registry_free(registry *r);

/* Finds the identity of a 32-byte CURVE public key. Returns 0 and fills
 * *id, or -1 if the key is not registered or is revoked. */
int registry_lookup(const registry *r, const uint8_t key[32], registry_identity *id);

/* 1 if key is listed with revoked = true (and *id says whose it was), else
 * 0. For log lines that tell a revoked key from an unknown one. */
int registry_is_revoked(const registry *r, const uint8_t key[32], registry_identity *id);

/* 1 if the registry still admits id: its key is listed, not revoked, and
 * still maps to id's bank and role. An identity without a key is never
 * admitted. */
int registry_admits(const registry *r, const registry_identity *id);

/* Number of keys listed, revoked ones included, and of revoked ones. */
size_t registry_size(const registry *r);
size_t registry_revoked_count(const registry *r);

/* The banks and borrowers of the file, in file order, i < count. */
size_t registry_bank_count(const registry *r);
const registry_bank *registry_bank_at(const registry *r, size_t i);
size_t registry_borrower_count(const registry *r);
const registry_borrower *registry_borrower_at(const registry *r, size_t i);

/* "lead", "participant", "supervisor", "operator" or "none". */
const char *registry_role_name(registry_role role);

/* Parses a role name. Returns 0, or -1 if name is not a role. */
int registry_role_parse(const char *name, registry_role *role);

#endif
