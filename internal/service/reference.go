package service

import (
	"context"
	"regexp"
	"strings"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// PayerInput is the body of POST /api/v1/payers.
type PayerInput struct {
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	PlanTypes []string          `json:"plan_types"`
	MAC       string            `json:"mac"`
	PayerIDs  map[string]string `json:"payer_ids"`
}

// ProductInput is the body of POST /api/v1/products.
type ProductInput struct {
	Name         string               `json:"name"`
	Manufacturer string               `json:"manufacturer"`
	HCPCS        string               `json:"hcpcs"`
	FDACategory  string               `json:"fda_category"`
	Sizes        []domain.ProductSize `json:"sizes"`
}

var (
	hcpcsFormat   = regexp.MustCompile(`^[A-V][0-9]{4}$`)
	fdaCategories = []string{"Section 361 HCT/P", "510(k)", "PMA", "Section 351 BLA"}
	payerKinds    = []string{"medicare", "medicare_advantage", "medicaid", "commercial", "other"}
)

// CreatePayer adds a payer to the directory (admins). A new payer's
// clearinghouse ids take effect for eligibility checks at the next start.
func (s *Service) CreatePayer(ctx context.Context, p domain.Principal, in PayerInput) (domain.Payer, error) {
	if err := requireAdmin(p); err != nil {
		return domain.Payer{}, err
	}
	var fe domain.FieldErrors
	if strings.TrimSpace(in.Name) == "" || len(in.Name) > 200 {
		fe.Add("name", "1 to 200 characters")
	}
	if !contains(payerKinds, in.Kind) {
		fe.Add("kind", "must be one of "+strings.Join(payerKinds, ", "))
	}
	for i, pt := range in.PlanTypes {
		if !domain.PlanType(pt).Valid() {
			fe.Add(domain.FieldPath("plan_types", i, ""), "unknown plan type")
		}
	}
	if in.MAC != "" && !domain.MAC(in.MAC).Valid() {
		fe.Add("mac", "unknown Medicare contractor jurisdiction")
	}
	if err := fe.Err(); err != nil {
		return domain.Payer{}, err
	}
	py := domain.Payer{Name: in.Name, Kind: in.Kind, PlanTypes: in.PlanTypes, MAC: in.MAC, PayerIDs: in.PayerIDs}
	if py.PayerIDs == nil {
		py.PayerIDs = map[string]string{}
	}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if err := store.CreatePayer(ctx, tx, &py); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "payer.create", "payer", py.ID, ""))
	})
	return py, err
}

// CreateProduct adds a product to the catalog (admins).
func (s *Service) CreateProduct(ctx context.Context, p domain.Principal, in ProductInput) (domain.Product, error) {
	if err := requireAdmin(p); err != nil {
		return domain.Product{}, err
	}
	var fe domain.FieldErrors
	if strings.TrimSpace(in.Name) == "" || len(in.Name) > 200 {
		fe.Add("name", "1 to 200 characters")
	}
	if strings.TrimSpace(in.Manufacturer) == "" {
		fe.Add("manufacturer", "is required")
	}
	if !hcpcsFormat.MatchString(in.HCPCS) {
		fe.Add("hcpcs", "must be a HCPCS Level II code such as Q4186")
	}
	if !contains(fdaCategories, in.FDACategory) {
		fe.Add("fda_category", "must be one of "+strings.Join(fdaCategories, ", "))
	}
	if len(in.Sizes) == 0 {
		fe.Add("sizes", "at least one size")
	}
	seen := map[string]bool{}
	for i, sz := range in.Sizes {
		if strings.TrimSpace(sz.Label) == "" || seen[sz.Label] {
			fe.Add(domain.FieldPath("sizes", i, "label"), "required and unique")
		}
		if sz.AreaCm2 <= 0 || sz.AreaCm2 > 1000 {
			fe.Add(domain.FieldPath("sizes", i, "area_cm2"), "must be more than 0 and at most 1000")
		}
		seen[sz.Label] = true
	}
	if err := fe.Err(); err != nil {
		return domain.Product{}, err
	}
	pr := domain.Product{Name: in.Name, Manufacturer: in.Manufacturer, HCPCS: in.HCPCS,
		FDACategory: in.FDACategory, Sizes: in.Sizes}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if err := store.CreateProduct(ctx, tx, &pr); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "product.create", "product", pr.ID, ""))
	})
	return pr, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
