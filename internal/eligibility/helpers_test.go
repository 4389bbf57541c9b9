package eligibility

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/openivr/ivr/x12"
)

var testNow = time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// testInquiry returns a valid inquiry for memberID with no dependent.
func testInquiry(memberID string) Inquiry {
	return Inquiry{
		PayerID: "medicare-jl", PayerName: "CMS", ProviderName: "WOUND CARE CLINIC",
		ProviderNPI: "1234567893",
		Subscriber: x12.Person{MemberID: memberID, FirstName: "JANE", LastName: "DOE",
			BirthDate: time.Date(1945, 3, 12, 0, 0, 0, 0, time.UTC), Sex: "F"},
		DateOfService: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
		ServiceTypes:  []string{"30", "2"}, ProcedureCode: "15275", TraceNumber: "TRACE42",
	}
}

// MustReadFixture returns testdata/name.
func MustReadFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	return data
}

// fmtAll formats v with every verb a log line might use.
func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s %q", v, v, v, v, v)
}
