/* The audit trail and the BLOCKED events of the live feed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/books.h"
#include "log.h"
#include "registry.h"
#include "rpc/envelope.h"
#include "supervise/audit.h"

#define OBJECT_DEPTH 4   /* how deep audit_object() looks into a request */
#define RULE_MAX     128 /* the rule a refusal's message names */

struct audit {
    ledger *l;
    events *e;
};

/* The methods that change state: each call is recorded, done or refused.
 * Every other method is recorded only when it is refused. */
static const char *const mutating_methods[] = {
    "/synd.v1.Syndication/OpenBook",
    "/synd.v1.Syndication/CancelBook",
    "/synd.v1.Syndication/CloseBook",
    "/synd.v1.Syndication/SubmitBid",
    "/synd.v1.Syndication/WithdrawBid",
    "/synd.v1.Syndication/RecordRepayment",
    "/synd.v1.Registry/PutBank",
    "/synd.v1.Registry/PutBorrower",
    NULL,
};

/* The fields that name an object, in the order they are looked for.
 * "code" is the key of a synd.v1.Borrower (PutBorrower's request). */
static const struct {
    const char *field;
    audit_object_kind kind;
} object_fields[] = {
    {"book_id", AUDIT_OBJECT_BOOK},
    {"borrower_code", AUDIT_OBJECT_BORROWER},
    {"code", AUDIT_OBJECT_BORROWER},
    {"bank_id", AUDIT_OBJECT_BANK},
};

audit *audit_new(ledger *l, events *e)
{
    audit *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->l = l;
    a->e = e;
    return a;
}

void audit_free(audit *a)
{
    free(a);
}

int audit_is_mutating(const char *method)
{
    for (const char *const *p = mutating_methods; *p; p++) {
        if (strcmp(*p, method) == 0)
            return 1;
    }
    return 0;
}

/* Whether field f of m holds a value: a member of a oneof only when it is
 * the one chosen. */
static int field_chosen(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    if (!(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return 1;
    return *(const uint32_t *)((const char *)m + f->quantifier_offset) == f->id;
}

/* The value of m's singular string field named name, if set and not empty. */
static const char *string_field(const ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
    const char *s;

    if (f == NULL || f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED ||
        !field_chosen(m, f))
        return NULL;
    s = *(const char *const *)((const char *)m + f->offset);
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static audit_object_kind find_object(const ProtobufCMessage *m, int depth, const char **id)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;

    for (size_t i = 0; i < sizeof(object_fields) / sizeof(object_fields[0]); i++) {
        if ((*id = string_field(m, object_fields[i].field)) != NULL)
            return object_fields[i].kind;
    }
    if (depth + 1 >= OBJECT_DEPTH)
        return AUDIT_OBJECT_NONE;
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const ProtobufCMessage *sub;
        audit_object_kind kind;

        if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED ||
            !field_chosen(m, f))
            continue;
        sub = *(const ProtobufCMessage *const *)((const char *)m + f->offset);
        if (sub != NULL && (kind = find_object(sub, depth + 1, id)) != AUDIT_OBJECT_NONE)
            return kind;
    }
    return AUDIT_OBJECT_NONE;
}

audit_object_kind audit_object(const ProtobufCMessage *m, const char **id)
{
    audit_object_kind kind = m != NULL ? find_object(m, 0, id) : AUDIT_OBJECT_NONE;

    if (kind == AUDIT_OBJECT_NONE)
        *id = "";
    return kind;
}

/* The short name of a full method name: "/synd.v1.Syndication/OpenBook"
 * gives "OpenBook". */
static const char *short_name(const char *method)
{
    const char *slash = strrchr(method, '/');

    return slash ? slash + 1 : method;
}

/* The rule a refusal's message names, as "(rule: X)", into out; "" if
 * it names none. */
static void rule_of(const char *message, char out[RULE_MAX])
{
    const char *at = strstr(message, "(rule: ");
    const char *end;
    size_t n;

    out[0] = '\0';
    if (at == NULL)
        return;
    at += strlen("(rule: ");
    if ((end = strchr(at, ')')) == NULL)
        return;
    n = (size_t)(end - at) < RULE_MAX - 1 ? (size_t)(end - at) : RULE_MAX - 1;
    memcpy(out, at, n);
    out[n] = '\0';
}

/* Reports an append Redis refused; what describes the record (owned). */
static void on_appended(void *arg, const ledger_result *r)
{
    char *what = arg;

    if (r->code != SYND_OK)
        log_error("audit trail: cannot record %s: %s: %s", what ? what : "a record",
                  synd_code_name(r->code), r->message);
    free(what);
}

/* Appends one record; a failure is logged, now or when Redis answers. */
static void record(audit *a, const char *bank, const char *role, const char *method,
                   const char *object, synd_code code, const char *detail)
{
    ledger_audit rec = {.time_ms = rpc_now_ms(),
                        .bank_id = bank,
                        .role = role,
                        .method = method,
                        .object = object,
                        .code = (int32_t)code,
                        .detail = detail};
    char what[512];
    char *copy;

    snprintf(what, sizeof(what), "%s by %s/%s on '%s' (%s%s%s)", method, bank, role, object,
             synd_code_name(code), detail[0] ? ": " : "", detail);
    copy = strdup(what);
    if (ledger_audit_append(a->l, &rec, on_appended, copy) != 0) {
        log_error("audit trail: cannot record %s: redis is not available", what);
        free(copy);
    }
}

/* Tells supervisors of a refused attempt. */
static void blocked(audit *a, const char *bank, const char *method, audit_object_kind kind,
                    const char *object, synd_code code, const char *message)
{
    Synd__V1__SupervisionEvent ev = SYND__V1__SUPERVISION_EVENT__INIT;
    char rule[RULE_MAX];

    rule_of(message, rule);
    ev.kind = SYND__V1__SUPERVISION_EVENT__KIND__BLOCKED;
    ev.bank_id = (char *)bank;
    ev.method = (char *)method;
    ev.code = (int32_t)code;
    ev.detail = (char *)message;
    ev.rule = rule;
    if (kind == AUDIT_OBJECT_BOOK)
        ev.book_id = (char *)object;
    else if (kind == AUDIT_OBJECT_BORROWER)
        ev.borrower_code = (char *)object;
    events_emit(a->e, &ev);
}

void audit_observe(void *arg, const rpc_call *c, synd_code code, const char *message)
{
    audit *a = arg;
    const char *method = rpc_call_method(c);
    const registry_identity *id = rpc_call_identity(c);
    const char *bank = id->bank_id[0] ? id->bank_id : "anonymous";
    const char *object;
    audit_object_kind kind;

    if (code == SYND_OK && !audit_is_mutating(method))
        return;
    kind = audit_object(rpc_call_input(c), &object);
    record(a, bank, registry_role_name(id->role), short_name(method), object, code, message);
    if (code != SYND_OK)
        blocked(a, bank, short_name(method), kind, object, code, message);
}

void audit_system(audit *a, const char *method, const char *object, synd_code code,
                  const char *detail)
{
    const char *obj = object ? object : "";

    record(a, "synd", "system", method, obj, code, detail ? detail : "");
    if (code != SYND_OK)
        blocked(a, "synd", method, obj[0] ? AUDIT_OBJECT_BOOK : AUDIT_OBJECT_NONE, obj, code,
                detail ? detail : "");
}
