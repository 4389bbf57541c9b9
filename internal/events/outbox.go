package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// Advisory lock keys, next to the migration lock (7240190416) of the store.
const (
	outboxWriteLock = 7240190417
	relayLock       = 7240190418
)

// Write adds e to the outbox inside tx and returns its id. It refuses an event
// whose type, resource or practice is missing or unknown, or whose data is not a
// PHI-minimal object (see the package comment); the error wraps ErrInvalidEvent.
// On PostgreSQL it takes the outbox lock until tx ends, so call it last. A zero
// At is the transaction's time. Call Hub.Notify after the commit.
func Write(ctx context.Context, tx *store.Tx, e Event) (int64, error) {
	if err := validate(e); err != nil {
		return 0, err
	}
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	at := e.At
	if at.IsZero() {
		at = tx.Now
	}
	if tx.Dialect == store.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`,
			int64(outboxWriteLock)); err != nil {
			return 0, fmt.Errorf("write event: lock outbox: %w", err)
		}
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO outbox (type, resource_type, resource_id, practice_id, patient_id,
			data, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.Type, e.Resource.Type, e.Resource.ID, e.PracticeID, e.PatientID, string(data),
		at.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("write event: %w", err)
	}
	return id, nil
}

const outboxColumns = `id, type, resource_type, resource_id, practice_id, patient_id,
	data, at`

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryEvents runs a query selecting outboxColumns.
func queryEvents(ctx context.Context, q queryer, query string, args ...any) ([]Event, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var data string
		if err := rows.Scan(&e.ID, &e.Type, &e.Resource.Type, &e.Resource.ID,
			&e.PracticeID, &e.PatientID, &data, &e.At); err != nil {
			return nil, err
		}
		e.Data, e.At = json.RawMessage(data), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// unpublished returns up to limit unpublished rows in id order, and the id of the
// row before the first of them (0 if none).
func unpublished(ctx context.Context, tx *store.Tx, limit int) ([]Event, int64, error) {
	evs, err := queryEvents(ctx, tx, `SELECT `+outboxColumns+` FROM outbox
		WHERE published_at IS NULL ORDER BY id LIMIT $1`, limit)
	if err != nil || len(evs) == 0 {
		return nil, 0, err
	}
	var prev int64
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM outbox WHERE id < $1`,
		evs[0].ID).Scan(&prev)
	return evs, prev, err
}

func markPublished(ctx context.Context, tx *store.Tx, from, to int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET published_at = $1
		WHERE published_at IS NULL AND id >= $2 AND id <= $3`, tx.Now, from, to)
	return err
}

// lastPublished returns the highest published id.
func lastPublished(ctx context.Context, db *sql.DB) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM outbox
		WHERE published_at IS NOT NULL`).Scan(&id)
	return id, err
}

// eventsBetween returns the rows with after < id < before in id order.
func eventsBetween(ctx context.Context, db *sql.DB, after, before int64) ([]Event, error) {
	return queryEvents(ctx, db, `SELECT `+outboxColumns+` FROM outbox
		WHERE id > $1 AND id < $2 ORDER BY id`, after, before)
}

// publishedAfter returns up to limit published rows with id > after.
func publishedAfter(ctx context.Context, db *sql.DB, after int64, limit int) ([]Event, error) {
	return queryEvents(ctx, db, `SELECT `+outboxColumns+` FROM outbox
		WHERE id > $1 AND published_at IS NOT NULL ORDER BY id LIMIT $2`, after, limit)
}

// subtreeOf is a subquery of the territories assigned to the user in placeholder
// ph and all their descendants.
func subtreeOf(ph string) string {
	return `(WITH RECURSIVE sub(id) AS (
			SELECT territory_id FROM user_territories WHERE user_id = ` + ph + `
			UNION
			SELECT t.id FROM territories t JOIN sub ON t.parent_id = sub.id)
		SELECT id FROM sub)`
}

// practicesOfUser is a subquery of the practices in the user's territory subtree.
func practicesOfUser(ph string) string {
	return `(SELECT id FROM organizations WHERE kind = 'practice'
		AND territory_id IN ` + subtreeOf(ph) + `)`
}

// replay returns up to limit client-visible rows with id > after inside p's scope;
// the scope is part of the SQL, so no row outside it is read.
func replay(ctx context.Context, db *sql.DB, p domain.Principal, after int64,
	limit int) ([]Event, error) {
	q := `SELECT ` + outboxColumns + ` FROM outbox WHERE id > $1 AND type <> $2`
	args := []any{after, TypeScopeChanged, limit}
	switch p.Role.Scope() {
	case domain.ScopePractice:
		q += ` AND practice_id = $4`
		args = append(args, p.OrganizationID)
	case domain.ScopeTerritories:
		q += ` AND practice_id IN ` + practicesOfUser("$4")
		args = append(args, p.UserID)
	}
	return queryEvents(ctx, db, q+` ORDER BY id LIMIT $3`, args...)
}

// practicesInScope returns the practice ids of a territory-scoped user.
func practicesInScope(ctx context.Context, db *sql.DB, userID string) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT id FROM `+practicesOfUser("$1")+` p`, userID)
	if err != nil {
		return nil, fmt.Errorf("resolve scope: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("resolve scope: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}
