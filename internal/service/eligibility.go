package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/eligibility"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/x12"
)

// EligibilityView is a check as the API shows it, with the normalised 271.
type EligibilityView struct {
	store.EligibilityCheck
	Summary json.RawMessage `json:"summary,omitempty"`
}

// Eligibility returns an IVR's electronic eligibility checks (full-PHI roles).
func (s *Service) Eligibility(ctx context.Context, p domain.Principal, ivrID string) ([]EligibilityView, error) {
	if err := requirePHI(p); err != nil {
		return nil, err
	}
	out := []EligibilityView{}
	err := s.readTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, p, ivrID, tx.Now)
		if err != nil {
			return err
		}
		cs, err := store.EligibilityChecks(ctx, tx, s.Keys, v.ID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			view := EligibilityView{EligibilityCheck: c}
			if c.Summary != "" {
				view.Summary = json.RawMessage(c.Summary)
			}
			out = append(out, view)
		}
		return record(ctx, tx, entry(p, "ivr.eligibility.read", "ivr", v.ID, v.PatientID, "eligibility"))
	})
	return out, err
}

// RecheckEligibility queues a new check of the IVR's primary coverage; the
// background worker runs it.
func (s *Service) RecheckEligibility(ctx context.Context, p domain.Principal, ivrID string) error {
	if !p.Role.Can(domain.PermEligibility) {
		return domain.ErrForbidden
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, p, ivrID, tx.Now)
		if err != nil {
			return err
		}
		if v.Status == domain.IVRDraft || v.Status.Terminal() {
			return domain.Conflict("check eligibility", string(v.Status))
		}
		if err := store.QueueEligibilityCheck(ctx, tx, v.ID, 1); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "ivr.eligibility.check", "ivr", v.ID, v.PatientID))
	})
}

// RunEligibility runs queued checks until ctx ends, polling every interval. A
// slow or failing clearinghouse only delays these checks: IVRs move on without
// them, showing "pending" or "failed: why".
func (s *Service) RunEligibility(ctx context.Context, every time.Duration) {
	if s.Checker == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		checks, err := s.DB.ClaimEligibilityChecks(ctx, 10, 5*time.Minute)
		if err != nil && ctx.Err() == nil {
			s.Log.ErrorContext(ctx, "claim eligibility checks", "error", err)
		}
		for _, c := range checks {
			if err := s.runCheck(ctx, c); err != nil && ctx.Err() == nil {
				s.Log.ErrorContext(ctx, "eligibility check", "check_id", c.ID, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) runCheck(ctx context.Context, c store.EligibilityCheck) error {
	inq, err := s.inquiryFor(ctx, c.IVRID, c.CoverageRank)
	var res eligibility.Result
	if err != nil {
		res = eligibility.Result{Status: eligibility.StatusFailed, Reason: "cannot build the inquiry: " + err.Error()}
	} else {
		res = s.Checker.Check(ctx, inq)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.Status, c.Reason = string(res.Status), res.Reason
	c.Raw270, c.Raw271 = res.RawRequest, res.RawResponse
	if res.Summary != nil {
		b, err := json.Marshal(res.Summary)
		if err != nil {
			return err
		}
		c.Summary = string(b)
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.FinishEligibilityCheck(ctx, tx, c); err != nil {
			return err
		}
		e := entry(domain.System, "ivr.eligibility.result", "ivr", c.IVRID, "", "eligibility")
		e.Outcome = "success"
		if c.Status != string(eligibility.StatusOK) {
			e.Outcome = "failure"
		}
		return record(ctx, tx, e)
	})
}

// inquiryFor builds the 270 inquiry of an IVR's coverage: the subscriber from the
// coverage (the patient, or the named subscriber with the patient as dependent),
// the facility as provider, the planned start as date of service, and the first
// product's HCPCS code for a procedure-level inquiry. Errors name fields only.
func (s *Service) inquiryFor(ctx context.Context, ivrID string, rank int) (eligibility.Inquiry, error) {
	var inq eligibility.Inquiry
	err := s.readTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, domain.System, ivrID, tx.Now)
		if err != nil {
			return err
		}
		pt, err := store.GetPatient(ctx, tx, s.Keys, domain.System, v.PatientID, tx.Now)
		if err != nil {
			return err
		}
		var cov *domain.CoverageInput
		for i := range pt.Coverages {
			if pt.Coverages[i].Rank == rank {
				cov = &pt.Coverages[i]
			}
		}
		if cov == nil {
			return fmt.Errorf("no coverage of rank %d", rank)
		}
		fac, err := s.DB.GetFacility(ctx, v.FacilityID)
		if err != nil {
			return err
		}
		inq, err = s.buildInquiry(ctx, pt, *cov, fac, v)
		if err != nil {
			return err
		}
		return record(ctx, tx, entry(domain.System, "patient.read.eligibility", "patient", pt.ID, pt.ID,
			"first_name", "last_name", "birth_date", "sex", "coverages"))
	})
	return inq, err
}

func (s *Service) buildInquiry(ctx context.Context, pt domain.Patient, cov domain.CoverageInput,
	fac domain.Facility, v domain.IVR) (eligibility.Inquiry, error) {
	payers, err := s.DB.ListPayers(ctx)
	if err != nil {
		return eligibility.Inquiry{}, err
	}
	payerName := ""
	for _, p := range payers {
		if p.ID == cov.PayerID {
			payerName = p.Name
		}
	}
	dob, ok := pt.BirthDate.Time()
	if !ok {
		return eligibility.Inquiry{}, fmt.Errorf("birth_date: not a date")
	}
	sex := map[domain.Sex]string{"female": "F", "male": "M"}[pt.Sex]
	if sex == "" {
		sex = "U"
	}
	patient := x12.Person{MemberID: cov.MemberID, FirstName: pt.FirstName, MiddleName: pt.MiddleName,
		LastName: pt.LastName, BirthDate: dob, Sex: sex}
	inq := eligibility.Inquiry{PayerID: cov.PayerID, PayerName: payerName, ProviderName: fac.Name,
		ProviderNPI: fac.NPI, Subscriber: patient}
	if cov.Relationship != "self" {
		first, last, _ := strings.Cut(cov.SubscriberName, " ")
		sdob, _ := cov.SubscriberBirthDate.Time()
		inq.Subscriber = x12.Person{MemberID: cov.MemberID, FirstName: first, LastName: last, BirthDate: sdob}
		patient.MemberID = ""
		inq.Dependent = &patient
	}
	if dos, ok := v.StartDate.Time(); ok {
		inq.DateOfService = dos
	}
	if len(v.Products) > 0 {
		if prods, err := s.DB.ProductsByID(ctx, []string{v.Products[0].ProductID}); err == nil {
			inq.ProcedureCode = prods[v.Products[0].ProductID].HCPCS
		}
	}
	return inq, nil
}
