-- Replaying the live-event outbox for one practice (clinic roles) or the practices
-- of a territory subtree reads outbox rows by practice in id order.
CREATE INDEX outbox_practice ON outbox (practice_id, id);
