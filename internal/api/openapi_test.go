package api_test

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/internal/api"
	"github.com/openivr/ivr/internal/api/openapi"
	"github.com/openivr/ivr/internal/domain"
)

// TestOpenAPIMatchesRoutes fails when a route exists that the OpenAPI document
// lacks, or the document describes a route the server does not have.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var routes []string
	for _, r := range api.New(api.Options{}).Routes() {
		routes = append(routes, r.Pattern)
		if r.Permission == "" {
			t.Errorf("route %s declares no permission", r.Pattern)
		}
	}
	doc, err := openapi.Paths()
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(routes)
	sort.Strings(doc)
	if diff := cmp.Diff(doc, routes); diff != "" {
		t.Errorf("routes and openapi.json disagree (-document +server):\n%s", diff)
	}
}

// TestEveryRouteDeclaresAKnownPermission checks the route table against the
// policy: each permission is held by at least one role, or is public.
func TestEveryRouteDeclaresAKnownPermission(t *testing.T) {
	for _, r := range api.New(api.Options{}).Routes() {
		held := r.Permission == domain.PermPublic
		for _, role := range domain.Roles {
			held = held || role.Can(r.Permission)
		}
		if !held {
			t.Errorf("route %s needs %q, which no role holds", r.Pattern, r.Permission)
		}
	}
}
