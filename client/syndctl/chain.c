/* The audit trail's hash chain, checked record by record as syndctl
 * audit verify reads it. Pure code, unit-tested: the records come in, a
 * finding comes out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* Copies s into a fixed field, cut to fit. */
static void set(char *out, size_t len, const char *s)
{
    snprintf(out, len, "%s", s ? s : "");
}

void ctl_chain_init(ctl_chain *c, const char *anchor_id, const char *anchor_hash)
{
    memset(c, 0, sizeof(*c));
    set(c->expect, sizeof(c->expect), SYND_AUDIT_GENESIS);
    c->anchor_id = anchor_id;
    c->anchor_hash = anchor_hash;
}

void ctl_chain_base(ctl_chain *c, const char *base)
{
    set(c->expect, sizeof(c->expect), base);
}

/* Reads a stream id "<ms>-<seq>" (or a bare "<ms>", sequence 0). Returns
 * 0, or -1 if s is not one. */
static int stream_id(const char *s, uint64_t *ms, uint64_t *seq)
{
    char *end;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    *ms = strtoull(s, &end, 10);
    *seq = 0;
    if (errno == 0 && *end == '-' && end[1] >= '0' && end[1] <= '9')
        *seq = strtoull(end + 1, &end, 10);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

int ctl_chain_id_cmp(const char *a, const char *b)
{
    uint64_t ams, aseq, bms, bseq;

    if (stream_id(a, &ams, &aseq) != 0 || stream_id(b, &bms, &bseq) != 0)
        return strcmp(a, b);
    if (ams != bms)
        return ams < bms ? -1 : 1;
    return (aseq > bseq) - (aseq < bseq);
}

/* Records a finding at record id; returns -1, the code of a finding. */
static int found(ctl_chain *c, ctl_chain_finding what, const char *id)
{
    c->finding = what;
    set(c->at_id, sizeof(c->at_id), id);
    return -1;
}

/* The anchor check: the anchored record must come, in id order, with the
 * anchored hash. */
static int check_anchor(ctl_chain *c, const Synd__V1__AuditRecord *r)
{
    int cmp;

    if (c->anchor_id == NULL || c->anchor_seen)
        return 0;
    if ((cmp = ctl_chain_id_cmp(r->id, c->anchor_id)) < 0)
        return 0;
    c->anchor_seen = cmp == 0;
    if (cmp == 0 && strcmp(r->hash, c->anchor_hash) == 0)
        return 0;
    set(c->want, sizeof(c->want), cmp == 0 ? r->hash : "");
    return found(c, CTL_CHAIN_ANCHOR, c->anchor_id);
}

/* A record is checked against its own hash first, so a changed field is
 * named as a modification of that record; then against the hash of the
 * record before it, which a deletion or a move breaks. */
int ctl_chain_add(ctl_chain *c, const Synd__V1__AuditRecord *r)
{
    synd_audit_fields f = {r->time_ms, r->bank_id, r->role,   r->method,
                           r->object,  r->code,    r->detail, r->prev};
    char hash[SYND_AUDIT_HASH_LEN];

    if (c->finding != CTL_CHAIN_INTACT)
        return -1;
    if (synd_audit_hash(&f, hash) != 0 || strcmp(hash, r->hash) != 0)
        return found(c, CTL_CHAIN_MODIFIED, r->id);
    if (strcmp(r->prev, c->expect) != 0) {
        set(c->before_id, sizeof(c->before_id), c->last_id);
        set(c->want, sizeof(c->want), r->prev);
        return found(c, CTL_CHAIN_BROKEN, r->id);
    }
    if (check_anchor(c, r) != 0)
        return -1;
    set(c->expect, sizeof(c->expect), r->hash);
    set(c->last_id, sizeof(c->last_id), r->id);
    c->n++;
    return 0;
}

int ctl_chain_end(ctl_chain *c, const char *head)
{
    if (c->finding != CTL_CHAIN_INTACT)
        return -1;
    if (strcmp(head, c->expect) != 0) {
        set(c->want, sizeof(c->want), head);
        set(c->before_id, sizeof(c->before_id), c->last_id);
        return found(c, CTL_CHAIN_TAIL, c->last_id);
    }
    if (c->anchor_id != NULL && !c->anchor_seen)
        return found(c, CTL_CHAIN_ANCHOR, c->anchor_id);
    return 0;
}

int ctl_chain_needs_locate(const ctl_chain *c)
{
    return c->finding == CTL_CHAIN_BROKEN || c->finding == CTL_CHAIN_TAIL;
}

void ctl_chain_locate(ctl_chain *c, const Synd__V1__AuditRecord *r)
{
    if (c->found_id[0] == '\0' && strcmp(r->hash, c->want) == 0)
        set(c->found_id, sizeof(c->found_id), r->id);
}

/* What a broken link means: the prev points at a record that is in the
 * trail (so records moved), or at none (so records went, or the one
 * before was rewritten with a fresh hash). */
static void describe_broken(const ctl_chain *c, char *out, size_t len)
{
    if (c->found_id[0] != '\0' && c->before_id[0] != '\0')
        snprintf(out, len,
                 "record %s is out of order: it follows record %s in the chain, not record %s",
                 c->at_id, c->found_id, c->before_id);
    else if (c->found_id[0] != '\0')
        snprintf(out, len,
                 "record %s is out of order: it follows record %s in the chain, but it is the "
                 "first of the trail",
                 c->at_id, c->found_id);
    else if (c->before_id[0] != '\0')
        snprintf(out, len,
                 "records were deleted between record %s and record %s: the prev of %s is the "
                 "hash of no record (or %s was rewritten with a new hash)",
                 c->before_id, c->at_id, c->at_id, c->before_id);
    else
        snprintf(out, len,
                 "records were deleted before record %s, the first of the trail: its prev is "
                 "neither the trail's base nor the hash of any record",
                 c->at_id);
}

void ctl_chain_describe(const ctl_chain *c, char *out, size_t len)
{
    switch (c->finding) {
    case CTL_CHAIN_INTACT:
        if (c->n > 0)
            snprintf(out, len, "chain intact: %zu records, head %s (record %s)", c->n, c->expect,
                     c->last_id);
        else
            snprintf(out, len, "chain intact: 0 records, head %s", c->expect);
        break;
    case CTL_CHAIN_MODIFIED:
        snprintf(out, len, "record %s was modified: its content and prev do not hash to its hash",
                 c->at_id);
        break;
    case CTL_CHAIN_BROKEN:
        describe_broken(c, out, len);
        break;
    case CTL_CHAIN_TAIL:
        if (c->found_id[0] != '\0')
            snprintf(out, len,
                     "the chain's head is the hash of record %s, not of the last record %s: "
                     "the records after %s were added or moved outside the chain",
                     c->found_id, c->before_id, c->found_id);
        else if (c->before_id[0] != '\0')
            snprintf(out, len,
                     "records were deleted after record %s, the last of the trail: the chain's "
                     "head %s is not its hash",
                     c->before_id, c->want);
        else
            snprintf(out, len,
                     "every record was deleted: the trail is empty, but the chain's head is %s",
                     c->want);
        break;
    case CTL_CHAIN_ANCHOR:
        if (c->want[0] != '\0')
            snprintf(out, len,
                     "record %s has the hash %s, not the anchored %s: the chain was rewritten at "
                     "or before it",
                     c->at_id, c->want, c->anchor_hash);
        else
            snprintf(out, len, "the anchored record %s is not in the trail", c->at_id);
        break;
    }
}
