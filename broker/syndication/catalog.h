/* The broker's in-memory index of books: which group each book's keys
 * live under, its terms, state and close time. Redis stays the source of
 * truth; the catalog is rebuilt from it at start and kept in step with
 * every change the ledger confirms. It is what the close timers and the
 * WatchBooks filters read. */
#ifndef SYND_SYNDICATION_CATALOG_H
#define SYND_SYNDICATION_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "book/state.h"
#include "book/terms.h"
#include "synd/status.h"
#include "synd/v1/syndication.pb-c.h"

typedef struct catalog catalog;

typedef struct catalog_book {
    char id[32];
    char group[64];
    char lead[BOOK_MAX_ID];
    book_state state;
    int64_t opened_ms;
    book_terms terms;          /* converted and checked */
    Synd__V1__BookTerms *wire; /* as stored, defaults filled; owned */
    int busy;                  /* a close, settle or cancel is in flight */
    int64_t next_try_ms;       /* after a failed close or settle, when to retry */
} catalog_book;

catalog *catalog_new(void);

/* Frees the catalog and every book in it. */
void catalog_free(catalog *c);

/* Adds a book, taking ownership of wire (freed on failure too). Books are
 * never removed, so the pointer returned stays valid until catalog_free.
 * Returns NULL with the reason in st if the terms do not convert or the
 * catalog is out of memory. */
catalog_book *catalog_add(catalog *c, const char *id, const char *group, const char *lead,
                          book_state state, int64_t opened_ms, Synd__V1__BookTerms *wire,
                          const book_rules *rules, synd_status *st);

/* The book with this id, or NULL. */
catalog_book *catalog_find(const catalog *c, const char *id);

size_t catalog_count(const catalog *c);
catalog_book *catalog_at(const catalog *c, size_t i);

/* Fills a wire Book for b (no bids); it points into b. */
void catalog_wire_book(const catalog_book *b, Synd__V1__Book *out);

#endif
