package assets

import _ "embed"

// IntakeSchema is the published JSON Schema (draft 2020-12) of the intake
// format: the JSON a Code of Conduct report arrives as, for
// `casebook case new --from FILE.json` and the desktop form. docs/intake.md
// describes the format in words; package app validates against this
// schema and then checks what a schema cannot say.
//
//go:embed intake.schema.json
var IntakeSchema []byte

// ArchiveSchema is the published JSON Schema (draft 2020-12) of one record
// of the anonymized archive: a line of cases.jsonl. The archive export
// writes it beside the records as schema.json; docs/archive.md describes
// the format in words.
//
//go:embed archive.schema.json
var ArchiveSchema []byte
