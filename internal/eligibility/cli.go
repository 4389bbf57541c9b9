package eligibility

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/openivr/ivr/x12"
)

// Exit codes of the eligibility commands.
const (
	ExitOK      = 0
	ExitFailed  = 1 // bad input, malformed X12, or a failed check
	ExitUsage   = 2
	maxCLIInput = 16 << 20
)

const cliUsage = `usage: ivr eligibility <command> [flags]

commands:
  build-270 [flags] [file]   inquiry JSON (file or stdin) in, 270 interchange out
  parse-271 [flags] [file]   271 interchange (file or stdin) in, summary JSON out
  check [flags] [file]       send an inquiry through a clearinghouse, result JSON out
  scenarios                  list the simulator's scenarios and member ids that select them
`

// RunCLI runs `ivr eligibility` with args (args[0] is the command) and returns the
// exit code. Errors go to stderr as one line naming what is wrong, never PHI.
func RunCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, cliUsage)
		return ExitUsage
	}
	commands := map[string]func(context.Context, []string, io.Reader, io.Writer, io.Writer) int{
		"build-270": BuildCommand, "parse-271": ParseCommand, "check": CheckCommand,
		"scenarios": ScenariosCommand,
	}
	run, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "eligibility: unknown command %q\n%s", args[0], cliUsage)
		return ExitUsage
	}
	return run(ctx, args[1:], stdin, stdout, stderr)
}

// cliPerson is a person as the command line reads it, with YYYY-MM-DD dates.
type cliPerson struct {
	MemberID   string `json:"memberId"`
	FirstName  string `json:"firstName"`
	MiddleName string `json:"middleName"`
	LastName   string `json:"lastName"`
	BirthDate  string `json:"birthDate"`
	Sex        string `json:"sex"`
}

// cliInquiry is the inquiry JSON the commands read.
type cliInquiry struct {
	PayerID       string     `json:"payerId"`
	PayerName     string     `json:"payerName"`
	ProviderName  string     `json:"providerName"`
	ProviderNPI   string     `json:"providerNpi"`
	Subscriber    cliPerson  `json:"subscriber"`
	Dependent     *cliPerson `json:"dependent"`
	DateOfService string     `json:"dateOfService"`
	ServiceTypes  []string   `json:"serviceTypes"`
	ProcedureCode string     `json:"procedureCode"`
	TraceNumber   string     `json:"traceNumber"`
}

// readInquiry reads inquiry JSON from the file named by args[0], or stdin.
func readInquiry(args []string, stdin io.Reader) (Inquiry, error) {
	data, err := readInput(args, stdin)
	if err != nil {
		return Inquiry{}, err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var in cliInquiry
	if err := dec.Decode(&in); err != nil {
		return Inquiry{}, fmt.Errorf("inquiry JSON: %w", jsonProblem(err))
	}
	return in.inquiry()
}

// jsonProblem drops the offending value from a decoding error, keeping the field.
func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("field %s has the wrong type", typeErr.Field)
	}
	return err
}

func (in cliInquiry) inquiry() (Inquiry, error) {
	q := Inquiry{PayerID: in.PayerID, PayerName: in.PayerName, ProviderName: in.ProviderName,
		ProviderNPI: in.ProviderNPI, ServiceTypes: in.ServiceTypes, ProcedureCode: in.ProcedureCode,
		TraceNumber: in.TraceNumber}
	var err error
	if q.DateOfService, err = cliDate(in.DateOfService, "dateOfService", true); err != nil {
		return Inquiry{}, err
	}
	if q.Subscriber, err = in.Subscriber.person("subscriber"); err != nil {
		return Inquiry{}, err
	}
	if in.Dependent != nil {
		dep, err := in.Dependent.person("dependent")
		if err != nil {
			return Inquiry{}, err
		}
		q.Dependent = &dep
	}
	return q, nil
}

func (p cliPerson) person(role string) (x12.Person, error) {
	dob, err := cliDate(p.BirthDate, role+".birthDate", false)
	return x12.Person{MemberID: p.MemberID, FirstName: p.FirstName, MiddleName: p.MiddleName,
		LastName: p.LastName, BirthDate: dob, Sex: p.Sex}, err
}

func cliDate(s, field string, required bool) (time.Time, error) {
	if s == "" && !required {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("inquiry %s: must be a date, YYYY-MM-DD", field)
	}
	return t, nil
}

// readInput reads the file named by args[0] ("-" or none: stdin), at most 16 MiB.
func readInput(args []string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if len(args) > 0 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return nil, fmt.Errorf("open input: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxCLIInput+1))
	if err != nil {
		return nil, fmt.Errorf("read input: %w", err)
	}
	if len(data) > maxCLIInput {
		return nil, fmt.Errorf("input is larger than %d bytes", maxCLIInput)
	}
	return data, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// fail prints a one-line error for command and returns ExitFailed.
func fail(stderr io.Writer, command string, err error) int {
	fmt.Fprintf(stderr, "eligibility %s: %v\n", command, err)
	return ExitFailed
}

// newFlags returns a flag set that reports to stderr and does not exit.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("eligibility "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
