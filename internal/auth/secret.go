package auth

import (
	"fmt"
	"log/slog"
)

// Secret is a string that must never reach a log or an error message: a TOTP secret,
// a provisioning URI or a one-time code. String, Format and LogValue print a
// placeholder; Reveal returns the value for the one place that must show or store it.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer with a placeholder.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer with a placeholder.
func (s Secret) GoString() string { return redacted }

// Format implements fmt.Formatter so that every verb, %q and %x included, prints the
// placeholder.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer with a placeholder.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
