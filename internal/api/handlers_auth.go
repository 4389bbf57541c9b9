package api

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
)

// sessionCookie is the web app's session cookie.
const sessionCookie = "ivr_session"

func clientOf(r *http.Request) service.Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return service.Client{IP: host, UserAgent: r.UserAgent()}
}

// bearer returns the request's token: the Authorization bearer, else the cookie.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// serviceAuth adapts the service's token check to the Authenticator interface.
type serviceAuth struct{ svc *service.Service }

func (a serviceAuth) Authenticate(r *http.Request) (domain.Principal, error) {
	tok := bearer(r)
	if tok == "" {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	return a.svc.Authenticate(r.Context(), tok, clientOf(r))
}

func rateLimited(err error) error {
	var re *service.RetryError
	if errors.As(err, &re) {
		return &RetryAfter{Err: domain.Errorf(domain.CodeRateLimited, "too many attempts; retry later"),
			After: re.After}
	}
	return err
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	res, err := s.svc.Login(r.Context(), in.Email, in.Password, clientOf(r))
	if err != nil {
		return rateLimited(err)
	}
	s.setSessionCookie(w, r, res)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) mfa(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		MFAToken string `json:"mfa_token"`
		Code     string `json:"code"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	res, err := s.svc.VerifyMFA(r.Context(), in.MFAToken, in.Code, clientOf(r))
	if err != nil {
		return rateLimited(err)
	}
	s.setSessionCookie(w, r, res)
	writeJSON(w, http.StatusOK, res)
	return nil
}

// setSessionCookie sets the web session cookie when the client asked for it with
// ?cookie=1 (the web app does; API clients use the bearer token).
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, res service.LoginResult) {
	if res.Token == "" || r.URL.Query().Get("cookie") != "1" {
		return
	}
	host, _, _ := net.SplitHostPort(r.Host)
	local := host == "localhost" || host == "127.0.0.1" || host == "::1"
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: res.Token, Path: "/",
		Expires: *res.ExpiresAt, HttpOnly: true, Secure: !local || r.TLS != nil,
		SameSite: http.SameSiteStrictMode})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Logout(r.Context(), principal(r)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		Expires: time.Unix(0, 0), HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	u, err := s.svc.Me(r.Context(), principal(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "email": u.Email, "name": u.Name,
		"role": u.Role, "organization_id": u.OrganizationID, "territory_ids": u.TerritoryIDs,
		"mfa_enabled": u.MFAEnabled})
	return nil
}

func (s *Server) mfaEnroll(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	u, err := s.svc.Me(r.Context(), p)
	if err != nil {
		return err
	}
	if u.MFAEnabled {
		return domain.Conflict("enrol MFA", "already enrolled; reset it first with your password and a code")
	}
	secret, uri, codes, err := s.svc.EnrollMFA(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	plain := make([]string, len(codes))
	for i, c := range codes {
		plain[i] = c.Reveal()
	}
	writeJSON(w, http.StatusOK, map[string]any{"secret": secret.Reveal(),
		"otpauth_uri": uri.Reveal(), "recovery_codes": plain})
	return nil
}

func (s *Server) mfaConfirm(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	p := principal(r)
	if err := s.svc.ConfirmMFA(r.Context(), p.UserID, in.Code, p.SessionID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reauthBody is the proof asked before a sign-in setting changes.
type reauthBody struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

func (s *Server) changeEmail(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Code     string `json:"code"`
	}
	if err := s.decode(r, &in); err != nil {
		return err
	}
	if err := s.svc.ChangeEmail(r.Context(), principal(r), in.Email, in.Password, in.Code); err != nil {
		return rateLimited(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) resetOwnMFA(w http.ResponseWriter, r *http.Request) error {
	var in reauthBody
	if err := s.decode(r, &in); err != nil {
		return err
	}
	if err := s.svc.ResetOwnMFA(r.Context(), principal(r), in.Password, in.Code); err != nil {
		return rateLimited(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
