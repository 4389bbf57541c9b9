package x12

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Envelope holds what the ISA and GS headers say about an interchange.
type Envelope struct {
	SenderQualifier   string // ISA05, default "ZZ"
	SenderID          string // ISA06, at most 15 characters
	ReceiverQualifier string // ISA07, default "ZZ"
	ReceiverID        string // ISA08, at most 15 characters
	// ApplicationSender and ApplicationReceiver are GS02 and GS03; they default to
	// SenderID and ReceiverID.
	ApplicationSender   string
	ApplicationReceiver string
	ControlNumber       int  // ISA13, 1 to 999999999
	Production          bool // ISA15 "P"; "T" (test) otherwise
	AckRequested        bool // ISA14
	Time                time.Time
}

// Group is one functional group to write: its transaction sets carry only their
// body segments; the Writer adds ST and SE with the right count.
type Group struct {
	FunctionalID  string // GS01: HS, HB
	ControlNumber int    // GS06
	Version       string // GS08, default "005010X279A1"
	Sets          []TransactionSet
}

// TransactionSet is one ST…SE set to write. ControlNumber defaults to the set's
// position in its group, from "0001".
type TransactionSet struct {
	Code          string // ST01: 270, 271
	ControlNumber string
	Body          []Segment
}

// Version5010X279 is the implementation guide the eligibility transactions follow.
const Version5010X279 = "005010X279A1"

// Writer encodes interchanges with its Delimiters. With LineBreak set, a newline
// follows each segment terminator (unless the terminator is itself a newline).
type Writer struct {
	Delimiters Delimiters
	LineBreak  bool
}

// Write returns the encoded interchange with correct counts and control numbers.
// It returns an error naming the segment and element if a value contains one of the
// writer's separators or an envelope field is out of range.
func (w Writer) Write(env Envelope, groups ...Group) ([]byte, error) {
	if err := w.Delimiters.Validate(); err != nil {
		return nil, err
	}
	if w.Delimiters.Repetition == 0 {
		return nil, fmt.Errorf("x12: version 00501 needs a repetition separator")
	}
	isa, err := w.isa(env)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(sizeHint(groups))
	b.WriteString(isa)
	w.endSegment(&b)
	for _, g := range groups {
		if err := w.writeGroup(&b, env, g); err != nil {
			return nil, err
		}
	}
	iea := NewSegment("IEA", strconv.Itoa(len(groups)), fmt.Sprintf("%09d", env.ControlNumber))
	err = w.writeSegment(&b, iea)
	return b.Bytes(), err
}

// isa returns the fixed-width ISA segment without its terminator.
func (w Writer) isa(env Envelope) (string, error) {
	if env.ControlNumber < 1 || env.ControlNumber > 999999999 {
		return "", fmt.Errorf("x12: interchange control number out of range")
	}
	if !isaIDOK(env.SenderID) || !isaIDOK(env.ReceiverID) {
		return "", fmt.Errorf("x12: sender and receiver ids must be 1 to 15 characters")
	}
	t := env.Time.UTC()
	usage, ack := "T", "0"
	if env.Production {
		usage = "P"
	}
	if env.AckRequested {
		ack = "1"
	}
	fields := []string{"ISA", "00", pad("", 10), "00", pad("", 10),
		orDefault(env.SenderQualifier, "ZZ"), pad(env.SenderID, 15),
		orDefault(env.ReceiverQualifier, "ZZ"), pad(env.ReceiverID, 15),
		t.Format("060102"), t.Format("1504"), string(w.Delimiters.Repetition), "00501",
		fmt.Sprintf("%09d", env.ControlNumber), ack, usage, string(w.Delimiters.Component)}
	for i, f := range fields {
		if i == 11 || i == 16 {
			continue // ISA11 and ISA16 are separators themselves
		}
		if strings.IndexFunc(f, w.isSeparatorRune) >= 0 {
			return "", fmt.Errorf("x12: ISA%02d contains a separator", i)
		}
	}
	return strings.Join(fields, string(w.Delimiters.Element)), nil
}

func (w Writer) writeGroup(b *bytes.Buffer, env Envelope, g Group) error {
	t := env.Time.UTC()
	gs := NewSegment("GS", g.FunctionalID, orDefault(env.ApplicationSender, env.SenderID),
		orDefault(env.ApplicationReceiver, env.ReceiverID), t.Format("20060102"), t.Format("1504"),
		strconv.Itoa(g.ControlNumber), "X", orDefault(g.Version, Version5010X279))
	if err := w.writeSegment(b, gs); err != nil {
		return err
	}
	for i, set := range g.Sets {
		control := orDefault(set.ControlNumber, fmt.Sprintf("%04d", i+1))
		st := NewSegment("ST", set.Code, control, orDefault(g.Version, Version5010X279))
		if err := w.writeSegment(b, st); err != nil {
			return err
		}
		for _, seg := range set.Body {
			if err := w.writeSegment(b, seg); err != nil {
				return err
			}
		}
		se := NewSegment("SE", strconv.Itoa(len(set.Body)+2), control)
		if err := w.writeSegment(b, se); err != nil {
			return err
		}
	}
	ge := NewSegment("GE", strconv.Itoa(len(g.Sets)), strconv.Itoa(g.ControlNumber))
	return w.writeSegment(b, ge)
}

// writeSegment encodes seg, re-encoding composite and repeated elements from the
// separators seg was built or read with into the writer's.
func (w Writer) writeSegment(b *bytes.Buffer, seg Segment) error {
	if !validID(seg.ID) {
		return fmt.Errorf("x12: invalid segment id %q", seg.ID)
	}
	last := len(seg.Elements)
	for last > 0 && seg.Elements[last-1] == "" {
		last-- // trailing empty elements are not written
	}
	rep, comp := seg.Separators()
	b.WriteString(seg.ID)
	for i, e := range seg.Elements[:last] {
		b.WriteByte(w.Delimiters.Element)
		if err := w.writeElement(b, e, rep, comp); err != nil {
			return fmt.Errorf("x12: %s%02d: %w", seg.ID, i+1, err)
		}
	}
	w.endSegment(b)
	return nil
}

func (w Writer) writeElement(b *bytes.Buffer, e string, rep, comp byte) error {
	if rep == w.Delimiters.Repetition && comp == w.Delimiters.Component {
		// Same composite separators: check the value, then copy it whole.
		for i := 0; i < len(e); i++ {
			if c := e[i]; c == w.Delimiters.Element || c == w.Delimiters.Segment || c == '\r' || c == '\n' {
				return fmt.Errorf("value contains a separator or line break")
			}
		}
		b.WriteString(e)
		return nil
	}
	for i := 0; i < len(e); i++ {
		c := e[i]
		switch {
		case c == rep:
			c = w.Delimiters.Repetition
		case c == comp:
			c = w.Delimiters.Component
		case w.Delimiters.isSeparator(c) || c == '\r' || c == '\n':
			return fmt.Errorf("value contains a separator or line break")
		}
		b.WriteByte(c)
	}
	return nil
}

func (w Writer) endSegment(b *bytes.Buffer) {
	b.WriteByte(w.Delimiters.Segment)
	if w.LineBreak && w.Delimiters.Segment != '\n' {
		b.WriteByte('\n')
	}
}

// sizeHint estimates the encoded size of groups, so the buffer grows once.
func sizeHint(groups []Group) int {
	n := isaLength + 128
	for _, g := range groups {
		for _, set := range g.Sets {
			n += 64 + 40*len(set.Body)
		}
	}
	return n
}

func (w Writer) isSeparatorRune(r rune) bool {
	return r < 128 && w.Delimiters.isSeparator(byte(r))
}

func isaIDOK(id string) bool { return id != "" && len(id) <= 15 }

func pad(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
