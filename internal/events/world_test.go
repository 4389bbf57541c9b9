package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// world is a small territory tree with practices and users, and a plain-Go
// statement of who may see which practice: the oracle the streams are checked
// against.
type world struct {
	parent     map[string]string   // territory → parent ("" for a region)
	practiceOf map[string]string   // practice → territory
	assigned   map[string][]string // user → territories
	practices  []string
	users      map[string]domain.Principal // by name
}

// MustWorld creates the demo-like tree: regions East and West, each with two
// territories, a practice in each territory and one on each region, and one user
// of each scope kind.
func MustWorld(tb testing.TB, db *store.DB) *world {
	tb.Helper()
	w := &world{parent: map[string]string{}, practiceOf: map[string]string{},
		assigned: map[string][]string{}, users: map[string]domain.Principal{}}
	terr := []struct{ code, parent string }{
		{"EAST", ""}, {"NYNJ", "EAST"}, {"NEWENG", "EAST"},
		{"WEST", ""}, {"CANV", "WEST"}, {"SW", "WEST"},
	}
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, t := range terr {
			w.parent[t.code] = t.parent
			if err := store.CreateTerritory(ctx, tx, &domain.Territory{ID: t.code,
				ParentID: t.parent, Code: t.code, Name: t.code}); err != nil {
				return err
			}
			if err := w.addPractice(ctx, tx, "P-"+t.code, t.code); err != nil {
				return err
			}
		}
		if err := store.CreateOrganization(ctx, tx, &domain.Organization{ID: "OPS",
			Kind: domain.OrgOperator, Name: "Operator"}, false); err != nil {
			return err
		}
		return w.addUsers(ctx, tx)
	})
	if err != nil {
		tb.Fatalf("build world: %v", err)
	}
	return w
}

func (w *world) addPractice(ctx context.Context, tx *store.Tx, id, territory string) error {
	w.practiceOf[id] = territory
	w.practices = append(w.practices, id)
	return store.CreateOrganization(ctx, tx, &domain.Organization{ID: id,
		Kind: domain.OrgPractice, Name: id, TerritoryID: territory}, false)
}

func (w *world) addUsers(ctx context.Context, tx *store.Tx) error {
	users := []struct {
		name  string
		role  domain.Role
		org   string
		terrs []string
	}{
		{"admin", domain.RoleAdmin, "OPS", nil},
		{"rep-east", domain.RoleSalesRep, "OPS", []string{"EAST"}},
		{"rep-neweng", domain.RoleSalesRep, "OPS", []string{"NEWENG"}},
		{"dist-west", domain.RoleDistributor, "OPS", []string{"WEST"}},
		{"specialist", domain.RoleSpecialist, "OPS", []string{"NEWENG", "CANV"}},
		{"logistics", domain.RoleLogistics, "OPS", nil},
		{"doctor-nynj", domain.RoleDoctor, "P-NYNJ", nil},
		{"staff-sw", domain.RoleOfficeStaff, "P-SW", nil},
	}
	for _, u := range users {
		du := &domain.User{ID: "U-" + u.name, Email: u.name + "@example.test", Name: u.name,
			Role: u.role, OrganizationID: u.org, TerritoryIDs: u.terrs}
		if err := store.CreateUser(ctx, tx, du, false); err != nil {
			return err
		}
		w.assigned[du.ID] = u.terrs
		w.users[u.name] = domain.Principal{UserID: du.ID, Role: u.role,
			OrganizationID: u.org, TerritoryIDs: u.terrs}
	}
	return nil
}

// sees is the oracle: does p's scope hold the practice?
func (w *world) sees(p domain.Principal, practice string) bool {
	switch p.Role.Scope() {
	case domain.ScopeAll:
		return true
	case domain.ScopePractice:
		return p.OrganizationID == practice
	}
	for t := w.practiceOf[practice]; t != ""; t = w.parent[t] {
		for _, a := range w.assigned[p.UserID] {
			if a == t {
				return true
			}
		}
	}
	return false
}

// expected returns the ids of evs that p should receive, in order.
func (w *world) expected(p domain.Principal, evs []Event) []int64 {
	out := []int64{}
	for _, e := range evs {
		if e.Type != TypeScopeChanged && w.sees(p, e.PracticeID) {
			out = append(out, e.ID)
		}
	}
	return out
}

// testEvent returns a valid event of practice, numbered n.
func testEvent(practice string, n int) Event {
	data, _ := json.Marshal(map[string]any{"reference": fmt.Sprintf("IVR-%08d", n),
		"status": "submitted", "practice_id": practice, "patient_initials": "A.Q."})
	return Event{Type: TypeIVRSubmitted, Resource: Resource{Type: "ivr",
		ID: fmt.Sprintf("ivr-%d", n)}, PracticeID: practice, PatientID: "pat-1", Data: data}
}

// MustStartHub runs a hub with short intervals until the test ends.
func MustStartHub(tb testing.TB, db *store.DB, bus Bus) *Hub {
	tb.Helper()
	h := NewHub(db, bus, nil)
	h.poll = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("hub run: %v", err)
		}
	})
	select {
	case <-h.ready:
	case err := <-done:
		tb.Fatalf("hub did not start: %v", err)
	}
	return h
}

// MustWrite writes evs in one transaction, notifies h (if any) and returns the
// events with their ids.
func MustWrite(tb testing.TB, db *store.DB, h *Hub, evs ...Event) []Event {
	tb.Helper()
	out, err := writeAll(db, evs)
	if err != nil {
		tb.Fatalf("write events: %v", err)
	}
	if h != nil {
		h.Notify()
	}
	return out
}

func writeAll(db *store.DB, evs []Event) ([]Event, error) {
	out := make([]Event, len(evs))
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		for i, e := range evs {
			if e.At.IsZero() {
				e.At = tx.Now
			}
			id, err := Write(context.Background(), tx, e)
			if err != nil {
				return err
			}
			e.ID = id
			out[i] = e
		}
		return nil
	})
	return out, err
}

// MustSubscribe subscribes p until the test ends.
func MustSubscribe(tb testing.TB, h *Hub, p domain.Principal, after int64) *Subscription {
	tb.Helper()
	s, err := h.Subscribe(context.Background(), p, after)
	if err != nil {
		tb.Fatalf("subscribe: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// collect reads events until it has n of them, the stream ends or time is up.
func collect(s *Subscription, n int, timeout time.Duration) []int64 {
	got := []int64{}
	deadline := time.After(timeout)
	for len(got) < n {
		select {
		case e, ok := <-s.Events():
			if !ok {
				return got
			}
			got = append(got, e.ID)
		case <-deadline:
			return got
		}
	}
	return got
}

// collectAll collects concurrently from every subscription.
func collectAll(subs map[string]*Subscription, want map[string][]int64,
	timeout time.Duration) map[string][]int64 {
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := map[string][]int64{}
	for name, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := collect(s, len(want[name]), timeout)
			mu.Lock()
			got[name] = ids
			mu.Unlock()
		}()
	}
	wg.Wait()
	return got
}
