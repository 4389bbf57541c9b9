package eligibility

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func FuzzParseJSONResponse(f *testing.F) {
	for _, name := range []string{"json_response_ppo.json", "json_response_rejected.json"} {
		f.Add(MustReadFixture(f, name))
	}
	f.Add([]byte(`{"benefitsInformation":[{"code":"C","benefitAmount":"1e99","benefitPercent":"-1"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseJSONResponse(data)
		if err == nil && !json.Valid(data) {
			t.Fatalf("accepted invalid JSON (%d plans)", len(r.Plans))
		}
	})
}

func FuzzParseCoverageEligibilityRequest(f *testing.F) {
	for _, name := range []string{"fhir_request_contained.json", "fhir_request_referenced.json"} {
		f.Add(MustReadFixture(f, name))
	}
	f.Add([]byte(`{"resourceType":"CoverageEligibilityRequest","contained":[{"id":"p"}],"patient":{"reference":"#p"}}`))
	resolve := func(context.Context, string) (json.RawMessage, error) { return nil, errors.New("none") }
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseCoverageEligibilityRequest(context.Background(), data, resolve)
		var oo *OperationOutcome
		if err != nil && !errors.As(err, &oo) {
			t.Fatalf("error %T is not an OperationOutcome", err)
		}
	})
}
