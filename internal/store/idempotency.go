package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// IdemResult is a stored response to an idempotent request.
type IdemResult struct {
	Status int
	Body   []byte
}

// ClaimIdempotencyKey records that the user started a request under key, or
// returns the earlier request's outcome: (result, true) when it finished,
// (nil, true) when it is still running. A different body under the same key is
// an invalid-input error.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, userID, key, method, path string,
	bodyHash []byte) (*IdemResult, bool, error) {
	var res *IdemResult
	var seen bool
	err := db.InTx(ctx, func(tx *Tx) error {
		r, err := tx.ExecContext(ctx, `
			INSERT INTO idempotency_keys (user_id, idem_key, method, path, body_hash, status,
				response_enc, created_at)
			VALUES ($1, $2, $3, $4, $5, 0, $6, $7)
			ON CONFLICT (user_id, idem_key) DO NOTHING`,
			userID, key, method, path, bodyHash, []byte{}, tx.Now)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 1 {
			return nil
		}
		seen = true
		var status int
		var m, p string
		var hash, enc []byte
		err = tx.QueryRowContext(ctx, `SELECT method, path, body_hash, status, response_enc
			FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2`, userID, key).
			Scan(&m, &p, &hash, &status, &enc)
		if err != nil {
			return err
		}
		if m != method || p != path || !bytes.Equal(hash, bodyHash) {
			return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"Idempotency-Key": "was used with another request"}}
		}
		if status == 0 {
			return nil
		}
		s := newSealer(tx.Keys, "idempotency_keys", userID+"/"+key)
		body := s.open("response", enc)
		res = &IdemResult{Status: status, Body: []byte(body)}
		return s.err
	})
	if err != nil {
		return nil, false, fmt.Errorf("idempotency key: %w", err)
	}
	return res, seen, nil
}

// FinishIdempotencyKey stores the response of a claimed request (sealed: it may
// hold PHI), or releases the claim when status is 0 so a retry can run again.
func (db *DB) FinishIdempotencyKey(ctx context.Context, userID, key string, status int, body []byte) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if status == 0 {
			_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys
				WHERE user_id = $1 AND idem_key = $2 AND status = 0`, userID, key)
			return err
		}
		s := newSealer(tx.Keys, "idempotency_keys", userID+"/"+key)
		enc := s.seal("response", string(body))
		if s.err != nil {
			return s.err
		}
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, response_enc = $2
			WHERE user_id = $3 AND idem_key = $4`, status, enc, userID, key)
		return err
	})
}

// PurgeIdempotencyKeys deletes keys older than before.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context, before time.Time) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("purge idempotency keys: %w", err)
	}
	return nil
}
