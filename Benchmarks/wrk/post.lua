-- wrk script: POSTs WRK_BODY_FILE to WRK_PATH with the headers in WRK_HEADERS ("Name: value|Name: value");
-- with WRK_METHOD=GET, GETs WRK_PATH instead (no body, no WRK_BODY_FILE needed).
-- With WRK_UNIQUE=1, each "@N@" in the body becomes digits no other request used (fresh deliveries; a Telegram user id).
-- With WRK_LINES_FILE, each request takes the next line ("header value<TAB>body"; the header named
-- by WRK_LINE_HEADER) and no line is sent twice: pre-signed fresh webhook deliveries.
local path = os.getenv("WRK_PATH")
local method = os.getenv("WRK_METHOD") or "POST"
if method == "" then method = "POST" end
local body = ""
if method ~= "GET" then body = io.open(os.getenv("WRK_BODY_FILE"), "rb"):read("*a") end
local unique = os.getenv("WRK_UNIQUE") == "1"
local headers = {}
if method ~= "GET" then headers["Content-Type"] = "application/json" end
for pair in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^|]+") do
    local name, value = string.match(pair, "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
end
local counter = 0
local lines = {}
local line_header = os.getenv("WRK_LINE_HEADER")
if (os.getenv("WRK_LINES_FILE") or "") ~= "" then
    for line in io.lines(os.getenv("WRK_LINES_FILE")) do lines[#lines + 1] = line end
end
local threads = 0

function setup(thread)
    thread:set("prefix", tostring(math.random(100000, 999999)))
    thread:set("index", threads)
    threads = threads + 1
    thread:set("stride", 2)
end

function request()
    counter = counter + 1
    if method == "GET" then return wrk.format("GET", path, headers) end
    if #lines > 0 then
        local line = lines[((counter - 1) * stride + index) % #lines + 1]
        local value, text = string.match(line, "^([^\t]*)\t(.*)$")
        if line_header and value ~= "" then headers[line_header] = value end
        return wrk.format("POST", path, headers, text)
    end
    local text = body
    if unique then text = string.gsub(body, "@N@", prefix .. string.format("%08d", counter)) end
    return wrk.format("POST", path, headers, text)
end
