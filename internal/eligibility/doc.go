// Package eligibility checks a patient's coverage with a payer: it sends an
// Inquiry through a Clearinghouse (raw X12 over HTTPS, the common JSON
// eligibility shape, or the built-in payer Simulator) and returns a Result holding
// the normalised x12.Response271 summary and the raw request and response bytes.
//
// A Checker adds retries with back-off and per-attempt timeouts. The FHIR R4
// mapping turns a CoverageEligibilityRequest into an Inquiry and a Result into a
// CoverageEligibilityResponse. RunCLI is the entry point of the command line.
//
// Inquiries and results hold protected health information; their String, Format
// and LogValue redact it, and error messages never carry it.
//
// # Simulator scenarios
//
// The Simulator answers by the last two characters of the subscriber's member id
// (a Medicare Beneficiary Identifier always ends in two digits). Rejections use
// their AAA reason code as the suffix:
//
//	10 active Medicare A and B; Part B deductible (left varies by id), 20% coinsurance
//	20 active PPO: individual and family deductible and out-of-pocket, copay, coinsurance
//	30 active HMO; surgical services and any asked procedure need prior authorization
//	40 Medicare Part A and B plus a Medicare Advantage plan (EB*R with loop 2120C)
//	50 inactive: coverage ended the year before the date of service
//	42 AAA 42 in 2100A, payer cannot respond now
//	43 AAA 43 in 2100B, provider id invalid
//	51 AAA 51 in 2100B, provider not on file
//	71 AAA 71 in 2100C (2100D with a dependent), birth date mismatch
//	72 AAA 72 in 2100C, member id invalid
//	73 AAA 73 in 2100C (2100D with a dependent), name mismatch
//	75 AAA 75 in 2100C, subscriber not found
//
// Any other suffix plays scenario 10. SimulatorScenarioFor returns the scenario of
// a member id, SimulatorMemberID(s, n) the n-th MBI-shaped id that selects s, and
// SimulatorScenarios the table itself, for a demo seeder that wants every case.
package eligibility
