-- GET /api/v1/products/{id} with ids drawn uniformly from 1..BENCH_MAX_PRODUCT_ID.
local max_id = tonumber(os.getenv("BENCH_MAX_PRODUCT_ID"))
request = function()
  return wrk.format("GET", "/api/v1/products/" .. math.random(1, max_id))
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
