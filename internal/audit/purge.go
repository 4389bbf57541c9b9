package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/store"
)

// RetentionYears is how long entries are kept at least (HIPAA's six years).
const RetentionYears = 6

// ErrRetention is returned by Purge for a cut-off younger than RetentionYears.
var ErrRetention = errors.New("audit entries must be kept six years")

// Purge deletes the oldest entries: every entry up to, but not including, the first
// one recorded at or after before, so the retained chain is an unbroken suffix. It
// refuses (ErrRetention) a cut-off later than RetentionYears before now.
//
// Deleting the start of a chain would look like tampering, so in the same
// transaction Purge stores a signed anchor (see SignedCheckpoint, KindAnchor) naming
// the last deleted seq and its hash, which is the prev_hash of the first retained
// entry; Verify starts the chain from it. Checkpoints older than the anchor are
// deleted with the entries. After commit the anchor is also appended to logPath
// when that is not empty. It returns the anchor, or a zero one and no error when
// nothing was old enough.
func Purge(
	ctx context.Context, db *store.DB, s Signer, before time.Time, logPath string,
) (SignedCheckpoint, error) {
	now := db.Now().UTC()
	if limit := now.AddDate(-RetentionYears, 0, 0); before.After(limit) {
		return SignedCheckpoint{}, fmt.Errorf(
			"purge audit entries before %s: %w (latest allowed cut-off %s)",
			before.UTC().Format(time.DateOnly), ErrRetention, limit.Format(time.DateOnly))
	}
	var a SignedCheckpoint
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		a, err = purgeTx(ctx, tx, s, before.UTC().Truncate(time.Microsecond))
		return err
	})
	if err != nil || a.Seq == 0 {
		return SignedCheckpoint{}, err
	}
	return a, AppendLog(logPath, a)
}

func purgeTx(
	ctx context.Context, tx *store.Tx, s Signer, before time.Time,
) (SignedCheckpoint, error) {
	head, _, err := lockHead(ctx, tx)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	cut, err := lastBefore(ctx, tx, before, head)
	if err != nil || cut == 0 {
		return SignedCheckpoint{}, err
	}
	var hash []byte
	err = tx.QueryRowContext(ctx, `SELECT hash FROM audit_entries WHERE seq = $1`, cut).Scan(&hash)
	if err != nil {
		return SignedCheckpoint{}, fmt.Errorf("purge audit entries: read entry %d: %w", cut, err)
	}
	a, err := sign(ctx, s, SignedCheckpoint{Kind: KindAnchor, Seq: cut, Hash: hash,
		At: tx.Now.UTC().Truncate(time.Microsecond), PurgedBefore: before})
	if err != nil {
		return a, err
	}
	if err := storeAnchorAndDelete(ctx, tx, a); err != nil {
		return a, fmt.Errorf("purge audit entries: %w", err)
	}
	return a, nil
}

// lastBefore returns the highest seq such that it and every entry before it were
// recorded before the cut-off; 0 when there is none left to purge.
func lastBefore(ctx context.Context, tx *store.Tx, before time.Time, head int64) (int64, error) {
	var first, young sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT min(seq) FROM audit_entries),
		(SELECT min(seq) FROM audit_entries WHERE at >= $1)`, before).Scan(&first, &young)
	if err != nil {
		return 0, fmt.Errorf("purge audit entries: find cut-off: %w", err)
	}
	if !first.Valid {
		return 0, nil
	}
	cut := head
	if young.Valid {
		cut = young.Int64 - 1
	}
	if cut < first.Int64 {
		return 0, nil
	}
	return cut, nil
}

// storeAnchorAndDelete records the anchor a and deletes the entries it covers and
// the checkpoints before it.
func storeAnchorAndDelete(ctx context.Context, tx *store.Tx, a SignedCheckpoint) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_anchors
		(seq, hash, purged_before, at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
		a.Seq, a.Hash, a.PurgedBefore, a.At, a.KeyID, a.Signature)
	if err != nil {
		return fmt.Errorf("store anchor: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM audit_entries WHERE seq <= $1`, a.Seq); err != nil {
		return fmt.Errorf("delete entries: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM audit_checkpoints WHERE seq < $1`, a.Seq)
	if err != nil {
		return fmt.Errorf("delete checkpoints: %w", err)
	}
	return nil
}
