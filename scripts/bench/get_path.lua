-- GET one fixed path (BENCH_PATH): the nginx and hop limits.
local path = os.getenv("BENCH_PATH")
request = function()
  return wrk.format("GET", path)
end
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
