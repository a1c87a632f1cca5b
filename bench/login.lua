-- POST /api/v1/auth/login as one user: wrk -s bench/login.lua URL/api/v1/auth/login
-- env: BENCH_EMAIL, BENCH_PASSWORD
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
require "status"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"email":"%s","password":"%s"}',
                         os.getenv("BENCH_EMAIL"), os.getenv("BENCH_PASSWORD"))
