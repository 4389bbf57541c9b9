package x12

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var testTime = time.Date(2026, 1, 15, 9, 30, 0, 0, time.UTC)

func testEnvelope(control int) Envelope {
	return Envelope{SenderID: "OPENIVR", ReceiverID: "PAYERSIM", ControlNumber: control, Time: testTime}
}

// rewrite re-encodes every transaction of a parsed interchange with w.
func rewrite(tb testing.TB, w Writer, data []byte) []byte {
	tb.Helper()
	ic, err := Parse(data)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	var groups []Group
	for _, g := range ic.Groups {
		out := Group{FunctionalID: g.FunctionalID, ControlNumber: 7, Version: g.Version}
		for _, tx := range g.Transactions {
			out.Sets = append(out.Sets, TransactionSet{Code: tx.Code, Body: tx.Body()})
		}
		groups = append(groups, out)
	}
	encoded, err := w.Write(testEnvelope(42), groups...)
	if err != nil {
		tb.Fatalf("Write: %v", err)
	}
	return encoded
}

func TestWriterRoundTripAcrossDelimiters(t *testing.T) {
	writers := map[string]Writer{
		"Default":     {Delimiters: DefaultDelimiters},
		"PipeNewline": {Delimiters: Delimiters{'|', '^', '>', '\n'}},
		"CaretBang":   {Delimiters: Delimiters{'^', '|', ':', '!'}, LineBreak: true},
		"Tilde":       {Delimiters: Delimiters{'~', '{', '}', '\''}},
	}
	ignoreRaw := cmpopts.IgnoreFields(Benefit{}, "Raw")
	ignoreSeg := cmpopts.IgnoreFields(Rejection{}, "Segment")
	fixtures := []string{"271_medicare_ffs.x12", "271_family_pipe_newline.x12",
		"271_medicare_advantage_caret_bang.x12", "271_rejections_multi.x12", "271_dependent_inactive.x12"}
	for _, f := range fixtures {
		want := MustParse271(t, f)
		for name, w := range writers {
			t.Run(f+"/"+name, func(t *testing.T) {
				encoded := rewrite(t, w, MustReadFixture(t, f))
				_, d, err := Tokenize(encoded)
				if err != nil {
					t.Fatalf("Tokenize: %v", err)
				}
				if d != w.Delimiters {
					t.Errorf("delimiters %q, want %q", d, w.Delimiters)
				}
				got, err := Parse271(encoded)
				if err != nil {
					t.Fatalf("Parse271: %v", err)
				}
				if diff := cmp.Diff(want, got, ignoreRaw, ignoreSeg); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestWriterCountsAndControlNumbers(t *testing.T) {
	body := []Segment{NewSegment("BHT", "0022", "13", "R1", "20260115", "0930")}
	w := Writer{Delimiters: DefaultDelimiters}
	out, err := w.Write(testEnvelope(123456789),
		Group{FunctionalID: "HS", ControlNumber: 5, Sets: []TransactionSet{
			{Code: "270", Body: body}, {Code: "270", Body: append(body, body...)}}},
		Group{FunctionalID: "HS", ControlNumber: 6, Sets: []TransactionSet{
			{Code: "270", ControlNumber: "9001", Body: body}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ISA*00*          *00*          *ZZ*OPENIVR        *ZZ*PAYERSIM       *260115*0930*^*00501*123456789*0*T*:",
		"GS*HS*OPENIVR*PAYERSIM*20260115*0930*5*X*005010X279A1",
		"ST*270*0001*005010X279A1", "BHT*0022*13*R1*20260115*0930", "SE*3*0001",
		"ST*270*0002*005010X279A1", "BHT*0022*13*R1*20260115*0930", "BHT*0022*13*R1*20260115*0930",
		"SE*4*0002", "GE*2*5",
		"GS*HS*OPENIVR*PAYERSIM*20260115*0930*6*X*005010X279A1",
		"ST*270*9001*005010X279A1", "BHT*0022*13*R1*20260115*0930", "SE*3*9001", "GE*1*6",
		"IEA*2*123456789", "",
	}
	if diff := cmp.Diff(want, strings.Split(string(out), "~")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Parse(out); err != nil {
		t.Errorf("Parse of written interchange: %v", err)
	}
}

func TestWriterErrors(t *testing.T) {
	w := Writer{Delimiters: DefaultDelimiters}
	g := func(segs ...Segment) Group {
		return Group{FunctionalID: "HS", ControlNumber: 1, Sets: []TransactionSet{{Code: "270", Body: segs}}}
	}
	tests := []struct {
		name   string
		writer Writer
		env    Envelope
		group  Group
		want   string
	}{
		{"SeparatorInValue", w, testEnvelope(1), g(NewSegment("NM1", "IL", "1", "O*BRIEN")),
			"x12: NM103: value contains a separator or line break"},
		{"TerminatorInValue", w, testEnvelope(1), g(NewSegment("MSG", "A~B")),
			"x12: MSG01: value contains a separator or line break"},
		{"LineBreakInValue", w, testEnvelope(1), g(NewSegment("MSG", "A\nB")),
			"x12: MSG01: value contains a separator or line break"},
		{"BadSegmentID", w, testEnvelope(1), g(NewSegment("nm1", "IL")), `x12: invalid segment id "nm1"`},
		{"ControlNumberZero", w, testEnvelope(0), g(), "x12: interchange control number out of range"},
		{"LongSender", w, Envelope{SenderID: strings.Repeat("S", 16), ReceiverID: "R", ControlNumber: 1},
			g(), "x12: sender and receiver ids must be 1 to 15 characters"},
		{"SenderWithSeparator", w, Envelope{SenderID: "A*B", ReceiverID: "R", ControlNumber: 1},
			g(), "x12: ISA06 contains a separator"},
		{"DuplicateDelimiters", Writer{Delimiters: Delimiters{'*', '*', ':', '~'}}, testEnvelope(1), g(),
			"x12: element and repetition separators are both '*'"},
		{"NoRepetition", Writer{Delimiters: Delimiters{'*', 0, ':', '~'}}, testEnvelope(1), g(),
			"x12: version 00501 needs a repetition separator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.writer.Write(tt.env, tt.group)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Write error = %v, want %q", err, tt.want)
			}
		})
	}
}
