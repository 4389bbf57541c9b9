package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticHandler serves the embedded stylesheet and script.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

// layoutFiles are parsed into every page; the other templates are pages.
var layoutFiles = []string{"layout.html", "partials.html", "ivr_actions.html"}

// parsePages parses every page template on top of the layout. It fails when any
// template does not parse.
func parsePages() (map[string]*template.Template, error) {
	base := template.New("").Funcs(funcs)
	for _, f := range layoutFiles {
		if _, err := base.ParseFS(templateFS, "templates/"+f); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", f, err)
		}
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if slices.Contains(layoutFiles, name) {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages, nil
}

// view is what every page template receives.
type view struct {
	Title  string
	Role   domain.Role
	Full   bool // the caller may see PHI
	CSRF   string
	Flash  string
	Errors map[string]string
	Form   formValues
	Data   any
}

// render writes page name with status. A template failure is logged and
// becomes the 500 page (nothing has been written yet: pages render to a buffer).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	t, ok := h.pages[name]
	var buf bytes.Buffer
	err := fmt.Errorf("web: no page %q", name)
	if ok {
		err = t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", name, "error", err)
		if name != "error" {
			h.renderError(w, r, errors.New("render failed"))
		}
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// newView starts the view of an authenticated page.
func newView(c *call, title string) view {
	return view{Title: title, Role: c.p.Role, Full: !c.p.Role.PHIMinimal(), CSRF: c.csrf}
}

// errorPage is the content of an error page.
type errorPage struct {
	Status  int
	Heading string
	Text    string
}

// renderError shows the page for err: not found and out of scope look the
// same; a forbidden action gets 403; an internal error gets a friendly 500 that
// names nothing of the cause, which is logged on the server only.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, err error) {
	e := errorPage{Status: http.StatusInternalServerError, Heading: "Something went wrong",
		Text: "The page could not be shown. Please try again in a moment."}
	var de *domain.Error
	var re *service.RetryError
	switch {
	case errors.As(err, &re):
		e = errorPage{http.StatusTooManyRequests, "Too many attempts", "Please wait and try again."}
	case errors.As(err, &de):
		e = errorFor(de)
	}
	if e.Status >= 500 {
		h.log.ErrorContext(r.Context(), "web page failed", "route", r.Pattern, "error", err)
	}
	h.render(w, r, e.Status, "error", view{Title: e.Heading, Data: e})
}

// errorFor maps an application error to its page; the messages of these codes
// are safe to show.
func errorFor(de *domain.Error) errorPage {
	switch de.Code {
	case domain.CodeNotFound:
		return errorPage{http.StatusNotFound, "Not found",
			"There is no such page, or it is not yours to see."}
	case domain.CodeForbidden:
		text := "Your role may not do this."
		if de != domain.ErrForbidden {
			text = de.Message
		}
		return errorPage{http.StatusForbidden, "Not allowed", text}
	case domain.CodeUnauthenticated:
		return errorPage{http.StatusUnauthorized, "Please log in", "Your session has ended."}
	case domain.CodeConflict, domain.CodePreconditionFailed, domain.CodeInvalid,
		domain.CodeBadRequest, domain.CodeTooLarge:
		return errorPage{statusOf(de.Code), "Could not do that", de.Message}
	case domain.CodeRateLimited:
		return errorPage{http.StatusTooManyRequests, "Too many attempts", "Please wait and try again."}
	}
	return errorPage{http.StatusInternalServerError, "Something went wrong",
		"The page could not be shown. Please try again in a moment."}
}

// statusOf maps the codes a form can meet to their HTTP status.
func statusOf(c domain.Code) int {
	switch c {
	case domain.CodeConflict:
		return http.StatusConflict
	case domain.CodePreconditionFailed:
		return http.StatusPreconditionFailed
	case domain.CodeInvalid:
		return http.StatusUnprocessableEntity
	case domain.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case domain.CodeNotFound:
		return http.StatusNotFound
	case domain.CodeForbidden:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// formProblem splits an action's error into what a form shows: field errors
// and a message, with the status to answer. ok is false for errors that are not
// the user's to fix (not found, internal), which become error pages.
func formProblem(err error) (fields map[string]string, msg string, status int, ok bool) {
	var de *domain.Error
	if !errors.As(err, &de) {
		return nil, "", 0, false
	}
	switch de.Code {
	case domain.CodeInvalid:
		return de.Fields, "Please correct the marked fields.", statusOf(de.Code), true
	case domain.CodeConflict, domain.CodeBadRequest:
		return nil, de.Message, statusOf(de.Code), true
	case domain.CodePreconditionFailed:
		return nil, "The record changed since you loaded this page; reload it and try again.",
			statusOf(de.Code), true
	}
	return nil, "", 0, false
}
