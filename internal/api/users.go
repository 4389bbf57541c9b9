package api

import (
	"net/http"

	"github.com/openivr/ivr/internal/service"
)

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.svc.ListUsers(r.Context(), principal(r))
	return writePage(w, r, us, err)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in service.CreateUserInput
	if err := s.decode(r, &in); err != nil {
		return err
	}
	u, err := s.svc.CreateUser(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Disabled *bool `json:"disabled"`
	}
	if _, err := s.decodeRaw(r, &in); err != nil {
		return err
	}
	disabled := in.Disabled == nil || *in.Disabled
	err := s.svc.SetUserDisabled(r.Context(), principal(r), r.PathValue("id"), disabled)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setUserTerritories(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TerritoryIDs []string `json:"territory_ids"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	err := s.svc.SetUserTerritories(r.Context(), principal(r), r.PathValue("id"), in.TerritoryIDs)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) movePractice(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TerritoryID string `json:"territory_id"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	err := s.svc.MovePractice(r.Context(), principal(r), r.PathValue("id"), in.TerritoryID)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UserID string `json:"user_id"`
		Name   string `json:"name"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	t, err := s.svc.CreateAPIToken(r.Context(), principal(r), in.UserID, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.ListAPITokens(r.Context(), principal(r))
	return writePage(w, r, ts, err)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.RevokeAPIToken(r.Context(), principal(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createPayer(w http.ResponseWriter, r *http.Request) error {
	var in service.PayerInput
	if err := s.decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreatePayer(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) error {
	var in service.ProductInput
	if err := s.decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreateProduct(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}
