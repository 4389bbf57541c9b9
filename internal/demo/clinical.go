package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/eligibility"
	"github.com/openivr/ivr/internal/store"
)

// clinical creates ten patients per practice, then a hundred IVRs across every
// state, then orders in every state.
func (w *world) clinical(ctx context.Context) error {
	patients := map[string][]domain.Patient{}
	for i, pr := range w.practices {
		for j := 0; j < 10; j++ {
			p, err := w.svc.CreatePatient(ctx, w.staff[pr.ID], w.patient(i, j))
			if err != nil {
				return fmt.Errorf("patient: %w", err)
			}
			patients[pr.ID] = append(patients[pr.ID], p)
		}
	}
	var approved []domain.IVR
	for n := 0; n < 100; n++ {
		pr := w.practices[n%len(w.practices)]
		pts := patients[pr.ID]
		v, err := w.ivr(ctx, pr, pts[(n/len(w.practices))%len(pts)], n)
		if err != nil {
			return fmt.Errorf("ivr %d: %w", n, err)
		}
		if v.Status == domain.IVRApproved {
			approved = append(approved, v)
		}
	}
	return w.orders(ctx, approved)
}

func (w *world) patient(practice, n int) domain.PatientInput {
	pr := practices[practice]
	first := firstNames[(practice*10+n)%len(firstNames)]
	last := lastNames[(practice*3+n)%len(lastNames)]
	year := 1938 + w.rng.IntN(45)
	in := domain.PatientInput{FirstName: first, LastName: last,
		BirthDate: domain.Date(fmt.Sprintf("%d-%02d-%02d", year, 1+w.rng.IntN(12), 1+w.rng.IntN(28))),
		Sex:       []domain.Sex{"female", "male"}[n%2], MRN: fmt.Sprintf("MRN-%d%03d", practice+1, n+1),
		Phone:   fmt.Sprintf("+1-555-01%02d", practice*10+n),
		Address: domain.Address{Line1: fmt.Sprintf("%d Sample St", 10+n), City: pr.city, State: pr.state, ZIP: pr.zip},
	}
	mac, _ := domain.MedicareContractor(pr.state)
	// Member ids pick the payer simulator's answer, so the demo shows each case
	// of the electronic eligibility check.
	seq := practice*10 + n
	scenario := demoScenarios[seq%len(demoScenarios)]
	member := eligibility.SimulatorMemberID(scenario, seq)
	switch scenario {
	case eligibility.ScenarioActiveCommercial, eligibility.ScenarioPriorAuthRequired:
		in.Coverages = []domain.CoverageInput{{Rank: 1, PayerID: w.payers["commercial"],
			PlanType: "commercial", MemberID: member, GroupNumber: "GRP-200", Relationship: "self"}}
	default:
		in.Coverages = []domain.CoverageInput{{Rank: 1, PayerID: w.payers[string(mac)],
			PlanType: "medicare_ffs", MemberID: member, Relationship: "self", EffectiveDate: "2026-01-01"}}
	}
	if n%5 == 1 {
		in.Coverages = append(in.Coverages, domain.CoverageInput{Rank: 2, PayerID: w.payers["commercial"],
			PlanType: "commercial", MemberID: fmt.Sprintf("SUP%07d", w.rng.IntN(1e7)),
			GroupNumber: "GRP-100", Relationship: "self"})
	}
	return in
}

// demoScenarios are the payer answers the demo patients draw, most of them active.
var demoScenarios = []eligibility.Scenario{
	eligibility.ScenarioActiveMedicareFFS, eligibility.ScenarioActiveCommercial,
	eligibility.ScenarioActiveMedicareFFS, eligibility.ScenarioPriorAuthRequired,
	eligibility.ScenarioMedicareAdvantage, eligibility.ScenarioActiveMedicareFFS,
	eligibility.ScenarioInactive, eligibility.ScenarioInvalidMemberID,
	eligibility.ScenarioNameMismatch, eligibility.ScenarioPayerUnavailable,
}

// targets spreads the hundred IVRs over the states.
func target(n int) domain.IVRState {
	switch m := n % 20; {
	case m < 3:
		return domain.IVRDraft
	case m < 6:
		return domain.IVRSubmitted
	case m < 9:
		return domain.IVRInReview
	case m < 11:
		return domain.IVRNeedsInfo
	case m < 16:
		return domain.IVRApproved
	case m < 17:
		return domain.IVRDenied
	case m < 18:
		return domain.IVRCancelled
	default:
		if n%40 == 18 {
			return domain.IVRExpired
		}
		return domain.IVRApproved
	}
}

var woundKinds = []struct {
	kind domain.WoundType
	site domain.WoundSite
	dx   []string
}{
	{"diabetic_foot_ulcer", "foot", []string{"E11.621", "L97.422"}},
	{"venous_leg_ulcer", "lower_leg", []string{"I83.013", "L97.212"}},
	{"pressure_injury", "sacrum", []string{"L89.154"}},
	{"diabetic_foot_ulcer", "heel", []string{"E11.621", "L97.412"}},
}

func (w *world) ivrInput(pr domain.Organization, p domain.Patient, n int) domain.IVRInput {
	wk := woundKinds[n%len(woundKinds)]
	prod := w.products[n%len(w.products)]
	return domain.IVRInput{PatientID: p.ID, FacilityID: w.facilities[pr.ID], PlaceOfService: "11",
		RequestType: "new",
		Wound: domain.WoundInput{Type: wk.kind, Site: wk.site, Laterality: "left",
			LengthCm: 2 + float64(n%5), WidthCm: 1.5 + float64(n%3), DepthCm: 0.3,
			DurationWeeks: 8 + n%10, ConservativeCareWeeks: 4 + n%4},
		DiagnosisCodes: wk.dx,
		Products:       []domain.ProductLine{{ProductID: prod.ID, Size: prod.Sizes[0].Label, Quantity: 4}},
		Applications:   4, Frequency: "weekly", StartDate: domain.DateOf(w.svc.DB.Now()).AddDays(7)}
}

// ivr creates one IVR and walks it to its target state through the use cases,
// so history, audit and events are exactly what real use produces.
func (w *world) ivr(ctx context.Context, pr domain.Organization, p domain.Patient, n int) (domain.IVR, error) {
	doctor, staff := w.doctors[pr.ID], w.staff[pr.ID]
	v, err := w.svc.CreateIVR(ctx, staff, w.ivrInput(pr, p, n))
	if err != nil {
		return v, err
	}
	goal := target(n)
	spec := w.specialist
	if n%3 == 0 && pr.TerritoryID != "" && w.east.UserID != "" && w.isEast(pr) {
		spec = w.east
	}
	act := func(who domain.Principal, a domain.IVRAction, body any) error {
		raw, _ := json.Marshal(body)
		if body == nil {
			raw = nil
		}
		v, err = w.svc.ActIVR(ctx, who, v.ID, a, raw, 0)
		return err
	}
	steps := w.path(goal, doctor, staff, spec, v)
	for _, s := range steps {
		if err := act(s.who, s.action, s.body); err != nil {
			return v, fmt.Errorf("%s: %w", s.action, err)
		}
	}
	if goal == domain.IVRExpired {
		v.Status = domain.IVRExpired
		return v, w.backdate(ctx, v.ID)
	}
	return v, nil
}

func (w *world) isEast(pr domain.Organization) bool {
	return pr.TerritoryID == w.territories["EAST-NYNJ"] || pr.TerritoryID == w.territories["EAST-NE"]
}

type step struct {
	who    domain.Principal
	action domain.IVRAction
	body   any
}

func (w *world) path(goal domain.IVRState, doctor, staff, spec domain.Principal, v domain.IVR) []step {
	today := domain.DateOf(w.svc.DB.Now())
	submit := step{doctor, domain.IVRSubmit, nil}
	pick := step{spec, domain.IVRAssign, map[string]string{}}
	switch goal {
	case domain.IVRDraft:
		return nil
	case domain.IVRSubmitted:
		return []step{submit}
	case domain.IVRInReview:
		return []step{submit, pick}
	case domain.IVRNeedsInfo:
		return []step{submit, pick, {spec, domain.IVRRequestInfo, domain.RequestInfoInput{
			Items: []string{"Wound photo from the last visit", "Signed consent"}, DueDate: today.AddDays(5)}}}
	case domain.IVRDenied:
		return []step{submit, pick, {spec, domain.IVRDeny, domain.DenyInput{
			ReasonCode: "not_medically_necessary", Reason: "Conservative care shorter than the LCD requires"}}}
	case domain.IVRCancelled:
		return []step{{staff, domain.IVRCancel, domain.CancelInput{Reason: "Wound healed before application"}}}
	}
	return []step{submit, pick, {spec, domain.IVRApprove, w.approval(v)}}
}

func (w *world) approval(v domain.IVR) domain.ApprovalInput {
	onLCD := true
	b := domain.Benefit{CoverageRank: 1, Active: true, PlanType: "commercial", Network: "in",
		DeductibleCents: 150000, DeductibleMetCents: 90000, OOPMaxCents: 500000, OOPMetCents: 120000,
		CopayCents: 4000, CoinsurancePercent: 20, PriorAuth: domain.PriorAuth{Required: false}}
	if v.PrimaryPayerID == w.payers["JL"] || v.PrimaryPayerID == w.payers["JK"] ||
		v.PrimaryPayerID == w.payers["JE"] || v.PrimaryPayerID == w.payers["JF"] {
		b.PlanType, b.DeductibleCents, b.DeductibleMetCents = "medicare_ffs", 25700, 25700
		b.OOPMaxCents, b.OOPMetCents, b.CopayCents = 0, 0, 0
		b.MAC, b.LCD, b.ProductOnLCD = w.macOf(v.PrimaryPayerID), "L35041", &onLCD
	} else if v.PrimaryPayerID == w.payers["medicare_advantage"] {
		b.PlanType = "medicare_advantage"
	}
	return domain.ApprovalInput{Notes: "Benefits verified with the payer (demo)",
		PayerReference: "DEMO-CALL-" + v.Reference, Benefits: []domain.Benefit{b}}
}

func (w *world) macOf(payerID string) domain.MAC {
	for _, m := range []string{"JL", "JK", "JE", "JF"} {
		if w.payers[m] == payerID {
			return domain.MAC(m)
		}
	}
	return ""
}

// backdate moves an approval's valid_until into the past, as time would, and runs
// the expiry job on it. Only the seeder does this; the API never can.
func (w *world) backdate(ctx context.Context, ivrID string) error {
	err := w.svc.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE ivrs SET valid_until = $1 WHERE id = $2`,
			string(domain.DateOf(tx.Now).AddDays(-3)), ivrID)
		return err
	})
	if err != nil {
		return err
	}
	_, err = w.svc.ExpireDue(ctx)
	return err
}
