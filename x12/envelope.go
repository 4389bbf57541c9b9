package x12

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Interchange is a parsed ISA…IEA envelope.
type Interchange struct {
	Delimiters    Delimiters
	Header        Segment // ISA
	ControlNumber string  // ISA13
	SenderID      string  // ISA06, trimmed
	ReceiverID    string  // ISA08, trimmed
	Production    bool    // ISA15 is "P"
	Groups        []FunctionalGroup
	Trailer       Segment // IEA
}

// FunctionalGroup is a parsed GS…GE group.
type FunctionalGroup struct {
	Header        Segment // GS
	FunctionalID  string  // GS01: HS for 270, HB for 271
	ControlNumber string  // GS06
	Version       string  // GS08
	Transactions  []Transaction
	Trailer       Segment // GE
}

// Transaction is a parsed ST…SE transaction set. Segments runs from ST to SE
// inclusive.
type Transaction struct {
	Code          string // ST01: 270, 271
	ControlNumber string // ST02
	Segments      []Segment
}

// Body returns the segments between ST and SE.
func (t Transaction) Body() []Segment {
	if len(t.Segments) < 2 {
		return nil
	}
	return t.Segments[1 : len(t.Segments)-1]
}

// Mismatch is one trailer that disagrees with its envelope: a count or a control
// number. Field names the element, such as "SE01" or "IEA02".
type Mismatch struct {
	Field  string
	Index  int // segment index of the trailer
	Offset int // byte offset of the trailer
	Want   string
	Got    string
}

// EnvelopeError lists every trailer mismatch found in an otherwise readable
// interchange. Parse returns it together with the parsed Interchange.
type EnvelopeError struct {
	Mismatches []Mismatch
}

// Error implements error.
func (e *EnvelopeError) Error() string {
	parts := make([]string, len(e.Mismatches))
	for i, m := range e.Mismatches {
		parts[i] = fmt.Sprintf("%s at segment %d (byte %d) is %q, want %q",
			m.Field, m.Index, m.Offset, m.Got, m.Want)
	}
	return "x12: envelope mismatch: " + strings.Join(parts, "; ")
}

// Parse reads one interchange. A structural fault (bad syntax, a segment outside its
// envelope, a missing trailer) returns a nil Interchange and a *SyntaxError. When
// the structure is sound but trailer counts or control numbers disagree, Parse
// returns the Interchange and an *EnvelopeError listing every mismatch.
func Parse(data []byte) (*Interchange, error) {
	segs, d, err := Tokenize(data)
	if err != nil {
		return nil, err
	}
	p := envelopeParser{segs: segs}
	ic, err := p.interchange(d)
	if err != nil {
		return nil, err
	}
	if len(p.mismatches) > 0 {
		return ic, &EnvelopeError{Mismatches: p.mismatches}
	}
	return ic, nil
}

type envelopeParser struct {
	segs       []Segment
	pos        int
	mismatches []Mismatch
}

func (p *envelopeParser) peek() (Segment, bool) {
	if p.pos >= len(p.segs) {
		return Segment{}, false
	}
	return p.segs[p.pos], true
}

// expect consumes the next segment, which must have the given id.
func (p *envelopeParser) expect(id, context string) (Segment, error) {
	seg, ok := p.peek()
	if !ok {
		return Segment{}, &SyntaxError{Index: len(p.segs), Offset: -1,
			Reason: fmt.Sprintf("input ends before %s (%s)", id, context)}
	}
	if seg.ID != id {
		return Segment{}, &SyntaxError{Index: seg.Index, Offset: seg.Offset, SegmentID: seg.ID,
			Reason: fmt.Sprintf("expected %s (%s)", id, context)}
	}
	p.pos++
	return seg, nil
}

func (p *envelopeParser) interchange(d Delimiters) (*Interchange, error) {
	isa, err := p.expect("ISA", "interchange header")
	if err != nil {
		return nil, err
	}
	if len(isa.Elements) != 16 {
		return nil, &SyntaxError{Index: 0, SegmentID: "ISA", Reason: "ISA must have 16 elements"}
	}
	ic := &Interchange{
		Delimiters: d, Header: isa, ControlNumber: isa.Element(13),
		SenderID: strings.TrimSpace(isa.Element(6)), ReceiverID: strings.TrimSpace(isa.Element(8)),
		Production: isa.Element(15) == "P",
	}
	for {
		seg, ok := p.peek()
		if !ok || seg.ID != "GS" {
			break
		}
		g, err := p.group()
		if err != nil {
			return nil, err
		}
		ic.Groups = append(ic.Groups, g)
	}
	if ic.Trailer, err = p.expect("IEA", "interchange trailer"); err != nil {
		return nil, err
	}
	if seg, ok := p.peek(); ok {
		return nil, &SyntaxError{Index: seg.Index, Offset: seg.Offset, SegmentID: seg.ID,
			Reason: "segment after the interchange trailer"}
	}
	p.checkCount("IEA01", ic.Trailer, 1, len(ic.Groups))
	p.checkEqual("IEA02", ic.Trailer, 2, ic.ControlNumber)
	return ic, nil
}

func (p *envelopeParser) group() (FunctionalGroup, error) {
	gs, err := p.expect("GS", "group header")
	if err != nil {
		return FunctionalGroup{}, err
	}
	g := FunctionalGroup{Header: gs, FunctionalID: gs.Element(1),
		ControlNumber: gs.Element(6), Version: gs.Element(8)}
	for {
		seg, ok := p.peek()
		if !ok || seg.ID != "ST" {
			break
		}
		t, err := p.transaction()
		if err != nil {
			return FunctionalGroup{}, err
		}
		g.Transactions = append(g.Transactions, t)
	}
	if g.Trailer, err = p.expect("GE", "group trailer"); err != nil {
		return FunctionalGroup{}, err
	}
	p.checkCount("GE01", g.Trailer, 1, len(g.Transactions))
	p.checkEqual("GE02", g.Trailer, 2, g.ControlNumber)
	return g, nil
}

func (p *envelopeParser) transaction() (Transaction, error) {
	start := p.pos
	st, _ := p.expect("ST", "transaction header")
	for {
		seg, ok := p.peek()
		if !ok {
			return Transaction{}, &SyntaxError{Index: st.Index, Offset: st.Offset, SegmentID: "ST",
				Reason: "transaction set has no SE trailer"}
		}
		switch seg.ID {
		case "ISA", "GS", "ST", "GE", "IEA":
			return Transaction{}, &SyntaxError{Index: seg.Index, Offset: seg.Offset,
				SegmentID: seg.ID, Reason: "expected SE (transaction trailer)"}
		}
		p.pos++
		if seg.ID == "SE" {
			break
		}
	}
	t := Transaction{Code: st.Element(1), ControlNumber: st.Element(2),
		Segments: p.segs[start:p.pos]}
	se := t.Segments[len(t.Segments)-1]
	p.checkCount("SE01", se, 1, len(t.Segments))
	p.checkEqual("SE02", se, 2, t.ControlNumber)
	return t, nil
}

// checkCount records a mismatch when element n of trailer is not the number want.
func (p *envelopeParser) checkCount(field string, trailer Segment, n, want int) {
	got := trailer.Element(n)
	if v, err := strconv.Atoi(got); err == nil && v == want {
		return
	}
	p.add(field, trailer, strconv.Itoa(want), got)
}

// checkEqual records a mismatch when element n of trailer differs from want,
// ignoring leading zeros as receivers commonly do.
func (p *envelopeParser) checkEqual(field string, trailer Segment, n int, want string) {
	got := trailer.Element(n)
	if got == want || (got != "" && strings.TrimLeft(got, "0") == strings.TrimLeft(want, "0")) {
		return
	}
	p.add(field, trailer, want, got)
}

func (p *envelopeParser) add(field string, trailer Segment, want, got string) {
	p.mismatches = append(p.mismatches, Mismatch{Field: field, Index: trailer.Index,
		Offset: trailer.Offset, Want: want, Got: got})
}

// IsEnvelopeError reports whether err is, or wraps, an *EnvelopeError.
func IsEnvelopeError(err error) bool {
	var e *EnvelopeError
	return errors.As(err, &e)
}
