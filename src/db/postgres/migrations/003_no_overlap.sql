-- The no-overlap rule is the exclusion constraint of 002_booking.sql; this
-- number is kept so both engines share migration numbers.
SELECT 1;
