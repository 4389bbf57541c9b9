package events

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// phiCases are events Write must accept (wantErr "") or refuse.
var phiCases = []struct {
	name    string
	mutate  func(e *Event)
	wantErr string // "" when the event is accepted
}{
	{"minimal view accepted", func(e *Event) {
		e.Data = json.RawMessage(`{"reference":"IVR-7K3M9Q2D","status":"approved",
			"patient_initials":"AQ","territory_id":"EAST","practice_id":"P-1",
			"valid_until":"2027-03-01","decided_at":"2026-12-01T10:00:00Z","version":3,
			"products":[{"product_id":"p1","hcpcs":"Q4186","size":"2x3 cm","quantity":4}]}`)
	}, ""},
	{"empty data accepted", func(e *Event) { e.Data = nil }, ""},
	{"first name", func(e *Event) { e.Data = json.RawMessage(`{"first_name":"Ada"}`) },
		`data key "first_name" is not on the PHI-minimal allow-list`},
	{"birth date", func(e *Event) { e.Data = json.RawMessage(`{"birth_date":"1950-04-02"}`) },
		`"birth_date" is not on`},
	{"member id", func(e *Event) { e.Data = json.RawMessage(`{"member_id":"1EG4TE5MK73"}`) },
		`"member_id" is not on`},
	{"diagnoses", func(e *Event) {
		e.Data = json.RawMessage(`{"diagnosis_codes":["E11.621"]}`)
	}, `"diagnosis_codes" is not on`},
	{"amount", func(e *Event) { e.Data = json.RawMessage(`{"deductible_cents":25700}`) },
		`"deductible_cents" is not on`},
	{"free text", func(e *Event) { e.Data = json.RawMessage(`{"notes":"call Ada"}`) },
		`"notes" is not on`},
	{"name as a key is not echoed", func(e *Event) {
		e.Data = json.RawMessage(`{"Ada Quill":true}`)
	}, "(unprintable key) is not on"},
	{"full name as initials", func(e *Event) {
		e.Data = json.RawMessage(`{"patient_initials":"Ada Quill"}`)
	}, `"patient_initials" has a value of the wrong shape`},
	{"object smuggled in status", func(e *Event) {
		e.Data = json.RawMessage(`{"status":{"first_name":"Ada"}}`)
	}, `"status" has a value`},
	{"PHI inside products", func(e *Event) {
		e.Data = json.RawMessage(`{"products":[{"product_id":"p1","patient":"Ada"}]}`)
	}, `"products" has a value`},
	{"birth date under a date key is not a date", func(e *Event) {
		e.Data = json.RawMessage(`{"valid_until":"born 1950"}`)
	}, `"valid_until" has a value`},
	{"not an object", func(e *Event) { e.Data = json.RawMessage(`["x"]`) },
		"data must be a JSON object"},
	{"two objects", func(e *Event) { e.Data = json.RawMessage(`{} {}`) },
		"single JSON object"},
	{"trailing brace", func(e *Event) { e.Data = json.RawMessage(`{} }`) },
		"single JSON object"},
	{"unknown type", func(e *Event) { e.Type = "ivr.exploded" }, `unknown type`},
	{"missing practice", func(e *Event) { e.PracticeID = "" }, "practice id is missing"},
	{"missing resource id", func(e *Event) { e.Resource.ID = "" }, "resource id is missing"},
}

func TestWriteRefusesPHI(t *testing.T) {
	base := testEvent("P-1", 1)
	tests := phiCases
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		MustWorld(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := base
				tt.mutate(&e)
				_, err := writeAll(db, []Event{e})
				if tt.wantErr == "" {
					if err != nil {
						t.Fatalf("Write() error = %v, want nil", err)
					}
					return
				}
				if !errors.Is(err, ErrInvalidEvent) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Write() error = %v, want ErrInvalidEvent containing %q", err, tt.wantErr)
				}
				for _, phi := range []string{"Ada", "1950", "1EG4TE5MK73", "E11"} {
					if strings.Contains(err.Error(), phi) {
						t.Errorf("error %q repeats the value %q", err, phi)
					}
				}
			})
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT count(*) FROM outbox`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("outbox holds %d rows, want only the 2 accepted events", n)
		}
	})
}

func TestEventWireJSON(t *testing.T) {
	e := Event{ID: 42, Type: TypeIVRApproved, At: time.Date(2026, 12, 3, 10, 4, 5, 0, time.UTC),
		Resource: Resource{Type: "ivr", ID: "ivr-1"}, PracticeID: "P-1", PatientID: "pat-9",
		Data: json.RawMessage(`{"status":"approved"}`)}
	got, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":42,"type":"ivr.approved","at":"2026-12-03T10:04:05Z",` +
		`"resource":{"type":"ivr","id":"ivr-1"},"data":{"status":"approved"}}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("wire JSON (-want +got):\n%s", diff)
	}
}

func TestWriteStoresTheEvent(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		MustWorld(t, db)
		at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		e := testEvent("P-EAST", 7)
		e.At = at
		written := MustWrite(t, db, nil, e, testEvent("P-WEST", 8))
		if written[0].ID <= 0 || written[1].ID <= written[0].ID {
			t.Fatalf("ids %d, %d: want positive and increasing", written[0].ID, written[1].ID)
		}
		got, err := eventsBetween(context.Background(), db.Reader(), 0, written[0].ID+1)
		if err != nil {
			t.Fatal(err)
		}
		e.ID = written[0].ID
		if diff := cmp.Diff([]Event{e}, got); diff != "" {
			t.Errorf("stored event (-want +got):\n%s", diff)
		}
	})
}

func TestDecodeEnvelopeRefusesBadIDs(t *testing.T) {
	msgs := []string{`{"id":0,"prev":0}`, `{"id":5,"prev":5}`, `{"id":5,"prev":-1}`, `nope`}
	for _, msg := range msgs {
		if _, _, err := decodeEnvelope([]byte(msg)); err == nil {
			t.Errorf("decodeEnvelope(%s) succeeded, want an error", msg)
		}
	}
}
