#!lua name=synd
--[[
The synd ledger: books, bids, allocations, exposures and the registry, as
one Redis Functions library. broker/ledger/books.c calls it with FCALL (or
FCALL_RO for the functions flagged no-writes); the build embeds this file
into the broker, which loads it with FUNCTION LOAD REPLACE each time its
Redis connection comes up.

Keys
  Registry (global):
    synd:bank:<id>          HASH  name, net_capital_fen, tier1_capital_fen
    synd:banks              SET   bank ids
    synd:borrower:<code>    HASH  name, group, joint_limit_fen
    synd:borrowers          SET   borrower codes
  Book index (global):
    synd:next_book          STRING counter; book ids are "BK-<n>"
    synd:books              HASH  book id -> group
    synd:groups             SET   every group that ever had a book, for the
                                  supervisors' snapshot
  Per connected-client group <g>, all under the hash tag {g:<g>}:
    synd:{g:<g>}:book:<id>          HASH  lead, borrower, state, opened_ms,
                                          close_ms, terms, allocation, next_seq
    synd:{g:<g>}:book:<id>:bids     HASH  bank -> "amount:spread:seq:submitted_ms"
    synd:{g:<g>}:book:<id>:idem     HASH  "<bank>:<key>" -> first answer of a
                                          SubmitBid, "<replaced>:<bid record>"
    synd:{g:<g>}:open               ZSET  ids of OPEN books, scored by close_ms
    synd:{g:<g>}:exposure:<borrower> HASH bank -> fen, the bank's exposure to
                                          the borrower: settled shares less
                                          repayments
    synd:{g:<g>}:gexposure          HASH  bank -> fen, the bank's exposure to
                                          the whole group
    synd:{g:<g>}:totals             HASH  borrower -> fen lent to it by all
                                          banks, and "_group" -> the group's
    synd:{g:<g>}:book:<id>:outstanding HASH bank -> fen the book's lender is
                                          still owed: its share, less
                                          repayments

  Audit trail (global, a hash chain; see "Audit chain" below):
    synd:audit              STREAM time_ms (the broker's), bank, role, method,
                                  object, code, detail, prev, hash; ids made
                                  by Redis; trimmed to the newest records
    synd:audit:head         STRING the hash of the newest record
    synd:audit:base         STRING the hash of the newest record trimmed
                                  away: the prev of the oldest one kept

  An exposure, total or outstanding field exists only while it is above 0:
  a repayment that brings one to 0 removes it, and a zero share writes
  none. A borrower code may not be "_group" (rule: ids).

  A borrower with no group is a group of one: its group is its own code.
  state is OPEN, CLOSED, ALLOCATED, CANCELLED or FAILED (book/state.h).
  terms and allocation are serialized protobuf (synd.v1.BookTerms and
  synd.v1.Allocation) that the ledger stores unread; allocation is empty
  until the book is settled.

Calls
  KEYS[1] routes the call (on a cluster, to the slot of its hash tag) and
  every function checks it is the key it expects: the group's open index
  for a book's functions, synd:books, synd:groups, synd:banks,
  synd:borrowers or synd:audit for the others. Every other key is formed here from validated
  ids, so a function of a book touches only its group's slot. book_open
  also writes the global index (synd:next_book, synd:books, synd:groups),
  the registry functions touch one bank or borrower besides their set,
  positions_get reads the borrower's joint limit from the registry,
  exposures_all (routed by synd:groups) reads every group's keys, and the
  audit functions touch the chain's head and base beside the stream:
  those are the calls that span slots, and on Redis Cluster they would
  need another home.

  Times are unix ms passed in by the broker (never TIME here), so callers
  and tests control the clock. Amounts are integer fen in [0, 2^53 - 1]
  (about 90 trillion yuan), the integers Lua's numbers hold exactly, so no
  arithmetic here ever rounds; numbers are stored as the decimal strings
  the broker sent, which must be canonical.

  Every function checks everything before its first write, so a refused
  call writes nothing. A refusal is an error reply whose first word is a
  gRPC code name and whose rest names the rule, e.g.
    FAILED_PRECONDITION book BK-7 closed at 1700000000000 (rule: bidding window)
  Any other error (a Redis command's) passes on as Redis reports it.

Limits
  book_settle with ALLOCATED reserves the whole allocation at once. Before
  its first write it checks, for each non-zero share in the order given:
  the bank's exposure to the borrower against the share's single borrower
  cap, its exposure to the group against the share's group cap, and, if
  the borrower has a joint limit (passed in, 0 for none), the borrower's
  total with the shares so far against it. The first breach is refused as
    ABORTED bank <id>: <what> would be <x> fen, over its <limit> of <cap>
    fen; headroom <h> fen (rule: <limit>)
  where the headroom is what the named bank could still take under that
  limit (for the joint limit: after the shares before it), never below 0.
  The caps come from the broker, which computes them from capital. The
  sums are kept within [0, 2^53 - 1] too (OUT_OF_RANGE otherwise).

Repayments
  book_repay takes each line off what the lender of an ALLOCATED book is
  still owed (book:<id>:outstanding), off the lender's exposures to the
  borrower and the group, and off the borrower's and the group's totals.
  A line above what the lender is owed is refused before any write.

Idempotency
  A bid_submit with a non-empty key that this bank already used on this
  book returns the first answer and changes nothing, even after the bid
  was replaced or withdrawn.

Audit chain
  Each record carries prev, the hash of the record before it, and hash,
  the SHA-256 of its fields and prev (include/synd/audit.h). Lua in Redis
  has no SHA-256, so the broker computes the hash and audit_append is a
  compare-and-append: it refuses with ABORTED, writing nothing, unless
  prev is the head (synd:audit:head; absent, 64 zeros), then adds the
  records given (a broker sends what it has queued, in one call) and
  makes the last one's hash the head. Two appends can therefore never
  fork the chain; the refusal names the head, so the loser relinks its
  records to it and retries at once. Redis trusts the hashes it is
  given: it cannot check them. A trim keeps exactly
  the newest max_len records and remembers the newest trimmed record's
  hash in synd:audit:base, so the chain still checks from its new start.
  audit_read returns the base and the head with the records, read at
  one instant, so a reader can check both ends of the chain.
]]

local MAX_FEN = 9007199254740991 -- 2^53 - 1
local INT32_MIN, INT32_MAX = -2147483648, 2147483647
local MAX_ID = 64     -- bank ids, borrower codes, groups, book ids
local MAX_TEXT = 256  -- names
local MAX_IDEM = 128  -- idempotency keys

local NEXT_BOOK, BOOKS, GROUPS = 'synd:next_book', 'synd:books', 'synd:groups'
local GROUP_TOTAL = '_group' -- the group's field in its totals hash
local BANKS, BORROWERS = 'synd:banks', 'synd:borrowers'
local AUDIT, AUDIT_HEAD, AUDIT_BASE = 'synd:audit', 'synd:audit:head', 'synd:audit:base'
-- The prev of the chain's first record: 64 zeros. (A literal: the library
-- may not reach string.* while it loads.)
local GENESIS = '0000000000000000000000000000000000000000000000000000000000000000'
local MAX_STREAM_ID = 41            -- "<ms>-<seq>", each at most 20 digits

-- A refusal travels as an error object with this metatable, so that the
-- wrapper in register() tells it from a Redis command's error.
local refusal = {}

-- Stops the function with a refusal. Only called before the first write.
local function refuse(code, fmt, ...)
    error(setmetatable({ msg = code .. ' ' .. string.format(fmt, ...) }, refusal), 0)
end

-- A value as it may be shown in a refusal: bounded, and with nothing that
-- could break the reply line.
local function shown(s)
    return (tostring(s):sub(1, MAX_ID):gsub('[^%w%-_%.:{}]', '?'))
end

-- Checks an id that becomes part of key names: only characters that can
-- neither end a hash tag nor be confused with the ':' separator.
local function id_arg(s, what)
    if not s or #s < 1 or #s > MAX_ID or s:find('[^%w%-_%.]') then
        refuse('INVALID_ARGUMENT',
            "%s '%s' is not 1-%d letters, digits, '.', '_' or '-' (rule: ids)",
            what, shown(s or ''), MAX_ID)
    end
    return s
end

-- Checks a canonical decimal integer in [lo, hi] and returns its value.
-- Canonical (what the broker's %lld prints) keeps stored strings unique.
local function int_arg(s, what, lo, hi)
    local n = s and #s <= 17 and s:match('^%-?%d+$') and tonumber(s)
    if not n or string.format('%d', n) ~= s or n < lo or n > hi then
        refuse('INVALID_ARGUMENT', '%s %s is not an integer in [%d, %d] (rule: numbers)', what,
            shown(s or ''), lo, hi)
    end
    return n
end

-- Checks a display name: present and bounded; any bytes otherwise.
local function text_arg(s, what)
    if not s or #s < 1 or #s > MAX_TEXT then
        refuse('INVALID_ARGUMENT', '%s is not 1-%d bytes (rule: names)', what, MAX_TEXT)
    end
    return s
end

-- Checks a borrower code: an id, and not the field that holds the group's
-- total beside the borrowers' in the totals hash.
local function borrower_arg(s, what)
    if id_arg(s, what) == GROUP_TOTAL then
        refuse('INVALID_ARGUMENT', "%s '%s' is reserved (rule: ids)", what, s)
    end
    return s
end

-- An integer as a command's argument: redis.call would send a Lua number
-- rounded to 17 digits, which is not exact above 2^53 - 2.
local function dec(n)
    return string.format('%d', n)
end

-- A hash field as a number; 0 if there is none.
local function hnum(key, field)
    return tonumber(redis.call('HGET', key, field)) or 0
end

-- A hash's fields and values, flat and sorted by field (Redis keeps a hash
-- in no order, and callers want the same answer each time).
local function sorted_hash(key)
    local flat, fields, values, out = redis.call('HGETALL', key), {}, {}, {}
    for i = 1, #flat, 2 do
        fields[#fields + 1] = flat[i]
        values[flat[i]] = flat[i + 1]
    end
    table.sort(fields)
    for _, f in ipairs(fields) do
        out[#out + 1] = f
        out[#out + 1] = values[f]
    end
    return out
end

-- Checks that the call was routed by the key this function expects.
local function routed(keys, key)
    if keys[1] ~= key then
        refuse('INTERNAL', 'the call is routed by %s, not %s', shown(keys[1] or ''), shown(key))
    end
    return key
end

-- The key prefix of a group's keys, after checking the call is routed by
-- the group's open index.
local function group_tag(keys, group)
    local tag = 'synd:{g:' .. id_arg(group, 'group') .. '}:'
    routed(keys, tag .. 'open')
    return tag
end

-- The keys of one book: its hash, its bids and its idempotency answers.
local function book_keys(tag, id)
    local book = tag .. 'book:' .. id_arg(id, 'book id')
    return book, book .. ':bids', book .. ':idem'
end

-- The keys of a group's exposures that a borrower's figures live in.
local function exposure_keys(tag, borrower)
    return {
        exposure = tag .. 'exposure:' .. borrower,
        gexposure = tag .. 'gexposure',
        totals = tag .. 'totals',
    }
end

-- A registry borrower's joint credit limit, '0' if none is set. The
-- registry is global: the same cross-slot read the registry calls make.
local function joint_limit(borrower)
    return redis.call('HGET', 'synd:borrower:' .. borrower, 'joint_limit_fen') or '0'
end

-- Reads what every change of a book checks. NOT_FOUND if there is none.
local function load_book(book, id)
    local f = redis.call('HMGET', book, 'state', 'close_ms')
    if not f[1] then
        refuse('NOT_FOUND', 'book %s does not exist', id)
    end
    return f[1], tonumber(f[2])
end

-- A book as books.c parses it: seven fields, then bank and bid pairs.
local function book_reply(book, bids)
    local out = redis.call('HMGET', book, 'lead', 'borrower', 'state', 'opened_ms', 'close_ms',
        'terms', 'allocation')
    for _, v in ipairs(redis.call('HGETALL', bids)) do
        out[#out + 1] = v
    end
    return out
end

-- Bids change only on an OPEN book and before its close time.
local function check_bidding(id, state, close, now)
    if state ~= 'OPEN' then
        refuse('FAILED_PRECONDITION', 'book %s is %s (rule: bids only on an OPEN book)', id, state)
    end
    if now >= close then
        refuse('FAILED_PRECONDITION', 'book %s closed at %d (rule: bidding window)', id, close)
    end
end

-- ARGV: group, lead, borrower, close_ms, now_ms, terms. Returns the id.
local function book_open(keys, args)
    local tag = group_tag(keys, args[1])
    local lead, borrower = id_arg(args[2], 'lead bank'), borrower_arg(args[3], 'borrower')
    local close = int_arg(args[4], 'close_ms', 0, MAX_FEN)
    local now = int_arg(args[5], 'now_ms', 0, MAX_FEN)
    if close <= now then
        refuse('INVALID_ARGUMENT',
            'close time %d is not after now, %d (rule: close time in the future)', close, now)
    end
    local id = 'BK-' .. redis.call('INCR', NEXT_BOOK)
    redis.call('HSET', tag .. 'book:' .. id, 'lead', lead, 'borrower', borrower, 'state', 'OPEN',
        'opened_ms', args[5], 'close_ms', args[4], 'terms', args[6], 'allocation', '',
        'next_seq', '0')
    redis.call('ZADD', keys[1], args[4], id)
    redis.call('HSET', BOOKS, id, args[1])
    redis.call('SADD', GROUPS, args[1])
    return id
end

-- ARGV: group, book id. Returns the book with its bids.
local function book_get(keys, args)
    local book, bids = book_keys(group_tag(keys, args[1]), args[2])
    load_book(book, args[2])
    return book_reply(book, bids)
end

-- No ARGV. Returns every book id ever opened and its group, flat.
local function book_index(keys, args)
    return redis.call('HGETALL', routed(keys, BOOKS))
end

-- ARGV: group, book id, bank, idempotency key, amount_fen, spread_bps,
-- now_ms. Returns {bid record, replaced}.
local function bid_submit(keys, args)
    local book, bids, idem = book_keys(group_tag(keys, args[1]), args[2])
    local id, bank, key = args[2], id_arg(args[3], 'bank'), args[4]
    int_arg(args[5], 'amount_fen', 1, MAX_FEN)
    int_arg(args[6], 'spread_bps', INT32_MIN, INT32_MAX)
    local now = int_arg(args[7], 'now_ms', 0, MAX_FEN)
    if #key > MAX_IDEM then
        refuse('INVALID_ARGUMENT', 'idempotency key is over %d bytes (rule: idempotency)', MAX_IDEM)
    end
    local state, close = load_book(book, id)
    local first = key ~= '' and redis.call('HGET', idem, bank .. ':' .. key)
    if first then
        return { first:sub(3), tonumber(first:sub(1, 1)) }
    end
    check_bidding(id, state, close, now)
    local seq = redis.call('HINCRBY', book, 'next_seq', 1)
    local rec = table.concat({ args[5], args[6], seq, args[7] }, ':')
    local replaced = redis.call('HSET', bids, bank, rec) == 0 and 1 or 0
    if key ~= '' then
        redis.call('HSET', idem, bank .. ':' .. key, replaced .. ':' .. rec)
    end
    return { rec, replaced }
end

-- ARGV: group, book id, bank, now_ms. Returns the removed bid record.
local function bid_withdraw(keys, args)
    local book, bids = book_keys(group_tag(keys, args[1]), args[2])
    local id, bank = args[2], id_arg(args[3], 'bank')
    local now = int_arg(args[4], 'now_ms', 0, MAX_FEN)
    local state, close = load_book(book, id)
    check_bidding(id, state, close, now)
    local rec = redis.call('HGET', bids, bank)
    if not rec then
        refuse('NOT_FOUND', 'bank %s has no bid on book %s', bank, id)
    end
    redis.call('HDEL', bids, bank)
    return rec
end

-- ARGV: group, book id, early (0 or 1), now_ms. The lead closes early at
-- any time; the clock only from the close time. Returns the book.
local function book_close(keys, args)
    local book, bids = book_keys(group_tag(keys, args[1]), args[2])
    local id, early = args[2], int_arg(args[3], 'early', 0, 1)
    local now = int_arg(args[4], 'now_ms', 0, MAX_FEN)
    local state, close = load_book(book, id)
    if state ~= 'OPEN' then
        refuse('FAILED_PRECONDITION', 'book %s is %s (rule: only an OPEN book closes)', id, state)
    end
    if early == 0 and now < close then
        refuse('FAILED_PRECONDITION',
            'book %s closes at %d, not at %d (rule: the clock closes a book at its close time)',
            id, close, now)
    end
    redis.call('HSET', book, 'state', 'CLOSED')
    redis.call('ZREM', keys[1], id)
    return book_reply(book, bids)
end

-- ARGV: group, book id, now_ms. Returns the book, CANCELLED.
local function book_cancel(keys, args)
    local book, bids = book_keys(group_tag(keys, args[1]), args[2])
    local id, now = args[2], int_arg(args[3], 'now_ms', 0, MAX_FEN)
    local state, close = load_book(book, id)
    if state ~= 'OPEN' then
        refuse('FAILED_PRECONDITION', 'book %s is %s (rule: only an OPEN book is cancelled)', id,
            state)
    end
    if now >= close then
        refuse('FAILED_PRECONDITION',
            'book %s closed at %d (rule: cancel only before the close time)', id, close)
    end
    redis.call('HSET', book, 'state', 'CANCELLED')
    redis.call('ZREM', keys[1], id)
    return book_reply(book, bids)
end

-- The book's borrower, after checking the caller names the same one: the
-- caller's limits were worked out for that borrower.
local function book_borrower(book, id, given)
    local borrower = redis.call('HGET', book, 'borrower')
    if borrower_arg(given, 'borrower') ~= borrower then
        refuse('INVALID_ARGUMENT', 'book %s is for borrower %s, not %s (rule: one borrower a book)',
            id, borrower, given)
    end
    return borrower
end

-- The non-zero shares of a settle call, from ARGV[7] on as bank, amount,
-- single borrower cap and group cap: each bank once and every figure in
-- range. A zero share (a bank cut out) reserves nothing, so its caps do
-- not matter.
local function share_args(args)
    local shares, seen = {}, {}
    if (#args - 6) % 4 ~= 0 then
        refuse('INVALID_ARGUMENT',
            'shares are not bank, amount, single cap and group cap quads (rule: settle)')
    end
    for i = 7, #args, 4 do
        local bank = id_arg(args[i], 'bank')
        local s = {
            bank = bank,
            fen = int_arg(args[i + 1], 'share of ' .. bank, 0, MAX_FEN),
            single = int_arg(args[i + 2], 'single borrower cap of ' .. bank, 0, MAX_FEN),
            group = int_arg(args[i + 3], 'group cap of ' .. bank, 0, MAX_FEN),
        }
        if seen[bank] then
            refuse('INVALID_ARGUMENT', 'bank %s has two shares (rule: settle)', bank)
        end
        seen[bank] = true
        if s.fen > 0 then
            shares[#shares + 1] = s
        end
    end
    return shares
end

-- Refuses a reservation that takes a figure (now, plus add) over cap,
-- naming the bank, the limit and what the bank could still take under it.
local function check_limit(bank, what, now, add, cap, limit)
    if now + add > cap then
        refuse('ABORTED',
            'bank %s: %s would be %d fen, over its %s of %d fen; headroom %d fen (rule: %s)',
            bank, what, now + add, limit, cap, math.max(cap - now, 0), limit)
    end
end

-- Checks every limit of a reservation before anything is written, share
-- by share in the order given: the single borrower cap, the group cap,
-- then the joint limit (0: none) with the shares so far. The totals
-- without a joint limit are kept in range. Returns the sum of the shares.
local function check_reservation(k, group, borrower, joint, shares)
    local total, sum = hnum(k.totals, borrower), 0
    for _, s in ipairs(shares) do
        check_limit(s.bank, 'exposure to borrower ' .. borrower, hnum(k.exposure, s.bank), s.fen,
            s.single, 'single borrower cap')
        check_limit(s.bank, 'exposure to group ' .. group, hnum(k.gexposure, s.bank), s.fen,
            s.group, 'group cap')
        if joint > 0 then
            check_limit(s.bank, 'borrower ' .. borrower .. "'s total", total + sum, s.fen, joint,
                'joint credit limit')
        end
        sum = sum + s.fen
    end
    if total + sum > MAX_FEN or hnum(k.totals, GROUP_TOTAL) + sum > MAX_FEN then
        refuse('OUT_OF_RANGE', 'the totals of group %s would pass %d fen (rule: numbers)', group,
            MAX_FEN)
    end
    return sum
end

-- Adds checked shares to every figure they count in, and records what
-- each lender of the book is owed.
local function reserve(k, outstanding, borrower, shares, sum)
    for _, s in ipairs(shares) do
        redis.call('HINCRBY', k.exposure, s.bank, dec(s.fen))
        redis.call('HINCRBY', k.gexposure, s.bank, dec(s.fen))
        redis.call('HSET', outstanding, s.bank, dec(s.fen))
    end
    if sum > 0 then
        redis.call('HINCRBY', k.totals, borrower, dec(sum))
        redis.call('HINCRBY', k.totals, GROUP_TOTAL, dec(sum))
    end
end

-- ARGV: group, book id, outcome (ALLOCATED or FAILED), allocation,
-- borrower, joint_limit_fen, then bank, share, single cap and group cap
-- quads. ALLOCATED reserves every share within every limit; FAILED has
-- only zero shares. Returns the book.
local function book_settle(keys, args)
    local tag = group_tag(keys, args[1])
    local book, bids = book_keys(tag, args[2])
    local id, outcome = args[2], args[3]
    if outcome ~= 'ALLOCATED' and outcome ~= 'FAILED' then
        refuse('INVALID_ARGUMENT', 'outcome %s is not ALLOCATED or FAILED (rule: settle)',
            shown(outcome))
    end
    local joint = int_arg(args[6], 'joint_limit_fen', 0, MAX_FEN)
    local state = load_book(book, id)
    if state ~= 'CLOSED' then
        refuse('FAILED_PRECONDITION', 'book %s is %s (rule: only a CLOSED book is settled)', id,
            state)
    end
    local borrower = book_borrower(book, id, args[5])
    local k = exposure_keys(tag, borrower)
    local shares = share_args(args)
    if outcome == 'FAILED' and #shares > 0 then
        refuse('INVALID_ARGUMENT', 'book %s failed, so every share is 0 (rule: settle)', id)
    end
    local sum = check_reservation(k, args[1], borrower, joint, shares)
    redis.call('HSET', book, 'state', outcome, 'allocation', args[4])
    reserve(k, book .. ':outstanding', borrower, shares, sum)
    return book_reply(book, bids)
end

-- ARGV: group, borrower, then bank ids. Returns the borrower's total, its
-- group's, the number of banks lending to it and its joint limit, then
-- bank, exposure to the borrower and exposure to the group for each bank.
local function positions_get(keys, args)
    local k = exposure_keys(group_tag(keys, args[1]), borrower_arg(args[2], 'borrower'))
    local out = {
        redis.call('HGET', k.totals, args[2]) or '0',
        redis.call('HGET', k.totals, GROUP_TOTAL) or '0',
        redis.call('HLEN', k.exposure),
        joint_limit(args[2]),
    }
    for i = 3, #args do
        local bank = id_arg(args[i], 'bank')
        out[#out + 1] = bank
        out[#out + 1] = redis.call('HGET', k.exposure, bank) or '0'
        out[#out + 1] = redis.call('HGET', k.gexposure, bank) or '0'
    end
    return out
end

-- The keys of an ALLOCATED book: its hash and what its lenders are owed.
-- Only such a book has lenders.
local function allocated_book(tag, id)
    local book = book_keys(tag, id)
    local state = load_book(book, id)
    if state ~= 'ALLOCATED' then
        refuse('FAILED_PRECONDITION', 'book %s is %s (rule: only an ALLOCATED book is repaid)',
            id, state)
    end
    return book, book .. ':outstanding'
end

-- ARGV: group, book id. Returns bank and fen owed pairs, sorted by bank.
local function book_outstanding(keys, args)
    local _, outstanding = allocated_book(group_tag(keys, args[1]), args[2])
    return sorted_hash(outstanding)
end

-- The non-zero lines of a repayment, from ARGV[4] on as bank and amount
-- pairs: each bank once and none above what the bank is owed.
local function repay_args(args, outstanding, id)
    local lines, seen = {}, {}
    if (#args - 3) % 2 ~= 0 then
        refuse('INVALID_ARGUMENT', 'repayment lines are not bank and amount pairs (rule: repay)')
    end
    for i = 4, #args, 2 do
        local bank = id_arg(args[i], 'bank')
        local fen = int_arg(args[i + 1], 'repayment to ' .. bank, 0, MAX_FEN)
        if seen[bank] then
            refuse('INVALID_ARGUMENT', 'bank %s has two repayment lines (rule: repay)', bank)
        end
        seen[bank] = true
        local owed = hnum(outstanding, bank)
        if fen > owed then
            refuse('FAILED_PRECONDITION', 'bank %s is owed %d fen on book %s, not %d ' ..
                '(rule: repay at most what is outstanding)', bank, owed, id, fen)
        end
        if fen > 0 then
            lines[#lines + 1] = { bank = bank, fen = fen }
        end
    end
    return lines
end

-- Takes fen off a hash field, removing the field when it reaches 0.
local function release(key, field, fen)
    if redis.call('HINCRBY', key, field, dec(-fen)) == 0 then
        redis.call('HDEL', key, field)
    end
end

-- ARGV: group, book id, borrower, then bank and amount pairs. Takes each
-- amount off what the bank is owed, its exposures and the totals. Returns
-- what is still owed, as book_outstanding does.
local function book_repay(keys, args)
    local tag = group_tag(keys, args[1])
    local book, outstanding = allocated_book(tag, args[2])
    local borrower = book_borrower(book, args[2], args[3])
    local k = exposure_keys(tag, borrower)
    local sum = 0
    for _, l in ipairs(repay_args(args, outstanding, args[2])) do
        release(outstanding, l.bank, l.fen)
        release(k.exposure, l.bank, l.fen)
        release(k.gexposure, l.bank, l.fen)
        sum = sum + l.fen
    end
    if sum > 0 then
        release(k.totals, borrower, sum)
        release(k.totals, GROUP_TOTAL, sum)
    end
    return sorted_hash(outstanding)
end

-- Appends to out, five values a line, the borrower's exposures above 0
-- in group g.
local function list_exposures(out, tag, g, borrower)
    local joint, lines = joint_limit(borrower), sorted_hash(tag .. 'exposure:' .. borrower)
    for j = 1, #lines, 2 do
        if tonumber(lines[j + 1]) > 0 then
            for _, v in ipairs({ g, borrower, lines[j], lines[j + 1], joint }) do
                out[#out + 1] = v
            end
        end
    end
end

-- No ARGV. Returns group, borrower, bank, fen and the borrower's joint
-- limit for every exposure above 0, sorted by group, borrower and bank.
-- The groups are those that ever had a book; a group's borrowers are
-- those with a total.
local function exposures_all(keys, args)
    local groups, out = redis.call('SMEMBERS', routed(keys, GROUPS)), {}
    table.sort(groups)
    for _, g in ipairs(groups) do
        local tag = 'synd:{g:' .. g .. '}:'
        local totals = sorted_hash(tag .. 'totals')
        for i = 1, #totals, 2 do
            if totals[i] ~= GROUP_TOTAL then
                list_exposures(out, tag, g, totals[i])
            end
        end
    end
    return out
end

-- ARGV: id, name, net_capital_fen, tier1_capital_fen. Returns the bank as
-- bank_get does.
local function bank_put(keys, args)
    local id = id_arg(args[1], 'bank id')
    text_arg(args[2], 'bank name')
    local net = int_arg(args[3], 'net_capital_fen', 0, MAX_FEN)
    local tier1 = int_arg(args[4], 'tier1_capital_fen', 0, MAX_FEN)
    if tier1 > net then
        refuse('INVALID_ARGUMENT',
            'bank %s: tier-1 capital %d is over net capital %d ' ..
            '(rule: tier-1 is part of net capital)', id, tier1, net)
    end
    redis.call('HSET', 'synd:bank:' .. id, 'name', args[2], 'net_capital_fen', args[3],
        'tier1_capital_fen', args[4])
    redis.call('SADD', routed(keys, BANKS), id)
    return { args[2], args[3], args[4] }
end

-- The fields of one bank; nil if it is not in the registry.
local function bank_fields(id)
    local f = redis.call('HMGET', 'synd:bank:' .. id, 'name', 'net_capital_fen',
        'tier1_capital_fen')
    return f[1] and f or nil
end

-- ARGV: id. Returns {name, net_capital_fen, tier1_capital_fen}.
local function bank_get(keys, args)
    routed(keys, BANKS)
    local f = bank_fields(id_arg(args[1], 'bank id'))
    if not f then
        refuse('NOT_FOUND', 'bank %s is not in the registry', args[1])
    end
    return f
end

-- Every member of a registry set with its fields, flat and sorted by id.
local function list(set, fields)
    local ids, out = redis.call('SMEMBERS', set), {}
    table.sort(ids)
    for _, id in ipairs(ids) do
        out[#out + 1] = id
        for _, v in ipairs(fields(id)) do
            out[#out + 1] = v
        end
    end
    return out
end

-- No ARGV. Returns id, name, net and tier-1 capital of every bank.
local function banks_list(keys, args)
    return list(routed(keys, BANKS), bank_fields)
end

-- ARGV: code, name, group ('' for a group of one), joint_limit_fen.
-- Returns the borrower as borrower_get does.
local function borrower_put(keys, args)
    local code = borrower_arg(args[1], 'borrower code')
    text_arg(args[2], 'borrower name')
    local group = args[3] == '' and code or id_arg(args[3], 'group')
    int_arg(args[4], 'joint_limit_fen', 0, MAX_FEN)
    redis.call('HSET', 'synd:borrower:' .. code, 'name', args[2], 'group', group,
        'joint_limit_fen', args[4])
    redis.call('SADD', routed(keys, BORROWERS), code)
    return { args[2], group, args[4] }
end

-- The fields of one borrower; nil if it is not in the registry.
local function borrower_fields(code)
    local f = redis.call('HMGET', 'synd:borrower:' .. code, 'name', 'group', 'joint_limit_fen')
    return f[1] and f or nil
end

-- ARGV: code. Returns {name, group, joint_limit_fen}.
local function borrower_get(keys, args)
    routed(keys, BORROWERS)
    local f = borrower_fields(id_arg(args[1], 'borrower code'))
    if not f then
        refuse('NOT_FOUND', 'borrower %s is not in the registry', args[1])
    end
    return f
end

-- No ARGV. Returns code, name, group and joint limit of every borrower.
local function borrowers_list(keys, args)
    return list(routed(keys, BORROWERS), borrower_fields)
end

-- Checks a hash of the audit chain: 64 lowercase hex digits.
local function hash_arg(s, what)
    if not s or #s ~= 64 or s:find('[^0-9a-f]') then
        refuse('INVALID_ARGUMENT', '%s is not 64 lowercase hex digits (rule: audit chain)', what)
    end
    return s
end

local AUDIT_FIELDS = 8 -- of one record in audit_append's ARGV

-- ARGV: prev, max_len, then for each record time_ms, bank, role, method,
-- object, code, detail and hash. If prev is the chain's head, appends the
-- records in order, each linked to the one before it (the first to prev),
-- makes the last one's hash the head and trims the trail to max_len
-- records. Returns the records' stream ids.
local function audit_append(keys, args)
    routed(keys, AUDIT)
    local prev = hash_arg(args[1], 'prev')
    local max = int_arg(args[2], 'max_len', 1, MAX_FEN)
    local n = (#args - 2) / AUDIT_FIELDS
    if n < 1 or n ~= math.floor(n) then
        refuse('INVALID_ARGUMENT', 'audit_append takes records of %d fields (rule: audit chain)',
            AUDIT_FIELDS)
    end
    for i = 0, n - 1 do
        local at = 2 + i * AUDIT_FIELDS
        int_arg(args[at + 1], 'time_ms', -MAX_FEN, MAX_FEN)
        int_arg(args[at + 6], 'code', INT32_MIN, INT32_MAX)
        hash_arg(args[at + 8], 'hash')
    end
    local head = redis.call('GET', AUDIT_HEAD) or GENESIS
    if head ~= prev then
        refuse('ABORTED', "the audit trail's head is %s, not %s (rule: audit chain)", head, prev)
    end
    local ids = {}
    for i = 0, n - 1 do
        local at = 2 + i * AUDIT_FIELDS
        ids[#ids + 1] = redis.call('XADD', AUDIT, '*', 'time_ms', args[at + 1], 'bank',
            args[at + 2], 'role', args[at + 3], 'method', args[at + 4], 'object', args[at + 5],
            'code', args[at + 6], 'detail', args[at + 7], 'prev', prev, 'hash', args[at + 8])
        prev = args[at + 8]
    end
    redis.call('SET', AUDIT_HEAD, prev)
    local over = redis.call('XLEN', AUDIT) - max
    if over > 0 then
        local gone = redis.call('XRANGE', AUDIT, '-', '+', 'COUNT', over)
        local fields, base = gone[#gone][2], GENESIS -- a record from before the chain has none
        for i = 1, #fields, 2 do
            if fields[i] == 'hash' then
                base = fields[i + 1]
            end
        end
        redis.call('SET', AUDIT_BASE, base)
        redis.call('XTRIM', AUDIT, 'MAXLEN', max)
    end
    return ids
end

-- Checks one end of a stream range: a stream id "<ms>-<seq>" or a bare
-- "<ms>" (its first sequence number as a start, its last as an end), or
-- open ('-' for a start, '+' for an end).
local function range_arg(s, what, open)
    if s == open then
        return s
    end
    if not s or #s > MAX_STREAM_ID or not (s:match('^%d+$') or s:match('^%d+%-%d+$')) then
        refuse('INVALID_ARGUMENT', "%s '%s' is not a stream id (rule: stream ids)", what,
            shown(s or ''))
    end
    return s
end

-- ARGV: start, exclusive ('1': the records after start), end, count.
-- Returns the chain's base and head, then at most count records of the
-- range as XRANGE gives them, {id, {field, value, ...}}, oldest first.
local function audit_read(keys, args)
    routed(keys, AUDIT)
    local start = range_arg(args[1], 'start', '-')
    local stop = range_arg(args[3], 'end', '+')
    local count = int_arg(args[4], 'count', 0, MAX_FEN)
    local out = {
        redis.call('GET', AUDIT_BASE) or GENESIS,
        redis.call('GET', AUDIT_HEAD) or GENESIS,
    }
    if args[2] == '1' then
        start = '(' .. start
    end
    if count > 0 then
        local entries = redis.pcall('XRANGE', AUDIT, start, stop, 'COUNT', count)
        if entries.err then
            refuse('INVALID_ARGUMENT', 'no range of stream ids from %s to %s (rule: stream ids)',
                shown(start), shown(stop))
        end
        for _, e in ipairs(entries) do
            out[#out + 1] = e
        end
    end
    return out
end

-- Registers fn under name after checking its argument count (argc, or at
-- least -argc when negative), turning a refusal into the error reply it
-- carries. Other errors pass on.
local function register(name, argc, fn, read_only)
    local function call(keys, args)
        if #keys ~= 1 or (argc >= 0 and #args ~= argc) or (argc < 0 and #args < -argc) then
            refuse('INTERNAL', '%s takes 1 key and %s%d arguments, not %d and %d', name,
                argc < 0 and 'at least ' or '', math.abs(argc), #keys, #args)
        end
        return fn(keys, args)
    end
    redis.register_function {
        function_name = name,
        flags = read_only and { 'no-writes' } or {},
        callback = function(keys, args)
            local ok, res = pcall(call, keys, args)
            if ok then
                return res
            elseif getmetatable(res) == refusal then
                return redis.error_reply(res.msg)
            end
            error(res, 0)
        end,
    }
end

register('book_open', 6, book_open)
register('book_get', 2, book_get, true)
register('book_index', 0, book_index, true)
register('bid_submit', 7, bid_submit)
register('bid_withdraw', 4, bid_withdraw)
register('book_close', 4, book_close)
register('book_cancel', 3, book_cancel)
register('book_settle', -6, book_settle)
register('positions_get', -2, positions_get, true)
register('book_outstanding', 2, book_outstanding, true)
register('book_repay', -3, book_repay)
register('exposures_all', 0, exposures_all, true)
register('bank_put', 4, bank_put)
register('bank_get', 1, bank_get, true)
register('banks_list', 0, banks_list, true)
register('borrower_put', 4, borrower_put)
register('borrower_get', 1, borrower_get, true)
register('borrowers_list', 0, borrowers_list, true)
register('audit_append', -10, audit_append)
register('audit_read', 4, audit_read, true)
