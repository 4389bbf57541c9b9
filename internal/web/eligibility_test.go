package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/store"
)

// TestIVRPageShowsEligibility waits for the background check of a submitted demo
// IVR and finds its summary on the specialist's IVR page.
func TestIVRPageShowsEligibility(t *testing.T) {
	env := apitest.Start(t, store.SQLite)
	tok := env.Login(t, "specialist@demo.example")
	var q struct {
		Items []struct{ ID string } `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/queue?status=submitted&limit=1", tok, nil).JSON(t, &q)
	if len(q.Items) == 0 {
		t.Fatal("no submitted IVR in the demo queue")
	}
	id := q.Items[0].ID
	deadline := time.Now().Add(20 * time.Second)
	for {
		var checks struct {
			Items []struct{ Status string } `json:"items"`
		}
		env.Do(t, "GET", "/api/v1/ivrs/"+id+"/eligibility", tok, nil).JSON(t, &checks)
		if len(checks.Items) > 0 && (checks.Items[0].Status == "ok" || checks.Items[0].Status == "failed") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the eligibility check of %s did not finish: %+v", id, checks.Items)
		}
		time.Sleep(200 * time.Millisecond)
	}
	c := MustLogin(t, env, env.Account(t, "specialist@demo.example"))
	p := c.MustGet(t, "/ivrs/"+id)
	if len(find(p.Doc, having("h2", "id", "elig-h"))) != 1 {
		t.Fatal("the IVR page has no eligibility section")
	}
	if !strings.Contains(p.Body, "according to the payer") && !strings.Contains(p.Body, "The check failed") {
		t.Error("the eligibility section shows no outcome")
	}
}
