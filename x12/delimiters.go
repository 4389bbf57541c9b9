package x12

import "fmt"

// Delimiters are the four separators of an interchange, read from its ISA header.
// Repetition is zero when the interchange declares none (versions before 00501).
type Delimiters struct {
	Element    byte
	Repetition byte
	Component  byte
	Segment    byte
}

// DefaultDelimiters are the separators most trading partners use: `*`, `^`, `:` and `~`.
var DefaultDelimiters = Delimiters{Element: '*', Repetition: '^', Component: ':', Segment: '~'}

// isaLength is the fixed width of the ISA segment, terminator included.
const isaLength = 106

// isaElementEnds are the byte offsets, within the ISA segment, of the separator
// that follows each of ISA00 (the id) to ISA15; ISA16 ends at the terminator.
var isaElementEnds = [16]int{3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103}

// Validate reports whether d can delimit an interchange: every separator set, none
// alphanumeric or a space, and all distinct. It returns an error naming the problem.
func (d Delimiters) Validate() error {
	named := []struct {
		name string
		c    byte
	}{{"element", d.Element}, {"component", d.Component}, {"segment", d.Segment}}
	if d.Repetition != 0 {
		named = append(named, struct {
			name string
			c    byte
		}{"repetition", d.Repetition})
	}
	for i, n := range named {
		if n.c == 0 || n.c == ' ' || isAlnum(n.c) {
			return fmt.Errorf("x12: invalid %s separator %q", n.name, n.c)
		}
		for _, m := range named[:i] {
			if m.c == n.c {
				return fmt.Errorf("x12: %s and %s separators are both %q", m.name, n.name, n.c)
			}
		}
	}
	return nil
}

// isSeparator reports whether c is one of d's separators.
func (d Delimiters) isSeparator(c byte) bool {
	return c == d.Element || c == d.Component || c == d.Segment ||
		(d.Repetition != 0 && c == d.Repetition)
}

// readDelimiters reads the separators from the fixed-width ISA header at the start
// of data.
func readDelimiters(data string) (Delimiters, error) {
	if len(data) < isaLength || data[:3] != "ISA" {
		return Delimiters{}, &SyntaxError{
			Reason: "input does not start with a 106-character ISA segment"}
	}
	d := Delimiters{Element: data[3], Repetition: data[82], Component: data[104],
		Segment: data[105]}
	for i, end := range isaElementEnds {
		if data[end] != d.Element {
			return Delimiters{}, &SyntaxError{SegmentID: "ISA",
				Reason: fmt.Sprintf(
					"ISA is not fixed width: no element separator after ISA%02d", i)}
		}
	}
	if isAlnum(d.Repetition) {
		d.Repetition = 0 // ISA11 holds a standards id ("U"), not a separator
	}
	if err := d.Validate(); err != nil {
		return Delimiters{}, &SyntaxError{SegmentID: "ISA", Reason: err.Error()[len("x12: "):]}
	}
	return d, nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}
