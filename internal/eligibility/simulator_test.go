package eligibility

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/x12"
)

// outcome is what a scenario must show in the normalised summary.
type outcome struct {
	Active      bool
	Plans       []string // insurance type/status
	Rejections  []string // loop/reason/actor
	OtherPayers []string // insurance type/entity id
	PriorAuth   bool
}

func scenarioOutcome(r *x12.Response271) outcome {
	var o outcome
	o.Active = r.Active
	for _, p := range r.Plans {
		o.Plans = append(o.Plans, p.InsuranceType+"/"+p.Status)
		o.PriorAuth = o.PriorAuth || p.PriorAuthRequired
	}
	for _, j := range r.Rejections {
		o.Rejections = append(o.Rejections, j.Loop+"/"+j.Reason+"/"+string(j.Actor))
	}
	for _, op := range r.OtherPayers {
		id := ""
		if len(op.Entities) > 0 {
			id = op.Entities[0].ID
		}
		o.OtherPayers = append(o.OtherPayers, op.InsuranceType+"/"+id)
	}
	return o
}

func TestSimulatorScenarios(t *testing.T) {
	tests := []struct {
		scenario Scenario
		want     outcome
	}{
		{ScenarioActiveMedicareFFS, outcome{Active: true, Plans: []string{"MA/1", "MB/1"}}},
		{ScenarioActiveCommercial, outcome{Active: true, Plans: []string{"PR/1"}}},
		{ScenarioPriorAuthRequired, outcome{Active: true, Plans: []string{"HM/1"}, PriorAuth: true}},
		{ScenarioMedicareAdvantage, outcome{Active: true, Plans: []string{"MA/1", "MB/1"},
			OtherPayers: []string{"HN/H9999"}}},
		{ScenarioInactive, outcome{Plans: []string{"MB/6"}}},
		{ScenarioPayerUnavailable, outcome{Rejections: []string{"2100A/42/payer"}}},
		{ScenarioInvalidProviderID, outcome{Rejections: []string{"2100B/43/provider"}}},
		{ScenarioProviderNotOnFile, outcome{Rejections: []string{"2100B/51/provider"}}},
		{ScenarioBirthDateMismatch, outcome{Rejections: []string{"2100C/71/subscriber"}}},
		{ScenarioInvalidMemberID, outcome{Rejections: []string{"2100C/72/subscriber"}}},
		{ScenarioNameMismatch, outcome{Rejections: []string{"2100C/73/subscriber"}}},
		{ScenarioSubscriberNotFound, outcome{Rejections: []string{"2100C/75/subscriber"}}},
	}
	if len(tests) != len(SimulatorScenarios()) {
		t.Fatalf("%d scenarios tested, %d exist", len(tests), len(SimulatorScenarios()))
	}
	sim := &Simulator{Now: fixedNow}
	for _, tt := range tests {
		t.Run(string(tt.scenario), func(t *testing.T) {
			id := SimulatorMemberID(tt.scenario, 7)
			if got := SimulatorScenarioFor(id); got != tt.scenario {
				t.Fatalf("SimulatorScenarioFor(SimulatorMemberID(%s)) = %s", tt.scenario, got)
			}
			res, err := sim.Check(context.Background(), testInquiry(id))
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if diff := cmp.Diff(tt.want, scenarioOutcome(res.Summary)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if res.Status != StatusOK || res.RawFormat != "x12" || res.Summary.Reference != "TRACE42" {
				t.Errorf("result %v, format %s, reference %s", res, res.RawFormat, res.Summary.Reference)
			}
			if !strings.Contains(string(res.RawRequest), "ST*270") ||
				!strings.Contains(string(res.RawResponse), "ST*271") {
				t.Error("raw 270 or 271 missing from the result")
			}
		})
	}
}

func TestSimulatorDependent(t *testing.T) {
	sim := &Simulator{Now: fixedNow}
	tests := []struct {
		scenario Scenario
		want     outcome
	}{
		{ScenarioActiveCommercial, outcome{Active: true, Plans: []string{"PR/1"}}},
		{ScenarioNameMismatch, outcome{Rejections: []string{"2100D/73/subscriber"}}},
		{ScenarioBirthDateMismatch, outcome{Rejections: []string{"2100D/71/subscriber"}}},
		{ScenarioInvalidMemberID, outcome{Rejections: []string{"2100C/72/subscriber"}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.scenario), func(t *testing.T) {
			inq := testInquiry(SimulatorMemberID(tt.scenario, 1))
			inq.Dependent = &x12.Person{FirstName: "JUNIOR", LastName: "DOE", Sex: "M",
				BirthDate: inq.DateOfService.AddDate(-10, 0, 0)}
			res, err := sim.Check(context.Background(), inq)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, scenarioOutcome(res.Summary)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if tt.want.Active && res.Summary.Plans[0].Benefits[0].Loop != "2110D" {
				t.Errorf("dependent benefits in loop %s, want 2110D", res.Summary.Plans[0].Benefits[0].Loop)
			}
		})
	}
}

func TestSimulatorDeterministicAmounts(t *testing.T) {
	sim := &Simulator{Now: fixedNow}
	remaining := func(id string) x12.Cents {
		res, err := sim.Check(context.Background(), testInquiry(id))
		if err != nil {
			t.Fatal(err)
		}
		return *res.Summary.Plans[1].Deductibles[0].Remaining
	}
	a, b := SimulatorMemberID(ScenarioActiveMedicareFFS, 1), SimulatorMemberID(ScenarioActiveMedicareFFS, 2)
	if remaining(a) != remaining(a) {
		t.Error("same member id gave different amounts")
	}
	if remaining(a) == remaining(b) {
		t.Logf("members %d and %d share a remaining deductible (possible, but check the hash)", 1, 2)
	}
	if r := remaining(a); r < 0 || r > 28300 {
		t.Errorf("remaining %d outside the deductible", r)
	}
}

func TestSimulatorMemberIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, info := range SimulatorScenarios() {
		for n := range 50 {
			id := SimulatorMemberID(info.Scenario, n)
			if len(id) != 11 || seen[id] || !strings.HasSuffix(id, info.Suffix) {
				t.Fatalf("SimulatorMemberID(%s, %d) = %q: bad shape or duplicate", info.Scenario, n, id)
			}
			seen[id] = true
		}
	}
	if SimulatorMemberID("no_such", 1) != "" || SimulatorMemberID(ScenarioInactive, -1) != "" {
		t.Error("unknown scenario or negative n gave an id")
	}
	if got := SimulatorScenarioFor("UNLISTED99"); got != ScenarioActiveMedicareFFS {
		t.Errorf("unlisted suffix gave %s", got)
	}
}

func TestSimulatorRespondRejectsBadInput(t *testing.T) {
	sim := &Simulator{}
	for name, in := range map[string]string{"Empty": "", "Garbage": "hello"} {
		t.Run(name, func(t *testing.T) {
			if _, err := sim.Respond([]byte(in)); err == nil {
				t.Error("Respond accepted malformed input")
			}
		})
	}
}
