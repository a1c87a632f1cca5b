-- POST /api/v1/bookings/{id}/cancel, every request a distinct booking.
-- env: BENCH_TOKEN (the provider's access token), BENCH_FIRST and BENCH_LAST
--      (the booking ids to cancel), BENCH_THREADS (wrk's -t).
-- Request k of thread t cancels booking BENCH_FIRST + k * threads + t; past
-- BENCH_LAST it cancels the last one again (a 409, counted apart).
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
require "status"

local auth = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")
local first = tonumber(os.getenv("BENCH_FIRST"))
local last = tonumber(os.getenv("BENCH_LAST"))
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
local k = 0

function request()
   local id = first + k * nthreads + tid
   k = k + 1
   if id > last then
      id = last
   end
   return wrk.format("POST", "/api/v1/bookings/" .. id .. "/cancel",
                     {["Authorization"] = auth, ["Content-Type"] = "application/json"}, "{}")
end
