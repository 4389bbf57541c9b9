package x12

import (
	"errors"
	"fmt"
	"strings"
)

// Parse271 reads an interchange of 271 responses and returns one summary per
// patient, in order. Structural faults return a *SyntaxError and no summaries.
// When only trailer counts or control numbers are wrong, the summaries are
// returned together with the *EnvelopeError.
func Parse271(data []byte) ([]Response271, error) {
	ic, err := Parse(data)
	if ic == nil {
		return nil, err
	}
	envErr := err
	var out []Response271
	for _, g := range ic.Groups {
		for _, t := range g.Transactions {
			rs, err := ParseTransaction271(t)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
	}
	return out, envErr
}

// ParseTransaction271 summarises one 271 transaction set: one Response271 per
// subscriber loop, or a single one holding the rejections when the payer answered
// before any subscriber loop. It returns a *SyntaxError for a set that is not a 271
// or whose loops are out of order.
func ParseTransaction271(t Transaction) ([]Response271, error) {
	if t.Code != "271" {
		return nil, txError(t, 0, fmt.Sprintf("transaction set is %q, not 271", t.Code))
	}
	body := t.Body()
	if len(body) == 0 || body[0].ID != "BHT" {
		return nil, txError(t, 1, "a 271 must start with BHT")
	}
	p := &parser271{tx: t, reference: body[0].Element(3)}
	for _, seg := range body {
		if seg.ID == "EB" {
			p.ebLeft++ // sizes the patients' benefit lists
		}
	}
	for _, seg := range body[1:] {
		if err := p.segment(seg); err != nil {
			return nil, err
		}
	}
	return p.finish(), nil
}

func txError(t Transaction, i int, reason string) error {
	seg := t.Segments[0]
	if i < len(t.Segments) {
		seg = t.Segments[i]
	}
	return &SyntaxError{Index: seg.Index, Offset: seg.Offset, SegmentID: seg.ID, Reason: reason}
}

// parser271 walks a 271's segments, tracking the loop each belongs to.
type parser271 struct {
	tx        Transaction
	reference string
	payer     Entity
	provider  Entity
	shared    []Rejection // 2000A/2100A/2000B/2100B, shown to every patient
	patients  []*patient
	level     string // HL03: 20, 21, 22, 23
	loop      string // current loop id, e.g. 2100C
	benefit   *Benefit
	inLS      bool
	ebLeft    int // EB segments not yet read
}

// patient collects one subscriber loop and its dependent.
type patient struct {
	resp     Response271
	benefits []Benefit
	dates    []DateInfo
}

// loopLetters maps HL03 to the letter of its loops.
var loopLetters = map[string]string{"20": "A", "21": "B", "22": "C", "23": "D"}

func (p *parser271) segment(s Segment) error {
	switch s.ID {
	case "HL":
		return p.hl(s)
	case "NM1":
		return p.nm1(s)
	case "EB":
		return p.eb(s)
	case "AAA":
		p.aaa(s)
		return nil
	case "LS":
		p.inLS, p.loop = true, "2120"+loopLetters[p.level]
		return p.needBenefit(s)
	case "LE":
		p.inLS, p.loop = false, "2110"+loopLetters[p.level]
		return nil
	case "SE":
		return nil
	}
	if p.level == "" {
		return &SyntaxError{Index: s.Index, Offset: s.Offset, SegmentID: s.ID,
			Reason: "segment before the first HL loop"}
	}
	p.detail(s)
	return nil
}

func (p *parser271) hl(s Segment) error {
	level := s.Element(3)
	letter, ok := loopLetters[level]
	if !ok {
		return &SyntaxError{Index: s.Index, Offset: s.Offset, SegmentID: "HL",
			Reason: "unknown hierarchical level code in HL03"}
	}
	if level == "23" && len(p.patients) == 0 {
		return &SyntaxError{Index: s.Index, Offset: s.Offset, SegmentID: "HL",
			Reason: "dependent level (23) without a subscriber level (22)"}
	}
	p.level, p.loop, p.benefit, p.inLS = level, "2000"+letter, nil, false
	if level == "22" {
		pt := &patient{resp: Response271{ControlNumber: p.tx.ControlNumber,
			Reference: p.reference, Payer: p.payer, Provider: p.provider},
			benefits: make([]Benefit, 0, p.ebLeft)}
		p.patients = append(p.patients, pt)
	}
	if level == "23" {
		p.current().resp.Dependent = &Member{}
	}
	return nil
}

func (p *parser271) current() *patient { return p.patients[len(p.patients)-1] }

func (p *parser271) nm1(s Segment) error {
	e := entityFrom(s)
	if p.inLS {
		if err := p.needBenefit(s); err != nil {
			return err
		}
		p.benefit.Entities = append(p.benefit.Entities, e)
		return nil
	}
	if p.level == "" {
		return &SyntaxError{Index: s.Index, Offset: s.Offset, SegmentID: "NM1",
			Reason: "segment before the first HL loop"}
	}
	p.loop = "2100" + loopLetters[p.level]
	switch p.level {
	case "20":
		p.payer = e
	case "21":
		p.provider = e
	case "22":
		p.memberFrom(&p.current().resp.Subscriber, s)
	case "23":
		p.memberFrom(p.current().resp.Dependent, s)
	}
	return nil
}

func entityFrom(s Segment) Entity {
	return Entity{Code: s.Element(1), Name: s.Element(3), FirstName: s.Element(4),
		IDQualifier: s.Element(8), ID: s.Element(9)}
}

func (p *parser271) memberFrom(m *Member, s Segment) {
	m.LastName, m.FirstName, m.MiddleName = s.Element(3), s.Element(4), s.Element(5)
	if s.Element(9) != "" {
		m.MemberID = s.Element(9)
	}
}

func (p *parser271) needBenefit(s Segment) error {
	if p.benefit == nil {
		return &SyntaxError{Index: s.Index, Offset: s.Offset, SegmentID: s.ID,
			Reason: "loop 2120 outside a 2110 benefit loop"}
	}
	return nil
}

func (p *parser271) aaa(s Segment) {
	r := RejectionFromSegment(s, p.loop)
	if len(p.patients) == 0 || p.level == "20" || p.level == "21" {
		p.shared = append(p.shared, r)
		return
	}
	pt := p.current()
	pt.resp.Rejections = append(pt.resp.Rejections, r)
}

// RejectionFromSegment explains an AAA segment read in loop (such as "2100C"),
// keeping the segment verbatim.
func RejectionFromSegment(s Segment, loop string) Rejection {
	r := ExplainRejection(loop, s.Element(1), s.Element(3), s.Element(4))
	r.Segment = s.Raw()
	if r.Segment == "" {
		r.Segment = "AAA*" + strings.Join(s.Elements, "*")
	}
	return r
}

// ExplainRejection returns the rejection for an AAA with the given loop, AAA01
// (valid), AAA03 (reason) and AAA04 (follow-up), with its plain-language
// explanation and the party that must act. Segment is left for the caller.
func ExplainRejection(loop, valid, reason, followUp string) Rejection {
	if loop == "" {
		loop = "unknown"
	}
	r := Rejection{Loop: loop, Valid: valid, Reason: reason, FollowUp: followUp,
		FollowUpText: followUpNames[followUp], Actor: actorForLoop(loop)}
	if reason, ok := rejectReasons[r.Reason]; ok {
		r.Explanation = reason.text
		if reason.actor != "" {
			r.Actor = reason.actor
		}
	} else {
		r.Explanation = "The payer rejected the request with a reason code we do not know."
	}
	return r
}

// actorForLoop is the party a rejection falls to by default: the loop it is in.
func actorForLoop(loop string) Actor {
	switch {
	case strings.HasSuffix(loop, "A"):
		return ActorPayer
	case strings.HasSuffix(loop, "B"):
		return ActorProvider
	case strings.HasPrefix(loop, "2110"):
		return ActorInquiry
	}
	return ActorSubscriber
}

func (p *parser271) eb(s Segment) error {
	if p.level != "22" && p.level != "23" {
		return &SyntaxError{Index: s.Index, Offset: s.Offset, SegmentID: "EB",
			Reason: "EB outside a subscriber or dependent loop"}
	}
	p.loop, p.inLS = "2110"+loopLetters[p.level], false
	pt := p.current()
	p.ebLeft--
	pt.benefits = append(pt.benefits, BenefitFromSegment(s, p.loop))
	p.benefit = &pt.benefits[len(pt.benefits)-1]
	return nil
}

// detail handles the segments that add to the current loop.
func (p *parser271) detail(s Segment) {
	switch s.ID {
	case "TRN":
		if len(p.patients) > 0 {
			pt := p.current()
			pt.resp.Traces = append(pt.resp.Traces,
				Trace{Type: s.Element(1), Number: s.Element(2), Originator: s.Element(3)})
		}
	case "DMG":
		if m := p.member(); m != nil {
			m.BirthDate, m.Sex = formatDate(s.Element(2)), s.Element(3)
		}
	case "REF":
		if m := p.member(); m != nil && s.Element(1) == "6P" && p.benefit == nil {
			m.GroupNumber = s.Element(2)
		}
	case "DTP":
		p.dtp(s)
	case "MSG":
		if p.benefit != nil {
			p.benefit.Messages = append(p.benefit.Messages, s.Element(1))
		}
	case "N3", "N4", "PER":
		p.contact(s)
	}
}

// member returns the subscriber or dependent of the current 2100 loop, if any.
func (p *parser271) member() *Member {
	if len(p.patients) == 0 || p.benefit != nil {
		return nil
	}
	switch p.level {
	case "22":
		return &p.current().resp.Subscriber
	case "23":
		return p.current().resp.Dependent
	}
	return nil
}

func (p *parser271) dtp(s Segment) {
	d := dateFrom(s)
	switch {
	case p.benefit != nil && !p.inLS:
		p.benefit.Dates = append(p.benefit.Dates, d)
	case p.benefit == nil && len(p.patients) > 0 && (p.level == "22" || p.level == "23"):
		pt := p.current()
		pt.dates = append(pt.dates, d)
	}
}

// contact adds N3, N4 and PER details to the loop-2120 entity or to the payer.
func (p *parser271) contact(s Segment) {
	var e *Entity
	switch {
	case p.inLS && p.benefit != nil && len(p.benefit.Entities) > 0:
		e = &p.benefit.Entities[len(p.benefit.Entities)-1]
	case p.level == "20":
		e = &p.payer
	default:
		return // addresses of the patient or provider are not summarised
	}
	if s.ID == "PER" {
		for i := 3; i+1 <= len(s.Elements); i += 2 {
			if s.Element(i) != "" {
				e.Contacts = append(e.Contacts, s.Element(i)+":"+s.Element(i+1))
			}
		}
		return
	}
	e.Address = append(e.Address, strings.Join(nonEmpty(s.Elements), " "))
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func dateFrom(s Segment) DateInfo {
	d := DateInfo{Qualifier: s.Element(1), Meaning: dateQualifierNames[s.Element(1)]}
	v := s.Element(3)
	switch s.Element(2) {
	case "D8":
		if d.From = formatDate(v); d.From != "" {
			return d
		}
	case "RD8":
		from, to, ok := strings.Cut(v, "-")
		d.From, d.To = formatDate(from), formatDate(to)
		if ok && d.From != "" && d.To != "" {
			return d
		}
	}
	d.From, d.To, d.Raw = "", "", v
	return d
}

// formatDate turns CCYYMMDD into YYYY-MM-DD, or returns "" if v is not one.
func formatDate(v string) string {
	if len(v) != 8 || !digits(v) {
		return ""
	}
	return v[:4] + "-" + v[4:6] + "-" + v[6:]
}

func (p *parser271) finish() []Response271 {
	if len(p.patients) == 0 {
		return []Response271{{ControlNumber: p.tx.ControlNumber, Reference: p.reference,
			Payer: p.payer, Provider: p.provider, Rejections: p.shared}}
	}
	out := make([]Response271, len(p.patients))
	for i, pt := range p.patients {
		r := pt.resp
		r.Rejections = append(append([]Rejection(nil), p.shared...), r.Rejections...)
		r.Dates = pt.dates
		r.AddBenefits(pt.benefits)
		out[i] = r
	}
	return out
}

// errNoResponse is returned by callers that want exactly one summary.
var errNoResponse = errors.New("x12: no 271 response in the interchange")

// ParseSingle271 is Parse271 for the common case of one inquiry: it returns the
// first summary, or an error if there is none. An *EnvelopeError is returned with
// the summary, as in Parse271.
func ParseSingle271(data []byte) (Response271, error) {
	rs, err := Parse271(data)
	if len(rs) == 0 {
		if err == nil {
			err = errNoResponse
		}
		return Response271{}, err
	}
	return rs[0], err
}
