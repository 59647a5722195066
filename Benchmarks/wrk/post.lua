-- wrk script: POSTs WRK_BODY_FILE to WRK_PATH with the headers in WRK_HEADERS ("Name: value|Name: value").
-- With WRK_UNIQUE=1, each "@N@" in the body becomes a value no other request used (fresh deliveries).
local path = os.getenv("WRK_PATH")
local body = io.open(os.getenv("WRK_BODY_FILE"), "rb"):read("*a")
local unique = os.getenv("WRK_UNIQUE") == "1"
local headers = { ["Content-Type"] = "application/json" }
for pair in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^|]+") do
    local name, value = string.match(pair, "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
end
local counter = 0

function setup(thread)
    thread:set("prefix", tostring(math.random(1, 1000000000)))
end

function request()
    counter = counter + 1
    local text = body
    if unique then text = string.gsub(body, "@N@", prefix .. "-" .. counter) end
    return wrk.format("POST", path, headers, text)
end
