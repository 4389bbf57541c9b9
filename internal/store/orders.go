package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
)

// CreateOrder inserts a pending order with its items.
func CreateOrder(ctx context.Context, tx *Tx, o *domain.Order) error {
	if o.ID == "" {
		o.ID = NewID()
	}
	o.Reference = NewReference("ORD")
	o.Version, o.CreatedAt, o.UpdatedAt = 1, tx.Now, tx.Now
	_, err := tx.ExecContext(ctx, `
		INSERT INTO orders (id, reference, ivr_id, practice_id, facility_id, status,
			placed_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
		o.ID, o.Reference, o.IVRID, o.PracticeID, o.FacilityID, string(o.Status), o.PlacedBy, tx.Now)
	if err != nil {
		return fmt.Errorf("create order: %w", err)
	}
	return replaceLines(ctx, tx, "order_items", "order_id", o.ID, o.Items)
}

// SaveOrderState writes the workflow columns of o if the stored version matches.
func SaveOrderState(ctx context.Context, tx *Tx, o *domain.Order, version int) error {
	s := newSealer(tx.Keys, "orders", o.ID)
	note := s.sealOptional("note", o.Note)
	if s.err != nil {
		return fmt.Errorf("save order: %w", s.err)
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE orders SET status = $1, carrier = $2, tracking_number = $3,
			expected_delivery = $4, shipped_at = $5, delivered_at = $6,
			delivery_condition = $7, note_enc = $8, version = version + 1, updated_at = $9
		WHERE id = $10 AND version = $11`,
		string(o.Status), string(o.Carrier), o.TrackingNumber, nullable(string(o.ExpectedDelivery)),
		o.ShippedAt, o.DeliveredAt, o.Condition, note, tx.Now, o.ID, version)
	if err != nil {
		return fmt.Errorf("save order: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.ErrVersionMismatch
	}
	o.Version, o.UpdatedAt = version+1, tx.Now
	return nil
}

// AddOrderHistory records one order status change.
func AddOrderHistory(ctx context.Context, tx *Tx, orderID string, c domain.StatusChange) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO order_status_history (id, order_id, action, from_status, to_status,
			actor_id, actor_role, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		NewID(), orderID, c.Action, c.From, c.To, c.ActorID, string(c.ActorRole), tx.Now)
	if err != nil {
		return fmt.Errorf("add order history: %w", err)
	}
	return nil
}

const orderSelect = `SELECT r.id, r.reference, r.ivr_id, r.status, r.practice_id,
	o.territory_id, r.facility_id, pt.id, pt.initials_enc, r.carrier, r.tracking_number,
	COALESCE(r.expected_delivery, ''), r.delivery_condition, r.note_enc, r.shipped_at,
	r.delivered_at, r.version, r.placed_by, r.created_at, r.updated_at
	FROM orders r
	JOIN organizations o ON o.id = r.practice_id
	JOIN ivrs v ON v.id = r.ivr_id
	JOIN patients pt ON pt.id = v.patient_id`

// OrderFilter selects orders for a list.
type OrderFilter struct {
	Status []domain.OrderState
	IVRID  string
	Cursor string
	Limit  int
}

// GetOrder returns the order with id in pr's scope, or domain.ErrNotFound.
func GetOrder(ctx context.Context, q queryer, keys *phi.Keyring, pr domain.Principal, id string,
	now time.Time) (domain.Order, error) {
	var a args
	where := "r.id = " + a.add(id) + " AND " + scopeWhere(pr, &a, "r.practice_id", "", now)
	os, err := queryOrders(ctx, q, keys, orderSelect+" WHERE "+where, a, now, pr)
	if err != nil {
		return domain.Order{}, err
	}
	if len(os) == 0 {
		return domain.Order{}, domain.ErrNotFound
	}
	return os[0], nil
}

// ListOrders returns a page of orders in scope, newest first.
func ListOrders(ctx context.Context, q queryer, keys *phi.Keyring, pr domain.Principal,
	f OrderFilter, now time.Time) ([]domain.Order, string, error) {
	var a args
	where := scopeWhere(pr, &a, "r.practice_id", "", now)
	if len(f.Status) > 0 {
		where += " AND r.status IN ("
		for i, s := range f.Status {
			if i > 0 {
				where += ", "
			}
			where += a.add(string(s))
		}
		where += ")"
	}
	if f.IVRID != "" {
		where += " AND r.ivr_id = " + a.add(f.IVRID)
	}
	if f.Cursor != "" {
		after, err := DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where += " AND r.id < " + a.add(after)
	}
	query := orderSelect + " WHERE " + where + " ORDER BY r.id DESC LIMIT " + a.add(f.Limit+1)
	os, err := queryOrders(ctx, q, keys, query, a, now, pr)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(os) > f.Limit {
		os = os[:f.Limit]
		next = EncodeCursor(os[len(os)-1].ID)
	}
	return os, next, nil
}

func queryOrders(ctx context.Context, q queryer, keys *phi.Keyring, query string, a args,
	now time.Time, pr domain.Principal) ([]domain.Order, error) {
	rows, err := q.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("query orders: %w", err)
	}
	defer rows.Close()
	out := []domain.Order{}
	for rows.Next() {
		var o domain.Order
		var patientID string
		var initials, note []byte
		var shipped, delivered sql.NullTime
		if err := rows.Scan(&o.ID, &o.Reference, &o.IVRID, &o.Status, &o.PracticeID,
			&o.TerritoryID, &o.FacilityID, &patientID, &initials, &o.Carrier, &o.TrackingNumber,
			&o.ExpectedDelivery, &o.Condition, &note, &shipped, &delivered, &o.Version,
			&o.PlacedBy, &o.CreatedAt, &o.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan order: %w", err)
		}
		o.ShippedAt, o.DeliveredAt = timePtr(shipped), timePtr(delivered)
		o.PatientInitials = newSealer(keys, "patients", patientID).open("initials", initials)
		if !pr.Role.PHIMinimal() {
			s := newSealer(keys, "orders", o.ID)
			if o.Note = s.open("note", note); s.err != nil {
				return nil, s.err
			}
		}
		o.Overdue = domain.OrderOverdue(o.Status, o.ExpectedDelivery, now)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query orders: %w", err)
	}
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	lines, err := loadLinesFor(ctx, q, "order_items", "order_id", ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Items = lines[out[i].ID]
	}
	return out, nil
}

// OrderedQuantities returns, for an IVR, every non-cancelled order's items.
func OrderedQuantities(ctx context.Context, tx *Tx, ivrID string) ([]domain.ProductLine, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT i.product_id, i.size, i.quantity FROM order_items i
		JOIN orders r ON r.id = i.order_id
		WHERE r.ivr_id = $1 AND r.status <> 'cancelled'`, ivrID)
	if err != nil {
		return nil, fmt.Errorf("ordered quantities: %w", err)
	}
	defer rows.Close()
	var out []domain.ProductLine
	for rows.Next() {
		var l domain.ProductLine
		if err := rows.Scan(&l.ProductID, &l.Size, &l.Quantity); err != nil {
			return nil, fmt.Errorf("ordered quantities: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LockIVR takes the row lock of an IVR for the rest of the transaction on
// PostgreSQL (SQLite's write transaction already excludes other writers), so two
// orders against one approval are checked one after the other.
func LockIVR(ctx context.Context, tx *Tx, ivrID string) error {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM ivrs WHERE id = $1`+tx.Dialect.LockSuffix(), ivrID).Scan(&id)
	if err != nil {
		return fmt.Errorf("lock ivr: %w", err)
	}
	return nil
}
