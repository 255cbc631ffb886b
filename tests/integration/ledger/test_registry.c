/* The bank and borrower registry in a real Redis. */
#include <string.h>

#include <criterion/criterion.h>

#include "fixture.h"

#define ICBC_NAME "中国工商银行"

TestSuite(ledger_registry, .init = fx_start, .fini = fx_stop, .timeout = 60);

/* Puts a bank and asserts the stored record comes back. */
static void put_bank(const char *id, const char *name, int64_t net, int64_t tier1)
{
    const ledger_bank b = {id, name, net, tier1};
    const ledger_result *r = CALL(ledger_bank_put, &b);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_str_eq(r->bank->bank_id, id);
    cr_assert_str_eq(r->bank->name, name);
    cr_assert_eq(r->bank->net_capital_fen, net);
    cr_assert_eq(r->bank->tier1_capital_fen, tier1);
}

/* Puts a borrower and returns the group it was stored with. */
static const char *put_borrower(const char *code, const char *group, int64_t limit)
{
    const ledger_borrower b = {code, "Fujian Haixi Steel", group, limit};
    const ledger_result *r = CALL(ledger_borrower_put, &b);

    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_str_eq(r->borrower->code, code);
    cr_assert_eq(r->borrower->joint_limit_fen, limit);
    return r->borrower->group;
}

Test(ledger_registry, banks_put_get_and_list)
{
    const ledger_result *r;

    put_bank("ICBC", ICBC_NAME, INT64_C(450000000000000), INT64_C(380000000000000));
    put_bank("BOC", "Bank of China", 300, 200);
    put_bank("BOC", "Bank of China", 400, 400); /* replaces */

    r = CALL(ledger_bank_get, "ICBC");
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_str_eq(r->bank->name, ICBC_NAME);
    cr_assert_eq(r->bank->tier1_capital_fen, INT64_C(380000000000000));

    r = CALL0(ledger_banks_list);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->n_items, 2);
    cr_assert_str_eq(r->banks[0].bank_id, "BOC"); /* sorted by id */
    cr_assert_eq(r->banks[0].net_capital_fen, 400);
    cr_assert_str_eq(r->banks[1].bank_id, "ICBC");
    cr_assert_str_eq(r->banks[1].name, ICBC_NAME);
}

Test(ledger_registry, an_unknown_bank_is_not_found)
{
    const ledger_result *r = CALL(ledger_bank_get, "NOPE");

    cr_assert_eq(r->code, SYND_NOT_FOUND);
    cr_assert_str_eq(r->message, "bank NOPE is not in the registry");
    cr_assert_null(r->bank);
    r = CALL0(ledger_banks_list);
    cr_assert_eq(r->code, SYND_OK);
    cr_assert_eq(r->n_items, 0);
}

Test(ledger_registry, a_bank_with_more_tier1_than_net_capital_is_refused)
{
    const ledger_bank b = {"BOC", "Bank of China", 100, 101};
    const ledger_result *r = CALL(ledger_bank_put, &b);

    cr_assert_eq(r->code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(r->message, "(rule: tier-1 is part of net capital)"), "%s",
                       r->message);
    cr_assert_eq(fx_redis("DBSIZE")->integer, 0);
}

Test(ledger_registry, borrowers_with_a_group_or_a_group_of_one)
{
    const ledger_result *r;

    cr_assert_str_eq(put_borrower("91350100M000100Y00", "", 0), "91350100M000100Y00");
    cr_assert_str_eq(put_borrower("91110000100000000A", "G-SINOCHEM", INT64_C(5000000000000)),
                     "G-SINOCHEM");

    r = CALL(ledger_borrower_get, "91350100M000100Y00");
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_str_eq(r->borrower->name, "Fujian Haixi Steel");
    cr_assert_str_eq(r->borrower->group, "91350100M000100Y00");
    cr_assert_eq(r->borrower->joint_limit_fen, 0);

    r = CALL0(ledger_borrowers_list);
    cr_assert_eq(r->code, SYND_OK, "%s", r->message);
    cr_assert_eq(r->n_items, 2);
    cr_assert_str_eq(r->borrowers[0].code, "91110000100000000A");
    cr_assert_str_eq(r->borrowers[0].group, "G-SINOCHEM");
    cr_assert_eq(r->borrowers[0].joint_limit_fen, INT64_C(5000000000000));
    cr_assert_str_eq(r->borrowers[1].group, "91350100M000100Y00");

    r = CALL(ledger_borrower_get, "91000000000000000X");
    cr_assert_eq(r->code, SYND_NOT_FOUND);
    cr_assert_null(r->borrower);
}

Test(ledger_registry, a_borrower_with_a_negative_limit_is_refused)
{
    const ledger_borrower b = {"91350100M000100Y00", "Fujian Haixi Steel", "", -1};
    const ledger_result *r = CALL(ledger_borrower_put, &b);

    cr_assert_eq(r->code, SYND_INVALID_ARGUMENT);
    cr_assert_not_null(strstr(r->message, "joint_limit_fen -1"), "%s", r->message);
    cr_assert_eq(fx_redis("DBSIZE")->integer, 0);
}
