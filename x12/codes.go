package x12

import "strings"

// Code tables for the 271, as summarised from the 005010X279A1 guide. A code not
// listed keeps its raw value and gets an empty name: nothing is dropped.

// benefitInfoNames names EB01 values.
var benefitInfoNames = map[string]string{
	"1": "active coverage", "2": "active - full risk capitation",
	"3": "active - services capitated",
	"4": "active - services capitated to primary care physician",
	"5": "active - pending investigation", "6": "inactive",
	"7": "inactive - pending eligibility update",
	"8": "inactive - pending investigation", "A": "co-insurance", "B": "co-payment",
	"C": "deductible", "CB": "coverage basis", "D": "benefit description", "E": "exclusions",
	"F": "limitations", "G": "out of pocket (stop loss)", "H": "unlimited", "I": "non-covered",
	"J": "cost containment", "K": "reserve", "L": "primary care provider",
	"M": "pre-existing condition", "MC": "managed care coordinator",
	"N": "services restricted to following provider", "O": "not deemed a medical necessity",
	"P": "benefit disclaimer", "Q": "second surgical opinion required",
	"R": "other or additional payor", "S": "prior year(s) history",
	"T": "card(s) reported lost/stolen",
	"U": "contact following entity for eligibility or benefit information",
	"V": "cannot process", "W": "other source of data", "X": "health care facility",
	"Y":  "spend down",
	"AA": "reimbursement", "AB": "deductible (maximum)", "AC": "copayment (maximum)",
}

// insuranceTypeNames names EB04 values.
var insuranceTypeNames = map[string]string{
	"12": "Medicare secondary working aged beneficiary",
	"13": "Medicare secondary end-stage renal disease",
	"14": "Medicare secondary, no-fault insurance",
	"15": "Medicare secondary worker's compensation",
	"16": "Medicare secondary public health service", "41": "Medicare secondary black lung",
	"42": "Medicare secondary veteran's administration",
	"43": "Medicare secondary large group health plan",
	"47": "Medicare secondary, other liability insurance", "AP": "auto insurance policy",
	"C1": "commercial", "CO": "consolidated omnibus budget reconciliation act (COBRA)",
	"CP": "Medicare conditionally primary", "D": "disability", "DB": "disability benefits",
	"EP": "exclusive provider organization", "FF": "family or friends", "GP": "group policy",
	"HM": "health maintenance organization (HMO)", "HN": "HMO - Medicare risk (Medicare Advantage)",
	"HS": "special low income Medicare beneficiary", "IN": "indemnity", "IP": "individual policy",
	"LC": "long term care", "LD": "long term policy", "LI": "life insurance", "LT": "litigation",
	"MA": "Medicare part A", "MB": "Medicare part B", "MC": "Medicaid", "MH": "Medigap part A",
	"MI": "Medigap part B", "MP": "Medicare primary", "OT": "other",
	"PE": "property insurance - personal",
	"PL": "personal", "PP": "personal payment (cash - no insurance)",
	"PR": "preferred provider organization (PPO)",
	"PS": "point of service (POS)", "QM": "qualified Medicare beneficiary",
	"RP": "property insurance - real",
	"SP": "supplemental policy", "TF": "tax equity fiscal responsibility act (TEFRA)",
	"WC": "workers compensation", "WU": "wrap up policy",
}

// timePeriodNames names EB06 values.
var timePeriodNames = map[string]string{
	"6": "hour", "7": "day", "13": "24 hours", "21": "years", "22": "service year",
	"23": "calendar year", "24": "year to date", "25": "contract", "26": "episode",
	"27": "visit", "28": "outlier", "29": "remaining", "30": "exceeded", "31": "not exceeded",
	"32": "lifetime", "33": "lifetime remaining", "34": "month", "35": "week", "36": "admission",
}

// dateQualifierNames names DTP01 values used in a 271.
var dateQualifierNames = map[string]string{
	"096": "discharge", "102": "issue", "152": "effective date of change", "193": "period start",
	"194": "period end", "198": "completion", "290": "coordination of benefits", "291": "plan",
	"292": "benefit", "295": "primary care provider", "304": "latest visit or consultation",
	"307": "eligibility", "318": "added", "340": "COBRA begin", "341": "COBRA end",
	"342": "premium paid to date begin", "343": "premium paid to date end", "346": "plan begin",
	"347": "plan end", "356": "eligibility begin", "357": "eligibility end", "382": "enrollment",
	"435": "admission", "442": "date of death", "458": "certification", "472": "service",
	"539": "policy effective", "540": "policy expiration", "636": "date of last update",
	"771": "status",
}

// coverageLevelNames names EB02 values.
var coverageLevelNames = map[string]string{
	"CHD": "children only", "DEP": "dependents only", "ECH": "employee and children",
	"EMP": "employee only", "ESP": "employee and spouse", "FAM": "family",
	"IND": "individual", "SPC": "spouse and children", "SPO": "spouse only", "TWO": "two party",
}

// networkNames names EB12 values.
var networkNames = map[string]string{
	"Y": "in network", "N": "out of network", "W": "not applicable", "U": "unknown",
}

// followUpNames names AAA04 values.
var followUpNames = map[string]string{
	"C": "please correct and resubmit", "N": "resubmission not allowed",
	"P": "please resubmit original transaction", "R": "resubmission allowed",
	"S": "do not resubmit; inquiry initiated to a third party",
	"W": "please wait 30 days and resubmit", "X": "please wait 10 days and resubmit",
	"Y": "do not resubmit; we will hand deliver or mail a response",
}

// Actor says who must act on a rejection.
type Actor string

// The parties a rejection can fall to.
const (
	ActorPayer      Actor = "payer"      // payer or trading-partner set-up; often retry later
	ActorProvider   Actor = "provider"   // the practice's enrolment data
	ActorSubscriber Actor = "subscriber" // the patient's demographics or coverage data
	ActorInquiry    Actor = "inquiry"    // the inquiry itself: codes asked for
)

// rejectReason explains an AAA03 value in plain language; actor overrides the
// loop's default party when the reason clearly belongs to another.
type rejectReason struct {
	text  string
	actor Actor
}

var rejectReasons = map[string]rejectReason{
	"04": {"The authorized quantity has been exceeded.", ActorInquiry},
	"15": {"Required information is missing from the inquiry.", ""},
	"33": {"The payer reports an input error in the inquiry.", ""},
	"35": {"The provider is out of the plan's network.", ActorProvider},
	"41": {"The payer restricts access: this submitter may not make such inquiries.",
		ActorPayer},
	"42": {"The payer's system cannot respond right now; try again later.", ActorPayer},
	"43": {"The provider identifier (NPI) is invalid or missing.", ActorProvider},
	"44": {"The provider name is invalid or missing.", ActorProvider},
	"45": {"The provider specialty is invalid or missing.", ActorProvider},
	"46": {"The provider phone number is invalid or missing.", ActorProvider},
	"47": {"The provider state is invalid or missing.", ActorProvider},
	"48": {"The referring provider identifier is invalid or missing.", ActorProvider},
	"49": {"The provider is not a primary care physician.", ActorProvider},
	"50": {"The provider is not eligible to make inquiries with this payer.", ActorProvider},
	"51": {"The payer has no record of this provider; check the practice's enrolment.",
		ActorProvider},
	"52": {"The service dates are not within the provider's plan enrolment.", ActorProvider},
	"53": {"The benefit asked for does not fit the provider's type.", ActorInquiry},
	"54": {"The product/service id qualifier is inappropriate.", ActorInquiry},
	"55": {"The procedure or service code asked for is inappropriate.", ActorInquiry},
	"56": {"The date of service or date range is inappropriate.", ActorSubscriber},
	"57": {"The date of service is invalid or missing.", ActorSubscriber},
	"58": {"The date of birth is invalid or missing.", ActorSubscriber},
	"60": {"The date of birth follows the date of service.", ActorSubscriber},
	"61": {"The date of death precedes the date of service.", ActorSubscriber},
	"62": {"The date of service is outside the period the payer answers for.", ActorSubscriber},
	"63": {"The date of service is in the future.", ActorSubscriber},
	"64": {"The patient id is invalid or missing.", ActorSubscriber},
	"65": {"The patient name is invalid or missing.", ActorSubscriber},
	"66": {"The patient sex is invalid or missing.", ActorSubscriber},
	"67": {"The patient was not found.", ActorSubscriber},
	"68": {"The patient id is a duplicate.", ActorSubscriber},
	"69": {"The inquiry does not fit the patient's age.", ActorInquiry},
	"70": {"The inquiry does not fit the patient's sex.", ActorInquiry},
	"71": {"The birth date does not match the payer's records for this member.", ActorSubscriber},
	"72": {"The member id is invalid or missing (some payers send this when they require the id).",
		ActorSubscriber},
	"73": {"The name does not match the payer's records for this member.", ActorSubscriber},
	"74": {"The sex does not match the payer's records for this member.", ActorSubscriber},
	"75": {"The payer cannot find this subscriber; it may be the wrong (e.g. regional) payer.",
		ActorSubscriber},
	"76": {"The member id matches more than one subscriber.", ActorSubscriber},
	"77": {"The subscriber was found, but not the patient (dependent).", ActorSubscriber},
	"78": {"The subscriber is not in the group or plan identified.", ActorSubscriber},
	"79": {"The payer does not recognise this trading partner (invalid participant id).",
		ActorPayer},
	"80": {"The payer did not respond.", ActorPayer},
	"97": {"The provider address is invalid.", ActorProvider},
	"AA": {"The authorization number was not found.", ActorInquiry},
	"AE": {"The service requires the primary care physician's authorization.", ActorProvider},
	"AF": {"The diagnosis code is invalid or missing.", ActorInquiry},
	"AG": {"The procedure code is invalid or missing.", ActorInquiry},
	"AO": {"Additional patient condition information is required.", ActorInquiry},
	"CI": {"The certification information does not match the patient.", ActorSubscriber},
	"E8": {"The service requires medical review.", ActorProvider},
	"IA": {"The authorization number format is invalid.", ActorInquiry},
	"MA": {"An authorization is missing.", ActorProvider},
	"T4": {"The payer name or identifier is missing.", ActorPayer},
}

// FollowUpCode returns the AAA04 code whose description is text, ignoring case
// and punctuation ("Please Correct and Resubmit" gives "C"), or "" if none is.
func FollowUpCode(text string) string {
	want := lettersOnly(text)
	for code, desc := range followUpNames {
		if lettersOnly(desc) == want {
			return code
		}
	}
	return ""
}

func lettersOnly(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
