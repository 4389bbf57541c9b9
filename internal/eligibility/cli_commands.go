package eligibility

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/openivr/ivr/x12"
)

// BuildCommand is `eligibility build-270 [flags] [file]`: it reads inquiry JSON and
// writes a 270 interchange. The payer id is written as given (no mapping).
func BuildCommand(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("build-270", stderr)
	sender := fs.String("sender", "OPENIVR", "ISA06 sender id")
	receiver := fs.String("receiver", "CLEARINGHOUSE", "ISA08 receiver id")
	control := fs.Int("control-number", 0, "ISA13 interchange control number (default random)")
	production := fs.Bool("production", false, "mark the interchange as production (ISA15 P)")
	delims := fs.String("delimiters", "*^:~",
		"element, repetition, component and segment separators")
	lineBreak := fs.Bool("line-break", true, "write a line break after each segment")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if len(*delims) != 4 {
		fmt.Fprintln(stderr, "eligibility build-270: -delimiters needs exactly four characters")
		return ExitUsage
	}
	inq, err := readInquiry(fs.Args(), stdin)
	if err != nil {
		return fail(stderr, "build-270", err)
	}
	if inq.TraceNumber == "" {
		inq.TraceNumber = NewTraceNumber()
	}
	if *control == 0 {
		*control = randomControlNumber()
	}
	ds := *delims
	d := x12.Delimiters{Element: ds[0], Repetition: ds[1], Component: ds[2], Segment: ds[3]}
	env := x12.Envelope{SenderID: *sender, ReceiverID: *receiver, ControlNumber: *control,
		Production: *production, Time: time.Now()}
	w := x12.Writer{Delimiters: d, LineBreak: *lineBreak}
	out, err := x12.Build270(w, env, inq.Request270(inq.PayerID))
	if err != nil {
		return fail(stderr, "build-270", err)
	}
	if _, err := stdout.Write(out); err != nil {
		return fail(stderr, "build-270", err)
	}
	return ExitOK
}

// ParseCommand is `eligibility parse-271 [-lenient] [file]`: it reads a 271
// interchange and writes the summaries as JSON. Malformed input exits non-zero with
// the segment position and reason; with -lenient, trailer count mismatches are
// reported on stderr but the summary is still written.
func ParseCommand(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("parse-271", stderr)
	lenient := fs.Bool("lenient", false, "accept wrong trailer counts and control numbers")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	data, err := readInput(fs.Args(), stdin)
	if err != nil {
		return fail(stderr, "parse-271", err)
	}
	rs, err := x12.Parse271(data)
	if err != nil {
		if !*lenient || !x12.IsEnvelopeError(err) {
			return fail(stderr, "parse-271", err)
		}
		fmt.Fprintf(stderr, "eligibility parse-271: warning: %v\n", err)
	}
	if err := writeJSON(stdout, rs); err != nil {
		return fail(stderr, "parse-271", err)
	}
	return ExitOK
}

// Environment variables read by CheckCommand. Credentials come only from the
// environment, so they never show in a process list.
const (
	EnvClearinghouse = "IVR_ELIGIBILITY_CLEARINGHOUSE"
	EnvURL           = "IVR_ELIGIBILITY_URL"
	EnvUsername      = "IVR_ELIGIBILITY_USERNAME"
	EnvPassword      = "IVR_ELIGIBILITY_PASSWORD"
	EnvToken         = "IVR_ELIGIBILITY_TOKEN"
)

// CheckCommand is `eligibility check [flags] [file]`: it sends inquiry JSON through
// the clearinghouse named by -clearinghouse (simulator, x12-http, json-http) and
// writes the Result as JSON. It exits 1 when the check failed.
func CheckCommand(ctx context.Context, args []string, stdin io.Reader,
	stdout, stderr io.Writer) int {
	fs := newFlags("check", stderr)
	kind := fs.String("clearinghouse", envOr(EnvClearinghouse, "simulator"),
		"simulator, x12-http or json-http")
	url := fs.String("url", os.Getenv(EnvURL), "clearinghouse endpoint URL (x12-http, json-http)")
	payerMap := fs.String("payer-map", "", "JSON file mapping our payer ids to the clearinghouse's")
	attempts := fs.Int("attempts", 3, "attempts before giving up")
	timeout := fs.Duration("timeout", 20*time.Second, "timeout per attempt")
	raw := fs.Bool("raw", false, "include the raw request and response in the output")
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	ch, err := clearinghouseFromFlags(*kind, *url, *payerMap)
	if err != nil {
		fmt.Fprintf(stderr, "eligibility check: %v\n", err)
		return ExitUsage
	}
	inq, err := readInquiry(fs.Args(), stdin)
	if err != nil {
		return fail(stderr, "check", err)
	}
	checker := &Checker{Clearinghouse: ch, MaxAttempts: *attempts, AttemptTimeout: *timeout}
	res := checker.Check(ctx, inq)
	if err := writeJSON(stdout, cliResult{Result: res, raw: *raw}); err != nil {
		return fail(stderr, "check", err)
	}
	if res.Status != StatusOK {
		fmt.Fprintf(stderr, "eligibility check: failed: %s\n", res.Reason)
		return ExitFailed
	}
	return ExitOK
}

// cliResult prints a Result, with the raw bytes as text when asked.
type cliResult struct {
	Result
	raw bool
}

// MarshalJSON adds rawRequest and rawResponse when asked.
func (c cliResult) MarshalJSON() ([]byte, error) {
	type plain Result
	if !c.raw {
		return json.Marshal(plain(c.Result))
	}
	return json.Marshal(struct {
		plain
		RawRequest  string `json:"rawRequest"`
		RawResponse string `json:"rawResponse"`
	}{plain(c.Result), string(c.RawRequest), string(c.RawResponse)})
}

func clearinghouseFromFlags(kind, url, payerMapFile string) (Clearinghouse, error) {
	var payers PayerMap
	if payerMapFile != "" {
		data, err := os.ReadFile(payerMapFile)
		if err != nil {
			return nil, fmt.Errorf("read payer map: %w", err)
		}
		if err := json.Unmarshal(data, &payers); err != nil {
			return nil, fmt.Errorf("payer map must be a JSON object of strings: %w", err)
		}
	}
	cred := Credentials{Username: os.Getenv(EnvUsername), Password: os.Getenv(EnvPassword),
		BearerToken: os.Getenv(EnvToken)}
	if (kind == "x12-http" || kind == "json-http") && url == "" {
		return nil, fmt.Errorf("-url (or %s) is required for %s", EnvURL, kind)
	}
	switch kind {
	case "simulator":
		return &Simulator{Payers: payers}, nil
	case "x12-http":
		return &X12HTTP{URL: url, Credentials: cred, Payers: payers}, nil
	case "json-http":
		return &JSONHTTP{URL: url, Credentials: cred, Payers: payers}, nil
	}
	return nil, fmt.Errorf("unknown clearinghouse %q: use simulator, x12-http or json-http", kind)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// ScenariosCommand is `eligibility scenarios`: it lists the simulator's scenarios,
// the member-id suffix that selects each and an example member id.
func ScenariosCommand(_ context.Context, _ []string, _ io.Reader, stdout, stderr io.Writer) int {
	type row struct {
		ScenarioInfo
		ExampleMemberID string `json:"exampleMemberId"`
	}
	var rows []row
	for _, s := range SimulatorScenarios() {
		rows = append(rows, row{s, SimulatorMemberID(s.Scenario, 0)})
	}
	if err := writeJSON(stdout, rows); err != nil {
		return fail(stderr, "scenarios", err)
	}
	return ExitOK
}
