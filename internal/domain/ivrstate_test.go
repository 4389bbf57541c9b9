package domain

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ivrAllowed lists, one per line, every permitted "from action role to". It is
// written from DOMAIN.md's table, not from the implementation's rule map.
const ivrAllowed = `
draft submit doctor submitted
submitted assign ivr_specialist in_review
submitted assign admin in_review
in_review assign admin in_review
in_review request-info ivr_specialist needs_info
needs_info respond doctor submitted
needs_info respond office_staff submitted
in_review approve ivr_specialist approved
in_review deny ivr_specialist denied
draft cancel doctor cancelled
draft cancel office_staff cancelled
draft cancel admin cancelled
submitted cancel doctor cancelled
submitted cancel office_staff cancelled
submitted cancel admin cancelled
needs_info cancel doctor cancelled
needs_info cancel office_staff cancelled
needs_info cancel admin cancelled
submitted escalate ivr_specialist submitted
in_review escalate ivr_specialist in_review
needs_info escalate ivr_specialist needs_info
submitted escalate admin submitted
in_review escalate admin in_review
needs_info escalate admin needs_info
approved expire system expired
`

// ivrEver lists which roles may perform each action from some state; any other
// role is forbidden outright.
var ivrEver = map[string]string{
	"submit":       "doctor",
	"assign":       "ivr_specialist admin",
	"request-info": "ivr_specialist",
	"respond":      "doctor office_staff",
	"approve":      "ivr_specialist",
	"deny":         "ivr_specialist",
	"cancel":       "doctor office_staff admin",
	"escalate":     "ivr_specialist admin",
	"expire":       "system",
}

// allowedTable parses lines of "from action role to" into a map keyed by
// "from action role".
func allowedTable(tb testing.TB, text string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		if len(f) != 4 {
			tb.Fatalf("bad expectation line %q", line)
		}
		out[f[0]+" "+f[1]+" "+f[2]] = f[3]
	}
	return out
}

// transitionActors is every user role, the system actor and a role nobody defined.
func transitionActors() []Role {
	return append(append([]Role{}, Roles...), RoleSystem, Role("janitor"))
}

// checkOutcome compares one transition's result with the expectation: a target
// state, a conflict naming state, or forbidden.
func checkOutcome(t *testing.T, state, got string, err error, want string, ever bool) {
	t.Helper()
	switch {
	case want != "":
		if err != nil || got != want {
			t.Fatalf("got (%q, %v), want (%q, nil)", got, err, want)
		}
	case ever:
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeConflict {
			t.Fatalf("got err %v, want conflict", err)
		}
		if !strings.Contains(e.Message, "current state is "+state) {
			t.Errorf("conflict message %q does not name state %q", e.Message, state)
		}
		if got != state {
			t.Errorf("state on error = %q, want unchanged %q", got, state)
		}
	default:
		if !errors.Is(err, ErrForbidden) || ErrorCode(err) != CodeForbidden {
			t.Fatalf("got err %v, want forbidden", err)
		}
	}
}

func TestIVRTransitionAllTriples(t *testing.T) {
	allowed := allowedTable(t, ivrAllowed)
	seen := 0
	for _, s := range IVRStates {
		for _, a := range IVRActions {
			for _, r := range transitionActors() {
				key := string(s) + " " + string(a) + " " + string(r)
				t.Run(key, func(t *testing.T) {
					got, err := IVRTransition(s, a, r)
					ever := strings.Contains(" "+ivrEver[string(a)]+" ", " "+string(r)+" ")
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
	if n := len(IVRStates) * len(IVRActions); n != 72 {
		t.Errorf("states x actions = %d, want 8 x 9 = 72", n)
	}
}

func TestIVRTransitionUnknown(t *testing.T) {
	tests := []struct {
		name   string
		state  IVRState
		action IVRAction
		want   Code
	}{
		{"action", IVRDraft, "publish", CodeBadRequest},
		{"empty action", IVRDraft, "", CodeBadRequest},
		{"state", "archived", IVRSubmit, CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := IVRTransition(tt.state, tt.action, RoleDoctor)
			if got := ErrorCode(err); got != tt.want {
				t.Errorf("code = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewIVRState(t *testing.T) {
	for _, r := range transitionActors() {
		t.Run(string(r), func(t *testing.T) {
			got, err := NewIVRState(r)
			if r == RoleDoctor || r == RoleOfficeStaff {
				if err != nil || got != IVRDraft {
					t.Fatalf("got (%q, %v), want (draft, nil)", got, err)
				}
				return
			}
			if !errors.Is(err, ErrForbidden) {
				t.Fatalf("err = %v, want forbidden", err)
			}
		})
	}
}

func TestIVRActionsFor(t *testing.T) {
	tests := []struct {
		state IVRState
		role  Role
		want  []IVRAction
	}{
		{IVRDraft, RoleDoctor, []IVRAction{IVRSubmit, IVRCancel}},
		{IVRDraft, RoleOfficeStaff, []IVRAction{IVRCancel}},
		{IVRSubmitted, RoleSpecialist, []IVRAction{IVRAssign, IVREscalate}},
		{IVRInReview, RoleSpecialist,
			[]IVRAction{IVRRequestInfo, IVRApprove, IVRDeny, IVREscalate}},
		{IVRInReview, RoleAdmin, []IVRAction{IVRAssign, IVREscalate}},
		{IVRApproved, RoleSystem, []IVRAction{IVRExpire}},
		{IVRDenied, RoleAdmin, nil},
		{IVRSubmitted, RoleSalesRep, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.state)+"/"+string(tt.role), func(t *testing.T) {
			got := IVRActionsFor(tt.state, tt.role)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("IVRActionsFor mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIVRStateProperties(t *testing.T) {
	terminal := map[IVRState]bool{IVRDenied: true, IVRCancelled: true, IVRExpired: true}
	editable := map[IVRState]bool{IVRDraft: true, IVRNeedsInfo: true}
	for _, s := range IVRStates {
		t.Run(string(s), func(t *testing.T) {
			if got := s.Terminal(); got != terminal[s] {
				t.Errorf("Terminal = %v, want %v", got, terminal[s])
			}
			if got := s.Editable(); got != editable[s] {
				t.Errorf("Editable = %v, want %v", got, editable[s])
			}
			// A terminal state offers no action to anyone.
			for _, r := range transitionActors() {
				if acts := IVRActionsFor(s, r); terminal[s] && len(acts) > 0 {
					t.Errorf("terminal state offers %v to %s", acts, r)
				}
			}
		})
	}
	if RoleSystem.Valid() {
		t.Error("RoleSystem must not be a user role")
	}
}
