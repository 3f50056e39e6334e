-- wrk script: POST prepared requests, each used once. requests.tsv has one line per request:
-- path <TAB> cookie <TAB> urlencoded body. Thread t of T takes lines t, t+T, t+2T, ...
local lines = {}
local threads = {}
local counter = 1

function setup(thread)
   thread:set("id", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

function init(args)
   local file = io.open(args[1], "r")
   for line in file:lines() do
      table.insert(lines, line)
   end
   file:close()
   step = tonumber(args[2])
   position = id
end

function request()
   local line = lines[position]
   if line == nil then
      position = id
      line = lines[position]
   end
   position = position + step
   local path, cookie, body = line:match("([^\t]*)\t([^\t]*)\t(.*)")
   local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
   if cookie ~= "" then headers["Cookie"] = cookie end
   return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
   io.write(string.format("BENCH requests=%d errors_status=%d p50_us=%d p99_us=%d duration_us=%d\n",
      summary.requests, summary.errors.status, latency:percentile(50), latency:percentile(99), summary.duration))
end
