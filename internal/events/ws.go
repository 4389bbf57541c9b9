package events

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"github.com/openivr/ivr/internal/domain"
)

// WebSocket timing: a ping every pingEvery, and a write or a ping that takes
// longer than writeTimeout ends the connection.
const (
	pingEvery    = 25 * time.Second
	writeTimeout = 10 * time.Second
)

// parseAfter reads ?after=: absent means live only; otherwise a non-negative id.
func parseAfter(r *http.Request) (int64, error) {
	q := r.URL.Query()
	if !q.Has("after") {
		return -1, nil
	}
	v, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if err != nil || v < 0 || len(q["after"]) > 1 {
		return 0, &domain.Error{Code: domain.CodeBadRequest,
			Message: "after must be one event id (a non-negative integer)",
			Fields:  map[string]string{"after": "must be a non-negative integer"}}
	}
	return v, nil
}

// ServeWS serves GET /api/v1/events for the authenticated principal p: it
// upgrades to a WebSocket and sends each event in p's scope as one JSON text
// message; ?after=<id> resumes after that event. Only same-host origins are
// accepted (a browser page of another site gets 403; clients that send no Origin
// header, such as the CLI, are accepted). Before anything is written it returns a
// *domain.Error (bad after, role without the right) or the subscription's error,
// for the caller to render; once upgraded it returns nil and ends by closing the
// connection with a status: 1013 when the client was too slow (reconnect with
// after), 1001 when the server shuts down, 1011 when the stream broke.
func (h *Hub) ServeWS(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	after, err := parseAfter(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sub, err := h.Subscribe(ctx, p, after)
	if err != nil {
		return err
	}
	defer sub.Close()
	// Accept answers a cross-origin request with 403 itself.
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		h.log.Info("event websocket refused", "err", err)
		return nil
	}
	defer c.CloseNow()
	h.stream(c.CloseRead(ctx), c, sub)
	return nil
}

// stream writes events until the subscription or the connection ends.
func (h *Hub) stream(ctx context.Context, c *websocket.Conn, sub *Subscription) {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			c.Close(websocket.StatusNormalClosure, "")
			return
		case <-ping.C:
			if err := withTimeout(ctx, c.Ping); err != nil {
				return
			}
		case e, ok := <-sub.Events():
			if !ok {
				closeFor(c, sub.Err())
				return
			}
			if err := writeEvent(ctx, c, e); err != nil {
				return
			}
		}
	}
}

func withTimeout(ctx context.Context, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return fn(ctx)
}

func writeEvent(ctx context.Context, c *websocket.Conn, e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return withTimeout(ctx, func(ctx context.Context) error {
		return c.Write(ctx, websocket.MessageText, b)
	})
}

// closeFor closes the connection with the status that tells the client what to do.
func closeFor(c *websocket.Conn, err error) {
	switch {
	case errors.Is(err, ErrSlowSubscriber):
		c.Close(websocket.StatusTryAgainLater, "too slow: reconnect with after=<last id>")
	case errors.Is(err, ErrClosed):
		c.Close(websocket.StatusGoingAway, "server shutting down")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		c.Close(websocket.StatusNormalClosure, "")
	default:
		c.Close(websocket.StatusInternalError, "event stream interrupted: reconnect with after")
	}
}
