package eligibility

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/x12"
)

// runCLI runs RunCLI and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := RunCLI(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCLIBuild270(t *testing.T) {
	code, out, errOut := runCLI(t, "", "build-270", "-delimiters", "|^>!", "-control-number", "77",
		"-line-break=false", filepath.Join("testdata", "inquiry_dependent.json"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ic, err := x12.Parse([]byte(out))
	if err != nil {
		t.Fatalf("output is not a valid interchange: %v", err)
	}
	var ids []string
	for _, s := range ic.Groups[0].Transactions[0].Body() {
		if s.ID == "NM1" || s.ID == "EQ" || s.ID == "HL" {
			ids = append(ids, s.ID+":"+s.Element(1)+":"+s.Element(3))
		}
	}
	want := []string{"HL:1:20", "NM1:PR:BLUE EXAMPLE HEALTH", "HL:2:21", "NM1:1P:WOUND CARE CLINIC",
		"HL:3:22", "NM1:IL:SMITH", "HL:4:23", "NM1:03:SMITH", "EQ:30^2:", "EQ::"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	wantDelims := x12.Delimiters{Element: '|', Repetition: '^', Component: '>', Segment: '!'}
	if ic.Delimiters != wantDelims || ic.ControlNumber != "000000077" {
		t.Errorf("delimiters %q control %s", ic.Delimiters, ic.ControlNumber)
	}
}

func TestCLIErrors(t *testing.T) {
	inquiry := string(MustReadFixture(t, "inquiry_dependent.json"))
	family := string(MustReadFixture(t, "271_family.x12"))
	tests := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		message string
	}{
		{"NoCommand", "", nil, ExitUsage, "usage: ivr eligibility"},
		{"UnknownCommand", "", []string{"frobnicate"}, ExitUsage, `unknown command "frobnicate"`},
		{"BadBirthDate", strings.Replace(inquiry, "2016-05-01", "05/01/2016", 1), []string{"build-270"},
			ExitFailed, "inquiry dependent.birthDate: must be a date, YYYY-MM-DD"},
		{"UnknownField", strings.Replace(inquiry, `"payerId"`, `"payer"`, 1), []string{"build-270"},
			ExitFailed, `unknown field "payer"`},
		{"WrongType", strings.Replace(inquiry, `"traceNumber": "CLI0001"`, `"traceNumber": 5`, 1),
			[]string{"build-270"}, ExitFailed, "field traceNumber has the wrong type"},
		{"BadNPI", strings.Replace(inquiry, "1234567893", "1234567890", 1), []string{"build-270"},
			ExitFailed, "providerNpi: must be a valid 10-digit NPI"},
		{"BadDelimiters", inquiry, []string{"build-270", "-delimiters", "**"}, ExitUsage, "exactly four"},
		{"Malformed271", "ISA*garbage", []string{"parse-271"}, ExitFailed,
			"segment 0 (?) at byte 0: input does not start with a 106-character ISA segment"},
		{"WrongCount", strings.Replace(family, "SE|30|0001", "SE|33|0001", 1), []string{"parse-271"},
			ExitFailed, `SE01 at segment 31 (byte 988) is "33", want "30"`},
		{"MissingFile", "", []string{"parse-271", "testdata/none.x12"}, ExitFailed, "open input"},
		{"CheckNoURL", inquiry, []string{"check", "-clearinghouse", "json-http", "-url", ""}, ExitUsage,
			"-url (or IVR_ELIGIBILITY_URL) is required for json-http"},
		{"CheckUnknownKind", inquiry, []string{"check", "-clearinghouse", "pigeon"}, ExitUsage,
			`unknown clearinghouse "pigeon"`},
		{"CheckUnreachable", inquiry, []string{"check", "-clearinghouse", "x12-http", "-url",
			"http://127.0.0.1:1/270", "-attempts", "1"}, ExitFailed,
			"failed: the clearinghouse could not be reached (gave up after 1 attempts)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.message) {
				t.Errorf("exit %d, stderr %q; want exit %d containing %q", code, errOut, tt.code, tt.message)
			}
			for _, phi := range []string{"SMITH", "JUNIOR", "XYZ1234567820"} {
				if strings.Contains(errOut, phi) {
					t.Errorf("stderr leaks %q: %s", phi, errOut)
				}
			}
		})
	}
}

func TestCLIParse271(t *testing.T) {
	family := string(MustReadFixture(t, "271_family.x12"))
	code, out, errOut := runCLI(t, family, "parse-271")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rs []x12.Response271
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Reference != "REF0002" || *rs[0].Plans[0].Deductibles[1].Remaining != 175000 {
		t.Errorf("unexpected summary: %s", out)
	}
	bad := strings.Replace(family, "SE|30|0001", "SE|33|0001", 1)
	code, out, errOut = runCLI(t, bad, "parse-271", "-lenient")
	if code != ExitOK || !strings.Contains(errOut, "warning") || !strings.Contains(out, "REF0002") {
		t.Errorf("lenient: exit %d, stderr %q", code, errOut)
	}
}

func TestCLICheck(t *testing.T) {
	srv := httptest.NewServer(requireAuth("Bearer tok", &Simulator{}))
	defer srv.Close()
	mapFile := filepath.Join(t.TempDir(), "payers.json")
	if err := os.WriteFile(mapFile, []byte(`{"BEH01": "SIM-BEH"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvToken, "tok")
	inquiry := string(MustReadFixture(t, "inquiry_dependent.json"))
	tests := []struct {
		name string
		args []string
	}{
		{"Simulator", []string{"check"}},
		{"X12HTTP", []string{"check", "-clearinghouse", "x12-http", "-url", srv.URL, "-payer-map", mapFile, "-raw"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, inquiry, tt.args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got struct {
				Status     Status          `json:"status"`
				Summary    x12.Response271 `json:"summary"`
				RawRequest string          `json:"rawRequest"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if got.Status != StatusOK || !got.Summary.Active || got.Summary.Dependent == nil {
				t.Errorf("status %s active %v dependent %v",
					got.Status, got.Summary.Active, got.Summary.Dependent != nil)
			}
			if tt.name == "X12HTTP" && !strings.Contains(got.RawRequest, "*PI*SIM-BEH~") {
				t.Errorf("raw request not included or payer not mapped: %q", got.RawRequest)
			}
		})
	}
}

func TestCLIScenarios(t *testing.T) {
	code, out, _ := runCLI(t, "", "scenarios")
	var rows []struct {
		Scenario        Scenario `json:"scenario"`
		ExampleMemberID string   `json:"exampleMemberId"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	if len(rows) != len(SimulatorScenarios()) {
		t.Errorf("%d rows, want %d", len(rows), len(SimulatorScenarios()))
	}
	for _, r := range rows {
		if SimulatorScenarioFor(r.ExampleMemberID) != r.Scenario {
			t.Errorf("example %s does not select %s", r.ExampleMemberID, r.Scenario)
		}
	}
}
