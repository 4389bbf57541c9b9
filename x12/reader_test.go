package x12

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTokenizeDelimitersFromISA(t *testing.T) {
	tests := []struct {
		fixture  string
		want     Delimiters
		segments int
	}{
		{"271_medicare_ffs.x12", Delimiters{'*', '^', ':', '~'}, 31},
		{"271_family_pipe_newline.x12", Delimiters{'|', '^', '>', '\n'}, 34},
		{"271_medicare_advantage_caret_bang.x12", Delimiters{'^', '|', ':', '!'}, 27},
		{"271_dependent_inactive.x12", Delimiters{'*', '^', '>', '~'}, 36},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			segs, got, err := Tokenize(MustReadFixture(t, tt.fixture))
			if err != nil {
				t.Fatalf("Tokenize: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("delimiters (-want +got):\n%s", diff)
			}
			if len(segs) != tt.segments {
				t.Errorf("got %d segments, want %d", len(segs), tt.segments)
			}
			for i, s := range segs {
				if s.Index != i {
					t.Fatalf("segment %d has Index %d", i, s.Index)
				}
				if strings.ContainsAny(s.ID, "\r\n") {
					t.Fatalf("segment %d id %q carries a line break", i, s.ID)
				}
			}
			if segs[len(segs)-1].ID != "IEA" {
				t.Errorf("last segment %s, want IEA", segs[len(segs)-1].ID)
			}
		})
	}
}

func TestSegmentAccess(t *testing.T) {
	data := MustReadFixture(t, "271_medicare_advantage_caret_bang.x12")
	segs, _, err := Tokenize(data)
	if err != nil {
		t.Fatal(err)
	}
	var eb Segment
	for _, s := range segs {
		if s.ID == "EB" && s.Element(1) == "R" {
			eb = s
		}
	}
	if got, want := eb.Raw(), "EB^R^^30^HN^EXAMPLE MEDICARE ADVANTAGE HMO"; got != want {
		t.Errorf("Raw() = %q, want %q", got, want)
	}
	if got := string(data[eb.Offset : eb.Offset+len(eb.Raw())]); got != eb.Raw() {
		t.Errorf("Offset %d does not point at the segment: %q", eb.Offset, got)
	}
	seg := Segment{ID: "EB", Elements: []string{"1", "", "30|1|2", "", "", "", "", "", "", "", "", "",
		"HC:15275:59"}, repetition: '|', component: ':'}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"Element(1)", seg.Element(1), "1"},
		{"Element(0)", seg.Element(0), ""},
		{"Element(99)", seg.Element(99), ""},
		{"Repetitions(3)", seg.Repetitions(3), []string{"30", "1", "2"}},
		{"Repetitions(2)", seg.Repetitions(2), []string(nil)},
		{"Components(13)", seg.Components(13), []string{"HC", "15275", "59"}},
		{"Component(13,2)", seg.Component(13, 2), "15275"},
		{"Component(13,3)", seg.Component(13, 3), "59"},
		{"Component(13,4)", seg.Component(13, 4), ""},
		{"Component(1,1)", seg.Component(1, 1), "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSegmentRedacts(t *testing.T) {
	seg := NewSegment("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "1EG4TE5MK73")
	for _, s := range []string{seg.String(), fmtAll(seg)} {
		if strings.Contains(s, "DOE") || strings.Contains(s, "1EG4TE5MK73") {
			t.Errorf("segment printed element values: %s", s)
		}
	}
}

// validISA is a fixed-width header using the default delimiters.
const validISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       " +
	"*260115*0930*^*00501*000000001*0*T*:~"

func TestTokenizeErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  SyntaxError
	}{
		{"Empty", "", SyntaxError{Reason: "input does not start with a 106-character ISA segment"}},
		{"NotISA", strings.Replace(validISA, "ISA", "GSX", 1),
			SyntaxError{Reason: "input does not start with a 106-character ISA segment"}},
		{"ShortISA", strings.Replace(validISA, "SENDER         ", "SENDER", 1) + strings.Repeat("X", 20),
			SyntaxError{SegmentID: "ISA", Reason: "ISA is not fixed width: no element separator after ISA06"}},
		{"SameSeparators", strings.Replace(validISA, "*:~", "*^~", 1),
			SyntaxError{SegmentID: "ISA", Reason: "component and repetition separators are both '^'"}},
		{"LetterSeparator", strings.Replace(validISA, "*:~", "*A~", 1),
			SyntaxError{SegmentID: "ISA", Reason: "invalid component separator 'A'"}},
		{"BadID", validISA + "\r\nGS*HS~g1*X~",
			SyntaxError{Index: 2, Offset: 114, Reason: "invalid segment id"}},
		{"Unterminated", validISA + "GS*HS~ST*270",
			SyntaxError{Index: 2, Offset: 112, Reason: "missing segment terminator"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Tokenize([]byte(tt.input))
			var got *SyntaxError
			if !errors.As(err, &got) {
				t.Fatalf("Tokenize error = %v, want *SyntaxError", err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReaderToleratesLineBreaks(t *testing.T) {
	input := "\r\n" + validISA + "\r\nGS*HS*A*B~\nST*270*0001~\r\n\r\n  SE*2*0001~\n"
	r, err := NewReader([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		s, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s.ID)
	}
	if diff := cmp.Diff([]string{"ISA", "GS", "ST", "SE"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
