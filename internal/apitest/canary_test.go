package apitest_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// lockedBuffer collects log output from many goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

// sentinel marks every PHI value written by the canary test; it must never be
// found in any file, dump or log line.
const sentinel = "zqxcanary"

// TestCanaryPHINeverAtRest writes a patient, an IVR, a message and a document
// full of sentinel values through the API, reads them back, then scans the data
// dir (database file, WAL, keys, documents, checkpoints), a PostgreSQL dump of
// the tables and every log line for the sentinels.
func TestCanaryPHINeverAtRest(t *testing.T) {
	storetest.RequirePostgresIfAsked(t)
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			logs := &lockedBuffer{}
			env := apitest.StartWith(t, d, apitest.Options{Log: logs})
			patientID := writeCanaryRecords(t, env)
			tok := env.Login(t, "doctor.harborview@demo.example")
			if r := env.Do(t, "GET", "/api/v1/patients/"+patientID, tok, nil); r.Status != 200 ||
				!bytes.Contains(bytes.ToLower(r.Body), []byte(sentinel)) {
				t.Fatalf("reading back the patient: %d; the sentinel must be readable through the API", r.Status)
			}
			hits := scanDir(t, env.DataDir)
			if d == store.Postgres {
				hits = append(hits, scanDump(t, env.DatabaseURL)...)
			}
			if bytes.Contains(bytes.ToLower(logs.Bytes()), []byte(sentinel)) {
				hits = append(hits, "log output")
			}
			if len(hits) > 0 {
				t.Errorf("PHI sentinel found at rest in: %s", strings.Join(hits, ", "))
			}
			if len(logs.Bytes()) == 0 {
				t.Error("no log output was captured; the log scan proves nothing")
			}
		})
	}
}

func writeCanaryRecords(t *testing.T, env *apitest.Env) string {
	t.Helper()
	tok := env.Login(t, "doctor.harborview@demo.example")
	var payers struct {
		Items []struct{ ID, Kind string } `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/payers", tok, nil).JSON(t, &payers)
	patient := map[string]any{
		"first_name": "Zqxcanaryfirst", "middle_name": "Zqxcanarymiddle", "last_name": "Zqxcanarylast",
		"birth_date": "1951-02-03", "sex": "female", "mrn": "ZQXCANARY-MRN", "phone": "+1-555-0142",
		"email": "zqxcanary@example.org",
		"address": map[string]string{"line1": "1 Zqxcanary Road", "line2": "", "city": "Newark",
			"state": "NJ", "zip": "07102"},
		"flags": map[string]bool{"in_snf": false, "part_a_stay": false, "hospice": false, "global_period": false},
		"coverages": []map[string]any{{"rank": 1, "payer_id": payers.Items[0].ID,
			"plan_type": "medicare_ffs", "member_id": "7QX2QX4QX55", "group_number": "ZQXCANARYGRP",
			"relationship": "self", "effective_date": "2026-01-01"}},
	}
	r := env.Do(t, "POST", "/api/v1/patients", tok, patient)
	if r.Status != http.StatusCreated {
		t.Fatalf("create patient: %d %s", r.Status, r.Body)
	}
	pid := r.Map(t)["id"].(string)
	ivrID := createIVRFor(t, env, tok, pid)
	if r := env.Do(t, "POST", "/api/v1/ivrs/"+ivrID+"/messages", tok,
		map[string]string{"message": "Zqxcanary message body"}); r.Status != http.StatusCreated {
		t.Fatalf("post message: %d %s", r.Status, r.Body)
	}
	uploadCanaryDocument(t, env, tok, ivrID)
	for _, q := range []string{"7QX2QX4QX55", "Zqxcanarylast 1951-02-03"} {
		r := env.Do(t, "GET", "/api/v1/patients?q="+url.QueryEscape(q), tok, nil)
		if r.Status != 200 || !bytes.Contains(r.Body, []byte(pid)) {
			t.Fatalf("search %q: %d %s", q, r.Status, r.Body)
		}
	}
	return pid
}

func createIVRFor(t *testing.T, env *apitest.Env, tok, patientID string) string {
	t.Helper()
	var facilities, products struct {
		Items []map[string]any `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/facilities", tok, nil).JSON(t, &facilities)
	env.Do(t, "GET", "/api/v1/products", tok, nil).JSON(t, &products)
	prod := products.Items[0]
	size := prod["sizes"].([]any)[0].(map[string]any)["label"]
	body := map[string]any{"patient_id": patientID, "facility_id": facilities.Items[0]["id"],
		"place_of_service": "11", "request_type": "new",
		"wound": map[string]any{"type": "diabetic_foot_ulcer", "site": "foot", "laterality": "left",
			"length_cm": 3.0, "width_cm": 2.0, "depth_cm": 0.4, "duration_weeks": 8,
			"conservative_care_weeks": 4},
		"diagnosis_codes": []string{"E11.621", "L97.422"},
		"products":        []map[string]any{{"product_id": prod["id"], "size": size, "quantity": 4}},
		"applications":    4, "frequency": "weekly", "start_date": futureDate(7)}
	r := env.Do(t, "POST", "/api/v1/ivrs", tok, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create ivr: %d %s", r.Status, r.Body)
	}
	return r.Map(t)["id"].(string)
}

func uploadCanaryDocument(t *testing.T, env *apitest.Env, tok, ivrID string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("kind", "clinical_notes")
	fw, _ := mw.CreateFormFile("file", "zqxcanary-notes.pdf")
	fw.Write([]byte("%PDF-1.4\n% Zqxcanary clinical note\n%%EOF\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", env.URL+"/api/v1/ivrs/"+ivrID+"/documents", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := env.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d", resp.StatusCode)
	}
}

// scanDir returns the files under dir that contain the sentinel in any case.
func scanDir(t *testing.T, dir string) []string {
	t.Helper()
	var hits []string
	n := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("read %s: %v", path, err)
			return nil
		}
		n++
		if bytes.Contains(bytes.ToLower(b), []byte(sentinel)) {
			hits = append(hits, path)
		}
		return nil
	})
	if n < 3 {
		t.Errorf("scanned only %d files under the data dir", n)
	}
	return hits
}

// scanDump dumps the test's PostgreSQL schema with pg_dump and reports a hit.
func scanDump(t *testing.T, dbURL string) []string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	out, err := exec.Command("pg_dump", "--data-only", "--schema="+schema, u.String()).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	if !bytes.Contains(out, []byte("INSERT")) && !bytes.Contains(out, []byte("COPY")) {
		t.Fatalf("pg_dump returned no data; the scan would prove nothing")
	}
	if bytes.Contains(bytes.ToLower(out), []byte(sentinel)) {
		return []string{"pg_dump of " + schema}
	}
	return nil
}
