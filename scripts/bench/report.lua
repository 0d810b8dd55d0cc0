-- Shared by every wrk scenario: counts answers by status class in each thread
-- and prints one JSON line with the figures the bench table needs.
-- Scenario scripts set `request` and call dofile() on this file.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok2xx, conflicts, other = 0, 0, 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok2xx = ok2xx + 1
  elseif status == 409 then
    conflicts = conflicts + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local ok, c409, bad = 0, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("ok2xx")
    c409 = c409 + t:get("conflicts")
    bad = bad + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"ok":%d,"conflicts":%d,"errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    ok, c409, bad, e.connect + e.read + e.write + e.timeout))
end
