package x12

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEnvelope(t *testing.T) {
	ic, err := Parse(MustReadFixture(t, "271_rejections_multi.x12"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	type shape struct {
		Control, Sender, Receiver string
		Production                bool
		Groups                    []string
		Sets                      []string
		Counts                    []int
	}
	got := shape{Control: ic.ControlNumber, Sender: ic.SenderID, Receiver: ic.ReceiverID,
		Production: ic.Production}
	for _, g := range ic.Groups {
		got.Groups = append(got.Groups, g.FunctionalID+"/"+g.ControlNumber+"/"+g.Version)
		for _, tx := range g.Transactions {
			got.Sets = append(got.Sets, tx.Code+"/"+tx.ControlNumber)
			got.Counts = append(got.Counts, len(tx.Segments))
		}
	}
	want := shape{Control: "000000104", Sender: "PAYERSIM", Receiver: "OPENIVR",
		Groups: []string{"HB/104/005010X279A1"},
		Sets:   []string{"271/0001", "271/0002", "271/0003", "271/0004"},
		Counts: []int{7, 9, 17, 14}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// replaceSegment rewrites the first segment that starts with old.
func replaceSegment(tb testing.TB, data []byte, old, new string) []byte {
	tb.Helper()
	s := string(data)
	if !strings.Contains(s, "~"+old+"~") {
		tb.Fatalf("fixture has no segment %q", old)
	}
	return []byte(strings.Replace(s, "~"+old+"~", "~"+new+"~", 1))
}

func TestParseDetectsWrongCounts(t *testing.T) {
	base := MustReadFixture(t, "271_rejections_multi.x12")
	tests := []struct {
		name     string
		old, new string
		want     []Mismatch
	}{
		{"SE01", "SE*7*0001", "SE*9*0001", []Mismatch{{Field: "SE01", Index: 8, Offset: 292, Want: "7", Got: "9"}}},
		{"SE02", "SE*7*0001", "SE*7*0009",
			[]Mismatch{{Field: "SE02", Index: 8, Offset: 292, Want: "0001", Got: "0009"}}},
		{"GE01", "GE*4*104", "GE*3*104", []Mismatch{{Field: "GE01", Index: 49, Offset: 1169, Want: "4", Got: "3"}}},
		{"GE02", "GE*4*104", "GE*4*105", []Mismatch{{Field: "GE02", Index: 49, Offset: 1169, Want: "104", Got: "105"}}},
		{"IEA01", "IEA*1*000000104", "IEA*2*000000104",
			[]Mismatch{{Field: "IEA01", Index: 50, Offset: 1178, Want: "1", Got: "2"}}},
		{"IEA02", "IEA*1*000000104", "IEA*1*000000999",
			[]Mismatch{{Field: "IEA02", Index: 50, Offset: 1178, Want: "000000104", Got: "000000999"}}},
		{"SE01Missing", "SE*7*0001", "SE**0001",
			[]Mismatch{{Field: "SE01", Index: 8, Offset: 292, Want: "7", Got: ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := replaceSegment(t, base, tt.old, tt.new)
			ic, err := Parse(data)
			var envErr *EnvelopeError
			if !errors.As(err, &envErr) {
				t.Fatalf("Parse error = %v, want *EnvelopeError", err)
			}
			if ic == nil {
				t.Fatal("Parse returned no interchange with an envelope mismatch")
			}
			if diff := cmp.Diff(tt.want, envErr.Mismatches); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !IsEnvelopeError(err) || !strings.Contains(err.Error(), tt.want[0].Field) {
				t.Errorf("error text %q does not name %s", err, tt.want[0].Field)
			}
		})
	}
}

func TestParseStructuralErrors(t *testing.T) {
	base := MustReadFixture(t, "271_rejections_multi.x12")
	tests := []struct {
		name     string
		old, new string
		reason   string
	}{
		{"MissingSE", "SE*7*0001", "REF*X*1", "expected SE (transaction trailer)"},
		{"MissingGE", "GE*4*104", "REF*X*1", "expected GE (group trailer)"},
		{"MissingIEA", "IEA*1*000000104", "REF*X*1", "expected IEA (interchange trailer)"},
		{"SegmentOutsideSet", "GS*HB*PAYERSIM*OPENIVR*20260115*0930*104*X*005010X279A1",
			"REF*X*1", "expected IEA (interchange trailer)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ic, err := Parse(replaceSegment(t, base, tt.old, tt.new))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v, want *SyntaxError", err)
			}
			if ic != nil {
				t.Error("Parse returned an interchange with a structural error")
			}
			if se.Reason != tt.reason {
				t.Errorf("reason %q, want %q", se.Reason, tt.reason)
			}
		})
	}
	t.Run("TrailingSegment", func(t *testing.T) {
		_, err := Parse(append(append([]byte{}, base...), "REF*X*1~"...))
		var se *SyntaxError
		if !errors.As(err, &se) || se.Reason != "segment after the interchange trailer" {
			t.Errorf("Parse error = %v, want segment after the interchange trailer", err)
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		_, err := Parse(base[:len(base)-17])
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse error = %v, want *SyntaxError", err)
		}
	})
}
