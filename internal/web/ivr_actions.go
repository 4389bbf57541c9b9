package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/openivr/ivr/internal/domain"
)

// ivrAction performs one workflow action from its form and returns to the IVR
// page; a problem the user can fix shows the page again with the form open,
// their input kept and the problems next to the fields.
func (h *Handler) ivrAction(w http.ResponseWriter, r *http.Request, c *call) error {
	id, action := r.PathValue("id"), domain.IVRAction(r.PathValue("action"))
	if !action.Valid() || action == domain.IVRExpire {
		return domain.ErrNotFound
	}
	body, fe := actionBody(action, r)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	err := fe.Err()
	if err == nil {
		_, err = h.svc.ActIVR(r.Context(), c.p, id, action, body, version)
	}
	if err == nil {
		http.Redirect(w, r, "/ivrs/"+id, http.StatusSeeOther)
		return nil
	}
	return h.ivrFormError(w, r, c, id, string(action), err)
}

// ivrFormError shows the IVR page again with a form's problems.
func (h *Handler) ivrFormError(w http.ResponseWriter, r *http.Request, c *call, id, open string,
	err error) error {
	fields, msg, status, ok := formProblem(err)
	if !ok {
		return err
	}
	d, derr := h.ivrDetail(r.Context(), c.p, id)
	if derr != nil {
		return derr
	}
	d.Open = open
	v := newView(c, "IVR "+d.IVR.Reference)
	v.Data, v.Errors, v.Flash, v.Form = d, fields, msg, formValues(r.PostForm)
	h.render(w, r, status, "ivr", v)
	return nil
}

// postMessage adds a message to the IVR's thread.
func (h *Handler) postMessage(w http.ResponseWriter, r *http.Request, c *call) error {
	id := r.PathValue("id")
	_, err := h.svc.PostMessage(r.Context(), c.p, id, strings.TrimSpace(r.PostFormValue("message")))
	if err != nil {
		return h.ivrFormError(w, r, c, id, "message", err)
	}
	http.Redirect(w, r, "/ivrs/"+id+"#messages", http.StatusSeeOther)
	return nil
}

// actionBody turns an action's form into the JSON body the service takes, with
// the problems found in reading it (numbers, amounts, the attestation).
func actionBody(a domain.IVRAction, r *http.Request) (json.RawMessage,
	domain.FieldErrors) {
	var fe domain.FieldErrors
	f := r.PostFormValue
	var v any
	switch a {
	case domain.IVRSubmit:
		if f("attest") != "yes" {
			fe.Add("attest", "you must attest that the treatment is medically necessary")
		}
		v = struct{}{}
	case domain.IVRAssign:
		v = domain.AssignInput{SpecialistID: strings.TrimSpace(f("specialist_id"))}
	case domain.IVRRequestInfo:
		v = domain.RequestInfoInput{Items: lines(f("items")), DueDate: domain.Date(f("due_date"))}
	case domain.IVRRespond:
		v = domain.RespondInput{Message: strings.TrimSpace(f("message"))}
	case domain.IVRApprove:
		v = approvalOf(r, &fe)
	case domain.IVRDeny:
		v = domain.DenyInput{ReasonCode: domain.DenyReason(f("reason_code")), Reason: f("reason")}
	case domain.IVRCancel:
		v = domain.CancelInput{Reason: strings.TrimSpace(f("reason"))}
	case domain.IVREscalate:
		v = domain.EscalateInput{Reason: strings.TrimSpace(f("reason"))}
	}
	raw, _ := json.Marshal(v)
	return raw, fe
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// approvalOf reads the approve form: one coverage's benefits, amounts in
// dollars turned into cents. Field names follow the API body so the service's
// field errors land on the right inputs.
func approvalOf(r *http.Request, fe *domain.FieldErrors) domain.ApprovalInput {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	b := domain.Benefit{CoverageRank: atoiOr(f("benefits[0].coverage_rank"), 1),
		Active: f("benefits[0].active") == "yes", PlanType: domain.PlanType(f("benefits[0].plan_type")),
		Network: domain.Network(f("benefits[0].network")), MAC: domain.MAC(f("benefits[0].mac")),
		LCD: f("benefits[0].lcd")}
	for field, dst := range map[string]*int64{"deductible_cents": &b.DeductibleCents,
		"deductible_met_cents": &b.DeductibleMetCents, "oop_max_cents": &b.OOPMaxCents,
		"oop_met_cents": &b.OOPMetCents, "copay_cents": &b.CopayCents} {
		name := "benefits[0]." + field
		c, err := parseCents(f(name))
		if err != nil {
			fe.Add(name, err.Error())
		}
		*dst = c
	}
	if s := f("benefits[0].coinsurance_percent"); s != "" {
		pct, err := strconv.ParseFloat(s, 64)
		if err != nil {
			fe.Add("benefits[0].coinsurance_percent", "must be a number from 0 to 100")
		}
		b.CoinsurancePercent = pct
	}
	on := f("benefits[0].product_on_lcd") == "yes"
	if b.LCD != "" || on {
		b.ProductOnLCD = &on
	}
	b.PriorAuth = domain.PriorAuth{Required: f("benefits[0].prior_auth.required") == "yes",
		Status: domain.PAStatus(f("benefits[0].prior_auth.status")),
		Number: f("benefits[0].prior_auth.number")}
	return domain.ApprovalInput{ValidUntil: domain.Date(f("valid_until")), Notes: f("notes"),
		PayerReference: f("payer_reference"), Benefits: []domain.Benefit{b}}
}

// atoiOr reads an integer, or def when s is not one.
func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return n
	}
	return def
}
