package service

import (
	"context"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/events"
	"github.com/openivr/ivr/internal/store"
)

func requireAdmin(p domain.Principal) error {
	if p.Role != domain.RoleAdmin && p.Role != domain.RoleSystem {
		return domain.ErrForbidden
	}
	return nil
}

// ListUsers returns every account (admins only).
func (s *Service) ListUsers(ctx context.Context, p domain.Principal) ([]domain.User, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	return s.DB.ListUsers(ctx)
}

// SetUserDisabled disables (or re-enables) an account; disabling ends every
// session of the user at once.
func (s *Service) SetUserDisabled(ctx context.Context, p domain.Principal, userID string, disabled bool) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	if userID == p.UserID {
		return domain.Conflict("disable", "cannot disable your own account")
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		if err := store.SetDisabled(ctx, tx, userID, disabled); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "user.disable", "user", userID, "", "disabled_at"))
	})
}

// SetUserTerritories replaces a territory role's assignments.
func (s *Service) SetUserTerritories(ctx context.Context, p domain.Principal, userID string, ids []string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	u, err := s.DB.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.Role.Scope() != domain.ScopeTerritories {
		return domain.Conflict("assign territories", "the role "+string(u.Role)+" has no territories")
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		if err := checkTerritories(ctx, tx, ids); err != nil {
			return err
		}
		if err := store.SetUserTerritories(ctx, tx, userID, ids); err != nil {
			return err
		}
		if err := record(ctx, tx, entry(p, "user.territories", "user", userID, "", "territory_ids")); err != nil {
			return err
		}
		// Open event streams re-read their scope when they reach this event.
		// The event is keyed by the user's organization; it is never sent to clients.
		return emit(ctx, tx, events.TypeScopeChanged, "user", userID, u.OrganizationID, "",
			map[string]any{"user_id": userID})
	})
}

func checkTerritories(ctx context.Context, tx *store.Tx, ids []string) error {
	var fe domain.FieldErrors
	for i, id := range ids {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM territories WHERE id = $1`, id).Scan(&one); err != nil {
			fe.Add(domain.FieldPath("territory_ids", i, ""), "no such territory")
		}
	}
	return fe.Err()
}

// MovePractice moves a practice, and so its patients, IVRs and orders, to another
// territory; scope follows at once because it is computed from the tree.
func (s *Service) MovePractice(ctx context.Context, p domain.Principal, practiceID, territoryID string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		if err := checkTerritories(ctx, tx, []string{territoryID}); err != nil {
			return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"territory_id": "no such territory"}}
		}
		if err := store.MovePractice(ctx, tx, practiceID, territoryID, 0); err != nil {
			return err
		}
		if err := record(ctx, tx, entry(p, "practice.move", "organization", practiceID, "", "territory_id")); err != nil {
			return err
		}
		return emit(ctx, tx, events.TypeScopeChanged, "organization", practiceID, practiceID, "",
			map[string]any{"practice_id": practiceID, "territory_id": territoryID})
	})
}

// APIToken is an integration credential; Token is shown once, at creation.
type APIToken struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	UserID     string     `json:"user_id"`
	Token      string     `json:"token,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// CreateAPIToken issues a token for a service account (a user created with
// service set): the integration acts with that account's organization, role and
// scope. Only the token's hash is stored.
func (s *Service) CreateAPIToken(ctx context.Context, p domain.Principal, userID, name string) (APIToken, error) {
	if err := requireAdmin(p); err != nil {
		return APIToken{}, err
	}
	u, err := s.DB.UserByID(ctx, userID)
	if err != nil || !u.Service {
		return APIToken{}, &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"user_id": "must name a service account"}}
	}
	if name == "" || len(name) > 100 {
		return APIToken{}, &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"name": "1 to 100 characters"}}
	}
	token, hash, err := auth.NewToken(auth.PrefixAPI)
	if err != nil {
		return APIToken{}, err
	}
	t := APIToken{ID: store.NewID(), Name: name, UserID: userID, Token: token}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		t.CreatedAt = tx.Now
		if err := store.CreateAPIToken(ctx, tx, t.ID, hash, userID, name, p.UserID); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "token.create", "api_token", t.ID, ""))
	})
	return t, err
}

// ListAPITokens returns every API token without its secret.
func (s *Service) ListAPITokens(ctx context.Context, p domain.Principal) ([]APIToken, error) {
	if err := requireAdmin(p); err != nil {
		return nil, err
	}
	rows, err := store.ListAPITokens(ctx, s.DB.Reader())
	if err != nil {
		return nil, err
	}
	out := make([]APIToken, len(rows))
	for i, r := range rows {
		out[i] = APIToken{ID: r.ID, Name: r.Name, UserID: r.UserID, CreatedAt: r.CreatedAt,
			LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt}
	}
	return out, nil
}

// RevokeAPIToken ends a token at once.
func (s *Service) RevokeAPIToken(ctx context.Context, p domain.Principal, id string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx) error {
		if err := store.RevokeAPIToken(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "token.revoke", "api_token", id, ""))
	})
}

// authenticateAPIToken resolves an integration token to its service account.
func (s *Service) authenticateAPIToken(ctx context.Context, token string, c Client) (domain.Principal, error) {
	t, err := store.APITokenByHash(ctx, s.DB.Reader(), auth.HashToken(token))
	if err != nil || t.RevokedAt != nil {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	u, err := s.DB.UserByID(ctx, t.UserID)
	if err != nil || u.DisabledAt != nil || !u.Service {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	if err := s.DB.TouchAPIToken(ctx, t.ID, s.now(), time.Minute); err != nil {
		return domain.Principal{}, fmt.Errorf("api token: %w", err)
	}
	return domain.Principal{UserID: u.ID, Role: u.Role, OrganizationID: u.OrganizationID,
		TerritoryIDs: u.TerritoryIDs, SessionID: "token:" + t.ID, IP: c.IP, UserAgent: c.UserAgent}, nil
}
