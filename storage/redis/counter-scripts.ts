/**
 * The Lua scripts behind storage/redis/counters.ts: each Counters operation is one of these, run
 * by Redis as one atomic step (no other command of any client runs in between), which is what
 * keeps a reservation's check and charge together across every gateway node. They count exactly
 * as CounterTable does (src/counters/table.ts), entry by entry, so that every driver agrees.
 *
 * One counter is one hash: `v`, its value, and `e`, its expiresAt (epoch ms on the callers'
 * clock). Whether it is over is decided by comparing `e` with the caller's `now`, never with
 * Redis's clock. Redis is also asked to forget the hash by itself (PEXPIRE), as a collector
 * only: see EXPIRY_MARGIN_MS.
 *
 * Calling convention (all three writing scripts): KEYS are the entries' Redis keys in order
 * (a key may repeat), ARGV[1] is `now`, and entry i (from 1) has ARGV[3i-1] = amount,
 * ARGV[3i] = expiresAt, ARGV[3i+1] = limit or '' for none. `read` takes KEYS and ARGV[1] only.
 * Replies are arrays of strings (see `fmt`), never Lua numbers: Redis would truncate those to
 * integers.
 *
 * Redis does not roll a script back when a command in it fails (a key holding another type
 * makes HMGET fail with WRONGTYPE; a server over maxmemory refuses the first write with OOM).
 * So each script reads every key it names first, computes in Lua, and writes only at the end:
 * a failure then comes before the first write and changes nothing. No shebang: scripts
 * without flags run on Redis 6.2 and Valkey too, and Redis refuses such a script's first write,
 * not a later one, when out of memory, which is the same all-or-nothing.
 */

/**
 * How long Redis keeps a counter past the end of its window, in ms. The Redis expiry is set
 * relative to the caller's `now` (remaining window plus this margin, on Redis's clock), not at
 * the absolute expiresAt: Redis's own clock then does not matter at all, and a node whose
 * clock runs up to this much behind the node that wrote the counter still finds it while its
 * window is open. Windows are read as over by `e <= now` whatever Redis still holds.
 */
export const EXPIRY_MARGIN_MS = 60_000;

/** Past this remaining life (about 100 years), a counter gets no Redis expiry at all. */
export const MAX_EXPIRY_MS = 3_155_760_000_000;

/** Helpers every script starts with. */
const PRELUDE = `
local now = tonumber(ARGV[1])

-- A number as a string that parses back to the same double in Lua (tonumber) and in
-- JavaScript (Number): 17 significant digits always do, and Infinity is spelt as both read it.
local function fmt(x)
  if x ~= x then return 'NaN' end
  if x == math.huge then return 'Infinity' end
  if x == -math.huge then return '-Infinity' end
  return string.format('%.17g', x)
end

-- Every named key's live cell ({v, e}), or false when absent or over at now. Read before any
-- write, so that a failing read (WRONGTYPE) leaves everything as it was.
local function load()
  local cells = {}
  for i = 1, #KEYS do
    local key = KEYS[i]
    if cells[key] == nil then
      local stored = redis.call('HMGET', key, 'v', 'e')
      local v, e = tonumber(stored[1]), tonumber(stored[2])
      if v ~= nil and e ~= nil and e > now then cells[key] = { v = v, e = e } else cells[key] = false end
    end
  end
  return cells
end

local function entry(i)
  local base = 3 * i - 1
  local limit = ARGV[base + 2]
  return tonumber(ARGV[base]), tonumber(ARGV[base + 1]), limit ~= '' and tonumber(limit) or nil
end

-- A fresh counter; one whose window is already over is not kept (it would read as 0 at once).
local function create(cells, key, amount, e)
  if e > now then cells[key] = { v = amount, e = e, created = true, dirty = true } end
  return amount
end

-- Adds to a live counter, pushing its expiry later (never earlier), or creates it.
local function add(cells, key, amount, e)
  local cell = cells[key]
  if not cell then return create(cells, key, amount, e) end
  cell.v = cell.v + amount
  if e > cell.e then cell.e = e end
  cell.dirty = true
  return cell.v
end

-- Writes every changed cell, once each, in KEYS order. The Redis expiry follows the window
-- (remaining life plus the margin): set afresh for a created counter (an older, finished
-- hash under the key may still be there), only ever lengthened for one that was live.
local function save(cells)
  for i = 1, #KEYS do
    local key = KEYS[i]
    local cell = cells[key]
    if cell and cell.dirty then
      cell.dirty = false
      redis.call('HSET', key, 'v', fmt(cell.v), 'e', fmt(cell.e))
      local ttl = math.ceil(cell.e - now) + ${EXPIRY_MARGIN_MS}
      if ttl > ${MAX_EXPIRY_MS} then
        redis.call('PERSIST', key)
      elseif cell.created then
        redis.call('PEXPIRE', key, string.format('%.0f', ttl))
      else
        local current = redis.call('PTTL', key)
        if current >= 0 and current < ttl then redis.call('PEXPIRE', key, string.format('%.0f', ttl)) end
      end
    end
  end
end
`;

/** Current values; '0' for an absent counter or one whose window is over. Writes nothing. */
export const READ_SCRIPT = `${PRELUDE}
local cells = load()
local values = {}
for i = 1, #KEYS do
  local cell = cells[KEYS[i]]
  values[i] = cell and fmt(cell.v) or '0'
end
return values
`;

/**
 * All or nothing. Reply: {'1', value after, ...} when admitted; {'0', refused index (from 0),
 * value before, ...} when refused, having written nothing. Entries are checked in order on the
 * running sum of their key, and one with a non-positive amount always fits.
 */
export const RESERVE_SCRIPT = `${PRELUDE}
local cells = load()
local before, pending = {}, {}
for i = 1, #KEYS do
  local cell = cells[KEYS[i]]
  before[i] = cell and cell.v or 0
end
for i = 1, #KEYS do
  local key = KEYS[i]
  local amount, _, limit = entry(i)
  local running = (pending[key] or before[i]) + amount
  pending[key] = running
  if limit ~= nil and amount > 0 and running > limit then
    local reply = { '0', fmt(i - 1) }
    for j = 1, #KEYS do reply[j + 2] = fmt(before[j]) end
    return reply
  end
end
local reply = { '1' }
for i = 1, #KEYS do
  local amount, e = entry(i)
  reply[i + 1] = fmt(add(cells, KEYS[i], amount, e))
end
save(cells)
return reply
`;

/** Adds every entry unchecked (its limit is ignored). Reply: each entry's value after its add. */
export const ADD_SCRIPT = `${PRELUDE}
local cells = load()
local reply = {}
for i = 1, #KEYS do
  local amount, e = entry(i)
  reply[i] = fmt(add(cells, KEYS[i], amount, e))
end
save(cells)
return reply
`;

/**
 * Creates each absent (or finished) counter with its amount; a live one keeps its value and its
 * expiry. Reply: each entry's value after. Of two entries naming one absent key, the first sets it.
 */
export const INITIALIZE_SCRIPT = `${PRELUDE}
local cells = load()
local reply = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local cell = cells[key]
  if cell then
    reply[i] = fmt(cell.v)
  else
    local amount, e = entry(i)
    reply[i] = fmt(create(cells, key, amount, e))
  end
end
save(cells)
return reply
`;
