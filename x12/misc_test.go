package x12

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDelimitersValidate(t *testing.T) {
	tests := []struct {
		name string
		d    Delimiters
		want string
	}{
		{"Default", DefaultDelimiters, ""},
		{"NoRepetition", Delimiters{Element: '*', Component: ':', Segment: '~'}, ""},
		{"ControlCharacters", Delimiters{0x1d, 0x1f, 0x1e, 0x1c}, ""},
		{"Space", Delimiters{' ', '^', ':', '~'}, "x12: invalid element separator ' '"},
		{"Digit", Delimiters{'*', '^', ':', '9'}, "x12: invalid segment separator '9'"},
		{"Missing", Delimiters{'*', '^', 0, '~'}, "x12: invalid component separator '\\x00'"},
		{"Clash", Delimiters{'*', '^', ':', '*'}, "x12: element and segment separators are both '*'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.d.Validate(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReaderWithoutRepetitionSeparator(t *testing.T) {
	isa := strings.Replace(validISA, "*^*00501", "*U*00401", 1)
	segs, d, err := Tokenize([]byte(isa + "EB*1**30^1~"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Repetition != 0 {
		t.Errorf("repetition %q, want none", d.Repetition)
	}
	if diff := cmp.Diff([]string{"30^1"}, segs[1].Repetitions(3)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWriterLineBreakAfterNewlineTerminator(t *testing.T) {
	w := Writer{Delimiters: Delimiters{'|', '^', '>', '\n'}, LineBreak: true}
	out, err := w.Write(testEnvelope(3), Group{FunctionalID: "HS", ControlNumber: 3})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "\n\n") || strings.Count(string(out), "\n") != 4 {
		t.Errorf("unexpected line breaks in %q", out)
	}
}

func TestParse271ReturnsSummariesWithEnvelopeError(t *testing.T) {
	data := replaceSegment(t, MustReadFixture(t, "271_rejections_multi.x12"), "GE*4*104", "GE*9*104")
	rs, err := Parse271(data)
	if !IsEnvelopeError(err) || len(rs) != 4 {
		t.Errorf("got %d summaries, error %v; want 4 and an *EnvelopeError", len(rs), err)
	}
	empty := strings.Replace(validISA, "*T*", "*P*", 1) + "IEA*0*000000001~"
	if _, err := ParseSingle271([]byte(empty)); !errors.Is(err, errNoResponse) {
		t.Errorf("ParseSingle271 of an empty interchange: %v", err)
	}
}

func TestExplainRejectionAndFollowUp(t *testing.T) {
	tests := []struct {
		loop, reason, followUp string
		actor                  Actor
		text                   string
	}{
		{"2100C", "42", "R", ActorPayer, "resubmission allowed"},
		{"2100D", "58", "C", ActorSubscriber, "please correct and resubmit"},
		{"2110C", "15", "", ActorInquiry, ""},
		{"", "15", "Q", ActorSubscriber, ""},
	}
	for _, tt := range tests {
		r := ExplainRejection(tt.loop, "N", tt.reason, tt.followUp)
		if r.Actor != tt.actor || r.FollowUpText != tt.text || r.Explanation == "" {
			t.Errorf("ExplainRejection(%q, %q) = %+v", tt.loop, tt.reason, r)
		}
	}
	for text, want := range map[string]string{"Please Correct and Resubmit": "C",
		"Do not resubmit; Inquiry initiated to a third party": "S", "whatever": ""} {
		if got := FollowUpCode(text); got != want {
			t.Errorf("FollowUpCode(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestControlNumberFrom(t *testing.T) {
	a := ControlNumberFrom(time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC))
	b := ControlNumberFrom(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if a != 365235960 || b != 1000001 {
		t.Errorf("ControlNumberFrom = %d, %d", a, b)
	}
}

func TestDateFormats(t *testing.T) {
	tests := []struct {
		seg  Segment
		want DateInfo
	}{
		{NewSegment("DTP", "346", "D8", "20260101"), DateInfo{"346", "plan begin", "2026-01-01", "", ""}},
		{NewSegment("DTP", "291", "RD8", "20260101-20261231"),
			DateInfo{"291", "plan", "2026-01-01", "2026-12-31", ""}},
		{NewSegment("DTP", "999", "RD8", "2026"), DateInfo{"999", "", "", "", "2026"}},
		{NewSegment("DTP", "307", "D6", "260101"), DateInfo{"307", "eligibility", "", "", "260101"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, dateFrom(tt.seg)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
}
