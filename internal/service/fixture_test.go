package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/events"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/service"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// fixture is a small world for service tests and benchmarks: one territory, one
// practice with a facility, a doctor, a specialist, a payer and a product.
type fixture struct {
	svc                 *service.Service
	doctor, specialist  domain.Principal
	facilityID, payerID string
	product             domain.Product
}

func mustFixture(tb testing.TB, d store.Dialect) *fixture {
	tb.Helper()
	ctx := context.Background()
	db := storetest.MustOpen(tb, d)
	keys, err := phi.Open(ctx, phi.Config{DataDir: tb.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	db.Keys = keys
	hub := events.NewHub(db, events.NewLocalBus(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	f := &fixture{svc: &service.Service{DB: db, Keys: keys, Hasher: auth.MustNewHasher(auth.DefaultParams, 0),
		Throttle: auth.NewMemoryThrottle(auth.ThrottleConfig{}), Sessions: auth.DefaultSessionPolicy(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Notify: hub.Notify, BreakGlassFor: time.Hour}}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		t := domain.Territory{Code: "T1", Name: "Region", States: []string{"NJ"}}
		if err := store.CreateTerritory(ctx, tx, &t); err != nil {
			return err
		}
		ops := domain.Organization{Kind: domain.OrgOperator, Name: "Ops"}
		pr := domain.Organization{Kind: domain.OrgPractice, Name: "Clinic", TerritoryID: t.ID}
		for _, o := range []*domain.Organization{&ops, &pr} {
			if err := store.CreateOrganization(ctx, tx, o, false); err != nil {
				return err
			}
		}
		fac := domain.Facility{OrganizationID: pr.ID, Name: "Main", NPI: "1234567893"}
		if err := store.CreateFacility(ctx, tx, &fac); err != nil {
			return err
		}
		payer := domain.Payer{Name: "Medicare JL", Kind: "medicare", MAC: "JL", PlanTypes: []string{"medicare_ffs"}}
		if err := store.CreatePayer(ctx, tx, &payer); err != nil {
			return err
		}
		f.product = domain.Product{Name: "Graft", Manufacturer: "Maker", HCPCS: "Q4186",
			FDACategory: "Section 361 HCT/P", Sizes: []domain.ProductSize{{Label: "2x3 cm", AreaCm2: 6}}}
		if err := store.CreateProduct(ctx, tx, &f.product); err != nil {
			return err
		}
		doc := domain.User{Email: "doc@example.test", Name: "Doc", Role: domain.RoleDoctor, OrganizationID: pr.ID}
		spec := domain.User{Email: "spec@example.test", Name: "Spec", Role: domain.RoleSpecialist,
			OrganizationID: ops.ID, TerritoryIDs: []string{t.ID}}
		for _, u := range []*domain.User{&doc, &spec} {
			if err := store.CreateUser(ctx, tx, u, false); err != nil {
				return err
			}
		}
		f.doctor = domain.Principal{UserID: doc.ID, Role: doc.Role, OrganizationID: pr.ID}
		f.specialist = domain.Principal{UserID: spec.ID, Role: spec.Role, OrganizationID: ops.ID}
		f.facilityID, f.payerID = fac.ID, payer.ID
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func (f *fixture) patientInput(n int) domain.PatientInput {
	return domain.PatientInput{FirstName: "Ada", LastName: fmt.Sprintf("Sample%d", n), BirthDate: "1950-04-02",
		Sex: "female", MRN: fmt.Sprintf("MRN-%d", n), Phone: "+1-555-0100",
		Address: domain.Address{Line1: "1 Main St", City: "Newark", State: "NJ", ZIP: "07102"},
		Coverages: []domain.CoverageInput{{Rank: 1, PayerID: f.payerID, PlanType: "medicare_ffs",
			MemberID: "1EG4TE5MK73", Relationship: "self", EffectiveDate: "2026-01-01"}}}
}

func (f *fixture) ivrInput(patientID string) domain.IVRInput {
	return domain.IVRInput{PatientID: patientID, FacilityID: f.facilityID, PlaceOfService: "11",
		RequestType: "new",
		Wound: domain.WoundInput{Type: "diabetic_foot_ulcer", Site: "foot", Laterality: "left",
			LengthCm: 3, WidthCm: 2, DepthCm: 0.4, DurationWeeks: 8, ConservativeCareWeeks: 4},
		DiagnosisCodes: []string{"E11.621", "L97.422"},
		Products:       []domain.ProductLine{{ProductID: f.product.ID, Size: "2x3 cm", Quantity: 4}},
		Applications:   4, Frequency: "weekly",
		StartDate: domain.DateOf(time.Now()).AddDays(7)}
}

func approval() domain.ApprovalInput {
	onLCD := true
	return domain.ApprovalInput{Notes: "verified", PayerReference: "ref 1",
		Benefits: []domain.Benefit{{CoverageRank: 1, Active: true, PlanType: "medicare_ffs", Network: "in",
			DeductibleCents: 25700, DeductibleMetCents: 25700, CoinsurancePercent: 20,
			MAC: "JL", LCD: "L35041", ProductOnLCD: &onLCD}}}
}

func serviceBreakGlass(patientID, code string) service.BreakGlassInput {
	return service.BreakGlassInput{PatientID: patientID, Reason: "patient transferred to our ward tonight", Code: code}
}
