package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// approvedIVR walks a fresh IVR to approved and returns it.
func (f *fixture) approvedIVR(t *testing.T) domain.IVR {
	t.Helper()
	ctx := context.Background()
	p, err := f.svc.CreatePatient(ctx, f.doctor, f.patientInput(1))
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.CreateIVR(ctx, f.doctor, f.ivrInput(p.ID))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(approval())
	for _, s := range []struct {
		who    domain.Principal
		action domain.IVRAction
		body   []byte
	}{{f.doctor, domain.IVRSubmit, nil}, {f.specialist, domain.IVRAssign, nil},
		{f.specialist, domain.IVRApprove, body}} {
		if v, err = f.svc.ActIVR(ctx, s.who, v.ID, s.action, s.body, 0); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
	}
	return v
}

func TestOrderCannotExceedTheApproval(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			f := mustFixture(t, d)
			ctx := context.Background()
			v := f.approvedIVR(t)
			item := func(q int) domain.OrderInput {
				return domain.OrderInput{IVRID: v.ID, Items: []domain.ProductLine{
					{ProductID: f.product.ID, Size: "2x3 cm", Quantity: q}}}
			}
			if _, err := f.svc.CreateOrder(ctx, f.doctor, item(3)); err != nil {
				t.Fatal(err)
			}
			_, err := f.svc.CreateOrder(ctx, f.doctor, item(2))
			if domain.ErrorCode(err) != domain.CodeInvalid {
				t.Fatalf("second order over the approval: got %v, want invalid", err)
			}
			if _, err := f.svc.CreateOrder(ctx, f.doctor, item(1)); err != nil {
				t.Fatalf("the last unit: %v", err)
			}
		})
	}
}

func TestConcurrentOrdersNeverExceedTheApproval(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			f := mustFixture(t, d)
			v := f.approvedIVR(t)
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok := 0
			for i := 0; i < 6; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := f.svc.CreateOrder(context.Background(), f.doctor, domain.OrderInput{IVRID: v.ID,
						Items: []domain.ProductLine{{ProductID: f.product.ID, Size: "2x3 cm", Quantity: 1}}})
					if err == nil {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if ok != 4 {
				t.Errorf("%d orders of one unit succeeded against an approval of 4, want exactly 4", ok)
			}
		})
	}
}

func TestExpiryAndNotices(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			f := mustFixture(t, d)
			ctx := context.Background()
			v := f.approvedIVR(t)
			setValidUntil := func(day domain.Date) {
				err := f.svc.DB.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ExecContext(ctx, `UPDATE ivrs SET valid_until = $1 WHERE id = $2`, string(day), v.ID)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			today := domain.DateOf(time.Now())
			setValidUntil(today.AddDays(5))
			if n, err := f.svc.SendNotices(ctx); err != nil || n != 1 {
				t.Fatalf("SendNotices = %d, %v; want the expiring notice", n, err)
			}
			if n, _ := f.svc.SendNotices(ctx); n != 0 {
				t.Errorf("the expiring notice was sent again (%d)", n)
			}
			setValidUntil(today.AddDays(-1))
			got, err := f.svc.GetIVR(ctx, f.doctor, v.ID)
			if err != nil || got.Status != domain.IVRExpired {
				t.Fatalf("before the job: status %s, %v; want expired as read", got.Status, err)
			}
			if _, err := f.svc.CreateOrder(ctx, f.doctor, domain.OrderInput{IVRID: v.ID,
				Items: []domain.ProductLine{{ProductID: f.product.ID, Size: "2x3 cm", Quantity: 1}}}); domain.ErrorCode(err) != domain.CodeConflict {
				t.Errorf("order on an approval past its date: %v, want conflict", err)
			}
			if n, err := f.svc.ExpireDue(ctx); err != nil || n != 1 {
				t.Fatalf("ExpireDue = %d, %v; want 1", n, err)
			}
			if n, _ := f.svc.ExpireDue(ctx); n != 0 {
				t.Errorf("ExpireDue moved %d again", n)
			}
		})
	}
}

func TestBreakGlassOpensOnePatientForAWhile(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			f := mustFixture(t, d)
			ctx := context.Background()
			p, err := f.svc.CreatePatient(ctx, f.doctor, f.patientInput(7))
			if err != nil {
				t.Fatal(err)
			}
			// A specialist with no territories cannot see the patient.
			outsider := f.specialist
			if err := f.svc.DB.InTx(ctx, func(tx *store.Tx) error {
				return store.SetUserTerritories(ctx, tx, outsider.UserID, nil)
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.GetPatient(ctx, outsider, p.ID); !errors.Is(err, domain.ErrNotFound) {
				t.Fatalf("before break-glass: %v, want not found", err)
			}
			secret := enrolMFA(t, f, outsider.UserID)
			code, _ := auth.DefaultTOTP.Code(secret, time.Now())
			in := serviceBreakGlass(p.ID, code)
			if _, err := f.svc.BreakGlass(ctx, outsider, in); err != nil {
				t.Fatalf("break glass: %v", err)
			}
			if _, err := f.svc.GetPatient(ctx, outsider, p.ID); err != nil {
				t.Fatalf("after break-glass: %v", err)
			}
			page, err := audit.Search(ctx, f.svc.DB, audit.Filter{PatientID: p.ID, Action: "patient.break_glass"})
			if err != nil || len(page.Records) != 1 || page.Records[0].Entry.Severity != audit.SeverityHigh {
				t.Fatalf("break-glass audit entry: %+v, %v", page.Records, err)
			}
			f.svc.DB.Now = func() time.Time { return time.Now().UTC().Add(61 * time.Minute) }
			if _, err := f.svc.GetPatient(ctx, outsider, p.ID); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("61 minutes later: %v, want not found", err)
			}
		})
	}
}

func enrolMFA(t *testing.T, f *fixture, userID string) string {
	t.Helper()
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := f.svc.Keys.EncryptString(secret.Reveal(), phi.FieldID{Table: "users", Column: "mfa_secret", RowID: userID})
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.DB.InTx(context.Background(), func(tx *store.Tx) error {
		return store.SetMFA(context.Background(), tx, userID, enc, true, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret.Reveal()
}

func TestAdminMovesAndScopeEvents(t *testing.T) {
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			f := mustFixture(t, d)
			ctx := context.Background()
			admin := domain.Principal{UserID: "admin-test", Role: domain.RoleAdmin}
			var territory, practice string
			err := f.svc.DB.InTx(ctx, func(tx *store.Tx) error {
				tr := domain.Territory{Code: "T2", Name: "Other"}
				if err := store.CreateTerritory(ctx, tx, &tr); err != nil {
					return err
				}
				territory, practice = tr.ID, f.doctor.OrganizationID
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.MovePractice(ctx, admin, practice, territory); err != nil {
				t.Fatalf("move practice: %v", err)
			}
			if err := f.svc.SetUserTerritories(ctx, admin, f.specialist.UserID, []string{territory}); err != nil {
				t.Fatalf("set territories: %v", err)
			}
			if err := f.svc.SetUserTerritories(ctx, admin, f.specialist.UserID, []string{"nope"}); domain.ErrorCode(err) != domain.CodeInvalid {
				t.Errorf("unknown territory: %v, want invalid", err)
			}
			var n int
			f.svc.DB.Reader().QueryRow(`SELECT count(*) FROM outbox WHERE type = 'scope.changed'`).Scan(&n)
			if n != 2 {
				t.Errorf("scope.changed events = %d, want 2", n)
			}
		})
	}
}
