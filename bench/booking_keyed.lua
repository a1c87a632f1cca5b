-- POST /api/v1/bookings as bench/booking.lua does (same env, same slots), each
-- request with an Idempotency-Key of its own ("bench-<start time>-<request index>"),
-- so every request claims a fresh key and its booking records the answer.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
BENCH_KEYED = true
require "booking"
