package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openivr/ivr/internal/store"
)

// Append records e in tx, the caller's transaction for the work e describes, so the
// entry exists exactly when the work does. It locks the chain head (PostgreSQL: a row
// lock held to commit; SQLite: the write transaction already holds the database write
// lock), so appends from concurrent transactions queue and the chain stays linear.
// Hold tx briefly after calling Append: every other auditing writer waits for it.
// The entry's time is tx.Now. It returns the entry's sequence number; the error wraps
// ErrInvalidEntry for an entry that cannot be recorded.
func Append(ctx context.Context, tx *store.Tx, e Entry) (int64, error) {
	_, last, err := AppendBatch(ctx, tx, []Entry{e})
	return last, err
}

// AppendBatch records es in tx in order under one lock of the chain head and returns
// the first and last sequence numbers given (both 0 for an empty batch). Use it when
// one request touches many records: a list or search response, an export or a live
// push that shows rows of several patients should append one entry per patient
// (ResourceID the row's id, PatientID its patient) so ForPatient finds every access.
// Rows that hold no patient data may share one entry listing their ids in ResourceID.
// Nothing is written if any entry is invalid.
func AppendBatch(ctx context.Context, tx *store.Tx, es []Entry) (first, last int64, err error) {
	if len(es) == 0 {
		return 0, 0, nil
	}
	norm := make([]Entry, len(es))
	for i, e := range es {
		if norm[i], err = normalize(e); err != nil {
			return 0, 0, fmt.Errorf("append audit entry %d: %w", i, err)
		}
	}
	seq, hash, err := lockHead(ctx, tx)
	if err != nil {
		return 0, 0, err
	}
	recs, err := chainRecords(seq, hash, tx.Now, norm)
	if err != nil {
		return 0, 0, err
	}
	if err := insertRecords(ctx, tx, tx.Dialect, recs); err != nil {
		return 0, 0, err
	}
	end := recs[len(recs)-1]
	if err := setHead(ctx, tx, end.Seq, end.Hash); err != nil {
		return 0, 0, err
	}
	return recs[0].Seq, end.Seq, nil
}

// chainRecords turns entries into records following the head (seq, hash).
func chainRecords(seq int64, hash []byte, now time.Time, es []Entry) ([]Record, error) {
	at := now.UTC().Truncate(time.Microsecond)
	recs := make([]Record, len(es))
	for i, e := range es {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("append audit entry: new id: %w", err)
		}
		seq++
		r := Record{Seq: seq, ID: id.String(), At: at, Entry: e, PrevHash: hash}
		r.Hash = HashRecord(r)
		hash = r.Hash
		recs[i] = r
	}
	return recs, nil
}

// lockHead returns the chain head, locked for the rest of tx, creating the genesis
// head (seq 0, GenesisHash) on first use. Two first appenders on PostgreSQL both
// insert with ON CONFLICT DO NOTHING; the second waits for the first to commit and
// then locks the row it made.
func lockHead(ctx context.Context, tx *store.Tx) (int64, []byte, error) {
	q := `SELECT seq, hash FROM audit_head WHERE id = 1` + tx.Dialect.LockSuffix()
	var seq int64
	var hash []byte
	err := tx.QueryRowContext(ctx, q).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_head (id, seq, hash)
			VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING`, GenesisHash)
		if err != nil {
			return 0, nil, fmt.Errorf("create audit head: %w", err)
		}
		err = tx.QueryRowContext(ctx, q).Scan(&seq, &hash)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("lock audit head: %w", err)
	}
	if len(hash) != HashSize {
		return 0, nil, fmt.Errorf("lock audit head: stored hash has %d bytes", len(hash))
	}
	return seq, hash, nil
}

func setHead(ctx context.Context, tx *store.Tx, seq int64, hash []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`,
		seq, hash)
	if err != nil {
		return fmt.Errorf("update audit head: %w", err)
	}
	return nil
}

const entryColumns = `seq, id, at, actor_id, actor_role, session_id, ip, user_agent,
	action, resource_type, resource_id, patient_id, fields, outcome, reason, severity,
	prev_hash, hash`

const entryColumnCount = 18

// rowsPerInsert bounds the rows of one INSERT: SQLite resolves $N parameters in
// time quadratic in their count, so it gets few rows a statement; PostgreSQL gets
// more to save round trips.
func rowsPerInsert(d store.Dialect) int {
	if d == store.Postgres {
		return 100
	}
	return 8
}

// inserter is what *sql.Tx and *store.Tx offer for writes.
type inserter interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// insertRecords inserts recs, n rows a statement; the full-size statement is
// prepared once when it runs more than once.
func insertRecords(ctx context.Context, tx inserter, d store.Dialect, recs []Record) error {
	n := rowsPerInsert(d)
	var full *sql.Stmt
	if len(recs) >= 2*n {
		var err error
		if full, err = tx.PrepareContext(ctx, insertSQL(n)); err != nil {
			return fmt.Errorf("insert audit entries: %w", err)
		}
		defer full.Close()
	}
	args := make([]any, 0, n*entryColumnCount)
	for len(recs) > 0 {
		k := min(len(recs), n)
		args = args[:0]
		for _, r := range recs[:k] {
			args = append(args, recordArgs(r)...)
		}
		var err error
		if k == n && full != nil {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertSQL(k), args...)
		}
		if err != nil {
			return fmt.Errorf("insert audit entries: %w", err)
		}
		recs = recs[k:]
	}
	return nil
}

// insertSQL returns an INSERT of rows entries.
func insertSQL(rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_entries (` + entryColumns + `) VALUES `)
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range entryColumnCount {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", i*entryColumnCount+j+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

func recordArgs(r Record) []any {
	e := r.Entry
	return []any{
		r.Seq, r.ID, r.At, e.ActorID, e.ActorRole, e.SessionID, e.IP, e.UserAgent,
		e.Action, e.ResourceType, e.ResourceID, e.PatientID, joinFields(e.Fields),
		string(e.Outcome), e.Reason, string(e.Severity), r.PrevHash, r.Hash,
	}
}
