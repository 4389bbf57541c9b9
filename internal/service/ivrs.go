package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// ivrFields names the PHI fields of an IVR, for audit entries of full reads.
var ivrFields = []string{"wound", "diagnosis_codes", "benefits", "notes", "messages"}

// minimalFields are the fields a PHI-minimal role reads.
var minimalFields = []string{"reference", "status", "patient_initials", "products"}

func readFields(p domain.Principal) []string {
	if p.Role.PHIMinimal() {
		return minimalFields
	}
	return ivrFields
}

// resolveIVR checks the lookups of an IVR's input (patient and renewed IVR in
// scope, facility of the practice, products and sizes in the catalog) and fills
// the derived fields: area, suggested CPT codes, primary payer.
func (s *Service) resolveIVR(ctx context.Context, tx *store.Tx, p domain.Principal, v *domain.IVR) error {
	var fe domain.FieldErrors
	pt, err := store.GetPatient(ctx, tx, s.Keys, p, v.PatientID, tx.Now)
	switch {
	case isNotFound(err):
		fe.Add("patient_id", "no such patient")
	case err != nil:
		return err
	case len(pt.Coverages) == 0:
		fe.Add("patient_id", "the patient has no coverage to verify")
	default:
		v.PatientInitials = pt.Initials()
		v.PrimaryPayerID = ""
		for _, c := range pt.Coverages {
			if c.Rank == 1 {
				v.PrimaryPayerID = c.PayerID
			}
		}
	}
	if f, err := s.DB.GetFacility(ctx, v.FacilityID); err != nil || f.OrganizationID != v.PracticeID {
		fe.Add("facility_id", "no such facility in the practice")
	}
	if v.RenewsIVRID != "" {
		if _, err := store.GetIVR(ctx, tx, s.Keys, p, v.RenewsIVRID, tx.Now); err != nil {
			fe.Add("renews_ivr_id", "no such IVR")
		}
	}
	if err := s.checkProducts(ctx, "products", v.Products, &fe); err != nil {
		return err
	}
	v.AreaCm2 = v.Wound.AreaCm2()
	v.SuggestedCodes = v.Wound.SuggestedCodes()
	return fe.Err()
}

func (s *Service) checkProducts(ctx context.Context, list string, lines []domain.ProductLine,
	fe *domain.FieldErrors) error {
	ids := make([]string, len(lines))
	for i, l := range lines {
		ids[i] = l.ProductID
	}
	catalog, err := s.DB.ProductsByID(ctx, ids)
	if err != nil {
		return err
	}
	for i, l := range lines {
		prod, ok := catalog[l.ProductID]
		switch {
		case !ok || !prod.Active:
			fe.Add(domain.FieldPath(list, i, "product_id"), "no such product in the catalog")
		case !prod.HasSize(l.Size):
			fe.Add(domain.FieldPath(list, i, "size"), "the product does not come in this size")
		}
	}
	return nil
}

// CreateIVR creates a draft IVR in the caller's practice.
func (s *Service) CreateIVR(ctx context.Context, p domain.Principal, in domain.IVRInput) (domain.IVR, error) {
	status, err := domain.NewIVRState(p.Role)
	if err != nil {
		return domain.IVR{}, err
	}
	if err := in.Validate(s.now()); err != nil {
		return domain.IVR{}, err
	}
	v := domain.IVR{Status: status, PracticeID: p.OrganizationID, IVRInput: in,
		CreatedBy: p.UserID, Eligibility: "not_checked"}
	if p.Role == domain.RoleDoctor {
		v.PhysicianID = p.UserID
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		if err := s.resolveIVR(ctx, tx, p, &v); err != nil {
			return err
		}
		if err := store.CreateIVR(ctx, tx, &v); err != nil {
			return err
		}
		if err := store.AddIVRHistory(ctx, tx, v.ID, domain.StatusChange{Action: "create",
			To: string(v.Status), ActorID: p.UserID, ActorRole: p.Role}); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "ivr.create", "ivr", v.ID, v.PatientID, ivrFields[:2]...))
	})
	if err != nil {
		return domain.IVR{}, err
	}
	return s.GetIVR(ctx, p, v.ID)
}

// GetIVR returns an IVR in scope (the reduced view is the caller's job for
// PHI-minimal roles: the store does not decrypt clinical fields for them) and
// records the read.
func (s *Service) GetIVR(ctx context.Context, p domain.Principal, id string) (domain.IVR, error) {
	var v domain.IVR
	err := s.readTx(ctx, func(tx *store.Tx) (err error) {
		if v, err = store.GetIVR(ctx, tx, s.Keys, p, id, tx.Now); err != nil {
			return err
		}
		v.Status = v.EffectiveStatus(tx.Now)
		return record(ctx, tx, entry(p, "ivr.read", "ivr", v.ID, v.PatientID, readFields(p)...))
	})
	if isNotFound(err) {
		s.RecordDenied(ctx, p, "ivr.read", "ivr", id, domain.CodeNotFound)
	}
	return v, err
}

// ListIVRs returns a page of IVRs in scope and records one read per row.
func (s *Service) ListIVRs(ctx context.Context, p domain.Principal, f store.IVRFilter) (
	[]domain.IVR, string, error) {
	var vs []domain.IVR
	var next string
	err := s.readTx(ctx, func(tx *store.Tx) (err error) {
		if vs, next, err = store.ListIVRs(ctx, tx, s.Keys, p, f, tx.Now); err != nil {
			return err
		}
		for i := range vs {
			vs[i].Status = vs[i].EffectiveStatus(tx.Now)
		}
		return recordRows(ctx, tx, p, "ivr.list", "ivr", len(vs), func(i int) (string, string) {
			return vs[i].ID, vs[i].PatientID
		}, readFields(p))
	})
	return vs, next, err
}

// Queue returns the specialist queue: submitted and in-review IVRs in scope,
// escalated first, then by priority, then oldest first.
func (s *Service) Queue(ctx context.Context, p domain.Principal, f store.IVRFilter) (
	[]domain.IVR, string, error) {
	if p.Role != domain.RoleSpecialist && p.Role != domain.RoleAdmin {
		return nil, "", domain.ErrForbidden
	}
	if len(f.Status) == 0 {
		f.Status = []domain.IVRState{domain.IVRSubmitted, domain.IVRInReview}
	}
	f.Queue = true
	vs, next, err := s.ListIVRs(ctx, p, f)
	now := s.now()
	for i := range vs {
		if vs[i].SubmittedAt != nil {
			vs[i].WaitingSeconds = int64(now.Sub(*vs[i].SubmittedAt).Seconds())
		}
	}
	return vs, next, err
}

// PatchIVR edits an IVR while it is a draft or needs information.
func (s *Service) PatchIVR(ctx context.Context, p domain.Principal, id string, patch domain.IVRPatch,
	version int) (domain.IVR, error) {
	if !p.Role.ClinicRole() {
		return domain.IVR{}, domain.ErrForbidden
	}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, p, id, tx.Now)
		if err != nil {
			return err
		}
		if version != 0 && version != v.Version {
			return domain.ErrVersionMismatch
		}
		if !v.Status.Editable() {
			return domain.Conflict("edit", string(v.Status))
		}
		patch.Apply(&v.IVRInput)
		if err := v.IVRInput.Validate(tx.Now); err != nil {
			return err
		}
		if err := s.resolveIVR(ctx, tx, p, &v); err != nil {
			return err
		}
		if err := store.UpdateIVRDraft(ctx, tx, &v, v.Version); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "ivr.update", "ivr", v.ID, v.PatientID, domain.SetFields(patch)...))
	})
	if err != nil {
		return domain.IVR{}, err
	}
	return s.GetIVR(ctx, p, id)
}

// History returns an IVR's status history (reasons only for full-PHI roles).
func (s *Service) History(ctx context.Context, p domain.Principal, id string) ([]domain.StatusChange, error) {
	v, err := s.GetIVR(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return store.IVRHistory(ctx, s.DB.Reader(), s.Keys, v.ID, !p.Role.PHIMinimal())
}

// Messages returns an IVR's thread (full-PHI roles only).
func (s *Service) Messages(ctx context.Context, p domain.Principal, id string) ([]domain.Message, error) {
	if err := requirePHI(p); err != nil {
		return nil, err
	}
	var ms []domain.Message
	err := s.readTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, p, id, tx.Now)
		if err != nil {
			return err
		}
		if ms, err = store.Messages(ctx, tx, s.Keys, v.ID); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "ivr.messages.read", "ivr", v.ID, v.PatientID, "messages"))
	})
	return ms, err
}

// PostMessage adds a message to an IVR's thread (clinic roles and specialists).
func (s *Service) PostMessage(ctx context.Context, p domain.Principal, id, body string) (domain.Message, error) {
	if err := requirePHI(p); err != nil {
		return domain.Message{}, err
	}
	in := domain.RespondInput{Message: body}
	if err := in.Validate(s.now()); err != nil || body == "" {
		if err == nil {
			err = &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"message": "is required"}}
		}
		return domain.Message{}, err
	}
	m := domain.Message{AuthorID: p.UserID, Kind: "message", Body: body}
	err := s.inTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, p, id, tx.Now)
		if err != nil {
			return err
		}
		if err := store.AddMessage(ctx, tx, v.ID, &m); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "ivr.message", "ivr", v.ID, v.PatientID, "messages"))
	})
	return m, err
}

// decode unmarshals an action body that the API layer has already checked for
// unknown fields.
func decode(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return domain.Errorf(domain.CodeBadRequest, "malformed JSON")
	}
	return nil
}

// ActIVR performs a workflow action on an IVR. body is the action's JSON body,
// already checked for unknown fields; version is the If-Match version (0: none).
func (s *Service) ActIVR(ctx context.Context, p domain.Principal, id string, action domain.IVRAction,
	body json.RawMessage, version int) (domain.IVR, error) {
	step, err := s.prepareAction(p, action, body)
	if err != nil {
		return domain.IVR{}, err
	}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		v, err := store.GetIVR(ctx, tx, s.Keys, p, id, tx.Now)
		if err != nil {
			return err
		}
		if version != 0 && version != v.Version {
			return domain.ErrVersionMismatch
		}
		v.Status = v.EffectiveStatus(tx.Now)
		from := v.Status
		to, err := domain.IVRTransition(v.Status, action, p.Role)
		if err != nil {
			return err
		}
		reason, err := step(ctx, tx, &v, to)
		if err != nil {
			return err
		}
		return s.finishAction(ctx, tx, p, &v, action, from, to, reason)
	})
	if err != nil {
		return domain.IVR{}, err
	}
	return s.GetIVR(ctx, p, id)
}

// finishAction persists the moved IVR with its history, audit entry and event.
func (s *Service) finishAction(ctx context.Context, tx *store.Tx, p domain.Principal, v *domain.IVR,
	action domain.IVRAction, from, to domain.IVRState, reason string) error {
	v.Status = to
	prev := v.Version
	if err := store.SaveIVRState(ctx, tx, v, prev); err != nil {
		return err
	}
	if err := store.AddIVRHistory(ctx, tx, v.ID, domain.StatusChange{Action: string(action),
		From: string(from), To: string(to), ActorID: p.UserID, ActorRole: p.Role, Reason: reason}); err != nil {
		return err
	}
	if err := record(ctx, tx, entry(p, "ivr."+string(action), "ivr", v.ID, v.PatientID, "status")); err != nil {
		return err
	}
	typ, ok := ivrEvents[action]
	if !ok {
		return nil
	}
	return emit(ctx, tx, typ, "ivr", v.ID, v.PracticeID, v.PatientID, ivrEventData(*v))
}

var ivrEvents = map[domain.IVRAction]string{
	domain.IVRSubmit: "ivr.submitted", domain.IVRAssign: "ivr.assigned",
	domain.IVRRequestInfo: "ivr.needs_info", domain.IVRRespond: "ivr.responded",
	domain.IVRApprove: "ivr.approved", domain.IVRDeny: "ivr.denied",
}

// ivrEventData is the PHI-minimal payload of an IVR event.
func ivrEventData(v domain.IVR) map[string]any {
	d := map[string]any{"reference": v.Reference, "status": string(v.Status),
		"practice_id": v.PracticeID, "territory_id": v.TerritoryID,
		"patient_initials": v.PatientInitials, "products": v.Products}
	if v.ValidUntil != "" {
		d["valid_until"] = string(v.ValidUntil)
	}
	return d
}

// actionStep applies one action's specific effects to v (which is moving to
// `to`) and returns the reason to record in the history.
type actionStep func(ctx context.Context, tx *store.Tx, v *domain.IVR, to domain.IVRState) (string, error)

// prepareAction decodes and validates the action's body before any database
// work, and returns the step that applies it.
func (s *Service) prepareAction(p domain.Principal, action domain.IVRAction, body json.RawMessage) (
	actionStep, error) {
	now := s.now()
	switch action {
	case domain.IVRSubmit:
		return func(ctx context.Context, tx *store.Tx, v *domain.IVR, _ domain.IVRState) (string, error) {
			if v.RequestType == "" {
				return "", domain.Conflict("submit", "incomplete draft")
			}
			t := tx.Now
			v.SubmittedAt = &t
			if s.Checker != nil {
				// Checked in the background; the IVR never waits for the payer.
				if err := store.QueueEligibilityCheck(ctx, tx, v.ID, 1); err != nil {
					return "", err
				}
				v.Eligibility = "pending"
			}
			return "attested by the submitting physician", nil
		}, nil
	case domain.IVRAssign:
		var in domain.AssignInput
		if err := decodeValid(body, &in, now); err != nil {
			return nil, err
		}
		return s.assignStep(p, in), nil
	case domain.IVRRequestInfo:
		var in domain.RequestInfoInput
		if err := decodeValid(body, &in, now); err != nil {
			return nil, err
		}
		return s.messageStep(p, "request", "", in.Items, in.DueDate), nil
	case domain.IVRRespond:
		var in domain.RespondInput
		if err := decodeValid(body, &in, now); err != nil {
			return nil, err
		}
		return s.messageStep(p, "response", in.Message, nil, ""), nil
	case domain.IVRApprove:
		var in domain.ApprovalInput
		if err := decodeValid(body, &in, now); err != nil {
			return nil, err
		}
		return s.approveStep(p, in), nil
	case domain.IVRDeny:
		var in domain.DenyInput
		if err := decodeValid(body, &in, now); err != nil {
			return nil, err
		}
		return s.decideStep(p, func(v *domain.IVR) string {
			v.DenialCode, v.DenialReason = in.ReasonCode, in.Reason
			return in.Reason
		}), nil
	case domain.IVRCancel:
		var in domain.CancelInput
		if err := decodeValid(body, &in, now); err != nil {
			return nil, err
		}
		return func(context.Context, *store.Tx, *domain.IVR, domain.IVRState) (string, error) {
			return in.Reason, nil
		}, nil
	case domain.IVREscalate:
		var in domain.EscalateInput
		if err := decodeValid(body, &in, now); err != nil {
			return nil, err
		}
		return func(_ context.Context, _ *store.Tx, v *domain.IVR, _ domain.IVRState) (string, error) {
			v.Escalated, v.EscalationReason = true, in.Reason
			return in.Reason, nil
		}, nil
	}
	return nil, domain.ErrNotFound
}

// decodeValid decodes an action body into v and validates it.
func decodeValid[T interface{ Validate(time.Time) error }](body json.RawMessage, v *T, now time.Time) error {
	if err := decode(body, v); err != nil {
		return err
	}
	return (*v).Validate(now)
}

func (s *Service) assignStep(p domain.Principal, in domain.AssignInput) actionStep {
	return func(ctx context.Context, tx *store.Tx, v *domain.IVR, _ domain.IVRState) (string, error) {
		target := in.SpecialistID
		if target == "" {
			if p.Role != domain.RoleSpecialist {
				return "", &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
					Fields: map[string]string{"specialist_id": "is required when an admin assigns"}}
			}
			target = p.UserID
		}
		if p.Role == domain.RoleSpecialist && target != p.UserID {
			return "", domain.ErrForbidden
		}
		u, err := s.DB.UserByID(ctx, target)
		if err != nil || u.Role != domain.RoleSpecialist || u.DisabledAt != nil {
			return "", &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"specialist_id": "no such specialist"}}
		}
		sp := domain.Principal{UserID: u.ID, Role: u.Role}
		if _, err := store.GetIVR(ctx, tx, s.Keys, sp, v.ID, tx.Now); err != nil {
			return "", &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"specialist_id": "the IVR is outside this specialist's territories"}}
		}
		v.AssignedTo = u.ID
		return "", nil
	}
}

// requireAssignee refuses a specialist's decision on an IVR assigned to another.
func requireAssignee(p domain.Principal, v *domain.IVR, action string) error {
	if p.Role == domain.RoleSpecialist && v.AssignedTo != "" && v.AssignedTo != p.UserID {
		return domain.Errorf(domain.CodeConflict, "cannot %s: assigned to another specialist", action)
	}
	return nil
}

func (s *Service) messageStep(p domain.Principal, kind, body string, items []string,
	due domain.Date) actionStep {
	return func(ctx context.Context, tx *store.Tx, v *domain.IVR, _ domain.IVRState) (string, error) {
		if kind == "request" {
			if err := requireAssignee(p, v, "request information"); err != nil {
				return "", err
			}
		}
		m := domain.Message{AuthorID: p.UserID, Kind: kind, Body: body, Items: items, DueDate: due}
		return "", store.AddMessage(ctx, tx, v.ID, &m)
	}
}

func (s *Service) decideStep(p domain.Principal, apply func(v *domain.IVR) string) actionStep {
	return func(_ context.Context, tx *store.Tx, v *domain.IVR, _ domain.IVRState) (string, error) {
		if err := requireAssignee(p, v, "decide"); err != nil {
			return "", err
		}
		t := tx.Now
		v.DecidedAt = &t
		return apply(v), nil
	}
}

func (s *Service) approveStep(p domain.Principal, in domain.ApprovalInput) actionStep {
	decide := s.decideStep(p, func(v *domain.IVR) string {
		v.Notes, v.PayerReference = in.Notes, in.PayerReference
		return ""
	})
	return func(ctx context.Context, tx *store.Tx, v *domain.IVR, to domain.IVRState) (string, error) {
		if _, err := decide(ctx, tx, v, to); err != nil {
			return "", err
		}
		pt, err := store.GetPatient(ctx, tx, s.Keys, p, v.PatientID, tx.Now)
		if err != nil {
			return "", fmt.Errorf("approve: load patient: %w", err)
		}
		ranks := map[int]bool{}
		for _, c := range pt.Coverages {
			ranks[c.Rank] = true
		}
		var fe domain.FieldErrors
		for i, b := range in.Benefits {
			if !ranks[b.CoverageRank] {
				fe.Add(domain.FieldPath("benefits", i, "coverage_rank"), "the patient has no coverage of this rank")
			}
		}
		if err := fe.Err(); err != nil {
			return "", err
		}
		v.ValidUntil = in.EffectiveValidUntil(tx.Now)
		return "", store.SaveBenefits(ctx, tx, v.ID, p.UserID, in.Benefits)
	}
}
