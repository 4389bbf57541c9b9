package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/openivr/ivr/internal/apitest"
)

// outOfRange gives, per route, bodies that decode but hold values out of range or
// codes not in a catalog, each with the field the 422 must name. They are merged
// over the route's valid body.
var outOfRange = map[string][]struct {
	set   map[string]any
	field string
}{
	"POST /api/v1/patients": {
		{map[string]any{"birth_date": "2999-01-01"}, "birth_date"},
		{map[string]any{"birth_date": "1950-02-30"}, "birth_date"},
		{map[string]any{"sex": "unknown-sex"}, "sex"},
		{map[string]any{"phone": "call me"}, "phone"},
		{map[string]any{"coverages": []any{map[string]any{"rank": 1, "payer_id": missingID,
			"plan_type": "commercial", "member_id": "M1", "relationship": "self"}}}, "coverages[0].payer_id"},
		{map[string]any{"coverages": []any{map[string]any{"rank": 9, "payer_id": missingID,
			"plan_type": "gold", "member_id": "M1", "relationship": "self"}}}, "coverages[0].plan_type"},
	},
	"PATCH /api/v1/patients/{id}": {
		{map[string]any{"birth_date": "1800-01-01"}, "birth_date"},
		{map[string]any{"email": "not-an-email"}, "email"},
	},
	"POST /api/v1/ivrs": {
		{map[string]any{"applications": 0}, "applications"},
		{map[string]any{"applications": 1000}, "applications"},
		{map[string]any{"place_of_service": "99"}, "place_of_service"},
		{map[string]any{"diagnosis_codes": []string{"NOT-A-CODE"}}, "diagnosis_codes[0]"},
		{map[string]any{"start_date": "2001-01-01"}, "start_date"},
		{map[string]any{"products": []any{map[string]any{"product_id": missingID, "size": "2x2 cm",
			"quantity": 1}}}, "products[0].product_id"},
		{map[string]any{"products": []any{map[string]any{"product_id": missingID, "size": "2x2 cm",
			"quantity": 0}}}, "products[0].quantity"},
		{map[string]any{"patient_id": missingID}, "patient_id"},
		{map[string]any{"wound": map[string]any{"type": "diabetic_foot_ulcer", "site": "foot",
			"laterality": "left", "length_cm": -3, "width_cm": 2, "depth_cm": 0.4, "duration_weeks": 8,
			"conservative_care_weeks": 4}}, "wound.length_cm"},
	},
	"PATCH /api/v1/ivrs/{id}": {
		{map[string]any{"applications": 99}, "applications"},
		{map[string]any{"frequency": "hourly"}, "frequency"},
	},
	"POST /api/v1/orders": {
		{map[string]any{"items": []any{}}, "items"},
		{map[string]any{"ivr_id": missingID, "items": []any{map[string]any{"product_id": missingID,
			"size": "2x2 cm", "quantity": 1}}}, "ivr_id"},
	},
	"POST /api/v1/break-glass": {
		{map[string]any{"reason": "short"}, "reason"},
	},
	"POST /api/v1/ivrs/{id}/approve": {
		{map[string]any{"benefits": []any{map[string]any{"coverage_rank": 1, "active": true,
			"plan_type": "commercial", "network": "in", "coinsurance_percent": 150,
			"prior_auth": map[string]any{"required": false}}}}, "benefits[0].coinsurance_percent"},
	},
	"POST /api/v1/ivrs/{id}/deny":         {{map[string]any{"reason_code": "because"}, "reason_code"}},
	"POST /api/v1/ivrs/{id}/request-info": {{map[string]any{"due_date": "2001-01-01"}, "due_date"}},
	"POST /api/v1/orders/{id}/ship":       {{map[string]any{"carrier": "pigeon"}, "carrier"}},
	"POST /api/v1/orders/{id}/deliver":    {{map[string]any{"condition": "soggy"}, "condition"}},
}

// wrongType returns a value of another JSON type than v.
func wrongType(v any) any {
	switch v.(type) {
	case string:
		return 7
	case nil:
		return []any{1}
	}
	return "seven"
}

func TestBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, env *apitest.Env) {
		counts := map[string]int{}
		for _, tg := range writeTargets(t, env) {
			c := tg.callers[0] // decoding and validation do not depend on the role
			before := tg.snapshot(t)
			send := func(body any) apitest.Response { return env.Do(t, tg.method, tg.path, c.token, body) }
			what := func(kind string) string { return fmt.Sprintf("%s as %s, %s", tg.pattern, c.role, kind) }

			for _, raw := range []string{`{"a":`, `{"a" 1}`, `[1,`, `nul`, "{}{}", `"`} {
				if r := send(raw); r.Status != http.StatusBadRequest {
					t.Errorf("%s %q: status %d, want 400: %s", what("malformed JSON"), raw, r.Status, r.Body)
				}
				counts["malformed"]++
			}
			unknown := merge(tg.body, map[string]any{"zz_unknown": 1})
			checkFieldError(t, what("unknown field"), send(unknown), 422, "zz_unknown")
			counts["unknown"]++
			for _, key := range sortedKeys(tg.body) {
				body := merge(tg.body, map[string]any{key: wrongType(tg.body[key])})
				checkFieldError(t, what("wrong type"), send(body), 422, key)
				counts["wrong type"]++
			}
			for _, c2 := range outOfRange[tg.pattern] {
				checkFieldError(t, what("out of range"), send(merge(tg.body, c2.set)), 422, c2.field)
				counts["out of range"]++
			}
			big := merge(tg.body, map[string]any{"message": strings.Repeat("x", 2<<20)})
			if r := send(big); r.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: status %d, want 413: %.200s", what("oversized body"), r.Status, r.Body)
			}
			counts["oversized"]++
			if after := tg.snapshot(t); after != before {
				t.Errorf("%s: refused requests changed the record:\nbefore %s\nafter  %s", tg.pattern, before, after)
			}
		}
		for kind := range outOfRange {
			if !hasTarget(kind) {
				t.Errorf("out-of-range cases for %s, which is not a body route", kind)
			}
		}
		t.Logf("bad input cases: %v", counts)
	})
}

// hasTarget reports whether pattern is a route of the table that takes a body.
func hasTarget(pattern string) bool {
	ps := probes()
	p, ok := ps[pattern]
	return ok && (p.body != nil || p.ivr != "" || p.order != "")
}

func merge(base, over map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
