-- A bounded load for wrk (tests/integration/load.mjs): sends the given GET
-- requests in turn, each with the app's headers and one X-HWID, and
-- counts every answer that is not HTTP 200 with one of the expected
-- bodies. Arguments after wrk's "--": PAUSE (milliseconds each
-- connection waits between requests), HWID, then PATH EXPECT pairs; an
-- EXPECT ending in "*" is a prefix. Each request has a connection of its
-- own, as the app's checks do: a kept-alive one that nginx closes while
-- it reloads would fail a request that a real client sends again. done() prints one line:
-- LOAD {"requests":N,"good":N,"bad":N,"connect":N,...,"sample":"..."}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local reqs, expects, turn, pause = {}, {}, 0, 0

function init(args)
  pause = tonumber(args[1])
  local headers = {
    ["Connection"] = "close",
    ["X-HWID"] = args[2],
    ["X-Device-OS"] = "Android",
    ["X-Ver-OS"] = "14",
    ["X-Device-Model"] = "Pixel 8",
    ["X-App-Version"] = "4.0.1",
    ["User-Agent"] = "Happ/4.0.1/Android/1581",
  }
  for i = 3, #args, 2 do
    reqs[#reqs + 1] = wrk.format("GET", args[i], headers)
    expects[#expects + 1] = args[i + 1]
  end
  good, bad, sample = 0, 0, ""
end

function delay()
  return pause
end

function request()
  turn = turn % #reqs + 1
  return reqs[turn]
end

local function expected(body)
  for _, e in ipairs(expects) do
    if e:sub(-1) == "*" then
      if body:sub(1, #e - 1) == e:sub(1, -2) then
        return true
      end
    elseif body == e then
      return true
    end
  end
  return false
end

function response(status, headers, body)
  if status == 200 and expected(body) then
    good = good + 1
  else
    bad = bad + 1
    if sample == "" then
      sample = (status .. " " .. body):sub(1, 200)
    end
  end
end

function done(summary, latency, requests)
  local g, b, s = 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good")
    b = b + t:get("bad")
    if s == "" then
      s = t:get("sample")
    end
  end
  s = s:gsub("[^%w%p ]", "?"):gsub("[\"\\]", "'")
  local e = summary.errors
  io.write(string.format('LOAD {"requests":%d,"good":%d,"bad":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"sample":"%s"}\n', summary.requests, g, b, e.connect, e.read, e.write,
    e.status, e.timeout, s))
end
