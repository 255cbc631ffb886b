/* synd.v1.Syndication: books opened by leads, bids from participants'
 * systems, closes by the lead or the clock, allocation and its record.
 *
 * The server lets a caller in by the authorization matrix (rpc/authz.h);
 * handlers check the matrix's scope on the book (a lead acts on its own
 * books) and the rules first (syndication/checks.h), then make one
 * ledger call (a Redis function) and answer when Redis has the change:
 * a bid is acknowledged only once Redis holds it. At start, and again
 * whenever Redis comes back empty-handed, the registry file is written to
 * Redis and every book is reloaded with its close timer. */
#ifndef SYND_SYNDICATION_H
#define SYND_SYNDICATION_H

#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "book/terms.h"
#include "ledger/ledger.h"
#include "registry.h"
#include "supervise/audit.h"
#include "supervise/events.h"

typedef struct syndication syndication;

/* Creates the service. Everything passed is borrowed; reg may be NULL
 * (insecure mode has no registry file). Exposure changes and alerts go
 * to ev, and what the clock does to the audit trail au. */
syndication *syndication_new(ledger *l, const registry *reg, const book_rules *rules, events *ev,
                             audit *au);

/* Frees the service. Close the server and the ledger first. */
void syndication_free(syndication *s);

ProtobufCService *syndication_service(syndication *s);

/* synd.v1.Registry, the bank and borrower directory, in directory.c. */
ProtobufCService *syndication_directory(syndication *s);

/* Tells the service Redis is up: it (re)loads the registry and books. */
void syndication_on_ledger_up(syndication *s);

/* Closes books whose time has come and retries unfinished settlements.
 * Returns the ms until it next needs to run, or -1. */
int64_t syndication_tick(syndication *s, int64_t now_ms);

#endif
