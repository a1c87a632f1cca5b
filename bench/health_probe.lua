-- A paced GET: each connection waits BENCH_PROBE_DELAY_MS (default 5) after
-- every answer before it asks again, so the probe measures how long a cheap
-- request waits while something else loads the CPUs, not how fast wrk can
-- spin (wrk times each request from its write to its answer).
local pause = tonumber(os.getenv("BENCH_PROBE_DELAY_MS") or "5")

function delay()
   return pause
end
