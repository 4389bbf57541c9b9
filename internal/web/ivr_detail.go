package web

import (
	"context"
	"net/http"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// ivrDetail is the IVR page. Full is nil for PHI-minimal roles, so their
// template has nothing clinical to show even by mistake.
type ivrDetail struct {
	IVR     ivrRow
	Version int
	History []historyRow
	Full    *ivrFull
	Actions []string
	// Order is set when the caller may place an order from this IVR now.
	Order []productLine
	// Open names the action form shown open after an error.
	Open string
	Ref  refData
}

// ivrFull is what full-PHI roles see beyond the row.
type ivrFull struct {
	Patient        *patientSummary
	PlaceOfService string
	RequestType    string
	Wound          domain.WoundInput
	AreaCm2        float64
	Diagnoses      []string
	Codes          []domain.CPTLine
	Applications   int
	Frequency      string
	StartDate      domain.Date
	Benefits       []domain.Benefit
	Notes          string
	PayerReference string
	DenialCode     string
	DenialReason   string
	Escalation     string
	Messages       []domain.Message
}

// patientSummary is the patient block of a full view.
type patientSummary struct {
	Name      string
	BirthDate domain.Date
	Sex       string
	MRN       string
	Coverages []coverageLine
}

type coverageLine struct {
	Rank     int
	Payer    string
	PlanType string
	MemberID string
}

// historyRow is one status change; Reason is empty for PHI-minimal roles.
type historyRow struct {
	domain.StatusChange
	Mine bool
}

// ivrPage shows one IVR.
func (h *Handler) ivrPage(w http.ResponseWriter, r *http.Request, c *call) error {
	d, err := h.ivrDetail(r.Context(), c.p, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := newView(c, "IVR "+d.IVR.Reference)
	v.Data = d
	h.render(w, r, http.StatusOK, "ivr", v)
	return nil
}

// ivrDetail loads everything the IVR page shows for p.
func (h *Handler) ivrDetail(ctx context.Context, p domain.Principal, id string) (ivrDetail, error) {
	v, err := h.svc.GetIVR(ctx, p, id)
	if err != nil {
		return ivrDetail{}, err
	}
	d := ivrDetail{IVR: h.rowOf(ctx, p, v, h.territories(ctx, p)), Version: v.Version}
	hist, err := h.svc.History(ctx, p, id)
	if err != nil {
		return ivrDetail{}, err
	}
	for _, c := range hist {
		if p.Role.PHIMinimal() {
			c.Reason = ""
		}
		d.History = append(d.History, historyRow{StatusChange: c, Mine: c.ActorID == p.UserID})
	}
	if p.Role.Can(domain.PermIVRAct) {
		for _, a := range domain.IVRActionsFor(v.Status, p.Role) {
			if a == domain.IVRAssign && v.AssignedTo == p.UserID {
				continue
			}
			d.Actions = append(d.Actions, string(a))
		}
	}
	if p.Role.PHIMinimal() {
		return d, nil
	}
	if d.Full, err = h.fullOf(ctx, p, v); err != nil {
		return ivrDetail{}, err
	}
	d.Ref = h.refData(ctx, p, false)
	if p.Role.Can(domain.PermOrderCreate) && v.Status == domain.IVRApproved {
		d.Order = h.products.lines(ctx, v.Products)
	}
	return d, nil
}

// fullOf builds the clinical part of the page for a full-PHI role.
func (h *Handler) fullOf(ctx context.Context, p domain.Principal, v domain.IVR) (*ivrFull, error) {
	f := &ivrFull{PlaceOfService: string(v.PlaceOfService), RequestType: string(v.RequestType),
		Wound: v.Wound, AreaCm2: v.AreaCm2, Diagnoses: v.DiagnosisCodes, Codes: v.SuggestedCodes,
		Applications: v.Applications, Frequency: string(v.Frequency), StartDate: v.StartDate,
		Notes: v.Notes, PayerReference: v.PayerReference, DenialCode: string(v.DenialCode),
		DenialReason: v.DenialReason, Escalation: v.EscalationReason}
	if v.Status == domain.IVRApproved || v.Status == domain.IVRExpired {
		f.Benefits = v.Benefits
	}
	ms, err := h.svc.Messages(ctx, p, v.ID)
	if err != nil {
		return nil, err
	}
	f.Messages = ms
	pt, err := h.svc.GetPatient(ctx, p, v.PatientID)
	switch {
	case domain.ErrorCode(err) == domain.CodeNotFound:
	case err != nil:
		return nil, err
	default:
		f.Patient = h.summary(ctx, pt)
	}
	return f, nil
}

// summary is the patient block: identity and coverages, no address or contact.
func (h *Handler) summary(ctx context.Context, pt domain.Patient) *patientSummary {
	s := &patientSummary{Name: pt.FirstName + " " + pt.LastName, BirthDate: pt.BirthDate,
		Sex: string(pt.Sex), MRN: pt.MRN}
	payers := h.payerNames(ctx)
	for _, cv := range pt.Coverages {
		s.Coverages = append(s.Coverages, coverageLine{Rank: cv.Rank, Payer: payers[cv.PayerID],
			PlanType: string(cv.PlanType), MemberID: cv.MemberID})
	}
	return s
}

// payerNames returns payer names by id.
func (h *Handler) payerNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	ps, err := h.svc.DB.ListPayers(ctx)
	if err != nil {
		return out
	}
	for _, p := range ps {
		out[p.ID] = p.Name
	}
	return out
}

// refData is the reference lists forms offer.
type refData struct {
	States        []domain.IVRState
	DenyReasons   []domain.DenyReason
	PlanTypes     []domain.PlanType
	Networks      []domain.Network
	MACs          []domain.MAC
	Carriers      []domain.Carrier
	POS           []domain.PlaceOfService
	RequestTypes  []domain.RequestType
	WoundTypes    []domain.WoundType
	Sites         []domain.WoundSite
	Lateralities  []domain.Laterality
	Frequencies   []domain.Frequency
	Sexes         []domain.Sex
	Relationships []domain.Relationship
	Products      []domain.Product
	Payers        []domain.Payer
	Facilities    []domain.Facility
	Patients      []patientOption
}

// patientOption is a patient in the new-IVR select.
type patientOption struct {
	ID    string
	Label string
}

// refData fills the enumerations; withLookups also loads products, payers and the
// caller's facilities and patients (for the clinic's forms).
func (h *Handler) refData(ctx context.Context, p domain.Principal, withLookups bool) refData {
	d := refData{States: domain.IVRStates, DenyReasons: domain.DenyReasons,
		PlanTypes: domain.PlanTypes, Networks: domain.Networks, MACs: domain.MACs,
		Carriers: domain.Carriers, POS: domain.PlacesOfService, RequestTypes: domain.RequestTypes,
		WoundTypes: domain.WoundTypes, Sites: domain.WoundSites, Lateralities: domain.Lateralities,
		Frequencies: domain.Frequencies, Sexes: domain.Sexes, Relationships: domain.Relationships}
	if !withLookups {
		return d
	}
	d.Products, _ = h.products.all(ctx)
	d.Payers, _ = h.svc.DB.ListPayers(ctx)
	d.Facilities, _ = h.svc.ListFacilities(ctx, p)
	if p.Role.Can(domain.PermPatientRead) {
		ps, _, err := h.svc.ListPatients(ctx, p, store.PatientFilter{Limit: 200})
		if err == nil {
			for _, pt := range ps {
				d.Patients = append(d.Patients, patientOption{ID: pt.ID,
					Label: pt.LastName + ", " + pt.FirstName + " (" + string(pt.BirthDate) + ")"})
			}
		}
	}
	return d
}
