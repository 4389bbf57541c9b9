package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// orderRow is an order as every role that reads orders may see it: reference,
// status, initials, products, ship-to facility, dates. Orders hold no more PHI.
type orderRow struct {
	ID               string
	Reference        string
	IVRID            string
	Status           string
	Initials         string
	Items            []productLine
	Facility         string
	Carrier          string
	TrackingNumber   string
	ExpectedDelivery domain.Date
	Overdue          bool
	Condition        string
	Note             string
	Created          time.Time
	Shipped          *time.Time
	Delivered        *time.Time
}

// ordersData is the orders page.
type ordersData struct {
	Filter string
	States []domain.OrderState
	Rows   []orderRow
	More   bool
}

// orderDetail is the order page.
type orderDetail struct {
	Order   orderRow
	Version int
	Actions []string
	Open    string
	Ref     refData
}

func (h *Handler) orderRowOf(ctx context.Context, o domain.Order, fac map[string]string) orderRow {
	row := orderRow{ID: o.ID, Reference: o.Reference, IVRID: o.IVRID, Status: string(o.Status),
		Initials: o.PatientInitials, Items: h.products.lines(ctx, o.Items),
		Carrier: string(o.Carrier), TrackingNumber: o.TrackingNumber,
		ExpectedDelivery: o.ExpectedDelivery, Overdue: o.Overdue, Condition: o.Condition,
		Note: o.Note, Created: o.CreatedAt, Shipped: o.ShippedAt, Delivered: o.DeliveredAt}
	if name, ok := fac[o.FacilityID]; ok {
		row.Facility = name
	} else if f, err := h.svc.DB.GetFacility(ctx, o.FacilityID); err == nil {
		row.Facility = f.Name + ", " + f.City + " " + f.State
		fac[o.FacilityID] = row.Facility
	}
	return row
}

// ordersPage lists the orders in scope, filtered by status.
func (h *Handler) ordersPage(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	d := ordersData{Filter: r.URL.Query().Get("status"), States: domain.OrderStates}
	f := store.OrderFilter{Limit: h.opts.QueueLimit}
	if domain.OrderState(d.Filter).Valid() {
		f.Status = []domain.OrderState{domain.OrderState(d.Filter)}
	} else {
		d.Filter = ""
	}
	os, next, err := h.svc.ListOrders(ctx, c.p, f)
	if err != nil {
		return err
	}
	fac := map[string]string{}
	for _, o := range os {
		d.Rows = append(d.Rows, h.orderRowOf(ctx, o, fac))
	}
	d.More = next != ""
	v := newView(c, "Orders")
	v.Data = d
	h.render(w, r, http.StatusOK, "orders", v)
	return nil
}

// orderPage shows one order with the caller's actions.
func (h *Handler) orderPage(w http.ResponseWriter, r *http.Request, c *call) error {
	d, err := h.orderDetail(r.Context(), c.p, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := newView(c, "Order "+d.Order.Reference)
	v.Data = d
	h.render(w, r, http.StatusOK, "order", v)
	return nil
}

func (h *Handler) orderDetail(ctx context.Context, p domain.Principal, id string) (orderDetail,
	error) {
	o, err := h.svc.GetOrder(ctx, p, id)
	if err != nil {
		return orderDetail{}, err
	}
	d := orderDetail{Order: h.orderRowOf(ctx, o, map[string]string{}), Version: o.Version,
		Ref: h.refData(ctx, p, false)}
	if p.Role.Can(domain.PermOrderAct) {
		for _, a := range domain.OrderActions {
			if _, err := domain.OrderTransition(o.Status, a, p.Role); err == nil {
				d.Actions = append(d.Actions, string(a))
			}
		}
	}
	return d, nil
}

// orderAction performs prepare, ship, deliver or cancel from its form.
func (h *Handler) orderAction(w http.ResponseWriter, r *http.Request, c *call) error {
	id, action := r.PathValue("id"), domain.OrderAction(r.PathValue("action"))
	if !action.Valid() {
		return domain.ErrNotFound
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	var v any = struct{}{}
	switch action {
	case domain.OrderShip:
		v = domain.ShipInput{Carrier: domain.Carrier(f("carrier")), TrackingNumber: f("tracking_number"),
			ExpectedDelivery: domain.Date(f("expected_delivery"))}
	case domain.OrderDeliver:
		v = domain.DeliverInput{Condition: domain.DeliveryCondition(f("condition")), Note: f("note")}
	case domain.OrderCancel:
		v = domain.CancelInput{Reason: f("reason")}
	}
	body, _ := json.Marshal(v)
	version, _ := strconv.Atoi(f("version"))
	_, err := h.svc.ActOrder(r.Context(), c.p, id, action, body, version)
	if err == nil {
		http.Redirect(w, r, "/orders/"+id, http.StatusSeeOther)
		return nil
	}
	fields, msg, status, ok := formProblem(err)
	if !ok {
		return err
	}
	d, derr := h.orderDetail(r.Context(), c.p, id)
	if derr != nil {
		return derr
	}
	d.Open = string(action)
	vw := newView(c, "Order "+d.Order.Reference)
	vw.Data, vw.Errors, vw.Flash, vw.Form = d, fields, msg, formValues(r.PostForm)
	h.render(w, r, status, "order", vw)
	return nil
}

// newOrderSubmit places an order from an approved IVR; the form lists the
// approved lines with the quantity wanted (0 leaves a line out).
func (h *Handler) newOrderSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	ivrID := r.PostFormValue("ivr_id")
	in := domain.OrderInput{IVRID: ivrID}
	var fe domain.FieldErrors
	for i := 0; i < domain.MaxProductLines; i++ {
		pre := "items[" + strconv.Itoa(i) + "]."
		if r.PostFormValue(pre+"product_id") == "" {
			break
		}
		q, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(pre + "quantity")))
		if err != nil {
			fe.Add(pre+"quantity", "must be a whole number")
		}
		if q != 0 || err != nil {
			in.Items = append(in.Items, domain.ProductLine{ProductID: r.PostFormValue(pre + "product_id"),
				Size: r.PostFormValue(pre + "size"), Quantity: q})
		}
	}
	err := fe.Err()
	if err == nil {
		var o domain.Order
		if o, err = h.svc.CreateOrder(r.Context(), c.p, in); err == nil {
			http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
			return nil
		}
	}
	if domain.ErrorCode(err) == domain.CodeInvalid && len(in.Items) == 0 {
		err = &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"items": "order at least one item"}}
	}
	return h.ivrFormError(w, r, c, ivrID, "order", err)
}
