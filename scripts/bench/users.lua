-- Users for the authenticated scenarios (dofile'd before report.lua).
--
-- BENCH_TOKENS names a file of access tokens, one a line (bench.sh registers
-- and logs the users in before the runs); a run uses its first BENCH_USERS
-- lines, each of the BENCH_THREADS wrk threads its own slice of them (with
-- BENCH_USERS = connections, as many users as the thread has connections).
-- A user is busy while one of their requests is in flight: the request
-- carries X-Request-Id "bench-<thread>-<user>-<serial>", the service echoes
-- it, and the answer frees that user. So no two requests in flight share a
-- user (or a cart), as if each connection were its own user.
local tokens_file = assert(os.getenv("BENCH_TOKENS"), "BENCH_TOKENS is not set")
local users_total = assert(tonumber(os.getenv("BENCH_USERS")), "BENCH_USERS is not set")
local threads_total = assert(tonumber(os.getenv("BENCH_THREADS")), "BENCH_THREADS is not set")
local per_thread = math.floor(users_total / threads_total)

users = {}
local next_pick = 1
local serial = 0

function bench_setup(thread, index)
  thread:set("user_first", index * per_thread)
end

function bench_init(args)
  local f = assert(io.open(tokens_file, "r"))
  local n = 0
  for line in f:lines() do
    if n >= user_first and n < user_first + per_thread and line ~= "" then
      table.insert(users, { auth = "Bearer " .. line, busy = false, step = 0 })
    end
    n = n + 1
  end
  f:close()
  assert(per_thread > 0 and #users == per_thread,
    "thread " .. thread_index .. " needs " .. per_thread .. " tokens from line " ..
    (user_first + 1) .. " of " .. tokens_file .. ", found " .. #users)
end

-- The next user without a request in flight, round robin. When every one is
-- busy, the next one regardless: wrk calls request() once before the run to
-- check it (that user stays busy until this picks them, round robin, and
-- their answer comes), and an answer may be lost to a socket error.
function take_user()
  local count = #users
  for i = 0, count - 1 do
    local k = (next_pick - 1 + i) % count + 1
    if not users[k].busy then
      next_pick = k % count + 1
      return k, users[k]
    end
  end
  local k = next_pick
  next_pick = k % count + 1
  return k, users[k]
end

-- A request of user k (marked busy until its answer comes).
function user_request(method, path, k, u, body)
  serial = serial + 1
  u.busy = true
  local headers = {
    ["Authorization"] = u.auth,
    ["X-Request-Id"] = "bench-" .. thread_index .. "-" .. k .. "-" .. serial,
  }
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

-- The user an answer belongs to, now free again; nil when it cannot be told.
function answered_user(headers)
  local rid = headers["X-Request-Id"] or headers["x-request-id"]
  if not rid then return nil end
  local k = tonumber(string.match(rid, "^bench%-%d+%-(%d+)%-%d+$"))
  local u = k and users[k]
  if u then u.busy = false end
  return k, u
end

function bench_response(status, headers, body)
  answered_user(headers)
end
