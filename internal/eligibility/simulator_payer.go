package eligibility

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/openivr/ivr/x12"
)

// inquiry270 is what the simulated payer reads from a 270.
type inquiry270 struct {
	reference        string
	payer, provider  x12.Segment // NM1*PR, NM1*1P
	subscriber       x12.Segment // NM1*IL
	dependent        *x12.Segment
	subDMG, depDMG   x12.Segment
	trace            x12.Segment // TRN of the patient's loop
	serviceDate      time.Time
	serviceTypes     []string
	procedure        string
	hasDependentLoop bool
}

// read270 collects the payer's view of one 270 transaction set.
func read270(tx x12.Transaction) (inquiry270, error) {
	if tx.Code != "270" {
		return inquiry270{}, fmt.Errorf("transaction set %s is not a 270", tx.ControlNumber)
	}
	var q inquiry270
	for _, seg := range tx.Body() {
		switch seg.ID {
		case "BHT":
			q.reference = seg.Element(3)
		case "HL":
			q.hasDependentLoop = q.hasDependentLoop || seg.Element(3) == "23"
		case "NM1":
			q.readName(seg)
		case "DMG":
			if q.hasDependentLoop {
				q.depDMG = seg
			} else {
				q.subDMG = seg
			}
		case "TRN":
			q.trace = seg
		case "DTP":
			if seg.Element(1) == "291" && seg.Element(2) == "D8" {
				q.serviceDate, _ = time.Parse("20060102", seg.Element(3))
			}
		case "EQ":
			q.serviceTypes = append(q.serviceTypes, seg.Repetitions(1)...)
			if seg.Component(2, 1) == "HC" {
				q.procedure = seg.Component(2, 2)
			}
		}
	}
	if q.subscriber.ID == "" || q.payer.ID == "" || q.provider.ID == "" {
		return inquiry270{}, fmt.Errorf("270 set %s lacks the payer, provider or subscriber NM1",
			tx.ControlNumber)
	}
	return q, nil
}

func (q *inquiry270) readName(seg x12.Segment) {
	switch seg.Element(1) {
	case "PR":
		q.payer = seg
	case "1P":
		q.provider = seg
	case "IL":
		q.subscriber = seg
	case "03":
		q.dependent = &seg
	}
}

// answer writes the 271 body for one inquiry, following the scenario its
// subscriber's member id selects.
func answer(q inquiry270, now time.Time) []x12.Segment {
	sc := SimulatorScenarioFor(q.subscriber.Element(9))
	b := &builder271{q: q, now: now}
	if q.serviceDate.IsZero() {
		b.q.serviceDate = now
	}
	b.add("BHT", "0022", "11", q.reference, now.Format("20060102"), now.Format("1504"))
	if sc == ScenarioPayerUnavailable {
		b.add("HL", "1", "", "20", "0")
		b.add("NM1", "PR", "2", q.payer.Element(3), "", "", "", "", "PI", q.payer.Element(9))
		b.add("AAA", "N", "", "42", "R")
		return b.segs
	}
	b.add("HL", "1", "", "20", "1")
	b.add("NM1", "PR", "2", q.payer.Element(3), "", "", "", "", "PI", q.payer.Element(9))
	b.add("PER", "IC", "PROVIDER SERVICES", "TE", "8005550100")
	if sc == ScenarioInvalidProviderID || sc == ScenarioProviderNotOnFile {
		b.add("HL", "2", "1", "21", "0")
		b.echo(q.provider)
		b.add("AAA", "N", "", map[Scenario]string{ScenarioInvalidProviderID: "43",
			ScenarioProviderNotOnFile: "51"}[sc], "N")
		return b.segs
	}
	b.add("HL", "2", "1", "21", "1")
	b.echo(q.provider)
	b.patient(sc)
	return b.segs
}

// builder271 accumulates 271 segments.
type builder271 struct {
	q    inquiry270
	now  time.Time
	segs []x12.Segment
}

func (b *builder271) add(id string, elements ...string) {
	b.segs = append(b.segs, x12.NewSegment(id, elements...))
}

// echo repeats a 270 segment, re-encoded by the writer.
func (b *builder271) echo(s x12.Segment) { b.segs = append(b.segs, s) }

// patient writes the subscriber loop, the dependent loop if asked, and then the
// scenario's rejection or benefits in the patient's loop.
func (b *builder271) patient(sc Scenario) {
	dep := b.q.dependent != nil
	b.add("HL", "3", "2", "22", boolDigit(dep))
	if !dep {
		b.traces()
	}
	b.echo(b.q.subscriber)
	if reason := subscriberReject(sc, dep); reason != "" {
		b.add("AAA", "N", "", reason, "C")
		return
	}
	if b.q.subDMG.ID != "" {
		b.echo(b.q.subDMG)
	}
	if dep {
		b.add("HL", "4", "3", "23", "0")
		b.traces()
		b.echo(*b.q.dependent)
		if sc == ScenarioBirthDateMismatch || sc == ScenarioNameMismatch {
			b.add("AAA", "N", "", map[Scenario]string{ScenarioBirthDateMismatch: "71",
				ScenarioNameMismatch: "73"}[sc], "C")
			return
		}
		if b.q.depDMG.ID != "" {
			b.echo(b.q.depDMG)
		}
	}
	b.benefits(sc)
}

// subscriberReject returns the AAA03 for a scenario that rejects in loop 2100C.
// Name and birth-date mismatches fall to the dependent when there is one.
func subscriberReject(sc Scenario, dependent bool) string {
	switch sc {
	case ScenarioInvalidMemberID:
		return "72"
	case ScenarioSubscriberNotFound:
		return "75"
	case ScenarioBirthDateMismatch:
		if !dependent {
			return "71"
		}
	case ScenarioNameMismatch:
		if !dependent {
			return "73"
		}
	}
	return ""
}

func (b *builder271) traces() {
	if b.q.trace.ID != "" {
		b.add("TRN", "2", b.q.trace.Element(2), b.q.trace.Element(3))
	}
	b.add("TRN", "1", "SIM"+b.now.Format("20060102150405"), "9PAYERSIM0")
}

func boolDigit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

// memberHash varies amounts per member id, deterministically.
func (b *builder271) memberHash() uint32 {
	h := fnv.New32a()
	h.Write([]byte(b.q.subscriber.Element(9)))
	return h.Sum32()
}

// dollars formats whole dollars as an EB07 amount.
func dollars(n int) string { return strconv.Itoa(n) }
