-- wrk script for POST /api/v1/facts. Every request carries facts with ids no other request uses.
-- Environment: TENANT, KEY, RUN (a prefix unique to this run), USERS (subjects to spread over),
-- BATCH (facts per request; 1 sends a single fact), DELAY_MS (optional pause before each request).
local tenant = os.getenv("TENANT")
local key = os.getenv("KEY")
local run = os.getenv("RUN") or "r"
local users = tonumber(os.getenv("USERS") or "1000")
local batch = tonumber(os.getenv("BATCH") or "1")
local pause = tonumber(os.getenv("DELAY_MS") or "0")

local threads = {}
local counter = 0
local prefix

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function init(args)
   prefix = run .. "-" .. tid .. "-"
end

local function fact()
   counter = counter + 1
   local user = (counter * 7919 + tid * 104729) % users
   return string.format('{"id":"%s%d","tenant_id":"%s","user_id":"u-%d","type":"order.shipped","attributes":{"value":%d}}',
      prefix, counter, tenant, user, counter % 100)
end

local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }

function request()
   local body
   if batch <= 1 then
      body = fact()
   else
      local parts = {}
      for i = 1, batch do parts[i] = fact() end
      body = '{"facts":[' .. table.concat(parts, ",") .. ']}'
   end
   return wrk.format("POST", "/api/v1/facts", headers, body)
end

if pause > 0 then
   function delay() return pause end
end

function done(summary, latency, requests)
   io.write(string.format("RESULT requests=%d errors=%d non2xx=%d seconds=%.3f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
      summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
      summary.errors.status, summary.duration / 1e6,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
