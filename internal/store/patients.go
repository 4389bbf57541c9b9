package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
)

type subscriber struct {
	Name      string      `json:"name,omitempty"`
	BirthDate domain.Date `json:"birth_date,omitempty"`
}

// CreatePatient inserts p and its coverages; the practice, reference and id are
// set by the caller or here. Every PHI column is sealed to its row.
func CreatePatient(ctx context.Context, tx *Tx, p *domain.Patient) error {
	if p.ID == "" {
		p.ID = NewID()
	}
	if p.Reference == "" {
		p.Reference = NewReference("PT")
	}
	p.Version, p.CreatedAt, p.UpdatedAt = 1, tx.Now, tx.Now
	s := newSealer(tx.Keys, "patients", p.ID)
	cols := patientColumns(s, p)
	if s.err != nil {
		return fmt.Errorf("create patient: %w", s.err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO patients (id, reference, practice_id, initials_enc, first_name_enc,
			middle_name_enc, last_name_enc, birth_date_enc, sex_enc, mrn_enc, phone_enc,
			email_enc, address_enc, flags_enc, name_dob_bidx, last_dob_bidx, mrn_bidx,
			version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
			1, $18, $19, $19)`,
		append([]any{p.ID, p.Reference, p.PracticeID}, append(cols, p.CreatedBy, tx.Now)...)...)
	if err != nil {
		return fmt.Errorf("create patient: %w", err)
	}
	return insertCoverages(ctx, tx, p.ID, p.Coverages)
}

// patientColumns returns the sealed values of the PHI columns, in the order
// initials … mrn_bidx of the INSERT and UPDATE statements.
func patientColumns(s *sealer, p *domain.Patient) []any {
	var mrnIdx []byte
	if p.MRN != "" {
		mrnIdx = s.index(s.keys.MRNIndex(p.MRN))
	}
	return []any{
		s.seal("initials", p.Initials()),
		s.seal("first_name", p.FirstName),
		s.seal("middle_name", p.MiddleName),
		s.seal("last_name", p.LastName),
		s.seal("birth_date", string(p.BirthDate)),
		s.seal("sex", string(p.Sex)),
		s.seal("mrn", p.MRN),
		s.seal("phone", p.Phone),
		s.seal("email", p.Email),
		s.sealJSON("address", p.Address),
		s.sealJSON("flags", p.Flags),
		s.index(s.keys.NameDOBIndex(p.LastName, p.FirstName, string(p.BirthDate))),
		s.index(s.keys.LastNameDOBIndex(p.LastName, string(p.BirthDate))),
		mrnIdx,
	}
}

func insertCoverages(ctx context.Context, tx *Tx, patientID string, cs []domain.CoverageInput) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM coverages WHERE patient_id = $1`, patientID); err != nil {
		return fmt.Errorf("replace coverages: %w", err)
	}
	for _, c := range cs {
		id := NewID()
		s := newSealer(tx.Keys, "coverages", id)
		member := s.seal("member_id", c.MemberID)
		memberIdx := s.index(s.keys.MemberIDIndex(c.MemberID))
		group := s.seal("group_number", c.GroupNumber)
		sub := s.sealJSON("subscriber", subscriber{c.SubscriberName, c.SubscriberBirthDate})
		if s.err != nil {
			return fmt.Errorf("create coverage: %w", s.err)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO coverages (id, patient_id, rank, payer_id, plan_type, member_id_enc,
				member_bidx, group_enc, relationship, subscriber_enc, effective_date, end_date)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, patientID, c.Rank, c.PayerID, string(c.PlanType), member, memberIdx, group,
			string(c.Relationship), sub, string(c.EffectiveDate), string(c.EndDate))
		if err != nil {
			return fmt.Errorf("create coverage: %w", err)
		}
	}
	return nil
}

// UpdatePatient rewrites p's PHI and coverages if its stored version is version
// (0: any). It returns domain.ErrVersionMismatch on a stale version; the caller
// has already loaded p in scope.
func UpdatePatient(ctx context.Context, tx *Tx, p *domain.Patient, version int) error {
	s := newSealer(tx.Keys, "patients", p.ID)
	cols := patientColumns(s, p)
	if s.err != nil {
		return fmt.Errorf("update patient: %w", s.err)
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE patients SET initials_enc = $1, first_name_enc = $2, middle_name_enc = $3,
			last_name_enc = $4, birth_date_enc = $5, sex_enc = $6, mrn_enc = $7,
			phone_enc = $8, email_enc = $9, address_enc = $10, flags_enc = $11,
			name_dob_bidx = $12, last_dob_bidx = $13, mrn_bidx = $14,
			version = version + 1, updated_at = $15
		WHERE id = $16 AND version = $17`,
		append(cols, tx.Now, p.ID, version)...)
	if err != nil {
		return fmt.Errorf("update patient: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.ErrVersionMismatch
	}
	p.Version, p.UpdatedAt = version+1, tx.Now
	return insertCoverages(ctx, tx, p.ID, p.Coverages)
}

const patientSelect = `SELECT p.id, p.reference, p.practice_id, o.territory_id,
	p.first_name_enc, p.middle_name_enc, p.last_name_enc, p.birth_date_enc, p.sex_enc,
	p.mrn_enc, p.phone_enc, p.email_enc, p.address_enc, p.flags_enc, p.version,
	p.created_by, p.created_at, p.updated_at
	FROM patients p JOIN organizations o ON o.id = p.practice_id`

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// GetPatient returns the patient with id if it is in p's scope, and
// domain.ErrNotFound otherwise: out of scope and missing look the same.
func GetPatient(ctx context.Context, q queryer, keys *phi.Keyring, pr domain.Principal,
	id string, now time.Time) (domain.Patient, error) {
	var a args
	where := "p.id = " + a.add(id) + " AND " + scopeWhere(pr, &a, "p.practice_id", "p.id", now)
	ps, err := queryPatients(ctx, q, keys, patientSelect+" WHERE "+where, a)
	if err != nil {
		return domain.Patient{}, err
	}
	if len(ps) == 0 {
		return domain.Patient{}, domain.ErrNotFound
	}
	return ps[0], nil
}

// PatientFilter selects patients for a list or a search.
type PatientFilter struct {
	// Query searches name + birth date ("Quill 1950-04-02", "Ada Quill
	// 1950-04-02"), MRN or member id, through the blind indexes only.
	Query  string
	Cursor string
	Limit  int
}

// ListPatients returns a page of patients in scope, newest first, and the cursor
// of the next page ("" on the last).
func ListPatients(ctx context.Context, q queryer, keys *phi.Keyring, pr domain.Principal,
	f PatientFilter, now time.Time) ([]domain.Patient, string, error) {
	var a args
	where := scopeWhere(pr, &a, "p.practice_id", "p.id", now)
	if f.Query != "" {
		idx, err := searchIndexes(keys, f.Query)
		if err != nil {
			return nil, "", err
		}
		where += " AND " + searchPredicate(idx, &a)
	}
	if f.Cursor != "" {
		after, err := DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where += " AND p.id < " + a.add(after)
	}
	query := patientSelect + " WHERE " + where + " ORDER BY p.id DESC LIMIT " + a.add(f.Limit+1)
	ps, err := queryPatients(ctx, q, keys, query, a)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ps) > f.Limit {
		ps = ps[:f.Limit]
		next = EncodeCursor(ps[len(ps)-1].ID)
	}
	return ps, next, nil
}

func queryPatients(ctx context.Context, q queryer, keys *phi.Keyring, query string,
	a args) ([]domain.Patient, error) {
	rows, err := q.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("query patients: %w", err)
	}
	defer rows.Close()
	out := []domain.Patient{}
	for rows.Next() {
		p, err := scanPatient(rows, keys)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query patients: %w", err)
	}
	for i := range out {
		if out[i].Coverages, err = loadCoverages(ctx, q, keys, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanPatient(rows *sql.Rows, keys *phi.Keyring) (domain.Patient, error) {
	var p domain.Patient
	var first, middle, last, dob, sex, mrn, phone, email, addr, flags []byte
	if err := rows.Scan(&p.ID, &p.Reference, &p.PracticeID, &p.TerritoryID, &first, &middle,
		&last, &dob, &sex, &mrn, &phone, &email, &addr, &flags, &p.Version, &p.CreatedBy,
		&p.CreatedAt, &p.UpdatedAt); err != nil {
		return p, fmt.Errorf("scan patient: %w", err)
	}
	s := newSealer(keys, "patients", p.ID)
	p.FirstName, p.MiddleName, p.LastName = s.open("first_name", first),
		s.open("middle_name", middle), s.open("last_name", last)
	p.BirthDate, p.Sex = domain.Date(s.open("birth_date", dob)), domain.Sex(s.open("sex", sex))
	p.MRN, p.Phone, p.Email = s.open("mrn", mrn), s.open("phone", phone), s.open("email", email)
	s.openJSON("address", addr, &p.Address)
	s.openJSON("flags", flags, &p.Flags)
	if s.err != nil {
		return p, s.err
	}
	return p, nil
}

func loadCoverages(ctx context.Context, q queryer, keys *phi.Keyring, patientID string) (
	[]domain.CoverageInput, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, rank, payer_id, plan_type, member_id_enc, group_enc, relationship,
			subscriber_enc, effective_date, end_date
		FROM coverages WHERE patient_id = $1 ORDER BY rank`, patientID)
	if err != nil {
		return nil, fmt.Errorf("load coverages: %w", err)
	}
	defer rows.Close()
	out := []domain.CoverageInput{}
	for rows.Next() {
		var c domain.CoverageInput
		var id string
		var member, group, sub []byte
		if err := rows.Scan(&id, &c.Rank, &c.PayerID, &c.PlanType, &member, &group,
			&c.Relationship, &sub, &c.EffectiveDate, &c.EndDate); err != nil {
			return nil, fmt.Errorf("load coverages: %w", err)
		}
		s := newSealer(keys, "coverages", id)
		c.MemberID, c.GroupNumber = s.open("member_id", member), s.open("group_number", group)
		var sb subscriber
		s.openJSON("subscriber", sub, &sb)
		c.SubscriberName, c.SubscriberBirthDate = sb.Name, sb.BirthDate
		if s.err != nil {
			return nil, s.err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EncodeCursor returns the opaque cursor for keyset pagination after id.
func EncodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id))
}

// DecodeCursor reverses EncodeCursor; a malformed cursor is a bad request.
func DecodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 36 {
		return "", domain.Errorf(domain.CodeBadRequest, "cursor is not valid")
	}
	return string(b), nil
}
