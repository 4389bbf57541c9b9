package store_test

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

func mustKeys(tb testing.TB) *phi.Keyring {
	tb.Helper()
	k, err := phi.Open(context.Background(), phi.Config{DataDir: tb.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// mustPatients creates a practice and n patients with one coverage each.
func mustPatients(tb testing.TB, db *store.DB, n int) (domain.Principal, []string) {
	tb.Helper()
	ctx := context.Background()
	var ids []string
	var pr domain.Principal
	err := db.InTx(ctx, func(tx *store.Tx) error {
		t := domain.Territory{Code: "R", Name: "Region"}
		if err := store.CreateTerritory(ctx, tx, &t); err != nil {
			return err
		}
		o := domain.Organization{Kind: domain.OrgPractice, Name: "Clinic", TerritoryID: t.ID}
		if err := store.CreateOrganization(ctx, tx, &o, false); err != nil {
			return err
		}
		u := domain.User{Email: "doc@example.test", Name: "Doc", Role: domain.RoleDoctor, OrganizationID: o.ID}
		if err := store.CreateUser(ctx, tx, &u, false); err != nil {
			return err
		}
		py := domain.Payer{Name: "Payer", Kind: "commercial"}
		if err := store.CreatePayer(ctx, tx, &py); err != nil {
			return err
		}
		pr = domain.Principal{UserID: u.ID, Role: u.Role, OrganizationID: o.ID}
		for i := 0; i < n; i++ {
			p := domain.Patient{PracticeID: o.ID, CreatedBy: u.ID, PatientInput: domain.PatientInput{
				FirstName: "Ada", LastName: "Quill", BirthDate: "1950-04-02", Sex: "female",
				MRN: "MRN-1", Coverages: []domain.CoverageInput{{Rank: 1, PayerID: py.ID,
					PlanType: "commercial", MemberID: "M123", Relationship: "self"}}}}
			if err := store.CreatePatient(ctx, tx, &p); err != nil {
				return err
			}
			ids = append(ids, p.ID)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return pr, ids
}

// TestRotationKeepsServingReads rotates the key and re-encrypts every value while
// readers decrypt patients in a loop: no read may fail, and afterwards nothing is
// left under the old key.
func TestRotationKeepsServingReads(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Keys = mustKeys(t)
		pr, ids := mustPatients(t, db, 60)
		var stop atomic.Bool
		var reads atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := 0; w < 3; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; !stop.Load(); i++ {
					p, err := store.GetPatient(ctx, db.Reader(), db.Keys, pr, ids[i%len(ids)], time.Now())
					if err != nil || p.LastName != "Quill" || p.Coverages[0].MemberID != "M123" {
						errs <- err
						return
					}
					reads.Add(1)
				}
			}(w)
		}
		for round := 0; round < 2; round++ {
			if err := db.Keys.Rotate(ctx); err != nil {
				t.Fatal(err)
			}
			n, err := db.ReencryptAll(ctx, 7)
			if err != nil {
				t.Fatalf("re-encrypt: %v", err)
			}
			// 60 patients × 11 sealed columns + 60 coverages × 3, at least.
			if n < 60*14 {
				t.Errorf("round %d re-encrypted %d values, want at least %d", round, n, 60*14)
			}
		}
		stop.Store(true)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("a read failed during rotation: %v", err)
		}
		if reads.Load() == 0 {
			t.Error("no read ran during the rotation")
		}
		if n, _ := db.ReencryptAll(ctx, 50); n != 0 {
			t.Errorf("a third pass re-encrypted %d values: the rotation left old ciphertexts", n)
		}
	})
}

// TestSealedColumnsCoverTheSchema fails when a migration adds an encrypted column
// that key rotation does not know.
func TestSealedColumnsCoverTheSchema(t *testing.T) {
	ms, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	var schema []string
	tableRe := regexp.MustCompile(`(?s)CREATE TABLE (\w+) \((.*?)\n\);`)
	colRe := regexp.MustCompile(`(?m)^\s+(\w+_enc)\s`)
	for _, m := range ms {
		for _, tm := range tableRe.FindAllStringSubmatch(m.SQL, -1) {
			for _, cm := range colRe.FindAllStringSubmatch(tm[2], -1) {
				schema = append(schema, tm[1]+"."+cm[1])
			}
		}
	}
	known := map[string]bool{}
	for _, c := range store.SealedColumnNames() {
		known[c] = true
	}
	var missing []string
	for _, c := range schema {
		if !known[c] {
			missing = append(missing, c)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("encrypted columns that key rotation skips: %s", strings.Join(missing, ", "))
	}
}
