package eligibility

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/openivr/ivr/x12"
)

// Scenario is how the Simulator's payer answers an inquiry.
type Scenario string

// The Simulator's scenarios. Rejections carry the AAA reason code they answer with.
const (
	ScenarioActiveMedicareFFS  Scenario = "active_medicare_ffs"
	ScenarioActiveCommercial   Scenario = "active_commercial_ppo"
	ScenarioPriorAuthRequired  Scenario = "prior_auth_required"
	ScenarioMedicareAdvantage  Scenario = "medicare_advantage"
	ScenarioInactive           Scenario = "inactive"
	ScenarioPayerUnavailable   Scenario = "payer_unavailable"    // AAA 42, loop 2100A
	ScenarioInvalidProviderID  Scenario = "invalid_provider_id"  // AAA 43, loop 2100B
	ScenarioProviderNotOnFile  Scenario = "provider_not_on_file" // AAA 51, loop 2100B
	ScenarioBirthDateMismatch  Scenario = "birth_date_mismatch"  // AAA 71, loop 2100C/D
	ScenarioInvalidMemberID    Scenario = "invalid_member_id"    // AAA 72, loop 2100C
	ScenarioNameMismatch       Scenario = "name_mismatch"        // AAA 73, loop 2100C/D
	ScenarioSubscriberNotFound Scenario = "subscriber_not_found" // AAA 75, loop 2100C
)

// ScenarioInfo describes one scenario: the member-id suffix that selects it.
type ScenarioInfo struct {
	Scenario    Scenario `json:"scenario"`
	Suffix      string   `json:"suffix"`
	Description string   `json:"description"`
}

// simulatorScenarios maps the last two characters of the subscriber's member id to
// a scenario. Rejections use their AAA reason code as the suffix. A Medicare
// Beneficiary Identifier always ends in two digits, so each suffix fits an
// MBI-shaped id.
var simulatorScenarios = []ScenarioInfo{
	{ScenarioActiveMedicareFFS, "10",
		"active Medicare Part A and B, Part B deductible and 20% coinsurance"},
	{ScenarioActiveCommercial, "20",
		"active PPO, individual and family deductible and out-of-pocket"},
	{ScenarioPriorAuthRequired, "30",
		"active HMO, surgical services and the asked procedure need prior authorization"},
	{ScenarioMedicareAdvantage, "40",
		"Medicare names a Medicare Advantage plan (EB*R, loop 2120C) that decides"},
	{ScenarioInactive, "50", "coverage ended last year"},
	{ScenarioPayerUnavailable, "42", "payer cannot respond now (AAA 42 in 2100A); retry later"},
	{ScenarioInvalidProviderID, "43", "provider NPI invalid (AAA 43 in 2100B)"},
	{ScenarioProviderNotOnFile, "51", "provider not on file (AAA 51 in 2100B)"},
	{ScenarioBirthDateMismatch, "71",
		"birth date does not match (AAA 71 in the patient's 2100 loop)"},
	{ScenarioInvalidMemberID, "72", "member id invalid (AAA 72 in 2100C)"},
	{ScenarioNameMismatch, "73", "name does not match (AAA 73 in the patient's 2100 loop)"},
	{ScenarioSubscriberNotFound, "75", "subscriber not found (AAA 75 in 2100C)"},
}

// SimulatorScenarios lists every scenario with the member-id suffix that selects
// it, for the demo seeder and the documentation.
func SimulatorScenarios() []ScenarioInfo {
	return append([]ScenarioInfo(nil), simulatorScenarios...)
}

// SimulatorScenarioFor returns the scenario the Simulator plays for a subscriber's
// member id: chosen by its last two characters, active Medicare fee-for-service
// when the suffix is not in the table.
func SimulatorScenarioFor(memberID string) Scenario {
	id := strings.ToUpper(strings.TrimSpace(memberID))
	for _, s := range simulatorScenarios {
		if strings.HasSuffix(id, s.Suffix) {
			return s.Scenario
		}
	}
	return ScenarioActiveMedicareFFS
}

// mbiLetters are the letters a Medicare Beneficiary Identifier may use.
const mbiLetters = "ACDEFGHJKMNPQRTUVWXY"

// SimulatorMemberID returns the n-th (n ≥ 0) MBI-shaped member id that selects s,
// distinct for each n below 400,000. It returns "" for an unknown scenario.
func SimulatorMemberID(s Scenario, n int) string {
	suffix := ""
	for _, info := range simulatorScenarios {
		if info.Scenario == s {
			suffix = info.Suffix
		}
	}
	if suffix == "" || n < 0 {
		return ""
	}
	l := func(i int) byte { return mbiLetters[i%len(mbiLetters)] }
	d := func(i int) byte { return byte('0' + i%10) }
	// Positions: 1 digit 1-9, 2 letter, 3 alnum, 4 digit, 5 letter, 6 alnum, 7 digit,
	// 8 and 9 letters, 10 and 11 digits (the suffix).
	id := []byte{byte('1' + n%9), l(n / 9), d(n / 180), d(n / 1800), l(n / 18000),
		'E', '5', 'M', 'K'}
	return string(id) + suffix
}

// Simulator is a built-in payer for demos and tests: it answers 270s with 271s it
// writes with the x12 package, deterministically per member id (see
// SimulatorScenarioFor). It is a real X12 exchange, only the payer is simulated:
// Check builds a 270, Respond answers it as a payer would, and the 271 is parsed.
type Simulator struct {
	Payers PayerMap
	// Now defaults to time.Now; the 271's dates derive from the date of service.
	Now func() time.Time
}

var _ Clearinghouse = (*Simulator)(nil)

// Name returns "simulator".
func (s *Simulator) Name() string { return "simulator" }

// Check runs the whole exchange in-process. It fails only when the context ends or
// the inquiry cannot be encoded.
func (s *Simulator) Check(ctx context.Context, inq Inquiry) (Result, error) {
	ex := x12Exchange{name: s.Name(), payers: s.Payers,
		writer:   x12.Writer{Delimiters: x12.DefaultDelimiters, LineBreak: true},
		senderID: "OPENIVR", receiverID: "PAYERSIM", now: s.Now}
	return ex.check(ctx, inq, func(ctx context.Context, raw270 []byte) ([]byte, error) {
		if err := ctx.Err(); err != nil {
			return nil, contextError(err)
		}
		return s.Respond(raw270)
	})
}

// ServeHTTP answers a 270 posted as the request body with a 271, so the Simulator
// can stand behind the X12HTTP adapter. Malformed 270s get 400 with a reason.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a 270 interchange", http.StatusMethodNotAllowed)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	if err != nil {
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	out, err := s.Respond(raw)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/edi-x12")
	_, _ = w.Write(out)
}

// Respond answers a 270 interchange with a 271 interchange holding one 271 per
// 270 transaction set. It returns an error (naming no PHI) for malformed input.
func (s *Simulator) Respond(raw270 []byte) ([]byte, error) {
	ic, err := x12.Parse(raw270)
	if err != nil {
		return nil, fmt.Errorf("simulator: %w", err)
	}
	now := time.Now().UTC()
	if s.Now != nil {
		now = s.Now().UTC()
	}
	g := x12.Group{FunctionalID: "HB", ControlNumber: 1}
	for _, grp := range ic.Groups {
		for _, tx := range grp.Transactions {
			q, err := read270(tx)
			if err != nil {
				return nil, fmt.Errorf("simulator: %w", err)
			}
			g.Sets = append(g.Sets, x12.TransactionSet{Code: "271", Body: answer(q, now)})
		}
	}
	env := x12.Envelope{SenderID: ic.ReceiverID, ReceiverID: ic.SenderID, Time: now,
		ControlNumber: randomControlNumber(), Production: ic.Production}
	return x12.Writer{Delimiters: ic.Delimiters, LineBreak: true}.Write(env, g)
}
