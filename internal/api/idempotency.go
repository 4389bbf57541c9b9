package api

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// recorder captures a response so it can be stored for replay.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// idempotent honours the Idempotency-Key header on a POST: the same key and body
// return the first result without running the handler again; the same key with
// another body is refused with 422. A request that arrives while the first is
// still running waits for it (up to ten seconds) and then replays it.
func (s *Server) idempotent(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return h(w, r)
		}
		if len(key) > 200 {
			return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"Idempotency-Key": "at most 200 characters"}}
		}
		body, err := readBody(r)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		p := principal(r)
		for deadline := time.Now().Add(10 * time.Second); ; {
			res, seen, err := s.svc.DB.ClaimIdempotencyKey(r.Context(), p.UserID, key, r.Method,
				r.URL.Path, sum[:])
			if err != nil {
				return err
			}
			if res != nil {
				// The stored response is the ETag line, then the body.
				tag, body, _ := bytes.Cut(res.Body, []byte("\n"))
				if len(tag) > 0 {
					w.Header().Set("ETag", string(tag))
				}
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(res.Status)
				w.Write(body)
				return nil
			}
			if !seen {
				break
			}
			if time.Now().After(deadline) {
				return domain.Errorf(domain.CodeConflict, "a request with this Idempotency-Key is still running")
			}
			time.Sleep(50 * time.Millisecond)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w}
		herr := h(rec, r)
		status := rec.status
		if herr != nil || status >= 500 {
			// Failures are not remembered: the client may retry the same key.
			status = 0
		}
		stored := append([]byte(rec.Header().Get("ETag")+"\n"), rec.body.Bytes()...)
		if err := s.svc.DB.FinishIdempotencyKey(r.Context(), p.UserID, key, status, stored); err != nil {
			s.log.ErrorContext(r.Context(), "store idempotent response", "error", err)
		}
		return herr
	}
}
