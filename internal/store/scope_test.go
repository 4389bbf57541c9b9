package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
)

// The differential test builds random multi-territory worlds straight through
// the store, then asks the SQL-scoped reads (GetPatient, GetIVR, GetOrder and the
// three lists) for many (user, record) pairs and compares each answer with
// sees, a plain-Go reading of the policy in DOMAIN.md ("Territories and scope",
// "Break-glass"):
//   - admin sees everything;
//   - doctor and office_staff see their own practice's records, whatever
//     territories they might also be (wrongly) assigned;
//   - every other role sees the records of practices whose territory lies in the
//     subtree of one of its assigned territories (no assignment: nothing);
//   - an ivr_specialist or admin holding an unexpired, unrevoked break-glass grant
//     for a patient also sees that patient and the patient's IVRs (the IVR is the
//     patient's PHI); a grant opens no orders, and grants held by other roles open
//     nothing;
//   - moving a practice moves its records.

// scopeEngines returns the engines to test: SQLite always, PostgreSQL when
// IVR_TEST_DATABASE_URL is set. (storetest cannot be imported here: it imports
// this package.)
func scopeEngines(tb testing.TB) []Dialect {
	if os.Getenv("IVR_TEST_DATABASE_URL") != "" {
		return []Dialect{SQLite, Postgres}
	}
	if os.Getenv("IVR_REQUIRE_POSTGRES") == "1" {
		tb.Fatal("IVR_REQUIRE_POSTGRES=1 but IVR_TEST_DATABASE_URL is not set")
	}
	return []Dialect{SQLite}
}

// MustScopeDB opens a fresh, migrated database of dialect d with a PHI keyring.
func MustScopeDB(tb testing.TB, d Dialect) *DB {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	dbURL := ""
	if d == Postgres {
		dbURL = mustPostgresSchema(tb)
	}
	db, err := Open(ctx, dbURL, filepath.Join(dir, "scope.db"))
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	if db.Keys, err = phi.Open(ctx, phi.Config{DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		tb.Fatalf("open keyring: %v", err)
	}
	return db
}

// mustPostgresSchema creates a schema dropped at the end of the test and returns
// a URL that selects it.
func mustPostgresSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("IVR_TEST_DATABASE_URL")
	b := make([]byte, 8)
	rand.Read(b)
	schema := "scope_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse IVR_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// scopeUser is a generated user: its principal and its assignments.
type scopeUser struct {
	p           domain.Principal
	territories []string
}

// scopeRec is a generated patient, IVR or order.
type scopeRec struct{ id, practice, patient string }

// scopeWorld is a generated world and the model the oracle reads.
type scopeWorld struct {
	db       *DB
	rng      *mrand.Rand
	parent   map[string]string // territory → parent ("" for a root)
	terrs    []string
	practice map[string]string // practice → territory
	pracs    []string
	facility map[string]string // practice → facility
	product  string
	users    []scopeUser
	patients []scopeRec
	ivrs     []scopeRec
	orders   []scopeRec
	grants   map[string]map[string]bool // user → patient → live grant
	now      time.Time
}

// sees is the oracle: the policy of DOMAIN.md in plain Go. patient is "" for a
// record that break-glass does not open.
func (w *scopeWorld) sees(u scopeUser, practice, patient string) bool {
	if practice == "" {
		return false // no such record
	}
	role := u.p.Role
	canBreakGlass := role == domain.RoleSpecialist || role == domain.RoleAdmin
	if patient != "" && canBreakGlass && w.grants[u.p.UserID][patient] {
		return true
	}
	switch role {
	case domain.RoleAdmin:
		return true
	case domain.RoleDoctor, domain.RoleOfficeStaff:
		return practice == u.p.OrganizationID
	}
	for t := w.practice[practice]; t != ""; t = w.parent[t] {
		if slices.Contains(u.territories, t) {
			return true
		}
	}
	return false
}

// newScopeWorld generates a world from the seed; size scales the record counts.
func newScopeWorld(tb testing.TB, db *DB, seed uint64, size int) *scopeWorld {
	tb.Helper()
	w := &scopeWorld{db: db, rng: mrand.New(mrand.NewPCG(seed, seed^0x5eed)),
		parent: map[string]string{}, practice: map[string]string{}, facility: map[string]string{},
		grants: map[string]map[string]bool{}, now: db.Now()}
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		return errors.Join(w.genTerritories(ctx, tx), w.genPractices(ctx, tx, 3+size),
			w.genUsers(ctx, tx, 2*size+8))
	})
	if err == nil {
		err = db.InTx(ctx, func(tx *Tx) error { return w.genRecords(ctx, tx, 4*size, 6*size, 3*size) })
	}
	if err == nil {
		err = db.InTx(ctx, func(tx *Tx) error { return w.genGrants(ctx, tx, 5*size) })
	}
	if err == nil {
		err = db.InTx(ctx, func(tx *Tx) error { return w.genMoves(ctx, tx, 1+size/3) })
	}
	if err != nil {
		tb.Fatalf("generate world (seed %d): %v", seed, err)
	}
	return w
}

// genTerritories makes 2–3 roots, each with 1–3 children, some of which have
// 0–2 children of their own.
func (w *scopeWorld) genTerritories(ctx context.Context, tx *Tx) error {
	var add func(parent string, depth int) error
	add = func(parent string, depth int) error {
		t := domain.Territory{Code: "T" + strconv.Itoa(len(w.terrs)), Name: "Territory", ParentID: parent}
		if err := CreateTerritory(ctx, tx, &t); err != nil {
			return err
		}
		w.terrs, w.parent[t.ID] = append(w.terrs, t.ID), parent
		if depth == 3 {
			return nil
		}
		kids := 1 + w.rng.IntN(3)
		if depth == 2 {
			kids = w.rng.IntN(3)
		}
		for i := 0; i < kids; i++ {
			if err := add(t.ID, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for i, roots := 0, 2+w.rng.IntN(2); i < roots; i++ {
		if err := add("", 1); err != nil {
			return err
		}
	}
	return nil
}

func (w *scopeWorld) pickTerritory() string { return w.terrs[w.rng.IntN(len(w.terrs))] }

// genPractices makes n practices in random territories (roots included), each
// with a facility, plus one catalog product.
func (w *scopeWorld) genPractices(ctx context.Context, tx *Tx, n int) error {
	for i := 0; i < n; i++ {
		o := domain.Organization{Kind: domain.OrgPractice, Name: "Practice", TerritoryID: w.pickTerritory()}
		if err := CreateOrganization(ctx, tx, &o, false); err != nil {
			return err
		}
		f := domain.Facility{OrganizationID: o.ID, Name: "Main", NPI: "1234567893"}
		if err := CreateFacility(ctx, tx, &f); err != nil {
			return err
		}
		w.pracs, w.practice[o.ID], w.facility[o.ID] = append(w.pracs, o.ID), o.TerritoryID, f.ID
	}
	p := domain.Product{Name: "Graft", Manufacturer: "Maker", HCPCS: "Q4101", FDACategory: "361"}
	err := CreateProduct(ctx, tx, &p)
	w.product = p.ID
	return err
}

// genUsers makes at least one user of every role, then n more of random roles,
// each assigned 0–3 random territories (clinic users too: the policy must ignore
// their assignments).
func (w *scopeWorld) genUsers(ctx context.Context, tx *Tx, n int) error {
	op := domain.Organization{Kind: domain.OrgOperator, Name: "Operator"}
	if err := CreateOrganization(ctx, tx, &op, false); err != nil {
		return err
	}
	roles := append([]domain.Role(nil), domain.Roles...)
	for i := 0; i < n; i++ {
		roles = append(roles, domain.Roles[w.rng.IntN(len(domain.Roles))])
	}
	for i, role := range roles {
		org := op.ID
		if role.ClinicRole() {
			org = w.pracs[w.rng.IntN(len(w.pracs))]
		}
		var ts []string
		for j, k := 0, w.rng.IntN(4); j < k; j++ {
			if t := w.pickTerritory(); !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
		u := domain.User{Email: fmt.Sprintf("u%d@scope.example", i), Name: "User", Role: role,
			OrganizationID: org, TerritoryIDs: ts}
		if err := CreateUser(ctx, tx, &u, false); err != nil {
			return err
		}
		w.users = append(w.users, scopeUser{territories: ts, p: domain.Principal{UserID: u.ID,
			Role: role, OrganizationID: org, TerritoryIDs: ts}})
	}
	return nil
}

// genRecords makes patients in random practices, IVRs for random patients (in the
// patient's practice) and orders on random IVRs.
func (w *scopeWorld) genRecords(ctx context.Context, tx *Tx, np, nv, no int) error {
	creator := w.users[0].p.UserID
	for i := 0; i < np; i++ {
		pr := w.pracs[w.rng.IntN(len(w.pracs))]
		p := domain.Patient{PracticeID: pr, CreatedBy: creator, PatientInput: domain.PatientInput{
			FirstName: "Pat", LastName: "Ient" + strconv.Itoa(i), BirthDate: "1950-01-02", Sex: "female"}}
		if err := CreatePatient(ctx, tx, &p); err != nil {
			return err
		}
		w.patients = append(w.patients, scopeRec{id: p.ID, practice: pr, patient: p.ID})
	}
	for i := 0; i < nv; i++ {
		pt := w.patients[w.rng.IntN(len(w.patients))]
		v := domain.IVR{PracticeID: pt.practice, Status: domain.IVRStates[w.rng.IntN(len(domain.IVRStates))],
			CreatedBy: creator, IVRInput: domain.IVRInput{PatientID: pt.id, FacilityID: w.facility[pt.practice],
				PlaceOfService: "11", RequestType: "new", Frequency: "weekly", StartDate: "2027-01-01",
				Applications: 1, Products: []domain.ProductLine{{ProductID: w.product, Size: "2x2", Quantity: 1}}}}
		if err := CreateIVR(ctx, tx, &v); err != nil {
			return err
		}
		w.ivrs = append(w.ivrs, scopeRec{id: v.ID, practice: pt.practice, patient: pt.id})
	}
	for i := 0; i < no; i++ {
		v := w.ivrs[w.rng.IntN(len(w.ivrs))]
		o := domain.Order{IVRID: v.id, PracticeID: v.practice, FacilityID: w.facility[v.practice],
			Status: domain.OrderPending, PlacedBy: creator,
			Items: []domain.ProductLine{{ProductID: w.product, Size: "2x2", Quantity: 1}}}
		if err := CreateOrder(ctx, tx, &o); err != nil {
			return err
		}
		w.orders = append(w.orders, scopeRec{id: o.ID, practice: v.practice, patient: v.patient})
	}
	return nil
}

// genGrants gives random users (of any role) break-glass grants on random
// patients: live, expired or revoked. Only live grants enter the model.
func (w *scopeWorld) genGrants(ctx context.Context, tx *Tx, n int) error {
	var specialists []string
	for _, u := range w.users {
		if u.p.Role == domain.RoleSpecialist {
			specialists = append(specialists, u.p.UserID)
		}
	}
	for i := 0; i < n; i++ {
		// Most grants go to specialists, whose own scope is partial, so that live,
		// expired and revoked grants all make a difference somewhere.
		u := w.users[w.rng.IntN(len(w.users))].p.UserID
		if w.rng.IntN(4) > 0 {
			u = specialists[w.rng.IntN(len(specialists))]
		}
		pt := w.patients[w.rng.IntN(len(w.patients))].id
		expires, revoked := w.now.Add(time.Hour), sql.NullTime{}
		switch w.rng.IntN(3) {
		case 1:
			expires = w.now.Add(-time.Minute)
		case 2:
			revoked = sql.NullTime{Time: w.now.Add(-time.Minute), Valid: true}
		default:
			if w.grants[u] == nil {
				w.grants[u] = map[string]bool{}
			}
			w.grants[u][pt] = true
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO break_glass_grants (id, user_id, patient_id,
			reason, created_at, expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			NewID(), u, pt, "test grant", w.now.Add(-time.Hour), expires, revoked)
		if err != nil {
			return err
		}
	}
	return nil
}

// genMoves moves n random practices to random territories.
func (w *scopeWorld) genMoves(ctx context.Context, tx *Tx, n int) error {
	for i := 0; i < n; i++ {
		if err := w.move(ctx, tx, w.pracs[w.rng.IntN(len(w.pracs))], w.pickTerritory()); err != nil {
			return err
		}
	}
	return nil
}

func (w *scopeWorld) move(ctx context.Context, tx *Tx, practice, territory string) error {
	if err := MovePractice(ctx, tx, practice, territory, 0); err != nil {
		return err
	}
	w.practice[practice] = territory
	return nil
}

// checkGet compares one store read with the oracle and returns a problem or "".
func (w *scopeWorld) checkGet(ctx context.Context, kind string, u scopeUser, r scopeRec) string {
	q, keys := w.db.Reader(), w.db.Keys
	var err error
	var gotID string
	want := w.sees(u, r.practice, r.patient)
	switch kind {
	case "patient":
		var p domain.Patient
		p, err = GetPatient(ctx, q, keys, u.p, r.id, w.now)
		gotID = p.ID
	case "ivr":
		var v domain.IVR
		v, err = GetIVR(ctx, q, keys, u.p, r.id, w.now)
		gotID = v.ID
	case "order":
		var o domain.Order
		o, err = GetOrder(ctx, q, keys, u.p, r.id, w.now)
		gotID = o.ID
		want = w.sees(u, r.practice, "")
	}
	switch {
	case err != nil && !errors.Is(err, domain.ErrNotFound):
		return fmt.Sprintf("get %s: %v", kind, err)
	case want && err != nil:
		return fmt.Sprintf("%s %s hidden from %s, which should see it", kind, r.id, u.p.Role)
	case !want && err == nil:
		return fmt.Sprintf("%s %s shown to %s, which should not see it", kind, r.id, u.p.Role)
	case want && gotID != r.id:
		return fmt.Sprintf("%s %s read back as %q", kind, r.id, gotID)
	}
	return ""
}
