package eligibility

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/openivr/ivr/x12"
)

// x12Exchange builds a 270 for an inquiry, hands it to send and reads the 271 that
// comes back. The X12 adapters share it.
type x12Exchange struct {
	name       string
	payers     PayerMap
	writer     x12.Writer
	senderID   string
	receiverID string
	production bool
	now        func() time.Time
}

// sendFunc delivers a 270 interchange and returns the 271 interchange.
type sendFunc func(ctx context.Context, raw270 []byte) ([]byte, error)

func (e x12Exchange) check(ctx context.Context, inq Inquiry, send sendFunc) (Result, error) {
	payerID, err := mapPayer(e.payers, inq.PayerID)
	if err != nil {
		return Result{}, err
	}
	now := e.clock()
	env := x12.Envelope{SenderID: e.senderID, ReceiverID: e.receiverID,
		ControlNumber: randomControlNumber(), Production: e.production, Time: now}
	raw270, err := x12.Build270(e.writer, env, inq.Request270(payerID))
	if err != nil {
		return Result{}, permanent("the inquiry cannot be encoded as a 270", err)
	}
	raw271, err := send(ctx, raw270)
	if err != nil {
		return Result{}, err
	}
	rs, err := x12.Parse271(raw271)
	if err != nil {
		return Result{}, permanent("the clearinghouse answered with a malformed 271", err)
	}
	summary, err := summaryFor(rs, inq.TraceNumber)
	if err != nil {
		return Result{}, err
	}
	return Result{Status: StatusOK, Clearinghouse: e.name, PayerID: payerID,
		TraceNumber: inq.TraceNumber, CheckedAt: now, Summary: summary,
		RawFormat: "x12", RawRequest: raw270, RawResponse: raw271}, nil
}

func (e x12Exchange) clock() time.Time {
	if e.now == nil {
		return time.Now().UTC()
	}
	return e.now().UTC()
}

// randomControlNumber returns an interchange control number from 1 to 999999999.
func randomControlNumber() int {
	n, err := rand.Int(rand.Reader, big.NewInt(999999999))
	if err != nil {
		return int(time.Now().UnixNano()%999999999) + 1
	}
	return int(n.Int64()) + 1
}

// NewTraceNumber returns a random 15-digit trace number for TRN02.
func NewTraceNumber() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e15))
	if err != nil {
		n = big.NewInt(time.Now().UnixNano() % 1e15)
	}
	return fmt.Sprintf("%015d", n.Int64())
}

// contextError turns a context's end into a clearinghouse error: a deadline is
// temporary (the next attempt may be faster), a cancellation is not.
func contextError(err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return temporary("the clearinghouse did not answer in time", err)
	}
	return permanent("the check was canceled", err)
}
