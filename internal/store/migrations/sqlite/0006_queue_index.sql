-- The specialist queue reads submitted and in-review IVRs escalated first, then
-- by priority, then oldest first. A partial index in exactly that order lets a
-- page stop at its limit instead of sorting the whole queue.
CREATE INDEX ivrs_queue ON ivrs (escalated DESC, priority DESC, submitted_at, id)
    WHERE status IN ('submitted', 'in_review');
