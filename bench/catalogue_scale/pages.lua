-- wrk script of bench/catalogue_scale.py: GET the paths of a file round-robin (one path: the same page
-- every time), each thread from its own offset, with the headers a browser behind the TLS proxy sends.
--   wrk -s pages.lua http://127.0.0.1:PORT -- PATHS_FILE [HOST]
-- Counts the responses by status class (wrk itself counts only >= 400 as errors, and a redirect is no
-- page either) and prints one line, RESULT {json}, with req/s and latency percentiles in ms.

local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  host = args[2] or "cho-ocop.test"
  counter = offset % #paths
  ok, redirects, client_errors, server_errors, first_bad = 0, 0, 0, 0, ""
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1], {
    ["Host"] = host,
    ["X-Forwarded-Proto"] = "https",
    ["User-Agent"] = "Mozilla/5.0 (Linux; Android 14) Mobile",
    ["Accept"] = "text/html",
    ["Accept-Language"] = "vi",
  })
end

function response(status, headers, body)
  if status < 300 then
    ok = ok + 1
  else
    if status < 400 then redirects = redirects + 1
    elseif status < 500 then client_errors = client_errors + 1
    else server_errors = server_errors + 1 end
    if first_bad == "" then first_bad = tostring(status) end
  end
end

function done(summary, latency, requests)
  local counts = {ok = 0, redirects = 0, client_errors = 0, server_errors = 0}
  local bad = ""
  for _, thread in ipairs(threads) do
    for key, _ in pairs(counts) do counts[key] = counts[key] + thread:get(key) end
    if bad == "" then bad = thread:get("first_bad") end
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "rps": %.2f, "p50": %.2f, "p95": %.2f, "p99": %.2f, '
    .. '"max": %.2f, "ok": %d, "redirects": %d, "client_errors": %d, "server_errors": %d, '
    .. '"socket_errors": %d, "timeouts": %d, "first_bad": "%s"}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, counts.ok, counts.redirects, counts.client_errors, counts.server_errors,
    errors.connect + errors.read + errors.write, errors.timeout, bad))
end
