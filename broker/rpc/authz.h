/* The authorization matrix: the one statement of who may call what, and
 * on whose objects.
 *
 * Every method of every registered service has one row; each row gives,
 * for each role, the scope of objects that role may act on (or
 * AUTHZ_DENY). The server consults it before any handler runs: a role
 * whose cell is AUTHZ_DENY gets PERMISSION_DENIED, and so does every role
 * for a method without a row (deny by default, so a new method is closed
 * until it is added here). The scopes that need the object itself (is
 * this caller a lead of THIS book?) are enforced by the handlers, which
 * read the scope from this table. Pure code. */
#ifndef SYND_RPC_AUTHZ_H
#define SYND_RPC_AUTHZ_H

#include <stddef.h>

#include "registry.h"
#include "synd/status.h"

/* One column per registry_role, ROLE_NONE first: the anonymous caller of
 * an --insecure broker, which has no identities. */
#define AUTHZ_N_ROLES (ROLE_OPERATOR + 1)

typedef enum authz_scope {
    AUTHZ_DENY = 0,  /* the role may not call the method at all */
    AUTHZ_ANY,       /* any object: health, reflection, public directories */
    AUTHZ_OWN_BOOK,  /* only books the caller is a lead of; others are refused */
    AUTHZ_LEAD_READ, /* every line of the books it leads, only its own of any other */
    AUTHZ_SELF,      /* only as itself: its own bids, shares and headroom */
    AUTHZ_READ_ALL,  /* every bank's objects, read only */
    AUTHZ_REGISTRY   /* the bank and borrower registry and its limits */
} authz_scope;

typedef struct authz_rule {
    const char *method;               /* full name, "/synd.v1.Syndication/OpenBook" */
    authz_scope scope[AUTHZ_N_ROLES]; /* indexed by registry_role */
} authz_rule;

/* The row of a full method name, or NULL if it has none. */
const authz_rule *authz_find(const char *method);

/* The scope of role on method: AUTHZ_DENY for a method without a row or
 * a role outside the table. */
authz_scope authz_scope_of(const char *method, registry_role role);

/* Whether the caller id may call method at all. Returns SYND_OK, or
 * SYND_PERMISSION_DENIED with st saying which roles may, and who the
 * caller is: "OpenBook needs the lead role; this key is BOC-SH
 * participant". */
synd_code authz_check(const char *method, const registry_identity *id, synd_status *st);

/* Whether a caller whose scope on a book is scope may see every bank's
 * lines of it, being a lead of it (is_lead) or not. */
int authz_sees_all(authz_scope scope, int is_lead);

/* The rows, in table order, for listings and tests. */
size_t authz_rule_count(void);
const authz_rule *authz_rule_at(size_t i);

/* "deny", "any", "own_book", "lead_read", "self", "read_all", "registry". */
const char *authz_scope_name(authz_scope scope);

#endif
