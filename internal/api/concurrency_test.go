package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/demo"
	"github.com/openivr/ivr/internal/domain"
)

// newSession logs the demo account in again, as a second device would, and
// returns the new session's token. A TOTP code is accepted once, so when the
// current step's code is spent it waits for the next step (up to 30 s). It may
// run outside the test goroutine, so it returns errors instead of failing.
func newSession(env *apitest.Env, acct demo.Account) (string, error) {
	post := func(path string, body any) (int, []byte, error) {
		raw, _ := json.Marshal(body)
		resp, err := env.Client.Post(env.URL+path, "application/json", bytes.NewReader(raw))
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}
	var res struct {
		Token    string `json:"token"`
		MFAToken string `json:"mfa_token"`
	}
	status, b, err := post("/api/v1/auth/login", map[string]string{"email": acct.Email, "password": acct.Password})
	if err != nil || status != http.StatusOK {
		return "", fmt.Errorf("login %s: %d %s %v", acct.Email, status, b, err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return "", err
	}
	for i := 0; res.Token == "" && i < 3; i++ {
		code, err := auth.DefaultTOTP.Code(acct.TOTPSecret, time.Now())
		if err != nil {
			return "", err
		}
		status, b, err = post("/api/v1/auth/mfa", map[string]string{"mfa_token": res.MFAToken, "code": code})
		if err == nil && status == http.StatusOK {
			err = json.Unmarshal(b, &res)
			break
		}
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30*time.Second + 100*time.Millisecond)))
	}
	if res.Token == "" || err != nil {
		return "", fmt.Errorf("second session for %s: no token (%v)", acct.Email, err)
	}
	return res.Token, nil
}

// race sends the requests at the same moment and returns the responses in order.
func race(tb testing.TB, env *apitest.Env, reqs ...func() apitest.Response) []apitest.Response {
	out := make([]apitest.Response, len(reqs))
	var start, done sync.WaitGroup
	start.Add(1)
	for i, req := range reqs {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			out[i] = req()
		}()
	}
	start.Done()
	done.Wait()
	return out
}

func TestConcurrency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, env *apitest.Env) {
		p := MustPractice(t, env, "harborview")
		first := env.Login(t, "specialist@demo.example")
		type session struct {
			token string
			err   error
		}
		second := make(chan session, 1)
		acct := env.Account(t, "specialist@demo.example")
		go func() {
			tok, err := newSession(env, acct)
			second <- session{tok, err}
		}()
		t.Run("IdempotencyKey", func(t *testing.T) { testIdempotency(t, env, p) })
		s2 := <-second
		if s2.err != nil {
			t.Fatal(s2.err)
		}
		tok2 := s2.token
		if tok2 == first {
			t.Fatal("the second session has the first session's token")
		}
		t.Run("ApproveTwice", func(t *testing.T) { testApproveRace(t, env, p, first, tok2) })
	})
}

// testApproveRace has two sessions of the assigned specialist approve the same IVR
// at once, several times over: exactly one approval wins, the other gets 409 (it
// saw the approved state) or 412 (it lost the version race), and the history
// records one approval.
func testApproveRace(t *testing.T, env *apitest.Env, p practice, tok1, tok2 string) {
	for round := 0; round < 5; round++ {
		id, _ := MustCreate(t, env, "/api/v1/ivrs", p.staff, p.ivrBody())
		MustAct(t, env, "/api/v1/ivrs/"+id+"/submit", p.doctor, nil)
		MustAct(t, env, "/api/v1/ivrs/"+id+"/assign", tok1, map[string]any{})
		path := "/api/v1/ivrs/" + id + "/approve"
		rs := race(t, env,
			func() apitest.Response { return env.Do(t, "POST", path, tok1, approveBody()) },
			func() apitest.Response { return env.Do(t, "POST", path, tok2, approveBody()) })
		won, lost := 0, 0
		for _, r := range rs {
			switch r.Status {
			case http.StatusOK:
				won++
			case http.StatusConflict, http.StatusPreconditionFailed:
				lost++
			default:
				t.Errorf("round %d: concurrent approve: %d %s", round, r.Status, r.Body)
			}
		}
		if won != 1 || lost != 1 {
			t.Errorf("round %d: %d approvals succeeded and %d were refused, want 1 and 1: %d %s / %d %s",
				round, won, lost, rs[0].Status, rs[0].Body, rs[1].Status, rs[1].Body)
		}
		var h struct {
			Items []domain.StatusChange `json:"items"`
		}
		MustStatus(t, env.Do(t, "GET", "/api/v1/ivrs/"+id+"/history", p.doctor, nil), 200).JSON(t, &h)
		approvals := 0
		for _, c := range h.Items {
			if c.Action == "approve" {
				approvals++
			}
		}
		if approvals != 1 {
			t.Errorf("round %d: history records %d approvals, want 1", round, approvals)
		}
	}
}

// testIdempotency sends one Idempotency-Key twice at once with the same body: one
// IVR is created and both answers are the same bytes; then the key with another
// body is refused with 422 and creates nothing.
func testIdempotency(t *testing.T, env *apitest.Env, p practice) {
	count := func() int {
		var l struct {
			Items []any `json:"items"`
		}
		MustStatus(t, env.Do(t, "GET", "/api/v1/ivrs?limit=200&patient_id="+p.patientID, p.staff, nil),
			200).JSON(t, &l)
		return len(l.Items)
	}
	for round := 0; round < 3; round++ {
		before := count()
		key := fmt.Sprintf("idem-%d-%d", round, time.Now().UnixNano())
		body := p.ivrBody()
		send := func() apitest.Response {
			return env.Do(t, "POST", "/api/v1/ivrs", p.staff, body, "Idempotency-Key", key)
		}
		rs := race(t, env, send, send)
		for i, r := range rs {
			if r.Status != http.StatusCreated {
				t.Fatalf("round %d request %d: %d %s", round, i, r.Status, r.Body)
			}
		}
		if !bytes.Equal(rs[0].Body, rs[1].Body) {
			t.Errorf("round %d: the two answers differ:\n%s\n%s", round, rs[0].Body, rs[1].Body)
		}
		if after := count(); after != before+1 {
			t.Errorf("round %d: %d IVRs created, want 1", round, after-before)
		}
		other := p.ivrBody()
		other["applications"] = 5
		r := env.Do(t, "POST", "/api/v1/ivrs", p.staff, other, "Idempotency-Key", key)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("round %d: same key, other body: %d %s, want 422", round, r.Status, r.Body)
		}
		if after := count(); after != before+1 {
			t.Errorf("round %d: the refused request created %d IVRs", round, after-before-1)
		}
	}
}
