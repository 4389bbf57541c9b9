package x12

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse271MedicareFFS(t *testing.T) {
	rs := MustParse271(t, "271_medicare_ffs.x12")
	if len(rs) != 1 {
		t.Fatalf("got %d responses, want 1", len(rs))
	}
	r := rs[0]
	head := struct {
		Reference string
		Traces    []Trace
		Payer     Entity
		Member    Member
		Active    bool
		Plans     []string
	}{r.Reference, r.Traces, r.Payer, r.Subscriber, r.Active, nil}
	for _, p := range r.Plans {
		head.Plans = append(head.Plans, p.InsuranceType+"/"+p.Status+"/"+p.Name)
	}
	wantHead := struct {
		Reference string
		Traces    []Trace
		Payer     Entity
		Member    Member
		Active    bool
		Plans     []string
	}{
		Reference: "REF0001",
		Traces:    []Trace{{"2", "TRACE0001", "9123456789"}, {"1", "PAYERTRACE77", "9876543210"}},
		Payer:     Entity{Code: "PR", Name: "CMS", IDQualifier: "PI", ID: "CMS"},
		Member: Member{MemberID: "1EG4TE5MK01", FirstName: "JANE", MiddleName: "Q", LastName: "DOE",
			BirthDate: "1945-03-12", Sex: "F"},
		Active: true,
		Plans:  []string{"MA/1/", "MB/1/"},
	}
	if diff := cmp.Diff(wantHead, head); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	partB := r.Plans[1]
	wantDeductible := []Accumulator{{Level: "IND", ServiceTypes: []string{"30"}, Period: "23",
		Total: cents(28300), Met: cents(19950), Remaining: cents(8350)}}
	if diff := cmp.Diff(wantDeductible, partB.Deductibles); diff != "" {
		t.Errorf("Part B deductible (-want +got):\n%s", diff)
	}
	wantCoins := []CostShare{{Level: "IND", ServiceTypes: []string{"30"}, Percent: pct(20)}}
	if diff := cmp.Diff(wantCoins, partB.Coinsurance); diff != "" {
		t.Errorf("Part B coinsurance (-want +got):\n%s", diff)
	}
	wantDates := []DateInfo{{Qualifier: "307", Meaning: "eligibility", From: "2010-03-01"}}
	if diff := cmp.Diff(wantDates, partB.Dates); diff != "" {
		t.Errorf("Part B dates (-want +got):\n%s", diff)
	}
	unknown := partB.Benefits[len(partB.Benefits)-1]
	if unknown.Code != "X9" || unknown.CodeName != "" || unknown.Raw != "EB*X9*IND*30*MB" {
		t.Errorf("unknown EB01 not kept raw: %+v", unknown.Raw)
	}
	if got := r.Plans[0].Deductibles[0]; got.Period != "26" || *got.Total != 173600 || got.Met != nil {
		t.Errorf("Part A deductible per episode = %+v", got)
	}
}

func TestParse271FamilyAmounts(t *testing.T) {
	r := MustParse271(t, "271_family_pipe_newline.x12")[0]
	if len(r.Plans) != 1 {
		t.Fatalf("got %d plans, want 1", len(r.Plans))
	}
	p := r.Plans[0]
	st := []string{"30"}
	wantDeductibles := []Accumulator{
		{Level: "IND", Network: "Y", ServiceTypes: st, Period: "23", Total: cents(150000),
			Met: cents(50000), Remaining: cents(100000)},
		{Level: "FAM", Network: "Y", ServiceTypes: st, Period: "23", Total: cents(300000),
			Met: cents(125000), Remaining: cents(175000)},
		{Level: "IND", Network: "N", ServiceTypes: st, Period: "23", Total: cents(300000)},
	}
	wantOOP := []Accumulator{
		{Level: "IND", Network: "Y", ServiceTypes: st, Period: "23", Total: cents(600000),
			Met: cents(179950), Remaining: cents(420050)},
		{Level: "FAM", Network: "Y", ServiceTypes: st, Period: "23", Total: cents(1200000),
			Met: cents(300000), Remaining: cents(900000)},
	}
	wantCopays := []CostShare{{Level: "IND", Network: "Y", ServiceTypes: []string{"98"},
		Amount: cents(4000), Period: "27"}}
	wantCoins := []CostShare{
		{Level: "IND", Network: "Y", ServiceTypes: []string{"2"}, Procedure: "HC:15275", Percent: pct(20)},
		{Level: "IND", Network: "N", ServiceTypes: []string{"2"}, Percent: pct(40)},
	}
	for _, c := range []struct {
		name      string
		want, got any
	}{
		{"deductibles", wantDeductibles, p.Deductibles},
		{"out of pocket", wantOOP, p.OutOfPocket},
		{"copays", wantCopays, p.Copays},
		{"coinsurance", wantCoins, p.Coinsurance},
		{"plan", "PR/GOLD PPO 1500/true", p.InsuranceType + "/" + p.Name + "/" + boolText(p.Active)},
		{"prior auth", []string{"HC:15275"}, p.PriorAuth},
		{"messages", []string{"PRIOR AUTHORIZATION REQUIRED FOR SKIN SUBSTITUTE GRAFTS"}, p.Messages},
		{"group", "GRP4455", r.Subscriber.GroupNumber},
		{"payer contacts", []string{"TE:8005550100", "UR:WWW.EXAMPLE.COM"}, r.Payer.Contacts},
		{"dates", []DateInfo{{"346", "plan begin", "2025-01-01", "", ""},
			{"347", "plan end", "2026-12-31", "", ""}}, r.Dates},
	} {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	if !p.PriorAuthRequired {
		t.Error("PriorAuthRequired = false, want true")
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestParse271MedicareAdvantage(t *testing.T) {
	r := MustParse271(t, "271_medicare_advantage_caret_bang.x12")[0]
	want := []OtherPayer{{
		InsuranceType: "HN", InsuranceTypeName: "HMO - Medicare risk (Medicare Advantage)",
		PlanName: "EXAMPLE MEDICARE ADVANTAGE HMO", ServiceTypes: []string{"30"},
		Entities: []Entity{{Code: "PRP", Name: "EXAMPLE HEALTH PLAN", IDQualifier: "PI", ID: "H9999",
			Address: []string{"PO BOX 100", "DALLAS TX 75201"}, Contacts: []string{"TE:8005550199"}}},
		Dates: []DateInfo{{Qualifier: "290", Meaning: "coordination of benefits", From: "2026-01-01"}},
	}}
	if diff := cmp.Diff(want, r.OtherPayers); diff != "" {
		t.Errorf("other payers (-want +got):\n%s", diff)
	}
	if len(r.Plans) != 2 || !r.Active {
		t.Errorf("got %d plans, active %v; want Part A and B active", len(r.Plans), r.Active)
	}
}

func TestParse271RejectionsEveryLoop(t *testing.T) {
	rs := MustParse271(t, "271_rejections_multi.x12")
	rs = append(rs, MustParse271(t, "271_dependent_inactive.x12")...)
	type row struct {
		Ref, Loop, Reason, FollowUp, Segment string
		Actor                                Actor
		Known                                bool
	}
	var got []row
	for _, r := range rs {
		for _, j := range r.Rejections {
			known := !strings.Contains(j.Explanation, "we do not know")
			got = append(got, row{r.Reference, j.Loop, j.Reason, j.FollowUp, j.Segment, j.Actor, known})
		}
	}
	want := []row{
		{"REF0101", "2000A", "79", "N", "AAA*N**79*N", ActorPayer, true},
		{"REF0101", "2100A", "42", "R", "AAA*N**42*R", ActorPayer, true},
		{"REF0102", "2100B", "51", "N", "AAA*N**51*N", ActorProvider, true},
		{"REF0102", "2100B", "43", "C", "AAA*N**43*C", ActorProvider, true},
		{"REF0103", "2100C", "72", "C", "AAA*Y**72*C", ActorSubscriber, true},
		{"REF0103", "2100C", "73", "C", "AAA*N**73*C", ActorSubscriber, true},
		{"REF0103", "2110C", "AG", "C", "AAA*N**AG*C", ActorInquiry, true},
		{"REF0103", "2110C", "Z9", "W", "AAA*N**Z9*W", ActorInquiry, false},
		{"REF0104", "2100D", "71", "C", "AAA*N**71*C", ActorSubscriber, true},
		{"REF0201", "2110D", "53", "C", "AAA*N**53*C", ActorInquiry, true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	if r := rs[0].Rejections[1]; r.FollowUpText != "resubmission allowed" || r.Explanation == "" {
		t.Errorf("rejection not explained: %+v", r)
	}
}

func TestParse271DependentAndInactive(t *testing.T) {
	rs := MustParse271(t, "271_dependent_inactive.x12")
	if len(rs) != 2 {
		t.Fatalf("got %d responses, want 2", len(rs))
	}
	dep := rs[0]
	if dep.Dependent == nil || dep.Dependent.FirstName != "JUNIOR" || dep.Subscriber.MemberID != "XYZ123456789" {
		t.Fatalf("dependent not read: %v", dep.Dependent == nil)
	}
	if got := dep.Plans[0].Benefits[0].Loop; got != "2110D" {
		t.Errorf("dependent benefit loop %s, want 2110D", got)
	}
	if diff := cmp.Diff([]DateInfo{{"346", "plan begin", "2025-01-01", "", ""}}, dep.Dates); diff != "" {
		t.Errorf("dependent dates (-want +got):\n%s", diff)
	}
	inactive := rs[1]
	p := inactive.Plans[0]
	got := []any{inactive.Active, p.Active, p.Status, p.StatusName, p.InsuranceTypeName, p.Messages, p.Dates}
	want := []any{false, false, "6", "inactive", "commercial", []string{"COVERAGE TERMINATED"},
		[]DateInfo{{"346", "plan begin", "2020-01-01", "", ""}, {"347", "plan end", "2025-12-31", "", ""}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inactive plan (-want +got):\n%s", diff)
	}
}

func TestParse271Errors(t *testing.T) {
	ffs := string(MustReadFixture(t, "271_medicare_ffs.x12"))
	tests := []struct {
		name   string
		input  string
		reason string
	}{
		{"Not271", strings.Replace(ffs, "ST*271", "ST*270", 1), `transaction set is "270", not 271`},
		{"NoBHT", strings.Replace(ffs, "BHT*0022", "REF*0022", 1), "a 271 must start with BHT"},
		{"BadHL", strings.Replace(ffs, "HL*3*2*22*0", "HL*3*2*99*0", 1), "unknown hierarchical level code in HL03"},
		{"EBAtPayer", strings.Replace(ffs, "NM1*PR*2*CMS*****PI*CMS", "EB*1", 1),
			"EB outside a subscriber or dependent loop"},
		{"LSWithoutEB", strings.Replace(ffs, "TRN*1*PAYERTRACE77*9876543210", "LS*2120", 1),
			"loop 2120 outside a 2110 benefit loop"},
		{"BeforeHL", strings.Replace(ffs, "HL*1**20*1", "DTP*291*D8*20260101", 1), "segment before the first HL loop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Parse271([]byte(tt.input))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse271 error = %v, want *SyntaxError", err)
			}
			if se.Reason != tt.reason || rs != nil {
				t.Errorf("reason %q (responses %d), want %q", se.Reason, len(rs), tt.reason)
			}
		})
	}
}

func TestParse271KeepsMalformedAmounts(t *testing.T) {
	ffs := strings.Replace(string(MustReadFixture(t, "271_medicare_ffs.x12")),
		"EB*C*IND*30*MB**29*83.5", "EB*C*IND*30*MB**29*8x.5", 1)
	ffs = strings.Replace(ffs, "EB*A*IND*30*MB****.2", "EB*A*IND*30*MB****1.7", 1)
	r, err := ParseSingle271([]byte(ffs))
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	for _, b := range r.Plans[1].Benefits {
		problems = append(problems, b.Problems...)
	}
	want := []string{"EB07: not a decimal amount", "EB08: not a fraction between 0 and 1"}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseCents(t *testing.T) {
	tests := []struct {
		in   string
		want Cents
		ok   bool
	}{
		{"1500", 150000, true}, {"1500.00", 150000, true}, {"83.5", 8350, true}, {".5", 50, true},
		{"-12.25", -1225, true}, {"0", 0, true}, {"1.234", 0, false}, {"", 0, false},
		{"12a", 0, false}, {"-", 0, false}, {"1e3", 0, false}, {".", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseCents(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if got := Cents(-1225).String(); got != "-12.25" {
		t.Errorf("String() = %q", got)
	}
}

func TestParse271ManyPlansStaysBounded(t *testing.T) {
	var body []Segment
	body = append(body, NewSegment("BHT", "0022", "11", "R"), NewSegment("HL", "1", "", "22", "0"))
	for i := range 20000 {
		name := "PLAN" + strconv.Itoa(i)
		body = append(body, NewSegment("EB", "1", "IND", "30", "", name),
			NewSegment("EB", "C", strconv.Itoa(i), "30", "", "", "23", "100"))
	}
	data, err := Writer{Delimiters: DefaultDelimiters}.Write(testEnvelope(1),
		Group{FunctionalID: "HB", ControlNumber: 1, Sets: []TransactionSet{{Code: "271", Body: body}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseSingle271(data)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, p := range r.Plans {
		total += len(p.Benefits)
	}
	if len(r.Plans) != maxPlans || total != 40000 {
		t.Errorf("got %d plans holding %d lines; want %d plans and every line kept", len(r.Plans), total, maxPlans)
	}
}
