package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
)

// DocumentRow is the metadata of a stored document; the file name is sealed.
type DocumentRow struct {
	ID, IVRID, Kind, ContentType, BlobKey, Filename, UploadedBy string
	SizeBytes                                                   int64
	CreatedAt                                                   time.Time
}

// AddDocument inserts a document's metadata.
func AddDocument(ctx context.Context, tx *Tx, d DocumentRow) error {
	s := newSealer(tx.Keys, "documents", d.ID)
	name := s.seal("filename", d.Filename)
	if s.err != nil {
		return fmt.Errorf("add document: %w", s.err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO documents (id, ivr_id, kind, content_type, size_bytes, blob_key, filename_enc,
			uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		d.ID, d.IVRID, d.Kind, d.ContentType, d.SizeBytes, d.BlobKey, name, d.UploadedBy, tx.Now)
	if err != nil {
		return fmt.Errorf("add document: %w", err)
	}
	return nil
}

const documentSelect = `SELECT id, ivr_id, kind, content_type, size_bytes, blob_key, filename_enc,
	uploaded_by, created_at FROM documents`

func scanDocument(row interface{ Scan(...any) error }, keys *phi.Keyring) (DocumentRow, error) {
	var d DocumentRow
	var name []byte
	if err := row.Scan(&d.ID, &d.IVRID, &d.Kind, &d.ContentType, &d.SizeBytes, &d.BlobKey, &name,
		&d.UploadedBy, &d.CreatedAt); err != nil {
		return d, err
	}
	s := newSealer(keys, "documents", d.ID)
	d.Filename = s.open("filename", name)
	return d, s.err
}

// GetDocument returns a document's metadata; the caller checks the IVR's scope.
func GetDocument(ctx context.Context, tx *Tx, keys *phi.Keyring, id string) (DocumentRow, error) {
	d, err := scanDocument(tx.QueryRowContext(ctx, documentSelect+` WHERE id = $1`, id), keys)
	if errors.Is(err, sql.ErrNoRows) {
		return d, domain.ErrNotFound
	}
	return d, err
}

// Documents returns an IVR's documents, oldest first.
func Documents(ctx context.Context, q queryer, keys *phi.Keyring, ivrID string) ([]DocumentRow, error) {
	rows, err := q.QueryContext(ctx, documentSelect+` WHERE ivr_id = $1 ORDER BY created_at, id`, ivrID)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rows.Close()
	var out []DocumentRow
	for rows.Next() {
		d, err := scanDocument(rows, keys)
		if err != nil {
			return nil, fmt.Errorf("documents: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
