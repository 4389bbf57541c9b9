// Package loadgen is the engine of the `ivr load` command: an open-loop load
// generator for a running platform server. Requests start at a fixed arrival rate
// whatever the server's response times, and each latency is measured from the moment
// the request was due, so queueing in the generator or the server is counted rather
// than hidden (no coordinated omission). Requests that would exceed the in-flight
// limit are dropped and counted, never delayed. By default only loopback targets are
// accepted.
package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// Options configure one run.
type Options struct {
	BaseURL     string        // e.g. http://127.0.0.1:8080
	AllowRemote bool          // permit a target that is not a loopback address
	Scenario    string        // read, queue or mixed
	Rate        float64       // requests started per second
	Duration    time.Duration // how long requests are started
	MaxInFlight int           // requests due while this many are running are dropped
	Timeout     time.Duration // per request; 0 means 10 s
	Credentials Credentials
}

// Default settings.
const (
	DefaultMaxInFlight = 256
	DefaultTimeout     = 10 * time.Second
)

// Validate reports the first bad option, including a target that is not loopback
// when AllowRemote is false.
func (o Options) Validate() error {
	if _, err := checkTarget(o.BaseURL, o.AllowRemote); err != nil {
		return err
	}
	if _, err := newScenario(o.Scenario); err != nil {
		return err
	}
	switch {
	case !(o.Rate > 0) || o.Rate > 1e6:
		return fmt.Errorf("rate %v: want more than 0 and at most 1e6 per second", o.Rate)
	case o.Duration <= 0:
		return fmt.Errorf("duration %v: want more than 0", o.Duration)
	case o.MaxInFlight < 0:
		return fmt.Errorf("max in flight %d: want 0 (default) or more", o.MaxInFlight)
	case o.Timeout < 0:
		return fmt.Errorf("timeout %v: want 0 (default) or more", o.Timeout)
	}
	return o.Credentials.validate()
}

func (o Options) withDefaults() Options {
	if o.MaxInFlight == 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

// Run logs in, prepares the scenario, sends requests at opts.Rate for opts.Duration,
// waits for the last answers, writes the report's table to out and returns the
// report. It returns an error, and no report, when an option is bad, the login or
// the scenario's preparation fails; when ctx ends during the run it returns the
// partial report with ctx's error.
func Run(ctx context.Context, opts Options, out io.Writer) (Report, error) {
	if err := opts.Validate(); err != nil {
		return Report{}, fmt.Errorf("load options: %w", err)
	}
	opts = opts.withDefaults()
	base, _ := checkTarget(opts.BaseURL, opts.AllowRemote)
	sc, _ := newScenario(opts.Scenario)
	c := &apiClient{http: newClient(opts.MaxInFlight, opts.Timeout, opts.AllowRemote),
		base: base}
	defer c.http.CloseIdleConnections()
	if err := c.login(ctx, opts.Credentials, time.Now); err != nil {
		return Report{}, err
	}
	if err := sc.setup(ctx, c); err != nil {
		return Report{}, err
	}
	r := newRunner(c, sc, opts)
	rep := r.run(ctx)
	if out != nil {
		if err := rep.WriteTable(out); err != nil {
			return rep, fmt.Errorf("write report: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("load run interrupted: %w", err)
	}
	return rep, nil
}

// runner is the state of one run: the schedule, the in-flight slots and the results.
type runner struct {
	c     *apiClient
	sc    scenario
	opts  Options
	slots chan struct{}
	wg    sync.WaitGroup

	mu      sync.Mutex
	issued  int64
	dropped int64
	routes  map[string]*routeStats
}

func newRunner(c *apiClient, sc scenario, opts Options) *runner {
	return &runner{c: c, sc: sc, opts: opts, routes: map[string]*routeStats{},
		slots: make(chan struct{}, opts.MaxInFlight)}
}

// run starts request i at start + i/rate until the duration is over, without ever
// waiting for an answer, then waits for the requests still running.
func (r *runner) run(ctx context.Context) Report {
	interval := time.Duration(float64(time.Second) / r.opts.Rate)
	start := time.Now()
	end := start.Add(r.opts.Duration)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for i := uint64(0); ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if !due.Before(end) || !sleepUntil(ctx, timer, due) {
			break
		}
		r.dispatch(ctx, r.sc.next(i), due)
	}
	window := time.Since(start)
	r.wg.Wait()
	return r.report(window, time.Since(start))
}

// sleepUntil waits for t on the timer; it reports false when ctx ended first.
func sleepUntil(ctx context.Context, timer *time.Timer, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(d)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		timer.Stop() // since Go 1.23 no stale tick is left to drain
		return false
	}
}

// dispatch starts one request in its own goroutine, or counts it dropped when every
// in-flight slot is taken.
func (r *runner) dispatch(ctx context.Context, req request, due time.Time) {
	select {
	case r.slots <- struct{}{}:
	default:
		r.mu.Lock()
		r.dropped++
		r.mu.Unlock()
		return
	}
	r.mu.Lock()
	r.issued++
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.slots }()
		outcome := r.send(ctx, req)
		r.record(req.route, outcome, time.Since(due))
	}()
}

// send performs one request and returns its outcome: the status code, or
// "transport" when no answer came.
func (r *runner) send(ctx context.Context, req request) string {
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hr, err := r.c.newRequest(ctx, req.method, req.path, body)
	if err != nil {
		return outcomeTransport
	}
	resp, err := r.c.http.Do(hr)
	if err != nil {
		return outcomeTransport
	}
	_, cerr := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if cerr != nil {
		return outcomeTransport
	}
	return strconv.Itoa(resp.StatusCode)
}

const outcomeTransport = "transport"

func (r *runner) record(route, outcome string, latency time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.routes[route]
	if st == nil {
		st = &routeStats{outcomes: map[string]int64{}}
		r.routes[route] = st
	}
	st.outcomes[outcome]++
	st.hist.Record(latency)
}
