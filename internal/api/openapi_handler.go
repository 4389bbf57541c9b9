package api

import (
	"net/http"

	"github.com/openivr/ivr/internal/api/openapi"
)

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openapi.Document())
	return nil
}
