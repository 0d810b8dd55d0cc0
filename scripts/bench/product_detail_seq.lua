-- GET /api/v1/products/{id} with every id read once per run: each wrk thread
-- walks its own residue class from BENCH_SEQ_START, so no id repeats within
-- BENCH_MAX_PRODUCT_ID requests (the cache-miss scenario; flush before a run).
local max_id = tonumber(os.getenv("BENCH_MAX_PRODUCT_ID"))
local start = tonumber(os.getenv("BENCH_SEQ_START") or "1")
local threads = tonumber(os.getenv("BENCH_THREADS"))
local counter = 0

function bench_setup(thread, index)
  thread:set("offset", index)
end

request = function()
  local id = (start - 1 + offset + counter * threads) % max_id + 1
  counter = counter + 1
  return wrk.format("GET", "/api/v1/products/" .. id)
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
