/* The wire walk and the budgeted decode. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/validate.h"

#define PATH_CAP   256        /* "synd.v1.OpenBookRequest.terms.leads[1].bank_id" and more */
#define MAX_FIELDS 64         /* fields of one message type the walk keeps counts for */
#define MAX_NUMBER 536870911u /* 2^29 - 1, the largest field number */

enum wire_type {
    WIRE_VARINT = 0,
    WIRE_FIXED64 = 1,
    WIRE_LEN = 2,
    WIRE_FIXED32 = 5,
};

typedef struct walker {
    const char *type;    /* the payload's type, for errors of structure */
    const uint8_t *base; /* the payload, for offsets in errors */
    size_t total;
    char path[PATH_CAP]; /* the field being checked, from the type down */
    size_t path_len;
    synd_status *st;
} walker;

int validate_utf8(const uint8_t *s, size_t len, size_t *bad_at)
{
    size_t i = 0;

    while (i < len) {
        uint8_t c = s[i], lo = 0x80, hi = 0xbf;
        size_t need;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            need = 1;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3;
        else
            goto bad;
        /* The second byte's range rules out overlong forms, surrogates
         * (U+D800..DFFF) and code points above U+10FFFF. */
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
        else if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
        if (len - i <= need || s[i + 1] < lo || s[i + 1] > hi)
            goto bad;
        for (size_t k = 2; k <= need; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                goto bad;
        }
        i += need + 1;
    }
    return 1;
bad:
    if (bad_at != NULL)
        *bad_at = i;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

size_t validate_string_bound(const char *name)
{
    if (strcmp(name, "id") == 0 || strcmp(name, "code") == 0 || ends_with(name, "_id") ||
        ends_with(name, "_code") || ends_with(name, "_codes"))
        return VALIDATE_MAX_ID;
    return VALIDATE_MAX_TEXT;
}

/* Reads a varint of at most ten bytes, the tenth at most 1 (64 bits). */
static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;

    for (int i = 0; i < 10 && *p < end; i++) {
        uint8_t b = *(*p)++;

        if (i == 9 && b > 1)
            return -1;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static const char *wire_name(int wire)
{
    switch (wire) {
    case WIRE_VARINT:
        return "a varint";
    case WIRE_FIXED64:
        return "8 fixed bytes";
    case WIRE_FIXED32:
        return "4 fixed bytes";
    default:
        return "length-delimited bytes";
    }
}

/* The wire type a field of type t is sent as (unpacked). */
static int wire_of(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_BOOL:
    case PROTOBUF_C_TYPE_ENUM:
        return WIRE_VARINT;
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return WIRE_FIXED32;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return WIRE_FIXED64;
    default:
        return WIRE_LEN;
    }
}

/* A payload whose bytes do not parse as protobuf at all. */
static synd_code parse_error(walker *w, const uint8_t *at, const char *what)
{
    size_t type_len = strlen(w->type);

    return synd_status_set(
        w->st, SYND_INVALID_ARGUMENT, "payload of %zu bytes is not a valid %s: %s at byte %zu%s%s",
        w->total, w->type, what, (size_t)(at - w->base), w->path_len > type_len ? " in " : "",
        w->path_len > type_len ? w->path : "");
}

/* A field that parses but is refused, named by its path. */
static synd_code field_error(walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static synd_code field_error(walker *w, const char *fmt, ...)
{
    char problem[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(problem, sizeof(problem), fmt, ap);
    va_end(ap);
    return synd_status_set(w->st, SYND_INVALID_ARGUMENT, "%s %s", w->path, problem);
}

/* Appends ".name" (or ".name[index]" for a repeated field) to the path;
 * returns the length to go back to. */
static size_t path_push(walker *w, const ProtobufCFieldDescriptor *f, unsigned index)
{
    size_t saved = w->path_len, room = sizeof(w->path) - saved;
    int n = f->label == PROTOBUF_C_LABEL_REPEATED
                ? snprintf(w->path + saved, room, ".%s[%u]", f->name, index)
                : snprintf(w->path + saved, room, ".%s", f->name);

    w->path_len += n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1;
    return saved;
}

static void path_pop(walker *w, size_t saved)
{
    w->path_len = saved;
    w->path[saved] = '\0';
}

/* The elements of a packed repeated field of wire type wire, or -1 if
 * the bytes are not a whole number of them. */
static long packed_count(int wire, const uint8_t *p, size_t len)
{
    const uint8_t *end = p + len;
    uint64_t v;
    long n = 0;

    if (wire == WIRE_FIXED32)
        return len % 4 == 0 ? (long)(len / 4) : -1;
    if (wire == WIRE_FIXED64)
        return len % 8 == 0 ? (long)(len / 8) : -1;
    while (p < end) {
        if (read_varint(&p, end, &v) != 0)
            return -1;
        n++;
    }
    return n;
}

static synd_code check_string(walker *w, const ProtobufCFieldDescriptor *f, const uint8_t *s,
                              size_t len)
{
    size_t bound = validate_string_bound(f->name), at;
    const uint8_t *nul;

    if (len > bound)
        return field_error(w, "is %zu bytes; at most %zu allowed", len, bound);
    if ((nul = memchr(s, 0, len)) != NULL)
        return field_error(w, "holds a NUL byte (byte %zu of it)", (size_t)(nul - s));
    if (!validate_utf8(s, len, &at))
        return field_error(w, "is not valid UTF-8 (byte %zu of it)", at);
    return SYND_OK;
}

static synd_code walk(walker *w, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                      const uint8_t *end, int depth);

/* One occurrence of known field f, sent as wire with value[0..len) (the
 * bytes of a length-delimited field; unused for the others); *count is
 * how often f occurred before in this message. */
static synd_code check_field(walker *w, const ProtobufCFieldDescriptor *f, int wire,
                             const uint8_t *value, size_t len, uint32_t *count, int depth)
{
    int want = wire_of(f->type);
    long n = 1;

    if (wire != want) {
        if (wire != WIRE_LEN || want == WIRE_LEN || f->label != PROTOBUF_C_LABEL_REPEATED)
            return field_error(w, "is sent as %s; its type is sent as %s", wire_name(wire),
                               wire_name(want));
        if ((n = packed_count(want, value, len)) < 0)
            return field_error(w, "is a packed list that is not a whole number of elements");
    }
    if ((uint64_t)*count + (uint64_t)n > VALIDATE_MAX_REPEATED)
        return field_error(w, "occurs more than %d times", VALIDATE_MAX_REPEATED);
    *count += (uint32_t)n;
    if (wire != WIRE_LEN || want != WIRE_LEN)
        return SYND_OK;
    if (f->type == PROTOBUF_C_TYPE_STRING)
        return check_string(w, f, value, len);
    if (f->type != PROTOBUF_C_TYPE_MESSAGE)
        return SYND_OK;
    if (depth + 1 >= VALIDATE_MAX_DEPTH)
        return field_error(w, "nests messages more than %d deep", VALIDATE_MAX_DEPTH);
    return walk(w, f->descriptor, value, value + len, depth + 1);
}

/* Walks the fields of one message of type d in p[0..end). */
static synd_code walk(walker *w, const ProtobufCMessageDescriptor *d, const uint8_t *p,
                      const uint8_t *end, int depth)
{
    uint32_t counts[MAX_FIELDS] = {0};
    unsigned unknown = 0;

    if (d->n_fields > MAX_FIELDS)
        return synd_status_set(w->st, SYND_INTERNAL,
                               "message type %s has %u fields; the validator counts %d", d->name,
                               d->n_fields, MAX_FIELDS);
    while (p < end) {
        const uint8_t *at = p, *value = NULL;
        const ProtobufCFieldDescriptor *f;
        uint64_t tag, v, len = 0;
        synd_code rc;
        size_t saved;
        int wire;

        if (read_varint(&p, end, &tag) != 0)
            return parse_error(w, at, "a field tag that does not parse");
        wire = (int)(tag & 7);
        if (tag >> 3 == 0 || tag >> 3 > MAX_NUMBER)
            return parse_error(w, at, "a field number outside 1..2^29-1");
        if (wire == WIRE_VARINT) {
            if (read_varint(&p, end, &v) != 0)
                return parse_error(w, at, "a varint that does not parse");
        } else if (wire == WIRE_FIXED64 || wire == WIRE_FIXED32) {
            len = wire == WIRE_FIXED64 ? 8 : 4;
            if ((uint64_t)(end - p) < len)
                return parse_error(w, at, "a fixed-size field cut short");
            p += len;
        } else if (wire == WIRE_LEN) {
            if (read_varint(&p, end, &len) != 0 || len > (uint64_t)(end - p))
                return parse_error(w, at, "a length-delimited field cut short");
            value = p;
            p += len;
        } else {
            return parse_error(w, at, "a group or an unknown wire type");
        }
        f = protobuf_c_message_descriptor_get_field(d, (unsigned)(tag >> 3));
        if (f == NULL) {
            if (++unknown > VALIDATE_MAX_UNKNOWN)
                return parse_error(w, at, "too many fields of unknown numbers");
            continue;
        }
        saved = path_push(w, f, counts[f - d->fields]);
        rc = check_field(w, f, wire, value, (size_t)len, &counts[f - d->fields], depth);
        path_pop(w, saved);
        if (rc != SYND_OK)
            return rc;
    }
    return SYND_OK;
}

synd_code validate_wire(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
                        synd_status *st)
{
    walker w = {.type = d->name, .base = data, .total = len, .st = st};

    w.path_len = (size_t)snprintf(w.path, sizeof(w.path), "%s", d->name);
    if (w.path_len >= sizeof(w.path))
        w.path_len = sizeof(w.path) - 1;
    if (len == 0)
        return SYND_OK;
    return walk(&w, d, data, data + len, 0);
}

/* An allocator that refuses once its budget is spent. Frees are not
 * credited back: the budget bounds what one decode may ever take. */
typedef struct budget {
    ProtobufCAllocator a;
    size_t left;
    int exhausted;
} budget;

static void *budget_alloc(void *data, size_t size)
{
    budget *b = data;

    if (size > b->left) {
        b->exhausted = 1;
        return NULL;
    }
    b->left -= size;
    return malloc(size ? size : 1);
}

static void budget_free(void *data, void *p)
{
    free(p);
}

ProtobufCMessage *validate_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *data,
                                  size_t len, size_t budget_bytes, int *exhausted)
{
    budget b = {{budget_alloc, budget_free, NULL}, budget_bytes, 0};
    ProtobufCMessage *m;

    b.a.allocator_data = &b;
    /* Freed later with the default allocator: both are malloc and free. */
    m = protobuf_c_message_unpack(d, &b.a, len, data);
    *exhausted = m == NULL && b.exhausted;
    return m;
}

synd_code validate_decode(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
                          size_t budget_bytes, ProtobufCMessage **out, synd_status *st)
{
    int exhausted;

    *out = NULL;
    if (validate_wire(d, data, len, st) != SYND_OK)
        return st->code;
    if ((*out = validate_unpack(d, data, len, budget_bytes, &exhausted)) != NULL)
        return SYND_OK;
    if (exhausted)
        return synd_status_set(st, SYND_RESOURCE_EXHAUSTED,
                               "payload of %zu bytes would take more than %zu bytes to decode as "
                               "%s (rule: request size)",
                               len, budget_bytes, d->name);
    return synd_status_set(st, SYND_INVALID_ARGUMENT, "payload of %zu bytes is not a valid %s", len,
                           d->name);
}
