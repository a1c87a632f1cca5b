-- POST /api/v1/bookings, every request a distinct free 5-minute slot of one
-- service (open every day 00:00-24:00 UTC, slot interval 5 minutes).
-- env: BENCH_TOKENS (customers' access tokens, comma-separated, used in turn),
--      BENCH_SERVICE_ID, BENCH_BASE (Unix seconds of the first slot),
--      BENCH_THREADS (wrk's -t), BENCH_SLOTS (slots from the base, default
--      201600 = 700 days of 288).
-- With the global BENCH_KEYED set before it is loaded (bench/booking_keyed.lua),
-- every request also carries its own Idempotency-Key.
-- Request k of thread t takes slot index i = k * threads + t, so no two
-- requests share one; i is spread over the whole range by a stride prime to
-- BENCH_SLOTS (i * 7919 mod slots) instead of filling the days in order.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
require "status"

local tokens = {}
for tok in string.gmatch(os.getenv("BENCH_TOKENS") or "", "[^,]+") do
   table.insert(tokens, "Bearer " .. tok)
end
local service = tonumber(os.getenv("BENCH_SERVICE_ID"))
local base = tonumber(os.getenv("BENCH_BASE"))
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "2")
local nslots = tonumber(os.getenv("BENCH_SLOTS") or "201600")
local stride = 7919
local k = 0
-- A key is unique per user, and every run has its own customers: the slot
-- index i (unique in a run) would do; the start time keeps runs apart anyway.
local key_prefix = "bench-" .. os.time() .. "-"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
   local i = k * nthreads + tid
   k = k + 1
   local slot = (i * stride) % nslots
   local start = os.date("!%Y-%m-%dT%H:%M:%SZ", base + slot * 300)
   local body = string.format('{"service_id":%d,"start":"%s"}', service, start)
   local headers = {["Authorization"] = tokens[(i % #tokens) + 1],
                    ["Content-Type"] = "application/json"}
   if BENCH_KEYED then
      headers["Idempotency-Key"] = key_prefix .. i
   end
   return wrk.format(nil, nil, headers, body)
end
