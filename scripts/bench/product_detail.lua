-- GET /api/v1/products/{id} with ids drawn uniformly from 1..BENCH_MAX_PRODUCT_ID,
-- under BENCH_PREFIX when set (the c_min limit's location).
local max_id = tonumber(os.getenv("BENCH_MAX_PRODUCT_ID"))
local prefix = os.getenv("BENCH_PREFIX") or ""
request = function()
  return wrk.format("GET", prefix .. "/api/v1/products/" .. math.random(1, max_id))
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
