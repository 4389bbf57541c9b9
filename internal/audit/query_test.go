package audit

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

func seqs(p Page) []int64 {
	var out []int64
	for _, r := range p.Records {
		out = append(out, r.Seq)
	}
	return out
}

func TestForPatientPages(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		MustAppend(t, db, 0, 20) // pat-1 is entries i = 1, 5, 9, 13, 17: seq 2, 6, 10, 14, 18
		var got [][]int64
		cursor := ""
		for range 4 {
			p, err := ForPatient(ctx, db, "pat-1", cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, seqs(p))
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		want := [][]int64{{18, 14}, {10, 6}, {2}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
		if _, err := ForPatient(ctx, db, "", "", 10); err == nil {
			t.Error("empty patient id accepted")
		}
	})
}

func TestSearchFilters(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		at(db, date(2026, 1, 1))
		MustAppend(t, db, 0, 6)
		at(db, date(2026, 2, 1))
		MustAppend(t, db, 6, 12)
		tests := []struct {
			name string
			f    Filter
			want []int64
		}{
			{"Actor", Filter{ActorID: "user-0"}, []int64{10, 7, 4, 1}},
			{"ActorAndPatient", Filter{ActorID: "user-0", PatientID: "pat-0"}, []int64{1}},
			{"Action", Filter{Action: "patient.read", Limit: 3}, []int64{12, 11, 10}},
			{"NoMatch", Filter{Action: "ivr.approve"}, nil},
			{"From", Filter{From: date(2026, 1, 15)}, []int64{12, 11, 10, 9, 8, 7}},
			{"To", Filter{To: date(2026, 1, 15), ActorID: "user-1"}, []int64{5, 2}},
			{"FromTo", Filter{From: date(2026, 1, 1), To: date(2026, 1, 2), PatientID: "pat-2"},
				[]int64{3}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p, err := Search(ctx, db, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, seqs(p)); diff != "" {
					t.Errorf("seqs (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestSearchBadInput(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name      string
		f         Filter
		badCursor bool
	}{
		{"CursorNotBase64", Filter{Cursor: "!!"}, true},
		{"CursorNoPrefix", Filter{Cursor: b64("12")}, true},
		{"CursorNegative", Filter{Cursor: b64("a1:-5")}, true},
		{"CursorZero", Filter{Cursor: b64("a1:0")}, true},
		{"CursorLeadingZero", Filter{Cursor: b64("a1:012")}, true},
		{"CursorTooLong", Filter{Cursor: b64("a1:" + strings.Repeat("9", 40))}, true},
		{"NegativeLimit", Filter{Limit: -1}, false},
		{"LimitTooLarge", Filter{Limit: MaxLimit + 1}, false},
		{"ToBeforeFrom", Filter{From: date(2026, 2, 1), To: date(2026, 1, 1)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Search(context.Background(), db, tc.f)
			if err == nil || errors.Is(err, ErrBadCursor) != tc.badCursor {
				t.Errorf("err = %v, want an error (bad cursor: %v)", err, tc.badCursor)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, seq := range []int64{1, 42, 1 << 62} {
		got, err := decodeCursor(encodeCursor(seq))
		if err != nil || got != seq {
			t.Errorf("decode(encode(%d)) = %d, %v", seq, got, err)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{"", encodeCursor(7), "YTE6MA", "!!", "YTE6LTE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		seq, err := decodeCursor(c)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Errorf("decodeCursor(%q): error %v does not wrap ErrBadCursor", c, err)
			}
			return
		}
		if c != "" && (seq < 1 || encodeCursor(seq) != c) {
			t.Errorf("decodeCursor(%q) = %d, which does not encode back", c, seq)
		}
	})
}

// TestForPatientUsesIndex checks the query plan on SQLite: "who saw this patient"
// must be an index search, not a table scan.
func TestForPatientUsesIndex(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	for _, cursor := range []string{"", encodeCursor(100)} {
		q, args, _, err := searchQuery(Filter{PatientID: "pat-1", Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Reader().Query(`EXPLAIN QUERY PLAN `+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "\n")
		}
		rows.Close()
		if p := plan.String(); !strings.Contains(p, "USING INDEX audit_patient") ||
			strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("plan with cursor %q:\n%s\nwant a search on audit_patient, no sort", cursor, p)
		}
	}
}
