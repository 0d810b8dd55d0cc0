-- GET /api/v1/products/{id} with ids drawn uniformly from 1..BENCH_HOT_PRODUCTS,
-- a set small enough to be warmed into the cache before the run.
local max_id = tonumber(os.getenv("BENCH_HOT_PRODUCTS"))
request = function()
  return wrk.format("GET", "/api/v1/products/" .. math.random(1, max_id))
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
