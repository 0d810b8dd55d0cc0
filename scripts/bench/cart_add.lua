-- POST /api/v1/carts/me/items {variant_id: random in BENCH_VARIANT_MIN..MAX,
-- quantity: 1}, each request as a user of its own (users.lua). The carts grow
-- during the run (bench.sh empties them before it).
local dir = os.getenv("BENCH_LUA_DIR")
local vmin = tonumber(os.getenv("BENCH_VARIANT_MIN"))
local vmax = tonumber(os.getenv("BENCH_VARIANT_MAX"))
dofile(dir .. "/users.lua")
request = function()
  local k, u = take_user()
  return user_request("POST", "/api/v1/carts/me/items", k, u,
    '{"variant_id":' .. math.random(vmin, vmax) .. ',"quantity":1}')
end
dofile(dir .. "/report.lua")
