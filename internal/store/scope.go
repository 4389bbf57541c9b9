package store

import (
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// scopeWhere returns the SQL predicate that limits rows to the principal's scope:
// the access policy turned into SQL, so a query never fetches what the caller may
// not see. practiceCol names the row's practice column; patientCol, when not
// empty, its patient column, through which an unexpired break-glass grant opens
// one patient to a specialist or admin.
func scopeWhere(p domain.Principal, a *args, practiceCol, patientCol string, now time.Time) string {
	var where string
	switch p.Role.Scope() {
	case domain.ScopeAll:
		return "1=1"
	case domain.ScopePractice:
		where = practiceCol + " = " + a.add(p.OrganizationID)
	default:
		where = practiceCol + ` IN (SELECT o.id FROM organizations o
			WHERE o.territory_id IN ` + subtreeOfUser(a.add(p.UserID)) + `)`
	}
	if patientCol != "" && p.Role.Can(domain.PermBreakGlass) {
		where = "(" + where + " OR " + patientCol + ` IN (SELECT g.patient_id
			FROM break_glass_grants g WHERE g.user_id = ` + a.add(p.UserID) + `
			AND g.expires_at > ` + a.add(now) + ` AND g.revoked_at IS NULL))`
	}
	return where
}
