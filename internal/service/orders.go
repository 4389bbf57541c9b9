package service

import (
	"context"
	"encoding/json"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// orderFields are the fields an order read touches; logistics sees only these.
var orderFields = []string{"reference", "status", "items", "facility", "patient_initials"}

// CreateOrder places an order from an approved, unexpired IVR of the caller's
// practice, for at most what the approval leaves.
func (s *Service) CreateOrder(ctx context.Context, p domain.Principal, in domain.OrderInput) (domain.Order, error) {
	if _, err := domain.NewOrderState(p.Role); err != nil {
		return domain.Order{}, err
	}
	if err := in.Validate(s.now()); err != nil {
		return domain.Order{}, err
	}
	var o domain.Order
	err := s.inTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, p, in.IVRID, tx.Now)
		if isNotFound(err) {
			return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"ivr_id": "no such IVR"}}
		} else if err != nil {
			return err
		}
		if !v.Usable(tx.Now) {
			return domain.Conflict("order", string(v.EffectiveStatus(tx.Now)))
		}
		if err := store.LockIVR(ctx, tx, v.ID); err != nil {
			return err
		}
		ordered, err := store.OrderedQuantities(ctx, tx, v.ID)
		if err != nil {
			return err
		}
		allow := domain.OrderAllowance{Approved: v.Products, Ordered: ordered}
		if err := allow.Check(in.Items); err != nil {
			return err
		}
		o = domain.Order{IVRID: v.ID, Status: domain.OrderPending, PracticeID: v.PracticeID,
			FacilityID: v.FacilityID, Items: in.Items, PlacedBy: p.UserID,
			PatientInitials: v.PatientInitials, TerritoryID: v.TerritoryID}
		if err := store.CreateOrder(ctx, tx, &o); err != nil {
			return err
		}
		if err := store.AddOrderHistory(ctx, tx, o.ID, domain.StatusChange{Action: "place",
			To: string(o.Status), ActorID: p.UserID, ActorRole: p.Role}); err != nil {
			return err
		}
		if err := record(ctx, tx, entry(p, "order.create", "order", o.ID, v.PatientID, "items")); err != nil {
			return err
		}
		return emit(ctx, tx, "order.placed", "order", o.ID, o.PracticeID, v.PatientID, orderEventData(o))
	})
	if err != nil {
		return domain.Order{}, err
	}
	return s.GetOrder(ctx, p, o.ID)
}

func orderEventData(o domain.Order) map[string]any {
	d := map[string]any{"reference": o.Reference, "status": string(o.Status),
		"practice_id": o.PracticeID, "territory_id": o.TerritoryID,
		"patient_initials": o.PatientInitials, "products": o.Items}
	if o.ExpectedDelivery != "" {
		d["expected_delivery"] = string(o.ExpectedDelivery)
	}
	return d
}

// GetOrder returns an order in scope and records the read.
func (s *Service) GetOrder(ctx context.Context, p domain.Principal, id string) (domain.Order, error) {
	var o domain.Order
	err := s.readTx(ctx, func(tx *store.Tx) (err error) {
		if o, err = store.GetOrder(ctx, tx, s.Keys, p, id, tx.Now); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "order.read", "order", o.ID, "", orderFields...))
	})
	if isNotFound(err) {
		s.RecordDenied(ctx, p, "order.read", "order", id, domain.CodeNotFound)
	}
	return o, err
}

// ListOrders returns a page of orders in scope and records one read per row.
func (s *Service) ListOrders(ctx context.Context, p domain.Principal, f store.OrderFilter) (
	[]domain.Order, string, error) {
	var os []domain.Order
	var next string
	err := s.readTx(ctx, func(tx *store.Tx) (err error) {
		if os, next, err = store.ListOrders(ctx, tx, s.Keys, p, f, tx.Now); err != nil {
			return err
		}
		return recordRows(ctx, tx, p, "order.list", "order", len(os), func(i int) (string, string) {
			return os[i].ID, ""
		}, orderFields)
	})
	return os, next, err
}

var orderEvents = map[domain.OrderAction]string{
	domain.OrderShip: "order.shipped", domain.OrderDeliver: "order.delivered",
}

// ActOrder performs a workflow action on an order in scope.
func (s *Service) ActOrder(ctx context.Context, p domain.Principal, id string, action domain.OrderAction,
	body json.RawMessage, version int) (domain.Order, error) {
	var ship domain.ShipInput
	var deliver domain.DeliverInput
	var cancel domain.CancelInput
	var err error
	switch action {
	case domain.OrderShip:
		err = decodeValid(body, &ship, s.now())
	case domain.OrderDeliver:
		err = decodeValid(body, &deliver, s.now())
	case domain.OrderCancel:
		if len(body) > 0 {
			err = decodeValid(body, &cancel, s.now())
		}
	}
	if err != nil {
		return domain.Order{}, err
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		o, err := store.GetOrder(ctx, tx, s.Keys, p, id, tx.Now)
		if err != nil {
			return err
		}
		if version != 0 && version != o.Version {
			return domain.ErrVersionMismatch
		}
		from := o.Status
		to, err := domain.OrderTransition(o.Status, action, p.Role)
		if err != nil {
			return err
		}
		o.Status = to
		typ := orderEvents[action]
		switch action {
		case domain.OrderShip:
			t := tx.Now
			o.Carrier, o.TrackingNumber, o.ExpectedDelivery, o.ShippedAt = ship.Carrier,
				ship.TrackingNumber, ship.ExpectedDelivery, &t
		case domain.OrderDeliver:
			t := tx.Now
			o.Condition, o.Note, o.DeliveredAt = string(deliver.Condition), deliver.Note, &t
			if deliver.Condition == domain.DeliveryIssue {
				typ = "order.issue"
			}
		}
		if err := store.SaveOrderState(ctx, tx, &o, o.Version); err != nil {
			return err
		}
		if err := store.AddOrderHistory(ctx, tx, o.ID, domain.StatusChange{Action: string(action),
			From: string(from), To: string(to), ActorID: p.UserID, ActorRole: p.Role}); err != nil {
			return err
		}
		if err := record(ctx, tx, entry(p, "order."+string(action), "order", o.ID, "", "status")); err != nil {
			return err
		}
		if typ == "" {
			return nil
		}
		return emit(ctx, tx, typ, "order", o.ID, o.PracticeID, "", orderEventData(o))
	})
	if err != nil {
		return domain.Order{}, err
	}
	return s.GetOrder(ctx, p, id)
}
