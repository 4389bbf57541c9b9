// Package domain holds the platform's types, validation rules, state machines and
// access policy. It performs no I/O: it knows nothing of SQL, HTTP or key management,
// so every rule here can be tested as a pure function.
package domain
