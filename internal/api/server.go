// Package api is the JSON API of the platform: routes that each declare the
// permission they need, one middleware chain, one error renderer, and handlers that
// translate HTTP to service calls and back.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
)

// Health answers the readiness probe: the database answers and no migration is
// pending.
type Health interface {
	Ping(ctx context.Context) error
	Pending(ctx context.Context) (int, error)
}

// Authenticator turns a request's credentials into a principal, or returns
// domain.ErrUnauthenticated.
type Authenticator interface {
	Authenticate(r *http.Request) (domain.Principal, error)
}

// EventStream serves the live event WebSocket for an authenticated principal.
type EventStream interface {
	ServeWS(w http.ResponseWriter, r *http.Request, p domain.Principal) error
}

// Options are the dependencies of a Server.
type Options struct {
	Log            *slog.Logger
	Health         Health
	Service        *service.Service
	Events         EventStream
	Web            http.Handler // optional: the web pages at "/" and "/static/"
	MaxBodyBytes   int64
	MaxUploadBytes int64
	Registry       *prometheus.Registry
}

// Server is the HTTP API.
type Server struct {
	opts    Options
	svc     *service.Service
	auth    Authenticator
	log     *slog.Logger
	metrics *metrics
	routes  []Route
}

// handlerFunc is a handler that returns its error for the one renderer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one entry of the route table.
type Route struct {
	Pattern    string // "METHOD /path", as http.ServeMux takes it
	Permission domain.Permission
	handler    handlerFunc
}

// New returns a server with its routes declared.
func New(opts Options) *Server {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
		opts.Registry.MustRegister(collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s := &Server{opts: opts, svc: opts.Service, log: opts.Log, metrics: newMetrics(opts.Registry)}
	if opts.Service != nil {
		s.auth = serviceAuth{opts.Service}
	}
	s.declare()
	return s
}

// handle adds a route to the table.
func (s *Server) handle(pattern string, perm domain.Permission, h handlerFunc) {
	s.routes = append(s.routes, Route{Pattern: pattern, Permission: perm, handler: h})
}

// Routes returns the route table, sorted by pattern.
func (s *Server) Routes() []Route {
	rs := append([]Route(nil), s.routes...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Pattern < rs[j].Pattern })
	return rs
}

// Handler returns the whole HTTP handler. It fails when a route declares no
// permission, so an unguarded route cannot ship.
func (s *Server) Handler() (http.Handler, error) {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		if rt.Permission == "" {
			return nil, fmt.Errorf("route %q declares no permission", rt.Pattern)
		}
		mux.Handle(rt.Pattern, s.guard(rt))
	}
	notFound := s.wrap(func(w http.ResponseWriter, r *http.Request) error {
		return domain.ErrNotFound
	})
	if s.opts.Web != nil {
		mux.Handle("/api/", notFound)
		mux.Handle("/", s.opts.Web)
	} else {
		mux.Handle("/", notFound)
	}
	var h http.Handler = mux
	h = withBodyLimit(s.opts.MaxBodyBytes)(h)
	h = withSecurityHeaders(h)
	h = withAccessLog(s.log, s.metrics)(h)
	h = withRecover(s.log)(h)
	h = withRequestID(h)
	return h, nil
}

// guard authenticates the caller (unless the route is public), checks the role's
// permission, and runs the handler.
func (s *Server) guard(rt Route) http.Handler {
	return s.wrap(func(w http.ResponseWriter, r *http.Request) error {
		if rt.Permission == domain.PermPublic {
			return rt.handler(w, r)
		}
		if s.auth == nil {
			return domain.ErrUnauthenticated
		}
		p, err := s.auth.Authenticate(r)
		if err != nil {
			return err
		}
		if p.MFAPending && rt.Permission != domain.PermAuthenticated {
			return domain.Errorf(domain.CodeForbidden, "enrol in MFA before using this role")
		}
		if !p.Role.Can(rt.Permission) {
			s.svc.RecordDenied(r.Context(), p, string(rt.Permission), "route", rt.Pattern,
				domain.CodeForbidden)
			return domain.ErrForbidden
		}
		return rt.handler(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

func (s *Server) wrap(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

func withPrincipal(ctx context.Context, p domain.Principal) context.Context {
	return context.WithValue(ctx, keyPrincipal, p)
}

func principalFrom(ctx context.Context) (domain.Principal, bool) {
	p, ok := ctx.Value(keyPrincipal).(domain.Principal)
	return p, ok
}

// principal returns the caller of an authenticated route.
func principal(r *http.Request) domain.Principal {
	p, _ := principalFrom(r.Context())
	return p
}

// declare is the route table: every route with the permission it needs.
func (s *Server) declare() {
	s.handle("GET /healthz", domain.PermPublic, s.healthz)
	s.handle("GET /readyz", domain.PermPublic, s.readyz)
	s.handle("GET /metrics", domain.PermPublic, s.metricsHandler)
	s.handle("GET /api/v1/openapi.json", domain.PermPublic, s.openapi)
	s.handle("POST /api/v1/auth/login", domain.PermPublic, s.login)
	s.handle("POST /api/v1/auth/mfa", domain.PermPublic, s.mfa)
	s.handle("POST /api/v1/auth/logout", domain.PermAuthenticated, s.logout)
	s.handle("POST /api/v1/auth/mfa/enroll", domain.PermAuthenticated, s.mfaEnroll)
	s.handle("POST /api/v1/auth/mfa/confirm", domain.PermAuthenticated, s.mfaConfirm)
	s.handle("GET /api/v1/me", domain.PermAuthenticated, s.me)
	s.handle("POST /api/v1/me/email", domain.PermAuthenticated, s.changeEmail)
	s.handle("POST /api/v1/auth/mfa/reset", domain.PermAuthenticated, s.resetOwnMFA)

	s.handle("GET /api/v1/territories", domain.PermReferenceRead, s.territories)
	s.handle("GET /api/v1/products", domain.PermReferenceRead, s.products)
	s.handle("GET /api/v1/payers", domain.PermReferenceRead, s.payers)
	s.handle("GET /api/v1/facilities", domain.PermReferenceRead, s.facilities)
	s.handle("POST /api/v1/payers", domain.PermReferenceWrite, s.idempotent(s.createPayer))
	s.handle("POST /api/v1/products", domain.PermReferenceWrite, s.idempotent(s.createProduct))

	s.handle("GET /api/v1/patients", domain.PermPatientRead, s.listPatients)
	s.handle("POST /api/v1/patients", domain.PermPatientWrite, s.idempotent(s.createPatient))
	s.handle("GET /api/v1/patients/{id}", domain.PermPatientRead, s.getPatient)
	s.handle("PATCH /api/v1/patients/{id}", domain.PermPatientWrite, s.patchPatient)
	s.handle("GET /api/v1/patients/{id}/access-log", domain.PermPatientAccess, s.accessLog)
	s.handle("POST /api/v1/break-glass", domain.PermBreakGlass, s.idempotent(s.breakGlass))

	s.handle("GET /api/v1/ivrs", domain.PermIVRRead, s.listIVRs)
	s.handle("POST /api/v1/ivrs", domain.PermIVRWrite, s.idempotent(s.createIVR))
	s.handle("GET /api/v1/queue", domain.PermIVRAct, s.queue)
	s.handle("GET /api/v1/ivrs/{id}", domain.PermIVRRead, s.getIVR)
	s.handle("PATCH /api/v1/ivrs/{id}", domain.PermIVRWrite, s.patchIVR)
	s.handle("GET /api/v1/ivrs/{id}/history", domain.PermIVRRead, s.ivrHistory)
	s.handle("GET /api/v1/ivrs/{id}/messages", domain.PermPatientRead, s.ivrMessages)
	s.handle("POST /api/v1/ivrs/{id}/messages", domain.PermPatientRead, s.idempotent(s.postMessage))
	s.handle("GET /api/v1/ivrs/{id}/documents", domain.PermDocumentRead, s.listDocuments)
	s.handle("POST /api/v1/ivrs/{id}/documents", domain.PermDocumentWrite, s.uploadDocument)
	s.handle("GET /api/v1/documents/{id}", domain.PermDocumentRead, s.downloadDocument)
	for action, shape := range ivrActionBodies {
		s.handle("POST /api/v1/ivrs/{id}/"+string(action), domain.PermIVRAct,
			s.idempotent(s.ivrAction(action, shape)))
	}

	s.handle("GET /api/v1/orders", domain.PermOrderRead, s.listOrders)
	s.handle("POST /api/v1/orders", domain.PermOrderCreate, s.idempotent(s.createOrder))
	s.handle("GET /api/v1/orders/{id}", domain.PermOrderRead, s.getOrder)
	for action, shape := range orderActionBodies {
		s.handle("POST /api/v1/orders/{id}/"+string(action), domain.PermOrderAct,
			s.idempotent(s.orderAction(action, shape)))
	}

	s.handle("GET /api/v1/audit", domain.PermAuditRead, s.auditSearch)
	s.handle("GET /api/v1/users", domain.PermUserAdmin, s.listUsers)
	s.handle("POST /api/v1/users", domain.PermUserAdmin, s.idempotent(s.createUser))
	s.handle("POST /api/v1/users/{id}/disable", domain.PermUserAdmin, s.idempotent(s.disableUser))
	s.handle("PUT /api/v1/users/{id}/territories", domain.PermUserAdmin, s.setUserTerritories)
	s.handle("POST /api/v1/practices/{id}/move", domain.PermUserAdmin, s.idempotent(s.movePractice))
	s.handle("GET /api/v1/tokens", domain.PermUserAdmin, s.listTokens)
	// Token creation is not idempotent on purpose: replaying it would mean keeping
	// the token itself, and only its hash is ever stored.
	s.handle("POST /api/v1/tokens", domain.PermUserAdmin, s.createToken)
	s.handle("DELETE /api/v1/tokens/{id}", domain.PermUserAdmin, s.revokeToken)
	s.handle("GET /api/v1/events", domain.PermEventsSubscribe, s.events)
	s.handle("GET /api/v1/ivrs/{id}/eligibility", domain.PermPatientRead, s.eligibility)
	s.handle("POST /api/v1/ivrs/{id}/eligibility", domain.PermEligibility, s.idempotent(s.recheckEligibility))
	s.handle("POST /fhir/r4/CoverageEligibilityRequest/$submit", domain.PermEligibility, s.fhir)
}

// ivrActionBodies gives each IVR action the shape its body must decode into.
var ivrActionBodies = map[domain.IVRAction]func() any{
	domain.IVRSubmit:      func() any { return &struct{}{} },
	domain.IVRAssign:      func() any { return &domain.AssignInput{} },
	domain.IVRRequestInfo: func() any { return &domain.RequestInfoInput{} },
	domain.IVRRespond:     func() any { return &domain.RespondInput{} },
	domain.IVRApprove:     func() any { return &domain.ApprovalInput{} },
	domain.IVRDeny:        func() any { return &domain.DenyInput{} },
	domain.IVRCancel:      func() any { return &domain.CancelInput{} },
	domain.IVREscalate:    func() any { return &domain.EscalateInput{} },
}

// orderActionBodies gives each order action the shape its body must decode into.
var orderActionBodies = map[domain.OrderAction]func() any{
	domain.OrderPrepare: func() any { return &struct{}{} },
	domain.OrderShip:    func() any { return &domain.ShipInput{} },
	domain.OrderDeliver: func() any { return &domain.DeliverInput{} },
	domain.OrderCancel:  func() any { return &domain.CancelInput{} },
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status := map[string]string{"status": "ready", "database": "ok", "migrations": "ok"}
	code := http.StatusOK
	if err := s.opts.Health.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: database", "error", err)
		status["database"], status["status"], code = "unreachable", "not_ready", http.StatusServiceUnavailable
	} else if n, err := s.opts.Health.Pending(ctx); err != nil || n > 0 {
		status["migrations"], status["status"], code = "pending", "not_ready", http.StatusServiceUnavailable
	}
	writeJSON(w, code, status)
	return nil
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}

func tooLarge(limit int64) error {
	return domain.Errorf(domain.CodeTooLarge, "request body over %d bytes", limit)
}

// isUpload reports whether the request is a document upload, whose own, larger
// size limit is enforced by the upload handler.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/documents") &&
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
}
