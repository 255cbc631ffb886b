/* What the request-validation fuzz targets share: the callers they try,
 * the fixed time their seeds are written for, the decoding every request
 * gets at the server, and the book a bid is checked against.
 *
 * The targets run the broker's pure checks only: nothing here touches a
 * socket, a ledger or the clock, so an input always does the same. */
#ifndef SYND_FUZZ_COMMON_H
#define SYND_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "book/terms.h"
#include "registry.h"

/* 2026-01-01T00:00:00Z: "now" for the targets; the seeds' books close
 * FUZZ_CLOSE_MS after it. */
#define FUZZ_NOW_MS   1767225600000LL
#define FUZZ_CLOSE_MS (FUZZ_NOW_MS + 60000)

/* The callers, by index: ICBC and CCB (leads), BOC-SH and CIB
 * (participants), NFRA (supervisor), SYND_OPS (operator), and an
 * anonymous caller of an --insecure broker. */
#define FUZZ_N_CALLERS 7
#define FUZZ_ICBC      0
#define FUZZ_BOC       2
#define FUZZ_NFRA      4
#define FUZZ_OPS       5

extern const registry_identity fuzz_callers[FUZZ_N_CALLERS];

/* Decodes a payload as the server does (validate_decode with the server's
 * budget). Returns the message (free with protobuf_c_message_free_unpacked
 * (m, NULL)), or NULL. Aborts if a refusal has another code than
 * INVALID_ARGUMENT or RESOURCE_EXHAUSTED, or if a decoded message holds a
 * string the validator should have refused (bad UTF-8, over its bound). */
ProtobufCMessage *fuzz_decode(const ProtobufCMessageDescriptor *d, const uint8_t *data,
                              size_t size);

/* Asks the matrix whether caller may call method, and aborts if its
 * answer disagrees with the scope the table gives. Returns 1 if allowed. */
int fuzz_allowed(const char *method, const registry_identity *caller);

/* The book bids are checked against: ICBC's, for borrower 91350100M000100Y43,
 * ¥1,000m at LPR 5Y + [10, 60] bps, unit ¥10,000, minimum ticket ¥50m,
 * ICBC holding ¥150m, closing at FUZZ_CLOSE_MS; checked at FUZZ_NOW_MS. */
const book_terms *fuzz_book(void);

/* Aborts unless t is a book the default rules accept at FUZZ_NOW_MS, led
 * by bank: the facility and every hold in range, the holds' sum within
 * the facility. */
void fuzz_expect_sound_terms(const book_terms *t, const char *bank);

#endif
