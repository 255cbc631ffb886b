/* Status codes: names and wire mapping, shared by broker and client. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "synd/status.h"

static const char *const code_names[] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

#define N_CODES ((int)(sizeof(code_names) / sizeof(code_names[0])))

const char *synd_code_name(int code)
{
    return code_names[synd_code_from_wire(code)];
}

int synd_code_parse(const char *name, synd_code *code)
{
    for (int i = 0; i < N_CODES; i++) {
        if (strcmp(name, code_names[i]) == 0) {
            *code = (synd_code)i;
            return 0;
        }
    }
    return -1;
}

/* gRPC says a code outside the known range is read as UNKNOWN, so a newer
 * peer cannot make an older one index past its tables. */
synd_code synd_code_from_wire(int value)
{
    if (value < 0 || value >= N_CODES)
        return SYND_UNKNOWN;
    return (synd_code)value;
}

synd_code synd_status_set(synd_status *st, synd_code code, const char *fmt, ...)
{
    va_list ap;

    st->code = code;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof(st->message), fmt, ap);
    va_end(ap);
    return code;
}
