package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/store"
)

// LoginResult is the answer to a correct password: a session token, or an MFA
// challenge to answer with a TOTP code.
type LoginResult struct {
	Token       string     `json:"token,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	MFARequired bool       `json:"mfa_required,omitempty"`
	MFAToken    string     `json:"mfa_token,omitempty"`
}

// Client is where a request came from, for sessions and the audit trail.
type Client struct {
	IP        string
	UserAgent string
}

var errBadLogin = &domain.Error{Code: domain.CodeUnauthenticated, Message: "invalid e-mail or password"}

var errBadCode = &domain.Error{Code: domain.CodeUnauthenticated,
	Message: "invalid or already used code; wait for the next one"}

// RetryError is a rate-limit refusal with the time to wait.
type RetryError struct {
	After time.Duration
}

// Error implements error.
func (e *RetryError) Error() string { return "too many attempts" }

// Login checks an e-mail and password. Unknown e-mail and wrong password give the
// same error after the same work (a dummy hash). Failures are throttled per
// account and per client address.
func (s *Service) Login(ctx context.Context, email, password string, c Client) (LoginResult, error) {
	account := auth.NormalizeEmail(email)
	if wait, err := s.Throttle.Check(ctx, account, c.IP); err != nil {
		return LoginResult{}, err
	} else if wait > 0 {
		return LoginResult{}, &RetryError{After: wait}
	}
	u, err := s.DB.UserByEmail(ctx, account)
	if isNotFound(err) || err == nil && (u.DisabledAt != nil || u.PasswordHash == "" || u.Service) {
		s.Hasher.DummyVerify(ctx, password)
		return LoginResult{}, s.loginFailed(ctx, account, c, "")
	} else if err != nil {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	ok, rehash, err := s.Hasher.Verify(ctx, password, u.PasswordHash)
	if err != nil {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	if !ok {
		return LoginResult{}, s.loginFailed(ctx, account, c, u.ID)
	}
	s.Throttle.Success(ctx, account)
	if rehash {
		s.rehash(ctx, u.ID, password)
	}
	if u.MFAEnabled {
		return s.startMFA(ctx, u, c)
	}
	// A full-PHI role without MFA gets a session that may only enrol (see
	// Authenticate).
	return s.newSession(ctx, u, c, nil)
}

func (s *Service) loginFailed(ctx context.Context, account string, c Client, userID string) error {
	s.Throttle.Failure(ctx, account, c.IP)
	e := audit.Entry{ActorID: userID, IP: c.IP, UserAgent: c.UserAgent, Action: "auth.login",
		ResourceType: "user", ResourceID: userID, Outcome: audit.OutcomeDenied}
	if err := s.DB.InTx(ctx, func(tx *store.Tx) error { return record(ctx, tx, e) }); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return errBadLogin
}

func (s *Service) rehash(ctx context.Context, userID, password string) {
	h, err := s.Hasher.Hash(ctx, password)
	if err == nil {
		err = s.DB.InTx(ctx, func(tx *store.Tx) error {
			return store.SetPassword(ctx, tx, userID, h, false)
		})
	}
	if err != nil {
		s.Log.WarnContext(ctx, "password rehash failed", "user_id", userID, "error", err)
	}
}

func (s *Service) startMFA(ctx context.Context, u domain.User, c Client) (LoginResult, error) {
	token, hash, err := auth.NewToken(auth.PrefixMFAChallenge)
	if err != nil {
		return LoginResult{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		return store.CreateSession(ctx, tx, &store.Session{TokenHash: hash, UserID: u.ID,
			Kind: "mfa", IP: c.IP, UserAgent: c.UserAgent})
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	return LoginResult{MFARequired: true, MFAToken: token}, nil
}

func (s *Service) newSession(ctx context.Context, u domain.User, c Client, mfaAt *time.Time) (
	LoginResult, error) {
	token, hash, err := auth.NewToken(auth.PrefixSession)
	if err != nil {
		return LoginResult{}, err
	}
	var sess store.Session
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		sess = store.Session{TokenHash: hash, UserID: u.ID, Kind: "session", IP: c.IP,
			UserAgent: c.UserAgent, MFAAt: mfaAt}
		if err := store.CreateSession(ctx, tx, &sess); err != nil {
			return err
		}
		e := entry(domain.Principal{UserID: u.ID, Role: u.Role, SessionID: sess.ID, IP: c.IP,
			UserAgent: c.UserAgent}, "auth.login", "user", u.ID, "")
		return record(ctx, tx, e)
	})
	if err != nil {
		return LoginResult{}, fmt.Errorf("login: %w", err)
	}
	exp := sess.CreatedAt.Add(s.Sessions.Absolute)
	return LoginResult{Token: token, ExpiresAt: &exp}, nil
}

// VerifyMFA answers an MFA challenge with a TOTP code or a recovery code. The
// challenge is single use on success; a code is accepted only once.
func (s *Service) VerifyMFA(ctx context.Context, mfaToken, code string, c Client) (LoginResult, error) {
	if !auth.WellFormedToken(mfaToken, auth.PrefixMFAChallenge) {
		return LoginResult{}, domain.ErrUnauthenticated
	}
	ch, err := s.DB.SessionByHash(ctx, auth.HashToken(mfaToken), "mfa")
	if err != nil || ch.RevokedAt != nil || s.now().Sub(ch.CreatedAt) >= auth.MFAChallengeTTL {
		return LoginResult{}, domain.ErrUnauthenticated
	}
	u, err := s.DB.UserByID(ctx, ch.UserID)
	if err != nil || u.DisabledAt != nil {
		return LoginResult{}, domain.ErrUnauthenticated
	}
	if wait, _ := s.Throttle.Check(ctx, u.Email, c.IP); wait > 0 {
		return LoginResult{}, &RetryError{After: wait}
	}
	ok, err := s.checkSecondFactor(ctx, u, code, ch.ID)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		if err := s.loginFailed(ctx, u.Email, c, u.ID); err != errBadLogin {
			return LoginResult{}, err
		}
		return LoginResult{}, errBadCode
	}
	now := s.now()
	return s.newSession(ctx, u, c, &now)
}

// checkSecondFactor checks a TOTP or recovery code and, in the same transaction,
// consumes it and the challenge (challengeID, when not empty).
func (s *Service) checkSecondFactor(ctx context.Context, u domain.User, code, challengeID string) (bool, error) {
	secret, err := s.Keys.DecryptString(u.MFASecret, phi.FieldID{Table: "users", Column: "mfa_secret", RowID: u.ID})
	if err != nil {
		return false, fmt.Errorf("mfa: %w", err)
	}
	ok := false
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		code = strings.TrimSpace(code)
		if step, valid := auth.Validate(secret, code, tx.Now, u.MFALastStep); valid {
			used, err := store.UseTOTPStep(ctx, tx, u.ID, step)
			if err != nil || !used {
				return err
			}
		} else if !s.useRecoveryCode(ctx, tx, u.ID, code) {
			return nil
		}
		ok = true
		if challengeID != "" {
			return store.RevokeSession(ctx, tx, challengeID)
		}
		return nil
	})
	return ok, err
}

func (s *Service) useRecoveryCode(ctx context.Context, tx *store.Tx, userID, code string) bool {
	hashes, err := store.RecoveryCodeHashes(ctx, tx, userID)
	if err != nil || len(hashes) == 0 {
		return false
	}
	strs := make([]string, len(hashes))
	for i, h := range hashes {
		strs[i] = string(h)
	}
	i, ok := auth.MatchRecoveryCode(code, strs)
	if !ok {
		return false
	}
	used, err := store.UseRecoveryCode(ctx, tx, userID, hashes[i])
	return err == nil && used
}

// Authenticate turns a session token into the principal, enforcing the idle and
// absolute limits, revocation, a disabled user and a password change. A full-PHI
// role whose session was opened without MFA is refused.
func (s *Service) Authenticate(ctx context.Context, token string, c Client) (domain.Principal, error) {
	if auth.WellFormedToken(token, auth.PrefixAPI) {
		return s.authenticateAPIToken(ctx, token, c)
	}
	if !auth.WellFormedToken(token, auth.PrefixSession) {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	sess, err := s.DB.SessionByHash(ctx, auth.HashToken(token), "session")
	if err != nil {
		if isNotFound(err) {
			return domain.Principal{}, domain.ErrUnauthenticated
		}
		return domain.Principal{}, err
	}
	u, err := s.DB.UserByID(ctx, sess.UserID)
	if err != nil {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	now := s.now()
	check := s.Sessions.Check(auth.SessionRecord{CreatedAt: sess.CreatedAt, LastSeenAt: sess.LastSeenAt,
		Revoked: sess.RevokedAt != nil, UserDisabled: u.DisabledAt != nil,
		PasswordChangedAt: u.PasswordChangedAt}, now)
	if !check.Valid() {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	if u.MFAEnabled && sess.MFAAt == nil {
		return domain.Principal{}, domain.ErrUnauthenticated
	}
	if err := s.DB.TouchSession(ctx, sess.ID, now, 30*time.Second); err != nil {
		s.Log.WarnContext(ctx, "touch session", "error", err)
	}
	return domain.Principal{UserID: u.ID, Role: u.Role, OrganizationID: u.OrganizationID,
		TerritoryIDs: u.TerritoryIDs, SessionID: sess.ID, IP: c.IP, UserAgent: c.UserAgent,
		MFAPending: u.Role.MFARequired() && !u.MFAEnabled}, nil
}

// Logout ends the caller's session at once, on every instance: the next lookup of
// the token finds it revoked.
func (s *Service) Logout(ctx context.Context, p domain.Principal) error {
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.RevokeSession(ctx, tx, p.SessionID); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "auth.logout", "user", p.UserID, ""))
	})
}

// Me returns the caller's account.
func (s *Service) Me(ctx context.Context, p domain.Principal) (domain.User, error) {
	return s.DB.UserByID(ctx, p.UserID)
}

// CreateUserInput is what an admin (or the CLI) gives to create an account.
type CreateUserInput struct {
	Email          string      `json:"email"`
	Name           string      `json:"name"`
	Role           domain.Role `json:"role"`
	OrganizationID string      `json:"organization_id"`
	TerritoryIDs   []string    `json:"territory_ids"`
	Password       string      `json:"password"`
	NPI            string      `json:"npi"`
	// Service makes a service account: no password, used through API tokens.
	Service bool `json:"service"`
}

// CreateUser creates an account with a checked password. p is the acting admin
// (domain.System for the CLI).
func (s *Service) CreateUser(ctx context.Context, p domain.Principal, in CreateUserInput) (domain.User, error) {
	var fe domain.FieldErrors
	if !strings.Contains(in.Email, "@") {
		fe.Add("email", "must be an e-mail address")
	}
	if strings.TrimSpace(in.Name) == "" {
		fe.Add("name", "is required")
	}
	if !in.Role.Valid() {
		fe.Add("role", "must be one of the platform's roles")
	}
	if in.OrganizationID == "" {
		fe.Add("organization_id", "is required")
	}
	if err := fe.Err(); err != nil {
		return domain.User{}, err
	}
	if err := requireAdmin(p); err != nil {
		return domain.User{}, err
	}
	hash := ""
	if !in.Service {
		if err := auth.CheckPassword(in.Password, in.Email); err != nil {
			return domain.User{}, err
		}
		var err error
		if hash, err = s.Hasher.Hash(ctx, in.Password); err != nil {
			return domain.User{}, fmt.Errorf("create user: %w", err)
		}
	}
	u := domain.User{Email: in.Email, Name: in.Name, Role: in.Role, NPI: in.NPI,
		OrganizationID: in.OrganizationID, TerritoryIDs: in.TerritoryIDs, PasswordHash: hash,
		EmailNotifications: true, Service: in.Service}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		if _, err := s.DB.GetOrganization(ctx, in.OrganizationID); err != nil {
			return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"organization_id": "no such organization"}}
		}
		if err := checkTerritories(ctx, tx, in.TerritoryIDs); err != nil {
			return err
		}
		if err := store.CreateUser(ctx, tx, &u, false); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "user.create", "user", u.ID, "", "email", "role"))
	})
	return u, err
}

// SetPassword replaces a user's password and ends all their sessions.
func (s *Service) SetPassword(ctx context.Context, p domain.Principal, email, password string) error {
	u, err := s.DB.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	if err := auth.CheckPassword(password, u.Email); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.SetPassword(ctx, tx, u.ID, hash, true); err != nil {
			return err
		}
		if err := store.RevokeUserSessions(ctx, tx, u.ID); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "user.password", "user", u.ID, "", "password"))
	})
}

// ResetMFA removes a user's MFA enrolment so they enrol again at next login.
func (s *Service) ResetMFA(ctx context.Context, p domain.Principal, email string) error {
	u, err := s.DB.UserByEmail(ctx, email)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.SetMFA(ctx, tx, u.ID, nil, false, nil); err != nil {
			return err
		}
		if err := store.RevokeUserSessions(ctx, tx, u.ID); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "user.mfa_reset", "user", u.ID, "", "mfa"))
	})
}

// EnrollMFA sets a new TOTP secret on the user (not yet enabled) and returns the
// secret, its provisioning URI and ten recovery codes, shown once.
func (s *Service) EnrollMFA(ctx context.Context, userID string) (secret auth.Secret, uri auth.Secret,
	codes []auth.Secret, err error) {
	secret, err = auth.NewTOTPSecret()
	if err != nil {
		return "", "", nil, err
	}
	codes, hashes, err := auth.NewRecoveryCodes()
	if err != nil {
		return "", "", nil, err
	}
	u, err := s.DB.UserByID(ctx, userID)
	if err != nil {
		return "", "", nil, err
	}
	enc, err := s.Keys.EncryptString(secret.Reveal(), phi.FieldID{Table: "users", Column: "mfa_secret", RowID: userID})
	if err != nil {
		return "", "", nil, err
	}
	hb := make([][]byte, len(hashes))
	for i, h := range hashes {
		hb[i] = []byte(h)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		return store.SetMFA(ctx, tx, userID, enc, false, hb)
	})
	return secret, auth.ProvisioningURI(secret.Reveal(), u.Email), codes, err
}

// ConfirmMFA enables MFA once the user proves the enrolled secret with a code.
func (s *Service) ConfirmMFA(ctx context.Context, userID, code string) error {
	u, err := s.DB.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.MFASecret == nil {
		return domain.Conflict("confirm mfa", "not enrolled")
	}
	ok, err := s.checkSecondFactor(ctx, u, code, "")
	if err != nil {
		return err
	}
	if !ok {
		return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"code": "is not the current code"}}
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET mfa_enabled = TRUE, version = version + 1
			WHERE id = $1`, userID)
		return err
	})
}
