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
package eligibility
