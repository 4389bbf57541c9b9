package x12

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// MustReadFixture returns the contents of testdata/name.
func MustReadFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	return data
}

// MustParse271 parses a fixture that must be a clean 271 interchange.
func MustParse271(tb testing.TB, name string) []Response271 {
	tb.Helper()
	rs, err := Parse271(MustReadFixture(tb, name))
	if err != nil {
		tb.Fatalf("Parse271(%s): %v", name, err)
	}
	return rs
}

func cents(v int64) *Cents { c := Cents(v); return &c }

func pct(v float64) *float64 { return &v }

// fmtAll formats v with every verb a log line might use.
func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v)
}
