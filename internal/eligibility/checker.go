package eligibility

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Checker runs eligibility checks through a Clearinghouse with retries:
// exponential back-off with jitter between attempts, a timeout per attempt, and
// the caller's context over all of it. Its zero durations take the defaults.
type Checker struct {
	Clearinghouse  Clearinghouse
	MaxAttempts    int           // default 3
	BaseDelay      time.Duration // first back-off, default 500ms
	MaxDelay       time.Duration // back-off cap, default 8s
	AttemptTimeout time.Duration // default 20s
	// Sleep waits d or until ctx ends; tests replace it. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1); tests replace it. Default: math/rand.
	Jitter func() float64
	Now    func() time.Time
}

// Check runs one check. It never panics and always returns a Result: StatusOK with
// the payer's answer (which may hold rejections), or StatusFailed with a Reason
// safe to show. It retries only failures an *Error marks as temporary, and
// attempt timeouts; it stops at once when ctx ends.
func (c *Checker) Check(ctx context.Context, inq Inquiry) (res Result) {
	name := "none"
	if c.Clearinghouse != nil {
		name = c.Clearinghouse.Name()
	}
	defer func() {
		if p := recover(); p != nil {
			res = c.failed(name, inq, 0, "internal error while checking eligibility")
		}
	}()
	if c.Clearinghouse == nil {
		return c.failed(name, inq, 0, "no clearinghouse is configured")
	}
	if inq.TraceNumber == "" {
		inq.TraceNumber = NewTraceNumber()
	}
	if err := inq.Validate(); err != nil {
		return c.failed(name, inq, 0, "the inquiry is incomplete: "+fieldOf(err))
	}
	return c.attempts(ctx, name, inq)
}

func (c *Checker) attempts(ctx context.Context, name string, inq Inquiry) Result {
	max := c.MaxAttempts
	if max < 1 {
		max = 3
	}
	var reason string
	for attempt := 1; attempt <= max; attempt++ {
		if attempt > 1 {
			if err := c.sleep(ctx, c.backoff(attempt-1)); err != nil {
				return c.failed(name, inq, attempt-1, "the check was canceled")
			}
		}
		res, err := c.once(ctx, inq)
		if err == nil {
			res.Status, res.Attempts, res.Clearinghouse = StatusOK, attempt, name
			res.TraceNumber = inq.TraceNumber
			if res.CheckedAt.IsZero() {
				res.CheckedAt = c.now()
			}
			return res
		}
		if ctx.Err() != nil {
			return c.failed(name, inq, attempt, "the check was canceled")
		}
		var e *Error
		retry := errors.As(err, &e) && e.Temporary
		reason = "the clearinghouse failed"
		if e != nil {
			reason = e.Reason
		}
		if !retry {
			return c.failed(name, inq, attempt, reason)
		}
	}
	return c.failed(name, inq, max, fmt.Sprintf("%s (gave up after %d attempts)", reason, max))
}

// once runs a single attempt under its own timeout. The clearinghouse runs in
// its own goroutine so that one ignoring its context cannot hold the caller past
// the timeout (the goroutine ends when the clearinghouse returns); a panic there
// becomes a permanent error.
func (c *Checker) once(ctx context.Context, inq Inquiry) (Result, error) {
	timeout := c.AttemptTimeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type answer struct {
		res Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- answer{err: permanent("internal error in the clearinghouse adapter", nil)}
			}
		}()
		res, err := c.Clearinghouse.Check(actx, inq)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		if a.err != nil && actx.Err() != nil && ctx.Err() == nil {
			a.err = contextError(actx.Err()) // this attempt timed out; the caller still waits
		}
		return a.res, a.err
	case <-actx.Done():
		return Result{}, contextError(actx.Err())
	}
}

// backoff returns the wait before retry n (n ≥ 1): BaseDelay·2^(n-1), capped at
// MaxDelay, then jittered into [d/2, d).
func (c *Checker) backoff(n int) time.Duration {
	base, ceiling := c.BaseDelay, c.MaxDelay
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if ceiling <= 0 {
		ceiling = 8 * time.Second
	}
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	jitter := rand.Float64
	if c.Jitter != nil {
		jitter = c.Jitter
	}
	return d/2 + time.Duration(float64(d/2)*jitter())
}

func (c *Checker) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

func (c *Checker) failed(name string, inq Inquiry, attempts int, reason string) Result {
	return Result{Status: StatusFailed, Reason: reason, Clearinghouse: name, Attempts: attempts,
		TraceNumber: inq.TraceNumber, CheckedAt: c.now()}
}

// fieldOf returns the field part of a validation error ("subscriber.lastName:
// required"), which names no value.
func fieldOf(err error) string {
	msg := err.Error()
	for _, prefix := range []string{"x12: 270 ", "inquiry "} {
		if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
			return msg[len(prefix):]
		}
	}
	return msg
}
