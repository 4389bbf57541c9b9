package web

import (
	"context"
	"net/http"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// maxCounted bounds the IVRs read to count statuses on the home page.
const maxCounted = 1000

// homeData is the home page.
type homeData struct {
	Chips    []statusChip
	Total    int
	Partial  bool // more IVRs than maxCounted: counts cover the newest only
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
	all, partial, err := h.allIVRs(ctx, c.p)
	if err != nil {
		return err
	}
	terr := h.territories(ctx, c.p)
	d := homeData{Filter: filter, Partial: partial, Total: len(all),
		CanNew: c.p.Role.Can(domain.PermIVRWrite)}
	counts := map[domain.IVRState]int{}
	for _, v := range all {
		counts[v.Status]++
		if (filter == "" || string(v.Status) == filter) && len(d.Rows) < h.opts.QueueLimit {
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

// allIVRs reads the IVRs in scope, newest first, up to maxCounted.
// A count by status in the service would spare reading every row.
func (h *Handler) allIVRs(ctx context.Context, p domain.Principal) ([]domain.IVR, bool, error) {
	var out []domain.IVR
	f := store.IVRFilter{Limit: 200}
	for len(out) < maxCounted {
		vs, next, err := h.svc.ListIVRs(ctx, p, f)
		if err != nil {
			return nil, false, err
		}
		out = append(out, vs...)
		if next == "" {
			return out, false, nil
		}
		f.Cursor = next
	}
	return out, true, nil
}
