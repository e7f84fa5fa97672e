-- wrk script: POST /interruptions/ with valid, never-overlapping bodies.
-- Each wrk thread takes its own share of the users in $HF_USERS_FILE (lines of
-- "token session_id session_start"); request k of a thread goes to user
-- k mod n of its share, in the slot [start + 2*(first + k div n), +1 s),
-- where first is $HF_FIRST_SLOT (default 0): a later run starts past an
-- earlier one's slots. $HF_FORWARDED_FOR, if set, is sent as X-Forwarded-For.
-- With $HF_IDEMPOTENCY=1 every request carries an Idempotency-Key of its own.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local function epoch(iso)
  local y, m, d, H, M, S = iso:match("(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)Z")
  -- os.time reads local time; the load script runs with TZ=UTC.
  return os.time({year = y, month = m, day = d, hour = H, min = M, sec = S})
end

local function iso(seconds)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", seconds)
end

function init(args)
  local all = {}
  for line in io.lines(os.getenv("HF_USERS_FILE")) do
    local token, session, start = line:match("(%S+) (%S+) (%S+)")
    table.insert(all, {token = token, session = session, start = epoch(start)})
  end
  local count = tonumber(os.getenv("HF_THREADS"))
  first_slot = tonumber(os.getenv("HF_FIRST_SLOT") or "0")
  mine = {}
  for i, user in ipairs(all) do
    if (i - 1) % count == id then
      table.insert(mine, user)
    end
  end
end

function headers_for(user, slot)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. user.token,
  }
  local forwarded = os.getenv("HF_FORWARDED_FOR")
  if forwarded then
    headers["X-Forwarded-For"] = forwarded
  end
  if os.getenv("HF_IDEMPOTENCY") == "1" then
    headers["Idempotency-Key"] = string.format("bench-%s-%d", user.session, slot)
  end
  return headers
end

function request()
  local n = #mine
  local user = mine[(counter % n) + 1]
  local slot = user.start + 2 * (first_slot + math.floor(counter / n))
  counter = counter + 1
  local body = string.format(
    '{"session_id": %s, "type": "phone", "start_time": "%s", "end_time": "%s"}',
    user.session, iso(slot), iso(slot + 1))
  return wrk.format("POST", "/interruptions/", headers_for(user, slot), body)
end
