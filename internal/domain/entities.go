package domain

import "time"

// OrgKind is the kind of an organization.
type OrgKind string

// The kinds of organization.
const (
	OrgOperator          OrgKind = "operator"
	OrgPractice          OrgKind = "practice"
	OrgDistributor       OrgKind = "distributor"
	OrgMasterDistributor OrgKind = "master_distributor"
	OrgFulfilment        OrgKind = "fulfilment"
)

// Territory is a node of the territory tree; a region has no parent.
type Territory struct {
	ID          string   `json:"id"`
	ParentID    string   `json:"parent_id,omitempty"`
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	States      []string `json:"states"`
	ZIPPrefixes []string `json:"zip_prefixes,omitempty"`
	Version     int      `json:"version"`
}

// Organization is a practice, a distributor, the network or the operator.
type Organization struct {
	ID          string  `json:"id"`
	Kind        OrgKind `json:"kind"`
	Name        string  `json:"name"`
	ParentID    string  `json:"parent_id,omitempty"`
	TerritoryID string  `json:"territory_id,omitempty"`
	NPI         string  `json:"npi,omitempty"`
	TIN         string  `json:"tin,omitempty"`
	Version     int     `json:"version"`
}

// Facility is a place of a practice where grafts are applied and shipped to.
type Facility struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	Name           string `json:"name"`
	NPI            string `json:"npi"`
	TIN            string `json:"tin,omitempty"`
	PTAN           string `json:"ptan,omitempty"`
	Line1          string `json:"line1,omitempty"`
	City           string `json:"city,omitempty"`
	State          string `json:"state,omitempty"`
	ZIP            string `json:"zip,omitempty"`
	Version        int    `json:"version"`
}

// User is an account. PasswordHash and the MFA secret never leave the store and
// auth packages; the JSON view omits them.
type User struct {
	ID                 string     `json:"id"`
	Email              string     `json:"email"`
	Name               string     `json:"name"`
	Role               Role       `json:"role"`
	OrganizationID     string     `json:"organization_id"`
	NPI                string     `json:"npi,omitempty"`
	TerritoryIDs       []string   `json:"territory_ids"`
	MFAEnabled         bool       `json:"mfa_enabled"`
	EmailNotifications bool       `json:"email_notifications"`
	Service            bool       `json:"service,omitempty"`
	DisabledAt         *time.Time `json:"disabled_at,omitempty"`
	Version            int        `json:"version"`
	PasswordHash       string     `json:"-"`
	PasswordChangedAt  time.Time  `json:"-"`
	MFASecret          []byte     `json:"-"`
	MFALastStep        int64      `json:"-"`
	CreatedAt          time.Time  `json:"created_at"`
}

// Payer is an entry of the payer directory.
type Payer struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"`
	PlanTypes []string          `json:"plan_types"`
	MAC       string            `json:"mac,omitempty"`
	PayerIDs  map[string]string `json:"payer_ids"`
	Active    bool              `json:"active"`
	Version   int               `json:"version"`
}

// Product is a skin substitute of the catalog, billed under a HCPCS Q-code.
type Product struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Manufacturer string        `json:"manufacturer"`
	HCPCS        string        `json:"hcpcs"`
	FDACategory  string        `json:"fda_category"`
	Sizes        []ProductSize `json:"sizes"`
	Active       bool          `json:"active"`
	Version      int           `json:"version"`
}

// ProductSize is one size a product comes in.
type ProductSize struct {
	Label   string  `json:"label"`
	AreaCm2 float64 `json:"area_cm2"`
}

// HasSize reports whether the product comes in the labelled size.
func (p Product) HasSize(label string) bool {
	for _, s := range p.Sizes {
		if s.Label == label {
			return true
		}
	}
	return false
}
