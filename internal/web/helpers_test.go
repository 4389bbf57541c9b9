package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/demo"
)

// webClient is a browser stand-in: a cookie jar, no redirects followed
// automatically unless asked, and the parsed last page.
type webClient struct {
	env  *apitest.Env
	http *http.Client
}

// page is a fetched page.
type page struct {
	Status int
	Header http.Header
	Body   string
	Doc    *html.Node
	URL    string
}

// MustClient returns a client with an empty cookie jar that follows redirects.
func MustClient(tb testing.TB, env *apitest.Env) *webClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &webClient{env: env, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// MustGet fetches path.
func (c *webClient) MustGet(tb testing.TB, path string) page {
	tb.Helper()
	resp, err := c.http.Get(c.env.URL + path)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	return mustRead(tb, resp)
}

// MustPost posts a form to path.
func (c *webClient) MustPost(tb testing.TB, path string, form url.Values) page {
	tb.Helper()
	resp, err := c.http.PostForm(c.env.URL+path, form)
	if err != nil {
		tb.Fatalf("POST %s: %v", path, err)
	}
	return mustRead(tb, resp)
}

func mustRead(tb testing.TB, resp *http.Response) page {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	p := page{Status: resp.StatusCode, Header: resp.Header, Body: string(b),
		URL: resp.Request.URL.Path}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if p.Doc, err = html.Parse(strings.NewReader(p.Body)); err != nil {
			tb.Fatalf("parse page: %v", err)
		}
	}
	return p
}

// MustLogin logs in through the login and MFA forms as the demo account.
func MustLogin(tb testing.TB, env *apitest.Env, acct demo.Account) *webClient {
	tb.Helper()
	c := MustClient(tb, env)
	login := c.MustGet(tb, "/login")
	p := c.MustPost(tb, "/login", url.Values{"csrf_token": {csrfOf(tb, login)},
		"email": {acct.Email}, "password": {acct.Password}})
	if p.URL == "/login/mfa" {
		p = c.mustAnswerMFA(tb, acct, p)
	}
	if p.Status != http.StatusOK || p.URL == "/login" || p.URL == "/login/mfa" {
		tb.Fatalf("login %s: ended on %s with %d", acct.Role, p.URL, p.Status)
	}
	return c
}

// mustAnswerMFA posts the current TOTP code; a code already used in this
// 30-second step is refused, so it waits for the next step and tries again.
func (c *webClient) mustAnswerMFA(tb testing.TB, acct demo.Account, form page) page {
	tb.Helper()
	for range 3 {
		code, err := auth.DefaultTOTP.Code(acct.TOTPSecret, time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		p := c.MustPost(tb, "/login/mfa", url.Values{"csrf_token": {csrfOf(tb, form)}, "code": {code}})
		if p.Status == http.StatusOK && p.URL != "/login/mfa" {
			return p
		}
		form = p
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30 * time.Second)))
	}
	tb.Fatalf("mfa for %s failed", acct.Role)
	return page{}
}

// accountWithRole returns the first demo account of role.
func accountWithRole(tb testing.TB, env *apitest.Env, role string) demo.Account {
	tb.Helper()
	for _, a := range env.Accounts {
		if a.Role == role {
			return a
		}
	}
	tb.Fatalf("no demo account with role %s", role)
	return demo.Account{}
}

// find returns every element for which match is true, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// tagged matches elements by tag and, optionally, attribute name=value pairs.
func tagged(tag string, attrs ...string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if n.Data != tag {
			return false
		}
		for i := 0; i+1 < len(attrs); i += 2 {
			if v, ok := attr(n, attrs[i]); !ok || v != attrs[i+1] {
				return false
			}
		}
		return true
	}
}

// having matches elements of tag ("" for any) that carry the attribute name,
// with the value value unless value is "".
func having(tag, name, value string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		v, ok := attr(n, name)
		return ok && (tag == "" || n.Data == tag) && (value == "" || v == value)
	}
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// text returns the text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// csrfOf returns the page's first CSRF token.
func csrfOf(tb testing.TB, p page) string {
	tb.Helper()
	if p.Doc == nil {
		tb.Fatalf("%s is not an HTML page (%d)", p.URL, p.Status)
	}
	ins := find(p.Doc, tagged("input", "name", "csrf_token"))
	if len(ins) == 0 {
		tb.Fatalf("no CSRF token on %s", p.URL)
	}
	v, _ := attr(ins[0], "value")
	return v
}

// rowIDs returns the data-id of every table row of the page.
func rowIDs(p page) []string {
	var ids []string
	for _, tr := range find(p.Doc, having("tr", "data-id", "")) {
		v, _ := attr(tr, "data-id")
		ids = append(ids, v)
	}
	return ids
}
