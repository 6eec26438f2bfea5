-- wrk script: POST /v1beta/interactions, non-streaming, stored (the default), one tenant.
wrk.method = "POST"
wrk.path = "/v1beta/interactions"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-goog-api-key"] = "bench-key"
wrk.body = '{"model":"gemini-3-flash-preview","input":"Tell me a short joke about programming."}'

-- Non-2xx answers are counted by wrk and reported at the end.
function done(summary, latency, requests)
  io.write(string.format("non-2xx/3xx responses: %d\n", summary.errors.status))
end
