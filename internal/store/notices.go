package store

import (
	"context"
	"fmt"

	"github.com/openivr/ivr/internal/domain"
)

// Notice is a record a background notice is due for.
type Notice struct {
	ID, Reference, PracticeID, PatientID string
}

// DueExpiring marks and returns approved IVRs whose valid_until falls within
// the next days days and whose notice has not been sent.
func DueExpiring(ctx context.Context, tx *Tx, today domain.Date, days, limit int) ([]Notice, error) {
	return markDue(ctx, tx, `
		SELECT id, reference, practice_id, patient_id FROM ivrs
		WHERE status = 'approved' AND NOT expiring_notified AND valid_until <= $1
		ORDER BY valid_until LIMIT $2`, `UPDATE ivrs SET expiring_notified = TRUE WHERE id = $1`,
		string(today.AddDays(days)), limit)
}

// DueOverdue marks and returns shipped orders two days and more past their
// expected delivery whose notice has not been sent.
func DueOverdue(ctx context.Context, tx *Tx, today domain.Date, limit int) ([]Notice, error) {
	return markDue(ctx, tx, `
		SELECT r.id, r.reference, r.practice_id, v.patient_id FROM orders r
		JOIN ivrs v ON v.id = r.ivr_id
		WHERE r.status = 'shipped' AND NOT r.overdue_notified AND r.expected_delivery <= $1
		ORDER BY r.expected_delivery LIMIT $2`, `UPDATE orders SET overdue_notified = TRUE WHERE id = $1`,
		string(today.AddDays(-domain.OverdueAfterDays)), limit)
}

func markDue(ctx context.Context, tx *Tx, query, mark, bound string, limit int) ([]Notice, error) {
	rows, err := tx.QueryContext(ctx, query, bound, limit)
	if err != nil {
		return nil, fmt.Errorf("due notices: %w", err)
	}
	var out []Notice
	for rows.Next() {
		var n Notice
		if err := rows.Scan(&n.ID, &n.Reference, &n.PracticeID, &n.PatientID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("due notices: %w", err)
		}
		out = append(out, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due notices: %w", err)
	}
	for _, n := range out {
		if _, err := tx.ExecContext(ctx, mark, n.ID); err != nil {
			return nil, fmt.Errorf("mark notice: %w", err)
		}
	}
	return out, nil
}
