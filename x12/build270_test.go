package x12

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func subscriberRequest() Request270 {
	return Request270{
		PayerName: "CMS", PayerID: "CMS", ProviderName: "WOUND CARE CLINIC", ProviderNPI: "1234567893",
		Subscriber: Person{MemberID: "1EG4TE5MK73", FirstName: "JANE", LastName: "DOE",
			BirthDate: date(1945, 3, 12), Sex: "F"},
		DateOfService: date(2026, 1, 20), TraceNumber: "TRACE0001",
		ServiceTypes: []string{"30", "2"}, ProcedureCode: "15275",
	}
}

func dependentRequest() Request270 {
	r := subscriberRequest()
	r.PayerName, r.PayerID = "BLUE EXAMPLE HEALTH", "BEH01"
	r.Subscriber = Person{MemberID: "XYZ123456789", FirstName: "JOHN", LastName: "SMITH"}
	r.Dependent = &Person{FirstName: "JUNIOR", LastName: "SMITH", BirthDate: date(2010, 1, 1), Sex: "M"}
	r.ServiceTypes, r.ProcedureCode, r.TraceNumber, r.Reference = nil, "", "TRACE0002", "BATCH7"
	return r
}

// MustGolden compares got with testdata/name, rewriting it under -update.
func MustGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want := MustReadFixture(tb, name)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		tb.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestBuild270Golden(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		writer Writer
		reqs   []Request270
	}{
		{"Subscriber", "270_subscriber.x12", Writer{Delimiters: DefaultDelimiters, LineBreak: true},
			[]Request270{subscriberRequest()}},
		{"DependentPipe", "270_dependent_pipe.x12", Writer{Delimiters: Delimiters{'|', '^', '>', '\n'}},
			[]Request270{dependentRequest()}},
		{"TwoTransactions", "270_two_sets.x12", Writer{Delimiters: DefaultDelimiters},
			[]Request270{subscriberRequest(), dependentRequest()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Build270(tt.writer, testEnvelope(900), tt.reqs...)
			if err != nil {
				t.Fatalf("Build270: %v", err)
			}
			MustGolden(t, tt.golden, got)
		})
	}
}

// summary270 reads back the fields of a built 270 that matter to a payer.
type summary270 struct {
	Reference, Payer, NPI, Member, Names, DOB, Service, Trace string
	Levels                                                    []string
	Inquiries                                                 []string
}

func read270(tb testing.TB, data []byte) []summary270 {
	tb.Helper()
	ic, err := Parse(data)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	var out []summary270
	for _, tx := range ic.Groups[0].Transactions {
		var s summary270
		for _, seg := range tx.Body() {
			switch seg.ID {
			case "BHT":
				s.Reference = seg.Element(3)
			case "HL":
				s.Levels = append(s.Levels, strings.Join(seg.Elements, "/"))
			case "NM1":
				switch seg.Element(1) {
				case "PR":
					s.Payer = seg.Element(9)
				case "1P":
					s.NPI = seg.Element(9)
				case "IL":
					s.Member = seg.Element(9)
				}
				s.Names += seg.Element(4) + " " + seg.Element(3) + ";"
			case "DMG":
				s.DOB = seg.Element(2) + "/" + seg.Element(3)
			case "DTP":
				s.Service = seg.Element(1) + "/" + seg.Element(3)
			case "TRN":
				s.Trace = seg.Element(2) + "/" + seg.Element(3)
			case "EQ":
				s.Inquiries = append(s.Inquiries, strings.Join(seg.Repetitions(1), ",")+"|"+
					strings.Join(seg.Components(2), ":"))
			}
		}
		out = append(out, s)
	}
	return out
}

func TestBuild270RoundTrip(t *testing.T) {
	data, err := Build270(Writer{Delimiters: Delimiters{'^', '|', '>', '!'}}, testEnvelope(5),
		subscriberRequest(), dependentRequest())
	if err != nil {
		t.Fatal(err)
	}
	want := []summary270{{
		Reference: "TRACE0001", Payer: "CMS", NPI: "1234567893", Member: "1EG4TE5MK73",
		Names: " CMS; WOUND CARE CLINIC;JANE DOE;", DOB: "19450312/F", Service: "291/20260120",
		Trace: "TRACE0001/9123456789", Levels: []string{"1//20/1", "2/1/21/1", "3/2/22/0"},
		Inquiries: []string{"30,2|", "|HC:15275"},
	}, {
		Reference: "BATCH7", Payer: "BEH01", NPI: "1234567893", Member: "XYZ123456789",
		Names: " BLUE EXAMPLE HEALTH; WOUND CARE CLINIC;JOHN SMITH;JUNIOR SMITH;",
		DOB:   "20100101/M", Service: "291/20260120", Trace: "TRACE0002/9123456789",
		Levels:    []string{"1//20/1", "2/1/21/1", "3/2/22/1", "4/3/23/0"},
		Inquiries: []string{"30|"},
	}}
	if diff := cmp.Diff(want, read270(t, data)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRequest270Validate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Request270)
		want   string
	}{
		{"OK", func(*Request270) {}, ""},
		{"NoPayerID", func(r *Request270) { r.PayerID = "" }, "x12: 270 payerId: required, letters and digits"},
		{"BadNPI", func(r *Request270) { r.ProviderNPI = "1234567890" },
			"x12: 270 providerNpi: must be a valid 10-digit NPI"},
		{"NoMemberID", func(r *Request270) { r.Subscriber.MemberID = "" },
			"x12: 270 subscriber.memberId: required, letters and digits"},
		{"NameWithSeparator", func(r *Request270) { r.Subscriber.LastName = "DOE~ISA" },
			"x12: 270 subscriber.lastName: required, at most 60 plain characters"},
		{"NoServiceDate", func(r *Request270) { r.DateOfService = time.Time{} },
			"x12: 270 dateOfService: required"},
		{"BadSex", func(r *Request270) { r.Subscriber.Sex = "X" }, "x12: 270 subscriber.sex: must be M, F or U"},
		{"BadServiceType", func(r *Request270) { r.ServiceTypes = []string{"300"} },
			"x12: 270 serviceTypes: each must be a 1-2 character code"},
		{"BadProcedure", func(r *Request270) { r.ProcedureCode = "Q4:101" },
			"x12: 270 procedureCode: letters and digits only"},
		{"DependentWithoutName", func(r *Request270) { r.Dependent = &Person{} },
			"x12: 270 dependent.lastName: required, at most 60 plain characters"},
		{"DependentWithMemberID", func(r *Request270) { r.Dependent = &Person{LastName: "A", MemberID: "X1"} },
			"x12: 270 dependent.memberId: must be empty; a patient with a member id of their own " +
				"is sent as the subscriber"},
		{"BadOriginator", func(r *Request270) { r.TraceOriginator = "12" },
			"x12: 270 traceOriginator: must be 10 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := subscriberRequest()
			tt.modify(&r)
			err := r.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRequest270Redacts(t *testing.T) {
	r := dependentRequest()
	for _, s := range []string{fmtAll(r), fmtAll(&r), fmtAll(r.Subscriber), fmtAll(*r.Dependent),
		fmtAll(r.LogValue()), fmtAll(Member{LastName: "SMITH"})} {
		for _, phi := range []string{"SMITH", "JOHN", "JUNIOR", "XYZ123456789", "2010"} {
			if strings.Contains(s, phi) {
				t.Errorf("formatted request leaks %q: %s", phi, s)
			}
		}
	}
}

func TestNPICheckDigit(t *testing.T) {
	for npi, want := range map[string]bool{"1234567893": true, "1245319599": true,
		"1234567890": false, "123456789": false, "12345678AB": false} {
		if got := npiOK(npi); got != want {
			t.Errorf("npiOK(%s) = %v, want %v", npi, got, want)
		}
	}
}
