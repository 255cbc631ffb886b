/* The book's state machine: every (state, event) pair, allowed or refused. */
#include <criterion/criterion.h>

#include "book/state.h"
#include "fixture.h"

#define CLOSE_MS (NOW + 1000)

/* The whole table: the state each event leads to from each state, 0 where
 * it is refused. */
static const book_state expect[6][5] = {
    [BOOK_OPEN] = {[BOOK_EV_CLOSE] = BOOK_CLOSED, [BOOK_EV_CANCEL] = BOOK_CANCELLED},
    [BOOK_CLOSED] = {[BOOK_EV_ALLOCATE] = BOOK_ALLOCATED, [BOOK_EV_FAIL] = BOOK_FAILED},
};

Test(state, every_transition)
{
    synd_status st = {0};

    for (int from = BOOK_OPEN; from <= BOOK_FAILED; from++) {
        for (int ev = BOOK_EV_CLOSE; ev <= BOOK_EV_FAIL; ev++) {
            book_state s = (book_state)from;
            synd_code rc = book_state_step(&s, (book_event)ev, NOW, CLOSE_MS, &st);
            if (expect[from][ev] != 0) {
                cr_assert_eq(rc, SYND_OK, "%s on %s: %s", book_event_name(ev),
                             book_state_name(from), st.message);
                cr_assert_eq(s, expect[from][ev]);
            } else {
                assert_refused(rc, SYND_FAILED_PRECONDITION, st, "rule: book lifecycle");
                cr_assert_eq(s, (book_state)from, "a refused event leaves the state");
            }
        }
    }
}

Test(state, refusal_says_what_is_needed)
{
    synd_status st = {0};
    book_state s = BOOK_ALLOCATED;

    assert_refused(book_state_step(&s, BOOK_EV_CANCEL, NOW, CLOSE_MS, &st),
                   SYND_FAILED_PRECONDITION, st,
                   "cannot cancel a book that is ALLOCATED; the book must be OPEN");
}

/* A lead closes early if it likes, and the clock closes a book at its close
 * time; but a book past its close time can no longer be cancelled. */
Test(state, close_any_time_cancel_only_before_the_close)
{
    synd_status st = {0};
    book_state s = BOOK_OPEN;

    cr_assert_eq(book_state_step(&s, BOOK_EV_CANCEL, CLOSE_MS - 1, CLOSE_MS, &st), SYND_OK);
    cr_assert_eq(s, BOOK_CANCELLED);
    s = BOOK_OPEN;
    assert_refused(book_state_step(&s, BOOK_EV_CANCEL, CLOSE_MS, CLOSE_MS, &st),
                   SYND_FAILED_PRECONDITION, st, "rule: cancel before the close");
    cr_assert_eq(s, BOOK_OPEN);
    cr_assert_eq(book_state_step(&s, BOOK_EV_CLOSE, NOW, CLOSE_MS, &st), SYND_OK);
    cr_assert_eq(s, BOOK_CLOSED);
    s = BOOK_OPEN;
    cr_assert_eq(book_state_step(&s, BOOK_EV_CLOSE, CLOSE_MS + 5, CLOSE_MS, &st), SYND_OK);
}

Test(state, full_lives)
{
    synd_status st = {0};
    book_state s = BOOK_OPEN;

    cr_assert_eq(book_state_step(&s, BOOK_EV_CLOSE, NOW, CLOSE_MS, &st), SYND_OK);
    cr_assert_eq(book_state_step(&s, BOOK_EV_ALLOCATE, NOW, CLOSE_MS, &st), SYND_OK);
    cr_assert_eq(s, BOOK_ALLOCATED);
    cr_assert(book_state_final(s));
    s = BOOK_OPEN;
    cr_assert_eq(book_state_step(&s, BOOK_EV_CLOSE, NOW, CLOSE_MS, &st), SYND_OK);
    cr_assert_not(book_state_final(s));
    cr_assert_eq(book_state_step(&s, BOOK_EV_FAIL, NOW, CLOSE_MS, &st), SYND_OK);
    cr_assert_eq(s, BOOK_FAILED);
    cr_assert(book_state_final(s));
    cr_assert(book_state_final(BOOK_CANCELLED));
    cr_assert_not(book_state_final(BOOK_OPEN));
}

Test(state, unknown_values)
{
    synd_status st = {0};
    book_state s = (book_state)9;

    assert_refused(book_state_step(&s, BOOK_EV_CLOSE, NOW, CLOSE_MS, &st), SYND_INVALID_ARGUMENT,
                   st, "unknown book state");
    s = BOOK_OPEN;
    assert_refused(book_state_step(&s, (book_event)0, NOW, CLOSE_MS, &st), SYND_INVALID_ARGUMENT,
                   st, "event 0");
    cr_assert_eq(s, BOOK_OPEN);
}

Test(state, due)
{
    cr_assert_not(book_state_due(BOOK_OPEN, CLOSE_MS - 1, CLOSE_MS));
    cr_assert(book_state_due(BOOK_OPEN, CLOSE_MS, CLOSE_MS));
    cr_assert_not(book_state_due(BOOK_CLOSED, CLOSE_MS + 1, CLOSE_MS));
}

Test(state, names)
{
    book_state s;

    cr_assert_str_eq(book_state_name(BOOK_CANCELLED), "CANCELLED");
    cr_assert_str_eq(book_state_name((book_state)0), "?");
    cr_assert_str_eq(book_event_name(BOOK_EV_ALLOCATE), "allocate");
    for (int i = BOOK_OPEN; i <= BOOK_FAILED; i++) {
        cr_assert_eq(book_state_parse(book_state_name(i), &s), 0);
        cr_assert_eq(s, (book_state)i);
    }
    cr_assert_eq(book_state_parse("open", &s), -1);
}
