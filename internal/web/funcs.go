package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// formValues is what the user typed, kept so a form shown again with errors
// loses nothing.
type formValues url.Values

// Get returns the first value of field.
func (f formValues) Get(field string) string { return url.Values(f).Get(field) }

// Has reports whether field holds value (checkboxes and selects).
func (f formValues) Has(field, value string) bool {
	for _, v := range f[field] {
		if v == value {
			return true
		}
	}
	return false
}

var funcs = template.FuncMap{
	"errFor":  errFor,
	"label":   label,
	"money":   money,
	"when":    when,
	"waiting": waiting,
	"area":    func(a float64) string { return strconv.FormatFloat(a, 'f', 2, 64) },
	"join":    strings.Join,
	"str":     func(v any) string { return fmt.Sprint(v) },
	"dict":    dict,
}

// dict builds a map from name, value pairs, to pass several values to a
// partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: names must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// errFor returns the problem of a form field: its own, or the first of its
// parts ("products" collects "products[0].size").
func errFor(errs map[string]string, field string) string {
	if e, ok := errs[field]; ok {
		return e
	}
	best := ""
	for k := range errs {
		if strings.HasPrefix(k, field+"[") || strings.HasPrefix(k, field+".") {
			if best == "" || k < best {
				best = k
			}
		}
	}
	if best == "" {
		return ""
	}
	return errs[best]
}

// label turns a machine value ("in_review", "diabetic_foot_ulcer") into words.
func label(v any) string {
	s := strings.ReplaceAll(fmt.Sprint(v), "_", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// money formats cents as dollars.
func money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s$%d.%02d", sign, cents/100, cents%100)
}

// when formats a time in UTC to the minute.
func when(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if v == nil {
			return ""
		}
		return v.UTC().Format("2006-01-02 15:04 UTC")
	}
	return ""
}

// waiting says how long ago t was, in the largest whole unit.
func waiting(t *time.Time) string {
	if t == nil {
		return ""
	}
	d := time.Since(*t)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

var errMoney = errors.New("must be an amount in dollars, such as 257.00")

// parseCents reads a dollar amount ("257", "257.5", "1,257.00", "$12") as
// integer cents without going through floating point. Empty is zero.
func parseCents(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "$"))
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return 0, nil
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if hasDot && (len(frac) == 0 || len(frac) > 2) || len(whole) > 10 {
		return 0, errMoney
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseUint(whole, 10, 64)
	f, err2 := strconv.ParseUint(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errMoney
	}
	return int64(w*100 + f), nil
}

// statusChip is one status filter with its count.
type statusChip struct {
	Status string
	Count  int
	Active bool
}

// chips builds the status filters of a list from the states and counts.
func chips(states []domain.IVRState, counts map[domain.IVRState]int, active string) []statusChip {
	out := make([]statusChip, 0, len(states))
	for _, s := range states {
		out = append(out, statusChip{Status: string(s), Count: counts[s], Active: string(s) == active})
	}
	return out
}
