/* Unit tests of the authorization matrix (broker/rpc/authz.c): that it
 * has exactly one row for every method of every service the broker
 * serves, the policy its rows state, and the refusals' messages. */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rpc/authz.h"
#include "supervise/audit.h"
#include "synd/v1/health.pb-c.h"
#include "synd/v1/reflection.pb-c.h"
#include "synd/v1/registry.pb-c.h"
#include "synd/v1/supervision.pb-c.h"
#include "synd/v1/syndication.pb-c.h"

/* Every service the broker registers (broker/main.c). */
static const ProtobufCServiceDescriptor *const services[] = {
    &synd__v1__health__descriptor,      &synd__v1__reflection__descriptor,
    &synd__v1__syndication__descriptor, &synd__v1__registry__descriptor,
    &synd__v1__supervision__descriptor,
};

#define N_SERVICES (sizeof(services) / sizeof(services[0]))

static registry_identity who(const char *bank, registry_role role)
{
    registry_identity id = {.role = role};

    strncpy(id.bank_id, bank, sizeof(id.bank_id) - 1);
    return id;
}

static void full_name(const ProtobufCServiceDescriptor *d, unsigned m, char *out, size_t cap)
{
    snprintf(out, cap, "/%s/%s", d->name, d->methods[m].name);
}

Test(authz, every_method_of_every_service_has_exactly_one_row)
{
    size_t methods = 0;
    char name[256];

    for (size_t i = 0; i < N_SERVICES; i++) {
        for (unsigned m = 0; m < services[i]->n_methods; m++) {
            full_name(services[i], m, name, sizeof(name));
            cr_expect_not_null(authz_find(name), "%s has no row: it would be refused to all", name);
            methods++;
        }
    }
    cr_expect_eq(authz_rule_count(), methods, "%zu rows for %zu methods", authz_rule_count(),
                 methods);
    for (size_t i = 0; i < authz_rule_count(); i++) {
        for (size_t j = 0; j < i; j++)
            cr_expect_str_neq(authz_rule_at(i)->method, authz_rule_at(j)->method);
    }
    cr_expect_null(authz_rule_at(authz_rule_count()));
}

Test(authz, every_row_names_a_served_method_and_lets_some_role_call_it)
{
    for (size_t r = 0; r < authz_rule_count(); r++) {
        const authz_rule *rule = authz_rule_at(r);
        int served = 0, open = 0;
        char name[256];

        for (size_t i = 0; i < N_SERVICES && !served; i++) {
            for (unsigned m = 0; m < services[i]->n_methods && !served; m++) {
                full_name(services[i], m, name, sizeof(name));
                served = strcmp(name, rule->method) == 0;
            }
        }
        for (int role = ROLE_LEAD; role < AUTHZ_N_ROLES; role++)
            open += rule->scope[role] != AUTHZ_DENY;
        cr_expect(served, "row %s names no method the broker serves", rule->method);
        cr_expect_gt(open, 0, "no role may call %s", rule->method);
    }
}

/* Anonymous callers (an --insecure broker) reach health and reflection,
 * which every role reaches too, and nothing else. */
Test(authz, health_and_reflection_are_open_and_all_an_anonymous_caller_gets)
{
    for (size_t r = 0; r < authz_rule_count(); r++) {
        const authz_rule *rule = authz_rule_at(r);
        int open = strncmp(rule->method, "/synd.v1.Health/", 16) == 0 ||
                   strncmp(rule->method, "/synd.v1.Reflection/", 20) == 0;

        for (int role = ROLE_NONE; role < AUTHZ_N_ROLES; role++) {
            if (open)
                cr_expect_eq(rule->scope[role], AUTHZ_ANY, "%s for %s", rule->method,
                             registry_role_name((registry_role)role));
            else if (role == ROLE_NONE)
                cr_expect_eq(rule->scope[role], AUTHZ_DENY, "%s is open to anonymous callers",
                             rule->method);
        }
    }
}

/* A supervisor changes nothing; an operator changes only the registry;
 * only leads and participants act on books, on their own. */
Test(authz, who_may_change_state)
{
    for (size_t r = 0; r < authz_rule_count(); r++) {
        const authz_rule *rule = authz_rule_at(r);

        if (!audit_is_mutating(rule->method))
            continue;
        cr_expect_eq(rule->scope[ROLE_SUPERVISOR], AUTHZ_DENY, "a supervisor may call %s",
                     rule->method);
        if (strncmp(rule->method, "/synd.v1.Registry/", 18) == 0) {
            cr_expect_eq(rule->scope[ROLE_OPERATOR], AUTHZ_REGISTRY, "%s", rule->method);
            cr_expect_eq(rule->scope[ROLE_LEAD], AUTHZ_DENY, "%s", rule->method);
            cr_expect_eq(rule->scope[ROLE_PARTICIPANT], AUTHZ_DENY, "%s", rule->method);
        } else {
            cr_expect_eq(rule->scope[ROLE_OPERATOR], AUTHZ_DENY, "an operator may call %s",
                         rule->method);
            cr_expect(rule->scope[ROLE_LEAD] == AUTHZ_OWN_BOOK ||
                          rule->scope[ROLE_LEAD] == AUTHZ_DENY,
                      "a lead acts on %s beyond its own books", rule->method);
            cr_expect(rule->scope[ROLE_PARTICIPANT] == AUTHZ_SELF ||
                          rule->scope[ROLE_PARTICIPANT] == AUTHZ_DENY,
                      "a participant acts on %s beyond itself", rule->method);
        }
    }
}

Test(authz, scopes_of_the_book_methods)
{
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/OpenBook", ROLE_LEAD), AUTHZ_OWN_BOOK);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/CloseBook", ROLE_LEAD), AUTHZ_OWN_BOOK);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/GetBook", ROLE_LEAD), AUTHZ_LEAD_READ);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/GetBook", ROLE_PARTICIPANT), AUTHZ_SELF);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/GetBook", ROLE_SUPERVISOR), AUTHZ_READ_ALL);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/GetBook", ROLE_OPERATOR), AUTHZ_DENY);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/SubmitBid", ROLE_PARTICIPANT), AUTHZ_SELF);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/SubmitBid", ROLE_LEAD), AUTHZ_DENY);
    cr_expect_eq(authz_scope_of("/synd.v1.Supervision/GetAuditLog", ROLE_SUPERVISOR),
                 AUTHZ_READ_ALL);
    cr_expect_eq(authz_scope_of("/synd.v1.Registry/PutBank", ROLE_OPERATOR), AUTHZ_REGISTRY);
    cr_expect_eq(authz_scope_of("/synd.v1.Registry/ListBanks", ROLE_PARTICIPANT), AUTHZ_ANY);
    cr_expect_eq(authz_scope_of("/synd.v1.Syndication/GetBook", (registry_role)99), AUTHZ_DENY);
}

/* Deny by default: a method without a row is refused to every role. */
Test(authz, a_method_without_a_row_is_refused_to_all)
{
    synd_status st;

    cr_expect_null(authz_find("/synd.v1.Syndication/DeleteEverything"));
    for (int role = ROLE_NONE; role < AUTHZ_N_ROLES; role++) {
        registry_identity id = who("ICBC", (registry_role)role);

        cr_expect_eq(authz_scope_of("/synd.v1.Syndication/DeleteEverything", (registry_role)role),
                     AUTHZ_DENY);
        cr_expect_eq(authz_check("/synd.v1.Syndication/DeleteEverything", &id, &st),
                     SYND_PERMISSION_DENIED);
        cr_expect(strstr(st.message, "not in the broker's authorization table") != NULL, "%s",
                  st.message);
    }
}

Test(authz, refusals_name_the_roles_needed_and_the_caller)
{
    registry_identity boc = who("BOC-SH", ROLE_PARTICIPANT), ops = who("SYND_OPS", ROLE_OPERATOR),
                      nfra = who("NFRA", ROLE_SUPERVISOR), anon = who("", ROLE_NONE),
                      icbc = who("ICBC", ROLE_LEAD);
    synd_status st;

    cr_assert_eq(authz_check("/synd.v1.Syndication/OpenBook", &boc, &st), SYND_PERMISSION_DENIED);
    cr_expect_str_eq(st.message, "OpenBook needs the lead role; this key is BOC-SH participant");
    cr_assert_eq(authz_check("/synd.v1.Syndication/GetBook", &ops, &st), SYND_PERMISSION_DENIED);
    cr_expect_str_eq(st.message, "GetBook needs the lead, participant or supervisor role; this "
                                 "key is SYND_OPS operator");
    cr_assert_eq(authz_check("/synd.v1.Syndication/GetHeadroom", &nfra, &st),
                 SYND_PERMISSION_DENIED);
    cr_expect_str_eq(st.message,
                     "GetHeadroom needs the lead or participant role; this key is NFRA supervisor");
    cr_assert_eq(authz_check("/synd.v1.Supervision/GetAuditLog", &anon, &st),
                 SYND_PERMISSION_DENIED);
    cr_expect(
        strstr(st.message, "GetAuditLog needs the supervisor role; this caller is anonymous") ==
            st.message,
        "%s", st.message);
    cr_expect_eq(authz_check("/synd.v1.Syndication/OpenBook", &icbc, &st), SYND_OK);
    cr_expect_eq(authz_check("/synd.v1.Health/Check", &anon, &st), SYND_OK);
    cr_expect_eq(authz_check("/synd.v1.Registry/ListBanks", &nfra, &st), SYND_OK);
}

Test(authz, who_sees_every_line_of_a_book)
{
    cr_expect(authz_sees_all(AUTHZ_READ_ALL, 0));
    cr_expect(authz_sees_all(AUTHZ_ANY, 0));
    cr_expect(authz_sees_all(AUTHZ_LEAD_READ, 1));
    cr_expect_not(authz_sees_all(AUTHZ_LEAD_READ, 0));
    cr_expect(authz_sees_all(AUTHZ_OWN_BOOK, 1));
    cr_expect_not(authz_sees_all(AUTHZ_OWN_BOOK, 0));
    cr_expect_not(authz_sees_all(AUTHZ_SELF, 0));
    cr_expect_not(authz_sees_all(AUTHZ_SELF, 1));
    cr_expect_not(authz_sees_all(AUTHZ_DENY, 1));
    cr_expect_not(authz_sees_all(AUTHZ_REGISTRY, 0));
}

Test(authz, scope_names)
{
    cr_expect_str_eq(authz_scope_name(AUTHZ_DENY), "deny");
    cr_expect_str_eq(authz_scope_name(AUTHZ_OWN_BOOK), "own_book");
    cr_expect_str_eq(authz_scope_name(AUTHZ_LEAD_READ), "lead_read");
    cr_expect_str_eq(authz_scope_name(AUTHZ_REGISTRY), "registry");
    cr_expect_str_eq(authz_scope_name((authz_scope)42), "?");
}
