package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// CreateUser inserts u with its territory assignments. The e-mail is stored
// lower-cased; a duplicate e-mail is an invalid-input error on field "email".
func CreateUser(ctx context.Context, tx *Tx, u *domain.User, demo bool) error {
	if u.ID == "" {
		u.ID = NewID()
	}
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Version, u.CreatedAt, u.PasswordChangedAt = 1, tx.Now, tx.Now
	var exists int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM users WHERE email = $1`, u.Email).Scan(&exists)
	if err == nil {
		return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"email": "already in use"}}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("create user: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO users (id, email, name, role, organization_id, npi, password_hash,
			password_changed_at, mfa_secret_enc, mfa_enabled, email_notifications,
			is_service, is_demo, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $8, $8)`,
		u.ID, u.Email, u.Name, string(u.Role), u.OrganizationID, u.NPI, u.PasswordHash,
		tx.Now, u.MFASecret, u.MFAEnabled, u.EmailNotifications, u.Service, demo)
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return SetUserTerritories(ctx, tx, u.ID, u.TerritoryIDs)
}

// SetUserTerritories replaces the user's territory assignments.
func SetUserTerritories(ctx context.Context, tx *Tx, userID string, ids []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_territories WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("set territories: %w", err)
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO user_territories (user_id, territory_id) VALUES ($1, $2)`,
			userID, id); err != nil {
			return fmt.Errorf("set territories: %w", err)
		}
	}
	return nil
}

const userColumns = `u.id, u.email, u.name, u.role, u.organization_id, u.npi,
	u.password_hash, u.password_changed_at, u.mfa_secret_enc, u.mfa_enabled,
	u.mfa_last_step, u.email_notifications, u.is_service, u.disabled_at, u.version,
	u.created_at`

func scanUser(row interface{ Scan(...any) error }) (domain.User, error) {
	var u domain.User
	var disabled sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.OrganizationID, &u.NPI,
		&u.PasswordHash, &u.PasswordChangedAt, &u.MFASecret, &u.MFAEnabled, &u.MFALastStep,
		&u.EmailNotifications, &u.Service, &disabled, &u.Version, &u.CreatedAt)
	if disabled.Valid {
		t := disabled.Time
		u.DisabledAt = &t
	}
	return u, err
}

// UserByEmail returns the user with the e-mail (case-insensitive), or
// domain.ErrNotFound.
func (db *DB) UserByEmail(ctx context.Context, email string) (domain.User, error) {
	return db.userWhere(ctx, "u.email = $1", strings.ToLower(strings.TrimSpace(email)))
}

// UserByID returns the user with id, or domain.ErrNotFound.
func (db *DB) UserByID(ctx context.Context, id string) (domain.User, error) {
	return db.userWhere(ctx, "u.id = $1", id)
}

func (db *DB) userWhere(ctx context.Context, where string, arg any) (domain.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users u WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, domain.ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("get user: %w", err)
	}
	u.TerritoryIDs, err = db.userTerritories(ctx, u.ID)
	return u, err
}

func (db *DB) userTerritories(ctx context.Context, userID string) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT territory_id FROM user_territories WHERE user_id = $1 ORDER BY territory_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("user territories: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("user territories: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ListUsers returns every user, ordered by e-mail (admin only; the caller checks).
func (db *DB) ListUsers(ctx context.Context) ([]domain.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.email`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	for i := range out {
		if out[i].TerritoryIDs, err = db.userTerritories(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SetPassword stores a new password hash; when changed is true it also moves
// password_changed_at, which ends every session created before it.
func SetPassword(ctx context.Context, tx *Tx, userID, hash string, changed bool) error {
	q := `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`
	if changed {
		q = `UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2,
			version = version + 1 WHERE id = $3`
	}
	res, err := tx.ExecContext(ctx, q, hash, tx.Now, userID)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return expectOne(res, "set password")
}

// SetMFA stores the encrypted TOTP secret and whether MFA is confirmed; a nil
// secret removes MFA. Recovery codes are replaced by hashes (nil: none).
func SetMFA(ctx context.Context, tx *Tx, userID string, secretEnc []byte, enabled bool,
	recoveryHashes [][]byte) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE users SET mfa_secret_enc = $1, mfa_enabled = $2, mfa_last_step = 0,
			updated_at = $3, version = version + 1
		WHERE id = $4`, secretEnc, enabled, tx.Now, userID)
	if err != nil {
		return fmt.Errorf("set mfa: %w", err)
	}
	if err := expectOne(res, "set mfa"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("set mfa: %w", err)
	}
	for _, h := range recoveryHashes {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return fmt.Errorf("set mfa: %w", err)
		}
	}
	return nil
}

// UseTOTPStep records that the code of step was used. It reports false when that
// step or a later one was already used: a replay. The check and the write are one
// statement, so two concurrent uses of one code cannot both pass.
func UseTOTPStep(ctx context.Context, tx *Tx, userID string, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `
		UPDATE users SET mfa_last_step = $1 WHERE id = $2 AND mfa_last_step < $1`, step, userID)
	if err != nil {
		return false, fmt.Errorf("use totp step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RecoveryCodeHashes returns the user's unused recovery code hashes.
func RecoveryCodeHashes(ctx context.Context, tx *Tx, userID string) ([][]byte, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID)
	if err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("recovery codes: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// UseRecoveryCode marks one recovery code used; false when it was already used.
func UseRecoveryCode(ctx context.Context, tx *Tx, userID string, hash []byte) (bool, error) {
	res, err := tx.ExecContext(ctx, `
		UPDATE recovery_codes SET used_at = $1
		WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`, tx.Now, userID, hash)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetDisabled disables or re-enables a user. Disabling ends every session.
func SetDisabled(ctx context.Context, tx *Tx, userID string, disabled bool) error {
	var at any
	if disabled {
		at = tx.Now
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE users SET disabled_at = $1, updated_at = $2, version = version + 1 WHERE id = $3`,
		at, tx.Now, userID)
	if err != nil {
		return fmt.Errorf("disable user: %w", err)
	}
	if err := expectOne(res, "disable user"); err != nil {
		return err
	}
	if disabled {
		return RevokeUserSessions(ctx, tx, userID)
	}
	return nil
}

// HasNonDemoData reports whether the database holds any organization or user not
// created by the demo seeder.
func (db *DB) HasNonDemoData(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM organizations WHERE NOT is_demo)
		     + (SELECT count(*) FROM users WHERE NOT is_demo)`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check for non-demo data: %w", err)
	}
	return n > 0, nil
}

// HasAnyUser reports whether any user exists.
func (db *DB) HasAnyUser(ctx context.Context) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return false, fmt.Errorf("count users: %w", err)
	}
	return n > 0, nil
}

// Session is a login (web cookie or API bearer), an MFA challenge, or an API
// token's use. Only the token's hash is stored.
type Session struct {
	ID         string
	TokenHash  []byte
	UserID     string
	Kind       string // "session" or "mfa"
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	MFAAt      *time.Time
	RevokedAt  *time.Time
}

// CreateSession inserts s.
func CreateSession(ctx context.Context, tx *Tx, s *Session) error {
	if s.ID == "" {
		s.ID = NewID()
	}
	s.CreatedAt, s.LastSeenAt = tx.Now, tx.Now
	_, err := tx.ExecContext(ctx, `
		INSERT INTO sessions (id, token_hash, user_id, kind, ip, user_agent, created_at,
			last_seen_at, mfa_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
		s.ID, s.TokenHash, s.UserID, s.Kind, s.IP, s.UserAgent, tx.Now, s.MFAAt)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByHash returns the session with the token hash and kind, or
// domain.ErrNotFound.
func (db *DB) SessionByHash(ctx context.Context, hash []byte, kind string) (Session, error) {
	var s Session
	var mfa, revoked sql.NullTime
	err := db.read.QueryRowContext(ctx, `
		SELECT id, token_hash, user_id, kind, ip, user_agent, created_at, last_seen_at,
			mfa_at, revoked_at
		FROM sessions WHERE token_hash = $1 AND kind = $2`, hash, kind).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &s.Kind, &s.IP, &s.UserAgent, &s.CreatedAt,
			&s.LastSeenAt, &mfa, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return s, domain.ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("get session: %w", err)
	}
	if mfa.Valid {
		s.MFAAt = &mfa.Time
	}
	if revoked.Valid {
		s.RevokedAt = &revoked.Time
	}
	return s, nil
}

// TouchSession records activity on a session, at most once per interval, so a
// busy client does not write on every request.
func (db *DB) TouchSession(ctx context.Context, id string, now time.Time, every time.Duration) error {
	_, err := db.write.ExecContext(ctx, `
		UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3`,
		now, id, now.Add(-every))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// RevokeSession ends one session at once.
func RevokeSession(ctx context.Context, tx *Tx, id string) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, tx.Now, id)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeUserSessions ends every session of the user.
func RevokeUserSessions(ctx context.Context, tx *Tx, userID string) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`,
		tx.Now, userID)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// SetEmail changes a user's e-mail; one already in use is an invalid-input error.
func SetEmail(ctx context.Context, tx *Tx, userID, email string) error {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&other)
	if err == nil && other != userID {
		return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"email": "already in use"}}
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET email = $1, updated_at = $2, version = version + 1
		WHERE id = $3`, email, tx.Now, userID)
	if err != nil {
		return fmt.Errorf("set email: %w", err)
	}
	return expectOne(res, "set email")
}

// RevokeOtherSessions ends every session of the user but keep.
func RevokeOtherSessions(ctx context.Context, tx *Tx, userID, keep string) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND id <> $3 AND revoked_at IS NULL`,
		tx.Now, userID, keep)
	if err != nil {
		return fmt.Errorf("revoke other sessions: %w", err)
	}
	return nil
}
