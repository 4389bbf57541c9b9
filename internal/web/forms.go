package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// newIVRPage shows the draft form; ?patient=<id> preselects a patient.
func (h *Handler) newIVRPage(w http.ResponseWriter, r *http.Request, c *call) error {
	form := formValues{"patient_id": {r.URL.Query().Get("patient")}, "place_of_service": {"11"},
		"request_type": {"new"}, "frequency": {"weekly"}, "applications": {"4"}}
	h.showIVRForm(w, r, c, http.StatusOK, form, nil, "")
	return nil
}

func (h *Handler) showIVRForm(w http.ResponseWriter, r *http.Request, c *call, status int,
	form formValues, errs map[string]string, flash string) {
	v := newView(c, "New IVR")
	v.Form, v.Errors, v.Flash = form, errs, flash
	v.Data = h.refData(r.Context(), c.p, true)
	h.render(w, r, status, "ivr_new", v)
}

// newIVRSubmit creates the draft and opens it.
func (h *Handler) newIVRSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	in, fe := ivrInputOf(r)
	err := withRules(fe, in.Validate(time.Now()))
	if err == nil {
		var v domain.IVR
		if v, err = h.svc.CreateIVR(r.Context(), c.p, in); err == nil {
			http.Redirect(w, r, "/ivrs/"+v.ID, http.StatusSeeOther)
			return nil
		}
	}
	fields, msg, status, ok := formProblem(err)
	if !ok {
		return err
	}
	h.showIVRForm(w, r, c, status, formValues(r.PostForm), fields, msg)
	return nil
}

// ivrInputOf reads the new-IVR form. Numbers that do not parse are reported as
// field problems; the service checks everything else.
func ivrInputOf(r *http.Request) (domain.IVRInput, domain.FieldErrors) {
	var fe domain.FieldErrors
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	num := func(k string) float64 {
		if f(k) == "" {
			return 0
		}
		x, err := strconv.ParseFloat(f(k), 64)
		if err != nil {
			fe.Add(k, "must be a number")
		}
		return x
	}
	whole := func(k string) int {
		if f(k) == "" {
			return 0
		}
		n, err := strconv.Atoi(f(k))
		if err != nil {
			fe.Add(k, "must be a whole number")
		}
		return n
	}
	product, size, _ := strings.Cut(f("product"), "|")
	in := domain.IVRInput{PatientID: f("patient_id"), FacilityID: f("facility_id"),
		PlaceOfService: domain.PlaceOfService(f("place_of_service")),
		RequestType:    domain.RequestType(f("request_type")),
		Wound: domain.WoundInput{Type: domain.WoundType(f("wound.type")),
			Site: domain.WoundSite(f("wound.site")), Laterality: domain.Laterality(f("wound.laterality")),
			LengthCm: num("wound.length_cm"), WidthCm: num("wound.width_cm"),
			DepthCm: num("wound.depth_cm"), DurationWeeks: whole("wound.duration_weeks"),
			ConservativeCareWeeks: whole("wound.conservative_care_weeks")},
		DiagnosisCodes: codes(f("diagnosis_codes")),
		Products: []domain.ProductLine{{ProductID: product, Size: size,
			Quantity: whole("products[0].quantity")}},
		Applications: whole("applications"), Frequency: domain.Frequency(f("frequency")),
		StartDate: domain.Date(f("start_date"))}
	return in, fe
}

// codes splits "E11.621, L97.422" into upper-case codes.
func codes(s string) []string {
	var out []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToUpper(c))
	}
	return out
}

// newPatientPage shows the patient form.
func (h *Handler) newPatientPage(w http.ResponseWriter, r *http.Request, c *call) error {
	form := formValues{"sex": {"unknown"}, "coverages[0].plan_type": {"medicare_ffs"},
		"coverages[0].relationship": {"self"}}
	h.showPatientForm(w, r, c, http.StatusOK, form, nil, "")
	return nil
}

func (h *Handler) showPatientForm(w http.ResponseWriter, r *http.Request, c *call, status int,
	form formValues, errs map[string]string, flash string) {
	v := newView(c, "New patient")
	v.Form, v.Errors, v.Flash = form, errs, flash
	d := h.refData(r.Context(), c.p, false)
	d.Payers, _ = h.svc.DB.ListPayers(r.Context())
	v.Data = d
	h.render(w, r, status, "patient_new", v)
}

// newPatientSubmit creates the patient and goes on to a new IVR for them.
func (h *Handler) newPatientSubmit(w http.ResponseWriter, r *http.Request, c *call) error {
	pt, err := h.svc.CreatePatient(r.Context(), c.p, patientInputOf(r))
	if err == nil {
		http.Redirect(w, r, "/ivrs/new?patient="+pt.ID, http.StatusSeeOther)
		return nil
	}
	fields, msg, status, ok := formProblem(err)
	if !ok {
		return err
	}
	h.showPatientForm(w, r, c, status, formValues(r.PostForm), fields, msg)
	return nil
}

// patientInputOf reads the patient form: the API's patient body with one
// coverage.
func patientInputOf(r *http.Request) domain.PatientInput {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	on := func(k string) bool { return f(k) == "yes" }
	cov := domain.CoverageInput{Rank: 1, PayerID: f("coverages[0].payer_id"),
		PlanType:            domain.PlanType(f("coverages[0].plan_type")),
		MemberID:            strings.ToUpper(f("coverages[0].member_id")),
		GroupNumber:         f("coverages[0].group_number"),
		Relationship:        domain.Relationship(f("coverages[0].relationship")),
		SubscriberName:      f("coverages[0].subscriber_name"),
		SubscriberBirthDate: domain.Date(f("coverages[0].subscriber_birth_date")),
		EffectiveDate:       domain.Date(f("coverages[0].effective_date"))}
	return domain.PatientInput{FirstName: f("first_name"), MiddleName: f("middle_name"),
		LastName: f("last_name"), BirthDate: domain.Date(f("birth_date")),
		Sex: domain.Sex(f("sex")), MRN: f("mrn"), Phone: f("phone"), Email: f("email"),
		Address: domain.Address{Line1: f("address.line1"), Line2: f("address.line2"),
			City: f("address.city"), State: strings.ToUpper(f("address.state")), ZIP: f("address.zip")},
		Flags: domain.PatientFlags{InSNF: on("flags.in_snf"), PartAStay: on("flags.part_a_stay"),
			Hospice: on("flags.hospice"), GlobalPeriod: on("flags.global_period")},
		Coverages: []domain.CoverageInput{cov}}
}

// withRules joins the problems found reading a form with those the domain
// rules find in what could be read, so the user sees every problem at once. It
// returns nil when there are none (the service checks again, authoritatively).
func withRules(fe domain.FieldErrors, rules error) error {
	if len(fe) == 0 {
		return nil
	}
	var de *domain.Error
	if errors.As(rules, &de) {
		for k, v := range de.Fields {
			fe.Add(k, v)
		}
	}
	return fe.Err()
}
