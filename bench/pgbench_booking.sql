-- The database's own ceiling for POST /api/v1/bookings: one single-row INSERT
-- transaction into the same bookings table (with its exclusion constraint),
-- each at a distinct 5-minute slot (a sequence numbers them). bench/run.sh runs
--   pgbench -n -c 32 -j 2 -T 10 -f bench/pgbench_booking.sql \
--     -D provider_id=P -D service_id=S -D customer0=C -D base=UNIX_SECONDS
-- after CREATE SEQUENCE bench_booking_slot; customers C .. C+31 exist, and client
-- k books as customer C + k % 32 (the wrk script also spreads over 32 customers).
\set customer_id :customer0 + :client_id % 32
BEGIN;
INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at,
                      buffer_before_min, buffer_after_min, occupied_start, occupied_end,
                      status, notes, created_at, updated_at)
SELECT :service_id, :provider_id, :customer_id, t, t + interval '5 minutes', 0, 0,
       t, t + interval '5 minutes', 'confirmed', '', now(), now()
FROM (SELECT to_timestamp(:base + 300 * nextval('bench_booking_slot')) AS t) AS s;
END;
