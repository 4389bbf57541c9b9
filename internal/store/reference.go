package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// CreateTerritory inserts t, assigning its id when empty.
func CreateTerritory(ctx context.Context, tx *Tx, t *domain.Territory) error {
	if t.ID == "" {
		t.ID = NewID()
	}
	t.Version = 1
	_, err := tx.ExecContext(ctx, `
		INSERT INTO territories (id, parent_id, code, name, states, zip_prefixes,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		t.ID, nullable(t.ParentID), t.Code, t.Name, joinList(t.States),
		joinList(t.ZIPPrefixes), tx.Now)
	if err != nil {
		return fmt.Errorf("create territory: %w", err)
	}
	return nil
}

// subtreeOfUser is a subquery yielding the ids of the territories assigned to the
// user in placeholder ph and all their descendants.
func subtreeOfUser(ph string) string {
	return `(WITH RECURSIVE sub(id) AS (
			SELECT territory_id FROM user_territories WHERE user_id = ` + ph + `
			UNION
			SELECT t.id FROM territories t JOIN sub ON t.parent_id = sub.id)
		SELECT id FROM sub)`
}

// ListTerritories returns the territories visible to p: all for admins; the
// subtrees of their assignments for territory roles; their practice's territory
// for clinic roles.
func (db *DB) ListTerritories(ctx context.Context, p domain.Principal) ([]domain.Territory, error) {
	var a args
	where := "1=1"
	switch p.Role.Scope() {
	case domain.ScopeTerritories:
		where = "id IN " + subtreeOfUser(a.add(p.UserID))
	case domain.ScopePractice:
		where = "id IN (SELECT territory_id FROM organizations WHERE id = " + a.add(p.OrganizationID) + ")"
	}
	rows, err := db.read.QueryContext(ctx, `
		SELECT id, COALESCE(parent_id, ''), code, name, states, zip_prefixes, version
		FROM territories WHERE `+where+` ORDER BY code`, a...)
	if err != nil {
		return nil, fmt.Errorf("list territories: %w", err)
	}
	defer rows.Close()
	out := []domain.Territory{}
	for rows.Next() {
		var t domain.Territory
		var states, zips string
		if err := rows.Scan(&t.ID, &t.ParentID, &t.Code, &t.Name, &states, &zips, &t.Version); err != nil {
			return nil, fmt.Errorf("list territories: %w", err)
		}
		t.States, t.ZIPPrefixes = splitList(states), splitList(zips)
		out = append(out, t)
	}
	return out, rows.Err()
}

// CreateOrganization inserts o, assigning its id when empty.
func CreateOrganization(ctx context.Context, tx *Tx, o *domain.Organization, demo bool) error {
	if o.ID == "" {
		o.ID = NewID()
	}
	o.Version = 1
	_, err := tx.ExecContext(ctx, `
		INSERT INTO organizations (id, kind, name, parent_id, territory_id, npi, tin,
			is_demo, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
		o.ID, string(o.Kind), o.Name, nullable(o.ParentID), nullable(o.TerritoryID),
		o.NPI, o.TIN, demo, tx.Now)
	if err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	return nil
}

// GetOrganization returns the organization with id, or domain.ErrNotFound.
func (db *DB) GetOrganization(ctx context.Context, id string) (domain.Organization, error) {
	var o domain.Organization
	err := db.read.QueryRowContext(ctx, `
		SELECT id, kind, name, COALESCE(parent_id, ''), COALESCE(territory_id, ''), npi, tin, version
		FROM organizations WHERE id = $1`, id).
		Scan(&o.ID, &o.Kind, &o.Name, &o.ParentID, &o.TerritoryID, &o.NPI, &o.TIN, &o.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return o, domain.ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("get organization: %w", err)
	}
	return o, nil
}

// MovePractice moves a practice, and so all its records, to another territory.
func MovePractice(ctx context.Context, tx *Tx, practiceID, territoryID string, version int) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE organizations SET territory_id = $1, version = version + 1, updated_at = $2
		WHERE id = $3 AND kind = 'practice' AND ($4 = 0 OR version = $4)`,
		territoryID, tx.Now, practiceID, version)
	if err != nil {
		return fmt.Errorf("move practice: %w", err)
	}
	return expectOne(res, "move practice")
}

// CreateFacility inserts f, assigning its id when empty.
func CreateFacility(ctx context.Context, tx *Tx, f *domain.Facility) error {
	if f.ID == "" {
		f.ID = NewID()
	}
	f.Version = 1
	_, err := tx.ExecContext(ctx, `
		INSERT INTO facilities (id, organization_id, name, npi, tin, ptan, line1, city,
			state, zip, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
		f.ID, f.OrganizationID, f.Name, f.NPI, f.TIN, f.PTAN, f.Line1, f.City, f.State,
		f.ZIP, tx.Now)
	if err != nil {
		return fmt.Errorf("create facility: %w", err)
	}
	return nil
}

// GetFacility returns the facility with id, or domain.ErrNotFound.
func (db *DB) GetFacility(ctx context.Context, id string) (domain.Facility, error) {
	var f domain.Facility
	err := db.read.QueryRowContext(ctx, `
		SELECT id, organization_id, name, npi, tin, ptan, line1, city, state, zip, version
		FROM facilities WHERE id = $1`, id).
		Scan(&f.ID, &f.OrganizationID, &f.Name, &f.NPI, &f.TIN, &f.PTAN, &f.Line1,
			&f.City, &f.State, &f.ZIP, &f.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return f, domain.ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("get facility: %w", err)
	}
	return f, nil
}

// CreatePayer inserts p with its clearinghouse payer ids.
func CreatePayer(ctx context.Context, tx *Tx, p *domain.Payer) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	p.Version, p.Active = 1, true
	_, err := tx.ExecContext(ctx, `
		INSERT INTO payers (id, name, kind, plan_types, mac, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		p.ID, p.Name, p.Kind, joinList(p.PlanTypes), p.MAC, tx.Now)
	if err != nil {
		return fmt.Errorf("create payer: %w", err)
	}
	for ch, ext := range p.PayerIDs {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO payer_ids (payer_id, clearinghouse, external_id) VALUES ($1, $2, $3)`,
			p.ID, ch, ext); err != nil {
			return fmt.Errorf("create payer id: %w", err)
		}
	}
	return nil
}

// ListPayers returns the payer directory ordered by name.
func (db *DB) ListPayers(ctx context.Context) ([]domain.Payer, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT p.id, p.name, p.kind, p.plan_types, p.mac, p.active, p.version,
			COALESCE(x.clearinghouse, ''), COALESCE(x.external_id, '')
		FROM payers p LEFT JOIN payer_ids x ON x.payer_id = p.id
		ORDER BY p.name, p.id`)
	if err != nil {
		return nil, fmt.Errorf("list payers: %w", err)
	}
	defer rows.Close()
	out := []domain.Payer{}
	for rows.Next() {
		var p domain.Payer
		var plans, ch, ext string
		if err := rows.Scan(&p.ID, &p.Name, &p.Kind, &plans, &p.MAC, &p.Active, &p.Version,
			&ch, &ext); err != nil {
			return nil, fmt.Errorf("list payers: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == p.ID {
			out[n-1].PayerIDs[ch] = ext
			continue
		}
		p.PlanTypes, p.PayerIDs = splitList(plans), map[string]string{}
		if ch != "" {
			p.PayerIDs[ch] = ext
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreateProduct inserts p with its sizes.
func CreateProduct(ctx context.Context, tx *Tx, p *domain.Product) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	p.Version, p.Active = 1, true
	_, err := tx.ExecContext(ctx, `
		INSERT INTO products (id, name, manufacturer, hcpcs, fda_category, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`,
		p.ID, p.Name, p.Manufacturer, p.HCPCS, p.FDACategory, tx.Now)
	if err != nil {
		return fmt.Errorf("create product: %w", err)
	}
	for _, s := range p.Sizes {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO product_sizes (product_id, label, area_cm2) VALUES ($1, $2, $3)`,
			p.ID, s.Label, s.AreaCm2); err != nil {
			return fmt.Errorf("create product size: %w", err)
		}
	}
	return nil
}

// ListProducts returns the catalog, ordered by HCPCS code.
func (db *DB) ListProducts(ctx context.Context) ([]domain.Product, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT p.id, p.name, p.manufacturer, p.hcpcs, p.fda_category, p.active, p.version,
			COALESCE(s.label, ''), COALESCE(s.area_cm2, 0)
		FROM products p LEFT JOIN product_sizes s ON s.product_id = p.id
		ORDER BY p.hcpcs, p.id, s.area_cm2`)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	defer rows.Close()
	out := []domain.Product{}
	for rows.Next() {
		var p domain.Product
		var s domain.ProductSize
		if err := rows.Scan(&p.ID, &p.Name, &p.Manufacturer, &p.HCPCS, &p.FDACategory,
			&p.Active, &p.Version, &s.Label, &s.AreaCm2); err != nil {
			return nil, fmt.Errorf("list products: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == p.ID {
			out[n-1].Sizes = append(out[n-1].Sizes, s)
			continue
		}
		p.Sizes = []domain.ProductSize{}
		if s.Label != "" {
			p.Sizes = append(p.Sizes, s)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ProductsByID returns the catalog entries with the given ids, keyed by id; ids
// not in the catalog are absent from the map.
func (db *DB) ProductsByID(ctx context.Context, ids []string) (map[string]domain.Product, error) {
	all, err := db.ListProducts(ctx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out := map[string]domain.Product{}
	for _, p := range all {
		if want[p.ID] {
			out[p.ID] = p
		}
	}
	return out, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func expectOne(res sql.Result, op string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if n != 1 {
		return domain.ErrNotFound
	}
	return nil
}

// ListFacilities returns the facilities of practices in p's scope, by name.
func ListFacilities(ctx context.Context, q queryer, p domain.Principal) ([]domain.Facility, error) {
	var a args
	where := scopeWhere(p, &a, "f.organization_id", "", time.Time{})
	rows, err := q.QueryContext(ctx, `
		SELECT f.id, f.organization_id, f.name, f.npi, f.tin, f.ptan, f.line1, f.city, f.state,
			f.zip, f.version
		FROM facilities f WHERE `+where+` ORDER BY f.name, f.id`, a...)
	if err != nil {
		return nil, fmt.Errorf("list facilities: %w", err)
	}
	defer rows.Close()
	out := []domain.Facility{}
	for rows.Next() {
		var f domain.Facility
		if err := rows.Scan(&f.ID, &f.OrganizationID, &f.Name, &f.NPI, &f.TIN, &f.PTAN, &f.Line1,
			&f.City, &f.State, &f.ZIP, &f.Version); err != nil {
			return nil, fmt.Errorf("list facilities: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
