-- Lists are ordered by id (time-ordered UUIDv7) within a practice; index exactly
-- that, so a page of one practice reads its rows in order and stops at the limit
-- instead of sorting every row of the practice.
DROP INDEX ivrs_practice;
CREATE INDEX ivrs_practice ON ivrs (practice_id, id);
DROP INDEX patients_practice;
CREATE INDEX patients_practice ON patients (practice_id, id);
DROP INDEX orders_practice;
CREATE INDEX orders_practice ON orders (practice_id, id);
