package domain

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Limits on an IVR's contents. Coverage policies cap applications at about ten
// per episode; the hard limit here is wider and the specialist judges the rest.
const (
	MaxLengthCm        = 150.0
	MaxDepthCm         = 25.0
	MaxWoundWeeks      = 520
	MaxDiagnosisCodes  = 12
	MaxProductLines    = 10
	MaxQuantity        = 1000
	MaxApplications    = 26
	MaxStartDaysAhead  = 365
	maxProductSizeText = 32
)

// IVRInput is the IVR create body, and the result of applying a PATCH (API.md). It
// holds PHI: it prints and logs as redacted.
type IVRInput struct {
	PatientID      string         `json:"patient_id"`
	FacilityID     string         `json:"facility_id"`
	PlaceOfService PlaceOfService `json:"place_of_service"`
	RequestType    RequestType    `json:"request_type"`
	RenewsIVRID    string         `json:"renews_ivr_id,omitempty"`
	Wound          WoundInput     `json:"wound"`
	DiagnosisCodes []string       `json:"diagnosis_codes"`
	Products       []ProductLine  `json:"products"`
	Applications   int            `json:"applications"`
	Frequency      Frequency      `json:"frequency"`
	StartDate      Date           `json:"start_date"`
}

// WoundInput describes the wound an IVR is for. It holds PHI.
type WoundInput struct {
	Type                  WoundType  `json:"type"`
	Site                  WoundSite  `json:"site"`
	Laterality            Laterality `json:"laterality"`
	LengthCm              float64    `json:"length_cm"`
	WidthCm               float64    `json:"width_cm"`
	DepthCm               float64    `json:"depth_cm"`
	DurationWeeks         int        `json:"duration_weeks"`
	ConservativeCareWeeks int        `json:"conservative_care_weeks"`
}

// ProductLine is a product, one of its sizes, and a quantity: an IVR's requested
// product or an order's item.
type ProductLine struct {
	ProductID string `json:"product_id"`
	Size      string `json:"size"`
	Quantity  int    `json:"quantity"`
}

// AreaCm2 returns the wound's area, length × width, as WoundArea rounds it.
func (w WoundInput) AreaCm2() float64 { return WoundArea(w.LengthCm, w.WidthCm) }

// SuggestedCodes returns the application codes suggested for the wound's site and
// area (see SuggestApplicationCodes).
func (w WoundInput) SuggestedCodes() []CPTLine {
	return SuggestApplicationCodes(w.Site, w.AreaCm2())
}

// Validate checks the IVR's formats with today taken from now (UTC). It returns nil
// or an *Error with CodeInvalid naming each bad field by its JSON path (e.g.
// "wound.length_cm", "products[0].quantity"). It does not look anything up: the
// caller checks that the patient, facility, renewed IVR and products exist in
// scope (see ProductIDs).
func (in IVRInput) Validate(now time.Time) error {
	return in.validate(now, true)
}

// validate checks the IVR; startRule says whether a start date in the past is an
// error (not when a PATCH leaves an older draft's start date as it was).
func (in IVRInput) validate(now time.Time, startRule bool) error {
	var fe FieldErrors
	today := DateOf(now)
	checkText(&fe, "patient_id", in.PatientID, true, maxID)
	checkText(&fe, "facility_id", in.FacilityID, true, maxID)
	checkEnum(&fe, "place_of_service", in.PlaceOfService, true, PlaceOfService.Valid)
	checkEnum(&fe, "request_type", in.RequestType, true, RequestType.Valid)
	in.checkRenews(&fe)
	in.Wound.validate(&fe, "wound")
	checkDiagnoses(&fe, in.DiagnosisCodes)
	checkProducts(&fe, "products", in.Products)
	checkRange(&fe, "applications", in.Applications, 1, MaxApplications)
	checkEnum(&fe, "frequency", in.Frequency, true, Frequency.Valid)
	if checkDate(&fe, "start_date", in.StartDate, true) {
		switch {
		case startRule && in.StartDate < today:
			fe.Add("start_date", msgPast)
		case in.StartDate > today.AddDays(MaxStartDaysAhead):
			fe.Add("start_date", fmt.Sprintf("must be within %d days", MaxStartDaysAhead))
		}
	}
	return fe.Err()
}

// checkRenews applies the renewal rule: a re-verification must name the IVR it
// renews; additional applications and new insurance may; a new request may not.
func (in IVRInput) checkRenews(fe *FieldErrors) {
	switch in.RequestType {
	case RequestReverification:
		checkText(fe, "renews_ivr_id", in.RenewsIVRID, true, maxID)
	case RequestNew:
		if in.RenewsIVRID != "" {
			fe.Add("renews_ivr_id", "must be empty for a new request")
		}
	default:
		checkText(fe, "renews_ivr_id", in.RenewsIVRID, false, maxID)
	}
}

// validate checks the wound under prefix. Conservative care cannot have lasted
// longer than the wound itself.
func (w WoundInput) validate(fe *FieldErrors, prefix string) {
	f := func(name string) string { return prefix + "." + name }
	checkEnum(fe, f("type"), w.Type, true, WoundType.Valid)
	checkEnum(fe, f("site"), w.Site, true, WoundSite.Valid)
	checkEnum(fe, f("laterality"), w.Laterality, true, Laterality.Valid)
	checkMeasure(fe, f("length_cm"), w.LengthCm, MaxLengthCm)
	checkMeasure(fe, f("width_cm"), w.WidthCm, MaxLengthCm)
	checkMeasure(fe, f("depth_cm"), w.DepthCm, MaxDepthCm)
	checkRange(fe, f("duration_weeks"), w.DurationWeeks, 0, MaxWoundWeeks)
	checkRange(fe, f("conservative_care_weeks"), w.ConservativeCareWeeks, 0, MaxWoundWeeks)
	if w.ConservativeCareWeeks > w.DurationWeeks && w.DurationWeeks >= 0 {
		fe.Add(f("conservative_care_weeks"), "must not exceed duration_weeks")
	}
}

// checkDiagnoses checks the diagnosis codes: at least one (the first is primary),
// at most MaxDiagnosisCodes, each in ICD-10-CM form, none repeated.
func checkDiagnoses(fe *FieldErrors, codes []string) {
	switch {
	case len(codes) == 0:
		fe.Add("diagnosis_codes", "must have at least one code")
		return
	case len(codes) > MaxDiagnosisCodes:
		fe.Add("diagnosis_codes", fmt.Sprintf("must have at most %d codes", MaxDiagnosisCodes))
		return
	}
	seen := map[string]bool{}
	for i, c := range codes {
		field := fieldAt("diagnosis_codes", i, "")
		key := strings.ReplaceAll(c, ".", "")
		switch {
		case !ValidICD10CM(c):
			fe.Add(field, "must be an ICD-10-CM code such as E11.621")
		case seen[key]:
			fe.Add(field, msgDup)
		}
		seen[key] = true
	}
}

// checkProducts checks product lines under list: at least one, at most
// MaxProductLines, each with a product, a size and a quantity from 1, and no
// product and size twice.
func checkProducts(fe *FieldErrors, list string, lines []ProductLine) {
	switch {
	case len(lines) == 0:
		fe.Add(list, "must have at least one product")
		return
	case len(lines) > MaxProductLines:
		fe.Add(list, fmt.Sprintf("must have at most %d products", MaxProductLines))
		return
	}
	seen := map[ProductLine]bool{}
	for i, l := range lines {
		checkText(fe, fieldAt(list, i, "product_id"), l.ProductID, true, maxID)
		checkText(fe, fieldAt(list, i, "size"), l.Size, true, maxProductSizeText)
		checkRange(fe, fieldAt(list, i, "quantity"), l.Quantity, 1, MaxQuantity)
		key := ProductLine{ProductID: l.ProductID, Size: l.Size}
		if seen[key] {
			fe.Add(fieldAt(list, i, "size"), "repeats a product and size listed before")
		}
		seen[key] = true
	}
}

// ProductIDs returns the distinct product ids the IVR requests, in order of first
// appearance, for the caller to look up in the catalog.
func (in IVRInput) ProductIDs() []string { return productIDs(in.Products) }

// productIDs returns the distinct product ids of lines in order.
func productIDs(lines []ProductLine) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		if !seen[l.ProductID] {
			seen[l.ProductID] = true
			out = append(out, l.ProductID)
		}
	}
	return out
}

// IVRPatch is the PATCH body for an IVR: a nil field is left unchanged; Wound,
// DiagnosisCodes and Products replace the whole value when given. It holds PHI.
type IVRPatch struct {
	PatientID      *string         `json:"patient_id"`
	FacilityID     *string         `json:"facility_id"`
	PlaceOfService *PlaceOfService `json:"place_of_service"`
	RequestType    *RequestType    `json:"request_type"`
	RenewsIVRID    *string         `json:"renews_ivr_id"`
	Wound          *WoundInput     `json:"wound"`
	DiagnosisCodes *[]string       `json:"diagnosis_codes"`
	Products       *[]ProductLine  `json:"products"`
	Applications   *int            `json:"applications"`
	Frequency      *Frequency      `json:"frequency"`
	StartDate      *Date           `json:"start_date"`
}

// Apply writes the fields set in p over in. Validate in afterwards.
func (p IVRPatch) Apply(in *IVRInput) {
	setIfGiven(&in.PatientID, p.PatientID)
	setIfGiven(&in.FacilityID, p.FacilityID)
	setIfGiven(&in.PlaceOfService, p.PlaceOfService)
	setIfGiven(&in.RequestType, p.RequestType)
	setIfGiven(&in.RenewsIVRID, p.RenewsIVRID)
	setIfGiven(&in.Wound, p.Wound)
	if p.DiagnosisCodes != nil {
		in.DiagnosisCodes = append([]string(nil), (*p.DiagnosisCodes)...)
	}
	if p.Products != nil {
		in.Products = append([]ProductLine(nil), (*p.Products)...)
	}
	setIfGiven(&in.Applications, p.Applications)
	setIfGiven(&in.Frequency, p.Frequency)
	setIfGiven(&in.StartDate, p.StartDate)
}

// ApplyValidated applies p to a copy of *in and validates the result as Validate
// does, except that a start date in the past is accepted when p leaves it
// unchanged. It writes the result to *in only when it is valid, and otherwise
// returns the *Error with CodeInvalid.
func (p IVRPatch) ApplyValidated(in *IVRInput, now time.Time) error {
	next := *in
	p.Apply(&next)
	if err := next.validate(now, p.StartDate != nil); err != nil {
		return err
	}
	*in = next
	return nil
}

// Format prints in as redacted whatever the verb, so PHI cannot reach a log.
func (in IVRInput) Format(f fmt.State, _ rune) { writeRedacted(f, "IVRInput") }

// LogValue logs in as redacted.
func (in IVRInput) LogValue() slog.Value { return redactedValue("IVRInput") }

// Format prints p as redacted whatever the verb.
func (p IVRPatch) Format(f fmt.State, _ rune) { writeRedacted(f, "IVRPatch") }

// LogValue logs p as redacted.
func (p IVRPatch) LogValue() slog.Value { return redactedValue("IVRPatch") }

// Format prints w as redacted whatever the verb.
func (w WoundInput) Format(f fmt.State, _ rune) { writeRedacted(f, "WoundInput") }

// LogValue logs w as redacted.
func (w WoundInput) LogValue() slog.Value { return redactedValue("WoundInput") }
