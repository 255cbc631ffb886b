/* The audit trail: every state change and every refusal, with who, what
 * and when, in the Redis stream synd:audit. Refusals also go to the
 * supervisors' live feed as BLOCKED events.
 *
 * A record holds who (the caller's bank id and role, from its key; "synd"
 * and "system" for the broker itself), what (the method's short name,
 * "SubmitBid"), on what (the object the request names: see audit_object),
 * when (unix ms), the outcome (0, or the refusal's status code) and the
 * refusal's message. Appends are asynchronous; one that fails is logged as
 * an error, never dropped in silence. */
#ifndef SYND_SUPERVISE_AUDIT_H
#define SYND_SUPERVISE_AUDIT_H

#include <protobuf-c/protobuf-c.h>

#include "ledger/ledger.h"
#include "rpc/server.h"
#include "supervise/events.h"
#include "synd/status.h"

typedef struct audit audit;

/* The trail, written through l, with refusals emitted on e (both
 * borrowed). NULL if out of memory. */
audit *audit_new(ledger *l, events *e);
void audit_free(audit *a);

/* The rpc server's observer (rpc_server_set_observer, with the audit as
 * arg): records every call of a mutating method, whatever its outcome,
 * and every refused call (code != SYND_OK) of any method; each refusal is
 * also a BLOCKED event naming the bank, the method, the code, the message
 * (detail), the rule the message names, and the book or borrower when the
 * object is one. */
void audit_observe(void *arg, const rpc_call *c, synd_code code, const char *message);

/* Records a change no caller made, such as the clock closing a book:
 * who is "synd", role "system"; object is the book acted on (NULL: none).
 * A refusal (code != SYND_OK) is also a BLOCKED event, with bank "synd"
 * and the book. */
void audit_system(audit *a, const char *method, const char *object, synd_code code,
                  const char *detail);

/* What kind of object a request names. */
typedef enum audit_object_kind {
    AUDIT_OBJECT_NONE = 0,
    AUDIT_OBJECT_BOOK,     /* a book_id field */
    AUDIT_OBJECT_BORROWER, /* a borrower_code field, or a Borrower's code */
    AUDIT_OBJECT_BANK      /* a bank_id field */
} audit_object_kind;

/* The object a request acts on, found by protobuf-c reflection: the first
 * of the string fields book_id, borrower_code, code and bank_id that is
 * set (not empty) in m; failing that, the same search in each message
 * field set in m, in field order, depth first (at most four levels: an
 * OpenBookRequest gives its terms' borrower_code). Sets *id (pointing into
 * m) and returns the kind, or AUDIT_OBJECT_NONE with *id "". */
audit_object_kind audit_object(const ProtobufCMessage *m, const char **id);

/* Whether the full method name ("/synd.v1.Syndication/OpenBook") is one
 * that changes state, and so is recorded whatever its outcome. */
int audit_is_mutating(const char *method);

#endif
