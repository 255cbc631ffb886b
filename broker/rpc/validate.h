/* Request validation before any handler sees a request: a walk of the
 * wire bytes guided by the message descriptor, and decoding with a memory
 * budget.
 *
 * protobuf-c's unpack copies each string into a NUL-terminated buffer, so
 * a NUL byte inside a string silently cuts it short ("BK-1\0x" becomes
 * "BK-1"), it does not check UTF-8, and it has no bound on lengths, on how
 * often a field repeats or on the memory a payload decodes into. The walk
 * sees the raw bytes, so it refuses all of that by the field's name before
 * protobuf-c allocates anything. Pure code. */
#ifndef SYND_RPC_VALIDATE_H
#define SYND_RPC_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "synd/status.h"

#define VALIDATE_MAX_ID       63   /* bytes of an id or code: they live in 64-byte buffers */
#define VALIDATE_MAX_TEXT     1024 /* bytes of any other string */
#define VALIDATE_MAX_REPEATED 1024 /* times one field may occur in one message */
#define VALIDATE_MAX_UNKNOWN  64   /* fields of unknown number in one message */
#define VALIDATE_MAX_DEPTH    16   /* messages nested in the payload */

/* What a request may take to decode: far above any real request (a frame
 * is at most 1 MiB), low enough that a hostile one cannot exhaust us. */
#define VALIDATE_DECODE_BUDGET (8 * 1024 * 1024)

/* Whether s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF). Returns 1, or 0 with the offset of
 * the first bad byte in *bad_at (if not NULL). */
int validate_utf8(const uint8_t *s, size_t len, size_t *bad_at);

/* The most bytes a string field named name may hold: VALIDATE_MAX_ID for
 * ids and codes (a name that is "id" or "code" or ends in "_id", "_code"
 * or "_codes"), VALIDATE_MAX_TEXT for any other. */
size_t validate_string_bound(const char *name);

/* Walks the wire bytes of a message of type d, recursively. Returns
 * SYND_OK, or SYND_INVALID_ARGUMENT naming the field (as its path from
 * the type, "synd.v1.OpenBookRequest.terms.leads[1].bank_id") when:
 * the bytes do not parse; a known field comes with the wrong wire type; a
 * string holds a NUL byte, is not UTF-8 or is over its bound; a field
 * occurs more than VALIDATE_MAX_REPEATED times (packed elements count);
 * there are more than VALIDATE_MAX_UNKNOWN unknown fields in a message; or
 * messages nest deeper than VALIDATE_MAX_DEPTH. */
synd_code validate_wire(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
                        synd_status *st);

/* protobuf-c's unpack of d, with an allocator that fails once budget
 * bytes are taken; no other check. Returns the message (free it with
 * protobuf_c_message_free_unpacked(m, NULL)), or NULL with *exhausted set
 * to whether the budget was what ran out. */
ProtobufCMessage *validate_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *data,
                                  size_t len, size_t budget, int *exhausted);

/* validate_wire(), then protobuf-c's unpack with an allocator that fails
 * once budget bytes are taken. On SYND_OK *out is the message, to free
 * with protobuf_c_message_free_unpacked(*out, NULL). Otherwise *out is
 * NULL and st says why: INVALID_ARGUMENT for bytes that do not decode
 * ("... is not a valid synd.v1.X"), RESOURCE_EXHAUSTED for a payload
 * that would take more than budget bytes. */
synd_code validate_decode(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
                          size_t budget, ProtobufCMessage **out, synd_status *st);

#endif
