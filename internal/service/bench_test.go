package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// forEachEngineB runs a benchmark on every engine the run can reach.
func forEachEngineB(b *testing.B, fn func(b *testing.B, d store.Dialect)) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) { fn(b, d) })
	}
}

// BenchmarkPatientInsertFetch creates a patient with its coverage (encryption,
// blind indexes, audit) and reads it back (decryption, audit).
func BenchmarkPatientInsertFetch(b *testing.B) {
	forEachEngineB(b, func(b *testing.B, d store.Dialect) {
		f := mustFixture(b, d)
		ctx := context.Background()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			p, err := f.svc.CreatePatient(ctx, f.doctor, f.patientInput(i))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.svc.GetPatient(ctx, f.doctor, p.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// mustIVRs bulk-creates n submitted IVRs straight through the store (no audit),
// the setup for list and queue benchmarks.
func mustIVRs(b *testing.B, f *fixture, n int) {
	b.Helper()
	ctx := context.Background()
	p, err := f.svc.CreatePatient(ctx, f.doctor, f.patientInput(0))
	if err != nil {
		b.Fatal(err)
	}
	for done := 0; done < n; {
		err := f.svc.DB.InTx(ctx, func(tx *store.Tx) error {
			for i := 0; i < 1000 && done < n; i++ {
				v := domain.IVR{Status: domain.IVRSubmitted, PracticeID: f.doctor.OrganizationID,
					IVRInput: f.ivrInput(p.ID), CreatedBy: f.doctor.UserID, Eligibility: "not_checked"}
				if err := store.CreateIVR(ctx, tx, &v); err != nil {
					return err
				}
				t := tx.Now
				v.SubmittedAt = &t
				if err := store.SaveIVRState(ctx, tx, &v, v.Version); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// As the running platform does hourly: refresh the planner's statistics.
	if err := f.svc.DB.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListIVRs lists a page of 50 IVRs (scope predicate, decryption and one
// audit entry per row) out of 2,000, as an admin (no predicate), a doctor (the
// practice predicate) and a specialist (the territory subtree predicate): the
// difference is the cost of scope in SQL.
func BenchmarkListIVRs(b *testing.B) {
	forEachEngineB(b, func(b *testing.B, d store.Dialect) {
		f := mustFixture(b, d)
		mustIVRs(b, f, 2000)
		admin := domain.Principal{UserID: "bench-admin", Role: domain.RoleAdmin}
		for _, who := range []struct {
			name string
			p    domain.Principal
		}{{"admin", admin}, {"practice", f.doctor}, {"territory", f.specialist}} {
			b.Run(who.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					vs, _, err := f.svc.ListIVRs(context.Background(), who.p, store.IVRFilter{Limit: 50})
					if err != nil || len(vs) != 50 {
						b.Fatal(len(vs), err)
					}
				}
			})
		}
	})
}

// BenchmarkQueue reads the first page of the specialist queue over 100,000 IVRs.
func BenchmarkQueue(b *testing.B) {
	forEachEngineB(b, func(b *testing.B, d store.Dialect) {
		f := mustFixture(b, d)
		mustIVRs(b, f, 100_000)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			vs, _, err := f.svc.Queue(context.Background(), f.specialist, store.IVRFilter{Limit: 50})
			if err != nil || len(vs) != 50 {
				b.Fatal(len(vs), err)
			}
		}
	})
}

// BenchmarkSubmitApprove runs the submit, assign and approve use cases on a fresh
// draft each iteration: state machine, encryption, history, audit and outbox.
func BenchmarkSubmitApprove(b *testing.B) {
	forEachEngineB(b, func(b *testing.B, d store.Dialect) {
		f := mustFixture(b, d)
		ctx := context.Background()
		p, err := f.svc.CreatePatient(ctx, f.doctor, f.patientInput(0))
		if err != nil {
			b.Fatal(err)
		}
		body, _ := json.Marshal(approval())
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			v, err := f.svc.CreateIVR(ctx, f.doctor, f.ivrInput(p.ID))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			steps := []struct {
				who    domain.Principal
				action domain.IVRAction
				body   []byte
			}{{f.doctor, domain.IVRSubmit, nil}, {f.specialist, domain.IVRAssign, nil},
				{f.specialist, domain.IVRApprove, body}}
			for _, s := range steps {
				if _, err := f.svc.ActIVR(ctx, s.who, v.ID, s.action, s.body, 0); err != nil {
					b.Fatal(fmt.Errorf("%s: %w", s.action, err))
				}
			}
		}
	})
}
