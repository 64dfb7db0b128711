package assurance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The codes of the national frameworks.
const (
	// NI35 is National Indicator 35, "Building resilience to violent extremism" (2008): four strands, each
	// assessed at a level from 1 to 5.
	NI35 = "ni35"
	// DutyToolkit is the Prevent duty toolkit for local authorities (2024): eight sections, each rated from
	// "not in place" to "embedded".
	DutyToolkit = "prevent-duty-toolkit"
)

// Section is one section of a framework version (one of NI35's strands). Its code stays the same from version
// to version; that is what lets ratings be compared across versions.
type Section struct {
	Code        string
	Title       string
	Description string
}

// Level is one level of a framework version's rating scale, numbered from 1; higher is better.
type Level struct {
	Level       int
	Label       string
	Description string
}

// Framework is one version of a framework.
type Framework struct {
	ID prevent.ID
	// PartnershipID is 0 for a national version, or the partnership whose own revision this is.
	PartnershipID prevent.ID
	Code          string
	Name          string
	Version       int
	// AppliesFrom is the first financial year the version may be used for.
	AppliesFrom int
	Note        string
	BasedOn     prevent.ID // the version this one was revised from, 0 for none
	CreatedAt   time.Time
	Sections    []Section // in order
	Scale       []Level   // from level 1 up
	// InUse counts the partnership's assessments that use this version; a version in use is never changed.
	InUse int
}

// National reports whether the version is a national one, seeded with the service.
func (f Framework) National() bool { return f.PartnershipID == national }

// Section returns the section with code.
func (f Framework) Section(code string) (Section, bool) {
	for _, s := range f.Sections {
		if s.Code == code {
			return s, true
		}
	}
	return Section{}, false
}

// LevelOf returns level n of the scale.
func (f Framework) LevelOf(n int) (Level, bool) {
	if n < 1 || n > len(f.Scale) {
		return Level{}, false
	}
	return f.Scale[n-1], true
}

// sameScale reports whether ratings on f's scale and on g's may be compared: the same number of levels, so that
// a level means the same step on both. The labels may have been reworded.
func sameScale(f, g Framework) bool { return len(f.Scale) == len(g.Scale) }

// SectionInput is a section of a framework version as an administrator writes it.
type SectionInput struct {
	Code        string // "section-N-code"
	Title       string // "section-N-title"
	Description string // "section-N-description"
}

// LevelInput is a level of the scale; levels are numbered by their order, from 1.
type LevelInput struct {
	Label       string // "level-N-label"
	Description string // "level-N-description"
}

// FrameworkInput is a framework version's wording, for a new version or for a version not yet in use.
type FrameworkInput struct {
	Name        string // "name"
	AppliesFrom int    // "applies-from"
	Note        string // "note"
	Sections    []SectionInput
	Scale       []LevelInput
}

// Input returns the version's wording as input, for starting a revision from it.
func (f Framework) Input() FrameworkInput {
	in := FrameworkInput{Name: f.Name, AppliesFrom: f.AppliesFrom, Note: f.Note}
	for _, s := range f.Sections {
		in.Sections = append(in.Sections, SectionInput(s))
	}
	for _, l := range f.Scale {
		in.Scale = append(in.Scale, LevelInput{Label: l.Label, Description: l.Description})
	}
	return in
}

// The bounds on a framework's shape.
const (
	MaxSections = 30
	MinLevels   = 2
	MaxLevels   = 10
	maxLabel    = 100
)

// Validate checks the input, returning field errors in form order.
func (in FrameworkInput) Validate() error {
	var f prevent.Fields
	checkText(&f, "name", in.Name, "Enter the framework’s name", MaxTitle)
	checkYear(&f, "applies-from", in.AppliesFrom, "Enter the financial year the version applies from, for example 2026")
	checkText(&f, "note", in.Note, "", MaxNote)
	switch {
	case len(in.Sections) == 0:
		f.Add("sections", "Add at least one section")
	case len(in.Sections) > MaxSections:
		f.Add("sections", fmt.Sprintf("A framework has %d sections or fewer", MaxSections))
	}
	seen := map[string]bool{}
	for i, s := range in.Sections {
		field := fmt.Sprintf("section-%d-", i+1)
		code := strings.TrimSpace(s.Code)
		switch {
		case !codePattern.MatchString(code):
			f.Add(field+"code", "Enter a code of up to 60 lower-case letters, digits and hyphens")
		case seen[code]:
			f.Add(field+"code", "Each section needs a code of its own")
		}
		seen[code] = true
		checkText(&f, field+"title", s.Title, "Enter the section’s title", MaxTitle)
		checkText(&f, field+"description", s.Description, "", MaxDescription)
	}
	if len(in.Scale) < MinLevels || len(in.Scale) > MaxLevels {
		f.Add("scale", fmt.Sprintf("A scale has from %d to %d levels", MinLevels, MaxLevels))
	}
	for i, l := range in.Scale {
		field := fmt.Sprintf("level-%d-", i+1)
		checkText(&f, field+"label", l.Label, "Enter the level’s name", maxLabel)
		checkText(&f, field+"description", l.Description, "", MaxDescription)
	}
	return f.Err()
}

const frameworkColumns = `id, partnership_id, code, version, name, applies_from, note, COALESCE(based_on, 0), created_at`

func scanFramework(sc interface{ Scan(...any) error }) (Framework, error) {
	var f Framework
	err := sc.Scan(&f.ID, &f.PartnershipID, &f.Code, &f.Version, &f.Name, &f.AppliesFrom, &f.Note, &f.BasedOn, &f.CreatedAt)
	return f, err
}

// Frameworks lists every framework version the partnership may assess itself against, national and its own,
// by code and then version, with their sections and scales. Reference data: reads are not audited.
func (s *Service) Frameworks(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Framework, error) {
	if err := s.decide(p, access.SelfAssessmentView, partnershipID, "Partnership"); err != nil {
		return nil, err
	}
	return frameworks(ctx, s.db.Read(), partnershipID, "")
}

// Framework returns one framework version the partnership may use.
func (s *Service) Framework(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID) (Framework, error) {
	if err := s.decide(p, access.SelfAssessmentView, partnershipID, "Framework"); err != nil {
		return Framework{}, err
	}
	return loadFramework(ctx, s.db.Read(), partnershipID, id)
}

// frameworks reads the versions the partnership may use, of one code or ("") of all.
func frameworks(ctx context.Context, q database.Querier, partnershipID prevent.ID, code string) ([]Framework, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+frameworkColumns+` FROM assurance_frameworks
		WHERE partnership_id IN (0, $1) AND ($2 = '' OR code = $2) ORDER BY code, version, partnership_id`, partnershipID, code)
	if err != nil {
		return nil, fmt.Errorf("assurance: frameworks: %w", err)
	}
	var out []Framework
	for rows.Next() {
		f, err := scanFramework(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := loadShape(ctx, q, partnershipID, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadFramework reads one version the partnership may use: a national one or its own. Another partnership's
// revision is NotFound.
func loadFramework(ctx context.Context, q database.Querier, partnershipID, id prevent.ID) (Framework, error) {
	f, err := scanFramework(q.QueryRowContext(ctx, `SELECT `+frameworkColumns+` FROM assurance_frameworks
		WHERE id = $1 AND partnership_id IN (0, $2)`, id, partnershipID))
	if errors.Is(err, sql.ErrNoRows) {
		return f, access.NotFound("Framework")
	}
	if err != nil {
		return f, fmt.Errorf("assurance: framework %d: %w", id, err)
	}
	return f, loadShape(ctx, q, partnershipID, &f)
}

// loadShape reads a version's sections, scale and how many of the partnership's assessments use it.
func loadShape(ctx context.Context, q database.Querier, partnershipID prevent.ID, f *Framework) error {
	rows, err := q.QueryContext(ctx, `SELECT code, title, description FROM assurance_framework_sections
		WHERE framework_id = $1 ORDER BY position`, f.ID)
	if err != nil {
		return fmt.Errorf("assurance: framework sections: %w", err)
	}
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.Code, &sec.Title, &sec.Description); err != nil {
			rows.Close()
			return err
		}
		f.Sections = append(f.Sections, sec)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT level, label, description FROM assurance_framework_levels
		WHERE framework_id = $1 ORDER BY level`, f.ID)
	if err != nil {
		return fmt.Errorf("assurance: framework scale: %w", err)
	}
	for rows.Next() {
		var l Level
		if err := rows.Scan(&l.Level, &l.Label, &l.Description); err != nil {
			rows.Close()
			return err
		}
		f.Scale = append(f.Scale, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM assurance_assessments WHERE framework_id = $1 AND partnership_id = $2`,
		f.ID, partnershipID).Scan(&f.InUse); err != nil {
		return fmt.Errorf("assurance: framework in use: %w", err)
	}
	return nil
}

// ReviseFramework makes a new version of the partnership's own from a version it may use (national or its
// own), with the wording in. The new version takes the next version number of the framework's code; the
// version it was made from is not changed, so assessments made against it keep their wording.
func (s *Service) ReviseFramework(ctx context.Context, p prevent.Principal, partnershipID, baseID prevent.ID, in FrameworkInput) (prevent.ID, error) {
	if err := s.decide(p, access.AssuranceFrameworkManage, partnershipID, "Framework"); err != nil {
		return 0, err
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		base, err := loadFramework(ctx, tx, partnershipID, baseID)
		if err != nil {
			return err
		}
		var last int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM assurance_frameworks
			WHERE code = $1 AND partnership_id IN (0, $2)`, base.Code, partnershipID).Scan(&last); err != nil {
			return fmt.Errorf("assurance: framework versions: %w", err)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO assurance_frameworks (partnership_id, code, version, name, applies_from, note,
			based_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			partnershipID, base.Code, last+1, strings.TrimSpace(in.Name), in.AppliesFrom, strings.TrimSpace(in.Note),
			base.ID, p.PersonID, s.now()).Scan(&id)
		if database.IsUniqueViolation(err) {
			return prevent.Errorf(prevent.Conflict, "Someone else made a new version of the framework at the same time: reload it and try again")
		}
		if err != nil {
			return fmt.Errorf("assurance: revise framework: %w", err)
		}
		if err := insertShape(ctx, tx, id, in); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "assurance_framework", id, partnershipID,
			fmt.Sprintf("framework %s version %d made from version %d", base.Code, last+1, base.Version))
	})
	return id, err
}

// EditFrameworkVersion changes the wording of one of the partnership's own versions that no assessment uses
// yet. A national version, or one in use, is changed only by making a new version (ReviseFramework).
func (s *Service) EditFrameworkVersion(ctx context.Context, p prevent.Principal, partnershipID, id prevent.ID, in FrameworkInput) error {
	if err := s.decide(p, access.AssuranceFrameworkManage, partnershipID, "Framework"); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		f, err := loadFramework(ctx, tx, partnershipID, id)
		if err != nil {
			return err
		}
		if f.National() {
			return prevent.Errorf(prevent.Conflict, "A national framework version cannot be changed: make a new version of your own instead")
		}
		if f.InUse > 0 {
			return prevent.Errorf(prevent.Conflict, "Version %d is used by %d %s, so it cannot be changed: make a new version instead",
				f.Version, f.InUse, plural(f.InUse, "assessment", "assessments"))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assurance_frameworks SET name = $1, applies_from = $2, note = $3 WHERE id = $4`,
			strings.TrimSpace(in.Name), in.AppliesFrom, strings.TrimSpace(in.Note), id); err != nil {
			return fmt.Errorf("assurance: edit framework: %w", err)
		}
		for _, table := range []string{"assurance_framework_sections", "assurance_framework_levels"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE framework_id = $1`, id); err != nil {
				return fmt.Errorf("assurance: edit framework: %w", err)
			}
		}
		if err := insertShape(ctx, tx, id, in); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "assurance_framework", id, partnershipID,
			fmt.Sprintf("framework %s version %d reworded before use", f.Code, f.Version))
	})
}

func insertShape(ctx context.Context, tx *database.Tx, id prevent.ID, in FrameworkInput) error {
	for i, sec := range in.Sections {
		if _, err := tx.ExecContext(ctx, `INSERT INTO assurance_framework_sections (framework_id, code, position, title, description)
			VALUES ($1, $2, $3, $4, $5)`, id, strings.TrimSpace(sec.Code), i+1, strings.TrimSpace(sec.Title), strings.TrimSpace(sec.Description)); err != nil {
			return fmt.Errorf("assurance: framework section: %w", err)
		}
	}
	for i, l := range in.Scale {
		if _, err := tx.ExecContext(ctx, `INSERT INTO assurance_framework_levels (framework_id, level, label, description)
			VALUES ($1, $2, $3, $4)`, id, i+1, strings.TrimSpace(l.Label), strings.TrimSpace(l.Description)); err != nil {
			return fmt.Errorf("assurance: framework level: %w", err)
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
