package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// orders places orders on approved IVRs and walks them to every order state,
// including one shipped order past its expected delivery (overdue).
func (w *world) orders(ctx context.Context, approved []domain.IVR) error {
	goals := []string{"pending", "preparing", "shipped", "delivered", "issue", "cancelled", "overdue"}
	for i, v := range approved {
		if i >= 2*len(goals) {
			break
		}
		if err := w.order(ctx, v, goals[i%len(goals)]); err != nil {
			return fmt.Errorf("order (%s): %w", goals[i%len(goals)], err)
		}
	}
	return nil
}

func (w *world) order(ctx context.Context, v domain.IVR, goal string) error {
	staff := w.staff[v.PracticeID]
	items := []domain.ProductLine{{ProductID: v.Products[0].ProductID, Size: v.Products[0].Size, Quantity: 2}}
	o, err := w.svc.CreateOrder(ctx, staff, domain.OrderInput{IVRID: v.ID, Items: items})
	if err != nil {
		return err
	}
	act := func(who domain.Principal, a domain.OrderAction, body any) error {
		var raw json.RawMessage
		if body != nil {
			raw, _ = json.Marshal(body)
		}
		o, err = w.svc.ActOrder(ctx, who, o.ID, a, raw, 0)
		return err
	}
	today := domain.DateOf(w.svc.DB.Now())
	ship := domain.ShipInput{Carrier: "ups", TrackingNumber: "1Z999AA10123456784", ExpectedDelivery: today.AddDays(3)}
	switch goal {
	case "pending":
		return nil
	case "cancelled":
		return act(staff, domain.OrderCancel, domain.CancelInput{Reason: "Ordered twice by mistake"})
	}
	if err := act(w.logistics, domain.OrderPrepare, nil); err != nil || goal == "preparing" {
		return err
	}
	if err := act(w.logistics, domain.OrderShip, ship); err != nil || goal == "shipped" {
		return err
	}
	switch goal {
	case "delivered":
		return act(staff, domain.OrderDeliver, domain.DeliverInput{Condition: "ok"})
	case "issue":
		return act(staff, domain.OrderDeliver, domain.DeliverInput{Condition: "issue",
			Note: "One box arrived crushed"})
	}
	// overdue: the expected date lies two days and more in the past.
	return w.svc.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE orders SET expected_delivery = $1 WHERE id = $2`,
			string(today.AddDays(-3)), o.ID)
		return err
	})
}
