package domain

import "time"

// dateLayout is the API's date format.
const dateLayout = "2006-01-02"

// Date is a calendar date written YYYY-MM-DD, as in every API body. It is kept as
// text so that a malformed date becomes a field error during validation rather than
// a decoding failure. Two valid Dates compare correctly with < and >.
type Date string

// DateOf returns the UTC calendar date of t. Every "today" in the domain rules is
// DateOf(now): dates are compared in UTC.
func DateOf(t time.Time) Date {
	return Date(t.UTC().Format(dateLayout))
}

// Time returns the date as midnight UTC, and false when d is not a valid
// YYYY-MM-DD date.
func (d Date) Time() (time.Time, bool) {
	if len(d) != len(dateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, string(d))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// Valid reports whether d is a real calendar date in YYYY-MM-DD form.
func (d Date) Valid() bool {
	_, ok := d.Time()
	return ok
}

// AddDays returns d moved by n days (n may be negative). An invalid d stays as is.
func (d Date) AddDays(n int) Date {
	t, ok := d.Time()
	if !ok {
		return d
	}
	return DateOf(t.AddDate(0, 0, n))
}

// AddYears returns d moved by n years; 29 February moves to 1 March in a common
// year. An invalid d stays as is.
func (d Date) AddYears(n int) Date {
	t, ok := d.Time()
	if !ok {
		return d
	}
	return DateOf(t.AddDate(n, 0, 0))
}
