package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// inputValidator is any action body.
type inputValidator interface{ Validate(now time.Time) error }

func TestActionInputsValidate(t *testing.T) {
	tests := []struct {
		name string
		in   inputValidator
		want []string
	}{
		{"deny OK", DenyInput{DenyNotCovered, "product not on the LCD"}, nil},
		{"deny empty", DenyInput{}, []string{"reason", "reason_code"}},
		{"deny bad code", DenyInput{"fraud", "x"}, []string{"reason_code"}},
		{"deny long", DenyInput{DenyOther, strings.Repeat("x", 2001)}, []string{"reason"}},
		{"info OK", RequestInfoInput{[]string{"wound photo"}, "2026-12-03"}, nil},
		{"info OK far", RequestInfoInput{[]string{"a", "b"}, "2027-03-03"}, nil},
		{"info no items", RequestInfoInput{nil, "2026-12-10"}, []string{"items"}},
		{"info blank item", RequestInfoInput{[]string{"a", " "}, "2026-12-10"},
			[]string{"items[1]"}},
		{"info too many", RequestInfoInput{strings.Fields(strings.Repeat("a ", 21)),
			"2026-12-10"}, []string{"items"}},
		{"info due past", RequestInfoInput{[]string{"a"}, "2026-12-02"},
			[]string{"due_date"}},
		{"info due too far", RequestInfoInput{[]string{"a"}, "2027-03-04"},
			[]string{"due_date"}},
		{"info due missing", RequestInfoInput{[]string{"a"}, ""}, []string{"due_date"}},
		{"respond OK empty", RespondInput{}, nil},
		{"respond long", RespondInput{strings.Repeat("x", 4001)}, []string{"message"}},
		{"assign OK self", AssignInput{}, nil},
		{"assign OK other", AssignInput{"user-9"}, nil},
		{"assign long", AssignInput{strings.Repeat("x", 101)}, []string{"specialist_id"}},
		{"cancel OK", CancelInput{"duplicate request"}, nil},
		{"cancel empty", CancelInput{}, []string{"reason"}},
		{"escalate OK", EscalateInput{"payer disputes LCD"}, nil},
		{"escalate blank", EscalateInput{"   "}, []string{"reason"}},
		{"ship OK", ShipInput{CarrierUPS, "1Z999AA10123456784", "2026-12-05"}, nil},
		{"ship OK today", ShipInput{CarrierOther, "ABC-123 45", "2026-12-03"}, nil},
		{"ship empty", ShipInput{}, []string{"carrier", "expected_delivery",
			"tracking_number"}},
		{"ship bad carrier", ShipInput{"UPS", "1Z", "2026-12-05"}, []string{"carrier"}},
		{"ship tracking chars", ShipInput{CarrierDHL, "12/34", "2026-12-05"},
			[]string{"tracking_number"}},
		{"ship past", ShipInput{CarrierFedEx, "1", "2026-12-02"},
			[]string{"expected_delivery"}},
		{"ship too far", ShipInput{CarrierUSPS, "1", "2027-02-02"},
			[]string{"expected_delivery"}},
		{"deliver OK", DeliverInput{DeliveryOK, ""}, nil},
		{"deliver OK issue", DeliverInput{DeliveryIssue, "box crushed"}, nil},
		{"deliver issue no note", DeliverInput{DeliveryIssue, ""}, []string{"note"}},
		{"deliver bad", DeliverInput{"lost", ""}, []string{"condition"}},
		{"order OK", OrderInput{"ivr-1", []ProductLine{{"prod-1", "2x3 cm", 2}}}, nil},
		{"order empty", OrderInput{}, []string{"items", "ivr_id"}},
		{"order bad item", OrderInput{"ivr-1", []ProductLine{{"prod-1", "", 0}}},
			[]string{"items[0].quantity", "items[0].size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fieldKeys(t, tt.in.Validate(rulesNow))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrderAllowance(t *testing.T) {
	approved := []ProductLine{{"p1", "2x3 cm", 8}, {"p1", "4x4 cm", 2}, {"p2", "2x2 cm", 4}}
	ordered := []ProductLine{{"p1", "2x3 cm", 3}, {"p1", "2x3 cm", 1}}
	a := OrderAllowance{Approved: approved, Ordered: ordered}
	tests := []struct {
		name  string
		items []ProductLine
		want  []string
	}{
		{"OK exact rest", []ProductLine{{"p1", "2x3 cm", 4}, {"p2", "2x2 cm", 4}}, nil},
		{"OK split", []ProductLine{{"p1", "2x3 cm", 2}, {"p1", "2x3 cm", 2}}, nil},
		{"too many", []ProductLine{{"p1", "2x3 cm", 5}}, []string{"items[0].quantity"}},
		{"split too many", []ProductLine{{"p1", "2x3 cm", 3}, {"p1", "2x3 cm", 2}},
			[]string{"items[1].quantity"}},
		{"unknown product", []ProductLine{{"p3", "2x3 cm", 1}}, []string{"items[0].product_id"}},
		{"unknown size", []ProductLine{{"p2", "4x4 cm", 1}}, []string{"items[0].size"}},
		{"several", []ProductLine{{"p1", "4x4 cm", 3}, {"p9", "x", 1}, {"p2", "2x2 cm", 1}},
			[]string{"items[0].quantity", "items[1].product_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fieldKeys(t, a.Check(tt.items))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
	wantLeft := []ProductLine{{"p1", "2x3 cm", 4}, {"p1", "4x4 cm", 2}, {"p2", "2x2 cm", 4}}
	if diff := cmp.Diff(wantLeft, a.Remaining()); diff != "" {
		t.Errorf("Remaining mismatch (-want +got):\n%s", diff)
	}
	over := OrderAllowance{Approved: approved[:1], Ordered: []ProductLine{{"p1", "2x3 cm", 9}}}
	if diff := cmp.Diff([]ProductLine{{"p1", "2x3 cm", 0}}, over.Remaining()); diff != "" {
		t.Errorf("Remaining over-ordered mismatch (-want +got):\n%s", diff)
	}
	if err := over.Check([]ProductLine{{"p1", "2x3 cm", 1}}); err == nil ||
		!strings.Contains(err.Error(), "exceeds the 0 left") {
		t.Errorf("over-ordered Check = %v, want 0 left", err)
	}
}
