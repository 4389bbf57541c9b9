package audit

import (
	"database/sql"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/store"
)

// verifySelect returns the column list Verify reads. On SQLite the time comes as
// its stored text, parsed here: faster than the driver's parsing, and a value
// tampered into something that is not a time becomes a finding, not a failure.
func verifySelect(d store.Dialect) string {
	if d != store.SQLite {
		return entryColumns
	}
	return strings.Replace(entryColumns, " at,", " CAST(at AS TEXT),", 1)
}

// scanVerify reads a row of verifySelect(d). A row whose time cannot be read
// (which only tampering can cause) yields a description, not an error.
func scanVerify(d store.Dialect, rows *sql.Rows) (Record, string, error) {
	if d != store.SQLite {
		r, err := scanRecord(rows)
		return r, "", err
	}
	var r Record
	var at, fields, outcome, severity string
	e := &r.Entry
	err := rows.Scan(&r.Seq, &r.ID, &at, &e.ActorID, &e.ActorRole, &e.SessionID, &e.IP,
		&e.UserAgent, &e.Action, &e.ResourceType, &e.ResourceID, &e.PatientID, &fields,
		&outcome, &e.Reason, &severity, &r.PrevHash, &r.Hash)
	if err != nil {
		return r, "", wrapRead(err)
	}
	e.Fields, e.Outcome, e.Severity = splitFields(fields), Outcome(outcome), Severity(severity)
	if r.At, err = parseSQLiteTime(at); err != nil {
		return r, "stored time cannot be read", nil
	}
	return r, "", nil
}

// parseSQLiteTime reads the form the SQLite driver stores, "2006-01-02
// 15:04:05.999999999-07:00", fast for UTC values and through time.Parse otherwise.
func parseSQLiteTime(s string) (time.Time, error) {
	if t, ok := fastUTC(s); ok {
		return t, nil
	}
	t, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", s)
	return t.UTC(), err
}

// fastUTC parses "YYYY-MM-DD hh:mm:ss[.f{1,9}]+00:00".
func fastUTC(s string) (time.Time, bool) {
	if len(s) < 25 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
		s[16] != ':' || !strings.HasSuffix(s, "+00:00") {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		n := 0
		for _, c := range []byte(s[a:b]) {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d, h, mi, sec := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19)
	frac, ns := s[19:len(s)-6], 0
	if frac != "" {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		if ns = num(20, 19+len(frac)); ns < 0 {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			ns *= 10
		}
	}
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
		mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}
