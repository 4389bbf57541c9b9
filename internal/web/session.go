package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
)

// Cookie names. The session cookie is the one the JSON API reads too, so the
// live event WebSocket authenticates with it.
const (
	sessionCookie  = "ivr_session"
	mfaCookie      = "ivr_mfa"
	preLoginCookie = "ivr_prelogin"
	csrfField      = "csrf_token"
)

// call is one authenticated page request: the caller and their form token.
type call struct {
	p    domain.Principal
	csrf string
}

type pageFunc func(w http.ResponseWriter, r *http.Request, c *call) error

// page wraps an authenticated page: no session sends the browser to the login
// page; a role without perm gets the 403 page; a POST without the right CSRF
// token is refused before the handler runs.
func (h *Handler) page(perm domain.Permission, fn pageFunc) http.Handler {
	return h.public(func(w http.ResponseWriter, r *http.Request) error {
		p, err := h.principal(r)
		if err != nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return nil
			}
			return err
		}
		c := &call{p: p, csrf: h.token(p.SessionID)}
		if r.Method == http.MethodPost && !h.checkCSRF(r, c.csrf) {
			return errCSRF
		}
		if p.MFAPending {
			return domain.Errorf(domain.CodeForbidden, "enrol in MFA before using this role")
		}
		if perm != "" && !p.Role.Can(perm) {
			h.svc.RecordDenied(r.Context(), p, string(perm), "page", r.Pattern, domain.CodeForbidden)
			return domain.ErrForbidden
		}
		return fn(w, r, c)
	})
}

// public wraps a page that needs no session; its error becomes an error page.
func (h *Handler) public(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.renderError(w, r, err)
		}
	})
}

// principal authenticates the session cookie.
func (h *Handler) principal(r *http.Request) (domain.Principal, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	return h.svc.Authenticate(r.Context(), ck.Value, clientOf(r))
}

// errCSRF is the refusal of a form without a valid token.
var errCSRF = domain.Errorf(domain.CodeForbidden,
	"the form expired or came from elsewhere; reload the page and try again")

// token is the CSRF token of a session (or of a pre-login anchor): an HMAC of it
// under the server key, so it cannot be forged without the key and dies with
// the session.
func (h *Handler) token(anchor string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte("ivr-web-csrf\x00" + anchor))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether the form's token equals want, in constant time.
func (h *Handler) checkCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue(csrfField)
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}

// preLoginAnchor returns the random value that anchors the CSRF token of the
// login and MFA forms, setting its cookie when the browser has none.
func (h *Handler) preLoginAnchor(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(preLoginCookie); err == nil && len(ck.Value) >= 22 {
		return ck.Value
	}
	b := make([]byte, 18)
	rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	setCookie(w, r, preLoginCookie, v, time.Now().Add(time.Hour))
	return v
}

// checkPreLogin checks the CSRF token of a login or MFA form.
func (h *Handler) checkPreLogin(r *http.Request) bool {
	ck, err := r.Cookie(preLoginCookie)
	return err == nil && ck.Value != "" && h.checkCSRF(r, h.token("prelogin:"+ck.Value))
}

// isLocal reports whether the request came to a loopback host name, where the
// cookie may go without Secure (plain HTTP in development and tests).
func isLocal(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// setCookie sets an HttpOnly, SameSite=Strict cookie, Secure unless local;
// a zero expiry deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, exp time.Time) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: !isLocal(r) || r.TLS != nil, SameSite: http.SameSiteStrictMode, Expires: exp}
	if exp.IsZero() {
		c.Value, c.MaxAge, c.Expires = "", -1, time.Unix(0, 0)
	}
	http.SetCookie(w, c)
}

func clientOf(r *http.Request) service.Client {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return service.Client{IP: host, UserAgent: r.UserAgent()}
}
