// Package x12 reads and writes ASC X12 interchanges and implements the
// 005010X279A1 eligibility transactions: it builds 270 inquiries and turns 271
// responses into a normalised summary.
//
// The codec takes every delimiter from the ISA header, so interchanges using `|`,
// `!`, a line break or any other legal separator read the same as the usual `*`,
// `^`, `:` and `~`. Errors name the segment position (index and byte offset) and the
// reason, never element values, since eligibility data is protected health
// information. Types that hold such data redact themselves when formatted or logged.
package x12
