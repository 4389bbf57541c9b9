package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/phi"
)

// clinical is the sealed clinical part of an IVR: wound, diagnoses and the codes
// derived from them.
type clinical struct {
	Wound     domain.WoundInput `json:"wound"`
	Diagnoses []string          `json:"diagnosis_codes"`
	Codes     []domain.CPTLine  `json:"codes"`
	Area      float64           `json:"area_cm2"`
}

// decision is the sealed free text of a decision.
type decision struct {
	DenialReason   string `json:"denial_reason,omitempty"`
	Notes          string `json:"notes,omitempty"`
	PayerReference string `json:"payer_reference,omitempty"`
}

// CreateIVR inserts a draft IVR with its products.
func CreateIVR(ctx context.Context, tx *Tx, v *domain.IVR) error {
	if v.ID == "" {
		v.ID = NewID()
	}
	v.Reference = NewReference("IVR")
	v.Version, v.CreatedAt, v.UpdatedAt = 1, tx.Now, tx.Now
	s := newSealer(tx.Keys, "ivrs", v.ID)
	clin := s.sealJSON("clinical", clinical{v.Wound, v.DiagnosisCodes, v.SuggestedCodes, v.AreaCm2})
	if s.err != nil {
		return fmt.Errorf("create ivr: %w", s.err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO ivrs (id, reference, practice_id, patient_id, facility_id, physician_id,
			status, request_type, renews_ivr_id, place_of_service, primary_payer_id,
			clinical_enc, applications, frequency, start_date, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
		v.ID, v.Reference, v.PracticeID, v.PatientID, v.FacilityID, nullable(v.PhysicianID),
		string(v.Status), string(v.RequestType), nullable(v.RenewsIVRID),
		string(v.PlaceOfService), nullable(v.PrimaryPayerID), clin, v.Applications,
		string(v.Frequency), string(v.StartDate), v.CreatedBy, tx.Now)
	if err != nil {
		return fmt.Errorf("create ivr: %w", err)
	}
	return replaceLines(ctx, tx, "ivr_products", "ivr_id", v.ID, v.Products)
}

func replaceLines(ctx context.Context, tx *Tx, table, key, id string, lines []domain.ProductLine) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE `+key+` = $1`, id); err != nil {
		return fmt.Errorf("replace %s: %w", table, err)
	}
	for i, l := range lines {
		_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+key+`, line, product_id, size, quantity)
			VALUES ($1, $2, $3, $4, $5)`, id, i+1, l.ProductID, l.Size, l.Quantity)
		if err != nil {
			return fmt.Errorf("replace %s: %w", table, err)
		}
	}
	return nil
}

// UpdateIVRDraft rewrites the editable content of an IVR if its version matches.
func UpdateIVRDraft(ctx context.Context, tx *Tx, v *domain.IVR, version int) error {
	s := newSealer(tx.Keys, "ivrs", v.ID)
	clin := s.sealJSON("clinical", clinical{v.Wound, v.DiagnosisCodes, v.SuggestedCodes, v.AreaCm2})
	if s.err != nil {
		return fmt.Errorf("update ivr: %w", s.err)
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE ivrs SET patient_id = $1, facility_id = $2, request_type = $3,
			renews_ivr_id = $4, place_of_service = $5, primary_payer_id = $6,
			clinical_enc = $7, applications = $8, frequency = $9, start_date = $10,
			version = version + 1, updated_at = $11
		WHERE id = $12 AND version = $13`,
		v.PatientID, v.FacilityID, string(v.RequestType), nullable(v.RenewsIVRID),
		string(v.PlaceOfService), nullable(v.PrimaryPayerID), clin, v.Applications,
		string(v.Frequency), string(v.StartDate), tx.Now, v.ID, version)
	if err != nil {
		return fmt.Errorf("update ivr: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.ErrVersionMismatch
	}
	v.Version, v.UpdatedAt = version+1, tx.Now
	return replaceLines(ctx, tx, "ivr_products", "ivr_id", v.ID, v.Products)
}

// SaveIVRState writes the workflow columns of v (status, assignment, escalation,
// decision, dates) if the stored version is version, and bumps the version.
// It returns domain.ErrVersionMismatch when another writer got there first.
func SaveIVRState(ctx context.Context, tx *Tx, v *domain.IVR, version int) error {
	s := newSealer(tx.Keys, "ivrs", v.ID)
	esc := s.sealOptional("escalation", v.EscalationReason)
	var dec []byte
	if v.DenialReason != "" || v.Notes != "" || v.PayerReference != "" {
		dec = s.sealJSON("decision", decision{v.DenialReason, v.Notes, v.PayerReference})
	}
	if s.err != nil {
		return fmt.Errorf("save ivr: %w", s.err)
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE ivrs SET status = $1, assigned_to = $2, escalated = $3, escalation_enc = $4,
			valid_until = $5, denial_code = $6, decision_enc = $7, submitted_at = $8,
			decided_at = $9, eligibility_status = $10, version = version + 1, updated_at = $11
		WHERE id = $12 AND version = $13`,
		string(v.Status), nullable(v.AssignedTo), v.Escalated, esc, nullable(string(v.ValidUntil)),
		string(v.DenialCode), dec, v.SubmittedAt, v.DecidedAt, v.Eligibility, tx.Now, v.ID, version)
	if err != nil {
		return fmt.Errorf("save ivr: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.ErrVersionMismatch
	}
	v.Version, v.UpdatedAt = version+1, tx.Now
	return nil
}

// SaveBenefits stores the approval's benefit record per coverage rank.
func SaveBenefits(ctx context.Context, tx *Tx, ivrID, verifiedBy string, bs []domain.Benefit) error {
	for _, b := range bs {
		rowID := fmt.Sprintf("%s/%d", ivrID, b.CoverageRank)
		s := newSealer(tx.Keys, "ivr_benefits", rowID)
		enc := s.sealJSON("benefits", b)
		if s.err != nil {
			return fmt.Errorf("save benefits: %w", s.err)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO ivr_benefits (ivr_id, coverage_rank, benefits_enc, verified_by, verified_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (ivr_id, coverage_rank) DO UPDATE SET benefits_enc = excluded.benefits_enc,
				verified_by = excluded.verified_by, verified_at = excluded.verified_at`,
			ivrID, b.CoverageRank, enc, verifiedBy, tx.Now)
		if err != nil {
			return fmt.Errorf("save benefits: %w", err)
		}
	}
	return nil
}

const ivrSelect = `SELECT v.id, v.reference, v.status, v.practice_id, o.territory_id,
	v.patient_id, pt.initials_enc, v.facility_id, COALESCE(v.physician_id, ''),
	v.request_type, COALESCE(v.renews_ivr_id, ''), v.place_of_service,
	COALESCE(v.primary_payer_id, ''), v.clinical_enc, v.applications, v.frequency,
	v.start_date, COALESCE(v.assigned_to, ''), v.escalated, v.escalation_enc,
	COALESCE(v.valid_until, ''), v.denial_code, v.decision_enc, v.eligibility_status,
	v.submitted_at, v.decided_at, v.version, v.created_by, v.created_at, v.updated_at
	FROM ivrs v
	JOIN organizations o ON o.id = v.practice_id
	JOIN patients pt ON pt.id = v.patient_id`

// IVRFilter selects IVRs for a list or the specialist queue.
type IVRFilter struct {
	Status     []domain.IVRState
	PracticeID string
	PayerID    string
	ProductID  string
	PatientID  string
	// Queue orders by escalation, priority, then age (oldest first) instead of
	// newest first, and pages by offset of that order.
	Queue  bool
	Cursor string
	Limit  int
}

// GetIVR returns the IVR with id in pr's scope, or domain.ErrNotFound.
func GetIVR(ctx context.Context, q queryer, keys *phi.Keyring, pr domain.Principal, id string,
	now time.Time) (domain.IVR, error) {
	var a args
	where := "v.id = " + a.add(id) + " AND " + scopeWhere(pr, &a, "v.practice_id", "v.patient_id", now)
	vs, err := queryIVRs(ctx, q, keys, ivrSelect+" WHERE "+where, a, !pr.Role.PHIMinimal())
	if err != nil {
		return domain.IVR{}, err
	}
	if len(vs) == 0 {
		return domain.IVR{}, domain.ErrNotFound
	}
	return vs[0], nil
}

// ListIVRs returns a page of IVRs in scope and the next cursor ("" on the last).
func ListIVRs(ctx context.Context, q queryer, keys *phi.Keyring, pr domain.Principal,
	f IVRFilter, now time.Time) ([]domain.IVR, string, error) {
	var a args
	where := scopeWhere(pr, &a, "v.practice_id", "v.patient_id", now)
	if f.Queue && isQueueStates(f.Status) {
		// Literal states, so the engine can use the partial queue index.
		where += " AND v.status IN ('submitted', 'in_review')"
	} else if len(f.Status) > 0 {
		where += " AND v.status IN ("
		for i, s := range f.Status {
			if i > 0 {
				where += ", "
			}
			where += a.add(string(s))
		}
		where += ")"
	}
	for col, val := range map[string]string{"v.practice_id": f.PracticeID,
		"v.primary_payer_id": f.PayerID, "v.patient_id": f.PatientID} {
		if val != "" {
			where += " AND " + col + " = " + a.add(val)
		}
	}
	if f.ProductID != "" {
		where += " AND v.id IN (SELECT ivr_id FROM ivr_products WHERE product_id = " + a.add(f.ProductID) + ")"
	}
	order := " ORDER BY v.id DESC"
	if f.Queue {
		order = " ORDER BY v.escalated DESC, v.priority DESC, v.submitted_at, v.id"
	}
	var offset int
	if f.Cursor != "" {
		if f.Queue {
			var err error
			if offset, err = decodeOffset(f.Cursor); err != nil {
				return nil, "", err
			}
		} else {
			after, err := DecodeCursor(f.Cursor)
			if err != nil {
				return nil, "", err
			}
			where += " AND v.id < " + a.add(after)
		}
	}
	query := ivrSelect + " WHERE " + where + order + " LIMIT " + a.add(f.Limit+1)
	if offset > 0 {
		query += " OFFSET " + a.add(offset)
	}
	vs, err := queryIVRs(ctx, q, keys, query, a, !pr.Role.PHIMinimal())
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(vs) > f.Limit {
		vs = vs[:f.Limit]
		if f.Queue {
			next = encodeOffset(offset + f.Limit)
		} else {
			next = EncodeCursor(vs[len(vs)-1].ID)
		}
	}
	return vs, next, nil
}

func queryIVRs(ctx context.Context, q queryer, keys *phi.Keyring, query string, a args,
	full bool) ([]domain.IVR, error) {
	rows, err := q.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, fmt.Errorf("query ivrs: %w", err)
	}
	defer rows.Close()
	out := []domain.IVR{}
	for rows.Next() {
		v, err := scanIVR(rows, keys, full)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query ivrs: %w", err)
	}
	ids := make([]string, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	lines, err := loadLinesFor(ctx, q, "ivr_products", "ivr_id", ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Products = lines[out[i].ID]
		if full && out[i].Status == domain.IVRApproved || full && out[i].Status == domain.IVRExpired {
			if out[i].Benefits, err = loadBenefits(ctx, q, keys, out[i].ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func scanIVR(rows *sql.Rows, keys *phi.Keyring, full bool) (domain.IVR, error) {
	var v domain.IVR
	var initials, clin, esc, dec []byte
	var submitted, decided sql.NullTime
	err := rows.Scan(&v.ID, &v.Reference, &v.Status, &v.PracticeID, &v.TerritoryID,
		&v.PatientID, &initials, &v.FacilityID, &v.PhysicianID, &v.RequestType,
		&v.RenewsIVRID, &v.PlaceOfService, &v.PrimaryPayerID, &clin, &v.Applications,
		&v.Frequency, &v.StartDate, &v.AssignedTo, &v.Escalated, &esc, &v.ValidUntil,
		&v.DenialCode, &dec, &v.Eligibility, &submitted, &decided, &v.Version,
		&v.CreatedBy, &v.CreatedAt, &v.UpdatedAt)
	if err != nil {
		return v, fmt.Errorf("scan ivr: %w", err)
	}
	v.SubmittedAt, v.DecidedAt = timePtr(submitted), timePtr(decided)
	ps := newSealer(keys, "patients", v.PatientID)
	v.PatientInitials = ps.open("initials", initials)
	if ps.err != nil {
		return v, ps.err
	}
	if !full {
		return v, nil
	}
	s := newSealer(keys, "ivrs", v.ID)
	var c clinical
	s.openJSON("clinical", clin, &c)
	v.Wound, v.DiagnosisCodes, v.SuggestedCodes, v.AreaCm2 = c.Wound, c.Diagnoses, c.Codes, c.Area
	v.EscalationReason = s.open("escalation", esc)
	var d decision
	s.openJSON("decision", dec, &d)
	v.DenialReason, v.Notes, v.PayerReference = d.DenialReason, d.Notes, d.PayerReference
	return v, s.err
}

func loadBenefits(ctx context.Context, q queryer, keys *phi.Keyring, ivrID string) ([]domain.Benefit, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT coverage_rank, benefits_enc FROM ivr_benefits WHERE ivr_id = $1
		ORDER BY coverage_rank`, ivrID)
	if err != nil {
		return nil, fmt.Errorf("load benefits: %w", err)
	}
	defer rows.Close()
	var out []domain.Benefit
	for rows.Next() {
		var rank int
		var enc []byte
		if err := rows.Scan(&rank, &enc); err != nil {
			return nil, fmt.Errorf("load benefits: %w", err)
		}
		var b domain.Benefit
		s := newSealer(keys, "ivr_benefits", fmt.Sprintf("%s/%d", ivrID, rank))
		s.openJSON("benefits", enc, &b)
		if s.err != nil {
			return nil, s.err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// isQueueStates reports whether states are exactly the queue's default.
func isQueueStates(states []domain.IVRState) bool {
	return len(states) == 2 && states[0] == domain.IVRSubmitted && states[1] == domain.IVRInReview
}

// loadLinesFor returns the product lines of many records in one query, keyed by
// record id; a record without lines maps to an empty slice.
func loadLinesFor(ctx context.Context, q queryer, table, key string, ids []string) (
	map[string][]domain.ProductLine, error) {
	out := make(map[string][]domain.ProductLine, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = a.add(id)
		out[id] = []domain.ProductLine{}
	}
	rows, err := q.QueryContext(ctx, `SELECT `+key+`, product_id, size, quantity FROM `+table+
		` WHERE `+key+` IN (`+strings.Join(ph, ", ")+`) ORDER BY `+key+`, line`, a...)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var l domain.ProductLine
		if err := rows.Scan(&id, &l.ProductID, &l.Size, &l.Quantity); err != nil {
			return nil, fmt.Errorf("load %s: %w", table, err)
		}
		out[id] = append(out[id], l)
	}
	return out, rows.Err()
}

// AddIVRHistory records one status change in the transaction of the change.
func AddIVRHistory(ctx context.Context, tx *Tx, ivrID string, c domain.StatusChange) error {
	id := NewID()
	s := newSealer(tx.Keys, "ivr_status_history", id)
	reason := s.sealOptional("reason", c.Reason)
	if s.err != nil {
		return fmt.Errorf("add history: %w", s.err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO ivr_status_history (id, ivr_id, action, from_status, to_status, actor_id,
			actor_role, reason_enc, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, ivrID, c.Action, c.From, c.To, c.ActorID, string(c.ActorRole), reason, tx.Now)
	if err != nil {
		return fmt.Errorf("add history: %w", err)
	}
	return nil
}

// IVRHistory returns the status history of an IVR the caller has already loaded
// in scope, oldest first.
func IVRHistory(ctx context.Context, q queryer, keys *phi.Keyring, ivrID string, full bool) (
	[]domain.StatusChange, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, action, from_status, to_status, actor_id, actor_role, reason_enc, at
		FROM ivr_status_history WHERE ivr_id = $1 ORDER BY at, id`, ivrID)
	if err != nil {
		return nil, fmt.Errorf("ivr history: %w", err)
	}
	defer rows.Close()
	out := []domain.StatusChange{}
	for rows.Next() {
		var c domain.StatusChange
		var id string
		var reason []byte
		if err := rows.Scan(&id, &c.Action, &c.From, &c.To, &c.ActorID, &c.ActorRole,
			&reason, &c.At); err != nil {
			return nil, fmt.Errorf("ivr history: %w", err)
		}
		if full {
			s := newSealer(keys, "ivr_status_history", id)
			if c.Reason = s.open("reason", reason); s.err != nil {
				return nil, s.err
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddMessage appends to an IVR's thread.
func AddMessage(ctx context.Context, tx *Tx, ivrID string, m *domain.Message) error {
	m.ID, m.CreatedAt = NewID(), tx.Now
	s := newSealer(tx.Keys, "ivr_messages", m.ID)
	body := s.sealJSON("body", struct {
		Body  string   `json:"body"`
		Items []string `json:"items,omitempty"`
	}{m.Body, m.Items})
	if s.err != nil {
		return fmt.Errorf("add message: %w", s.err)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO ivr_messages (id, ivr_id, author_id, kind, body_enc, due_date, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		m.ID, ivrID, m.AuthorID, m.Kind, body, nullable(string(m.DueDate)), tx.Now)
	if err != nil {
		return fmt.Errorf("add message: %w", err)
	}
	return nil
}

// Messages returns an IVR's thread, oldest first; the caller has loaded the IVR in
// scope and holds a full-PHI role.
func Messages(ctx context.Context, q queryer, keys *phi.Keyring, ivrID string) ([]domain.Message, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, author_id, kind, body_enc, COALESCE(due_date, ''), created_at
		FROM ivr_messages WHERE ivr_id = $1 ORDER BY created_at, id`, ivrID)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	defer rows.Close()
	out := []domain.Message{}
	for rows.Next() {
		var m domain.Message
		var body []byte
		if err := rows.Scan(&m.ID, &m.AuthorID, &m.Kind, &body, &m.DueDate, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		var b struct {
			Body  string   `json:"body"`
			Items []string `json:"items"`
		}
		s := newSealer(keys, "ivr_messages", m.ID)
		if s.openJSON("body", body, &b); s.err != nil {
			return nil, s.err
		}
		m.Body, m.Items = b.Body, b.Items
		out = append(out, m)
	}
	return out, rows.Err()
}

// ExpireIVRs moves every approved IVR whose valid_until is before today to
// expired, recording the history, and returns the ids it moved.
func ExpireIVRs(ctx context.Context, tx *Tx, today domain.Date, limit int) ([]domain.IVR, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT v.id, v.practice_id, v.patient_id, v.reference, v.version FROM ivrs v
		WHERE v.status = 'approved' AND v.valid_until < $1 ORDER BY v.valid_until LIMIT $2`,
		string(today), limit)
	if err != nil {
		return nil, fmt.Errorf("expire ivrs: %w", err)
	}
	var due []domain.IVR
	for rows.Next() {
		var v domain.IVR
		if err := rows.Scan(&v.ID, &v.PracticeID, &v.PatientID, &v.Reference, &v.Version); err != nil {
			rows.Close()
			return nil, fmt.Errorf("expire ivrs: %w", err)
		}
		due = append(due, v)
	}
	rows.Close()
	for _, v := range due {
		if _, err := tx.ExecContext(ctx, `UPDATE ivrs SET status = 'expired', version = version + 1,
			updated_at = $1 WHERE id = $2 AND status = 'approved'`, tx.Now, v.ID); err != nil {
			return nil, fmt.Errorf("expire ivrs: %w", err)
		}
		if err := AddIVRHistory(ctx, tx, v.ID, domain.StatusChange{Action: "expire",
			From: "approved", To: "expired", ActorID: "system", ActorRole: domain.RoleSystem}); err != nil {
			return nil, err
		}
	}
	return due, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// CountIVRs returns how many IVRs in pr's scope are in each status, reading an
// approval past its date as expired. It reads no PHI.
func CountIVRs(ctx context.Context, q queryer, pr domain.Principal, now time.Time) (map[domain.IVRState]int, error) {
	var a args
	today := a.add(string(domain.DateOf(now)))
	where := scopeWhere(pr, &a, "v.practice_id", "v.patient_id", now)
	rows, err := q.QueryContext(ctx, `
		SELECT CASE WHEN v.status = 'approved' AND v.valid_until < `+today+` THEN 'expired'
			ELSE v.status END AS st, count(*)
		FROM ivrs v WHERE `+where+` GROUP BY st`, a...)
	if err != nil {
		return nil, fmt.Errorf("count ivrs: %w", err)
	}
	defer rows.Close()
	out := map[domain.IVRState]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count ivrs: %w", err)
		}
		out[domain.IVRState(st)] += n
	}
	return out, rows.Err()
}
