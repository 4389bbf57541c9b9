package domain

// PlaceOfService is a CMS place-of-service code.
type PlaceOfService string

// The places of service an IVR may name.
const (
	POSOffice             PlaceOfService = "11"
	POSHome               PlaceOfService = "12"
	POSAssistedLiving     PlaceOfService = "13"
	POSOutpatientHospital PlaceOfService = "22"
	POSAmbulatorySurgical PlaceOfService = "24"
	POSSkilledNursing     PlaceOfService = "31"
	POSNursingFacility    PlaceOfService = "32"
)

// PlacesOfService lists the accepted place-of-service codes.
var PlacesOfService = []PlaceOfService{
	POSOffice, POSHome, POSAssistedLiving, POSOutpatientHospital,
	POSAmbulatorySurgical, POSSkilledNursing, POSNursingFacility,
}

// Valid reports whether p is an accepted place of service.
func (p PlaceOfService) Valid() bool { return inList(p, PlacesOfService) }

// PlanType is the kind of a health plan.
type PlanType string

// The plan types.
const (
	PlanMedicareFFS       PlanType = "medicare_ffs"
	PlanMedicareAdvantage PlanType = "medicare_advantage"
	PlanMedicaid          PlanType = "medicaid"
	PlanManagedMedicaid   PlanType = "managed_medicaid"
	PlanCommercial        PlanType = "commercial"
	PlanOther             PlanType = "other"
)

// PlanTypes lists every plan type.
var PlanTypes = []PlanType{
	PlanMedicareFFS, PlanMedicareAdvantage, PlanMedicaid,
	PlanManagedMedicaid, PlanCommercial, PlanOther,
}

// Valid reports whether p is a known plan type.
func (p PlanType) Valid() bool { return inList(p, PlanTypes) }

// Relationship is the patient's relationship to a coverage's subscriber.
type Relationship string

// The subscriber relationships.
const (
	RelSelf   Relationship = "self"
	RelSpouse Relationship = "spouse"
	RelChild  Relationship = "child"
	RelOther  Relationship = "other"
)

// Relationships lists every subscriber relationship.
var Relationships = []Relationship{RelSelf, RelSpouse, RelChild, RelOther}

// Valid reports whether r is a known relationship.
func (r Relationship) Valid() bool { return inList(r, Relationships) }

// Sex is the patient's sex as recorded for billing.
type Sex string

// The values of Sex.
const (
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexOther   Sex = "other"
	SexUnknown Sex = "unknown"
)

// Sexes lists every value of Sex.
var Sexes = []Sex{SexFemale, SexMale, SexOther, SexUnknown}

// Valid reports whether s is a known value.
func (s Sex) Valid() bool { return inList(s, Sexes) }

// WoundType is the clinical kind of a wound.
type WoundType string

// The wound types.
const (
	WoundDiabeticFootUlcer WoundType = "diabetic_foot_ulcer"
	WoundVenousLegUlcer    WoundType = "venous_leg_ulcer"
	WoundPressureInjury    WoundType = "pressure_injury"
	WoundArterialUlcer     WoundType = "arterial_ulcer"
	WoundSurgical          WoundType = "surgical"
	WoundTraumatic         WoundType = "traumatic"
	WoundBurn              WoundType = "burn"
	WoundOther             WoundType = "other"
)

// WoundTypes lists every wound type.
var WoundTypes = []WoundType{
	WoundDiabeticFootUlcer, WoundVenousLegUlcer, WoundPressureInjury,
	WoundArterialUlcer, WoundSurgical, WoundTraumatic, WoundBurn, WoundOther,
}

// Valid reports whether w is a known wound type.
func (w WoundType) Valid() bool { return inList(w, WoundTypes) }

// Laterality is the side of the body a wound is on.
type Laterality string

// The lateralities; LateralityNA is for sites without a side.
const (
	LateralityLeft      Laterality = "left"
	LateralityRight     Laterality = "right"
	LateralityBilateral Laterality = "bilateral"
	LateralityMidline   Laterality = "midline"
	LateralityNA        Laterality = "n/a"
)

// Lateralities lists every laterality.
var Lateralities = []Laterality{
	LateralityLeft, LateralityRight, LateralityBilateral, LateralityMidline, LateralityNA,
}

// Valid reports whether l is a known laterality.
func (l Laterality) Valid() bool { return inList(l, Lateralities) }

// RequestType says why an IVR is requested.
type RequestType string

// The request types.
const (
	RequestNew                    RequestType = "new"
	RequestReverification         RequestType = "reverification"
	RequestAdditionalApplications RequestType = "additional_applications"
	RequestNewInsurance           RequestType = "new_insurance"
)

// RequestTypes lists every request type.
var RequestTypes = []RequestType{
	RequestNew, RequestReverification, RequestAdditionalApplications, RequestNewInsurance,
}

// Valid reports whether r is a known request type.
func (r RequestType) Valid() bool { return inList(r, RequestTypes) }

// Frequency is how often applications are planned.
type Frequency string

// The application frequencies.
const (
	FrequencyWeekly   Frequency = "weekly"
	FrequencyBiweekly Frequency = "biweekly"
	FrequencyOther    Frequency = "other"
)

// Frequencies lists every frequency.
var Frequencies = []Frequency{FrequencyWeekly, FrequencyBiweekly, FrequencyOther}

// Valid reports whether f is a known frequency.
func (f Frequency) Valid() bool { return inList(f, Frequencies) }

// Carrier is a shipping carrier. Values are lower case like every API enum.
type Carrier string

// The carriers.
const (
	CarrierUPS   Carrier = "ups"
	CarrierFedEx Carrier = "fedex"
	CarrierUSPS  Carrier = "usps"
	CarrierDHL   Carrier = "dhl"
	CarrierOther Carrier = "other"
)

// Carriers lists every carrier.
var Carriers = []Carrier{CarrierUPS, CarrierFedEx, CarrierUSPS, CarrierDHL, CarrierOther}

// Valid reports whether c is a known carrier.
func (c Carrier) Valid() bool { return inList(c, Carriers) }

// Network is whether the practice is in the plan's network.
type Network string

// The network statuses.
const (
	NetworkIn      Network = "in"
	NetworkOut     Network = "out"
	NetworkUnknown Network = "unknown"
)

// Networks lists every network status.
var Networks = []Network{NetworkIn, NetworkOut, NetworkUnknown}

// Valid reports whether n is a known network status.
func (n Network) Valid() bool { return inList(n, Networks) }

// PAStatus is the status of a prior authorization.
type PAStatus string

// The prior authorization statuses.
const (
	PAPending      PAStatus = "pending"
	PAApproved     PAStatus = "approved"
	PADenied       PAStatus = "denied"
	PANotSubmitted PAStatus = "not_submitted"
)

// PAStatuses lists every prior authorization status.
var PAStatuses = []PAStatus{PAPending, PAApproved, PADenied, PANotSubmitted}

// Valid reports whether s is a known prior authorization status.
func (s PAStatus) Valid() bool { return inList(s, PAStatuses) }

// MAC is a Medicare A/B contractor jurisdiction.
type MAC string

// The A/B MAC jurisdictions.
const (
	MACJE  MAC = "JE"
	MACJF  MAC = "JF"
	MACJH  MAC = "JH"
	MACJL  MAC = "JL"
	MACJ5  MAC = "J5"
	MACJ6  MAC = "J6"
	MACJ8  MAC = "J8"
	MACJ15 MAC = "J15"
	MACJJ  MAC = "JJ"
	MACJK  MAC = "JK"
	MACJM  MAC = "JM"
	MACJN  MAC = "JN"
)

// MACs lists every jurisdiction.
var MACs = []MAC{
	MACJE, MACJF, MACJH, MACJL, MACJ5, MACJ6, MACJ8, MACJ15, MACJJ, MACJK, MACJM, MACJN,
}

// Valid reports whether m is a known jurisdiction.
func (m MAC) Valid() bool { return inList(m, MACs) }

// DenyReason is the coded reason for denying an IVR.
type DenyReason string

// The denial reason codes.
const (
	DenyNotCovered            DenyReason = "not_covered"
	DenyInactiveCoverage      DenyReason = "inactive_coverage"
	DenyMissingInformation    DenyReason = "missing_information"
	DenyNotMedicallyNecessary DenyReason = "not_medically_necessary"
	DenyOutOfNetwork          DenyReason = "out_of_network"
	DenyOther                 DenyReason = "other"
)

// DenyReasons lists every denial reason code.
var DenyReasons = []DenyReason{
	DenyNotCovered, DenyInactiveCoverage, DenyMissingInformation,
	DenyNotMedicallyNecessary, DenyOutOfNetwork, DenyOther,
}

// Valid reports whether d is a known denial reason code.
func (d DenyReason) Valid() bool { return inList(d, DenyReasons) }

// DeliveryCondition is how the practice found a delivered order.
type DeliveryCondition string

// The delivery conditions.
const (
	DeliveryOK    DeliveryCondition = "ok"
	DeliveryIssue DeliveryCondition = "issue"
)

// DeliveryConditions lists every delivery condition.
var DeliveryConditions = []DeliveryCondition{DeliveryOK, DeliveryIssue}

// Valid reports whether c is a known delivery condition.
func (c DeliveryCondition) Valid() bool { return inList(c, DeliveryConditions) }
