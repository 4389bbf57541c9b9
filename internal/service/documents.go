package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/blob"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// DocumentKinds are the documents an IVR may carry.
var DocumentKinds = []string{"face_sheet", "insurance_card_front", "insurance_card_back",
	"clinical_notes", "wound_photo", "signed_consent", "other"}

// Document is the metadata of an uploaded document.
type Document struct {
	ID          string    `json:"id"`
	IVRID       string    `json:"ivr_id"`
	Kind        string    `json:"kind"`
	ContentType string    `json:"content_type"`
	SizeBytes   int64     `json:"size_bytes"`
	Filename    string    `json:"filename"`
	UploadedBy  string    `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// UploadDocument stores a document for an IVR in scope: its type is checked by
// content (PDF, JPEG, PNG), its size against limit, and its bytes are encrypted
// before they touch the store. The metadata row and the audit entry commit
// together; a failed upload leaves no row, and its blob is removed.
func (s *Service) UploadDocument(ctx context.Context, p domain.Principal, ivrID, kind, filename string,
	r io.Reader, limit int64) (Document, error) {
	if err := requirePHI(p); err != nil {
		return Document{}, err
	}
	if !validKind(kind) {
		return Document{}, &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"kind": "must be one of " + strings.Join(DocumentKinds, ", ")}}
	}
	v, err := s.GetIVR(ctx, p, ivrID)
	if err != nil {
		return Document{}, err
	}
	ctype, body, err := blob.Sniff(blob.LimitReader(r, limit))
	if err != nil {
		return Document{}, documentError(err)
	}
	d := Document{ID: store.NewID(), IVRID: v.ID, Kind: kind, ContentType: ctype,
		Filename: cleanFilename(filename), UploadedBy: p.UserID}
	key := "ivr/" + v.ID + "/" + d.ID
	if d.SizeBytes, err = s.Blobs.Put(ctx, key, body); err != nil {
		return Document{}, documentError(err)
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		if err := store.AddDocument(ctx, tx, store.DocumentRow{ID: d.ID, IVRID: v.ID, Kind: kind,
			ContentType: ctype, SizeBytes: d.SizeBytes, BlobKey: key, Filename: d.Filename,
			UploadedBy: p.UserID}); err != nil {
			return err
		}
		d.CreatedAt = tx.Now
		return record(ctx, tx, entry(p, "document.upload", "document", d.ID, v.PatientID, "content", "filename"))
	})
	if err != nil {
		s.Blobs.Delete(context.WithoutCancel(ctx), key)
		return Document{}, err
	}
	return d, nil
}

func documentError(err error) error {
	var tl *blob.TooLargeError
	switch {
	case errors.As(err, &tl):
		return domain.Errorf(domain.CodeTooLarge, "document over %d bytes", tl.Limit)
	case errors.Is(err, blob.ErrUnsupportedType):
		return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"file": "must be a PDF, JPEG or PNG (checked by content)"}}
	}
	return fmt.Errorf("store document: %w", err)
}

func validKind(k string) bool {
	for _, x := range DocumentKinds {
		if x == k {
			return true
		}
	}
	return false
}

// cleanFilename keeps the base name, without path or control characters.
func cleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return -1
		}
		return r
	}, name)
	if len(name) > 200 {
		name = name[:200]
	}
	if name == "" {
		name = "document"
	}
	return name
}

// ListDocuments returns the documents of an IVR in scope.
func (s *Service) ListDocuments(ctx context.Context, p domain.Principal, ivrID string) ([]Document, error) {
	if err := requirePHI(p); err != nil {
		return nil, err
	}
	v, err := s.GetIVR(ctx, p, ivrID)
	if err != nil {
		return nil, err
	}
	rows, err := store.Documents(ctx, s.DB.Reader(), s.Keys, v.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Document, len(rows))
	for i, r := range rows {
		out[i] = Document{ID: r.ID, IVRID: r.IVRID, Kind: r.Kind, ContentType: r.ContentType,
			SizeBytes: r.SizeBytes, Filename: r.Filename, UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// OpenDocument returns a document's metadata and decrypted content, recording
// the download in the audit trail first. The caller closes the reader.
func (s *Service) OpenDocument(ctx context.Context, p domain.Principal, id string) (Document, io.ReadCloser, error) {
	if err := requirePHI(p); err != nil {
		return Document{}, nil, err
	}
	var d store.DocumentRow
	err := s.readTx(ctx, func(tx *store.Tx) (err error) {
		if d, err = store.GetDocument(ctx, tx, s.Keys, id); err != nil {
			return err
		}
		v, err := store.GetIVR(ctx, tx, s.Keys, p, d.IVRID, tx.Now)
		if err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "document.download", "document", d.ID, v.PatientID, "content"))
	})
	if isNotFound(err) {
		s.RecordDenied(ctx, p, "document.download", "document", id, domain.CodeNotFound)
	}
	if err != nil {
		return Document{}, nil, err
	}
	rc, err := s.Blobs.Get(ctx, d.BlobKey)
	if err != nil {
		return Document{}, nil, fmt.Errorf("open document: %w", err)
	}
	return Document{ID: d.ID, IVRID: d.IVRID, Kind: d.Kind, ContentType: d.ContentType,
		SizeBytes: d.SizeBytes, Filename: d.Filename, UploadedBy: d.UploadedBy, CreatedAt: d.CreatedAt}, rc, nil
}
