-- wrk script: GET /v1beta/interactions/{id}, cycling through the ids in the file named by
-- BENCH_IDS (one per line), all of tenant bench-key.
local ids = {}
local n = 0
local path = os.getenv("BENCH_IDS")
for line in io.lines(path) do
  if #line > 0 then ids[#ids + 1] = line end
end

function setup(thread)
  n = n + 1
  thread:set("offset", n * 7)
end

local i = 0
function request()
  i = i + 1
  local id = ids[((i + (offset or 0)) % #ids) + 1]
  return wrk.format("GET", "/v1beta/interactions/" .. id, { ["x-goog-api-key"] = "bench-key" })
end

function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx responses: %d\n", summary.errors.status))
end
