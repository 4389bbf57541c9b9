package blob_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/openivr/ivr/internal/blob"
)

func TestDetectDocumentType(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
		err  error
	}{
		{"PDF", []byte("%PDF-1.7\n"), blob.TypePDF, nil},
		{"JPEG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, blob.TypeJPEG, nil},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00"), blob.TypePNG, nil},
		{"PNGShort", []byte("\x89PNG\r\n"), "", blob.ErrUnsupportedType},
		{"GIF", []byte("GIF89a"), "", blob.ErrUnsupportedType},
		{"HTMLNamedPDF", []byte("<html>%PDF-"), "", blob.ErrUnsupportedType},
		{"Empty", nil, "", blob.ErrUnsupportedType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := blob.DetectDocumentType(tt.head)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("DetectDocumentType = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestSniffKeepsStream(t *testing.T) {
	body := "%PDF-1.4 rest of the document"
	typ, r, err := blob.Sniff(strings.NewReader(body))
	if err != nil || typ != blob.TypePDF {
		t.Fatalf("Sniff = %q, %v", typ, err)
	}
	got, _ := io.ReadAll(r)
	if string(got) != body {
		t.Errorf("stream after Sniff = %q, want %q", got, body)
	}
	if _, _, err := blob.Sniff(strings.NewReader("hi")); !errors.Is(err, blob.ErrUnsupportedType) {
		t.Errorf("Sniff short text: err = %v, want ErrUnsupportedType", err)
	}
}

func TestLimitReader(t *testing.T) {
	tests := []struct {
		name  string
		size  int
		limit int64
		fails bool
	}{
		{"Under", 999, 1000, false},
		{"Exact", 1000, 1000, false},
		{"Over", 1001, 1000, true},
		{"DefaultExact", int(blob.DefaultMaxSize), 0, false},
		{"DefaultOver", int(blob.DefaultMaxSize) + 1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := io.Copy(io.Discard, blob.LimitReader(bytes.NewReader(make([]byte, tt.size)), tt.limit))
			var tl *blob.TooLargeError
			if got := errors.As(err, &tl); got != tt.fails {
				t.Fatalf("Copy = %d, %v; want failure %v", n, err, tt.fails)
			}
			if !tt.fails && n != int64(tt.size) {
				t.Errorf("read %d bytes, want %d", n, tt.size)
			}
		})
	}
}
