-- Keyset pages of GET /api/v1/products filtered by a category and a price band,
-- starting after a random product id.
local max_id = tonumber(os.getenv("BENCH_MAX_PRODUCT_ID"))
local category = os.getenv("BENCH_CATEGORY_ID")
request = function()
  return wrk.format("GET", "/api/v1/products?limit=20&category_id=" .. category ..
    "&min_price_cents=1000&max_price_cents=50000&after=" .. math.random(0, max_id))
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
