package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// APITokenRow is a stored integration token (hash only).
type APITokenRow struct {
	ID, Name, UserID      string
	CreatedAt             time.Time
	LastUsedAt, RevokedAt *time.Time
}

// CreateAPIToken stores a token's hash.
func CreateAPIToken(ctx context.Context, tx *Tx, id string, hash []byte, userID, name, by string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO api_tokens (id, token_hash, user_id, name, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, hash, userID, name, by, tx.Now)
	if err != nil {
		return fmt.Errorf("create api token: %w", err)
	}
	return nil
}

const tokenSelect = `SELECT id, name, user_id, created_at, last_used_at, revoked_at FROM api_tokens`

func scanToken(row interface{ Scan(...any) error }) (APITokenRow, error) {
	var t APITokenRow
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.Name, &t.UserID, &t.CreatedAt, &used, &revoked)
	t.LastUsedAt, t.RevokedAt = timePtr(used), timePtr(revoked)
	return t, err
}

// APITokenByHash returns the token with the hash, or domain.ErrNotFound.
func APITokenByHash(ctx context.Context, db *sql.DB, hash []byte) (APITokenRow, error) {
	t, err := scanToken(db.QueryRowContext(ctx, tokenSelect+` WHERE token_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, domain.ErrNotFound
	}
	return t, err
}

// ListAPITokens returns every token, newest first.
func ListAPITokens(ctx context.Context, db *sql.DB) ([]APITokenRow, error) {
	rows, err := db.QueryContext(ctx, tokenSelect+` ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list api tokens: %w", err)
	}
	defer rows.Close()
	out := []APITokenRow{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list api tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken marks a token revoked; domain.ErrNotFound if there is none.
func RevokeAPIToken(ctx context.Context, tx *Tx, id string) error {
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1
		WHERE id = $2 AND revoked_at IS NULL`, tx.Now, id)
	if err != nil {
		return fmt.Errorf("revoke api token: %w", err)
	}
	return expectOne(res, "revoke api token")
}

// TouchAPIToken records a token's use, at most once per interval.
func (db *DB) TouchAPIToken(ctx context.Context, id string, now time.Time, every time.Duration) error {
	_, err := db.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1
		WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)`, now, id, now.Add(-every))
	return err
}
