package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/openivr/ivr/internal/app"
	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/backup"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/service"
)

// openApp opens the platform without serving: for administration commands that
// need the database, the keys and the use cases.
func openApp(ctx context.Context, env Env, cmd string, args []string) (*app.App, []string, int) {
	cfg, rest, code, ok := parseConfig(env, cmd, args)
	if !ok {
		return nil, nil, code
	}
	cfg.Addr = "127.0.0.1:0"
	a, err := app.New(ctx, cfg, newLogger(cfg, env.Stderr))
	if err != nil {
		fmt.Fprintf(env.Stderr, "ivr %s: %v\n", cmd, err)
		return nil, nil, exitFail
	}
	return a, rest, exitOK
}

// user manages accounts: create, reset-password, reset-mfa.
func user(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "usage: ivr user create|reset-password|reset-mfa [flags] ...")
		return exitUsage
	}
	sub, args := args[0], args[1:]
	var run func(s *service.Service, rest []string) error
	switch sub {
	case "create":
		run = func(s *service.Service, rest []string) error {
			if len(rest) != 4 {
				return fmt.Errorf("want: ivr user create EMAIL NAME ROLE ORGANIZATION_ID (password on stdin)")
			}
			pw, err := readSecret(env)
			if err != nil {
				return err
			}
			u, err := s.CreateUser(ctx, domain.System, service.CreateUserInput{Email: rest[0],
				Name: rest[1], Role: domain.Role(rest[2]), OrganizationID: rest[3], Password: pw})
			if err == nil {
				fmt.Fprintf(env.Stdout, "created user %s (%s)\n", u.ID, u.Role)
			}
			return err
		}
	case "reset-password":
		run = func(s *service.Service, rest []string) error {
			if len(rest) != 1 {
				return fmt.Errorf("want: ivr user reset-password EMAIL (new password on stdin)")
			}
			pw, err := readSecret(env)
			if err != nil {
				return err
			}
			return s.SetPassword(ctx, domain.System, rest[0], pw)
		}
	case "reset-mfa":
		run = func(s *service.Service, rest []string) error {
			if len(rest) != 1 {
				return fmt.Errorf("want: ivr user reset-mfa EMAIL")
			}
			return s.ResetMFA(ctx, domain.System, rest[0])
		}
	default:
		fmt.Fprintf(env.Stderr, "ivr user: unknown subcommand %q\n", sub)
		return exitUsage
	}
	a, rest, code := openApp(ctx, env, "user "+sub, args)
	if a == nil {
		return code
	}
	defer a.Close()
	if err := run(a.Service(), rest); err != nil {
		fmt.Fprintf(env.Stderr, "ivr user %s: %v\n", sub, err)
		return exitFail
	}
	return exitOK
}

// readSecret reads one line from standard input, so passwords never appear in the
// process list or the shell history.
func readSecret(env Env) (string, error) {
	var line string
	if _, err := fmt.Fscanln(env.Stdin, &line); err != nil {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	return line, nil
}

// auditCmd runs audit subcommands: verify.
func auditCmd(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(env.Stderr, "usage: ivr audit verify [flags]")
		return exitUsage
	}
	a, _, code := openApp(ctx, env, "audit verify", args[1:])
	if a == nil {
		return code
	}
	defer a.Close()
	return audit.VerifyCommand(ctx, a.DB(), a.DataDir(), env.Stdout)
}

// keys runs key subcommands: rotate.
func keys(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(env.Stderr, "usage: ivr keys rotate [flags]")
		return exitUsage
	}
	a, _, code := openApp(ctx, env, "keys rotate", args[1:])
	if a == nil {
		return code
	}
	defer a.Close()
	n, err := a.RotateKeys(ctx)
	if err != nil {
		fmt.Fprintln(env.Stderr, "ivr keys rotate:", err)
		return exitFail
	}
	fmt.Fprintf(env.Stdout, "new primary key in place; %d field values re-encrypted\n", n)
	return exitOK
}

// totp prints the current code of a TOTP secret: for the demo accounts and for
// testing an enrolment, never for production secrets on a shared screen.
func totp(_ context.Context, env Env, args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(env.Stderr, "usage: ivr totp SECRET")
		return exitUsage
	}
	code, err := auth.DefaultTOTP.Code(args[0], time.Now())
	if err != nil {
		fmt.Fprintln(env.Stderr, "ivr totp:", err)
		return exitFail
	}
	fmt.Fprintln(env.Stdout, code)
	return exitOK
}

// backupCmd writes an encrypted backup of the data dir and database to FILE.
func backupCmd(ctx context.Context, env Env, args []string) int {
	a, rest, code := openApp(ctx, env, "backup", args)
	if a == nil {
		return code
	}
	defer a.Close()
	if len(rest) != 1 {
		fmt.Fprintln(env.Stderr, "usage: ivr backup [flags] FILE")
		return exitUsage
	}
	f, err := os.OpenFile(rest[0], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintln(env.Stderr, "ivr backup:", err)
		return exitFail
	}
	st, err := a.Backup(ctx, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(rest[0])
		fmt.Fprintln(env.Stderr, "ivr backup:", err)
		return exitFail
	}
	fmt.Fprintf(env.Stdout, "backup written: %d files, %d bytes before encryption\n", st.Files, st.Bytes)
	return exitOK
}

// restoreCmd unpacks a backup into an empty data dir; the master key (KMS or the
// local key file placed in the data dir) must be available.
func restoreCmd(ctx context.Context, env Env, args []string) int {
	cfg, rest, code, ok := parseConfig(env, "restore", args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprintln(env.Stderr, "usage: ivr restore [flags] FILE")
		return exitUsage
	}
	f, err := os.Open(rest[0])
	if err != nil {
		fmt.Fprintln(env.Stderr, "ivr restore:", err)
		return exitFail
	}
	defer f.Close()
	log := newLogger(cfg, env.Stderr)
	open := func(ctx context.Context, dir string) (*phi.Keyring, error) {
		return phi.Open(ctx, phi.Config{KMSURI: cfg.KMSURI, DataDir: dir, Logger: log})
	}
	if err := backup.Restore(ctx, f, cfg.DataDir, open); err != nil {
		fmt.Fprintln(env.Stderr, "ivr restore:", err)
		return exitFail
	}
	fmt.Fprintln(env.Stdout, "restored into", cfg.DataDir)
	return exitOK
}
