/* The authorization matrix and its lookups. */
#include <stdio.h>
#include <string.h>

#include "rpc/authz.h"

/* The columns of ROW() are the roles in registry_role order. */
_Static_assert(ROLE_NONE == 0 && ROLE_LEAD == 1 && ROLE_PARTICIPANT == 2 && ROLE_SUPERVISOR == 3 &&
                   ROLE_OPERATOR == 4,
               "the matrix's columns follow registry_role");

#define ROW(method, anonymous, lead, participant, supervisor, operator)                            \
    {                                                                                              \
        method,                                                                                    \
        {                                                                                          \
            anonymous, lead, participant, supervisor, operator                                     \
        }                                                                                          \
    }

#define NO        AUTHZ_DENY
#define ANY       AUTHZ_ANY
#define OWN_BOOK  AUTHZ_OWN_BOOK
#define LEAD_READ AUTHZ_LEAD_READ
#define SELF      AUTHZ_SELF
#define READ_ALL  AUTHZ_READ_ALL
#define REGISTRY  AUTHZ_REGISTRY

/* Who may do what. A lead acts only on its own books; a participant bids,
 * withdraws and reads only as itself; a supervisor reads everything and
 * changes nothing; an operator keeps the registry and the borrowers'
 * limits. Health and reflection are open to every caller, and they are
 * all an anonymous (--insecure) caller may use. */
// clang-format off
static const authz_rule rules[] = {
    /*                                          anonymous lead       participant supervisor operator */
    ROW("/synd.v1.Health/Check",                 ANY, ANY,       ANY,  ANY,      ANY),
    ROW("/synd.v1.Health/Watch",                 ANY, ANY,       ANY,  ANY,      ANY),
    ROW("/synd.v1.Reflection/ListServices",      ANY, ANY,       ANY,  ANY,      ANY),
    ROW("/synd.v1.Reflection/ListMethods",       ANY, ANY,       ANY,  ANY,      ANY),
    ROW("/synd.v1.Reflection/WhoAmI",            ANY, ANY,       ANY,  ANY,      ANY),
    ROW("/synd.v1.Reflection/GetStats",          ANY, ANY,       ANY,  ANY,      ANY),
    ROW("/synd.v1.Syndication/OpenBook",         NO,  OWN_BOOK,  NO,   NO,       NO),
    ROW("/synd.v1.Syndication/CancelBook",       NO,  OWN_BOOK,  NO,   NO,       NO),
    ROW("/synd.v1.Syndication/CloseBook",        NO,  OWN_BOOK,  NO,   NO,       NO),
    ROW("/synd.v1.Syndication/GetBook",          NO,  LEAD_READ, SELF, READ_ALL, NO),
    ROW("/synd.v1.Syndication/SubmitBid",        NO,  NO,        SELF, NO,       NO),
    ROW("/synd.v1.Syndication/WithdrawBid",      NO,  NO,        SELF, NO,       NO),
    ROW("/synd.v1.Syndication/GetAllocation",    NO,  LEAD_READ, SELF, READ_ALL, NO),
    ROW("/synd.v1.Syndication/GetHeadroom",      NO,  SELF,      SELF, NO,       NO),
    ROW("/synd.v1.Syndication/RecordRepayment",  NO,  OWN_BOOK,  NO,   NO,       NO),
    ROW("/synd.v1.Syndication/WatchBooks",       NO,  LEAD_READ, SELF, NO,       NO),
    ROW("/synd.v1.Registry/PutBank",             NO,  NO,        NO,   NO,       REGISTRY),
    ROW("/synd.v1.Registry/PutBorrower",         NO,  NO,        NO,   NO,       REGISTRY),
    ROW("/synd.v1.Registry/ListBanks",           NO,  ANY,       ANY,  READ_ALL, REGISTRY),
    ROW("/synd.v1.Registry/ListBorrowers",       NO,  ANY,       ANY,  READ_ALL, REGISTRY),
    ROW("/synd.v1.Supervision/GetBorrowerExposure", NO, NO,      NO,   READ_ALL, NO),
    ROW("/synd.v1.Supervision/GetBankExposure",  NO,  NO,        NO,   READ_ALL, NO),
    ROW("/synd.v1.Supervision/TopConcentrations", NO, NO,        NO,   READ_ALL, NO),
    ROW("/synd.v1.Supervision/WatchSupervision", NO,  NO,        NO,   READ_ALL, NO),
    ROW("/synd.v1.Supervision/GetAuditLog",      NO,  NO,        NO,   READ_ALL, NO),
};
// clang-format on

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static const char *const scope_names[] = {"deny", "any",      "own_book", "lead_read",
                                          "self", "read_all", "registry"};

size_t authz_rule_count(void)
{
    return N_RULES;
}

const authz_rule *authz_rule_at(size_t i)
{
    return i < N_RULES ? &rules[i] : NULL;
}

const char *authz_scope_name(authz_scope scope)
{
    if ((unsigned)scope >= sizeof(scope_names) / sizeof(scope_names[0]))
        return "?";
    return scope_names[scope];
}

const authz_rule *authz_find(const char *method)
{
    for (size_t i = 0; i < N_RULES; i++) {
        if (strcmp(rules[i].method, method) == 0)
            return &rules[i];
    }
    return NULL;
}

authz_scope authz_scope_of(const char *method, registry_role role)
{
    const authz_rule *r = authz_find(method);

    if (r == NULL || (unsigned)role >= AUTHZ_N_ROLES)
        return AUTHZ_DENY;
    return r->scope[role];
}

int authz_sees_all(authz_scope scope, int is_lead)
{
    switch (scope) {
    case AUTHZ_ANY:
    case AUTHZ_READ_ALL:
        return 1;
    case AUTHZ_OWN_BOOK:
    case AUTHZ_LEAD_READ:
        return is_lead;
    default:
        return 0;
    }
}

/* The short name of a full method name: "OpenBook". */
static const char *short_name(const char *method)
{
    const char *slash = strrchr(method, '/');

    return slash ? slash + 1 : method;
}

/* Writes the roles of r that may call it, as "lead, participant or
 * supervisor", into out. Anonymous callers are not a role to ask for. */
static void allowed_roles(const authz_rule *r, char *out, size_t cap)
{
    size_t n = 0, k = 0, len = 0;

    for (int role = ROLE_LEAD; role < AUTHZ_N_ROLES; role++)
        n += r->scope[role] != AUTHZ_DENY;
    out[0] = '\0';
    for (int role = ROLE_LEAD; role < AUTHZ_N_ROLES && len < cap; role++) {
        if (r->scope[role] == AUTHZ_DENY)
            continue;
        k++;
        len += (size_t)snprintf(out + len, cap - len, "%s%s",
                                k == 1   ? ""
                                : k == n ? " or "
                                         : ", ",
                                registry_role_name((registry_role)role));
    }
}

synd_code authz_check(const char *method, const registry_identity *id, synd_status *st)
{
    const authz_rule *r = authz_find(method);
    char roles[96];

    if (r == NULL)
        return synd_status_set(st, SYND_PERMISSION_DENIED,
                               "%s is not in the broker's authorization table; no one may call it",
                               method);
    if ((unsigned)id->role < AUTHZ_N_ROLES && r->scope[id->role] != AUTHZ_DENY)
        return SYND_OK;
    allowed_roles(r, roles, sizeof(roles));
    if (roles[0] == '\0')
        return synd_status_set(st, SYND_PERMISSION_DENIED, "no role may call %s", method);
    if (id->role == ROLE_NONE)
        return synd_status_set(st, SYND_PERMISSION_DENIED,
                               "%s needs the %s role; this caller is anonymous (a broker run "
                               "with --insecure has no identities)",
                               short_name(method), roles);
    return synd_status_set(st, SYND_PERMISSION_DENIED, "%s needs the %s role; this key is %s %s",
                           short_name(method), roles, id->bank_id, registry_role_name(id->role));
}
