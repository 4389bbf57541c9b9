package domain

import (
	"fmt"
	"log/slog"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problems reported in field errors. They describe the rule, never the value, so a
// field error can carry no PHI.
const (
	msgRequired = "is required"
	msgInvalid  = "is not valid"
	msgDate     = "must be a date in YYYY-MM-DD form"
	msgFuture   = "must not be in the future"
	msgPast     = "must not be in the past"
	msgNotEmpty = "must be empty"
	msgDup      = "is a duplicate"
)

// Length limits for free text, in characters.
const (
	maxName     = 100
	maxID       = 100
	maxShort    = 64
	maxLine     = 200
	maxEmail    = 254
	maxReason   = 2000
	maxMessage  = 4000
	maxListSize = 50
)

// checkText records a problem with a free-text field: missing when required, too
// long, or holding control characters.
func checkText(fe *FieldErrors, field, s string, required bool, maxLen int) {
	switch {
	case strings.TrimSpace(s) == "":
		if required {
			fe.Add(field, msgRequired)
		} else if s != "" {
			fe.Add(field, "must not be only spaces")
		}
	case utf8.RuneCountInString(s) > maxLen:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	case !utf8.ValidString(s):
		fe.Add(field, "must be valid UTF-8")
	case strings.IndexFunc(s, isBadControl) >= 0:
		fe.Add(field, "must not contain control characters")
	}
}

// isBadControl reports control characters other than the line breaks and tabs that
// multi-line text may hold.
func isBadControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
}

// checkDate records a problem with a date field and reports whether it holds a
// valid date. An empty optional date is fine and reports false.
func checkDate(fe *FieldErrors, field string, d Date, required bool) bool {
	if d == "" {
		if required {
			fe.Add(field, msgRequired)
		}
		return false
	}
	if !d.Valid() {
		fe.Add(field, msgDate)
		return false
	}
	return true
}

// checkEnum records a problem when v is not valid, or is empty and required.
func checkEnum[T ~string](fe *FieldErrors, field string, v T, required bool, valid func(T) bool) {
	switch {
	case v == "":
		if required {
			fe.Add(field, msgRequired)
		}
	case !valid(v):
		fe.Add(field, msgInvalid)
	}
}

// checkRange records a problem when n is outside [lo, hi].
func checkRange(fe *FieldErrors, field string, n, lo, hi int) {
	if n < lo || n > hi {
		fe.Add(field, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
}

// checkMeasure records a problem when a measurement in cm is not above zero or is
// above limit.
func checkMeasure(fe *FieldErrors, field string, v, limit float64) {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0) || v <= 0:
		fe.Add(field, "must be greater than 0")
	case v > limit:
		fe.Add(field, fmt.Sprintf("must be at most %g", limit))
	}
}

// inList reports whether v is in all.
func inList[T comparable](v T, all []T) bool {
	for _, x := range all {
		if x == v {
			return true
		}
	}
	return false
}

// fieldAt builds an indexed field path such as "coverages[0].member_id".
func fieldAt(list string, i int, field string) string {
	if field == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

// redactedValue is what a PHI-holding input type shows in logs.
func redactedValue(name string) slog.Value {
	return slog.StringValue(name + "{redacted}")
}

// writeRedacted writes the redacted form of a PHI-holding type for any fmt verb.
func writeRedacted(f fmt.State, name string) {
	_, _ = fmt.Fprint(f, name+"{redacted}")
}
