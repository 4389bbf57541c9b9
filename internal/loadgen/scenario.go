package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Scenarios lists the scenario names Run accepts.
var Scenarios = []string{"read", "queue", "mixed"}

// request is one request of a scenario; route names it in the report.
type request struct {
	route, method, path string
	body                []byte
}

// scenario prepares itself against the server once, then yields the i-th request of
// the schedule. next is called from one goroutine only.
type scenario interface {
	setup(ctx context.Context, c *apiClient) error
	next(i uint64) request
}

func newScenario(name string) (scenario, error) {
	switch name {
	case "read":
		return &readScenario{}, nil
	case "queue":
		return &queueScenario{}, nil
	case "mixed":
		return &mixedScenario{}, nil
	}
	return nil, fmt.Errorf("unknown scenario %q (want read, queue or mixed)", name)
}

// idList is the part of a list page the scenarios need; items are decoded for their
// ids only, so no other field of a record is ever held.
type idList struct {
	Items []struct {
		ID string `json:"id"`
	} `json:"items"`
}

func (l idList) ids() []string {
	out := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		if it.ID != "" {
			out = append(out, it.ID)
		}
	}
	return out
}

const listPath = "/api/v1/ivrs?limit=50"

// readScenario alternates the first page of IVRs with the details of the IVRs on it.
type readScenario struct {
	ids []string
}

func (s *readScenario) setup(ctx context.Context, c *apiClient) error {
	var page idList
	if err := c.do(ctx, http.MethodGet, listPath, nil, &page); err != nil {
		return fmt.Errorf("scenario read: %w", err)
	}
	s.ids = page.ids()
	return nil
}

func (s *readScenario) next(i uint64) request {
	if i%2 == 0 || len(s.ids) == 0 {
		return request{route: "GET /api/v1/ivrs", method: http.MethodGet, path: listPath}
	}
	id := s.ids[(i/2)%uint64(len(s.ids))]
	return request{route: "GET /api/v1/ivrs/{id}", method: http.MethodGet,
		path: "/api/v1/ivrs/" + url.PathEscape(id)}
}

// queueScenario reads the specialist's queue.
type queueScenario struct{}

const queuePath = "/api/v1/queue"

func (s *queueScenario) setup(ctx context.Context, c *apiClient) error {
	if err := c.do(ctx, http.MethodGet, queuePath, nil, nil); err != nil {
		return fmt.Errorf("scenario queue: %w", err)
	}
	return nil
}

func (s *queueScenario) next(uint64) request {
	return request{route: "GET /api/v1/queue", method: http.MethodGet, path: queuePath}
}

// draftEvery makes one request in draftEvery of the mixed scenario a new draft.
const draftEvery = 5

// mixedScenario is the read scenario with one draft IVR created in every five
// requests, for a patient, facility and product found on the server.
type mixedScenario struct {
	read  readScenario
	draft []byte
}

func (s *mixedScenario) setup(ctx context.Context, c *apiClient) error {
	if err := s.read.setup(ctx, c); err != nil {
		return err
	}
	patient, err := firstID(ctx, c, "/api/v1/patients?limit=1")
	if err != nil {
		return err
	}
	facility, err := firstID(ctx, c, "/api/v1/facilities")
	if err != nil {
		return err
	}
	product, size, err := firstProduct(ctx, c)
	if err != nil {
		return err
	}
	s.draft, err = json.Marshal(draftBody(patient, facility, product, size, time.Now()))
	if err != nil {
		return fmt.Errorf("scenario mixed: encode draft: %w", err)
	}
	return nil
}

func (s *mixedScenario) next(i uint64) request {
	if i%draftEvery == draftEvery-1 {
		return request{route: "POST /api/v1/ivrs", method: http.MethodPost,
			path: "/api/v1/ivrs", body: s.draft}
	}
	return s.read.next(i - i/draftEvery)
}

func firstID(ctx context.Context, c *apiClient, path string) (string, error) {
	var page idList
	if err := c.do(ctx, http.MethodGet, path, nil, &page); err != nil {
		return "", fmt.Errorf("scenario mixed: %w", err)
	}
	ids := page.ids()
	if len(ids) == 0 {
		return "", fmt.Errorf("scenario mixed: GET %s returned no records", path)
	}
	return ids[0], nil
}

func firstProduct(ctx context.Context, c *apiClient) (id, size string, err error) {
	var page struct {
		Items []struct {
			ID    string `json:"id"`
			Sizes []struct {
				Label string `json:"label"`
			} `json:"sizes"`
		} `json:"items"`
	}
	if err := c.do(ctx, http.MethodGet, "/api/v1/products", nil, &page); err != nil {
		return "", "", fmt.Errorf("scenario mixed: %w", err)
	}
	for _, p := range page.Items {
		if p.ID != "" && len(p.Sizes) > 0 {
			return p.ID, p.Sizes[0].Label, nil
		}
	}
	return "", "", errors.New("scenario mixed: no product with a size on GET /api/v1/products")
}

// draftBody is a plausible draft IVR (the shape of API.md's example), starting a
// week after now.
func draftBody(patient, facility, product, size string, now time.Time) map[string]any {
	return map[string]any{
		"patient_id": patient, "facility_id": facility,
		"place_of_service": "11", "request_type": "new",
		"wound": map[string]any{
			"type": "diabetic_foot_ulcer", "site": "foot", "laterality": "left",
			"length_cm": 3.0, "width_cm": 2.0, "depth_cm": 0.4,
			"duration_weeks": 8, "conservative_care_weeks": 4,
		},
		"diagnosis_codes": []string{"E11.621", "L97.422"},
		"products": []map[string]any{
			{"product_id": product, "size": size, "quantity": 4},
		},
		"applications": 4, "frequency": "weekly",
		"start_date": now.AddDate(0, 0, 7).UTC().Format(time.DateOnly),
	}
}
