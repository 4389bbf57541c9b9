-- The schema of the whole domain. Columns ending _enc hold AEAD ciphertext bound to
-- (table, column, row id); columns ending _bidx hold keyed blind indexes. No PHI is
-- stored in plain text. Every mutable row carries version.

CREATE TABLE territories (
    id           TEXT PRIMARY KEY,
    parent_id    TEXT REFERENCES territories(id),
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    states       TEXT NOT NULL DEFAULT '',
    zip_prefixes TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX territories_parent ON territories (parent_id);

-- kind: operator, practice, distributor, master_distributor, fulfilment
CREATE TABLE organizations (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    parent_id    TEXT REFERENCES organizations(id),
    territory_id TEXT REFERENCES territories(id),
    npi          TEXT NOT NULL DEFAULT '',
    tin          TEXT NOT NULL DEFAULT '',
    is_demo      BOOLEAN NOT NULL DEFAULT FALSE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    CHECK (kind <> 'practice' OR territory_id IS NOT NULL)
);
CREATE INDEX organizations_territory ON organizations (territory_id);

CREATE TABLE facilities (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    name            TEXT NOT NULL,
    npi             TEXT NOT NULL,
    tin             TEXT NOT NULL DEFAULT '',
    ptan            TEXT NOT NULL DEFAULT '',
    line1           TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT '',
    zip             TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX facilities_org ON facilities (organization_id);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL,
    organization_id     TEXT NOT NULL REFERENCES organizations(id),
    npi                 TEXT NOT NULL DEFAULT '',
    password_hash       TEXT NOT NULL DEFAULT '',
    password_changed_at TIMESTAMP NOT NULL,
    mfa_secret_enc      BLOB,
    mfa_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_last_step       BIGINT NOT NULL DEFAULT 0,
    email_notifications BOOLEAN NOT NULL DEFAULT TRUE,
    is_service          BOOLEAN NOT NULL DEFAULT FALSE,
    is_demo             BOOLEAN NOT NULL DEFAULT FALSE,
    disabled_at         TIMESTAMP,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users (organization_id);

CREATE TABLE user_territories (
    user_id      TEXT NOT NULL REFERENCES users(id),
    territory_id TEXT NOT NULL REFERENCES territories(id),
    PRIMARY KEY (user_id, territory_id)
);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash BLOB NOT NULL,
    used_at   TIMESTAMP,
    PRIMARY KEY (user_id, code_hash)
);

-- kind: web, api (bearer after login), mfa (challenge between password and code)
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    mfa_at       TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

CREATE TABLE break_glass_grants (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    patient_id TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX break_glass_user ON break_glass_grants (user_id, expires_at);

CREATE TABLE payers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    plan_types TEXT NOT NULL DEFAULT '',
    mac        TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- The payer's id at each clearinghouse.
CREATE TABLE payer_ids (
    payer_id      TEXT NOT NULL REFERENCES payers(id),
    clearinghouse TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    PRIMARY KEY (payer_id, clearinghouse)
);

CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    manufacturer TEXT NOT NULL,
    hcpcs        TEXT NOT NULL,
    fda_category TEXT NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE product_sizes (
    product_id TEXT NOT NULL REFERENCES products(id),
    label      TEXT NOT NULL,
    area_cm2   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (product_id, label)
);

CREATE TABLE patients (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    practice_id     TEXT NOT NULL REFERENCES organizations(id),
    initials_enc    BLOB NOT NULL,
    first_name_enc  BLOB NOT NULL,
    middle_name_enc BLOB NOT NULL,
    last_name_enc   BLOB NOT NULL,
    birth_date_enc  BLOB NOT NULL,
    sex_enc         BLOB NOT NULL,
    mrn_enc         BLOB NOT NULL,
    phone_enc       BLOB NOT NULL,
    email_enc       BLOB NOT NULL,
    address_enc     BLOB NOT NULL,
    flags_enc       BLOB NOT NULL,
    name_dob_bidx   BLOB NOT NULL,
    last_dob_bidx   BLOB NOT NULL,
    mrn_bidx        BLOB,
    version         INTEGER NOT NULL DEFAULT 1,
    created_by      TEXT NOT NULL REFERENCES users(id),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX patients_practice ON patients (practice_id, created_at, id);
CREATE INDEX patients_name_dob ON patients (name_dob_bidx);
CREATE INDEX patients_last_dob ON patients (last_dob_bidx);
CREATE INDEX patients_mrn ON patients (mrn_bidx);

CREATE TABLE coverages (
    id             TEXT PRIMARY KEY,
    patient_id     TEXT NOT NULL REFERENCES patients(id),
    rank           INTEGER NOT NULL,
    payer_id       TEXT NOT NULL REFERENCES payers(id),
    plan_type      TEXT NOT NULL,
    member_id_enc  BLOB NOT NULL,
    member_bidx    BLOB NOT NULL,
    group_enc      BLOB NOT NULL,
    relationship   TEXT NOT NULL,
    subscriber_enc BLOB NOT NULL,
    effective_date TEXT NOT NULL DEFAULT '',
    end_date       TEXT NOT NULL DEFAULT '',
    UNIQUE (patient_id, rank)
);
CREATE INDEX coverages_member ON coverages (member_bidx);
CREATE INDEX coverages_payer ON coverages (payer_id);

CREATE TABLE ivrs (
    id                   TEXT PRIMARY KEY,
    reference            TEXT NOT NULL UNIQUE,
    practice_id          TEXT NOT NULL REFERENCES organizations(id),
    patient_id           TEXT NOT NULL REFERENCES patients(id),
    facility_id          TEXT NOT NULL REFERENCES facilities(id),
    physician_id         TEXT REFERENCES users(id),
    status               TEXT NOT NULL,
    request_type         TEXT NOT NULL,
    renews_ivr_id        TEXT REFERENCES ivrs(id),
    place_of_service     TEXT NOT NULL,
    primary_payer_id     TEXT REFERENCES payers(id),
    clinical_enc         BLOB NOT NULL,
    applications         INTEGER NOT NULL,
    frequency            TEXT NOT NULL,
    start_date           TEXT NOT NULL,
    priority             INTEGER NOT NULL DEFAULT 0,
    assigned_to          TEXT REFERENCES users(id),
    escalated            BOOLEAN NOT NULL DEFAULT FALSE,
    escalation_enc       BLOB,
    valid_until          TEXT,
    denial_code          TEXT NOT NULL DEFAULT '',
    decision_enc         BLOB,
    eligibility_status   TEXT NOT NULL DEFAULT 'not_checked',
    submitted_at         TIMESTAMP,
    decided_at           TIMESTAMP,
    version              INTEGER NOT NULL DEFAULT 1,
    created_by           TEXT NOT NULL REFERENCES users(id),
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX ivrs_practice ON ivrs (practice_id, created_at, id);
CREATE INDEX ivrs_status ON ivrs (status, priority, submitted_at, id);
CREATE INDEX ivrs_patient ON ivrs (patient_id);
CREATE INDEX ivrs_valid_until ON ivrs (status, valid_until);

CREATE TABLE ivr_products (
    ivr_id     TEXT NOT NULL REFERENCES ivrs(id),
    line       INTEGER NOT NULL,
    product_id TEXT NOT NULL REFERENCES products(id),
    size       TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (ivr_id, line)
);
CREATE INDEX ivr_products_product ON ivr_products (product_id);

CREATE TABLE ivr_status_history (
    id          TEXT PRIMARY KEY,
    ivr_id      TEXT NOT NULL REFERENCES ivrs(id),
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    reason_enc  BLOB,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX ivr_history_ivr ON ivr_status_history (ivr_id, at);

CREATE TABLE ivr_messages (
    id         TEXT PRIMARY KEY,
    ivr_id     TEXT NOT NULL REFERENCES ivrs(id),
    author_id  TEXT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    body_enc   BLOB NOT NULL,
    due_date   TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ivr_messages_ivr ON ivr_messages (ivr_id, created_at);

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    ivr_id       TEXT NOT NULL REFERENCES ivrs(id),
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    blob_key     TEXT NOT NULL,
    filename_enc BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL REFERENCES users(id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX documents_ivr ON documents (ivr_id);

-- One row per coverage rank of an approval; the benefit record is PHI.
CREATE TABLE ivr_benefits (
    ivr_id        TEXT NOT NULL REFERENCES ivrs(id),
    coverage_rank INTEGER NOT NULL,
    benefits_enc  BLOB NOT NULL,
    verified_by   TEXT NOT NULL REFERENCES users(id),
    verified_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (ivr_id, coverage_rank)
);

CREATE TABLE eligibility_checks (
    id            TEXT PRIMARY KEY,
    ivr_id        TEXT NOT NULL REFERENCES ivrs(id),
    coverage_rank INTEGER NOT NULL,
    status        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    summary_enc   BLOB,
    raw270_enc    BLOB,
    raw271_enc    BLOB,
    next_try_at   TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    completed_at  TIMESTAMP
);
CREATE INDEX eligibility_ivr ON eligibility_checks (ivr_id, created_at);
CREATE INDEX eligibility_due ON eligibility_checks (status, next_try_at);

CREATE TABLE orders (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    ivr_id            TEXT NOT NULL REFERENCES ivrs(id),
    practice_id       TEXT NOT NULL REFERENCES organizations(id),
    facility_id       TEXT NOT NULL REFERENCES facilities(id),
    status            TEXT NOT NULL,
    carrier           TEXT NOT NULL DEFAULT '',
    tracking_number   TEXT NOT NULL DEFAULT '',
    expected_delivery TEXT,
    shipped_at        TIMESTAMP,
    delivered_at      TIMESTAMP,
    delivery_condition TEXT NOT NULL DEFAULT '',
    note_enc          BLOB,
    cancel_reason_enc BLOB,
    version           INTEGER NOT NULL DEFAULT 1,
    placed_by         TEXT NOT NULL REFERENCES users(id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX orders_practice ON orders (practice_id, created_at, id);
CREATE INDEX orders_ivr ON orders (ivr_id);
CREATE INDEX orders_status ON orders (status, expected_delivery);

CREATE TABLE order_items (
    order_id   TEXT NOT NULL REFERENCES orders(id),
    line       INTEGER NOT NULL,
    product_id TEXT NOT NULL REFERENCES products(id),
    size       TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (order_id, line)
);

CREATE TABLE order_status_history (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders(id),
    action      TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX order_history_order ON order_status_history (order_id, at);

-- Append-only. seq is assigned under the chain lock; hash covers the canonical
-- encoding of the entry and prev_hash. No PHI values: ids and field names only.
CREATE TABLE audit_entries (
    seq           BIGINT PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    at            TIMESTAMP NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    session_id    TEXT NOT NULL,
    ip            TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    action        TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    patient_id    TEXT NOT NULL,
    fields        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    reason        TEXT NOT NULL,
    severity      TEXT NOT NULL,
    prev_hash     BLOB NOT NULL,
    hash          BLOB NOT NULL
);
CREATE INDEX audit_patient ON audit_entries (patient_id, seq);
CREATE INDEX audit_actor ON audit_entries (actor_id, seq);
CREATE INDEX audit_at ON audit_entries (at);

-- The head of the chain; one row, locked by every append.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash BLOB NOT NULL
);

CREATE TABLE audit_checkpoints (
    seq        BIGINT PRIMARY KEY,
    hash       BLOB NOT NULL,
    at         TIMESTAMP NOT NULL,
    key_id     TEXT NOT NULL,
    signature  BLOB NOT NULL
);

-- Events written in the transaction of the change; the relay publishes them in id
-- order. practice_id and territory_id let the bus filter by scope without a lookup.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    type          TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    practice_id   TEXT NOT NULL,
    patient_id    TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,
    at            TIMESTAMP NOT NULL,
    published_at  TIMESTAMP
);
CREATE INDEX outbox_unpublished ON outbox (published_at, id);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    event_id   BIGINT NOT NULL,
    type       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP,
    emailed_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

CREATE TABLE idempotency_keys (
    user_id    TEXT NOT NULL,
    idem_key   TEXT NOT NULL,
    method     TEXT NOT NULL,
    path       TEXT NOT NULL,
    body_hash  BLOB NOT NULL,
    status     INTEGER NOT NULL,
    response_enc BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
