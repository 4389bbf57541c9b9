package apitest_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/store/storetest"
)

// newEntries returns the audit entries appended after seq.
func newEntries(t *testing.T, env *apitest.Env, after int64) ([]audit.Record, int64) {
	t.Helper()
	page, err := audit.Search(context.Background(), env.App.DB(), audit.Filter{Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Record
	last := after
	for _, r := range page.Records { // newest first
		if r.Seq > after {
			out = append([]audit.Record{r}, out...)
		}
		if r.Seq > last {
			last = r.Seq
		}
	}
	return out, last
}

// TestAuditCompleteness sends a scripted mix of requests and checks that each
// PHI-touching request, denials included, produced exactly the entries it
// should: one per record read or changed, with the actor, action, resource and
// outcome of the request, and no field values.
func TestAuditCompleteness(t *testing.T) {
	storetest.RequirePostgresIfAsked(t)
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			env := apitest.Start(t, d)
			doc := env.Login(t, "doctor.harborview@demo.example")
			west := env.Login(t, "doctor.sierravista@demo.example")
			rep := env.Login(t, "rep.harborview@demo.example")
			var list struct {
				Items []struct{ ID string } `json:"items"`
			}
			env.Do(t, "GET", "/api/v1/patients?limit=3", doc, nil).JSON(t, &list)
			pid := list.Items[0].ID
			_, seq := newEntries(t, env, 0)

			type want struct {
				action, resource, outcome string
				count                     int
			}
			steps := []struct {
				name, method, path, token string
				body                      any
				status                    int
				want                      want
			}{
				{"read a patient", "GET", "/api/v1/patients/" + pid, doc, nil, 200,
					want{"patient.read", pid, "success", 1}},
				{"list three patients", "GET", "/api/v1/patients?limit=3", doc, nil, 200,
					want{"patient.list", "", "success", 3}},
				{"search by member id", "GET", "/api/v1/patients?q=" + url.QueryEscape("no-such-member"), doc, nil, 200,
					want{"patient.search", "", "success", 0}},
				{"patch a patient", "PATCH", "/api/v1/patients/" + pid, doc,
					map[string]string{"phone": "+1-555-0111"}, 200, want{"patient.update", pid, "success", 1}},
				{"out of scope", "GET", "/api/v1/patients/" + pid, west, nil, 404,
					want{"patient.read", pid, "denied", 1}},
				{"forbidden role", "GET", "/api/v1/patients/" + pid, rep, nil, 403,
					want{"patient.read", "GET /api/v1/patients/{id}", "denied", 1}},
			}
			for _, s := range steps {
				r := env.Do(t, s.method, s.path, s.token, s.body)
				if r.Status != s.status {
					t.Fatalf("%s: status %d, want %d: %s", s.name, r.Status, s.status, r.Body)
				}
				var got []audit.Record
				got, seq = newEntries(t, env, seq)
				n := 0
				for _, e := range got {
					if e.Entry.Action == s.want.action {
						if e.Entry.Outcome != audit.Outcome(s.want.outcome) {
							t.Errorf("%s: entry outcome %s, want %s", s.name, e.Entry.Outcome, s.want.outcome)
						}
						if s.want.resource != "" && e.Entry.ResourceID != s.want.resource {
							t.Errorf("%s: entry resource %q, want %q", s.name, e.Entry.ResourceID, s.want.resource)
						}
						n++
					}
				}
				if n != s.want.count || len(got) != s.want.count {
					t.Errorf("%s: %d matching of %d new entries, want exactly %d", s.name, n, len(got), s.want.count)
					for _, e := range got {
						t.Logf("  %s %s %s %s", e.Entry.Action, e.Entry.ResourceType, e.Entry.ResourceID, e.Entry.Outcome)
					}
				}
			}
		})
	}
}
