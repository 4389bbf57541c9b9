package service

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/eligibility"
	"github.com/openivr/ivr/internal/store"
)

// CoverageEligibility runs a FHIR R4 CoverageEligibilityRequest through the
// configured clearinghouse and returns the CoverageEligibilityResponse JSON.
// Resources may be contained in the request; a reference "Patient/{id}" is read
// from the platform's own patients, in the caller's scope and audited. A bad
// request returns an *eligibility.OperationOutcome.
func (s *Service) CoverageEligibility(ctx context.Context, p domain.Principal, body []byte) ([]byte, error) {
	if !p.Role.Can(domain.PermEligibility) {
		return nil, domain.ErrForbidden
	}
	if s.Checker == nil {
		return nil, domain.Errorf(domain.CodeConflict, "cannot check eligibility: no clearinghouse configured")
	}
	fi, err := eligibility.ParseCoverageEligibilityRequest(ctx, body, s.fhirResolver(p))
	if err != nil {
		return nil, err
	}
	res := s.Checker.Check(ctx, fi.Inquiry)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		e := entry(p, "eligibility.fhir", "patient", strings.TrimPrefix(fi.PatientRef, "Patient/"), "")
		if id, ok := strings.CutPrefix(fi.PatientRef, "Patient/"); ok {
			e.PatientID = id
		}
		return record(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return eligibility.BuildCoverageEligibilityResponse(fi, res, store.NewID(), s.now())
}

// fhirResolver resolves "Patient/{id}" to a FHIR Patient built from the stored
// patient when it is in p's scope; anything else is not found.
func (s *Service) fhirResolver(p domain.Principal) eligibility.Resolver {
	return func(ctx context.Context, ref string) (json.RawMessage, error) {
		id, ok := strings.CutPrefix(ref, "Patient/")
		if !ok {
			return nil, domain.ErrNotFound
		}
		pt, err := s.GetPatient(ctx, p, id)
		if err != nil {
			return nil, err
		}
		gender := map[domain.Sex]string{"female": "female", "male": "male", "other": "other"}[pt.Sex]
		if gender == "" {
			gender = "unknown"
		}
		given := []string{pt.FirstName}
		if pt.MiddleName != "" {
			given = append(given, pt.MiddleName)
		}
		return json.Marshal(map[string]any{"resourceType": "Patient", "id": pt.ID,
			"name":      []map[string]any{{"family": pt.LastName, "given": given}},
			"birthDate": string(pt.BirthDate), "gender": gender})
	}
}
