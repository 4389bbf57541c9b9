package phi

import (
	"fmt"
	"log/slog"
	"time"
)

// Redacted is what every PHI value prints, logs and marshals as.
const Redacted = "[REDACTED]"

// Text is a PHI string (a name, a member id, a diagnosis...). It prints, logs and
// marshals as [Redacted]; only [Text.Reveal] returns the value. The zero Text is
// the empty string.
//
// The value is held inside a closure. fmt renders a func as an address, so even
// a Text in an unexported struct field, where fmt cannot call its methods and
// walks the fields by reflection instead, shows no value under any verb. As a
// consequence Text is not comparable with ==; use [Text.Equal] (go-cmp uses it
// too).
//
// Text implements json.Marshaler and encoding.TextMarshaler by returning
// "[REDACTED]": a Text that reaches a response by mistake shows a visible marker
// rather than the value or a silent "{}". It deliberately does not implement
// json.Unmarshaler: decode into a plain string and call [NewText], so a redacted
// document can never be read back as if "[REDACTED]" were the value.
type Text struct{ v func() string }

// NewText wraps s as a PHI value.
func NewText(s string) Text { return Text{v: func() string { return s }} }

// Reveal returns the plaintext value. Call it only where the value must leave the
// process (a rendered page, an X12 message, an encryption call).
func (t Text) Reveal() string {
	if t.v == nil {
		return ""
	}
	return t.v()
}

// IsZero reports whether t holds the empty string.
func (t Text) IsZero() bool { return t.Reveal() == "" }

// Equal reports whether t and o hold the same value.
func (t Text) Equal(o Text) bool { return t.Reveal() == o.Reveal() }

// String returns [Redacted].
func (Text) String() string { return Redacted }

// GoString returns [Redacted].
func (Text) GoString() string { return Redacted }

// Format writes [Redacted] whatever the verb and flags.
func (Text) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue returns [Redacted] as a slog string value.
func (Text) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (Text) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns "[REDACTED]".
func (Text) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// DateLayout is the layout of a PHI date (a birth date, a date of service).
const DateLayout = "2006-01-02"

// Date is a PHI calendar date such as a birth date. Like [Text] it redacts itself
// everywhere; [Date.Reveal] returns it as YYYY-MM-DD. The zero Date is unset.
type Date struct{ t Text }

// ParseDate parses s as YYYY-MM-DD. The error names the expected layout but never
// repeats the input.
func ParseDate(s string) (Date, error) {
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse phi date: want YYYY-MM-DD")
	}
	return Date{t: NewText(d.Format(DateLayout))}, nil
}

// Reveal returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) Reveal() string { return d.t.Reveal() }

// Time returns the date at midnight UTC, or the zero time for the zero Date.
func (d Date) Time() time.Time {
	t, err := time.Parse(DateLayout, d.Reveal())
	if err != nil {
		return time.Time{}
	}
	return t
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// String returns [Redacted].
func (Date) String() string { return Redacted }

// GoString returns [Redacted].
func (Date) GoString() string { return Redacted }

// Format writes [Redacted] whatever the verb and flags.
func (Date) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue returns [Redacted] as a slog string value.
func (Date) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (Date) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns "[REDACTED]".
func (Date) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
