-- The list scenario (product_list.lua) from a client that accepts gzip: nginx
-- compresses each page (JSON over 1 KiB, level 1), so the row shows its cost.
local max_id = tonumber(os.getenv("BENCH_MAX_PRODUCT_ID"))
local category = os.getenv("BENCH_CATEGORY_ID")
local headers = { ["Accept-Encoding"] = "gzip" }
request = function()
  return wrk.format("GET", "/api/v1/products?limit=20&category_id=" .. category ..
    "&min_price_cents=1000&max_price_cents=50000&after=" .. math.random(0, max_id), headers)
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
