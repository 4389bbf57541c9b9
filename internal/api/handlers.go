package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
	"github.com/openivr/ivr/internal/store"
)

// decode reads and strictly decodes the JSON body into v.
func (s *Server) decode(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeStrict(body, v)
}

// decodeRaw reads an optional JSON body, checking it decodes strictly into the
// shape v, and returns the raw bytes for the service.
func (s *Server) decodeRaw(r *http.Request, v any) (json.RawMessage, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, nil
	}
	return body, decodeStrict(body, v)
}

func writeVersioned(w http.ResponseWriter, status, version int, v any) {
	w.Header().Set("ETag", etag(version))
	writeJSON(w, status, v)
}

func (s *Server) territories(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.svc.DB.ListTerritories(r.Context(), principal(r))
	return writePage(w, r, ts, err)
}

func (s *Server) products(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.DB.ListProducts(r.Context())
	return writePage(w, r, ps, err)
}

func (s *Server) payers(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.DB.ListPayers(r.Context())
	return writePage(w, r, ps, err)
}

func (s *Server) facilities(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.svc.ListFacilities(r.Context(), principal(r))
	return writePage(w, r, fs, err)
}

func (s *Server) listPatients(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.PatientFilter{Query: q.Get("q"), Cursor: q.Get("cursor"), Limit: limit}
	ps, next, err := s.svc.ListPatients(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[domain.Patient]{Items: ps, NextCursor: next})
	return nil
}

func (s *Server) createPatient(w http.ResponseWriter, r *http.Request) error {
	var in domain.PatientInput
	if err := s.decode(r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreatePatient(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusCreated, p.Version, p)
	return nil
}

func (s *Server) getPatient(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.GetPatient(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, p.Version, p)
	return nil
}

func (s *Server) patchPatient(w http.ResponseWriter, r *http.Request) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var patch domain.PatientPatch
	if err := s.decode(r, &patch); err != nil {
		return err
	}
	p, err := s.svc.UpdatePatient(r.Context(), principal(r), r.PathValue("id"), patch, version)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, p.Version, p)
	return nil
}

func (s *Server) accessLog(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	page, err := s.svc.AccessLog(r.Context(), principal(r), r.PathValue("id"),
		r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) auditSearch(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	page, err := s.svc.AuditSearch(r.Context(), principal(r), r.URL.Query(), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func ivrFilter(r *http.Request) (store.IVRFilter, error) {
	limit, err := queryLimit(r)
	if err != nil {
		return store.IVRFilter{}, err
	}
	q := r.URL.Query()
	f := store.IVRFilter{PracticeID: q.Get("practice_id"), PayerID: q.Get("payer_id"),
		ProductID: q.Get("product_id"), PatientID: q.Get("patient_id"), Cursor: q.Get("cursor"),
		Limit: limit}
	f.Status, err = statuses(r, domain.IVRState.Valid)
	return f, err
}

// statuses parses ?status=a,b into states, refusing unknown ones.
func statuses[S ~string](r *http.Request, valid func(S) bool) ([]S, error) {
	v := r.URL.Query().Get("status")
	if v == "" {
		return nil, nil
	}
	var out []S
	for _, st := range strings.Split(v, ",") {
		if !valid(S(st)) {
			return nil, &domain.Error{Code: domain.CodeBadRequest, Message: "bad query parameter",
				Fields: map[string]string{"status": "unknown status"}}
		}
		out = append(out, S(st))
	}
	return out, nil
}

func (s *Server) listIVRs(w http.ResponseWriter, r *http.Request) error {
	f, err := ivrFilter(r)
	if err != nil {
		return err
	}
	p := principal(r)
	vs, next, err := s.svc.ListIVRs(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[any]{Items: ivrViews(p, vs), NextCursor: next})
	return nil
}

func (s *Server) queue(w http.ResponseWriter, r *http.Request) error {
	f, err := ivrFilter(r)
	if err != nil {
		return err
	}
	p := principal(r)
	vs, next, err := s.svc.Queue(r.Context(), p, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[any]{Items: ivrViews(p, vs), NextCursor: next})
	return nil
}

func (s *Server) createIVR(w http.ResponseWriter, r *http.Request) error {
	var in domain.IVRInput
	if err := s.decode(r, &in); err != nil {
		return err
	}
	v, err := s.svc.CreateIVR(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusCreated, v.Version, v)
	return nil
}

func (s *Server) getIVR(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	v, err := s.svc.GetIVR(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, v.Version, ivrView(p, v))
	return nil
}

func (s *Server) patchIVR(w http.ResponseWriter, r *http.Request) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var patch domain.IVRPatch
	if err := s.decode(r, &patch); err != nil {
		return err
	}
	v, err := s.svc.PatchIVR(r.Context(), principal(r), r.PathValue("id"), patch, version)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

// ivrAction returns the handler of one IVR action; shape is the body's type, used
// to refuse unknown fields before the service sees the body.
func (s *Server) ivrAction(action domain.IVRAction, shape func() any) handlerFunc {
	return s.action(shape, func(r *http.Request, p domain.Principal, body []byte, version int) (
		int, any, error) {
		v, err := s.svc.ActIVR(r.Context(), p, r.PathValue("id"), action, body, version)
		return v.Version, ivrView(p, v), err
	})
}

// actionCall performs one workflow action and returns the record's new version
// and the view of it the caller may see.
type actionCall func(r *http.Request, p domain.Principal, body []byte, version int) (int, any, error)

// action is the common shape of a workflow action: If-Match, a strictly decoded
// optional body, the service call, and the versioned view of the result.
func (s *Server) action(shape func() any, call actionCall) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		version, err := ifMatch(r)
		if err != nil {
			return err
		}
		body, err := s.decodeRaw(r, shape())
		if err != nil {
			return err
		}
		v, view, err := call(r, principal(r), body, version)
		if err != nil {
			return err
		}
		writeVersioned(w, http.StatusOK, v, view)
		return nil
	}
}

func (s *Server) ivrHistory(w http.ResponseWriter, r *http.Request) error {
	h, err := s.svc.History(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[domain.StatusChange]{Items: h})
	return nil
}

func (s *Server) ivrMessages(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.svc.Messages(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[domain.Message]{Items: ms})
	return nil
}

func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Message string `json:"message"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	m, err := s.svc.PostMessage(r.Context(), principal(r), r.PathValue("id"), in.Message)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.OrderFilter{IVRID: q.Get("ivr_id"), Cursor: q.Get("cursor"), Limit: limit}
	if f.Status, err = statuses(r, domain.OrderState.Valid); err != nil {
		return err
	}
	p := principal(r)
	os, next, err := s.svc.ListOrders(r.Context(), p, f)
	if err != nil {
		return err
	}
	for i := range os {
		os[i] = orderView(p, os[i])
	}
	writeJSON(w, http.StatusOK, list[domain.Order]{Items: os, NextCursor: next})
	return nil
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) error {
	var in domain.OrderInput
	if err := s.decode(r, &in); err != nil {
		return err
	}
	o, err := s.svc.CreateOrder(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusCreated, o.Version, o)
	return nil
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	o, err := s.svc.GetOrder(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, o.Version, orderView(p, o))
	return nil
}

func (s *Server) orderAction(action domain.OrderAction, shape func() any) handlerFunc {
	return s.action(shape, func(r *http.Request, p domain.Principal, body []byte, version int) (
		int, any, error) {
		o, err := s.svc.ActOrder(r.Context(), p, r.PathValue("id"), action, body, version)
		return o.Version, orderView(p, o), err
	})
}

func (s *Server) breakGlass(w http.ResponseWriter, r *http.Request) error {
	var in service.BreakGlassInput
	if err := s.decode(r, &in); err != nil {
		return err
	}
	g, err := s.svc.BreakGlass(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, g)
	return nil
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	if s.opts.Events == nil {
		return domain.ErrNotFound
	}
	return s.opts.Events.ServeWS(w, r, principal(r))
}
