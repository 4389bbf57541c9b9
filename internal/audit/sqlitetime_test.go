package audit

import (
	"testing"
	"time"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

const sqliteLayout = "2006-01-02 15:04:05.999999999-07:00"

func TestParseSQLiteTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-01-02 03:04:05+00:00", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"2026-01-02 03:04:05.123456+00:00", time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), true},
		{"2026-01-02 03:04:05.5+00:00", time.Date(2026, 1, 2, 3, 4, 5, 5e8, time.UTC), true},
		{"2026-01-02 05:04:05+02:00", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"2026-02-30 03:04:05+00:00", time.Time{}, false},
		{"2026-01-02 03:04:05.+00:00", time.Time{}, false},
		{"garbage", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := parseSQLiteTime(tc.in)
		if (err == nil) != tc.ok || tc.ok && !got.Equal(tc.want) {
			t.Errorf("parseSQLiteTime(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzFastUTC checks the fast path against time.Parse: whatever it accepts,
// time.Parse must read as the same instant.
func FuzzFastUTC(f *testing.F) {
	f.Add("2026-01-02 03:04:05.123456+00:00")
	f.Add("2026-12-31 23:59:59+00:00")
	f.Add("0000-01-01 00:00:00.000000001+00:00")
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := fastUTC(s)
		if !ok {
			return
		}
		slow, err := time.Parse(sqliteLayout, s)
		if err != nil || !slow.Equal(fast) {
			t.Errorf("fastUTC(%q) = %v; time.Parse = %v, %v", s, fast, slow, err)
		}
	})
}

func TestVerifyReportsUnreadableTime(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	MustAppend(t, db, 0, 4)
	MustExec(t, db, `UPDATE audit_entries SET at = 'yesterday' WHERE seq = 2`)
	rep := MustVerify(t, db, MustSigner(t), "")
	if p, ok := rep.FirstBad(); !ok || p.Seq != 2 || rep.Entries != 4 {
		t.Errorf("first problem %v (report %+v), want seq 2 and 4 entries read", p, rep)
	}
}
