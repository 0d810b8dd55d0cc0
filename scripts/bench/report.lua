-- Shared by every wrk scenario: counts answers by status class in each thread
-- and prints one JSON line with the figures the bench table needs.
-- Scenario scripts set `request` and call dofile() on this file. They may also
-- define these hooks (scripts/bench/users.lua does):
--   bench_setup(thread, index)        in setup(), index 0 for the first thread
--   bench_init(args)                  in init(), once per thread
--   bench_response(status, headers, body)
-- Besides the status classes, a 201 whose body has "order_id" counts as a
-- checkout; checkout_rps is checkouts per second from the start of the run to
-- the last checkout (the whole run unless the stock ran out earlier).
local threads = {}

-- Monotonic seconds (LuaJIT's ffi, which wrk is built with); nil without it.
local now
do
  local ok, ffi = pcall(require, "ffi")
  if ok then
    ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clk_id, bench_timespec *tp);
    ]]
    local ts = ffi.new("bench_timespec")
    local CLOCK_MONOTONIC = 1
    now = function()
      ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
      return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
    end
  end
end

function setup(thread)
  local index = #threads
  table.insert(threads, thread)
  thread:set("thread_index", index)
  if bench_setup then bench_setup(thread, index) end
end

function init(args)
  -- LuaJIT starts every state with the same sequence: without this, the threads
  -- would draw the same ids in the same order (and fight over the same rows).
  math.randomseed(os.time() + 7919 * thread_index)
  ok2xx, conflicts, other, checkouts = 0, 0, 0, 0
  started_at = now and now() or 0
  last_checkout_at = started_at
  if bench_init then bench_init(args) end
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
    if status == 201 and body and string.find(body, '"order_id"', 1, true) then
      checkouts = checkouts + 1
      if now then last_checkout_at = now() end
    end
  elseif status == 409 then
    conflicts = conflicts + 1
  else
    other = other + 1
  end
  if bench_response then bench_response(status, headers, body) end
end

function done(summary, latency, requests)
  local ok, c409, bad, orders = 0, 0, 0, 0
  local first_start, last_checkout
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok2xx")
    c409 = c409 + t:get("conflicts")
    bad = bad + t:get("other")
    local n = t:get("checkouts")
    orders = orders + n
    local s = t:get("started_at")
    if not first_start or s < first_start then first_start = s end
    if n > 0 then
      local l = t:get("last_checkout_at")
      if not last_checkout or l > last_checkout then last_checkout = l end
    end
  end
  local seconds = summary.duration / 1e6
  local window = seconds
  if now and last_checkout and last_checkout > first_start then
    window = math.min(seconds, last_checkout - first_start)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"ok":%d,"conflicts":%d,"errors":%d,"socket_errors":%d,' ..
    '"checkouts":%d,"checkout_window_s":%.3f,"checkout_rps":%.1f}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    ok, c409, bad, e.connect + e.read + e.write + e.timeout,
    orders, window, orders / window))
end
