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
