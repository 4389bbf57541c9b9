package blob

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Document media types accepted as uploads.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// SniffLen is how many leading bytes DetectDocumentType needs at most.
const SniffLen = 8

// ErrUnsupportedType is returned for content that is not a PDF, JPEG or PNG.
var ErrUnsupportedType = errors.New("unsupported document type (want PDF, JPEG or PNG)")

var signatures = []struct {
	magic []byte
	typ   string
}{
	{[]byte("%PDF-"), TypePDF},
	{[]byte{0xFF, 0xD8, 0xFF}, TypeJPEG},
	{[]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, TypePNG},
}

// DetectDocumentType returns the media type of a document from its first bytes
// (at least SniffLen for a PNG), judged by content alone, never by file name or
// a client's Content-Type. Other content gives ErrUnsupportedType.
func DetectDocumentType(head []byte) (string, error) {
	for _, s := range signatures {
		if bytes.HasPrefix(head, s.magic) {
			return s.typ, nil
		}
	}
	return "", ErrUnsupportedType
}

// Sniff reads the head of r, detects its type and returns a reader that yields
// the whole stream again, head included. Errors are ErrUnsupportedType or the
// read error.
func Sniff(r io.Reader) (string, io.Reader, error) {
	head := make([]byte, SniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", nil, fmt.Errorf("sniff document: %w", err)
	}
	head = head[:n]
	typ, err := DetectDocumentType(head)
	if err != nil {
		return "", nil, err
	}
	return typ, io.MultiReader(bytes.NewReader(head), r), nil
}

// DefaultMaxSize is the default upper limit of one document: 25 MiB.
const DefaultMaxSize int64 = 25 << 20

// TooLargeError is returned by a LimitReader's Read once the stream exceeds
// its limit.
type TooLargeError struct{ Limit int64 }

// Error implements error.
func (e *TooLargeError) Error() string {
	return fmt.Sprintf("document exceeds the %d byte limit", e.Limit)
}

// LimitReader returns a reader of r that fails with *TooLargeError as soon as
// more than limit bytes have been read; limit <= 0 means DefaultMaxSize. Unlike
// io.LimitReader it does not silently truncate.
func LimitReader(r io.Reader, limit int64) io.Reader {
	if limit <= 0 {
		limit = DefaultMaxSize
	}
	return &limitReader{r: r, limit: limit}
}

type limitReader struct {
	r     io.Reader
	limit int64
	n     int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, &TooLargeError{Limit: l.limit}
	}
	// Allow one byte past the limit, to tell "exactly limit" from "more".
	if room := l.limit + 1 - l.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return 0, &TooLargeError{Limit: l.limit}
	}
	return n, err
}
