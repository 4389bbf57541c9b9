package eligibility

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/x12"
)

func TestStatusError(t *testing.T) {
	tests := []struct {
		code      int
		reason    string
		temporary bool
	}{
		{200, "", false}, {204, "", false},
		{408, "the clearinghouse is unavailable (HTTP 408)", true},
		{503, "the clearinghouse is unavailable (HTTP 503)", true},
		{403, "the clearinghouse refused our credentials (HTTP 403)", false},
		{404, "the clearinghouse rejected the request (HTTP 404)", false},
	}
	for _, tt := range tests {
		err := statusError(tt.code)
		var e *Error
		if tt.reason == "" {
			if err != nil {
				t.Errorf("HTTP %d: %v", tt.code, err)
			}
			continue
		}
		if !errors.As(err, &e) || e.Reason != tt.reason || e.Temporary != tt.temporary {
			t.Errorf("HTTP %d: %v", tt.code, err)
		}
	}
}

func TestLoopFromLocation(t *testing.T) {
	for in, want := range map[string]string{"Loop 2100C": "2100C", "loop 2110d": "2110D",
		"2000A": "2000A", "": ""} {
		if got := loopFromLocation(in); got != want {
			t.Errorf("loopFromLocation(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewTraceNumber(t *testing.T) {
	a, b := NewTraceNumber(), NewTraceNumber()
	if !regexp.MustCompile(`^\d{15}$`).MatchString(a) || a == b {
		t.Errorf("trace numbers %q, %q", a, b)
	}
}

func TestSummaryForPicksTheEchoedTrace(t *testing.T) {
	rs := []x12.Response271{
		{Reference: "A", Traces: []x12.Trace{{Type: "2", Number: "T1"}}},
		{Reference: "B", Traces: []x12.Trace{{Type: "2", Number: "T2"}}},
	}
	for trace, want := range map[string]string{"T2": "B", "T1": "A", "other": "A"} {
		got, err := summaryFor(rs, trace)
		if err != nil || got.Reference != want {
			t.Errorf("summaryFor(%s) = %v, %v; want %s", trace, got.Reference, err, want)
		}
	}
	if _, err := summaryFor(nil, "T1"); err == nil {
		t.Error("summaryFor(nil) gave no error")
	}
}

func TestParseJSONResponsePlanStatusOnly(t *testing.T) {
	r, err := ParseJSONResponse([]byte(`{"controlNumber":"1",
		"planStatus":[{"statusCode":"6","planDetails":"OLD PLAN","serviceTypeCodes":["30"]}],
		"planDateInformation":{"eligibility":"20200101-20241231","odd":"soon"},
		"benefitsInformation":[{"code":"B","benefitAmount":"25","serviceTypeCodes":["98"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := []any{r.Active, len(r.Plans), r.Plans[0].Status, r.Plans[0].Name, *r.Plans[0].Copays[0].Amount,
		r.Dates}
	want := []any{false, 1, "6", "OLD PLAN", x12.Cents(2500), []x12.DateInfo{
		{Qualifier: "307", Meaning: "eligibility", From: "2020-01-01", To: "2024-12-31"},
		{Qualifier: "", Meaning: "odd", Raw: "soon"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseFHIRDependentWithOwnMemberNumber(t *testing.T) {
	doc := mutate(t, "fhir_request_referenced.json", func(map[string]any) {})
	resolve := MustResolver(t)
	withMB := func(ctx context.Context, ref string) (json.RawMessage, error) {
		if ref == "Coverage/cov-9" {
			return []byte(`{"resourceType":"Coverage","subscriberId":"XYZ1234567820",
				"identifier":[{"type":{"coding":[{"code":"MB"}]},"value":"KID777"}],
				"relationship":{"coding":[{"code":"child"}]}}`), nil
		}
		return resolve(ctx, ref)
	}
	fi, err := ParseCoverageEligibilityRequest(context.Background(), doc, withMB)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Inquiry.Dependent != nil || fi.Inquiry.Subscriber.MemberID != "KID777" ||
		fi.Inquiry.Subscriber.FirstName != "JUNIOR" {
		t.Errorf("patient with an own member number not sent as the subscriber")
	}
}

func TestX12HTTPInvalidURL(t *testing.T) {
	_, err := (&X12HTTP{URL: "://bad"}).Check(context.Background(), testInquiry("1EG4TE5MK10"))
	var e *Error
	if !errors.As(err, &e) || e.Reason != "the clearinghouse URL is invalid" || e.Temporary {
		t.Errorf("Check error = %v", err)
	}
}
