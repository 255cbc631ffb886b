/* The life of a book:
 *
 *   OPEN --close--> CLOSED --allocate--> ALLOCATED
 *     |                 \---fail-----> FAILED
 *     \--cancel--> CANCELLED
 *
 * A lead closes its book early or the clock closes it at its close time; a
 * lead cancels only before the close time. ALLOCATED, FAILED and CANCELLED
 * are final. */
#ifndef SYND_BOOK_STATE_H
#define SYND_BOOK_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "synd/status.h"

typedef enum book_state {
    BOOK_OPEN = 1,
    BOOK_CLOSED = 2,
    BOOK_ALLOCATED = 3,
    BOOK_CANCELLED = 4,
    BOOK_FAILED = 5
} book_state;

typedef enum book_event {
    BOOK_EV_CLOSE = 1,    /* the lead closes, or the close time passed */
    BOOK_EV_CANCEL = 2,   /* the lead withdraws the book */
    BOOK_EV_ALLOCATE = 3, /* the allocation was computed and reserved */
    BOOK_EV_FAIL = 4      /* the allocation could not be made */
} book_event;

/* Applies ev at now_ms to a book in *s that closes at close_ms. On success
 * sets *s to the new state and returns SYND_OK. A transition the life of a
 * book does not allow is SYND_FAILED_PRECONDITION naming the rule, and an
 * unknown state or event is SYND_INVALID_ARGUMENT; *s is then unchanged. */
synd_code book_state_step(book_state *s, book_event ev, int64_t now_ms, int64_t close_ms,
                          synd_status *st);

/* True once nothing can happen to a book in state s any more. */
bool book_state_final(book_state s);

/* True if a book in state s must be closed by the clock at now_ms. */
bool book_state_due(book_state s, int64_t now_ms, int64_t close_ms);

/* "OPEN", "CLOSED", ...; "?" outside the enum. */
const char *book_state_name(book_state s);
const char *book_event_name(book_event ev);

/* Parses a state name. Returns 0 and sets *s, or -1 if name is unknown. */
int book_state_parse(const char *name, book_state *s);

#endif
