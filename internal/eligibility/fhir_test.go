package eligibility

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/x12"
)

// MustResolver returns a resolver over testdata/fhir_referenced_resources.json.
func MustResolver(tb testing.TB) Resolver {
	tb.Helper()
	var store map[string]json.RawMessage
	if err := json.Unmarshal(MustReadFixture(tb, "fhir_referenced_resources.json"), &store); err != nil {
		tb.Fatal(err)
	}
	return func(_ context.Context, ref string) (json.RawMessage, error) {
		raw, ok := store[ref]
		if !ok {
			return nil, errors.New("not found")
		}
		return raw, nil
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseCoverageEligibilityRequest(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		want    Inquiry
		refs    []string
	}{
		{"Contained", "fhir_request_contained.json", Inquiry{
			PayerID: "medicare-jl", PayerName: "CMS", ProviderName: "WOUND CARE CLINIC", ProviderNPI: "1234567893",
			Subscriber: x12.Person{MemberID: "1EG4TE5MK40", FirstName: "JANE", MiddleName: "Q", LastName: "DOE",
				BirthDate: day(1945, 3, 12), Sex: "F"},
			DateOfService: day(2026, 3, 10), ServiceTypes: []string{"30", "2"}, ProcedureCode: "15275",
		}, []string{"cer-1001", "#pat", "#payer", "#cov"}},
		{"ReferencedDependent", "fhir_request_referenced.json", Inquiry{
			PayerID: "bcbs", PayerName: "BLUE EXAMPLE HEALTH", ProviderName: "GREG HOUSE", ProviderNPI: "1245319599",
			Subscriber: x12.Person{MemberID: "XYZ1234567820", FirstName: "JOHN", LastName: "SMITH",
				BirthDate: day(1970, 7, 4), Sex: "M"},
			Dependent:     &x12.Person{FirstName: "JUNIOR", LastName: "SMITH", BirthDate: day(2016, 5, 1), Sex: "M"},
			DateOfService: day(2026, 4, 1),
		}, []string{"cer-2002", "Patient/child-7", "Organization/bcbs", "Coverage/cov-9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := MustReadFixture(t, tt.fixture)
			fi, err := ParseCoverageEligibilityRequest(context.Background(), data, MustResolver(t))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, fi.Inquiry); diff != "" {
				t.Errorf("inquiry (-want +got):\n%s", diff)
			}
			got := []string{fi.RequestID, fi.PatientRef, fi.InsurerRef, fi.CoverageRef}
			if diff := cmp.Diff(tt.refs, got); diff != "" {
				t.Errorf("references (-want +got):\n%s", diff)
			}
		})
	}
}

// mutate applies edit to the fixture's JSON object and returns the new document.
func mutate(tb testing.TB, fixture string, edit func(map[string]any)) []byte {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(MustReadFixture(tb, fixture), &doc); err != nil {
		tb.Fatal(err)
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func contained(doc map[string]any, id string) map[string]any {
	for _, r := range doc["contained"].([]any) {
		if m := r.(map[string]any); m["id"] == id {
			return m
		}
	}
	return nil
}

func TestParseCoverageEligibilityRequestErrors(t *testing.T) {
	const fx = "fhir_request_contained.json"
	tests := []struct {
		name string
		doc  []byte
		want []string // expressions
	}{
		{"NotJSON", []byte("{"), []string{"CoverageEligibilityRequest"}},
		{"WrongType", mutate(t, fx, func(d map[string]any) { d["resourceType"] = "Claim" }),
			[]string{"CoverageEligibilityRequest.resourceType"}},
		{"NoServiceDate", mutate(t, fx, func(d map[string]any) { delete(d, "servicedDate") }),
			[]string{"CoverageEligibilityRequest.serviced[x]"}},
		{"BadPurposeAndStatus", mutate(t, fx, func(d map[string]any) {
			d["purpose"] = []any{"benefits", "bogus"}
			d["status"] = "draft"
		}), []string{"CoverageEligibilityRequest.status", "CoverageEligibilityRequest.purpose[1]"}},
		{"MissingContained", mutate(t, fx, func(d map[string]any) {
			d["patient"] = map[string]any{"reference": "#nobody"}
		}), []string{"CoverageEligibilityRequest.patient"}},
		{"NoFamilyName", mutate(t, fx, func(d map[string]any) {
			contained(d, "pat")["name"] = []any{map[string]any{"given": []any{"JANE"}}}
		}), []string{"CoverageEligibilityRequest.patient.name.family"}},
		{"BadBirthDate", mutate(t, fx, func(d map[string]any) { contained(d, "pat")["birthDate"] = "1945" }),
			[]string{"CoverageEligibilityRequest.patient.birthDate"}},
		{"NoMemberID", mutate(t, fx, func(d map[string]any) { delete(contained(d, "cov"), "subscriberId") }),
			[]string{"CoverageEligibilityRequest.insurance[0].coverage.subscriberId"}},
		{"NoNPI", mutate(t, fx, func(d map[string]any) { delete(contained(d, "clinic"), "identifier") }),
			[]string{"CoverageEligibilityRequest.provider.identifier"}},
		{"BadNPICheckDigit", mutate(t, fx, func(d map[string]any) {
			contained(d, "clinic")["identifier"] = []any{map[string]any{"system": SystemNPI, "value": "1234567890"}}
		}), []string{"CoverageEligibilityRequest.provider.identifier"}},
		{"InsurerIsPatient", mutate(t, fx, func(d map[string]any) {
			d["insurer"] = map[string]any{"reference": "#pat"}
		}), []string{"CoverageEligibilityRequest.insurer"}},
		{"NoInsurance", mutate(t, fx, func(d map[string]any) { delete(d, "insurance") }),
			[]string{"CoverageEligibilityRequest.insurance"}},
		{"ReferenceWithoutResolver", mutate(t, fx, func(d map[string]any) {
			d["insurer"] = map[string]any{"reference": "Organization/x"}
		}), []string{"CoverageEligibilityRequest.insurer"}},
		{"BadServiceType", mutate(t, fx, func(d map[string]any) {
			d["item"] = []any{map[string]any{"category": map[string]any{
				"coding": []any{map[string]any{"code": "skin"}}}}}
		}), []string{"CoverageEligibilityRequest.item[0].category"}},
		{"NameWithSeparator", mutate(t, fx, func(d map[string]any) {
			contained(d, "pat")["name"] = []any{map[string]any{"family": "DOE~", "given": []any{"JANE"}}}
		}), []string{"CoverageEligibilityRequest.patient.name.family"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCoverageEligibilityRequest(context.Background(), tt.doc, nil)
			var oo *OperationOutcome
			if !errors.As(err, &oo) {
				t.Fatalf("error = %v, want *OperationOutcome", err)
			}
			var got []string
			for _, is := range oo.Issue {
				got = append(got, is.Expression...)
				if is.Severity != "error" || is.Code == "" || is.Diagnostics == "" {
					t.Errorf("incomplete issue %+v", is)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("expressions (-want +got):\n%s", diff)
			}
			if oo.ResourceType != "OperationOutcome" || strings.Contains(err.Error(), "DOE") {
				t.Errorf("outcome %q: %v", oo.ResourceType, err)
			}
		})
	}
}

// validateResponse checks the elements FHIR R4 requires of a
// CoverageEligibilityResponse and of the backbone elements present.
func validateResponse(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	if doc["resourceType"] != "CoverageEligibilityResponse" {
		t.Errorf("resourceType %v", doc["resourceType"])
	}
	if !slices.Contains([]string{"active", "cancelled", "draft", "entered-in-error"}, str(doc["status"])) {
		t.Errorf("status %v", doc["status"])
	}
	purposes, _ := doc["purpose"].([]any)
	if len(purposes) == 0 {
		t.Error("purpose missing")
	}
	for _, ref := range []string{"patient", "request", "insurer"} {
		m, _ := doc[ref].(map[string]any)
		if m == nil || (m["reference"] == nil && m["display"] == nil && m["identifier"] == nil) {
			t.Errorf("%s reference missing", ref)
		}
	}
	if _, err := time.Parse(time.RFC3339, str(doc["created"])); err != nil {
		t.Errorf("created %v: %v", doc["created"], err)
	}
	if !slices.Contains([]string{"queued", "complete", "error", "partial"}, str(doc["outcome"])) {
		t.Errorf("outcome %v", doc["outcome"])
	}
	for _, ins := range list(doc["insurance"]) {
		if ins["coverage"] == nil {
			t.Error("insurance without coverage")
		}
		for _, it := range list(ins["item"]) {
			for _, b := range list(it["benefit"]) {
				if b["type"] == nil {
					t.Error("benefit without type")
				}
			}
		}
	}
	for _, e := range list(doc["error"]) {
		if e["code"] == nil {
			t.Error("error without code")
		}
	}
	return doc
}

func str(v any) string { s, _ := v.(string); return s }

func list(v any) []map[string]any {
	var out []map[string]any
	for _, x := range asSlice(v) {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// benefitTypes lists "type:allowed:used" for every benefit of the focal coverage.
func benefitTypes(doc map[string]any) []string {
	var out []string
	for _, it := range list(list(doc["insurance"])[0]["item"]) {
		for _, b := range list(it["benefit"]) {
			code := str(list(b["type"].(map[string]any)["coding"])[0]["code"])
			allowed := jsonText(b["allowedMoney"]) + jsonText(b["allowedUnsignedInt"])
			out = append(out, code+":"+allowed+":"+jsonText(b["usedMoney"]))
		}
		if it["authorizationRequired"] == true {
			out = append(out, "auth")
		}
	}
	return out
}

func jsonText(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestBuildCoverageEligibilityResponse(t *testing.T) {
	fi, err := ParseCoverageEligibilityRequest(context.Background(),
		MustReadFixture(t, "fhir_request_contained.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checker := &Checker{Clearinghouse: &Simulator{Now: fixedNow}, Now: fixedNow}
	cases := []struct {
		name      string
		member    string
		outcome   string
		benefits  []string
		errors    []string
		insurance int
	}{
		{"ActiveFFS", SimulatorMemberID(ScenarioActiveMedicareFFS, 4), "complete",
			[]string{`deductible:{"currency":"USD","value":1736}:`,
				`deductible:{"currency":"USD","value":283}:{"currency":"USD","value":%s}`,
				`copay-percent:20:`}, nil, 1},
		{"MedicareAdvantage", SimulatorMemberID(ScenarioMedicareAdvantage, 4), "complete", nil, nil, 2},
		{"PriorAuth", SimulatorMemberID(ScenarioPriorAuthRequired, 4), "complete",
			[]string{`deductible:{"currency":"USD","value":500}:`, `copay-percent:10:`, "auth", "auth"}, nil, 1},
		{"MemberRejected", SimulatorMemberID(ScenarioInvalidMemberID, 4), "error", nil, []string{"72"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fi.Inquiry.Subscriber.MemberID = tc.member
			res := checker.Check(context.Background(), fi.Inquiry)
			raw, err := BuildCoverageEligibilityResponse(fi, res, "cer-resp-1", testNow)
			if err != nil {
				t.Fatal(err)
			}
			doc := validateResponse(t, raw)
			if doc["outcome"] != tc.outcome || len(list(doc["insurance"])) != tc.insurance {
				t.Errorf("outcome %v with %d insurance entries", doc["outcome"], len(list(doc["insurance"])))
			}
			want := tc.benefits
			if tc.name == "ActiveFFS" {
				met := *res.Summary.Plans[1].Deductibles[0].Met
				want = slices.Clone(want)
				want[1] = strings.Replace(want[1], "%s", strings.TrimSuffix(met.String(), ".00"), 1)
			}
			if diff := cmp.Diff(want, benefitTypes(doc)); diff != "" {
				t.Errorf("benefits (-want +got):\n%s", diff)
			}
			var codes []string
			for _, e := range list(doc["error"]) {
				codes = append(codes, str(list(e["code"].(map[string]any)["coding"])[0]["code"]))
			}
			if diff := cmp.Diff(tc.errors, codes); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if got := str(doc["request"].(map[string]any)["reference"]); got != "CoverageEligibilityRequest/cer-1001" {
				t.Errorf("request reference %q", got)
			}
			if n := len(asSlice(doc["contained"])); n != 4 {
				t.Errorf("contained %d resources, want patient, insurer, coverage and provider", n)
			}
			if got := str(doc["requestor"].(map[string]any)["reference"]); got != "#clinic" {
				t.Errorf("requestor %q, want #clinic", got)
			}
		})
	}
	t.Run("Failed", func(t *testing.T) {
		res := Result{Status: StatusFailed, Reason: "the clearinghouse did not answer in time"}
		raw, err := BuildCoverageEligibilityResponse(fi, res, "", testNow)
		if err != nil {
			t.Fatal(err)
		}
		doc := validateResponse(t, raw)
		if doc["outcome"] != "error" || !strings.Contains(str(doc["disposition"]), "did not answer in time") {
			t.Errorf("outcome %v, disposition %v", doc["outcome"], doc["disposition"])
		}
	})
	t.Run("NoPatient", func(t *testing.T) {
		if _, err := BuildCoverageEligibilityResponse(FHIRInquiry{}, Result{}, "", testNow); err == nil {
			t.Error("built a response without patient and insurer")
		}
	})
}
