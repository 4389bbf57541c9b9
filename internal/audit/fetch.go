package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/openivr/ivr/internal/store"
)

// beginRead starts a read-only transaction. On PostgreSQL it is REPEATABLE READ
// and, once the first one exported its snapshot, imports it, so every reader of
// one Verify sees the same data. SQLite readers (WAL) each see the database as of
// their first read; entries are only ever added past the head, so they agree on
// every seq up to the head unless entries are deleted or changed meanwhile (a
// concurrent Purge can then show up as missing entries; run Verify again).
func (v *verifier) beginRead(ctx context.Context) (*sql.Tx, error) {
	txo := &sql.TxOptions{ReadOnly: true}
	if v.db.Dialect == store.Postgres {
		txo.Isolation = sql.LevelRepeatableRead
	}
	tx, err := v.db.Reader().BeginTx(ctx, txo)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if v.snapshot == "" {
		return tx, nil
	}
	if strings.Trim(v.snapshot, "0123456789ABCDEF-") != "" {
		tx.Rollback()
		return nil, errors.New("unexpected snapshot id from the database")
	}
	if _, err := tx.ExecContext(ctx, `SET TRANSACTION SNAPSHOT '`+v.snapshot+`'`); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("import snapshot: %w", err)
	}
	return tx, nil
}

// chunkBounds splits the entries into ranges of ChunkSize entries by walking the
// primary key index: it returns the first seq and the inclusive upper seq of each
// range, or no ranges when there are no entries.
func (v *verifier) chunkBounds(ctx context.Context, tx *sql.Tx) (int64, []int64, error) {
	var lo, hi sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT min(seq), max(seq) FROM audit_entries`).Scan(&lo, &hi)
	if err != nil || !lo.Valid {
		return 0, nil, wrapRead(err)
	}
	var bounds []int64
	q := `SELECT seq FROM audit_entries WHERE seq >= $1 ORDER BY seq LIMIT 1 OFFSET $2`
	from := lo.Int64
	for {
		var b int64
		err := tx.QueryRowContext(ctx, q, from, v.opts.ChunkSize-1).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) || err == nil && b == hi.Int64 {
			return lo.Int64, append(bounds, hi.Int64), nil
		}
		if err != nil {
			return 0, nil, wrapRead(err)
		}
		bounds = append(bounds, b)
		from = b + 1
	}
}

func wrapRead(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("read audit entries: %w", err)
}

// fetched is a record read for Verify; bad says why it could not be decoded.
type fetched struct {
	Record
	bad string
}

type chunk struct {
	recs []fetched
	err  error
}

// stream reads every entry in seq order, chunk by chunk, on Workers read
// transactions at once, and checks each entry in order.
func (v *verifier) stream(ctx context.Context, tx *sql.Tx) error {
	lo, bounds, err := v.chunkBounds(ctx, tx)
	if err != nil || len(bounds) == 0 {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	w := min(v.opts.Workers, len(bounds))
	outs := make([]chan chunk, w)
	for i := range outs {
		outs[i] = make(chan chunk, 2)
		wg.Go(func() { v.fetch(ctx, i, w, lo, bounds, outs[i]) })
	}
	first := true
	for k := range bounds {
		c, ok := <-outs[k%w]
		if !ok {
			return fmt.Errorf("read audit entries: %w", context.Cause(ctx))
		}
		if c.err != nil {
			return c.err
		}
		for _, r := range c.recs {
			if first {
				v.start(r.Record)
				first = false
			}
			v.check(r.Record, r.bad)
		}
	}
	return nil
}

// fetch reads chunks id, id+w, id+2w... and sends them to out in that order.
func (v *verifier) fetch(
	ctx context.Context, id, w int, lo int64, bounds []int64, out chan<- chunk,
) {
	defer close(out)
	send := func(c chunk) bool {
		select {
		case out <- c:
			return c.err == nil
		case <-ctx.Done():
			return false
		}
	}
	tx, err := v.beginRead(ctx)
	if err != nil {
		send(chunk{err: fmt.Errorf("read audit entries: %w", err)})
		return
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `SELECT `+verifySelect(v.db.Dialect)+`
		FROM audit_entries WHERE seq >= $1 AND seq <= $2 ORDER BY seq`)
	if err != nil {
		send(chunk{err: wrapRead(err)})
		return
	}
	defer stmt.Close()
	for k := id; k < len(bounds); k += w {
		from := lo
		if k > 0 {
			from = bounds[k-1] + 1
		}
		recs, err := readRange(ctx, v.db.Dialect, stmt, from, bounds[k], v.opts.ChunkSize)
		if !send(chunk{recs, err}) {
			return
		}
	}
}

func readRange(
	ctx context.Context, d store.Dialect, stmt *sql.Stmt, from, to int64, n int,
) ([]fetched, error) {
	rows, err := stmt.QueryContext(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("read audit entries %d..%d: %w", from, to, err)
	}
	defer rows.Close()
	recs := make([]fetched, 0, n)
	for rows.Next() {
		r, bad, err := scanVerify(d, rows)
		if err != nil {
			return nil, err
		}
		recs = append(recs, fetched{r, bad})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit entries %d..%d: %w", from, to, err)
	}
	return recs, nil
}
