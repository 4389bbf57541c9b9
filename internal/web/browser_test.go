package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/demo"
	"github.com/openivr/ivr/internal/store"
)

// chromiumPath is Debian's Chromium; the test never downloads a browser.
const chromiumPath = "/usr/bin/chromium"

// MustBrowser starts headless Chromium for the test, or skips when it is not
// installed, unless IVR_REQUIRE_BROWSER=1 (CI), where a missing browser fails.
func MustBrowser(tb testing.TB) context.Context {
	tb.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("IVR_REQUIRE_BROWSER") == "1" {
			tb.Fatalf("IVR_REQUIRE_BROWSER=1 but %s is missing: %v", chromiumPath, err)
		}
		tb.Skipf("no Chromium at %s (apt-get install chromium); IVR_REQUIRE_BROWSER=1 fails",
			chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(tb.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1100, 1400),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	tb.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tb.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	tb.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// run runs browser actions, failing the test with the step's name.
func run(tb testing.TB, ctx context.Context, step string,
	actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
}

// browserLogin logs in through the login and MFA pages.
func browserLogin(tb testing.TB, ctx context.Context, base string, acct demo.Account) {
	tb.Helper()
	run(tb, ctx, "open login", chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), acct.Email),
		chromedp.SendKeys(chromedp.ID("password"), acct.Password),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.ID("code")))
	code, err := auth.DefaultTOTP.Code(acct.TOTPSecret, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	run(tb, ctx, "answer MFA", chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Submit(chromedp.ID("code")), chromedp.WaitVisible(chromedp.ID("all-h")))
}

// openAction opens an action's form on the IVR page, as a user clicks its
// summary.
func openAction(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.Search(`//summary[normalize-space()="` + name + `"]`))
}

func waitStatus(status string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS(`.ivr-head .status[data-status="` + status + `"]`))
}

// TestBrowserWorkflow runs the main flow in headless Chromium: a doctor drafts
// and submits an IVR through the forms; a specialist, in another browser
// context, finds it in the queue, assigns it and approves it with benefits; the
// doctor's open page announces the approval live.
func TestBrowserWorkflow(t *testing.T) {
	browser := MustBrowser(t)
	env := apitest.Start(t, store.SQLite)
	doc := browser
	browserLogin(t, doc, env.URL, accountWithRole(t, env, "doctor"))
	id := draftAndSubmit(t, doc, env.URL)

	spec, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	browserLogin(t, spec, env.URL, env.Account(t, "specialist@demo.example"))
	run(t, spec, "queue lists the IVR",
		chromedp.WaitVisible(chromedp.CSS(`#queue tr[data-id="`+id+`"]`)),
		chromedp.Click(chromedp.CSS(`#queue tr[data-id="`+id+`"] a`)), waitStatus("submitted"),
		openAction("Assign to me"), chromedp.Click(chromedp.CSS(`#form-assign button`)),
		waitStatus("in_review"))
	approve(t, spec)

	value(t, doc, "live notice", chromedp.Poll[bool](
		`document.getElementById("live-notice").textContent.includes("now approved")`,
		chromedp.WithPollingTimeout(30*time.Second)))
	notice := value(t, doc, "notice text", chromedp.Text(chromedp.ID("live-notice")))
	run(t, doc, "status cell updated live",
		chromedp.WaitVisible(chromedp.CSS(`.ivr-head .status[data-status="approved"]`)))
	if !strings.HasPrefix(notice, "IVR-") || !strings.Contains(notice, "refresh") {
		t.Errorf("live notice = %q, want \"IVR-… is now approved — refresh\"", notice)
	}
	run(t, doc, "reload shows approved", chromedp.Reload(), waitStatus("approved"),
		chromedp.WaitVisible(chromedp.ID("benefits-h")))
	screenshot(t, doc)
}

// draftAndSubmit fills the new-IVR form as the doctor, submits the draft with
// the attestation and returns the IVR's id.
func draftAndSubmit(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	start := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
	sel := func(name string) string { return `[name="` + name + `"]` }
	run(t, ctx, "new IVR form", chromedp.Navigate(base+"/ivrs/new"),
		chromedp.WaitVisible(chromedp.ID("ivr-form")))
	patient := value(t, ctx, "a patient", chromedp.Evaluate[string](
		`document.querySelector("#patient_id").options[1].value`))
	product := value(t, ctx, "a product", chromedp.Evaluate[string](
		`document.querySelector("#product").options[1].value`))
	run(t, ctx, "fill the form",
		chromedp.SetValue(chromedp.CSS("#patient_id"), patient),
		chromedp.SetValue(chromedp.CSS(sel("wound.type")), "diabetic_foot_ulcer"),
		chromedp.SetValue(chromedp.CSS(sel("wound.site")), "foot"),
		chromedp.SetValue(chromedp.CSS(sel("wound.laterality")), "left"),
		chromedp.SendKeys(chromedp.CSS(sel("wound.length_cm")), "3"),
		chromedp.SendKeys(chromedp.CSS(sel("wound.width_cm")), "2"),
		chromedp.SendKeys(chromedp.CSS(sel("wound.depth_cm")), "0.4"),
		chromedp.SendKeys(chromedp.CSS(sel("wound.duration_weeks")), "8"),
		chromedp.SendKeys(chromedp.CSS(sel("wound.conservative_care_weeks")), "4"),
		chromedp.SendKeys(chromedp.CSS(sel("diagnosis_codes")), "E11.621, L97.422"),
		chromedp.SetValue(chromedp.CSS("#product"), product),
		chromedp.SendKeys(chromedp.CSS("#quantity"), "4"),
		chromedp.SetValue(chromedp.CSS("#start_date"), start),
		chromedp.Click(chromedp.CSS(`#ivr-form button[type="submit"]`)),
		waitStatus("draft"))
	loc := value(t, ctx, "draft URL", chromedp.Location())
	run(t, ctx, "submit the draft", openAction("Submit"),
		chromedp.Click(chromedp.ID("attest")),
		chromedp.Click(chromedp.CSS(`#form-submit button`)), waitStatus("submitted"))
	id := loc[strings.LastIndex(loc, "/")+1:]
	if id == "" || strings.Contains(id, "new") {
		t.Fatalf("draft page URL %q holds no IVR id", loc)
	}
	return id
}

// approve records one coverage's benefits and approves.
func approve(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "approve", openAction("Approve"),
		chromedp.SetValue(chromedp.ID("b-plan"), "medicare_ffs"),
		chromedp.SetValue(chromedp.ID("b-network"), "in"),
		chromedp.SendKeys(chromedp.ID("b-ded"), "257.00"),
		chromedp.SendKeys(chromedp.ID("b-met"), "257.00"),
		chromedp.SendKeys(chromedp.ID("b-coins"), "20"),
		chromedp.SendKeys(chromedp.ID("b-copay"), "0"),
		chromedp.SetValue(chromedp.ID("b-mac"), "JL"),
		chromedp.SendKeys(chromedp.ID("b-lcd"), "L35041"),
		chromedp.Click(chromedp.ID("b-onlcd")),
		chromedp.SendKeys(chromedp.ID("payer_reference"), "call ref 123"),
		chromedp.Click(chromedp.CSS(`#form-approve button`)), waitStatus("approved"))
}

// screenshot captures the doctor's IVR page. It goes to the test's temporary
// directory, and to docs/screenshots/ivr-detail.png when IVR_WRITE_SCREENSHOT=1
// (so an ordinary run leaves the working tree alone).
func screenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	png := value(t, ctx, "screenshot", chromedp.CaptureScreenshot())
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
	}
	path := filepath.Join(t.TempDir(), "ivr-detail.png")
	if os.Getenv("IVR_WRITE_SCREENSHOT") == "1" {
		path = filepath.Join("..", "..", "docs", "screenshots", "ivr-detail.png")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// value runs one browser action that returns a value, failing the test with
// the step's name.
func value[T any](tb testing.TB, ctx context.Context, step string, a chromedp.Action[T]) T {
	tb.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatalf("%s: %v", step, err)
	}
	return v
}
