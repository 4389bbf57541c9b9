package domain

import "time"

// OrderState is the status of an order.
type OrderState string

// The order states (DOMAIN.md, "Orders and shipping").
const (
	OrderPending   OrderState = "pending"
	OrderPreparing OrderState = "preparing"
	OrderShipped   OrderState = "shipped"
	OrderDelivered OrderState = "delivered"
	OrderCancelled OrderState = "cancelled"
)

// OrderStates lists every order state in workflow order.
var OrderStates = []OrderState{
	OrderPending, OrderPreparing, OrderShipped, OrderDelivered, OrderCancelled,
}

// Valid reports whether s is a known order state.
func (s OrderState) Valid() bool { return inList(s, OrderStates) }

// Terminal reports whether no action can move an order out of s.
func (s OrderState) Terminal() bool {
	return s == OrderDelivered || s == OrderCancelled
}

// CountsAgainstApproval reports whether an order in s uses up approved quantities:
// every order except a cancelled one.
func (s OrderState) CountsAgainstApproval() bool { return s != OrderCancelled }

// OrderAction is something done to an existing order; its value is the action's
// name in the API path (POST /api/v1/orders/{id}/{action}).
type OrderAction string

// The order actions.
const (
	OrderPrepare OrderAction = "prepare"
	OrderShip    OrderAction = "ship"
	OrderDeliver OrderAction = "deliver"
	OrderCancel  OrderAction = "cancel"
)

// OrderActions lists every order action.
var OrderActions = []OrderAction{OrderPrepare, OrderShip, OrderDeliver, OrderCancel}

// Valid reports whether a is a known order action.
func (a OrderAction) Valid() bool { return inList(a, OrderActions) }

// orderRules encodes DOMAIN.md: logistics prepares and ships; the practice (doctor,
// office staff) or logistics marks delivery; the practice or an admin cancels
// before shipping.
var orderRules = map[OrderAction]stateRule[OrderState]{
	OrderPrepare: {to: OrderPreparing, from: map[Role][]OrderState{
		RoleLogistics: {OrderPending},
	}},
	OrderShip: {to: OrderShipped, from: map[Role][]OrderState{
		RoleLogistics: {OrderPreparing},
	}},
	OrderDeliver: {to: OrderDelivered, from: map[Role][]OrderState{
		RoleDoctor:      {OrderShipped},
		RoleOfficeStaff: {OrderShipped},
		RoleLogistics:   {OrderShipped},
	}},
	OrderCancel: {to: OrderCancelled, from: map[Role][]OrderState{
		RoleDoctor:      {OrderPending, OrderPreparing},
		RoleOfficeStaff: {OrderPending, OrderPreparing},
		RoleAdmin:       {OrderPending, OrderPreparing},
	}},
}

// OrderTransition returns the state an order in state moves to when role performs
// action. Errors follow IVRTransition: ErrForbidden for a role that may never do
// the action, a conflict naming the current state otherwise, bad request for an
// unknown action and internal for an unknown state.
func OrderTransition(state OrderState, action OrderAction, role Role) (OrderState, error) {
	if !action.Valid() {
		return state, Errorf(CodeBadRequest, "unknown order action")
	}
	if !state.Valid() {
		return state, Errorf(CodeInternal, "unknown order state")
	}
	return applyRule(orderRules[action], state, string(action), role)
}

// NewOrderState returns the state of a newly placed order, pending, or ErrForbidden
// when role may not place orders (only the practice's doctor and office staff may).
func NewOrderState(role Role) (OrderState, error) {
	if !role.ClinicRole() {
		return "", ErrForbidden
	}
	return OrderPending, nil
}

// OverdueAfterDays is how many days past its expected delivery date a shipped
// order becomes overdue.
const OverdueAfterDays = 2

// OrderOverdue reports whether an order is overdue at now: still shipped, and
// today (UTC) is at least OverdueAfterDays after expectedDelivery. An invalid
// expectedDelivery is never overdue.
func OrderOverdue(status OrderState, expectedDelivery Date, now time.Time) bool {
	if status != OrderShipped || !expectedDelivery.Valid() {
		return false
	}
	return DateOf(now) >= expectedDelivery.AddDays(OverdueAfterDays)
}
