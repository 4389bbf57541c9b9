package audit

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/store"
)

// Page is one page of entries, newest first. Next is the cursor of the following
// page, "" on the last.
type Page struct {
	Records []Record
	Next    string
}

// Filter selects entries for Search. Empty fields do not filter; From is inclusive
// and To exclusive. Limit defaults to 50 and may not exceed MaxLimit.
type Filter struct {
	PatientID string
	ActorID   string
	Action    string
	From, To  time.Time
	Cursor    string
	Limit     int
}

// MaxLimit is the largest page Search and ForPatient return.
const MaxLimit = 500

// ErrBadCursor is wrapped by the error returned for a cursor this package did not
// produce.
var ErrBadCursor = errors.New("bad audit cursor")

const cursorPrefix = "a1:"

// encodeCursor returns the opaque cursor of the page after seq.
func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.FormatInt(seq, 10)))
}

// decodeCursor returns the seq a cursor continues below; 0 for "".
func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(c) > 40 {
		return 0, fmt.Errorf("%w: not a cursor", ErrBadCursor)
	}
	digits, ok := strings.CutPrefix(string(b), cursorPrefix)
	seq, err := strconv.ParseInt(digits, 10, 64)
	if !ok || err != nil || seq < 1 || digits != strconv.FormatInt(seq, 10) {
		return 0, fmt.Errorf("%w: not a cursor", ErrBadCursor)
	}
	return seq, nil
}

// ForPatient answers "who saw this patient": the entries naming patientID, newest
// first, in one query on the audit_patient index. cursor is "" or a Page.Next from
// a previous call; a cursor it did not produce yields an error wrapping
// ErrBadCursor.
func ForPatient(
	ctx context.Context, db *store.DB, patientID, cursor string, limit int,
) (Page, error) {
	if patientID == "" {
		return Page{}, errors.New("audit for patient: patient id is required")
	}
	return Search(ctx, db, Filter{PatientID: patientID, Cursor: cursor, Limit: limit})
}

// Search returns the entries matching f, newest first, paginated by seq. The error
// wraps ErrBadCursor for a bad cursor and names a bad limit or time range.
func Search(ctx context.Context, db *store.DB, f Filter) (Page, error) {
	q, args, limit, err := searchQuery(f)
	if err != nil {
		return Page{}, fmt.Errorf("search audit entries: %w", err)
	}
	rows, err := db.Reader().QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("search audit entries: %w", err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return Page{}, fmt.Errorf("search audit entries: %w", err)
		}
		p.Records = append(p.Records, r)
	}
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("search audit entries: %w", err)
	}
	if len(p.Records) > limit {
		p.Records = p.Records[:limit]
		p.Next = encodeCursor(p.Records[limit-1].Seq)
	}
	return p, nil
}

// searchQuery builds the query for f; it asks for one row more than the limit to
// learn whether there is a next page.
func searchQuery(f Filter) (string, []any, int, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > MaxLimit:
		return "", nil, 0, fmt.Errorf("limit must be between 1 and %d", MaxLimit)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return "", nil, 0, errors.New("to must be after from")
	}
	before, err := decodeCursor(f.Cursor)
	if err != nil {
		return "", nil, 0, err
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.PatientID != "" {
		add("patient_id = $%d", f.PatientID)
	}
	if f.ActorID != "" {
		add("actor_id = $%d", f.ActorID)
	}
	if f.Action != "" {
		add("action = $%d", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC())
	}
	if before > 0 {
		add("seq < $%d", before)
	}
	q := `SELECT ` + entryColumns + ` FROM audit_entries`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(` ORDER BY seq DESC LIMIT $%d`, len(args))
	return q, args, limit, nil
}
