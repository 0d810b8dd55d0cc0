-- GET /api/v1/carts/me, each request as a user of its own (users.lua) whose
-- cart bench.sh filled with 10 lines.
local dir = os.getenv("BENCH_LUA_DIR")
dofile(dir .. "/users.lua")
request = function()
  local k, u = take_user()
  return user_request("GET", "/api/v1/carts/me", k, u)
end
dofile(dir .. "/report.lua")
