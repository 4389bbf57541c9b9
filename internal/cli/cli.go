// Package cli implements the ivr command's subcommands. Main returns an exit status
// instead of exiting, so tests run the commands in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"

	"github.com/openivr/ivr/internal/app"
	"github.com/openivr/ivr/internal/config"
	"github.com/openivr/ivr/internal/eligibility"
	"github.com/openivr/ivr/internal/loadgen"
	"github.com/openivr/ivr/internal/store"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// Env carries the streams and environment of one invocation.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) int
}

func commands() []command {
	return []command{
		{"serve", "run the platform (add --demo to seed the demo world)", serve},
		{"migrate", "apply database migrations and exit", migrate},
		{"user", "create a user, reset a password or MFA (passwords read from stdin)", user},
		{"audit", "verify the audit chain and its signed checkpoints", auditCmd},
		{"keys", "rotate the PHI key and re-encrypt stored values", keys},
		{"totp", "print the current TOTP code of a secret (demo accounts)", totp},
		{"eligibility", "build a 270, parse a 271, or check through a clearinghouse", eligibilityCmd},
		{"load", "open-loop load generator against a running server (loopback only)", load},
		{"version", "print the version", version},
	}
}

// Main runs the subcommand named by args[0] and returns the exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer,
	getenv func(string) string) int {
	env := Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(stderr, "ivr: unknown command %q; run 'ivr help'\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: ivr <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'ivr <command> --help' for the settings of a command.")
}

// parseConfig parses the shared settings; it prints one line naming a bad setting
// and returns ok=false with the exit status to use.
func parseConfig(env Env, cmd string, args []string) (config.Config, []string, int, bool) {
	cfg, rest, err := config.Parse(cmd, args, env.Getenv, env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, nil, exitOK, false
	}
	if err != nil {
		var se *config.SettingError
		if !errors.As(err, &se) {
			// The flag package has already printed its own line and the usage.
			return cfg, nil, exitUsage, false
		}
		fmt.Fprintln(env.Stderr, "ivr:", err)
		return cfg, nil, exitUsage, false
	}
	return cfg, rest, exitOK, true
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, env Env, args []string) int {
	cfg, _, code, ok := parseConfig(env, "serve", args)
	if !ok {
		return code
	}
	log := newLogger(cfg, env.Stderr)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		fmt.Fprintln(env.Stderr, "ivr serve:", err)
		return exitFail
	}
	defer a.Close()
	if err := a.Run(ctx); err != nil {
		fmt.Fprintln(env.Stderr, "ivr serve:", err)
		return exitFail
	}
	return exitOK
}

func migrate(ctx context.Context, env Env, args []string) int {
	cfg, _, code, ok := parseConfig(env, "migrate", args)
	if !ok {
		return code
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLitePath())
	if err != nil {
		fmt.Fprintln(env.Stderr, "ivr migrate:", err)
		return exitFail
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		fmt.Fprintln(env.Stderr, "ivr migrate:", err)
		return exitFail
	}
	fmt.Fprintf(env.Stdout, "applied %d migrations (%s)\n", n, db.Dialect)
	return exitOK
}

func eligibilityCmd(ctx context.Context, env Env, args []string) int {
	return eligibility.RunCLI(ctx, args, env.Stdin, env.Stdout, env.Stderr)
}

func load(ctx context.Context, env Env, args []string) int {
	return loadgen.Command(ctx, args, env.Stdout, env.Stderr)
}

func version(ctx context.Context, env Env, args []string) int {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	fmt.Fprintln(env.Stdout, "ivr", v)
	return exitOK
}
