// Package web is the browser application: server-rendered pages (html/template,
// embedded), a small stylesheet and one script for live updates, session cookies,
// CSRF tokens on every form, and error pages that say nothing of internals. It
// calls the same use cases as the JSON API and shows PHI-minimal roles only
// references, statuses, initials, products, territories and dates.
package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
)

// EventsLike is the live event stream. The pages do not call it today: the
// browser's script opens GET /api/v1/events, which the JSON API serves with the
// same session cookie. It may be nil.
type EventsLike interface {
	ServeWS(w http.ResponseWriter, r *http.Request, p domain.Principal) error
}

// Options tune the web application.
type Options struct {
	// CSRFKey signs the per-session form tokens. Every instance behind one load
	// balancer needs the same key; when empty a random key is made, which is right
	// for a single instance only (tokens die with the process).
	CSRFKey []byte
	// QueueLimit caps the rows of the specialist queue and lists (default 100).
	QueueLimit int
}

// Handler is the web application: pages at "/" and assets at "/static/".
type Handler struct {
	svc      *service.Service
	events   EventsLike
	log      *slog.Logger
	opts     Options
	pages    map[string]*template.Template
	mux      *http.ServeMux
	csrfKey  []byte
	products productCache
}

// New returns the web application for svc. log may be nil (discarding). It
// fails when a template does not parse or the random CSRF key cannot be made.
func New(svc *service.Service, hub EventsLike, log *slog.Logger, opts Options) (*Handler, error) {
	if svc == nil {
		return nil, errors.New("web: nil service")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.QueueLimit <= 0 {
		opts.QueueLimit = 100
	}
	h := &Handler{svc: svc, events: hub, log: log, opts: opts, csrfKey: opts.CSRFKey}
	if len(h.csrfKey) == 0 {
		h.csrfKey = make([]byte, 32)
		if _, err := rand.Read(h.csrfKey); err != nil {
			return nil, fmt.Errorf("web: csrf key: %w", err)
		}
		log.Warn("web: no CSRF key configured; using a per-process key (single instance only)")
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h.pages = pages
	h.products.svc = svc
	h.routes()
	return h, nil
}

// ServeHTTP serves pages and static assets with the security headers every page
// carries.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	h.mux.ServeHTTP(w, r)
}

// setSecurityHeaders sets a strict CSP (no inline script or style), no framing,
// no sniffing and no referrer: URLs carry ids only, but they stay on this site.
func setSecurityHeaders(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; "+
		"style-src 'self'; img-src 'self' data:; connect-src 'self'; "+
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
}

// routes declares every page. Authenticated pages go through h.page, which loads
// the principal and checks the CSRF token of every POST.
func (h *Handler) routes() {
	m := http.NewServeMux()
	m.Handle("GET /static/", staticHandler())
	m.Handle("GET /login", h.public(h.loginPage))
	m.Handle("POST /login", h.public(h.loginSubmit))
	m.Handle("GET /login/mfa", h.public(h.mfaPage))
	m.Handle("POST /login/mfa", h.public(h.mfaSubmit))
	m.Handle("POST /logout", h.page("", h.logout))
	m.Handle("GET /{$}", h.page("", h.home))
	m.Handle("GET /ivrs/new", h.page(domain.PermIVRWrite, h.newIVRPage))
	m.Handle("POST /ivrs/new", h.page(domain.PermIVRWrite, h.newIVRSubmit))
	m.Handle("GET /ivrs/{id}", h.page(domain.PermIVRRead, h.ivrPage))
	m.Handle("POST /ivrs/{id}/messages", h.page(domain.PermPatientRead, h.postMessage))
	m.Handle("POST /ivrs/{id}/act/{action}", h.page(domain.PermIVRAct, h.ivrAction))
	m.Handle("GET /patients/new", h.page(domain.PermPatientWrite, h.newPatientPage))
	m.Handle("POST /patients/new", h.page(domain.PermPatientWrite, h.newPatientSubmit))
	m.Handle("GET /orders", h.page(domain.PermOrderRead, h.ordersPage))
	m.Handle("POST /orders/new", h.page(domain.PermOrderCreate, h.newOrderSubmit))
	m.Handle("GET /orders/{id}", h.page(domain.PermOrderRead, h.orderPage))
	m.Handle("POST /orders/{id}/act/{action}", h.page(domain.PermOrderAct, h.orderAction))
	m.Handle("/", h.public(func(w http.ResponseWriter, r *http.Request) error {
		return domain.ErrNotFound
	}))
	h.mux = m
}
