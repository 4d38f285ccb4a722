-- One wrk script for every scenario. The driver writes a spec directory per scenario:
-- method, paths (rotated), headers, optional tokens (rotated, each used once per thread slice)
-- spliced between body_head and body_tail. done() prints one JSON line the driver parses.
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function lines(path)
  local t = {}
  local f = io.open(path, "rb")
  if not f then return t end
  for l in f:lines() do
    if #l > 0 then t[#t + 1] = l end
  end
  f:close()
  return t
end

function init(args)
  local dir = args[1]
  nthreads = tonumber(args[2])
  method = read(dir .. "/method"):gsub("%s+$", "")
  paths = lines(dir .. "/paths")
  tokens = lines(dir .. "/tokens")
  head = read(dir .. "/body_head") or ""
  tail = read(dir .. "/body_tail") or ""
  hdrs = {}
  for _, l in ipairs(lines(dir .. "/headers")) do
    local k, v = l:match("^([^:]+):%s*(.*)$")
    hdrs[k] = v
  end
  n = tid
end

function request()
  local path = paths[(n % #paths) + 1]
  local body = nil
  if #tokens > 0 then
    body = head .. tokens[(n % #tokens) + 1] .. tail
  elseif #head > 0 then
    body = head
  end
  n = n + nthreads
  return wrk.format(method, path, hdrs, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
