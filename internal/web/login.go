package web

import (
	"net/http"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
)

// mfaCookieTTL bounds the MFA challenge cookie; the service bounds the
// challenge itself.
const mfaCookieTTL = 5 * time.Minute

// loginPage shows the e-mail and password form.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) error {
	anchor := h.preLoginAnchor(w, r)
	h.render(w, r, http.StatusOK, "login", view{Title: "Log in", CSRF: h.token("prelogin:" + anchor)})
	return nil
}

// loginSubmit checks the password; it sends the browser to the MFA page with the
// challenge in a short-lived cookie, or opens the session.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if !h.checkPreLogin(r) {
		return errCSRF
	}
	email := r.PostFormValue("email")
	res, err := h.svc.Login(r.Context(), email, r.PostFormValue("password"), clientOf(r))
	if err != nil {
		return h.loginFailed(w, r, "login", err, formValues{"email": {email}})
	}
	if res.MFARequired {
		setCookie(w, r, mfaCookie, res.MFAToken, time.Now().Add(mfaCookieTTL))
		http.Redirect(w, r, "/login/mfa", http.StatusSeeOther)
		return nil
	}
	h.startSession(w, r, res)
	return nil
}

// loginFailed shows the form again with one message for every bad login, the
// e-mail kept; other errors become error pages.
func (h *Handler) loginFailed(w http.ResponseWriter, r *http.Request, page string, err error,
	form formValues) error {
	if domain.ErrorCode(err) != domain.CodeUnauthenticated {
		return err
	}
	anchor := h.preLoginAnchor(w, r)
	msg := "Invalid e-mail or password."
	if page == "mfa" {
		msg = "That code is not valid. Enter the current code from your authenticator app."
	}
	h.render(w, r, http.StatusUnauthorized, page, view{Title: "Log in", Flash: msg, Form: form,
		CSRF: h.token("prelogin:" + anchor)})
	return nil
}

// mfaPage asks for the authenticator code.
func (h *Handler) mfaPage(w http.ResponseWriter, r *http.Request) error {
	if ck, err := r.Cookie(mfaCookie); err != nil || ck.Value == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	anchor := h.preLoginAnchor(w, r)
	h.render(w, r, http.StatusOK, "mfa", view{Title: "Verification code",
		CSRF: h.token("prelogin:" + anchor)})
	return nil
}

// mfaSubmit answers the challenge and opens the session.
func (h *Handler) mfaSubmit(w http.ResponseWriter, r *http.Request) error {
	if !h.checkPreLogin(r) {
		return errCSRF
	}
	ck, err := r.Cookie(mfaCookie)
	if err != nil || ck.Value == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	res, err := h.svc.VerifyMFA(r.Context(), ck.Value, r.PostFormValue("code"), clientOf(r))
	if err != nil {
		return h.loginFailed(w, r, "mfa", err, nil)
	}
	setCookie(w, r, mfaCookie, "", time.Time{})
	h.startSession(w, r, res)
	return nil
}

// startSession sets the session cookie and goes home.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, res service.LoginResult) {
	setCookie(w, r, sessionCookie, res.Token, *res.ExpiresAt)
	setCookie(w, r, preLoginCookie, "", time.Time{})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the session everywhere and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := h.svc.Logout(r.Context(), c.p); err != nil {
		return err
	}
	setCookie(w, r, sessionCookie, "", time.Time{})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
