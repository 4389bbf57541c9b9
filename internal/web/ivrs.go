package web

import (
	"net/http"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// homeData is the home page.
type homeData struct {
	Chips    []statusChip
	Total    int
	Filter   string
	Rows     []ivrRow
	Queue    []ivrRow
	HasQueue bool
	CanNew   bool
}

// home shows the IVRs in scope with status chips and, for specialists and
// admins, their queue. Roles without IVRs (logistics) go to their orders.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, c *call) error {
	if !c.p.Role.Can(domain.PermIVRRead) {
		http.Redirect(w, r, "/orders", http.StatusSeeOther)
		return nil
	}
	ctx := r.Context()
	filter := r.URL.Query().Get("status")
	if !domain.IVRState(filter).Valid() {
		filter = ""
	}
	counts, err := h.svc.CountIVRs(ctx, c.p)
	if err != nil {
		return err
	}
	f := store.IVRFilter{Limit: h.opts.QueueLimit}
	if filter != "" {
		f.Status = []domain.IVRState{domain.IVRState(filter)}
		if filter == string(domain.IVRApproved) || filter == string(domain.IVRExpired) {
			// An approval past its date reads as expired; fetch both and filter.
			f.Status = []domain.IVRState{domain.IVRApproved, domain.IVRExpired}
		}
	}
	rows, _, err := h.svc.ListIVRs(ctx, c.p, f)
	if err != nil {
		return err
	}
	terr := h.territories(ctx, c.p)
	d := homeData{Filter: filter, CanNew: c.p.Role.Can(domain.PermIVRWrite)}
	for _, n := range counts {
		d.Total += n
	}
	for _, v := range rows {
		if filter == "" || string(v.Status) == filter {
			d.Rows = append(d.Rows, h.rowOf(ctx, c.p, v, terr))
		}
	}
	d.Chips = chips(domain.IVRStates, counts, filter)
	if c.p.Role == domain.RoleSpecialist || c.p.Role == domain.RoleAdmin {
		d.HasQueue = true
		q, _, err := h.svc.Queue(ctx, c.p, store.IVRFilter{Limit: h.opts.QueueLimit})
		if err != nil {
			return err
		}
		for _, v := range q {
			d.Queue = append(d.Queue, h.rowOf(ctx, c.p, v, terr))
		}
	}
	v := newView(c, "IVRs")
	v.Data = d
	h.render(w, r, http.StatusOK, "home", v)
	return nil
}
