package events

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// wsServer serves the hub's endpoint for the principal named in ?as=, rendering
// a returned *domain.Error the way the API layer would (400 for bad requests).
func wsServer(tb testing.TB, h *Hub, w *world) *httptest.Server {
	tb.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter,
		r *http.Request) {
		p, ok := w.users[r.URL.Query().Get("as")]
		if !ok {
			http.Error(rw, "who?", http.StatusUnauthorized)
			return
		}
		if err := h.ServeWS(rw, r, p); err != nil {
			status := http.StatusInternalServerError
			if domain.ErrorCode(err) == domain.CodeBadRequest {
				status = http.StatusBadRequest
			}
			http.Error(rw, err.Error(), status)
		}
	}))
	// Short server timeouts, as app servers have (longer) ones: a stream must
	// outlive them.
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = time.Second, time.Second
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv
}

func wsURL(srv *httptest.Server, query string) string {
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/v1/events?" + query
}

// readWire reads n messages as generic JSON objects.
func readWire(ctx context.Context, tb testing.TB, c *websocket.Conn, n int) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for range n {
		typ, b, err := c.Read(ctx)
		if err != nil {
			tb.Fatalf("read message %d: %v", len(out)+1, err)
		}
		if typ != websocket.MessageText {
			tb.Fatalf("message type %v, want text", typ)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			tb.Fatalf("message %q is not JSON: %v", b, err)
		}
		out = append(out, m)
	}
	return out
}

func TestWebSocketRoundTrip(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := MustStartHub(t, db, NewLocalBus())
		srv := wsServer(t, h, w)
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		first := MustWrite(t, db, h, testEvent("P-WEST", 1), testEvent("P-NYNJ", 2))

		c, _, err := websocket.Dial(ctx, wsURL(srv, "as=rep-east&after=0"), nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.CloseNow()
		time.Sleep(1500 * time.Millisecond) // past the server's timeouts
		live := MustWrite(t, db, h, testEvent("P-CANV", 3), testEvent("P-NEWENG", 4))
		got := readWire(ctx, t, c, 2)
		want := []map[string]any{wireOf(t, first[1]), wireOf(t, live[1])}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("messages (-want +got):\n%s", diff)
		}
		for k := range got[0] {
			if k != "id" && k != "type" && k != "at" && k != "resource" && k != "data" {
				t.Errorf("message carries key %q beyond the API contract", k)
			}
		}
		c.Close(websocket.StatusNormalClosure, "")
	})
}

// wireOf is the message e should produce, decoded like readWire decodes.
func wireOf(tb testing.TB, e Event) map[string]any {
	tb.Helper()
	var data map[string]any
	if err := json.Unmarshal(e.Data, &data); err != nil {
		tb.Fatal(err)
	}
	return map[string]any{"id": float64(e.ID), "type": e.Type,
		"at":       e.At.UTC().Format(time.RFC3339Nano),
		"resource": map[string]any{"type": e.Resource.Type, "id": e.Resource.ID},
		"data":     data}
}

func TestWebSocketRefusals(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := MustStartHub(t, db, NewLocalBus())
		srv := wsServer(t, h, w)
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		tests := []struct {
			name   string
			query  string
			header http.Header
			status int
		}{
			{"after not a number", "as=admin&after=abc", nil, http.StatusBadRequest},
			{"after negative", "as=admin&after=-3", nil, http.StatusBadRequest},
			{"after empty", "as=admin&after=", nil, http.StatusBadRequest},
			{"after twice", "as=admin&after=1&after=2", nil, http.StatusBadRequest},
			{"other origin", "as=admin", http.Header{"Origin": {"https://evil.example"}},
				http.StatusForbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, resp, err := websocket.Dial(ctx, wsURL(srv, tt.query),
					&websocket.DialOptions{HTTPHeader: tt.header})
				if err == nil {
					c.CloseNow()
					t.Fatal("dial succeeded, want a refusal")
				}
				if resp == nil || resp.StatusCode != tt.status {
					t.Fatalf("dial error %v, response %v; want status %d", err, resp, tt.status)
				}
			})
		}
	})
}

func TestWebSocketClosesOnShutdown(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := NewHub(db, NewLocalBus(), nil)
		hubCtx, stopHub := context.WithCancel(context.Background())
		hubDone := make(chan struct{})
		go func() { h.Run(hubCtx); close(hubDone) }()
		defer func() { stopHub(); <-hubDone }()
		srv := wsServer(t, h, w)
		ctx, cancel := context.WithTimeout(context.Background(), waitLong)
		defer cancel()
		c, _, err := websocket.Dial(ctx, wsURL(srv, "as=admin"), nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.CloseNow()
		stopHub()
		<-hubDone
		if code := closeCode(ctx, c); code != websocket.StatusGoingAway {
			t.Errorf("client at shutdown closed with %v, want %v", code, websocket.StatusGoingAway)
		}
	})
}

// closeCode reads until the connection closes and returns the close status.
func closeCode(ctx context.Context, c *websocket.Conn) websocket.StatusCode {
	for {
		_, _, err := c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code
			}
			return -1
		}
	}
}
