// Package importer brings a partnership's people and its existing caseload in from a spreadsheet (CSV or
// XLSX) or another case system's export. A file is always checked whole first: the report names every row
// that would be refused, by row, column and message, and says nothing of what the cells hold. Only a file
// with no problem is written: people in one transaction, cases one transaction each, every record through
// the same checks and workflow rules as one typed in, audited as done by the administrator and naming the
// import. A file imported once is refused the second time.
package importer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Service checks and runs imports.
type Service struct {
	db          *database.DB
	partnership *partnership.Service
	casework    *casework.Service
	now         func() time.Time
	running     sync.WaitGroup
	// stopping ends the imports running in the background when the process stops.
	stopping context.Context
	stop     context.CancelFunc
}

// Deps are what the Service needs.
type Deps struct {
	DB          *database.DB
	Partnership *partnership.Service
	Casework    *casework.Service
	Now         func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Service{db: d.DB, partnership: d.Partnership, casework: d.Casework, now: func() time.Time { return d.Now().UTC() }}
	s.stopping, s.stop = context.WithCancel(context.Background())
	return s
}

// MaxFileSize is the largest file an import takes: 20 MiB, some 50,000 rows of cases.
const MaxFileSize = 20 << 20

// Problem is one reason a file cannot be imported: the spreadsheet row (1 is the headings, 0 the file as a
// whole), the column and what to do about it. It never quotes the cell.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// Report is what checking or running an import found.
type Report struct {
	Kind   Kind   `json:"kind"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	// Rows is the number of data rows (blank rows are not counted).
	Rows     int       `json:"rows"`
	Problems []Problem `json:"problems"`
	// ImportID is the import's number once it ran; Written how many records it wrote; Skipped how many
	// cases an earlier, interrupted run of the same file had already written.
	ImportID prevent.ID `json:"import_id,omitempty"`
	Written  int        `json:"written"`
	Skipped  int        `json:"skipped,omitempty"`
	// PossibleRepeats counts the cases for which earlier referrals of the same person were found: each is
	// suggested to the triaging officer on the case, and nothing is merged.
	PossibleRepeats int `json:"possible_repeats"`
}

// OK reports whether the file has no problem.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// WriteCSV writes the problems as CSV (row, column, message), for the administrator to work through.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"row", "column", "message"}); err != nil {
		return err
	}
	for _, p := range r.Problems {
		if err := cw.Write([]string{strconv.Itoa(p.Row), p.Column, p.Message}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Statuses are an import's statuses: a check kept from the pages, a run under way, finished, or stopped
// part-way (it can be run again).
var Statuses = []string{"checked", "running", "done", "failed"}

// Import is one run of a file, as the administrator's pages list it.
type Import struct {
	ID         prevent.ID
	Kind       Kind
	File       string
	SHA256     string
	Rows       int
	Written    int
	Status     string // checked, running, done or failed
	ActorName  string
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

func (s *Service) allow(p prevent.Principal, partnershipID prevent.ID) error {
	if d := access.Decide(p, access.ImportRun, access.Resource{Kind: "import", PartnershipID: partnershipID}, s.now()); !d.Allow {
		return access.NotFound("Partnership")
	}
	return nil
}

// fileName keeps the base name of an upload, short and printable.
func fileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len(name) > 100 {
		name = name[:100]
	}
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	return name
}

// plan is a checked file, ready to write.
type plan struct {
	report  Report
	people  []partnership.ImportedPerson
	cases   []casework.ImportedCase
	sources []string
	numbers []int
	// done are the rows an earlier interrupted run of the same file wrote.
	done    map[int]bool
	lookups *casework.ImportLookups
}

// Check checks a file as a whole and writes nothing.
func (s *Service) Check(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, kind Kind, name string, data []byte) (Report, error) {
	pl, err := s.check(ctx, p, partnershipID, kind, name, data)
	return pl.report, err
}

func (s *Service) check(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, kind Kind, name string, data []byte) (plan, error) {
	var pl plan
	if err := s.allow(p, partnershipID); err != nil {
		return pl, err
	}
	if !kind.Valid() {
		return pl, prevent.Errorf(prevent.Invalid, "Choose what the file holds: people or cases")
	}
	sum := sha256.Sum256(data)
	r := &pl.report
	r.Kind, r.File, r.SHA256, r.Problems = kind, fileName(name), hex.EncodeToString(sum[:]), []Problem{}
	q := s.db.Read()
	var earlier prevent.ID
	var status string
	var started time.Time
	err := q.QueryRowContext(ctx, `SELECT id, status, started_at FROM imports WHERE partnership_id = $1 AND kind = $2 AND sha256 = $3
		AND (status = 'done' OR (status = 'running' AND updated_at >= $4)) ORDER BY id LIMIT 1`,
		partnershipID, string(kind), r.SHA256, s.now().Add(-Stalled)).Scan(&earlier, &status, &started)
	switch {
	case err == nil:
		msg := fmt.Sprintf("This file was already imported (import %d, on %s): it is not imported twice", earlier, started.UTC().Format("2 January 2006"))
		if status == "running" {
			msg = fmt.Sprintf("This file is being imported now (import %d): it is not imported twice", earlier)
		}
		r.Problems = append(r.Problems, Problem{Row: 0, Message: msg})
		return pl, nil
	case !errors.Is(err, sql.ErrNoRows):
		return pl, fmt.Errorf("importer: earlier imports: %w", err)
	}
	if len(data) > MaxFileSize {
		r.Problems = append(r.Problems, Problem{Row: 0, Message: "The file must be 20 MB or smaller: split it into smaller files"})
		return pl, nil
	}
	t, problems, err := readTable(name, data)
	if err != nil {
		if prevent.ErrorKind(err) == prevent.Invalid {
			r.Problems = append(r.Problems, Problem{Row: 0, Message: prevent.PublicMessage(err)})
			return pl, nil
		}
		return pl, err
	}
	r.Problems = append(r.Problems, problems...)
	r.Rows = len(t.rows)
	cols := Columns(kind)
	for _, h := range t.header {
		if h != "" && !slices.ContainsFunc(cols, func(c Column) bool { return c.Name == h }) {
			r.Problems = append(r.Problems, Problem{Row: 1, Column: h, Message: "This is not a column of the " + string(kind) + " template: rename or remove it"})
		}
	}
	for _, c := range cols {
		if c.Required && !slices.Contains(t.header, c.Name) {
			r.Problems = append(r.Problems, Problem{Row: 1, Column: c.Name, Message: "The file has no column " + c.Name + ", which every row needs"})
		}
	}
	if r.Rows == 0 {
		r.Problems = append(r.Problems, Problem{Row: 0, Message: "The file has no rows to import below its headings"})
	}
	if !r.OK() {
		return pl, nil
	}
	pl.numbers = t.numbers
	if kind == People {
		err = s.checkPeople(ctx, p, partnershipID, t, &pl)
	} else {
		err = s.checkCases(ctx, p, partnershipID, t, &pl)
	}
	slices.SortStableFunc(r.Problems, func(a, b Problem) int { return a.Row - b.Row })
	return pl, err
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (s *Service) checkPeople(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, t table, pl *plan) error {
	for _, row := range t.rows {
		pl.people = append(pl.people, partnership.ImportedPerson{
			Organisation: partnership.OrganisationInput{Name: row["organisation"], Sector: row["sector"], PublicBody: strings.ToLower(row["public_body"])},
			Person: partnership.PersonInput{Name: row["name"], Email: row["email"], JobTitle: row["job_title"],
				Roles: splitList(row["roles"])},
		})
	}
	problems, err := s.partnership.CheckPeople(ctx, p, partnershipID, pl.people)
	if err != nil {
		return err
	}
	for i := range pl.people {
		for _, fe := range problems[i] {
			msg := fe.Message
			if fe.Field == "email" && strings.HasPrefix(msg, "This email address is also on row ") {
				j, _ := strconv.Atoi(strings.TrimPrefix(msg, "This email address is also on row "))
				msg = fmt.Sprintf("This email address is also on row %d", t.numbers[j])
			}
			pl.report.Problems = append(pl.report.Problems, Problem{Row: t.numbers[i], Column: columnOf(People, fe.Field), Message: msg})
		}
	}
	return nil
}

// parseDate reads a date as a person or a spreadsheet writes it: 2024-03-01, 01/03/2024, 1/3/2024, or a
// spreadsheet's day number.
func parseDate(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "02-01-2006", "2 January 2006", "2 Jan 2006"} {
		if d, err := time.Parse(layout, v); err == nil {
			return d, true
		}
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 1 && n < 200000 {
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n)), true
	}
	return time.Time{}, false
}

func (s *Service) checkCases(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, t table, pl *plan) error {
	l, err := s.casework.Lookups(ctx, p, partnershipID)
	if err != nil {
		return err
	}
	pl.lookups = l
	q := s.db.Read()
	emails := map[string]prevent.ID{}
	orgs := map[string]prevent.ID{}
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT pe.id, lower(pe.email) FROM people pe JOIN memberships m ON m.person_id = pe.id
		WHERE m.partnership_id = $1`, partnershipID)
	if err != nil {
		return fmt.Errorf("importer: people: %w", err)
	}
	for rows.Next() {
		var id prevent.ID
		var e string
		if err := rows.Scan(&id, &e); err != nil {
			rows.Close()
			return err
		}
		emails[e] = id
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT o.id, lower(o.name) FROM partnership_organisations po JOIN organisations o ON o.id = po.organisation_id
		WHERE po.partnership_id = $1`, partnershipID)
	if err != nil {
		return fmt.Errorf("importer: organisations: %w", err)
	}
	for rows.Next() {
		var id prevent.ID
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return err
		}
		orgs[n] = id
	}
	if err := rows.Close(); err != nil {
		return err
	}
	// Cases already brought in: by another file (a problem), or by an interrupted run of this one (skipped).
	imported := map[string]string{}
	rows, err = q.QueryContext(ctx, `SELECT ic.source_reference, i.id, i.sha256,
		CASE WHEN i.status = 'running' AND i.updated_at < $2 THEN 'failed' ELSE i.status END
		FROM imported_cases ic JOIN imports i ON i.id = ic.import_id WHERE ic.partnership_id = $1`, partnershipID, s.now().Add(-Stalled))
	if err != nil {
		return fmt.Errorf("importer: imported cases: %w", err)
	}
	for rows.Next() {
		var ref, sha, status string
		var id prevent.ID
		if err := rows.Scan(&ref, &id, &sha, &status); err != nil {
			rows.Close()
			return err
		}
		if sha == pl.report.SHA256 && status == "failed" {
			imported[strings.ToLower(ref)] = ""
		} else {
			imported[strings.ToLower(ref)] = fmt.Sprintf("import %d", id)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	pl.done = map[int]bool{}
	now := s.now()
	seen := map[string]int{}
	for i, row := range t.rows {
		n := t.numbers[i]
		add := func(col, msg string) {
			pl.report.Problems = append(pl.report.Problems, Problem{Row: n, Column: col, Message: msg})
		}
		src := row["source_reference"]
		switch {
		case src == "":
			add("source_reference", "Enter the case's reference in the system it comes from")
		case len(src) > 100:
			add("source_reference", "The reference must be 100 characters or fewer")
		default:
			key := strings.ToLower(src)
			if j, dup := seen[key]; dup {
				add("source_reference", fmt.Sprintf("This reference is also on row %d", j))
			} else if by, ok := imported[key]; ok {
				if by == "" {
					pl.done[i] = true
				} else {
					add("source_reference", "A case with this reference was already imported ("+by+"): it is not imported twice")
				}
			}
			seen[key] = n
		}
		date := func(col string) time.Time {
			v := row[col]
			if v == "" {
				return time.Time{}
			}
			d, ok := parseDate(v)
			if !ok {
				add(col, "Enter a real date, like 2024-03-27 or 27/03/2024")
			}
			return d
		}
		person := func(col string) prevent.ID {
			v := strings.ToLower(row[col])
			if v == "" {
				return 0
			}
			id, ok := emails[v]
			if !ok {
				add(col, "No member of the partnership has this email address")
				return -1
			}
			return id
		}
		in := casework.ImportedCase{
			Referral: casework.ReferralInput{
				Person: casework.PersonDetails{GivenNames: row["given_names"], FamilyName: row["family_name"], Aliases: splitList(row["aliases"]),
					AddressLine1: row["address_line1"], AddressLine2: row["address_line2"], Town: row["town"], Postcode: row["postcode"],
					LocalAuthority: row["local_authority"], Setting: row["setting"], Languages: splitList(row["languages"]),
					AdditionalNeeds: row["additional_needs"], OtherAgencies: row["other_agencies"]},
				Concern: casework.Concern{WhatHappened: row["what_happened"], HowFound: row["how_found"], WordsUsed: row["words_used"],
					OnlineActivity: row["online_activity"], Contacts: row["contacts"], Fears: row["fears"], Types: splitList(row["types"])},
				PersonKnows: casework.Knowledge(strings.ToLower(row["person_knows"])),
				ParentKnows: casework.Knowledge(strings.ToLower(row["parent_knows"])),
			},
			ReferredOn:        date("referred_on"),
			Stage:             casework.State(strings.ToLower(row["stage"])),
			TriagedOn:         date("triaged_on"),
			Deconfliction:     casework.DeconflictionResult(strings.ToLower(row["deconfliction"])),
			Reason:            row["reason"],
			Service:           row["service"],
			ReasonableGrounds: row["reasonable_grounds"],
			Rationale:         row["rationale"],
		}
		in.Referral.Person.DateOfBirth = date("date_of_birth")
		if v := row["approximate_age"]; v != "" {
			age, err := strconv.Atoi(v)
			if err != nil {
				add("approximate_age", "Enter the approximate age as a whole number of years")
			}
			in.Referral.Person.ApproximateAge = age
		}
		if v := row["referrer_organisation"]; v != "" {
			if id, ok := orgs[strings.ToLower(v)]; ok {
				in.ReferrerOrgID = id
			}
		}
		in.ReferrerID, in.TriagedBy, in.CaseOfficerID = person("referrer_email"), person("triaged_by"), person("case_officer")
		known := func(id prevent.ID) prevent.ID {
			if id < 0 {
				return 0
			}
			return id
		}
		check := in
		check.ReferrerID, check.TriagedBy, check.CaseOfficerID = known(in.ReferrerID), known(in.TriagedBy), known(in.CaseOfficerID)
		for _, fe := range casework.CheckImport(l, check, now) {
			col := columnOf(Cases, fe.Field)
			if slices.ContainsFunc(pl.report.Problems, func(p Problem) bool { return p.Row == n && p.Column == col }) {
				continue
			}
			add(col, fe.Message)
		}
		pl.cases = append(pl.cases, in)
		pl.sources = append(pl.sources, src)
	}
	pl.report.Skipped = len(pl.done)
	return nil
}

// Stalled is how long a running import may go without writing a record before it is taken to have stopped
// (its process ended): the same file may then be run again, and skips what that run wrote.
const Stalled = 10 * time.Minute

// Run checks the file and, only when it has no problem, writes it. progress, when not nil, is told how many
// rows are done after each one. The report says what was written; a file with problems comes back with
// them and nothing written.
func (s *Service) Run(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, kind Kind, name string, data []byte,
	progress func(done, total int)) (Report, error) {
	r, write, err := s.Begin(ctx, p, partnershipID, kind, name, data)
	if err != nil || write == nil {
		return r, err
	}
	return write(ctx, progress)
}

// Begin checks the file and, when it has no problem, records the import as running and returns the report
// (with the import's number) and the function that writes the file, which the caller may run in the
// background: the import's page follows its progress. A file with problems comes back with them, no import
// recorded and no function.
func (s *Service) Begin(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, kind Kind, name string, data []byte) (
	Report, func(ctx context.Context, progress func(done, total int)) (Report, error), error) {
	pl, err := s.check(ctx, p, partnershipID, kind, name, data)
	if err != nil || !pl.report.OK() {
		return pl.report, nil, err
	}
	r := &pl.report
	now := s.now()
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'failed', finished_at = $1 WHERE partnership_id = $2 AND status = 'running' AND updated_at < $3`,
			now, partnershipID, now.Add(-Stalled)); err != nil {
			return fmt.Errorf("importer: stalled imports: %w", err)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO imports (partnership_id, kind, file_name, sha256, row_count, status, actor_id, started_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $7) RETURNING id`, partnershipID, string(kind), r.File, r.SHA256, r.Rows, p.PersonID, now).Scan(&r.ImportID)
		if database.IsUniqueViolation(err) {
			return prevent.Errorf(prevent.Conflict, "This file is being imported or was imported already: it is not imported twice")
		}
		if err != nil {
			return fmt.Errorf("importer: start: %w", err)
		}
		return s.audit(ctx, tx, p, partnershipID, r.ImportID, fmt.Sprintf("import %d: started %s file %s (%d rows, SHA-256 %s)", r.ImportID, kind, r.File, r.Rows, r.SHA256))
	})
	if err != nil {
		return *r, nil, err
	}
	return *r, func(ctx context.Context, progress func(done, total int)) (Report, error) {
		return s.write(ctx, p, partnershipID, &pl, progress)
	}, nil
}

func (s *Service) write(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, pl *plan, progress func(done, total int)) (Report, error) {
	r := &pl.report
	kind := r.Kind
	var err error
	label := fmt.Sprintf("import %d (%s)", r.ImportID, r.File)
	if kind == People {
		r.Written, err = s.partnership.ImportPeople(ctx, p, partnershipID, pl.people, label, func(done int) {
			if progress != nil {
				progress(done, r.Rows)
			}
		}, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE imports SET written = $1, status = 'done', updated_at = $2, finished_at = $2 WHERE id = $3`, len(pl.people), s.now(), r.ImportID)
			return err
		})
	} else {
		err = s.runCases(ctx, p, partnershipID, pl, label, progress)
	}
	if err != nil {
		// What was written stays written (each case is whole); the import is marked failed so the same file can
		// be run again, and it then skips the cases this run wrote.
		ferr := s.db.WithTx(context.WithoutCancel(ctx), func(tx *database.Tx) error {
			report, _ := json.Marshal(r.Problems)
			if _, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'failed', written = $1, report = $2, updated_at = $3, finished_at = $3 WHERE id = $4`,
				r.Written, string(report), s.now(), r.ImportID); err != nil {
				return err
			}
			return s.audit(ctx, tx, p, partnershipID, r.ImportID, fmt.Sprintf("import %d: stopped after writing %d records", r.ImportID, r.Written))
		})
		return *r, errors.Join(err, ferr)
	}
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		if kind == Cases {
			if _, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'done', written = $1, updated_at = $2, finished_at = $2 WHERE id = $3`, r.Written, s.now(), r.ImportID); err != nil {
				return fmt.Errorf("importer: finish: %w", err)
			}
		}
		return s.audit(ctx, tx, p, partnershipID, r.ImportID, fmt.Sprintf("import %d: finished, %d records written", r.ImportID, r.Written))
	})
	return *r, err
}

func (s *Service) runCases(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, pl *plan, label string, progress func(done, total int)) error {
	r := &pl.report
	for i, in := range pl.cases {
		if pl.done[i] {
			if progress != nil {
				progress(i+1, r.Rows)
			}
			continue
		}
		row := pl.numbers[i]
		_, repeat, err := s.casework.ImportCase(ctx, p, partnershipID, pl.lookups, in, label, func(tx *database.Tx, id prevent.ID) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO imported_cases (import_id, row_number, partnership_id, source_reference, referral_id)
				VALUES ($1, $2, $3, $4, $5)`, r.ImportID, row, partnershipID, pl.sources[i], id); err != nil {
				return fmt.Errorf("importer: case: %w", err)
			}
			_, err := tx.ExecContext(ctx, `UPDATE imports SET written = written + 1, updated_at = $1 WHERE id = $2`, s.now(), r.ImportID)
			return err
		})
		if err != nil {
			for _, fe := range prevent.FieldErrors(err) {
				r.Problems = append(r.Problems, Problem{Row: row, Column: columnOf(Cases, fe.Field), Message: fe.Message})
			}
			if len(prevent.FieldErrors(err)) == 0 {
				r.Problems = append(r.Problems, Problem{Row: row, Message: prevent.PublicMessage(err)})
			}
			return fmt.Errorf("importer: row %d: %w", row, err)
		}
		r.Written++
		if repeat {
			r.PossibleRepeats++
		}
		if progress != nil {
			progress(i+1, r.Rows)
		}
	}
	return nil
}

func (s *Service) audit(ctx context.Context, tx *database.Tx, p prevent.Principal, partnershipID, id prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), audit.Admin, "import", id)
	e.ActorID, e.ActorOrg, e.PartnershipID = p.PersonID, p.OrganisationID, partnershipID
	e.Purpose = "moving records onto the service"
	e.Detail = detail
	_, err := audit.Append(ctx, tx, e)
	return err
}

// Imports lists a partnership's imports, newest first.
func (s *Service) Imports(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Import, error) {
	if err := s.allow(p, partnershipID); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT i.id, i.kind, i.file_name, i.sha256, i.row_count, i.written, i.status, COALESCE(pe.name, ''),
		i.started_at, i.updated_at, i.finished_at FROM imports i LEFT JOIN people pe ON pe.id = i.actor_id WHERE i.partnership_id = $1 ORDER BY i.id DESC LIMIT 200`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("importer: imports: %w", err)
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		var im Import
		var kind string
		var finished sql.NullTime
		if err := rows.Scan(&im.ID, &kind, &im.File, &im.SHA256, &im.Rows, &im.Written, &im.Status, &im.ActorName, &im.StartedAt, &im.UpdatedAt, &finished); err != nil {
			return nil, err
		}
		im.Kind, im.FinishedAt = Kind(kind), finished.Time
		if im.Status == "running" && im.UpdatedAt.Before(s.now().Add(-Stalled)) {
			im.Status = "failed"
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

// Record keeps the report of a check made from the administrator's pages, so it can be read as a page and
// downloaded: the rows, columns and messages, and nothing the cells held. It returns the record's number.
func (s *Service) Record(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, r Report) (prevent.ID, error) {
	if err := s.allow(p, partnershipID); err != nil {
		return 0, err
	}
	report, err := json.Marshal(r.Problems)
	if err != nil {
		return 0, err
	}
	var id prevent.ID
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO imports (partnership_id, kind, file_name, sha256, row_count, status, report, actor_id, started_at, updated_at, finished_at)
			VALUES ($1, $2, $3, $4, $5, 'checked', $6, $7, $8, $8, $8) RETURNING id`, partnershipID, string(r.Kind), r.File, r.SHA256, r.Rows,
			string(report), p.PersonID, now).Scan(&id); err != nil {
			return fmt.Errorf("importer: record check: %w", err)
		}
		return s.audit(ctx, tx, p, partnershipID, id, fmt.Sprintf("import %d: checked %s file %s (%d rows, %d problems)", id, r.Kind, r.File, r.Rows, len(r.Problems)))
	})
	return id, err
}

// Get returns one import of the partnership with the problems its report holds.
func (s *Service) Get(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) (Import, []Problem, error) {
	if err := s.allow(p, partnershipID); err != nil {
		return Import{}, nil, err
	}
	var im Import
	var kind, report string
	var finished sql.NullTime
	err := s.db.Read().QueryRowContext(ctx, `SELECT i.id, i.kind, i.file_name, i.sha256, i.row_count, i.written, i.status, i.report, COALESCE(pe.name, ''),
		i.started_at, i.updated_at, i.finished_at FROM imports i LEFT JOIN people pe ON pe.id = i.actor_id WHERE i.partnership_id = $1 AND i.id = $2`,
		partnershipID, id).Scan(&im.ID, &kind, &im.File, &im.SHA256, &im.Rows, &im.Written, &im.Status, &report, &im.ActorName, &im.StartedAt, &im.UpdatedAt, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return im, nil, access.NotFound("Import")
	}
	if err != nil {
		return im, nil, fmt.Errorf("importer: import %d: %w", id, err)
	}
	im.Kind, im.FinishedAt = Kind(kind), finished.Time
	if im.Status == "running" && im.UpdatedAt.Before(s.now().Add(-Stalled)) {
		im.Status = "failed"
	}
	problems := []Problem{}
	if report != "" {
		if err := json.Unmarshal([]byte(report), &problems); err != nil {
			return im, nil, fmt.Errorf("importer: import %d report: %w", id, err)
		}
	}
	return im, problems, nil
}

// Start checks the file and, when it has no problem, writes it in the background and returns at once with
// the import's number, for the pages and the API: the import's page follows its progress. A file with
// problems comes back with them and nothing written. Wait waits for the imports started.
func (s *Service) Start(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, kind Kind, name string, data []byte) (Report, error) {
	r, write, err := s.Begin(ctx, p, partnershipID, kind, name, data)
	if err != nil || write == nil {
		return r, err
	}
	s.running.Add(1)
	// The request that started it ends first; the run goes on until it is done or the process stops, and is
	// recorded and audited as it goes.
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	unhook := context.AfterFunc(s.stopping, cancel)
	go func() {
		defer s.running.Done()
		defer cancel()
		defer unhook()
		_, _ = write(bg, nil)
	}()
	return r, nil
}

// Wait waits until every import started with Start has finished.
func (s *Service) Wait() { s.running.Wait() }

// Stop ends the imports running in the background and waits for them: each is marked failed with what it had
// written, and the same file can be run again to finish it.
func (s *Service) Stop() {
	s.stop()
	s.running.Wait()
}
