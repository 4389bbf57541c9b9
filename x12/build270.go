package x12

import (
	"fmt"
	"strconv"
	"time"
)

// Body270 returns the segments of the request between ST and SE: the BHT header
// and the payer (2000A), provider (2000B), subscriber (2000C) and, when set,
// dependent (2000D) loops. now is written to BHT04/05. It returns Validate's error.
func (r Request270) Body270(now time.Time) ([]Segment, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	now = now.UTC()
	b := &segmentArena{elements: make([]string, 0, 64), segs: make([]Segment, 0, 16)}
	b.add("BHT", "0022", "13", orDefault(r.Reference, r.TraceNumber),
		now.Format("20060102"), now.Format("1504"))
	b.add("HL", "1", "", "20", "1")
	b.add("NM1", "PR", "2", r.PayerName, "", "", "", "", "PI", r.PayerID)
	b.add("HL", "2", "1", "21", "1")
	b.add("NM1", "1P", "2", r.ProviderName, "", "", "", "", "XX", r.ProviderNPI)
	b.add("HL", "3", "2", "22", boolFlag(r.Dependent != nil))
	if r.Dependent == nil {
		r.trace(b)
		person(b, "IL", r.Subscriber)
	} else {
		person(b, "IL", r.Subscriber)
		b.add("HL", "4", "3", "23", "0")
		r.trace(b)
		person(b, "03", *r.Dependent)
	}
	b.add("DTP", "291", "D8", r.DateOfService.Format("20060102"))
	r.inquiries(b)
	return b.segs, nil
}

// segmentArena builds segments whose elements share one backing array, so a
// request costs a few allocations rather than one per segment.
type segmentArena struct {
	elements []string
	segs     []Segment
}

func (a *segmentArena) add(id string, elements ...string) {
	start := len(a.elements)
	a.elements = append(a.elements, elements...)
	end := len(a.elements)
	a.segs = append(a.segs, Segment{ID: id, Elements: a.elements[start:end:end], Index: -1, Offset: -1})
}

func (r Request270) trace(b *segmentArena) {
	origin := r.TraceOriginator
	if origin == "" {
		origin = "9" + r.ProviderNPI[:9]
	}
	b.add("TRN", "1", r.TraceNumber, origin)
}

// inquiries returns the 2110 EQ segments: the service types in one repeated EQ01,
// then a procedure-level EQ when a code is asked for.
func (r Request270) inquiries(b *segmentArena) {
	types := "30"
	if len(r.ServiceTypes) > 0 {
		types = Repeat(r.ServiceTypes...)
	}
	b.add("EQ", types)
	if r.ProcedureCode != "" {
		b.add("EQ", "", "HC"+string(DefaultDelimiters.Component)+r.ProcedureCode)
	}
}

// person adds NM1 and, when known, DMG for a subscriber (IL) or a dependent (03).
func person(b *segmentArena, entity string, p Person) {
	if p.MemberID != "" {
		b.add("NM1", entity, "1", p.LastName, p.FirstName, p.MiddleName, "", "", "MI", p.MemberID)
	} else {
		b.add("NM1", entity, "1", p.LastName, p.FirstName, p.MiddleName)
	}
	if !p.BirthDate.IsZero() || p.Sex != "" {
		dob := ""
		if !p.BirthDate.IsZero() {
			dob = p.BirthDate.Format("20060102")
		}
		b.add("DMG", "D8", dob, p.Sex)
	}
}

func boolFlag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Build270 returns a complete interchange holding one 270 transaction set per
// request, in one HS group whose control number is the interchange's. It returns
// the first validation or encoding error.
func Build270(w Writer, env Envelope, reqs ...Request270) ([]byte, error) {
	if len(reqs) == 0 {
		return nil, fmt.Errorf("x12: build 270: no request")
	}
	g := Group{FunctionalID: "HS", ControlNumber: env.ControlNumber, Version: Version5010X279}
	for i, r := range reqs {
		body, err := r.Body270(env.Time)
		if err != nil {
			return nil, fmt.Errorf("build 270 #%d: %w", i+1, err)
		}
		set := TransactionSet{Code: "270", ControlNumber: fmt.Sprintf("%04d", i+1), Body: body}
		g.Sets = append(g.Sets, set)
	}
	return w.Write(env, g)
}

// ControlNumberFrom derives a 9-digit interchange control number from t, for
// callers without a sequence of their own: unique per second within a year.
func ControlNumberFrom(t time.Time) int {
	t = t.UTC()
	n, _ := strconv.Atoi(t.Format("002150405")) // day of year, hour, minute, second
	return n%999999999 + 1
}
