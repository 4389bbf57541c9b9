package x12

import (
	"fmt"
	"strings"
)

// Segment is one X12 segment: its id and its elements. Elements[0] is element 01;
// a composite or repeated element is kept as written, and read through Component,
// Components and Repetitions, which know the separators the segment was read with.
//
// A segment may hold protected health information, so String and Format print only
// the id and the number of elements; Raw returns the text when it is really needed.
type Segment struct {
	ID       string
	Elements []string
	// Index is the segment's position in the interchange (ISA is 0); Offset is the
	// byte offset of its first character. Both are -1 for segments built in code.
	Index  int
	Offset int

	raw        string
	repetition byte
	component  byte
}

// NewSegment returns a segment built in code. Composite and repeated elements use
// the default separators (see Composite and Repeat); the Writer re-encodes them with
// its own.
func NewSegment(id string, elements ...string) Segment {
	return Segment{ID: id, Elements: elements, Index: -1, Offset: -1}
}

// Composite joins components into one element for NewSegment.
func Composite(components ...string) string {
	return strings.Join(components, string(DefaultDelimiters.Component))
}

// Repeat joins repetitions into one element for NewSegment.
func Repeat(values ...string) string {
	return strings.Join(values, string(DefaultDelimiters.Repetition))
}

// Element returns element n (1-based, so Element(1) is xx01), or "" if absent.
func (s Segment) Element(n int) string {
	if n < 1 || n > len(s.Elements) {
		return ""
	}
	return s.Elements[n-1]
}

// Repetitions returns the repetitions of element n; nil if it is empty or absent.
func (s Segment) Repetitions(n int) []string {
	e := s.Element(n)
	if e == "" {
		return nil
	}
	if s.Index >= 0 && s.repetition == 0 {
		return []string{e} // read from an interchange that declares no repetition
	}
	return strings.Split(e, string(s.repetitionSep()))
}

// Components returns the components of element n; nil if it is empty or absent.
func (s Segment) Components(n int) []string {
	e := s.Element(n)
	if e == "" {
		return nil
	}
	return strings.Split(e, string(s.componentSep()))
}

// Component returns component c (1-based) of element n, or "" if absent.
func (s Segment) Component(n, c int) string {
	e := s.Element(n)
	sep := s.componentSep()
	for i := 1; ; i++ {
		j := strings.IndexByte(e, sep)
		if i == c {
			if j < 0 {
				return e
			}
			return e[:j]
		}
		if j < 0 {
			return ""
		}
		e = e[j+1:]
	}
}

// Raw returns the segment's text as read, without its terminator; "" for segments
// built in code. It may contain protected health information.
func (s Segment) Raw() string { return s.raw }

// Separators returns the repetition and component separators the segment's
// elements are written with.
func (s Segment) Separators() (repetition, component byte) {
	return s.repetitionSep(), s.componentSep()
}

func (s Segment) repetitionSep() byte {
	if s.repetition == 0 {
		return DefaultDelimiters.Repetition
	}
	return s.repetition
}

func (s Segment) componentSep() byte {
	if s.component == 0 {
		return DefaultDelimiters.Component
	}
	return s.component
}

// String returns the segment id and element count, never element values.
func (s Segment) String() string {
	return fmt.Sprintf("%s segment (%d elements)", s.ID, len(s.Elements))
}

// Format prints String for every verb, so no element value leaks through fmt.
func (s Segment) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }
