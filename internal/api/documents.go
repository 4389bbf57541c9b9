package api

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/openivr/ivr/internal/domain"
)

// uploadDocument takes a multipart/form-data body with a "kind" field followed by
// a "file" part, and streams the file into the encrypted store without holding
// it in memory.
func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUploadBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return domain.Errorf(domain.CodeBadRequest, "want multipart/form-data with kind and file")
	}
	kind := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return domain.Errorf(domain.CodeTooLarge, "upload over %d bytes", s.opts.MaxUploadBytes)
		}
		if err != nil {
			return domain.Errorf(domain.CodeBadRequest, "malformed multipart body")
		}
		switch part.FormName() {
		case "kind":
			b, _ := io.ReadAll(io.LimitReader(part, 100))
			kind = strings.TrimSpace(string(b))
		case "file":
			d, err := s.svc.UploadDocument(r.Context(), principal(r), r.PathValue("id"), kind,
				part.FileName(), part, s.opts.MaxUploadBytes)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusCreated, d)
			return nil
		}
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
		Fields: map[string]string{"file": "is required (after the kind field)"}}
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.svc.ListDocuments(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ds})
	return nil
}

// downloadDocument streams a decrypted document. The file name given to the
// browser is the document id, so the original name (which may hold PHI) never
// travels in a header.
func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request) error {
	d, rc, err := s.svc.OpenDocument(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	ext := map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[d.ContentType]
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+d.ID+ext+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, rc); err != nil {
		s.log.WarnContext(r.Context(), "document download interrupted", "error", err)
	}
	return nil
}
