package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"casebook/app"
	"casebook/assets"
)

// The archive's files, written into one directory whole or not at all.

// The names of the archive's files, in the order they are written.
const (
	FileRecords  = "cases.jsonl"
	FileCSV      = "cases.csv"
	FileSchema   = "schema.json"
	FileReport   = "summary.pdf"
	FileManifest = "manifest.json"
)

// ErrDirNotEmpty means the directory named for an archive already holds
// files; the archive is written only into a new or empty directory.
var ErrDirNotEmpty = errors.New("the directory is not empty")

// ErrNotDir means the path named for an archive is a file.
var ErrNotDir = errors.New("not a directory")

// archiveWriteFile writes each file; tests make it fail half-way.
var archiveWriteFile = WriteFile

// archivePerm is the mode of the archive's files: anonymized, but the
// committee's until it chooses to publish them.
const archivePerm = 0o600

// Manifest describes an archive: how it was made, by which rules, and
// what it counts. It holds no personal data.
type Manifest struct {
	Format         string `json:"format"`
	FormatVersion  int    `json:"format_version"`
	Program        string `json:"program"`
	ProgramVersion string `json:"program_version"`
	// Generated is the day the archive was made.
	Generated string `json:"generated"`
	// ReceivedFrom and ReceivedBefore bound the dates the archived cases
	// were received, as asked (empty: not bounded).
	ReceivedFrom   string `json:"received_from"`
	ReceivedBefore string `json:"received_before"`
	// K is the smallest group the transparency report shows.
	K int `json:"k"`
	// ArchiveIDs says whether the IDs are "random" or "seeded" (made
	// reproducible with --seed, for tests).
	ArchiveIDs string         `json:"archive_ids"`
	Counts     ManifestCounts `json:"counts"`
	Rules      []string       `json:"rules"`
	Files      []ManifestFile `json:"files"`
}

// ManifestCounts are the archive's totals.
type ManifestCounts struct {
	Cases           int `json:"cases"`
	Open            int `json:"open"`
	Closed          int `json:"closed"`
	WithSummary     int `json:"with_summary"`
	WithoutCategory int `json:"without_category"`
	// Expunged counts the expunged cases received in the period; they
	// have no records.
	Expunged int `json:"expunged"`
	// Removed counts what scrubbing took out of the summaries.
	Removed int `json:"removed_from_summaries"`
}

// ManifestFile is one file of the archive, to check it arrived whole.
type ManifestFile struct {
	Name   string `json:"name"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ArchiveRules are the rules every archive is made by, as its manifest
// states them.
var ArchiveRules = []string{
	"People are role pseudonyms within each case (Reporter A, Reported person B, Witness C); no names, handles, contacts, e-mail addresses, URLs, IP addresses or phone numbers.",
	"Each case has a fresh random archive ID, not its code name and not a sequence; every export draws new ones.",
	"Dates are a year and a quarter in the committee's time zone; durations are whole days, rounded down.",
	"Free text is left out, except the archive summary a member writes, scrubbed of every name, pseudonym, handle and contact known anywhere in the vault (in any case, with or without accents, possessive, split across lines, word by word) and of every e-mail address, URL, @handle, IP address and phone number.",
	"Evidence, links, attachments, correspondence, notes and votes are left out.",
	"Expunged cases appear only as counts.",
	"In the transparency report, every figure counts or rests on at least k cases; smaller groups are merged into wider ones or left out.",
}

func buildManifest(a *Archive, expunged []app.ExpungedCount, removed int, in ArchiveInput, opts ArchiveOptions) Manifest {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(time.DateOnly)
	}
	m := Manifest{
		Format: ArchiveFormat, FormatVersion: ArchiveFormatVersion, Program: Producer, ProgramVersion: opts.Program,
		Generated: day(opts.Generated), ReceivedFrom: day(in.From), ReceivedBefore: day(in.Until),
		K: opts.K, ArchiveIDs: "random", Rules: ArchiveRules,
	}
	if opts.Seed != nil {
		m.ArchiveIDs = "seeded"
	}
	c := &m.Counts
	c.Cases, c.Removed = len(a.Records), removed
	for _, r := range a.Records {
		if r.Status == "closed" {
			c.Closed++
		} else {
			c.Open++
		}
		if r.Summary != "" {
			c.WithSummary++
		}
		if r.Category == nil {
			c.WithoutCategory++
		}
	}
	for _, e := range expunged {
		c.Expunged += e.Cases
	}
	return m
}

// ArchiveFile is one file of an archive.
type ArchiveFile struct {
	Name string
	Data []byte
}

// Files lays the archive out as its files, in the order FileRecords,
// FileCSV, FileSchema, FileReport, FileManifest; the manifest lists the
// size and SHA-256 of the others.
func (a *Archive) Files(opts PDFOptions) ([]ArchiveFile, error) {
	var jl, cv, pdf bytes.Buffer
	if err := writeJSONL(&jl, a.Records); err != nil {
		return nil, err
	}
	if err := writeCSV(&cv, a.Records); err != nil {
		return nil, err
	}
	if err := WriteTransparencyReport(&pdf, a.Report, opts); err != nil {
		return nil, err
	}
	files := []ArchiveFile{{FileRecords, jl.Bytes()}, {FileCSV, cv.Bytes()}, {FileSchema, assets.ArchiveSchema}, {FileReport, pdf.Bytes()}}
	m := a.Manifest
	m.Files = nil
	for _, f := range files {
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, ManifestFile{Name: f.Name, Bytes: len(f.Data), SHA256: hex.EncodeToString(sum[:])})
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(files, ArchiveFile{FileManifest, append(mb, '\n')}), nil
}

func writeJSONL(w io.Writer, recs []ArchiveRecord) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range recs {
		if err := enc.Encode(&recs[i]); err != nil {
			return err
		}
	}
	return nil
}

// CSVColumns are the columns of cases.csv: the fields of a record, with
// the parties as one list and counted by role.
var CSVColumns = []string{"archive_id", "year", "quarter", "channel", "category", "reporter", "parties",
	"reporters", "reported_people", "witnesses", "other_people", "urgent", "record_only", "status", "stage",
	"outcome", "action", "appealed", "days_to_acknowledge", "days_to_resolve", "days_to_close", "summary"}

func writeCSV(w io.Writer, recs []ArchiveRecord) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	days := func(d *int) string {
		if d == nil {
			return ""
		}
		return strconv.Itoa(*d)
	}
	for _, r := range recs {
		var names []string
		roles := map[string]int{}
		for _, p := range r.Parties {
			names = append(names, p.Pseudonym)
			roles[string(p.Role)]++
		}
		cat, out := "", ""
		if r.Category != nil {
			cat = string(*r.Category)
		}
		if r.Outcome != nil {
			out = string(*r.Outcome)
		}
		row := []string{r.ArchiveID, strconv.Itoa(r.Year), strconv.Itoa(r.Quarter), string(r.Channel), cat,
			string(r.Reporter), strings.Join(names, "; "), strconv.Itoa(roles["reporter"]), strconv.Itoa(roles["reported"]),
			strconv.Itoa(roles["witness"]), strconv.Itoa(roles["other"]), strconv.FormatBool(r.Urgent),
			strconv.FormatBool(r.RecordOnly), r.Status, string(r.Stage), out, r.Action, strconv.FormatBool(r.Appealed),
			days(r.DaysToAcknowledge), days(r.DaysToResolve), days(r.DaysToClose), spreadsheetSafe(r.Summary)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// spreadsheetSafe keeps a spreadsheet from taking text for a formula: a
// text starting with =, +, -, @ or a control character gets a leading
// apostrophe.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CheckArchiveDir reports whether an archive could be written into dir:
// an error matching ErrNotDir or ErrDirNotEmpty, or one from the file
// system, when it could not.
func CheckArchiveDir(dir string) error {
	_, err := checkArchiveDir(filepath.Clean(dir))
	return err
}

// checkArchiveDir also says whether dir exists (empty).
func checkArchiveDir(dir string) (existed bool, err error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case !fi.IsDir():
		return false, fmt.Errorf("%s: %w", dir, ErrNotDir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	if len(ents) > 0 {
		return false, fmt.Errorf("%s: %w", dir, ErrDirNotEmpty)
	}
	return true, nil
}

// WriteArchive writes the archive's files into dir, which must not exist
// or be empty; the directory is created. It is written whole or not at
// all: the files go to a new directory beside dir, each synced, which
// then takes dir's place. On any error nothing is left behind and dir is
// as it was.
func WriteArchive(dir string, a *Archive, opts PDFOptions) (err error) {
	dir = filepath.Clean(dir)
	existed, err := checkArchiveDir(dir)
	if err != nil {
		return err
	}
	files, err := a.Files(opts)
	if err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-*")
	if err != nil {
		return diskError(err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(staging)
		}
	}()
	if fi, err := os.Stat(staging); err == nil {
		removeStalePartials(parent, fi.ModTime())
	}
	for _, f := range files {
		data := f.Data
		if err := archiveWriteFile(filepath.Join(staging, f.Name), archivePerm, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		}); err != nil {
			return err
		}
	}
	if existed {
		if err := os.Remove(dir); err != nil {
			return fmt.Errorf("%s: %w", dir, ErrDirNotEmpty)
		}
	}
	if err := os.Rename(staging, dir); err != nil {
		if existed {
			os.Mkdir(dir, 0o700) // put the empty directory back
		}
		return diskError(err)
	}
	if d, err := os.Open(parent); err == nil {
		d.Sync() // best effort: the files are complete either way
		d.Close()
	}
	return nil
}
