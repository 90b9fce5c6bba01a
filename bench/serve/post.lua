-- wrk: POST the file named by BODY with the Content-Type named by TYPE (environment variables).
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = os.getenv("TYPE")
