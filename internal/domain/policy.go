package domain

// Permission is a function-level right that a route declares. Whether a particular
// record is visible is a separate, row-level question answered by the store from
// the Principal's scope.
type Permission string

// The permissions routes declare. PermPublic routes need no session.
const (
	PermPublic          Permission = "public"
	PermAuthenticated   Permission = "authenticated"
	PermReferenceRead   Permission = "reference.read"
	PermReferenceWrite  Permission = "reference.write"
	PermPatientRead     Permission = "patient.read"
	PermPatientWrite    Permission = "patient.write"
	PermPatientAccess   Permission = "patient.access_log"
	PermIVRRead         Permission = "ivr.read"
	PermIVRWrite        Permission = "ivr.write"
	PermIVRAct          Permission = "ivr.act"
	PermDocumentRead    Permission = "document.read"
	PermDocumentWrite   Permission = "document.write"
	PermOrderRead       Permission = "order.read"
	PermOrderCreate     Permission = "order.create"
	PermOrderAct        Permission = "order.act"
	PermBreakGlass      Permission = "break_glass"
	PermAuditRead       Permission = "audit.read"
	PermUserAdmin       Permission = "user.admin"
	PermEligibility     Permission = "eligibility.check"
	PermEventsSubscribe Permission = "events.subscribe"
)

var everyone = []Permission{PermAuthenticated, PermReferenceRead, PermEventsSubscribe}

// rolePermissions is the function-level policy: the one table that says what each
// role may ever do.
var rolePermissions = map[Role][]Permission{
	RoleAdmin: {PermReferenceWrite, PermPatientRead, PermPatientWrite, PermPatientAccess,
		PermIVRRead, PermIVRAct, PermDocumentRead, PermOrderRead, PermOrderAct,
		PermBreakGlass, PermAuditRead, PermUserAdmin, PermEligibility},
	RoleSpecialist: {PermPatientRead, PermPatientAccess, PermIVRRead, PermIVRAct,
		PermDocumentRead, PermDocumentWrite, PermOrderRead, PermBreakGlass, PermEligibility},
	RoleDoctor: {PermPatientRead, PermPatientWrite, PermPatientAccess, PermIVRRead,
		PermIVRWrite, PermIVRAct, PermDocumentRead, PermDocumentWrite, PermOrderRead,
		PermOrderCreate, PermOrderAct},
	RoleOfficeStaff: {PermPatientRead, PermPatientWrite, PermIVRRead, PermIVRWrite,
		PermIVRAct, PermDocumentRead, PermDocumentWrite, PermOrderRead, PermOrderCreate,
		PermOrderAct},
	RoleSalesRep:          {PermIVRRead, PermOrderRead},
	RoleDistributor:       {PermIVRRead, PermOrderRead},
	RoleMasterDistributor: {PermIVRRead, PermOrderRead},
	RoleLogistics:         {PermOrderRead, PermOrderAct},
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	if p == PermPublic {
		return true
	}
	for _, q := range everyone {
		if q == p {
			return r.Valid()
		}
	}
	for _, q := range rolePermissions[r] {
		if q == p {
			return true
		}
	}
	return false
}

// Principal is the authenticated caller of a request: who, in which role, with
// which scope. It travels in the request context from the authentication
// middleware to the store, which turns it into SQL predicates.
type Principal struct {
	UserID         string
	Role           Role
	OrganizationID string
	// TerritoryIDs are the territories assigned to the user; the store expands each
	// to its subtree.
	TerritoryIDs []string
	SessionID    string
	IP           string
	UserAgent    string
	// MFAPending is set for a role that must use MFA but has not enrolled yet:
	// such a session may only reach PermAuthenticated routes (enrolment).
	MFAPending bool
}

// System is the principal of background jobs (expiry, eligibility checks).
var System = Principal{UserID: "system", Role: RoleSystem}
