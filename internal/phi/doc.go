// Package phi protects protected health information: PHI value types that never
// print, envelope encryption of database fields, keyed blind indexes for search,
// and streaming encryption of documents, all built on Tink.
//
// # Key hierarchy
//
//	master key (KEK)       AWS KMS key, Vault transit key, or in development a
//	                       Tink keyset file <data dir>/phi-master-key.json (0600)
//	  └─ wrapped keysets   <data dir>/keys/field-aead.json         AES-256-GCM
//	                       <data dir>/keys/blind-index-prf.json    HMAC-SHA256 PRF
//	                       <data dir>/keys/document-streaming.json AES-256-GCM-HKDF 1 MiB
//	       └─ ciphertexts  field values in the database, documents in the blob store
//
// The master key never leaves the KMS; it only wraps (encrypts) the three keysets,
// each with its own associated data so one file cannot stand in for another.
// [Open] unwraps them once and keeps the data keys in memory: encrypting or
// decrypting a field costs no KMS call. [Keyring.Rotate] and a [Keyring.Reload]
// that finds a changed file are the only other times the master key is used.
//
// # Associated data
//
// A field ciphertext is bound to its [FieldID] (table, column, row id), encoded
// with a version tag and a length prefix per part. Copying a ciphertext into
// another row or column makes it fail to decrypt with [ErrDecrypt]. A document
// stream is bound to the aad its caller gives (the blob key).
//
// # Rotation
//
// Rotate adds a new primary key and keeps the old ones, so every existing
// ciphertext still decrypts. [Keyring.NeedsReencrypt] and [Keyring.Reencrypt]
// let the store move rows to the new key in batches while serving traffic.
// Other processes learn of the rotation by themselves: Decrypt reloads the
// keysets from disk when it meets a key id it does not know, and DecryptStream
// checks the document keyset file before each document. A process that only
// encrypts keeps using the old primary (still valid) until it reloads; call
// Reload periodically or after `ivr keys rotate` to switch sooner. Run one
// rotation at a time: two processes rotating at the same instant may each save
// a keyset without the other's new key.
//
// # Blind indexes and normalisation
//
// Searchable values are indexed with a keyed PRF, never stored in clear. Names go
// through [NormalizeName] (NFKD, accents removed, lower case, apostrophes,
// periods and hyphens deleted, other separators collapsed to one space);
// identifiers through [NormalizeID] (NFKC, upper case, spaces and dashes
// removed). Each index has a kind (KindNameDOB...) that separates its domain.
// The blind-index key does not rotate with the field keys; see [Keyring.BlindIndex].
package phi
