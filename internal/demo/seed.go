package demo

import (
	"context"
	crand "crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/service"
	"github.com/openivr/ivr/internal/store"
)

// Account is one entry of demo-accounts.json.
type Account struct {
	Email        string   `json:"email"`
	Password     string   `json:"password"`
	Role         string   `json:"role"`
	Name         string   `json:"name"`
	Organization string   `json:"organization"`
	Territories  []string `json:"territories"`
	TOTPSecret   string   `json:"totp_secret"`
}

// ErrNotDemo is returned when the database holds data the seeder did not write.
var ErrNotDemo = errors.New("demo mode refuses a database that holds non-demo data")

// world is what the seeder has created so far, for the later steps.
type world struct {
	svc         *service.Service
	territories map[string]string // code → id
	practices   []domain.Organization
	facilities  map[string]string // practice id → facility id
	doctors     map[string]domain.Principal
	staff       map[string]domain.Principal
	specialist  domain.Principal // the one assigned to everything
	east        domain.Principal
	logistics   domain.Principal
	products    []domain.Product
	payers      map[string]string // kind → payer id
	accounts    []Account
	rng         *rand.Rand
}

// Seed creates the demo world unless the database already holds it, and writes
// the accounts file. It refuses a database with non-demo data.
func Seed(ctx context.Context, svc *service.Service, dataDir string, log *slog.Logger) error {
	nonDemo, err := svc.DB.HasNonDemoData(ctx)
	if err != nil {
		return err
	}
	if nonDemo {
		return ErrNotDemo
	}
	path := filepath.Join(dataDir, "demo-accounts.json")
	if seeded, err := svc.DB.HasAnyUser(ctx); err != nil {
		return err
	} else if seeded {
		log.Info("demo world already seeded", "accounts", path)
		return nil
	}
	w := &world{svc: svc, territories: map[string]string{}, facilities: map[string]string{},
		doctors: map[string]domain.Principal{}, staff: map[string]domain.Principal{},
		payers: map[string]string{}, rng: rand.New(rand.NewPCG(2026, 12))}
	steps := []func(context.Context) error{w.reference, w.organizations, w.users, w.clinical}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return fmt.Errorf("seed demo world: %w", err)
		}
	}
	if err := writeAccounts(path, w.accounts); err != nil {
		return err
	}
	log.Warn("demo world seeded: synthetic data only; demo accounts, passwords and TOTP secrets are in "+
		"the accounts file", "accounts", path)
	return nil
}

// newPassword returns a random 20-character password: demo accounts are still
// accounts, so their passwords are not guessable from the e-mail.
func newPassword() string {
	b := make([]byte, 12)
	crand.Read(b)
	return "Demo-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:15]
}

func writeAccounts(path string, accounts []Account) error {
	b, err := json.MarshalIndent(accounts, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write demo accounts: %w", err)
	}
	return nil
}

// reference creates territories, payers and products.
func (w *world) reference(ctx context.Context) error {
	return w.svc.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, t := range territories {
			tr := domain.Territory{Code: t.code, Name: t.name, ParentID: w.territories[t.parent], States: t.states}
			if err := store.CreateTerritory(ctx, tx, &tr); err != nil {
				return err
			}
			w.territories[t.code] = tr.ID
		}
		for _, p := range payers {
			py := domain.Payer{Name: p.name, Kind: p.kind, MAC: p.mac, PlanTypes: p.plans, PayerIDs: p.ids}
			if err := store.CreatePayer(ctx, tx, &py); err != nil {
				return err
			}
			if _, ok := w.payers[p.kind]; !ok {
				w.payers[p.kind] = py.ID
			}
			w.payers[p.mac] = py.ID
		}
		for _, p := range products {
			pr := domain.Product{HCPCS: p.hcpcs, Name: p.name, Manufacturer: p.maker,
				FDACategory: p.category, Sizes: p.sizes}
			if err := store.CreateProduct(ctx, tx, &pr); err != nil {
				return err
			}
			w.products = append(w.products, pr)
		}
		return nil
	})
}

// organizations creates the operator, the network, distributors, fulfilment and
// the four practices with one facility each.
func (w *world) organizations(ctx context.Context) error {
	return w.svc.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, p := range practices {
			o := domain.Organization{Kind: domain.OrgPractice, Name: p.name,
				TerritoryID: w.territories[p.territory], NPI: p.npi, TIN: p.tin}
			if err := store.CreateOrganization(ctx, tx, &o, true); err != nil {
				return err
			}
			f := domain.Facility{OrganizationID: o.ID, Name: p.name + " (main)", NPI: p.npi,
				TIN: p.tin, PTAN: "PT" + p.npi[5:], Line1: "100 Example Ave", City: p.city,
				State: p.state, ZIP: p.zip}
			if err := store.CreateFacility(ctx, tx, &f); err != nil {
				return err
			}
			w.practices = append(w.practices, o)
			w.facilities[o.ID] = f.ID
		}
		return nil
	})
}

// person is one demo user to create.
type person struct {
	email, name string
	role        domain.Role
	org         *domain.Organization
	territories []string
}

func (w *world) users(ctx context.Context) error {
	orgs := map[domain.OrgKind]*domain.Organization{}
	err := w.svc.DB.InTx(ctx, func(tx *store.Tx) error {
		network := &domain.Organization{Kind: domain.OrgMasterDistributor, Name: "Example Wound Network"}
		for _, o := range []*domain.Organization{
			{Kind: domain.OrgOperator, Name: "IVR Platform Operations"},
			network,
			{Kind: domain.OrgFulfilment, Name: "Example Fulfilment"},
		} {
			if err := store.CreateOrganization(ctx, tx, o, true); err != nil {
				return err
			}
			orgs[o.Kind] = o
		}
		for _, region := range []string{"EAST", "WEST"} {
			d := &domain.Organization{Kind: domain.OrgDistributor, Name: "Example Distribution " +
				strings.ToLower(region), ParentID: network.ID, TerritoryID: w.territories[region]}
			if err := store.CreateOrganization(ctx, tx, d, true); err != nil {
				return err
			}
			orgs[domain.OrgKind("distributor-"+region)] = d
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range w.people(orgs) {
		if err := w.createUser(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) people(orgs map[domain.OrgKind]*domain.Organization) []person {
	ps := []person{
		{"admin@demo.example", "Avery Admin", domain.RoleAdmin, orgs[domain.OrgOperator], nil},
		{"specialist@demo.example", "Sam Specialist", domain.RoleSpecialist, orgs[domain.OrgOperator],
			[]string{"EAST", "WEST"}},
		{"specialist.east@demo.example", "Erin Eastspecialist", domain.RoleSpecialist,
			orgs[domain.OrgOperator], []string{"EAST"}},
		{"logistics@demo.example", "Lou Logistics", domain.RoleLogistics, orgs[domain.OrgFulfilment],
			[]string{"EAST", "WEST"}},
		{"network@demo.example", "Morgan Master", domain.RoleMasterDistributor,
			orgs[domain.OrgMasterDistributor], []string{"EAST", "WEST"}},
		{"distributor.east@demo.example", "Dana East", domain.RoleDistributor,
			orgs["distributor-EAST"], []string{"EAST"}},
		{"distributor.west@demo.example", "Drew West", domain.RoleDistributor,
			orgs["distributor-WEST"], []string{"WEST"}},
	}
	for i, pr := range practices {
		region := strings.SplitN(pr.territory, "-", 2)[0]
		org := &w.practices[i]
		ps = append(ps,
			person{"rep." + pr.slug + "@demo.example", "Rep " + pr.name, domain.RoleSalesRep,
				orgs[domain.OrgKind("distributor-"+region)], []string{pr.territory}},
			person{"doctor." + pr.slug + "@demo.example", "Dr. " + lastNames[i] + " (" + pr.slug + ")",
				domain.RoleDoctor, org, nil},
			person{"staff." + pr.slug + "@demo.example", "Staff " + firstNames[i] + " (" + pr.slug + ")",
				domain.RoleOfficeStaff, org, nil})
	}
	return ps
}

func (w *world) createUser(ctx context.Context, p person) error {
	password := newPassword()
	var tids []string
	for _, code := range p.territories {
		tids = append(tids, w.territories[code])
	}
	hash, err := w.svc.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	u := domain.User{Email: p.email, Name: p.name, Role: p.role, OrganizationID: p.org.ID,
		TerritoryIDs: tids, PasswordHash: hash, EmailNotifications: true}
	if p.role == domain.RoleDoctor {
		u.NPI = "1555555550"
	}
	var secret string
	err = w.svc.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.CreateUser(ctx, tx, &u, true); err != nil {
			return err
		}
		if !p.role.MFARequired() {
			return nil
		}
		s, err := auth.NewTOTPSecret()
		if err != nil {
			return err
		}
		secret = s.Reveal()
		enc, err := w.svc.Keys.EncryptString(secret,
			phi.FieldID{Table: "users", Column: "mfa_secret", RowID: u.ID})
		if err != nil {
			return err
		}
		return store.SetMFA(ctx, tx, u.ID, enc, true, nil)
	})
	if err != nil {
		return err
	}
	w.remember(u, p, password, secret)
	return nil
}

func (w *world) remember(u domain.User, p person, password, secret string) {
	pr := domain.Principal{UserID: u.ID, Role: u.Role, OrganizationID: u.OrganizationID,
		TerritoryIDs: u.TerritoryIDs, SessionID: "demo-seed"}
	switch {
	case u.Role == domain.RoleDoctor:
		w.doctors[u.OrganizationID] = pr
	case u.Role == domain.RoleOfficeStaff:
		w.staff[u.OrganizationID] = pr
	case u.Role == domain.RoleSpecialist && len(p.territories) == 2:
		w.specialist = pr
	case u.Role == domain.RoleSpecialist:
		w.east = pr
	case u.Role == domain.RoleLogistics:
		w.logistics = pr
	}
	terr := p.territories
	if terr == nil {
		terr = []string{}
	}
	w.accounts = append(w.accounts, Account{Email: u.Email, Password: password, Role: string(u.Role),
		Name: u.Name, Organization: p.org.Name, Territories: terr, TOTPSecret: secret})
}
