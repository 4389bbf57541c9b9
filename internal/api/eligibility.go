package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/openivr/ivr/internal/eligibility"
)

func (s *Server) eligibility(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Eligibility(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": cs})
	return nil
}

func (s *Server) recheckEligibility(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.RecheckEligibility(r.Context(), principal(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// fhir answers POST /fhir/r4/CoverageEligibilityRequest/$submit: a FHIR R4
// CoverageEligibilityRequest in, a CoverageEligibilityResponse out, or an
// OperationOutcome naming what is wrong (422). Authentication and scope are those
// of the rest of the API.
func (s *Server) fhir(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	out, err := s.svc.CoverageEligibility(r.Context(), principal(r), body)
	var oo *eligibility.OperationOutcome
	if errors.As(err, &oo) {
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		return json.NewEncoder(w).Encode(oo)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
	return nil
}
