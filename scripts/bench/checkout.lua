-- Checkout: each user (users.lua; bench.sh empties their carts before the run)
-- alternates POST /api/v1/carts/me/items {variant_id: random in
-- BENCH_VARIANT_MIN..MAX, quantity: 1} and POST /api/v1/orders/checkout {},
-- since a checkout empties the cart. A variant range of one id is the hot-row
-- scenario. No Idempotency-Key is sent. report.lua counts the 201s with
-- "order_id" as checkouts.
local dir = os.getenv("BENCH_LUA_DIR")
local vmin = tonumber(os.getenv("BENCH_VARIANT_MIN"))
local vmax = tonumber(os.getenv("BENCH_VARIANT_MAX"))
dofile(dir .. "/users.lua")
request = function()
  local k, u = take_user()
  if u.step % 2 == 0 then
    return user_request("POST", "/api/v1/carts/me/items", k, u,
      '{"variant_id":' .. math.random(vmin, vmax) .. ',"quantity":1}')
  end
  return user_request("POST", "/api/v1/orders/checkout", k, u, "{}")
end
-- The next step of a user follows their answer, whatever it was (after
-- the stock runs out, an add is 409 and the checkout then 409 CART_EMPTY).
bench_response = function(status, headers, body)
  local _, u = answered_user(headers)
  if u then u.step = u.step + 1 end
end
dofile(dir .. "/report.lua")
