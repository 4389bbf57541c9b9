package loadgen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Exit statuses of Command.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// Command runs `ivr load` with its flags in args (without the command name) and
// returns the exit status: 0 when the run completed, 2 for bad flags, 1 when the run
// could not be made. The report goes to stdout, as a table or with --json as JSON;
// problems go to stderr.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, asJSON, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "ivr load: %v\n", err)
		return exitUsage
	}
	table := stdout
	if asJSON {
		table = nil
	}
	rep, err := Run(ctx, opts, table)
	if asJSON && rep.Issued+rep.Dropped > 0 {
		if werr := rep.WriteJSON(stdout); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "ivr load: %v\n", err)
		return exitFail
	}
	return exitOK
}

// flagValues are the raw flags before they become Options.
type flagValues struct {
	accounts, role, email string
	asJSON                bool
}

func parseFlags(args []string, stderr io.Writer) (Options, bool, error) {
	var o Options
	var fv flagValues
	fs := flag.NewFlagSet("ivr load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.BaseURL, "url", "http://127.0.0.1:8080", "base URL of the server")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow a target that is not loopback")
	fs.StringVar(&o.Scenario, "scenario", "read", "scenario: "+strings.Join(Scenarios, ", "))
	fs.Float64Var(&o.Rate, "rate", 100, "requests started per second")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long requests are started")
	fs.IntVar(&o.MaxInFlight, "max-in-flight", DefaultMaxInFlight,
		"requests due while this many run are dropped")
	fs.DurationVar(&o.Timeout, "timeout", DefaultTimeout, "timeout of one request")
	fs.StringVar(&o.Credentials.Token, "token", "", "bearer token (instead of a login)")
	fs.StringVar(&fv.email, "email", "", "log in as this user (or pick it from --accounts)")
	fs.StringVar(&o.Credentials.Password, "password", "", "password for --email")
	fs.StringVar(&o.Credentials.TOTPSecret, "totp-secret", "", "base32 TOTP secret for --email")
	fs.StringVar(&fv.accounts, "accounts", "", "demo-accounts.json to take the login from")
	fs.StringVar(&fv.role, "role", "", "role of the account to pick from --accounts")
	fs.BoolVar(&fv.asJSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return o, false, err
	}
	if fs.NArg() > 0 {
		return o, false, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.Credentials.Email = fv.email
	if fv.accounts != "" {
		cr, err := LoadAccount(fv.accounts, fv.role, fv.email)
		if err != nil {
			return o, false, err
		}
		o.Credentials = cr
	}
	return o, fv.asJSON, o.Validate()
}
