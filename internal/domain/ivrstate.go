package domain

// IVRState is the status of an insurance verification request.
type IVRState string

// The IVR states (DOMAIN.md, "The IVR").
const (
	IVRDraft     IVRState = "draft"
	IVRSubmitted IVRState = "submitted"
	IVRInReview  IVRState = "in_review"
	IVRNeedsInfo IVRState = "needs_info"
	IVRApproved  IVRState = "approved"
	IVRDenied    IVRState = "denied"
	IVRCancelled IVRState = "cancelled"
	IVRExpired   IVRState = "expired"
)

// IVRStates lists every IVR state in workflow order.
var IVRStates = []IVRState{
	IVRDraft, IVRSubmitted, IVRInReview, IVRNeedsInfo,
	IVRApproved, IVRDenied, IVRCancelled, IVRExpired,
}

// Valid reports whether s is a known IVR state.
func (s IVRState) Valid() bool { return inList(s, IVRStates) }

// Terminal reports whether no action can ever move an IVR out of s.
func (s IVRState) Terminal() bool {
	return s == IVRDenied || s == IVRCancelled || s == IVRExpired
}

// Editable reports whether the IVR's contents may be changed (PATCH) in state s:
// while a draft, and while the clinic answers an information request.
func (s IVRState) Editable() bool {
	return s == IVRDraft || s == IVRNeedsInfo
}

// IVRAction is something done to an existing IVR. Its value is the action's name in
// the API path (POST /api/v1/ivrs/{id}/{action}); IVRExpire is the system's own.
type IVRAction string

// The IVR actions.
const (
	IVRSubmit      IVRAction = "submit"
	IVRAssign      IVRAction = "assign"
	IVRRequestInfo IVRAction = "request-info"
	IVRRespond     IVRAction = "respond"
	IVRApprove     IVRAction = "approve"
	IVRDeny        IVRAction = "deny"
	IVRCancel      IVRAction = "cancel"
	IVREscalate    IVRAction = "escalate"
	IVRExpire      IVRAction = "expire"
)

// IVRActions lists every IVR action.
var IVRActions = []IVRAction{
	IVRSubmit, IVRAssign, IVRRequestInfo, IVRRespond, IVRApprove,
	IVRDeny, IVRCancel, IVREscalate, IVRExpire,
}

// Valid reports whether a is a known IVR action.
func (a IVRAction) Valid() bool { return inList(a, IVRActions) }

// RoleSystem is the actor of transitions nobody asks for, such as expiry. It is a
// Role value but not one of Roles: no user can hold it.
const RoleSystem Role = "system"

// stateRule is one rule of a state machine: from which states a role may act, and
// the state it leads to ("" keeps the current state).
type stateRule[S ~string] struct {
	from map[Role][]S
	to   S
}

// ivrRules encodes the table in DOMAIN.md. Decisions beyond the table:
//   - assign from in_review is a re-assignment by an admin; the state stays
//     in_review. A specialist cannot take over an IVR already in review (409).
//   - escalate is a flag, not a state: a specialist or admin may raise it while the
//     IVR is submitted, in_review or needs_info, and the state is unchanged.
var ivrRules = map[IVRAction]stateRule[IVRState]{
	IVRSubmit: {to: IVRSubmitted, from: map[Role][]IVRState{
		RoleDoctor: {IVRDraft},
	}},
	IVRAssign: {to: IVRInReview, from: map[Role][]IVRState{
		RoleSpecialist: {IVRSubmitted},
		RoleAdmin:      {IVRSubmitted, IVRInReview},
	}},
	IVRRequestInfo: {to: IVRNeedsInfo, from: map[Role][]IVRState{
		RoleSpecialist: {IVRInReview},
	}},
	IVRRespond: {to: IVRSubmitted, from: map[Role][]IVRState{
		RoleDoctor:      {IVRNeedsInfo},
		RoleOfficeStaff: {IVRNeedsInfo},
	}},
	IVRApprove: {to: IVRApproved, from: map[Role][]IVRState{
		RoleSpecialist: {IVRInReview},
	}},
	IVRDeny: {to: IVRDenied, from: map[Role][]IVRState{
		RoleSpecialist: {IVRInReview},
	}},
	IVRCancel: {to: IVRCancelled, from: map[Role][]IVRState{
		RoleDoctor:      {IVRDraft, IVRSubmitted, IVRNeedsInfo},
		RoleOfficeStaff: {IVRDraft, IVRSubmitted, IVRNeedsInfo},
		RoleAdmin:       {IVRDraft, IVRSubmitted, IVRNeedsInfo},
	}},
	IVREscalate: {from: map[Role][]IVRState{
		RoleSpecialist: {IVRSubmitted, IVRInReview, IVRNeedsInfo},
		RoleAdmin:      {IVRSubmitted, IVRInReview, IVRNeedsInfo},
	}},
	IVRExpire: {to: IVRExpired, from: map[Role][]IVRState{
		RoleSystem: {IVRApproved},
	}},
}

// IVRTransition returns the state an IVR in state moves to when role performs
// action. It returns ErrForbidden when role may never perform action, a conflict
// error naming the current state when role may perform it but not from state, and a
// bad-request error for an unknown action. An unknown state is an internal error.
func IVRTransition(state IVRState, action IVRAction, role Role) (IVRState, error) {
	if !action.Valid() {
		return state, Errorf(CodeBadRequest, "unknown ivr action")
	}
	if !state.Valid() {
		return state, Errorf(CodeInternal, "unknown ivr state")
	}
	return applyRule(ivrRules[action], state, string(action), role)
}

// NewIVRState returns the state of a newly created IVR, draft, or ErrForbidden when
// role may not create IVRs (only the practice's doctor and office staff may).
func NewIVRState(role Role) (IVRState, error) {
	if !role.ClinicRole() {
		return "", ErrForbidden
	}
	return IVRDraft, nil
}

// applyRule runs one transition rule for role from state.
func applyRule[S ~string](t stateRule[S], state S, action string, role Role) (S, error) {
	from, ok := t.from[role]
	if !ok {
		return state, ErrForbidden
	}
	if !inList(state, from) {
		return state, Conflict(action, string(state))
	}
	if t.to == "" {
		return state, nil
	}
	return t.to, nil
}

// IVRActionsFor returns the actions role may perform on an IVR in state, in the
// order of IVRActions; a user interface can offer exactly these.
func IVRActionsFor(state IVRState, role Role) []IVRAction {
	var out []IVRAction
	for _, a := range IVRActions {
		if _, err := IVRTransition(state, a, role); err == nil {
			out = append(out, a)
		}
	}
	return out
}
