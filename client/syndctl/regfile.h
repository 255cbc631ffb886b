/* The registry file as operators edit it with `syndctl key`: list, add and
 * revoke keys in the libconfig file the broker reads, and reads again by
 * itself when it changes. The file is the source of truth for keys.
 *
 * Every change is written atomically: a temporary file in the same folder,
 * flushed to disk, then renamed over the old one, under an exclusive lock
 * on the file so that two operators cannot lose each other's change. All
 * other settings are kept; comments are not (libconfig drops them). */
#ifndef SYNDCTL_REGFILE_H
#define SYNDCTL_REGFILE_H

#include <stddef.h>

#include "synd/synd.h"

/* One key entry of the file. */
typedef struct regfile_key {
    char bank_id[64];
    char role[16];
    char public_key[SYND_KEY_LEN];
    int revoked;
    char added_at[40];   /* as the file says; "" when it does not */
    char revoked_at[40]; /* likewise */
    int line;
} regfile_key;

/* Reads every key entry of the file at path, in file order, into a new
 * array (free with free()). Returns 0, or -1 with st saying why (with the
 * file and line for a file that does not parse). */
int regfile_list(const char *path, regfile_key **keys, size_t *n, synd_status *st);

/* Adds public_key (Z85) for bank_id, which the file must list, in role,
 * noting added_at = now. Refuses a key the file already lists for anyone,
 * revoked or not (ALREADY_EXISTS), an unknown bank (NOT_FOUND), and a bad
 * role or key (INVALID_ARGUMENT). Returns 0, or -1 with st set. */
int regfile_add(const char *path, const char *bank_id, const char *role, const char *public_key,
                const char *now, synd_status *st);

/* Which keys a revocation names: one public key (then bank_id and role are
 * NULL), or every key of bank_id in role (then public_key is NULL). */
typedef struct regfile_match {
    const char *public_key;
    const char *bank_id;
    const char *role;
} regfile_match;

/* Marks every key m names revoked = true, with revoked_at = now, keeping
 * the entries. *matched (free with free()) gets each named key as it was
 * before: revoked already, or revoked now. Nothing named is NOT_FOUND.
 * The file is written only if some key changed. Returns 0, or -1. */
int regfile_revoke(const char *path, const regfile_match *m, const char *now, regfile_key **matched,
                   size_t *n, synd_status *st);

#endif
