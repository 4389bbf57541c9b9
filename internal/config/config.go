// Package config declares every setting of the platform once (name, default, whether
// it is secret, what it means), parses flags and IVR_* environment variables into one
// Config value, and validates it before anything starts.
package config

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the parsed, validated configuration. It is passed down explicitly;
// there is no global copy.
type Config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	KMSURI        string
	NATSURL       string
	BlobURL       string
	BaseURL       string
	LogLevel      string
	LogFormat     string
	SessionIdle   time.Duration
	SessionMax    time.Duration
	MaxBodyBytes  int64
	MaxUploadSize int64
	Clearinghouse string
	ClearingURL   string
	ClearingToken string
	SMTPURL       string
	WebKey        string
	Demo          bool
}

// setting is one declared configuration entry.
type setting struct {
	name    string // flag name; the variable is IVR_ + upper snake case
	def     string
	secret  bool
	usage   string
	set     func(c *Config, v string) error
	current func(c *Config) string
}

// Env returns the environment variable that sets s.
func (s setting) env() string {
	return "IVR_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

func strVar(name, def string, secret bool, usage string, p func(*Config) *string) setting {
	return setting{name: name, def: def, secret: secret, usage: usage,
		set:     func(c *Config, v string) error { *p(c) = v; return nil },
		current: func(c *Config) string { return *p(c) },
	}
}

func durVar(name, def, usage string, p func(*Config) *time.Duration) setting {
	return setting{name: name, def: def, usage: usage,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return errors.New("want a positive duration such as 15m or 12h")
			}
			*p(c) = d
			return nil
		},
		current: func(c *Config) string { return p(c).String() },
	}
}

func sizeVar(name, def, usage string, p func(*Config) *int64) setting {
	return setting{name: name, def: def, usage: usage,
		set: func(c *Config, v string) error {
			n, err := parseSize(v)
			*p(c) = n
			return err
		},
		current: func(c *Config) string { return strconv.FormatInt(*p(c), 10) },
	}
}

// settings is the one declaration of every setting.
var settings = []setting{
	strVar("addr", "127.0.0.1:8080", false, "address the HTTP server listens on (host:port)",
		func(c *Config) *string { return &c.Addr }),
	strVar("data-dir", "./data", false,
		"directory for the SQLite file, keysets, documents and demo accounts",
		func(c *Config) *string { return &c.DataDir }),
	strVar("database-url", "", true,
		"database: empty for SQLite in the data dir, sqlite:///path, or postgres://…",
		func(c *Config) *string { return &c.DatabaseURL }),
	strVar("kms-uri", "", true,
		"key provider: empty for a keyset file in the data dir, aws-kms://… or hcvault://…",
		func(c *Config) *string { return &c.KMSURI }),
	strVar("nats-url", "", false, "NATS server for live events across instances (empty: in-process)",
		func(c *Config) *string { return &c.NATSURL }),
	strVar("blob-url", "", false, "document store: empty for files in the data dir, or s3://bucket/prefix?region=…",
		func(c *Config) *string { return &c.BlobURL }),
	strVar("base-url", "", false, "public URL of the platform, used in e-mails and cookies",
		func(c *Config) *string { return &c.BaseURL }),
	strVar("log-level", "info", false, "debug, info, warn or error",
		func(c *Config) *string { return &c.LogLevel }),
	strVar("log-format", "text", false, "text or json",
		func(c *Config) *string { return &c.LogFormat }),
	durVar("session-idle", "15m", "a session ends after this long without a request",
		func(c *Config) *time.Duration { return &c.SessionIdle }),
	durVar("session-max", "12h", "a session ends this long after login, whatever its use",
		func(c *Config) *time.Duration { return &c.SessionMax }),
	sizeVar("max-body", "1MiB", "largest JSON request body",
		func(c *Config) *int64 { return &c.MaxBodyBytes }),
	sizeVar("max-upload", "25MiB", "largest document upload",
		func(c *Config) *int64 { return &c.MaxUploadSize }),
	strVar("clearinghouse", "simulator", false, "eligibility: simulator, x12-http or json-http",
		func(c *Config) *string { return &c.Clearinghouse }),
	strVar("clearinghouse-url", "", false, "endpoint of the clearinghouse (x12-http, json-http)",
		func(c *Config) *string { return &c.ClearingURL }),
	strVar("clearinghouse-token", "", true, "bearer credential for the clearinghouse",
		func(c *Config) *string { return &c.ClearingToken }),
	strVar("web-key", "", true,
		"hex key (32+ bytes) for the web app's CSRF tokens; set the same on every instance (empty: random per process)",
		func(c *Config) *string { return &c.WebKey }),
	strVar("smtp-url", "", true,
		"SMTP server for e-mail (empty: e-mails go to the outbox and the log, without PHI)",
		func(c *Config) *string { return &c.SMTPURL }),
}

// SettingError names the setting that stopped start-up and what is wrong with it.
type SettingError struct {
	Setting string // e.g. "IVR_ADDR (--addr)"
	Problem string
}

// Error implements error as one line naming the setting.
func (e *SettingError) Error() string {
	return fmt.Sprintf("config: %s: %s", e.Setting, e.Problem)
}

// Parse reads flags from args and IVR_* variables from getenv; a flag wins over the
// variable, the variable over the default. It returns a *SettingError for a bad
// value and flag.ErrHelp when help was asked for (the usage is written to out).
func Parse(cmd string, args []string, getenv func(string) string, out io.Writer) (Config, []string, error) {
	var c Config
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.BoolVar(&c.Demo, "demo", false, "seed the demo world on a fresh data dir (serve only)")
	vals := make([]*string, len(settings))
	for i, s := range settings {
		v := s.def
		if e := getenv(s.env()); e != "" {
			v = e
		}
		vals[i] = fs.String(s.name, v, fmt.Sprintf("%s (env %s)", s.usage, s.env()))
	}
	fs.Usage = func() { usage(fs, cmd, out) }
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	for i, s := range settings {
		if err := s.set(&c, strings.TrimSpace(*vals[i])); err != nil {
			return c, nil, &SettingError{Setting: label(s), Problem: err.Error()}
		}
	}
	if err := c.validate(); err != nil {
		return c, nil, err
	}
	return c, fs.Args(), nil
}

func label(s setting) string { return fmt.Sprintf("%s (--%s)", s.env(), s.name) }

func usage(fs *flag.FlagSet, cmd string, out io.Writer) {
	fmt.Fprintf(out, "Usage: ivr %s [flags]\n\nSettings (flag, environment variable, default):\n", cmd)
	fs.PrintDefaults()
}

func byName(name string) setting {
	for _, s := range settings {
		if s.name == name {
			return s
		}
	}
	panic("config: undeclared setting " + name)
}

func bad(name, problem string) error {
	return &SettingError{Setting: label(byName(name)), Problem: problem}
}

func (c *Config) validate() error {
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		return bad("addr", "want host:port")
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return bad("addr", "port must be 0 to 65535")
	}
	if c.DataDir == "" {
		return bad("data-dir", "must not be empty")
	}
	if abs, err := filepath.Abs(c.DataDir); err == nil {
		c.DataDir = abs
	}
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		return bad("database-url", err.Error())
	}
	if c.NATSURL != "" && !strings.HasPrefix(c.NATSURL, "nats://") {
		return bad("nats-url", "want nats://host:port")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("log-level", "want debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return bad("log-format", "want text or json")
	}
	if c.SessionIdle > c.SessionMax {
		return bad("session-idle", "must not exceed IVR_SESSION_MAX")
	}
	if c.WebKey != "" {
		if k, err := hex.DecodeString(c.WebKey); err != nil || len(k) < 32 {
			return bad("web-key", "want at least 32 bytes written in hex")
		}
	}
	switch c.Clearinghouse {
	case "simulator":
	case "x12-http", "json-http":
		if u, err := url.Parse(c.ClearingURL); err != nil || u.Host == "" {
			return bad("clearinghouse-url", "required for "+c.Clearinghouse+": want an https URL")
		}
	default:
		return bad("clearinghouse", "want simulator, x12-http or json-http")
	}
	return nil
}

func checkDatabaseURL(v string) error {
	if v == "" || strings.HasPrefix(v, "sqlite://") {
		return nil
	}
	if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
		if _, err := url.Parse(v); err != nil {
			return errors.New("not a valid URL")
		}
		return nil
	}
	return errors.New("want empty (SQLite in the data dir), sqlite:///path or postgres://…")
}

func parseSize(v string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.n
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("want a positive size such as 1MiB or 25MiB")
	}
	return n * mult, nil
}

// Dump returns each setting's variable and current value, secrets left out, for a
// start-up log line or a support bundle.
func (c Config) Dump() map[string]string {
	m := make(map[string]string, len(settings))
	for _, s := range settings {
		if s.secret {
			if s.current(&c) != "" {
				m[s.env()] = "(set)"
			}
			continue
		}
		m[s.env()] = s.current(&c)
	}
	return m
}

// CSRFKey returns the decoded web key, or nil when none is set.
func (c Config) CSRFKey() []byte {
	k, err := hex.DecodeString(c.WebKey)
	if err != nil || len(k) == 0 {
		return nil
	}
	return k
}

// SQLitePath returns the SQLite file used when DatabaseURL does not name
// PostgreSQL, and "" otherwise.
func (c Config) SQLitePath() string {
	switch {
	case c.DatabaseURL == "":
		return filepath.Join(c.DataDir, "ivr.db")
	case strings.HasPrefix(c.DatabaseURL, "sqlite://"):
		return strings.TrimPrefix(c.DatabaseURL, "sqlite://")
	}
	return ""
}

// Environ returns os.Getenv; a seam for tests.
func Environ() func(string) string { return os.Getenv }
