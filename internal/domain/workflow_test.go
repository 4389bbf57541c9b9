package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// step is one action in a scenario and the state it should lead to.
type step struct {
	action string
	role   Role
	want   string
}

// TestIVRWorkflows walks whole IVR lives through the state machine.
func TestIVRWorkflows(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
	}{
		{"approved then expired", []step{
			{"submit", RoleDoctor, "submitted"},
			{"assign", RoleSpecialist, "in_review"},
			{"escalate", RoleSpecialist, "in_review"},
			{"assign", RoleAdmin, "in_review"},
			{"approve", RoleSpecialist, "approved"},
			{"expire", RoleSystem, "expired"},
		}},
		{"information round trip", []step{
			{"submit", RoleDoctor, "submitted"},
			{"assign", RoleAdmin, "in_review"},
			{"request-info", RoleSpecialist, "needs_info"},
			{"respond", RoleOfficeStaff, "submitted"},
			{"assign", RoleSpecialist, "in_review"},
			{"deny", RoleSpecialist, "denied"},
		}},
		{"cancelled while waiting", []step{
			{"submit", RoleDoctor, "submitted"},
			{"assign", RoleSpecialist, "in_review"},
			{"request-info", RoleSpecialist, "needs_info"},
			{"escalate", RoleAdmin, "needs_info"},
			{"cancel", RoleOfficeStaff, "cancelled"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, err := NewIVRState(RoleOfficeStaff)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range tt.steps {
				state, err = IVRTransition(state, IVRAction(s.action), s.role)
				if err != nil || string(state) != s.want {
					t.Fatalf("step %d %s by %s: got (%q, %v), want %q",
						i, s.action, s.role, state, err, s.want)
				}
			}
			for _, a := range IVRActions {
				for _, r := range transitionActors() {
					if _, err := IVRTransition(state, a, r); err == nil {
						t.Errorf("final state %s still allows %s by %s", state, a, r)
					}
				}
			}
		})
	}
}

// TestOrderWorkflow walks an order from placement to delivery, checking when it is
// overdue on the way.
func TestOrderWorkflow(t *testing.T) {
	state, err := NewOrderState(RoleDoctor)
	if err != nil {
		t.Fatal(err)
	}
	expected := Date("2026-12-05")
	day := func(d Date) time.Time {
		tm, _ := d.Time()
		return tm.Add(10 * time.Hour)
	}
	steps := []step{
		{"prepare", RoleLogistics, "preparing"},
		{"ship", RoleLogistics, "shipped"},
	}
	for _, s := range steps {
		if state, err = OrderTransition(state, OrderAction(s.action), s.role); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	if OrderOverdue(state, expected, day("2026-12-06")) {
		t.Error("overdue one day after the expected date")
	}
	if !OrderOverdue(state, expected, day("2026-12-07")) {
		t.Error("not overdue two days after the expected date")
	}
	_, err = OrderTransition(state, OrderCancel, RoleDoctor)
	if ErrorCode(err) != CodeConflict || !strings.Contains(err.Error(), "shipped") {
		t.Errorf("cancel after shipping: err = %v, want conflict naming shipped", err)
	}
	if state, err = OrderTransition(state, OrderDeliver, RoleOfficeStaff); err != nil {
		t.Fatal(err)
	}
	if OrderOverdue(state, expected, day("2026-12-20")) {
		t.Error("a delivered order is overdue")
	}
}

// contractorTable is the reference's table of A/B MACs, copied as text, with the
// Pacific territories spelled out (GU, AS, MP) and USVI written VI.
const contractorTable = `
JE CA HI NV GU AS MP
JF AK AZ ID MT ND OR SD UT WA WY
JH AR CO LA MS NM OK TX
JL DE DC MD NJ PA
J5 IA KS MO NE
J8 IN MI
J6 IL MN WI
JK CT ME MA NH NY RI VT
J15 KY OH
JJ AL GA TN
JM NC SC VA WV
JN FL PR VI
`

func TestMedicareContractorTable(t *testing.T) {
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(contractorTable), "\n") {
		f := strings.Fields(line)
		for _, st := range f[1:] {
			n++
			if got, ok := MedicareContractor(st); !ok || string(got) != f[0] {
				t.Errorf("MedicareContractor(%s) = (%q, %v), want %s", st, got, ok, f[0])
			}
		}
	}
	if n != 56 || len(macByState) != n {
		t.Errorf("table has %d codes, implementation %d, want 56", n, len(macByState))
	}
}

// TestEnumListSizes guards the enum lists against values added without a test.
func TestEnumListSizes(t *testing.T) {
	sizes := map[string][2]int{
		"PlacesOfService":    {len(PlacesOfService), 7},
		"PlanTypes":          {len(PlanTypes), 6},
		"Relationships":      {len(Relationships), 4},
		"Sexes":              {len(Sexes), 4},
		"WoundTypes":         {len(WoundTypes), 8},
		"Lateralities":       {len(Lateralities), 5},
		"RequestTypes":       {len(RequestTypes), 4},
		"Frequencies":        {len(Frequencies), 3},
		"Carriers":           {len(Carriers), 5},
		"Networks":           {len(Networks), 3},
		"PAStatuses":         {len(PAStatuses), 4},
		"MACs":               {len(MACs), 12},
		"DenyReasons":        {len(DenyReasons), 6},
		"DeliveryConditions": {len(DeliveryConditions), 2},
		"IVRStates":          {len(IVRStates), 8},
		"IVRActions":         {len(IVRActions), 9},
		"OrderStates":        {len(OrderStates), 5},
		"OrderActions":       {len(OrderActions), 4},
	}
	for name, s := range sizes {
		if s[0] != s[1] {
			t.Errorf("len(%s) = %d, want %d", name, s[0], s[1])
		}
	}
}

// TestFieldMessages checks the wording of a few problems callers show to users.
func TestFieldMessages(t *testing.T) {
	in := MustIVR(t)
	in.Wound.ConservativeCareWeeks = 20
	in.DiagnosisCodes = nil
	p := MustPatient(t)
	p.Coverages[0].Rank = 2
	a := MustApproval(t)
	a.Benefits[0].PriorAuth = withPA("2027-01-01")
	tests := []struct {
		err   error
		field string
		want  string
	}{
		{in.Validate(rulesNow), "wound.conservative_care_weeks", "must not exceed duration_weeks"},
		{in.Validate(rulesNow), "diagnosis_codes", "must have at least one code"},
		{p.Validate(rulesNow), "coverages[0].rank", "ranks must run from 1 without gaps"},
		{a.Validate(rulesNow), "valid_until", "must not be after a prior authorization's expiry"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			var e *Error
			if !errors.As(tt.err, &e) {
				t.Fatalf("err = %v, want *Error", tt.err)
			}
			if got := e.Fields[tt.field]; got != tt.want {
				t.Errorf("Fields[%q] = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}
