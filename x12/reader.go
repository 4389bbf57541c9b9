package x12

import (
	"fmt"
	"io"
	"strings"
)

// SyntaxError reports input that is not a well-formed interchange. It names the
// segment by position and id and says what is wrong, never quoting element values.
type SyntaxError struct {
	Index     int    // segment index, ISA = 0
	Offset    int    // byte offset of the segment's first character
	SegmentID string // "" when the id itself could not be read
	Reason    string
}

// Error implements error.
func (e *SyntaxError) Error() string {
	id := e.SegmentID
	if id == "" {
		id = "?"
	}
	return fmt.Sprintf("x12: segment %d (%s) at byte %d: %s", e.Index, id, e.Offset, e.Reason)
}

// Reader splits an interchange into segments, using the delimiters declared in its
// ISA header. Line breaks after segment terminators are skipped.
type Reader struct {
	data   string
	pos    int
	index  int
	delims Delimiters
}

// NewReader returns a Reader over data after reading the delimiters from the ISA
// header. It returns a *SyntaxError if the header is missing or malformed.
func NewReader(data []byte) (*Reader, error) {
	full := string(data)
	s := strings.TrimLeft(full, " \t\r\n\ufeff")
	d, err := readDelimiters(s)
	if err != nil {
		return nil, err
	}
	return &Reader{data: full, pos: len(full) - len(s), delims: d}, nil
}

// Delimiters returns the separators read from the ISA header.
func (r *Reader) Delimiters() Delimiters { return r.delims }

// Next returns the next segment, io.EOF after the last one, or a *SyntaxError.
func (r *Reader) Next() (Segment, error) {
	r.skipBreaks()
	if r.pos >= len(r.data) {
		return Segment{}, io.EOF
	}
	start := r.pos
	end := strings.IndexByte(r.data[start:], r.delims.Segment)
	if r.index == 0 {
		end = isaLength - 1 // the ISA is fixed width, whatever its contents
	}
	if end < 0 {
		if strings.TrimSpace(r.data[start:]) == "" {
			r.pos = len(r.data)
			return Segment{}, io.EOF
		}
		return Segment{}, r.errorf(start, "", "missing segment terminator")
	}
	raw := r.data[start : start+end]
	r.pos = start + end + 1
	seg, err := r.split(raw, start)
	r.index++
	return seg, err
}

// skipBreaks moves past line breaks (and stray spaces) between segments.
func (r *Reader) skipBreaks() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case '\r', '\n', ' ', '\t':
			if r.data[r.pos] == r.delims.Element {
				return
			}
			r.pos++
		default:
			return
		}
	}
}

// split cuts one segment's text into its id and elements.
func (r *Reader) split(raw string, offset int) (Segment, error) {
	n := strings.Count(raw, string(r.delims.Element))
	fields := make([]string, 0, n+1)
	rest := raw
	for {
		i := strings.IndexByte(rest, r.delims.Element)
		if i < 0 {
			fields = append(fields, rest)
			break
		}
		fields = append(fields, rest[:i])
		rest = rest[i+1:]
	}
	id := fields[0]
	if !validID(id) {
		return Segment{}, r.errorf(offset, "", "invalid segment id")
	}
	return Segment{
		ID: id, Elements: fields[1:], Index: r.index, Offset: offset, raw: raw,
		repetition: r.delims.Repetition, component: r.delims.Component,
	}, nil
}

func (r *Reader) errorf(offset int, id, reason string) *SyntaxError {
	return &SyntaxError{Index: r.index, Offset: offset, SegmentID: id, Reason: reason}
}

// validID reports whether id is two or three upper-case letters or digits, the
// first a letter.
func validID(id string) bool {
	if len(id) < 2 || len(id) > 3 || id[0] < 'A' || id[0] > 'Z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Tokenize splits a whole interchange into segments. It returns the delimiters it
// read and a *SyntaxError at the first malformed segment.
func Tokenize(data []byte) ([]Segment, Delimiters, error) {
	r, err := NewReader(data)
	if err != nil {
		return nil, Delimiters{}, err
	}
	segs := make([]Segment, 0, strings.Count(r.data, string(r.delims.Segment)))
	for {
		seg, err := r.Next()
		if err == io.EOF {
			return segs, r.delims, nil
		}
		if err != nil {
			return nil, r.delims, err
		}
		segs = append(segs, seg)
	}
}
