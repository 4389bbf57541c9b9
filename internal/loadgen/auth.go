package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Credentials say how a run authenticates: a bearer token, or an e-mail and
// password with, for accounts that have MFA, the base32 TOTP secret. They redact
// themselves when printed.
type Credentials struct {
	Token      string
	Email      string
	Password   string
	TOTPSecret string
}

// String names the kind of credentials without their values.
func (c Credentials) String() string {
	switch {
	case c.Token != "":
		return "bearer token [redacted]"
	case c.Email != "":
		return "password login [redacted]"
	default:
		return "no credentials"
	}
}

// GoString is String, so %#v does not print secrets either.
func (c Credentials) GoString() string { return c.String() }

func (c Credentials) validate() error {
	if c.Token == "" && (c.Email == "" || c.Password == "") {
		return errors.New("credentials: give a token, or an e-mail and a password")
	}
	return nil
}

// Account is one entry of a demo-accounts.json file; other fields are ignored.
type Account struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Role       string `json:"role"`
	TOTPSecret string `json:"totp_secret"`
}

// LoadAccount reads a JSON array of accounts from path and returns the credentials of
// the first account with the role (and, when email is not empty, that e-mail). It
// returns an error when the file cannot be read or parsed or no account matches.
func LoadAccount(path, role, email string) (Credentials, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("read accounts: %w", err)
	}
	var accounts []Account
	if err := json.Unmarshal(raw, &accounts); err != nil {
		return Credentials{}, fmt.Errorf("parse accounts %s: %w", path, err)
	}
	for _, a := range accounts {
		if (role == "" || a.Role == role) && (email == "" || a.Email == email) {
			return Credentials{Email: a.Email, Password: a.Password,
				TOTPSecret: a.TOTPSecret}, nil
		}
	}
	return Credentials{}, fmt.Errorf("accounts %s: no account with role %q", path, role)
}

// apiClient sends JSON requests to the target.
type apiClient struct {
	http  *http.Client
	base  *url.URL
	token string
}

// apiError is a non-2xx answer; it keeps the platform's error code, never the body.
type apiError struct {
	method, path string
	status       int
	code         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s answered %d %s", e.method, e.path, e.status, e.code)
}

// do sends one request and decodes a 2xx JSON answer into out (when not nil).
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
		return &apiError{method: method, path: path, status: resp.StatusCode, code: e.Error.Code}
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}

func (c *apiClient) newRequest(ctx context.Context, method, path string,
	body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return nil, fmt.Errorf("new request %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// login sets the client's token: the given one, or one obtained by logging in and,
// when the server asks for it, answering the MFA challenge with a TOTP code.
func (c *apiClient) login(ctx context.Context, cr Credentials, now func() time.Time) error {
	if cr.Token != "" {
		c.token = cr.Token
		return nil
	}
	var res struct {
		Token       string `json:"token"`
		MFARequired bool   `json:"mfa_required"`
		MFAToken    string `json:"mfa_token"`
	}
	in := map[string]string{"email": cr.Email, "password": cr.Password}
	if err := c.do(ctx, http.MethodPost, "/api/v1/auth/login", in, &res); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if res.MFARequired {
		if err := c.answerMFA(ctx, cr, res.MFAToken, now()); err != nil {
			return err
		}
		return nil
	}
	if res.Token == "" {
		return errors.New("login: the answer holds no token")
	}
	c.token = res.Token
	return nil
}

func (c *apiClient) answerMFA(ctx context.Context, cr Credentials, mfaToken string,
	at time.Time) error {
	if cr.TOTPSecret == "" {
		return errors.New("login: the account requires MFA; give its TOTP secret")
	}
	code, err := TOTP(cr.TOTPSecret, at)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	var res struct {
		Token string `json:"token"`
	}
	in := map[string]string{"mfa_token": mfaToken, "code": code}
	if err := c.do(ctx, http.MethodPost, "/api/v1/auth/mfa", in, &res); err != nil {
		return fmt.Errorf("login mfa: %w", err)
	}
	if res.Token == "" {
		return errors.New("login mfa: the answer holds no token")
	}
	c.token = res.Token
	return nil
}
