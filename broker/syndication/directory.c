/* synd.v1.Registry: the bank and borrower directory in Redis. Operators
 * change it; every authenticated caller may read it. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "syndication/checks.h"
#include "syndication/internal.h"

static syndication *from_dir(Synd__V1__Registry_Service *dir)
{
    return (syndication *)((char *)dir - offsetof(syndication, dir));
}

static void wire_bank(const ledger_bank *in, Synd__V1__Bank *out)
{
    synd__v1__bank__init(out);
    out->bank_id = (char *)in->bank_id;
    out->name = (char *)in->name;
    out->net_capital_fen = in->net_capital_fen;
    out->tier1_capital_fen = in->tier1_capital_fen;
}

static void wire_borrower(const ledger_borrower *in, Synd__V1__Borrower *out)
{
    synd__v1__borrower__init(out);
    out->code = (char *)in->code;
    out->name = (char *)in->name;
    out->group_id = (char *)in->group;
    out->joint_limit_fen = in->joint_limit_fen;
}

static void on_bank(void *arg, const ledger_result *r)
{
    Synd__V1__Bank out;

    if (r->code != SYND_OK) {
        rpc_call_finish(arg, r->code, "%s", r->message);
        return;
    }
    wire_bank(r->bank, &out);
    rpc_call_reply(arg, &out.base);
}

static void put_bank(Synd__V1__Registry_Service *dir, const Synd__V1__Bank *in,
                     Synd__V1__Bank_Closure closure, void *data)
{
    ledger_bank b = {in->bank_id, in->name, in->net_capital_fen, in->tier1_capital_fen};
    synd_status st;

    if (syndication_check_bank(in, &st) != SYND_OK) {
        rpc_call_finish(data, st.code, "%s", st.message);
        return;
    }
    if (ledger_bank_put(from_dir(dir)->l, &b, on_bank, data) != 0)
        syndication_unavailable(data);
}

/* A PutBorrower in flight: its call and the borrower's use before it. */
typedef struct put {
    syndication *s;
    rpc_call *call;
    int64_t used_fen;
} put;

/* A joint limit set below what the borrower already uses is allowed, but
 * supervisors are alerted; new lending is then blocked by the limit. */
static void alert_below_use(const put *p, const Synd__V1__Borrower *b)
{
    Synd__V1__SupervisionEvent ev = SYND__V1__SUPERVISION_EVENT__INIT;
    limit_alert alert;

    if (!limit_below_use(p->used_fen, b->joint_limit_fen, &alert))
        return;
    ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__ALERT;
    ev.bank_id = (char *)rpc_call_identity(p->call)->bank_id;
    ev.borrower_code = b->code;
    ev.group_id = b->group_id[0] ? b->group_id : b->code;
    ev.exposure_fen = alert.exposure_fen;
    ev.threshold_fen = alert.threshold_fen;
    ev.limit_fen = alert.base_fen;
    ev.rule = alert.rule;
    events_emit(p->s->ev, &ev);
}

static void on_borrower(void *arg, const ledger_result *r)
{
    put *p = arg;
    Synd__V1__Borrower out;

    if (r->code != SYND_OK) {
        rpc_call_finish(p->call, r->code, "%s", r->message);
    } else {
        alert_below_use(p, (const Synd__V1__Borrower *)rpc_call_input(p->call));
        wire_borrower(r->borrower, &out);
        rpc_call_reply(p->call, &out.base);
    }
    free(p);
}

/* Reads the borrower's use, then stores it. */
static void on_use(void *arg, const ledger_result *r)
{
    put *p = arg;
    const Synd__V1__Borrower *in = (const Synd__V1__Borrower *)rpc_call_input(p->call);
    ledger_borrower b = {in->code, in->name, in->group_id[0] ? in->group_id : in->code,
                         in->joint_limit_fen};

    if (r->code != SYND_OK) {
        rpc_call_finish(p->call, r->code, "%s", r->message);
        free(p);
        return;
    }
    p->used_fen = r->positions->borrower_total_fen;
    if (ledger_borrower_put(p->s->l, &b, on_borrower, p) != 0) {
        syndication_unavailable(p->call);
        free(p);
    }
}

static void put_borrower(Synd__V1__Registry_Service *dir, const Synd__V1__Borrower *in,
                         Synd__V1__Borrower_Closure closure, void *data)
{
    const char *group = in->group_id[0] ? in->group_id : in->code;
    synd_status st;
    put *p;

    if (syndication_check_borrower(in, &st) != SYND_OK) {
        rpc_call_finish(data, st.code, "%s", st.message);
        return;
    }
    if ((p = calloc(1, sizeof(*p))) == NULL) {
        rpc_call_finish(data, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
        return;
    }
    p->s = from_dir(dir);
    p->call = data;
    if (ledger_positions_get(p->s->l, group, in->code, NULL, 0, on_use, p) != 0) {
        syndication_unavailable(data);
        free(p);
    }
}

static void on_banks(void *arg, const ledger_result *r)
{
    Synd__V1__ListBanksResponse out = SYND__V1__LIST_BANKS_RESPONSE__INIT;
    Synd__V1__Bank *banks = calloc(r->n_items + 1, sizeof(*banks));
    Synd__V1__Bank **ptrs = calloc(r->n_items + 1, sizeof(*ptrs));

    if (r->code != SYND_OK)
        rpc_call_finish(arg, r->code, "%s", r->message);
    else if (banks == NULL || ptrs == NULL)
        rpc_call_finish(arg, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    else {
        for (size_t i = 0; i < r->n_items; i++) {
            wire_bank(&r->banks[i], &banks[i]);
            ptrs[i] = &banks[i];
        }
        out.n_banks = r->n_items;
        out.banks = ptrs;
        rpc_call_reply(arg, &out.base);
    }
    free(banks);
    free(ptrs);
}

static void list_banks(Synd__V1__Registry_Service *dir, const Synd__V1__ListBanksRequest *in,
                       Synd__V1__ListBanksResponse_Closure closure, void *data)
{
    if (ledger_banks_list(from_dir(dir)->l, on_banks, data) != 0)
        syndication_unavailable(data);
}

static void on_borrowers(void *arg, const ledger_result *r)
{
    Synd__V1__ListBorrowersResponse out = SYND__V1__LIST_BORROWERS_RESPONSE__INIT;
    Synd__V1__Borrower *list = calloc(r->n_items + 1, sizeof(*list));
    Synd__V1__Borrower **ptrs = calloc(r->n_items + 1, sizeof(*ptrs));

    if (r->code != SYND_OK)
        rpc_call_finish(arg, r->code, "%s", r->message);
    else if (list == NULL || ptrs == NULL)
        rpc_call_finish(arg, SYND_RESOURCE_EXHAUSTED, "broker out of memory");
    else {
        for (size_t i = 0; i < r->n_items; i++) {
            wire_borrower(&r->borrowers[i], &list[i]);
            ptrs[i] = &list[i];
        }
        out.n_borrowers = r->n_items;
        out.borrowers = ptrs;
        rpc_call_reply(arg, &out.base);
    }
    free(list);
    free(ptrs);
}

static void list_borrowers(Synd__V1__Registry_Service *dir,
                           const Synd__V1__ListBorrowersRequest *in,
                           Synd__V1__ListBorrowersResponse_Closure closure, void *data)
{
    if (ledger_borrowers_list(from_dir(dir)->l, on_borrowers, data) != 0)
        syndication_unavailable(data);
}

ProtobufCService *syndication_directory(syndication *s)
{
    synd__v1__registry__init(&s->dir, NULL);
    s->dir.put_bank = put_bank;
    s->dir.put_borrower = put_borrower;
    s->dir.list_banks = list_banks;
    s->dir.list_borrowers = list_borrowers;
    return &s->dir.base;
}
