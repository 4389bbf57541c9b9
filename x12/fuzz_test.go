package x12

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// addFixtures seeds f with every interchange under testdata, beside the corpus
// kept in testdata/fuzz.
func addFixtures(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.x12"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzTokenize(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		segs, d, err := Tokenize(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("accepted invalid delimiters: %v", err)
		}
		for i, s := range segs {
			if s.Index != i || !validID(s.ID) || s.Offset < 0 || s.Offset >= len(data) {
				t.Fatalf("segment %d malformed: id %q index %d offset %d", i, s.ID, s.Index, s.Offset)
			}
		}
	})
}

func FuzzParse271(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse271(data)
		var se *SyntaxError
		var ee *EnvelopeError
		switch {
		case err == nil, errors.As(err, &ee):
			for _, r := range rs {
				for _, p := range r.Plans {
					_ = p.Deductibles // summaries must be built without panicking
				}
			}
		case errors.As(err, &se):
			if rs != nil {
				t.Fatal("responses returned with a syntax error")
			}
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}
