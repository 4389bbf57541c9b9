package service

import (
	"context"
	"time"

	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// ExpireDue moves approved IVRs past their valid_until date to expired, in
// batches, each with its history, audit entry and ivr.expired event. It returns
// how many it moved. Reads never show such an IVR as usable even before this
// runs (domain.IVR.EffectiveStatus).
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		err := s.inTx(ctx, func(tx *store.Tx) error {
			due, err := store.ExpireIVRs(ctx, tx, domain.DateOf(tx.Now), 100)
			if err != nil {
				return err
			}
			n = len(due)
			for _, v := range due {
				e := entry(domain.System, "ivr.expire", "ivr", v.ID, v.PatientID, "status")
				e.Outcome = audit.OutcomeSuccess
				if err := record(ctx, tx, e); err != nil {
					return err
				}
				data := map[string]any{"reference": v.Reference, "status": "expired",
					"practice_id": v.PracticeID}
				if err := emit(ctx, tx, "ivr.expired", "ivr", v.ID, v.PracticeID, v.PatientID, data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < 100 {
			return total, nil
		}
	}
}

// SendNotices emits ivr.expiring for approvals ending within seven days and
// order.overdue for shipments two days late, each once.
func (s *Service) SendNotices(ctx context.Context) (int, error) {
	sent := 0
	err := s.inTx(ctx, func(tx *store.Tx) error {
		today := domain.DateOf(tx.Now)
		expiring, err := store.DueExpiring(ctx, tx, today, 7, 200)
		if err != nil {
			return err
		}
		overdue, err := store.DueOverdue(ctx, tx, today, 200)
		if err != nil {
			return err
		}
		for _, n := range expiring {
			if err := emit(ctx, tx, "ivr.expiring", "ivr", n.ID, n.PracticeID, n.PatientID,
				map[string]any{"reference": n.Reference, "status": "approved", "practice_id": n.PracticeID}); err != nil {
				return err
			}
		}
		for _, n := range overdue {
			if err := emit(ctx, tx, "order.overdue", "order", n.ID, n.PracticeID, n.PatientID,
				map[string]any{"reference": n.Reference, "status": "shipped", "practice_id": n.PracticeID}); err != nil {
				return err
			}
		}
		sent = len(expiring) + len(overdue)
		return nil
	})
	return sent, err
}

// RunExpiry runs ExpireDue and SendNotices, and drops idempotency records older
// than a day, every interval until ctx is cancelled.
func (s *Service) RunExpiry(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			s.Log.ErrorContext(ctx, "expire ivrs", "error", err)
		} else if n > 0 {
			s.Log.InfoContext(ctx, "expired ivrs", "count", n)
		}
		if _, err := s.SendNotices(ctx); err != nil && ctx.Err() == nil {
			s.Log.ErrorContext(ctx, "send notices", "error", err)
		}
		// A retry comes within minutes; a day keeps every replay a client can
		// need without keeping sealed responses forever.
		if err := s.DB.PurgeIdempotencyKeys(ctx, s.now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			s.Log.ErrorContext(ctx, "purge idempotency keys", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
