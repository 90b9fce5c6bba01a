-- wrk: cycles through good and bad requests for bench/serve-soak.sh. Files are read from the folder named by
-- BODIES; each thread starts at a different place in the cycle.
local dir = os.getenv("BODIES")
local function read(name)
  local f = assert(io.open(dir .. "/" .. name, "rb"))
  local b = f:read("*all")
  f:close()
  return b
end
local png, json, batch, blank = read("digit.png"), read("pixels.json"), read("batch.json"), read("blank.png")
local bomb = read("bomb.png")
local cycle = {
  { "POST", "/predict", "image/png", png },                    -- 200
  { "POST", "/predict", "application/json", json },            -- 200
  { "POST", "/predict", "application/json", batch },           -- 200 (a list)
  { "POST", "/predict", "image/png", blank },                  -- 200 blank
  { "POST", "/predict", "application/json", '{"pixels":[1,2' },-- 400 malformed
  { "POST", "/predict", "image/png", "not a picture" },        -- 400 does not decode
  { "POST", "/predict", "text/plain", json },                  -- 415
  { "POST", "/predict", "image/png", bomb },                   -- 413 from the header
  { "GET", "/health", nil, nil },                              -- 200
  { "GET", "/metrics", nil, nil },                             -- 200
  { "GET", "/predict", nil, nil },                             -- 405
  { "GET", "/nowhere", nil, nil },                             -- 404
}
local reqs = {}
for i, c in ipairs(cycle) do
  local headers = {}
  if c[3] then headers["Content-Type"] = c[3] end
  reqs[i] = wrk.format(c[1], c[2], headers, c[4])
end
local n = 0
function setup(thread) n = n + 1; thread:set("start", n * 5) end
local i = 0
function init() i = tonumber(start) or 0 end
function request()
  i = i + 1
  return reqs[(i % #reqs) + 1]
end
