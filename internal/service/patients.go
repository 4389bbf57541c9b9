package service

import (
	"context"

	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// patientFields names the PHI fields of a patient, for audit entries.
var patientFields = []string{"first_name", "middle_name", "last_name", "birth_date", "sex",
	"mrn", "phone", "email", "address", "flags", "coverages"}

// requirePHI refuses PHI-minimal roles: patients are PHI through and through.
func requirePHI(p domain.Principal) error {
	if p.Role.PHIMinimal() {
		return domain.ErrForbidden
	}
	return nil
}

// checkPayers verifies every coverage names a payer of the directory.
func (s *Service) checkPayers(ctx context.Context, cs []domain.CoverageInput) error {
	payers, err := s.DB.ListPayers(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, p := range payers {
		known[p.ID] = true
	}
	var fe domain.FieldErrors
	for i, c := range cs {
		if !known[c.PayerID] {
			fe.Add(domain.FieldPath("coverages", i, "payer_id"), "no such payer")
		}
	}
	return fe.Err()
}

// CreatePatient creates a patient in the caller's practice (clinic roles only).
func (s *Service) CreatePatient(ctx context.Context, p domain.Principal, in domain.PatientInput) (
	domain.Patient, error) {
	if !p.Role.ClinicRole() {
		return domain.Patient{}, domain.ErrForbidden
	}
	if err := in.Validate(s.now()); err != nil {
		return domain.Patient{}, err
	}
	if err := s.checkPayers(ctx, in.Coverages); err != nil {
		return domain.Patient{}, err
	}
	pt := domain.Patient{PracticeID: p.OrganizationID, PatientInput: in, CreatedBy: p.UserID}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if err := store.CreatePatient(ctx, tx, &pt); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "patient.create", "patient", pt.ID, pt.ID, patientFields...))
	})
	if err != nil {
		return domain.Patient{}, err
	}
	return s.GetPatient(ctx, p, pt.ID)
}

// GetPatient returns a patient in scope and records the read.
func (s *Service) GetPatient(ctx context.Context, p domain.Principal, id string) (domain.Patient, error) {
	if err := requirePHI(p); err != nil {
		return domain.Patient{}, err
	}
	var pt domain.Patient
	err := s.readTx(ctx, func(tx *store.Tx) (err error) {
		pt, err = store.GetPatient(ctx, tx, s.Keys, p, id, tx.Now)
		if err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "patient.read", "patient", pt.ID, pt.ID, patientFields...))
	})
	if isNotFound(err) {
		s.RecordDenied(ctx, p, "patient.read", "patient", id, domain.CodeNotFound)
	}
	return pt, err
}

// ListPatients returns a page of patients in scope (searching by blind index
// when f.Query is set) and records one read entry per row returned.
func (s *Service) ListPatients(ctx context.Context, p domain.Principal, f store.PatientFilter) (
	[]domain.Patient, string, error) {
	if err := requirePHI(p); err != nil {
		return nil, "", err
	}
	var ps []domain.Patient
	var next string
	action := "patient.list"
	if f.Query != "" {
		action = "patient.search"
	}
	err := s.readTx(ctx, func(tx *store.Tx) (err error) {
		ps, next, err = store.ListPatients(ctx, tx, s.Keys, p, f, tx.Now)
		if err != nil {
			return err
		}
		return recordRows(ctx, tx, p, action, "patient", len(ps), func(i int) (string, string) {
			return ps[i].ID, ps[i].ID
		}, patientFields)
	})
	return ps, next, err
}

// recordRows writes one audit entry per row a read returned, appended to the
// chain in one batch.
func recordRows(ctx context.Context, tx *store.Tx, p domain.Principal, action, resType string, n int,
	ids func(i int) (resID, patientID string), fields []string) error {
	if n == 0 {
		return nil
	}
	es := make([]audit.Entry, n)
	for i := range es {
		id, patient := ids(i)
		es[i] = entry(p, action, resType, id, patient, fields...)
	}
	_, _, err := audit.AppendBatch(ctx, tx, es)
	return err
}

// UpdatePatient applies a PATCH to a patient in scope, checking the version when
// one is given (0: none).
func (s *Service) UpdatePatient(ctx context.Context, p domain.Principal, id string,
	patch domain.PatientPatch, version int) (domain.Patient, error) {
	if !p.Role.ClinicRole() && p.Role != domain.RoleAdmin {
		return domain.Patient{}, domain.ErrForbidden
	}
	var pt domain.Patient
	err := s.inTx(ctx, func(tx *store.Tx) (err error) {
		pt, err = store.GetPatient(ctx, tx, s.Keys, p, id, tx.Now)
		if err != nil {
			return err
		}
		if version != 0 && version != pt.Version {
			return domain.ErrVersionMismatch
		}
		patch.Apply(&pt.PatientInput)
		if err := pt.PatientInput.Validate(tx.Now); err != nil {
			return err
		}
		if err := s.checkPayers(ctx, pt.Coverages); err != nil {
			return err
		}
		if err := store.UpdatePatient(ctx, tx, &pt, pt.Version); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "patient.update", "patient", pt.ID, pt.ID, patch.Fields()...))
	})
	return pt, err
}
