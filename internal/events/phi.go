package events

import (
	"bytes"
	"encoding/json"
	"regexp"
	"time"
)

// valueRule checks the value of one allowed data key.
type valueRule func(v any) bool

var (
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)
	initialsPattern = regexp.MustCompile(`^([A-Z]\.?){1,3}$`)
	labelPattern    = regexp.MustCompile(`^[A-Za-z0-9 .,/()+-]{1,40}$`)
)

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// keyName quotes a key for an error message when it looks like a field name; any
// other key could itself be a value (a name used as a key) and is not repeated.
func keyName(k string) string {
	if keyPattern.MatchString(k) {
		return `"` + k + `"`
	}
	return "(unprintable key)"
}

func isID(s string) bool { return idPattern.MatchString(s) }

func idValue(v any) bool       { s, ok := v.(string); return ok && isID(s) }
func initialsValue(v any) bool { s, ok := v.(string); return ok && initialsPattern.MatchString(s) }
func labelValue(v any) bool    { s, ok := v.(string); return ok && labelPattern.MatchString(s) }
func numberValue(v any) bool   { _, ok := v.(json.Number); return ok }

// dateValue accepts a calendar date or an RFC 3339 instant.
func dateValue(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return true
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// productRules are the keys of one entry of "products".
var productRules = map[string]valueRule{
	"product_id": idValue, "hcpcs": idValue, "name": labelValue, "size": labelValue,
	"quantity": numberValue,
}

func productsValue(v any) bool {
	list, ok := v.([]any)
	if !ok || len(list) > 50 {
		return false
	}
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return false
		}
		for k, x := range obj {
			rule, ok := productRules[k]
			if !ok || !rule(x) {
				return false
			}
		}
	}
	return true
}

// dataRules is the allow-list of the outbox data: the PHI-minimal view of a
// record. A key that is not here, or a value of the wrong shape, is refused.
var dataRules = map[string]valueRule{
	"reference": idValue, "ivr_reference": idValue, "order_reference": idValue,
	"ivr_id": idValue, "order_id": idValue, "practice_id": idValue,
	"territory_id": idValue, "assignee_id": idValue, "user_id": idValue,
	"status": idValue, "previous_status": idValue, "reason_code": idValue,
	"condition": idValue, "carrier": labelValue, "version": numberValue,
	"patient_initials": initialsValue, "products": productsValue,
	"valid_until": dateValue, "due_date": dateValue, "start_date": dateValue,
	"expected_delivery": dateValue, "submitted_at": dateValue, "decided_at": dateValue,
	"shipped_at": dateValue, "delivered_at": dateValue, "expires_at": dateValue,
}

// checkData accepts an empty data or a JSON object whose keys are all in
// dataRules with values of the expected shape. Errors name the key only.
func checkData(data json.RawMessage) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return invalid("data must be a JSON object")
	}
	if len(bytes.TrimSpace(data[dec.InputOffset():])) != 0 {
		return invalid("data must be a single JSON object")
	}
	for k, v := range obj {
		rule, ok := dataRules[k]
		if !ok {
			return invalid("data key %s is not on the PHI-minimal allow-list", keyName(k))
		}
		if !rule(v) {
			return invalid("data key %s has a value of the wrong shape", keyName(k))
		}
	}
	return nil
}
