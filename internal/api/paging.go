package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/openivr/ivr/internal/domain"
)

// pageOf cuts one page out of a short, fully loaded list (reference data,
// users, tokens) with the same ?limit= and ?cursor= contract as the keyset-paged
// lists. The cursor is an opaque offset.
func pageOf[T any](r *http.Request, items []T) (list[T], error) {
	limit, err := queryLimit(r)
	if err != nil {
		return list[T]{}, err
	}
	start := 0
	if c := r.URL.Query().Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "o:") || n < 0 {
			return list[T]{}, &domain.Error{Code: domain.CodeBadRequest, Message: "bad query parameter",
				Fields: map[string]string{"cursor": "is not valid"}}
		}
		start = min(n, len(items))
	}
	end := min(start+limit, len(items))
	out := list[T]{Items: items[start:end]}
	if out.Items == nil {
		out.Items = []T{}
	}
	if end < len(items) {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(end)))
	}
	return out, nil
}

// writePage answers a list read with one page of items, or with err.
func writePage[T any](w http.ResponseWriter, r *http.Request, items []T, err error) error {
	if err != nil {
		return err
	}
	page, err := pageOf(r, items)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}
