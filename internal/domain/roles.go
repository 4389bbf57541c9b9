package domain

// Role is a user's function in the platform (DOMAIN.md, "Roles").
type Role string

// The roles of the platform.
const (
	RoleAdmin             Role = "admin"
	RoleSpecialist        Role = "ivr_specialist"
	RoleDoctor            Role = "doctor"
	RoleOfficeStaff       Role = "office_staff"
	RoleSalesRep          Role = "sales_rep"
	RoleDistributor       Role = "distributor"
	RoleMasterDistributor Role = "master_distributor"
	RoleLogistics         Role = "logistics"
)

// Roles lists every role, in a stable order.
var Roles = []Role{
	RoleAdmin, RoleSpecialist, RoleDoctor, RoleOfficeStaff,
	RoleSalesRep, RoleDistributor, RoleMasterDistributor, RoleLogistics,
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// ScopeKind says how a role's visible records are bounded.
type ScopeKind int

// The kinds of scope.
const (
	// ScopeAll sees every record (admin).
	ScopeAll ScopeKind = iota
	// ScopePractice sees the records of the user's own practice.
	ScopePractice
	// ScopeTerritories sees records of practices in the subtrees of the user's
	// assigned territories.
	ScopeTerritories
)

// Scope returns how records visible to r are bounded.
func (r Role) Scope() ScopeKind {
	switch r {
	case RoleAdmin, RoleSystem:
		return ScopeAll
	case RoleDoctor, RoleOfficeStaff:
		return ScopePractice
	default:
		return ScopeTerritories
	}
}

// PHIMinimal reports whether r sees only the PHI-minimal views: patient initials and
// an opaque reference, status, dates, product and territory.
func (r Role) PHIMinimal() bool {
	switch r {
	case RoleSalesRep, RoleDistributor, RoleMasterDistributor, RoleLogistics:
		return true
	}
	return false
}

// MFARequired reports whether r must use a second factor: every role that can read
// full PHI.
func (r Role) MFARequired() bool {
	return !r.PHIMinimal()
}

// ClinicRole reports whether r belongs to a practice.
func (r Role) ClinicRole() bool {
	return r == RoleDoctor || r == RoleOfficeStaff
}
