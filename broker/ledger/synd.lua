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
  Per connected-client group <g>, all under the hash tag {g:<g>}:
    synd:{g:<g>}:book:<id>          HASH  lead, borrower, state, opened_ms,
                                          close_ms, terms, allocation, next_seq
    synd:{g:<g>}:book:<id>:bids     HASH  bank -> "amount:spread:seq:submitted_ms"
    synd:{g:<g>}:book:<id>:idem     HASH  "<bank>:<key>" -> first answer of a
                                          SubmitBid, "<replaced>:<bid record>"
    synd:{g:<g>}:open               ZSET  ids of OPEN books, scored by close_ms
    synd:{g:<g>}:exposure:<borrower> HASH bank -> fen, the sum of settled shares

  A borrower with no group is a group of one: its group is its own code.
  state is OPEN, CLOSED, ALLOCATED, CANCELLED or FAILED (book/state.h).
  terms and allocation are serialized protobuf (synd.v1.BookTerms and
  synd.v1.Allocation) that the ledger stores unread; allocation is empty
  until the book is settled.

Calls
  KEYS[1] routes the call (on a cluster, to the slot of its hash tag) and
  every function checks it is the key it expects: the group's open index
  for a book's functions, synd:books, synd:banks or synd:borrowers for the
  others. Every other key is formed here from validated ids, so a function
  of a book touches only its group's slot. book_open also writes the
  global index (synd:next_book, synd:books) and the registry functions
  touch one bank or borrower besides their set: those are the calls that
  span slots.

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

Idempotency
  A bid_submit with a non-empty key that this bank already used on this
  book returns the first answer and changes nothing, even after the bid
  was replaced or withdrawn.
]]

local MAX_FEN = 9007199254740991 -- 2^53 - 1
local INT32_MIN, INT32_MAX = -2147483648, 2147483647
local MAX_ID = 64     -- bank ids, borrower codes, groups, book ids
local MAX_TEXT = 256  -- names
local MAX_IDEM = 128  -- idempotency keys

local NEXT_BOOK, BOOKS = 'synd:next_book', 'synd:books'
local BANKS, BORROWERS = 'synd:banks', 'synd:borrowers'

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
    local lead, borrower = id_arg(args[2], 'lead bank'), id_arg(args[3], 'borrower')
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

-- The non-zero shares of a settle call, from ARGV[5] on as bank and fen
-- pairs: each bank once, each amount in range and no exposure pushed past
-- the range. A zero share (a bank cut out) changes no exposure.
local function share_args(args, exposure)
    local shares, seen = {}, {}
    if (#args - 4) % 2 ~= 0 then
        refuse('INVALID_ARGUMENT', 'shares are not bank and amount pairs (rule: settle)')
    end
    for i = 5, #args, 2 do
        local bank = id_arg(args[i], 'bank')
        local fen = int_arg(args[i + 1], 'share of ' .. bank, 0, MAX_FEN)
        if seen[bank] then
            refuse('INVALID_ARGUMENT', 'bank %s has two shares (rule: settle)', bank)
        end
        seen[bank] = true
        if (tonumber(redis.call('HGET', exposure, bank)) or 0) + fen > MAX_FEN then
            refuse('OUT_OF_RANGE', 'exposure of bank %s would pass %d fen (rule: numbers)', bank,
                MAX_FEN)
        end
        if fen > 0 then
            shares[#shares + 1] = { bank, args[i + 1] }
        end
    end
    return shares
end

-- ARGV: group, book id, outcome (ALLOCATED or FAILED), allocation, then
-- bank and share pairs. ALLOCATED adds every share to the bank's exposure
-- to the borrower; FAILED has only zero shares. Returns the book.
local function book_settle(keys, args)
    local tag = group_tag(keys, args[1])
    local book, bids = book_keys(tag, args[2])
    local id, outcome = args[2], args[3]
    if outcome ~= 'ALLOCATED' and outcome ~= 'FAILED' then
        refuse('INVALID_ARGUMENT', 'outcome %s is not ALLOCATED or FAILED (rule: settle)',
            shown(outcome))
    end
    local state = load_book(book, id)
    if state ~= 'CLOSED' then
        refuse('FAILED_PRECONDITION', 'book %s is %s (rule: only a CLOSED book is settled)', id,
            state)
    end
    local exposure = tag .. 'exposure:' .. redis.call('HGET', book, 'borrower')
    local shares = share_args(args, exposure)
    if outcome == 'FAILED' and #shares > 0 then
        refuse('INVALID_ARGUMENT', 'book %s failed, so every share is 0 (rule: settle)', id)
    end
    redis.call('HSET', book, 'state', outcome, 'allocation', args[4])
    for _, s in ipairs(shares) do
        redis.call('HINCRBY', exposure, s[1], s[2])
    end
    return book_reply(book, bids)
end

-- ARGV: group, borrower, bank. Returns the bank's exposure in fen.
local function exposure_get(keys, args)
    local tag = group_tag(keys, args[1])
    local key = tag .. 'exposure:' .. id_arg(args[2], 'borrower')
    return redis.call('HGET', key, id_arg(args[3], 'bank')) or '0'
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
    local code = id_arg(args[1], 'borrower code')
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
register('book_settle', -4, book_settle)
register('exposure_get', 3, exposure_get, true)
register('bank_put', 4, bank_put)
register('bank_get', 1, bank_get, true)
register('banks_list', 0, banks_list, true)
register('borrower_put', 4, borrower_put)
register('borrower_get', 1, borrower_get, true)
register('borrowers_list', 0, borrowers_list, true)
