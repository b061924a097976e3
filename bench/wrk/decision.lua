-- The HTTP floor: wrk posting single decisions to OPA, no Python anywhere.
--
--   APL_BENCH_TOKEN=... wrk -t1 -c1 -d5s -s bench/wrk/decision.lua http://127.0.0.1:PORT -- BODIES
--
-- BODIES is a file of request bodies, one `{"input": <activity>}` a line (bench/run.py
-- writes it from the generated documents); they are posted in turn, over wrk's kept-alive
-- connection, with the bearer token from the environment (not argv, which `ps` shows).
-- Every request is built once in init(), so the Lua side costs nothing while measuring.
-- done() prints one JSON line, prefixed "APL-BENCH ", that run.py reads.

local requests = {}
local next_index = 0

function init(args)
   local path = args[1]
   if path == nil then
      error("usage: wrk ... -s decision.lua URL -- BODIES_FILE")
   end
   local headers = { ["Content-Type"] = "application/json" }
   local token = os.getenv("APL_BENCH_TOKEN")
   if token ~= nil and token ~= "" then
      headers["Authorization"] = "Bearer " .. token
   end
   for line in io.lines(path) do
      if line ~= "" then
         requests[#requests + 1] = wrk.format("POST", "/v1/data/apl/decision", headers, line)
      end
   end
   if #requests == 0 then
      error("no request bodies in " .. path)
   end
end

function request()
   next_index = next_index % #requests + 1
   return requests[next_index]
end

function done(summary, latency, _)
   local e = summary.errors
   io.write(string.format(
      'APL-BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "latency_p50_us": %d, "latency_p99_us": %d}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
      e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
