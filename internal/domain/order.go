package domain

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// MaxDeliveryDays is how far ahead a shipment's expected delivery may be.
const MaxDeliveryDays = 60

// OrderInput is the body of POST /api/v1/orders: the approved IVR it draws on and
// the items wanted.
type OrderInput struct {
	IVRID string        `json:"ivr_id"`
	Items []ProductLine `json:"items"`
}

// Validate checks the order's formats. It returns nil or an *Error with
// CodeInvalid naming fields such as "items[0].quantity". The caller checks that
// the IVR is approved and unexpired and that the items fit (see OrderAllowance).
func (o OrderInput) Validate(_ time.Time) error {
	var fe FieldErrors
	checkText(&fe, "ivr_id", o.IVRID, true, maxID)
	checkProducts(&fe, "items", o.Items)
	return fe.Err()
}

// ShipInput is the ship action's body.
type ShipInput struct {
	Carrier          Carrier `json:"carrier"`
	TrackingNumber   string  `json:"tracking_number"`
	ExpectedDelivery Date    `json:"expected_delivery"`
}

// Validate checks the shipment with today taken from now (UTC): a known carrier, a
// tracking number of letters, digits, spaces and dashes, and an expected delivery
// from today to MaxDeliveryDays ahead. It returns nil or an *Error with
// CodeInvalid.
func (s ShipInput) Validate(now time.Time) error {
	var fe FieldErrors
	today := DateOf(now)
	checkEnum(&fe, "carrier", s.Carrier, true, Carrier.Valid)
	checkText(&fe, "tracking_number", s.TrackingNumber, true, maxShort)
	if strings.IndexFunc(s.TrackingNumber, notTrackingChar) >= 0 {
		fe.Add("tracking_number", "must hold only letters, digits, spaces and dashes")
	}
	if checkDate(&fe, "expected_delivery", s.ExpectedDelivery, true) {
		switch {
		case s.ExpectedDelivery < today:
			fe.Add("expected_delivery", msgPast)
		case s.ExpectedDelivery > today.AddDays(MaxDeliveryDays):
			fe.Add("expected_delivery", fmt.Sprintf("must be within %d days", MaxDeliveryDays))
		}
	}
	return fe.Err()
}

// notTrackingChar reports characters a tracking number may not hold.
func notTrackingChar(r rune) bool {
	return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' ||
		r == ' ' || r == '-')
}

// DeliverInput is the deliver action's body: how the order arrived, and a note
// that is required when there is an issue. It prints and logs as redacted.
type DeliverInput struct {
	Condition DeliveryCondition `json:"condition"`
	Note      string            `json:"note"`
}

// Validate checks the delivery report. It returns nil or an *Error with
// CodeInvalid.
func (d DeliverInput) Validate(_ time.Time) error {
	var fe FieldErrors
	checkEnum(&fe, "condition", d.Condition, true, DeliveryCondition.Valid)
	checkText(&fe, "note", d.Note, d.Condition == DeliveryIssue, maxReason)
	return fe.Err()
}

// Format prints d as redacted whatever the verb.
func (d DeliverInput) Format(f fmt.State, _ rune) { writeRedacted(f, "DeliverInput") }

// LogValue logs d as redacted.
func (d DeliverInput) LogValue() slog.Value { return redactedValue("DeliverInput") }

// OrderAllowance is what an approved IVR allows to be ordered: the approved
// product lines, and the lines of its orders that are not cancelled.
type OrderAllowance struct {
	Approved []ProductLine
	Ordered  []ProductLine
}

// allowanceKey identifies a product in one size.
type allowanceKey struct{ product, size string }

// Remaining returns, in the order of Approved, each approved product and size with
// the quantity still available (never below 0).
func (a OrderAllowance) Remaining() []ProductLine {
	left := a.left()
	out := make([]ProductLine, 0, len(a.Approved))
	done := map[allowanceKey]bool{}
	for _, l := range a.Approved {
		k := allowanceKey{l.ProductID, l.Size}
		if done[k] {
			continue
		}
		done[k] = true
		l.Quantity = max(left[k], 0)
		out = append(out, l)
	}
	return out
}

// left returns the quantity still available per product and size.
func (a OrderAllowance) left() map[allowanceKey]int {
	left := map[allowanceKey]int{}
	for _, l := range a.Approved {
		left[allowanceKey{l.ProductID, l.Size}] += l.Quantity
	}
	for _, l := range a.Ordered {
		left[allowanceKey{l.ProductID, l.Size}] -= l.Quantity
	}
	return left
}

// Check reports whether items fit in what is left. It returns nil or an *Error
// with CodeInvalid: "items[i].product_id" for a product not approved,
// "items[i].size" for a size not approved, "items[i].quantity" for more than is
// left (counting earlier items of the same order).
func (a OrderAllowance) Check(items []ProductLine) error {
	var fe FieldErrors
	left := a.left()
	products := map[string]bool{}
	for _, l := range a.Approved {
		products[l.ProductID] = true
	}
	for i, it := range items {
		k := allowanceKey{it.ProductID, it.Size}
		n, ok := left[k]
		switch {
		case !products[it.ProductID]:
			fe.Add(fieldAt("items", i, "product_id"), "is not among the approved products")
		case !ok:
			fe.Add(fieldAt("items", i, "size"), "is not an approved size of this product")
		case it.Quantity > n:
			fe.Add(fieldAt("items", i, "quantity"),
				fmt.Sprintf("exceeds the %d left of the approved quantity", max(n, 0)))
		default:
			left[k] = n - it.Quantity
		}
	}
	return fe.Err()
}
