-- Shared by the wrk scripts of bench/: counts responses by status code in
-- every thread and prints "status CODE COUNT" lines when wrk is done, so
-- bench/run.sh can report 2xx, 409 and other answers apart.
local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

counts = {}

function response(status, headers, body)
   counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
   local total = {}
   for _, t in ipairs(threads) do
      for code, n in pairs(t:get("counts")) do
         total[code] = (total[code] or 0) + n
      end
   end
   for code, n in pairs(total) do
      io.write(string.format("status %d %d\n", code, n))
   end
end
