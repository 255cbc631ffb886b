/* synd status codes: gRPC's codes, with gRPC's meanings.
 *
 * Every call on the wire ends with one of these. The numbers are gRPC's,
 * so any gRPC tooling reads them the same way. All functions here are pure
 * and safe to call from any thread. */
#ifndef SYND_STATUS_H
#define SYND_STATUS_H

#include <stddef.h>

/* Marks the library's exported symbols; everything else is hidden. */
#ifndef SYND_API
#define SYND_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum synd_code {
    SYND_OK = 0,
    SYND_CANCELLED = 1,
    SYND_UNKNOWN = 2,
    SYND_INVALID_ARGUMENT = 3,
    SYND_DEADLINE_EXCEEDED = 4,
    SYND_NOT_FOUND = 5,
    SYND_ALREADY_EXISTS = 6,
    SYND_PERMISSION_DENIED = 7,
    SYND_RESOURCE_EXHAUSTED = 8,
    SYND_FAILED_PRECONDITION = 9,
    SYND_ABORTED = 10,
    SYND_OUT_OF_RANGE = 11,
    SYND_UNIMPLEMENTED = 12,
    SYND_INTERNAL = 13,
    SYND_UNAVAILABLE = 14,
    SYND_DATA_LOSS = 15,
    SYND_UNAUTHENTICATED = 16
} synd_code;

/* The outcome of a call: a code and a human-readable reason. The message
 * names what to fix; it is empty on SYND_OK. */
typedef struct synd_status {
    synd_code code;
    char message[512];
} synd_status;

/* Returns the canonical upper-case name of code ("INVALID_ARGUMENT"), or
 * "UNKNOWN" for a number outside gRPC's range. */
SYND_API const char *synd_code_name(int code);

/* Parses a canonical name back to its code. Returns 0 and sets *code, or
 * -1 if name is not a known code name. */
SYND_API int synd_code_parse(const char *name, synd_code *code);

/* Maps a number received on the wire to a code. Numbers outside gRPC's
 * range become SYND_UNKNOWN, as gRPC specifies. */
SYND_API synd_code synd_code_from_wire(int value);

/* Fills st with code and a printf-style message, truncated to fit.
 * Returns code, so callers can write `return synd_status_set(...)`. */
SYND_API synd_code synd_status_set(synd_status *st, synd_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif
