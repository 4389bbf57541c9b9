// Package auth holds the platform's authentication primitives: password hashing and
// policy, TOTP second factors, recovery codes, opaque session and API tokens, session
// lifetime rules, login throttling and the short-lived challenge between password and
// TOTP. It performs no storage and no HTTP: callers persist the hashes and timestamps it
// returns and pass them back in. Every time-based rule takes "now" (or a clock) as an
// argument so it can be tested with fixed times.
//
// Nothing in this package logs. Secrets it hands out (tokens, TOTP secrets and URIs,
// recovery codes) must not be logged by callers either; the Secret type redacts itself
// for that reason.
package auth
