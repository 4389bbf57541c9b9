package events

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzCheckData checks that data Write accepts is a JSON object whose keys are all
// on the allow-list, and that nothing panics.
func FuzzCheckData(f *testing.F) {
	f.Add([]byte(`{"reference":"IVR-7K3M9Q2D","status":"approved","patient_initials":"AQ"}`))
	f.Add([]byte(`{"products":[{"product_id":"p1","quantity":2}]}`))
	f.Add([]byte(`{"first_name":"Ada"}`))
	f.Add([]byte(`{"status":{"x":1}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkData(data) != nil || len(bytes.TrimSpace(data)) == 0 {
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(data, &obj); err != nil {
			t.Fatalf("accepted data is not a JSON object: %v", err)
		}
		for k := range obj {
			if _, ok := dataRules[k]; !ok {
				t.Fatalf("accepted data with key %q off the allow-list", k)
			}
		}
	})
}

// FuzzParseAfter checks that ?after= yields a non-negative id, -1 when absent, or a
// bad-request error, and never panics.
func FuzzParseAfter(f *testing.F) {
	for _, s := range []string{"after=0", "after=17", "after=-1", "after=x", "", "after=1&after=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest("GET", "/api/v1/events", nil)
		r.URL.RawQuery = query
		v, err := parseAfter(r)
		if err != nil {
			return
		}
		q, _ := url.ParseQuery(query)
		if !q.Has("after") && v != -1 || q.Has("after") && v < 0 {
			t.Fatalf("parseAfter(%q) = %d", query, v)
		}
	})
}

// FuzzDecodeEnvelope checks that any bus message decodes or fails cleanly.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(`{"id":2,"prev":1,"type":"ivr.submitted","practice_id":"P-1"}`))
	f.Add([]byte(`{"id":1,"prev":1}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		e, prev, err := decodeEnvelope(msg)
		if err == nil && (e.ID <= prev || prev < 0) {
			t.Fatalf("decoded id %d after %d", e.ID, prev)
		}
	})
}
