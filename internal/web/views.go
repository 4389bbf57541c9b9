package web

import (
	"context"
	"sync"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
)

// ivrRow is the PHI-minimal face of an IVR: what every role that reads IVRs may
// see. Lists use it for everyone; detail pages add the rest only for full roles.
type ivrRow struct {
	ID         string
	Reference  string
	Status     string
	Initials   string
	Products   []productLine
	Territory  string
	Created    time.Time
	Submitted  *time.Time
	Decided    *time.Time
	ValidUntil domain.Date
	Escalated  bool
	AssignedMe bool
}

// productLine is a product line with the product's display name.
type productLine struct {
	ProductID string
	Name      string
	Size      string
	Quantity  int
}

// rowOf copies only the PHI-minimal fields of v.
func (h *Handler) rowOf(ctx context.Context, p domain.Principal, v domain.IVR,
	terr map[string]string) ivrRow {
	return ivrRow{ID: v.ID, Reference: v.Reference, Status: string(v.Status),
		Initials: v.PatientInitials, Products: h.products.lines(ctx, v.Products),
		Territory: terr[v.TerritoryID], Created: v.CreatedAt, Submitted: v.SubmittedAt,
		Decided: v.DecidedAt, ValidUntil: v.ValidUntil, Escalated: v.Escalated,
		AssignedMe: v.AssignedTo != "" && v.AssignedTo == p.UserID}
}

// territories returns territory names by id in the caller's scope.
func (h *Handler) territories(ctx context.Context, p domain.Principal) map[string]string {
	out := map[string]string{}
	ts, err := h.svc.DB.ListTerritories(ctx, p)
	if err != nil {
		h.log.WarnContext(ctx, "web: list territories", "error", err)
		return out
	}
	for _, t := range ts {
		out[t.ID] = t.Name
	}
	return out
}

// productCache holds the product catalog for a minute: it is reference data
// that every list shows.
type productCache struct {
	svc  *service.Service
	mu   sync.Mutex
	at   time.Time
	list []domain.Product
	byID map[string]domain.Product
}

// all returns the catalog, reloading it when older than a minute.
func (c *productCache) all(ctx context.Context) ([]domain.Product, map[string]domain.Product) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID != nil && time.Since(c.at) < time.Minute {
		return c.list, c.byID
	}
	ps, err := c.svc.DB.ListProducts(ctx)
	if err != nil {
		return c.list, c.byID
	}
	c.list, c.byID, c.at = ps, map[string]domain.Product{}, time.Now()
	for _, p := range ps {
		c.byID[p.ID] = p
	}
	return c.list, c.byID
}

// lines names the products of an IVR or order.
func (c *productCache) lines(ctx context.Context, ls []domain.ProductLine) []productLine {
	_, byID := c.all(ctx)
	out := make([]productLine, len(ls))
	for i, l := range ls {
		name := "Unknown product"
		if p, ok := byID[l.ProductID]; ok {
			name = p.Name + " (" + p.HCPCS + ")"
		}
		out[i] = productLine{ProductID: l.ProductID, Name: name, Size: l.Size, Quantity: l.Quantity}
	}
	return out
}
