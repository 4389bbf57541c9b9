-- Background notices are sent once: ivr.expiring seven days before valid_until,
-- order.overdue two days past the expected delivery.
ALTER TABLE ivrs ADD COLUMN expiring_notified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE orders ADD COLUMN overdue_notified BOOLEAN NOT NULL DEFAULT FALSE;
