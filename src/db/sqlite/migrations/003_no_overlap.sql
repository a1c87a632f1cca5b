-- The database itself refuses two overlapping confirmed bookings of one
-- provider, as PostgreSQL's exclusion constraint does: whatever a caller
-- checked before, an overlapping write fails here. A booking occupies less
-- than two days (1440 + 2 x 240 minutes), so only bookings starting within two
-- days before the new one can reach it: that bound keeps the index range short.
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings
WHEN NEW.status = 'confirmed'
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    WHERE EXISTS (SELECT 1 FROM bookings b
                  WHERE b.provider_id = NEW.provider_id AND b.status = 'confirmed'
                    AND b.occupied_start < NEW.occupied_end
                    AND b.occupied_start > NEW.occupied_start - 172800
                    AND NEW.occupied_start < b.occupied_end);
END;

CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF occupied_start, occupied_end, status
ON bookings
WHEN NEW.status = 'confirmed'
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    WHERE EXISTS (SELECT 1 FROM bookings b
                  WHERE b.provider_id = NEW.provider_id AND b.status = 'confirmed'
                    AND b.id <> NEW.id
                    AND b.occupied_start < NEW.occupied_end
                    AND b.occupied_start > NEW.occupied_start - 172800
                    AND NEW.occupied_start < b.occupied_end);
END;
