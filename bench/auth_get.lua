-- GET the URL given to wrk with "Authorization: Bearer $BENCH_TOKEN".
-- (No response() callback: wrk stays as cheap as it can; its summary counts
-- non-2xx answers.)
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
