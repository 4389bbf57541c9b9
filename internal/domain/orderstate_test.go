package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// orderAllowed lists every permitted "from action role to", from DOMAIN.md.
const orderAllowed = `
pending prepare logistics preparing
preparing ship logistics shipped
shipped deliver doctor delivered
shipped deliver office_staff delivered
shipped deliver logistics delivered
pending cancel doctor cancelled
pending cancel office_staff cancelled
pending cancel admin cancelled
preparing cancel doctor cancelled
preparing cancel office_staff cancelled
preparing cancel admin cancelled
`

// orderEver lists which roles may perform each order action from some state.
var orderEver = map[string]string{
	"prepare": "logistics",
	"ship":    "logistics",
	"deliver": "doctor office_staff logistics",
	"cancel":  "doctor office_staff admin",
}

func TestOrderTransitionAllTriples(t *testing.T) {
	allowed := allowedTable(t, orderAllowed)
	seen := 0
	for _, s := range OrderStates {
		for _, a := range OrderActions {
			for _, r := range transitionActors() {
				key := string(s) + " " + string(a) + " " + string(r)
				t.Run(key, func(t *testing.T) {
					got, err := OrderTransition(s, a, r)
					ever := strings.Contains(" "+orderEver[string(a)]+" ", " "+string(r)+" ")
					checkOutcome(t, string(s), string(got), err, allowed[key], ever)
				})
				if _, ok := allowed[key]; ok {
					seen++
				}
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("expectation table has %d lines, %d matched a triple", len(allowed), seen)
	}
}

func TestOrderTransitionUnknown(t *testing.T) {
	_, err := OrderTransition(OrderPending, "refund", RoleAdmin)
	if ErrorCode(err) != CodeBadRequest {
		t.Errorf("unknown action: err = %v, want bad request", err)
	}
	if _, err := OrderTransition("lost", OrderShip, RoleLogistics); ErrorCode(err) != CodeInternal {
		t.Errorf("unknown state: err = %v, want internal", err)
	}
}

func TestNewOrderState(t *testing.T) {
	for _, r := range transitionActors() {
		t.Run(string(r), func(t *testing.T) {
			got, err := NewOrderState(r)
			if r.ClinicRole() {
				if err != nil || got != OrderPending {
					t.Fatalf("got (%q, %v), want (pending, nil)", got, err)
				}
				return
			}
			if !errors.Is(err, ErrForbidden) {
				t.Fatalf("err = %v, want forbidden", err)
			}
		})
	}
}

func TestOrderOverdue(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name     string
		status   OrderState
		expected Date
		now      time.Time
		want     bool
	}{
		{"on the day", OrderShipped, "2026-12-10", at("2026-12-10T12:00:00Z"), false},
		{"one day late", OrderShipped, "2026-12-10", at("2026-12-11T23:59:59Z"), false},
		{"two days late", OrderShipped, "2026-12-10", at("2026-12-12T00:00:00Z"), true},
		{"long late", OrderShipped, "2026-12-10", at("2027-01-30T00:00:00Z"), true},
		{"across month", OrderShipped, "2026-11-29", at("2026-12-01T08:00:00Z"), true},
		{"utc date used", OrderShipped, "2026-12-10", at("2026-12-11T20:00:00-05:00"), true},
		{"delivered", OrderDelivered, "2026-12-10", at("2026-12-20T00:00:00Z"), false},
		{"preparing", OrderPreparing, "2026-12-10", at("2026-12-20T00:00:00Z"), false},
		{"cancelled", OrderCancelled, "2026-12-10", at("2026-12-20T00:00:00Z"), false},
		{"bad date", OrderShipped, "2026-13-10", at("2027-12-20T00:00:00Z"), false},
		{"no date", OrderShipped, "", at("2027-12-20T00:00:00Z"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := OrderOverdue(tt.status, tt.expected, tt.now); got != tt.want {
				t.Errorf("OrderOverdue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOrderStateProperties(t *testing.T) {
	for _, s := range OrderStates {
		wantTerminal := s == OrderDelivered || s == OrderCancelled
		if got := s.Terminal(); got != wantTerminal {
			t.Errorf("%s.Terminal = %v, want %v", s, got, wantTerminal)
		}
		if got := s.CountsAgainstApproval(); got != (s != OrderCancelled) {
			t.Errorf("%s.CountsAgainstApproval = %v", s, got)
		}
	}
}
