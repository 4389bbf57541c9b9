package store

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/domain"
)

// scopeSeed returns the seed of this run's worlds: IVR_SCOPE_SEED when set (to
// replay a failure), else the clock, so every run explores new worlds.
func scopeSeed(tb testing.TB) uint64 {
	if s := os.Getenv("IVR_SCOPE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			tb.Fatalf("IVR_SCOPE_SEED: %v", err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// TestScopeDifferential compares the SQL scope with the oracle on random worlds:
// every user against every record, through Get and through paged lists.
func TestScopeDifferential(t *testing.T) {
	for _, d := range scopeEngines(t) {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			base := scopeSeed(t)
			gets, lists, start := 0, 0, time.Now()
			for world := uint64(0); world < 3; world++ {
				seed := base + world
				w := newScopeWorld(t, MustScopeDB(t, d), seed, 6)
				g, l := w.checkAll(ctx, t, seed)
				gets, lists = gets+g, lists+l
			}
			t.Logf("%s: %d get decisions and %d list decisions over 3 worlds (seed %d) in %v",
				d, gets, lists, base, time.Since(start).Round(time.Millisecond))
		})
	}
}

// checkAll checks every (user, record) pair by Get, every user's three lists,
// and a missing id, and returns how many decisions it compared.
func (w *scopeWorld) checkAll(ctx context.Context, t *testing.T, seed uint64) (gets, lists int) {
	t.Helper()
	kinds := map[string][]scopeRec{"patient": w.patients, "ivr": w.ivrs, "order": w.orders}
	for _, u := range w.users {
		for kind, recs := range kinds {
			for _, r := range recs {
				if msg := w.checkGet(ctx, kind, u, r); msg != "" {
					t.Errorf("seed %d: %s", seed, msg)
				}
				gets++
			}
			if msg := w.checkGet(ctx, kind, u, scopeRec{id: NewID()}); msg != "" {
				t.Errorf("seed %d: missing id: %s", seed, msg)
			}
			got, err := w.list(ctx, kind, u, 1+w.rng.IntN(7))
			if err != nil {
				t.Fatalf("seed %d: list %s: %v", seed, kind, err)
			}
			if diff := cmp.Diff(w.visible(kind, u), got); diff != "" {
				t.Errorf("seed %d: list of %ss for %s %s (-want +got):\n%s", seed, kind, u.p.Role,
					u.p.UserID, diff)
			}
			lists += len(recs)
		}
	}
	return gets, lists
}

// visible returns, sorted, the ids of kind the oracle lets u see.
func (w *scopeWorld) visible(kind string, u scopeUser) []string {
	recs := map[string][]scopeRec{"patient": w.patients, "ivr": w.ivrs, "order": w.orders}[kind]
	out := []string{}
	for _, r := range recs {
		patient := r.patient
		if kind == "order" {
			patient = ""
		}
		if w.sees(u, r.practice, patient) {
			out = append(out, r.id)
		}
	}
	sort.Strings(out)
	return out
}

// list pages through the store's list of kind for u with page size limit and
// returns the ids, sorted; a repeated id is an error.
func (w *scopeWorld) list(ctx context.Context, kind string, u scopeUser, limit int) ([]string, error) {
	q, keys := w.db.Reader(), w.db.Keys
	out := []string{}
	for cursor, pages := "", 0; ; pages++ {
		if pages > 1000 {
			return nil, fmt.Errorf("pagination does not end")
		}
		var ids []string
		var next string
		var err error
		switch kind {
		case "patient":
			var ps []domain.Patient
			ps, next, err = ListPatients(ctx, q, keys, u.p, PatientFilter{Cursor: cursor, Limit: limit}, w.now)
			for _, p := range ps {
				ids = append(ids, p.ID)
			}
		case "ivr":
			var vs []domain.IVR
			vs, next, err = ListIVRs(ctx, q, keys, u.p, IVRFilter{Cursor: cursor, Limit: limit}, w.now)
			for _, v := range vs {
				ids = append(ids, v.ID)
			}
		case "order":
			var os []domain.Order
			os, next, err = ListOrders(ctx, q, keys, u.p, OrderFilter{Cursor: cursor, Limit: limit}, w.now)
			for _, o := range os {
				ids = append(ids, o.ID)
			}
		}
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if slices.Contains(out, id) {
				return nil, fmt.Errorf("%s %s listed twice", kind, id)
			}
		}
		out = append(out, ids...)
		if next == "" {
			sort.Strings(out)
			return out, nil
		}
		cursor = next
	}
}

// FuzzScope drives one generated world with operations chosen by the fuzzer: read
// a record as a user, or move a practice and then read one of its records, and
// compares every decision with the oracle. The seed corpus in
// testdata/fuzz/FuzzScope runs with go test.
func FuzzScope(f *testing.F) {
	f.Add(uint8(0), uint16(0), uint16(0), uint16(0))
	f.Add(uint8(1), uint16(3), uint16(7), uint16(1))
	f.Add(uint8(2), uint16(5), uint16(2), uint16(9))
	f.Add(uint8(3), uint16(1), uint16(4), uint16(2))
	w := newScopeWorld(f, MustScopeDB(f, SQLite), 20260101, 4)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, op uint8, a, b, c uint16) {
		u := w.users[int(a)%len(w.users)]
		kind, recs := "patient", w.patients
		switch op % 4 {
		case 1:
			kind, recs = "ivr", w.ivrs
		case 2:
			kind, recs = "order", w.orders
		case 3:
			pr := w.pracs[int(b)%len(w.pracs)]
			terr := w.terrs[int(c)%len(w.terrs)]
			err := w.db.InTx(ctx, func(tx *Tx) error { return w.move(ctx, tx, pr, terr) })
			if err != nil {
				t.Fatalf("move practice: %v", err)
			}
			kind, recs = "ivr", w.ivrs
		}
		r := recs[int(b)%len(recs)]
		if msg := w.checkGet(ctx, kind, u, r); msg != "" {
			t.Fatalf("op %d a %d b %d c %d: %s", op, a, b, c, msg)
		}
	})
}
