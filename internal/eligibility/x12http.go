package eligibility

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/openivr/ivr/x12"
)

// Credentials authenticate to a clearinghouse: HTTP basic auth when Username is
// set, else a bearer token. They redact themselves when printed or logged.
type Credentials struct {
	Username    string
	Password    string
	BearerToken string
}

// String returns a placeholder that says which kind of credential is set.
func (c Credentials) String() string {
	switch {
	case c.Username != "":
		return "Credentials{basic, REDACTED}"
	case c.BearerToken != "":
		return "Credentials{bearer, REDACTED}"
	}
	return "Credentials{none}"
}

// Format prints String for every verb.
func (c Credentials) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue redacts the credentials in structured logs.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

func (c Credentials) apply(req *http.Request) {
	switch {
	case c.Username != "":
		req.SetBasicAuth(c.Username, c.Password)
	case c.BearerToken != "":
		req.Header.Set("Authorization", "Bearer "+c.BearerToken)
	}
}

// maxResponseBytes bounds what is read from a clearinghouse.
const maxResponseBytes = 8 << 20

// X12HTTP posts a 270 interchange to a clearinghouse endpoint over HTTPS and reads
// the 271 interchange from the response body.
type X12HTTP struct {
	URL         string
	Credentials Credentials
	// Client defaults to one with a 30-second timeout.
	Client *http.Client
	Payers PayerMap
	// SenderID and ReceiverID are ISA06 and ISA08, as agreed with the clearinghouse.
	SenderID   string
	ReceiverID string
	Production bool
	// Writer defaults to the usual delimiters with a line break after each segment.
	Writer x12.Writer
	Now    func() time.Time
}

var _ Clearinghouse = (*X12HTTP)(nil)

// Name returns "x12-http".
func (c *X12HTTP) Name() string { return "x12-http" }

// Check sends the inquiry as a 270 and returns the parsed 271. It returns an *Error:
// temporary for network faults, timeouts and HTTP 408, 429 and 5xx; permanent for
// other HTTP statuses, unmapped payers and malformed 271s.
func (c *X12HTTP) Check(ctx context.Context, inq Inquiry) (Result, error) {
	w := c.Writer
	if w.Delimiters == (x12.Delimiters{}) {
		w = x12.Writer{Delimiters: x12.DefaultDelimiters, LineBreak: true}
	}
	ex := x12Exchange{name: c.Name(), payers: c.Payers, writer: w,
		senderID:   orDefault(c.SenderID, "OPENIVR"),
		receiverID: orDefault(c.ReceiverID, "CLEARINGHOUSE"),
		production: c.Production, now: c.Now}
	return ex.check(ctx, inq, func(ctx context.Context, raw270 []byte) ([]byte, error) {
		return post(ctx, c.client(), c.URL, "application/edi-x12", c.Credentials, raw270)
	})
}

func (c *X12HTTP) client() *http.Client {
	if c.Client != nil {
		return c.Client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// post sends body to url and returns the response body of a 2xx answer.
func post(ctx context.Context, client *http.Client, url, contentType string, cred Credentials,
	body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, permanent("the clearinghouse URL is invalid", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", contentType)
	cred.apply(req)
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, contextError(ctx.Err())
		}
		return nil, temporary("the clearinghouse could not be reached", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, contextError(ctx.Err())
		}
		return nil, temporary("the clearinghouse response was cut short", err)
	}
	if len(data) > maxResponseBytes {
		return nil, permanent("the clearinghouse response is too large", nil)
	}
	return data, statusError(resp.StatusCode)
}

// statusError classifies an HTTP status.
func statusError(code int) error {
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return temporary(fmt.Sprintf("the clearinghouse is unavailable (HTTP %d)", code), nil)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		reason := fmt.Sprintf("the clearinghouse refused our credentials (HTTP %d)", code)
		return permanent(reason, nil)
	}
	return permanent(fmt.Sprintf("the clearinghouse rejected the request (HTTP %d)", code), nil)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
