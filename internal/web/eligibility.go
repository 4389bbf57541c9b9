package web

import (
	"context"
	"encoding/json"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/x12"
)

// eligibilityView is the latest electronic eligibility check of an IVR, as the
// specialist and the clinic see it.
type eligibilityView struct {
	Status     string // pending, running, ok, failed
	Reason     string
	Active     bool
	Plans      []x12.Plan
	Others     []x12.OtherPayer
	Rejections []x12.Rejection
	CanRecheck bool
}

// eligibilityOf loads the newest check of the IVR, or nil when none was run.
func (h *Handler) eligibilityOf(ctx context.Context, p domain.Principal, ivrID string) (*eligibilityView, error) {
	checks, err := h.svc.Eligibility(ctx, p, ivrID)
	if err != nil || len(checks) == 0 {
		return nil, err
	}
	c := checks[0]
	e := &eligibilityView{Status: c.Status, Reason: c.Reason, CanRecheck: p.Role.Can(domain.PermEligibility)}
	if len(c.Summary) > 0 {
		var s x12.Response271
		if err := json.Unmarshal(c.Summary, &s); err != nil {
			return nil, err
		}
		e.Active, e.Plans, e.Others, e.Rejections = s.Active, s.Plans, s.OtherPayers, s.Rejections
	}
	return e, nil
}
