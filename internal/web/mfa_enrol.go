package web

import (
	"net/http"

	"github.com/openivr/ivr/internal/domain"
)

// enrolData is the MFA enrolment page: the new secret, its provisioning URI and
// the recovery codes, shown once.
type enrolData struct {
	Secret        string
	URI           string
	RecoveryCodes []string
}

// enrolment wraps the MFA enrolment pages: like page, but open to a session
// whose role must enrol before doing anything else.
func (h *Handler) enrolment(fn pageFunc) http.Handler {
	return h.public(func(w http.ResponseWriter, r *http.Request) error {
		p, err := h.principal(r)
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		}
		c := &call{p: p, csrf: h.token(p.SessionID)}
		if r.Method == http.MethodPost && !h.checkCSRF(r, c.csrf) {
			return errCSRF
		}
		return fn(w, r, c)
	})
}

// enrolPage makes a fresh TOTP secret for a user without MFA and shows it. An
// enrolled user is sent home: changing MFA goes through an administrator.
func (h *Handler) enrolPage(w http.ResponseWriter, r *http.Request, c *call) error {
	u, err := h.svc.Me(r.Context(), c.p)
	if err != nil {
		return err
	}
	if u.MFAEnabled {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	secret, uri, codes, err := h.svc.EnrollMFA(r.Context(), c.p.UserID)
	if err != nil {
		return err
	}
	d := enrolData{Secret: secret.Reveal(), URI: uri.Reveal()}
	for _, code := range codes {
		d.RecoveryCodes = append(d.RecoveryCodes, code.Reveal())
	}
	v := newView(c, "Set up two-factor sign-in")
	v.Data = d
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "mfa_enrol", v)
	return nil
}

// enrolSubmit confirms the enrolment with a code from the new secret.
func (h *Handler) enrolSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	err := h.svc.ConfirmMFA(r.Context(), c.p.UserID, r.PostFormValue("code"), c.p.SessionID)
	if domain.ErrorCode(err) == domain.CodeInvalid {
		v := newView(c, "Set up two-factor sign-in")
		v.Errors = map[string]string{"code": "That is not the current code of the new secret. Start again."}
		v.Data = enrolData{}
		h.render(w, r, http.StatusUnprocessableEntity, "mfa_enrol", v)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
