package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// routeStats gathers the outcomes and latencies of one route during a run.
type routeStats struct {
	outcomes map[string]int64
	hist     Histogram
}

// Latency summarises a latency distribution; each value is measured from the moment
// the request was due, so it includes any wait before it was sent.
type Latency struct {
	Min, Mean, P50, P90, P99, P999, Max time.Duration
}

func latencyOf(h *Histogram) Latency {
	return Latency{Min: h.Min(), Mean: h.Mean(), P50: h.Percentile(50),
		P90: h.Percentile(90), P99: h.Percentile(99), P999: h.Percentile(99.9),
		Max: h.Max()}
}

// RouteReport is the part of a report for one route.
type RouteReport struct {
	Route     string
	Completed int64
	Outcomes  map[string]int64 // by status code, or "transport" when no answer came
	Latency   Latency
}

// Report is the result of a run.
type Report struct {
	Scenario     string
	TargetRate   float64       // requests per second asked for
	Window       time.Duration // time during which requests were started
	Elapsed      time.Duration // the window plus the wait for the last answers
	Issued       int64         // requests sent
	Dropped      int64         // requests due while MaxInFlight were running
	Completed    int64         // requests that ended, with an answer or not
	OK           int64         // answers with a 2xx status
	Errors       map[string]int64
	AchievedRate float64 // requests sent (dropped ones not counted) per second of the window
	Throughput   float64 // completed per second of Elapsed
	Latency      Latency
	Routes       []RouteReport
}

// report assembles the report once every request has ended.
func (r *runner) report(window, elapsed time.Duration) Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{Scenario: r.opts.Scenario, TargetRate: r.opts.Rate, Window: window,
		Elapsed: elapsed, Issued: r.issued, Dropped: r.dropped, Errors: map[string]int64{}}
	var all Histogram
	for name, st := range r.routes {
		rr := RouteReport{Route: name, Outcomes: st.outcomes, Latency: latencyOf(&st.hist)}
		for outcome, n := range st.outcomes {
			rr.Completed += n
			if strings.HasPrefix(outcome, "2") && len(outcome) == 3 {
				rep.OK += n
			} else {
				rep.Errors[outcome] += n
			}
		}
		rep.Completed += rr.Completed
		all.Merge(&st.hist)
		rep.Routes = append(rep.Routes, rr)
	}
	sort.Slice(rep.Routes, func(i, j int) bool { return rep.Routes[i].Route < rep.Routes[j].Route })
	rep.Latency = latencyOf(&all)
	rep.AchievedRate = perSecond(rep.Issued, window)
	rep.Throughput = perSecond(rep.Completed, elapsed)
	return rep
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// WriteTable writes the report as an aligned text table.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scenario %s, target %.0f req/s, window %s, elapsed %s\n", r.Scenario,
		r.TargetRate, r.Window.Round(time.Millisecond), r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(tw, "issued %d, dropped %d, completed %d, ok %d, errors %s\n", r.Issued,
		r.Dropped, r.Completed, r.OK, formatOutcomes(r.Errors))
	fmt.Fprintf(tw, "achieved %.1f req/s, throughput %.1f req/s\n\n", r.AchievedRate,
		r.Throughput)
	fmt.Fprintln(tw, "route\tcount\tp50\tp90\tp99\tp99.9\tmax\t")
	for _, rr := range r.Routes {
		writeLatencyRow(tw, rr.Route, rr.Completed, rr.Latency)
	}
	writeLatencyRow(tw, "all", r.Completed, r.Latency)
	return tw.Flush()
}

func writeLatencyRow(w io.Writer, name string, n int64, l Latency) {
	fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", name, n, ms(l.P50), ms(l.P90),
		ms(l.P99), ms(l.P999), ms(l.Max))
}

// ms formats a duration in milliseconds with three significant decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond))
}

func formatOutcomes(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s×%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

// latencyJSON is Latency in milliseconds.
type latencyJSON struct {
	MinMs  float64 `json:"min_ms"`
	MeanMs float64 `json:"mean_ms"`
	P50Ms  float64 `json:"p50_ms"`
	P90Ms  float64 `json:"p90_ms"`
	P99Ms  float64 `json:"p99_ms"`
	P999Ms float64 `json:"p99_9_ms"`
	MaxMs  float64 `json:"max_ms"`
}

// MarshalJSON writes the latencies as milliseconds (min_ms, p50_ms, p99_9_ms, …).
func (l Latency) MarshalJSON() ([]byte, error) {
	f := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return json.Marshal(latencyJSON{f(l.Min), f(l.Mean), f(l.P50), f(l.P90), f(l.P99),
		f(l.P999), f(l.Max)})
}

// WriteJSON writes the report as one indented JSON object with snake_case names.
func (r Report) WriteJSON(w io.Writer) error {
	type route struct {
		Route     string           `json:"route"`
		Completed int64            `json:"completed"`
		Outcomes  map[string]int64 `json:"outcomes"`
		Latency   Latency          `json:"latency"`
	}
	routes := make([]route, len(r.Routes))
	for i, rr := range r.Routes {
		routes[i] = route{rr.Route, rr.Completed, rr.Outcomes, rr.Latency}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{
		"scenario": r.Scenario, "target_rate": r.TargetRate,
		"window_s": r.Window.Seconds(), "elapsed_s": r.Elapsed.Seconds(),
		"issued": r.Issued, "dropped": r.Dropped, "completed": r.Completed, "ok": r.OK,
		"errors": r.Errors, "achieved_rate": r.AchievedRate, "throughput": r.Throughput,
		"latency": r.Latency, "routes": routes,
	})
}
