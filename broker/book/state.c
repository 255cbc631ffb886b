/* The book's state machine: one table of what each event may do, so that
 * every refusal comes from the same place. */
#include <inttypes.h>
#include <string.h>

#include "book/state.h"

static const char *const state_names[] = {NULL,        "OPEN",      "CLOSED",
                                          "ALLOCATED", "CANCELLED", "FAILED"};
static const char *const event_names[] = {NULL, "close", "cancel", "allocate", "fail"};

#define N_STATES 6
#define N_EVENTS 5

/* next[event][state]: the state an event leads to, or 0 if the event is
 * refused in that state. */
static const book_state next[N_EVENTS][N_STATES] = {
    [BOOK_EV_CLOSE] = {[BOOK_OPEN] = BOOK_CLOSED},
    [BOOK_EV_CANCEL] = {[BOOK_OPEN] = BOOK_CANCELLED},
    [BOOK_EV_ALLOCATE] = {[BOOK_CLOSED] = BOOK_ALLOCATED},
    [BOOK_EV_FAIL] = {[BOOK_CLOSED] = BOOK_FAILED},
};

/* The state an event needs, for the refusal message. */
static const book_state needs[N_EVENTS] = {
    [BOOK_EV_CLOSE] = BOOK_OPEN,
    [BOOK_EV_CANCEL] = BOOK_OPEN,
    [BOOK_EV_ALLOCATE] = BOOK_CLOSED,
    [BOOK_EV_FAIL] = BOOK_CLOSED,
};

const char *book_state_name(book_state s)
{
    return s >= 1 && s < N_STATES ? state_names[s] : "?";
}

const char *book_event_name(book_event ev)
{
    return ev >= 1 && ev < N_EVENTS ? event_names[ev] : "?";
}

int book_state_parse(const char *name, book_state *s)
{
    for (int i = 1; i < N_STATES; i++) {
        if (strcmp(state_names[i], name) == 0) {
            *s = (book_state)i;
            return 0;
        }
    }
    return -1;
}

bool book_state_final(book_state s)
{
    return s == BOOK_ALLOCATED || s == BOOK_CANCELLED || s == BOOK_FAILED;
}

bool book_state_due(book_state s, int64_t now_ms, int64_t close_ms)
{
    return s == BOOK_OPEN && now_ms >= close_ms;
}

synd_code book_state_step(book_state *s, book_event ev, int64_t now_ms, int64_t close_ms,
                          synd_status *st)
{
    if (*s < 1 || *s >= N_STATES || ev < 1 || ev >= N_EVENTS)
        return synd_status_set(st, SYND_INVALID_ARGUMENT,
                               "unknown book state %d or event %d (rule: book lifecycle)", (int)*s,
                               (int)ev);
    if (next[ev][*s] == 0)
        return synd_status_set(st, SYND_FAILED_PRECONDITION,
                               "cannot %s a book that is %s; the book must be %s (rule: book "
                               "lifecycle)",
                               book_event_name(ev), book_state_name(*s),
                               book_state_name(needs[ev]));
    /* Past its close time a book is due to close; it may no longer be
     * withdrawn, since banks bid on it until then. */
    if (ev == BOOK_EV_CANCEL && now_ms >= close_ms)
        return synd_status_set(st, SYND_FAILED_PRECONDITION,
                               "cannot cancel a book at or after its close time %" PRId64
                               " (now %" PRId64 "); it closes instead (rule: cancel before the "
                               "close)",
                               close_ms, now_ms);
    *s = next[ev][*s];
    return SYND_OK;
}
