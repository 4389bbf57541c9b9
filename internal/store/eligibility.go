package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/phi"
)

// EligibilityCheck is one electronic eligibility check of an IVR's coverage. The
// summary and the raw 270/271 are sealed: they are PHI.
type EligibilityCheck struct {
	ID           string     `json:"id"`
	IVRID        string     `json:"ivr_id"`
	CoverageRank int        `json:"coverage_rank"`
	Status       string     `json:"status"` // pending, running, ok, failed
	Reason       string     `json:"reason,omitempty"`
	Attempts     int        `json:"attempts"`
	CreatedAt    time.Time  `json:"created_at"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
	Summary      string     `json:"-"` // JSON of the normalised 271
	Raw270       []byte     `json:"-"`
	Raw271       []byte     `json:"-"`
}

// QueueEligibilityCheck adds a pending check for the IVR's coverage rank.
func QueueEligibilityCheck(ctx context.Context, tx *Tx, ivrID string, rank int) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO eligibility_checks (id, ivr_id, coverage_rank, status, next_try_at, created_at)
		VALUES ($1, $2, $3, 'pending', $4, $4)`, NewID(), ivrID, rank, tx.Now)
	if err != nil {
		return fmt.Errorf("queue eligibility check: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE ivrs SET eligibility_status = 'pending' WHERE id = $1`, ivrID)
	return err
}

// ClaimEligibilityChecks marks up to limit due checks running and returns them.
// A check stuck running for more than stale (its instance died) is due again.
// The claim is a conditional UPDATE, so two instances never run one check.
func (db *DB) ClaimEligibilityChecks(ctx context.Context, limit int, stale time.Duration) (
	[]EligibilityCheck, error) {
	var out []EligibilityCheck
	err := db.InTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT id, ivr_id, coverage_rank, attempts FROM eligibility_checks
			WHERE (status = 'pending' AND next_try_at <= $1) OR (status = 'running' AND next_try_at <= $2)
			ORDER BY created_at LIMIT $3`, tx.Now, tx.Now.Add(-stale), limit)
		if err != nil {
			return err
		}
		var due []EligibilityCheck
		for rows.Next() {
			var c EligibilityCheck
			if err := rows.Scan(&c.ID, &c.IVRID, &c.CoverageRank, &c.Attempts); err != nil {
				rows.Close()
				return err
			}
			due = append(due, c)
		}
		rows.Close()
		for _, c := range due {
			res, err := tx.ExecContext(ctx, `UPDATE eligibility_checks SET status = 'running',
				attempts = attempts + 1, next_try_at = $1 WHERE id = $2 AND status IN ('pending', 'running')`,
				tx.Now, c.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				c.Attempts++
				out = append(out, c)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim eligibility checks: %w", err)
	}
	return out, nil
}

// FinishEligibilityCheck stores a check's outcome, sealed, and the IVR's summary
// status.
func FinishEligibilityCheck(ctx context.Context, tx *Tx, c EligibilityCheck) error {
	s := newSealer(tx.Keys, "eligibility_checks", c.ID)
	summary := s.sealOptional("summary", c.Summary)
	raw270 := s.sealOptional("raw270", string(c.Raw270))
	raw271 := s.sealOptional("raw271", string(c.Raw271))
	if s.err != nil {
		return fmt.Errorf("finish eligibility check: %w", s.err)
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE eligibility_checks SET status = $1, reason = $2, summary_enc = $3, raw270_enc = $4,
			raw271_enc = $5, completed_at = $6
		WHERE id = $7`, c.Status, c.Reason, summary, raw270, raw271, tx.Now, c.ID)
	if err != nil {
		return fmt.Errorf("finish eligibility check: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE ivrs SET eligibility_status = $1 WHERE id = $2`, c.Status, c.IVRID)
	return err
}

// EligibilityChecks returns an IVR's checks, newest first, with their summaries
// opened; the caller has loaded the IVR in scope.
func EligibilityChecks(ctx context.Context, q queryer, keys *phi.Keyring, ivrID string) (
	[]EligibilityCheck, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, ivr_id, coverage_rank, status, reason, attempts, created_at, completed_at, summary_enc
		FROM eligibility_checks WHERE ivr_id = $1 ORDER BY created_at DESC, id`, ivrID)
	if err != nil {
		return nil, fmt.Errorf("eligibility checks: %w", err)
	}
	defer rows.Close()
	out := []EligibilityCheck{}
	for rows.Next() {
		var c EligibilityCheck
		var done sql.NullTime
		var summary []byte
		if err := rows.Scan(&c.ID, &c.IVRID, &c.CoverageRank, &c.Status, &c.Reason, &c.Attempts,
			&c.CreatedAt, &done, &summary); err != nil {
			return nil, fmt.Errorf("eligibility checks: %w", err)
		}
		c.CompletedAt = timePtr(done)
		s := newSealer(keys, "eligibility_checks", c.ID)
		if c.Summary = s.open("summary", summary); s.err != nil {
			return nil, s.err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
