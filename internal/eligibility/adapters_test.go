package eligibility

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/x12"
)

// requireAuth wraps h to answer 401 unless the request carries the expected
// Authorization header.
func requireAuth(want string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func TestX12HTTPAgainstSimulatorServer(t *testing.T) {
	// The simulated payer serves real X12 over HTTP; the adapter is exercised end to end.
	sim := &Simulator{Now: fixedNow}
	srv := httptest.NewServer(requireAuth("Bearer s3cret", sim))
	defer srv.Close()
	c := &X12HTTP{URL: srv.URL, Credentials: Credentials{BearerToken: "s3cret"},
		Payers: PayerMap{"medicare-jl": "CMS-J15"}, Now: fixedNow}
	res, err := c.Check(context.Background(), testInquiry(SimulatorMemberID(ScenarioMedicareAdvantage, 3)))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if res.PayerID != "CMS-J15" || !strings.Contains(string(res.RawRequest), "*PI*CMS-J15~") {
		t.Errorf("payer id not mapped: %s", res.PayerID)
	}
	want := outcome{Active: true, Plans: []string{"MA/1", "MB/1"}, OtherPayers: []string{"HN/H9999"}}
	if diff := cmp.Diff(want, scenarioOutcome(res.Summary)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := res.Summary.Traces[0]; got.Type != "2" || got.Number != "TRACE42" {
		t.Errorf("trace echo %+v", got)
	}
}

func TestX12HTTPBasicAuthAndErrors(t *testing.T) {
	sim := &Simulator{Now: fixedNow}
	good := httptest.NewServer(requireAuth("Basic dXNlcjpwdw==", sim)) // user:pw
	defer good.Close()
	status := func(code int) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(code)
		}))
	}
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "<html>maintenance</html>")
	}))
	defer garbage.Close()
	tests := []struct {
		name      string
		url       string
		cred      Credentials
		payers    PayerMap
		wantErr   string
		temporary bool
	}{
		{"OK", good.URL, Credentials{Username: "user", Password: "pw"}, nil, "", false},
		{"WrongPassword", good.URL, Credentials{Username: "user", Password: "no"}, nil,
			"the clearinghouse refused our credentials (HTTP 401)", false},
		{"ServerError", status(502).URL, Credentials{}, nil, "the clearinghouse is unavailable (HTTP 502)", true},
		{"TooMany", status(429).URL, Credentials{}, nil, "the clearinghouse is unavailable (HTTP 429)", true},
		{"BadRequest", status(400).URL, Credentials{}, nil, "the clearinghouse rejected the request (HTTP 400)", false},
		{"Garbage", garbage.URL, Credentials{}, nil, "the clearinghouse answered with a malformed 271", false},
		{"Unreachable", "http://127.0.0.1:1", Credentials{}, nil, "the clearinghouse could not be reached", true},
		{"UnknownPayer", good.URL, Credentials{Username: "user", Password: "pw"}, PayerMap{"other": "X"},
			"payer is not configured for this clearinghouse", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &X12HTTP{URL: tt.url, Credentials: tt.cred, Payers: tt.payers, Now: fixedNow}
			_, err := c.Check(context.Background(), testInquiry(SimulatorMemberID(ScenarioActiveMedicareFFS, 1)))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check error = %v, want *Error", err)
			}
			if e.Reason != tt.wantErr || e.Temporary != tt.temporary {
				t.Errorf("got %q temporary=%v, want %q temporary=%v", e.Reason, e.Temporary, tt.wantErr, tt.temporary)
			}
		})
	}
}

func TestX12HTTPTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := (&X12HTTP{URL: srv.URL}).Check(ctx, testInquiry("1EG4TE5MK10"))
	var e *Error
	if !errors.As(err, &e) || !e.Temporary || e.Reason != "the clearinghouse did not answer in time" {
		t.Errorf("Check error = %v, want a temporary timeout", err)
	}
}

// jsonReplay is a clearinghouse stand-in for the JSON adapter: it checks the
// request shape and replays a recorded-style answer from testdata.
func jsonReplay(t *testing.T, fixture string, status int, got *JSONRequest) *httptest.Server {
	t.Helper()
	body := MustReadFixture(t, fixture)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want JSON", http.StatusUnsupportedMediaType)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(got); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
}

func TestJSONHTTPMapsRequestAndAnswer(t *testing.T) {
	var sent JSONRequest
	srv := jsonReplay(t, "json_response_ppo.json", http.StatusOK, &sent)
	defer srv.Close()
	c := &JSONHTTP{URL: srv.URL, Payers: PayerMap{"bcbs": "BEH01"}, Now: fixedNow}
	inq := testInquiry("XYZ123456789")
	inq.PayerID = "bcbs"
	res, err := c.Check(context.Background(), inq)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	wantSent := JSONRequest{ControlNumber: "TRACE42", TradingPartnerServiceID: "BEH01",
		Provider: JSONProvider{OrganizationName: "WOUND CARE CLINIC", NPI: "1234567893"},
		Subscriber: JSONPerson{MemberID: "XYZ123456789", FirstName: "JANE", LastName: "DOE",
			DateOfBirth: "19450312", Gender: "F"},
		Encounter: JSONEncounter{ServiceTypeCodes: []string{"30", "2"}, ProcedureCode: "15275",
			DateOfService: "20260310"}}
	if diff := cmp.Diff(wantSent, sent); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	s := res.Summary
	p := s.Plans[0]
	got := []any{res.RawFormat, s.Active, p.InsuranceType, p.Name, len(p.Benefits),
		*p.Deductibles[0].Met, *p.Deductibles[1].Met, *p.Deductibles[1].Remaining, p.Deductibles[1].Level,
		*p.Copays[0].Amount, *p.Coinsurance[0].Percent, p.PriorAuthRequired, p.PriorAuth,
		s.OtherPayers[0].Entities[0].ID, s.OtherPayers[0].InsuranceType, s.Dates[0].Qualifier,
		p.Benefits[len(p.Benefits)-1].Code, s.Rejections[0].Loop, s.Rejections[0].FollowUp}
	want := []any{"json", true, "PR", "GOLD PPO 1500", 9,
		x12.Cents(50000), x12.Cents(74950), x12.Cents(225050), "FAM",
		x12.Cents(4000), 20.0, true, []string{"HC:15275"},
		"MG123", "SP", "346",
		"ZZ", "2110C", "C"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if s := fmtAll(NewJSONRequest(inq, "BEH01")); strings.Contains(s, "DOE") || strings.Contains(s, "XYZ") {
		t.Errorf("JSON request leaks PHI when printed: %s", s)
	}
	if !strings.Contains(p.Benefits[1].Raw, `"benefitAmount": "1500"`) {
		t.Errorf("benefit Raw does not keep the JSON entry: %s", p.Benefits[1].Raw)
	}
}

func TestJSONHTTPRejectionAnswer(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusBadRequest} {
		var sent JSONRequest
		srv := jsonReplay(t, "json_response_rejected.json", status, &sent)
		res, err := (&JSONHTTP{URL: srv.URL}).Check(context.Background(), testInquiry("BAD1"))
		srv.Close()
		if err != nil {
			t.Fatalf("HTTP %d: Check: %v", status, err)
		}
		var got []string
		for _, r := range res.Summary.Rejections {
			got = append(got, r.Loop+"/"+r.Reason+"/"+r.FollowUp+"/"+string(r.Actor))
		}
		want := []string{"2100C/72/C/subscriber", "2100A/42/R/payer"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("HTTP %d (-want +got):\n%s", status, diff)
		}
	}
}

func TestParseJSONResponseErrors(t *testing.T) {
	tests := map[string]string{
		"NotJSON":      `{`,
		"BadBenefit":   `{"benefitsInformation": [{"code": 5}]}`,
		"BadErrorItem": `{"errors": ["text"]}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseJSONResponse([]byte(in)); err == nil {
				t.Error("ParseJSONResponse accepted malformed input")
			}
		})
	}
}

func TestCredentialsRedact(t *testing.T) {
	c := Credentials{Username: "user", Password: "hunter2", BearerToken: "tok-abc"}
	x := X12HTTP{URL: "https://example.test", Credentials: c}
	for _, s := range []string{fmtAll(c), fmtAll(x.Credentials), fmtAll(c.LogValue())} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "tok-abc") {
			t.Errorf("credentials leaked: %s", s)
		}
	}
}

func TestPayerMap(t *testing.T) {
	m := PayerMap{"aetna": "60054"}
	if got, err := m.Lookup("aetna"); err != nil || got != "60054" {
		t.Errorf("Lookup(aetna) = %q, %v", got, err)
	}
	if _, err := m.Lookup("cigna"); !errors.Is(err, ErrUnknownPayer) || !strings.Contains(err.Error(), "cigna") {
		t.Errorf("Lookup(cigna) error = %v, want ErrUnknownPayer naming the payer", err)
	}
	if got, err := PayerMap(nil).Lookup("cigna"); err != nil || got != "cigna" {
		t.Errorf("nil map Lookup = %q, %v; want pass-through", got, err)
	}
}
