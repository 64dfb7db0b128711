package assurance

import (
	"context"
	"fmt"
	"slices"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Change is how a section's rating moved since the rating it is compared with.
type Change string

// The changes. A rating is compared with the section's latest earlier rating, in whichever year that was.
const (
	// NoEarlier: the section is not rated, or has no earlier rating to compare with.
	NoEarlier Change = ""
	Up        Change = "up"
	Down      Change = "down"
	Same      Change = "same"
	// NotComparable: the earlier rating was made on a scale with another number of levels, so the two are
	// shown side by side and not compared.
	NotComparable Change = "not-comparable"
)

// Point is a section's rating in one year's assessment.
type Point struct {
	Year             int
	AssessmentID     prevent.ID
	Status           Status
	FrameworkID      prevent.ID
	FrameworkVersion int
	Level            int    // 0 if not rated
	Label            string // the level's label in that year's version
	Change           Change
	ComparedWith     int // the year of the rating compared with, 0 for none
}

// SectionHistory is one section's ratings over the years, oldest first. A year whose framework version has no
// section with this code has no point: sections are the same only when their codes are.
type SectionHistory struct {
	Code   string
	Title  string // as the newest version that has the section words it
	Points []Point
}

// History is a partnership's ratings against one framework, year by year and section by section.
type History struct {
	FrameworkCode string
	Years         []int // the years assessed, oldest first
	Sections      []SectionHistory
}

// History returns the partnership's ratings against the framework with code, across all its versions, in
// every state (each point says its assessment's status). Sections are matched by code only, never by title or
// position, and a rating is compared with an earlier one only on a scale of the same size.
func (s *Service) History(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, code string) (History, error) {
	if err := s.decide(p, access.SelfAssessmentView, partnershipID, "Framework"); err != nil {
		return History{}, err
	}
	q := s.db.Read()
	fws, err := frameworks(ctx, q, partnershipID, code)
	if err != nil {
		return History{}, err
	}
	if code == "" || len(fws) == 0 {
		return History{}, access.NotFound("Framework")
	}
	list, err := listAssessments(ctx, q, partnershipID, code)
	if err != nil {
		return History{}, err
	}
	slices.Reverse(list) // oldest first
	rows, err := q.QueryContext(ctx, `SELECT r.assessment_id, r.section_code, COALESCE(r.level, 0) FROM assurance_ratings r
		JOIN assurance_assessments a ON a.id = r.assessment_id WHERE a.partnership_id = $1 AND a.framework_code = $2`, partnershipID, code)
	if err != nil {
		return History{}, fmt.Errorf("assurance: history: %w", err)
	}
	type key struct {
		id   prevent.ID
		code string
	}
	levels := map[key]int{}
	for rows.Next() {
		var k key
		var level int
		if err := rows.Scan(&k.id, &k.code, &level); err != nil {
			rows.Close()
			return History{}, err
		}
		levels[k] = level
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return History{}, err
	}

	h := History{FrameworkCode: code}
	// Sections in the newest version's order, then those only older versions have.
	index := map[string]int{}
	for i := len(list) - 1; i >= 0; i-- {
		for _, sec := range list[i].Framework.Sections {
			if _, ok := index[sec.Code]; !ok {
				index[sec.Code] = len(h.Sections)
				h.Sections = append(h.Sections, SectionHistory{Code: sec.Code, Title: sec.Title})
			}
		}
	}
	for _, a := range list {
		h.Years = append(h.Years, a.Year)
	}
	for i := range h.Sections {
		sh := &h.Sections[i]
		var prev Point // the latest earlier rating; Level 0 while there is none
		var prevScale Framework
		for _, a := range list {
			if _, ok := a.Framework.Section(sh.Code); !ok {
				continue
			}
			pt := Point{Year: a.Year, AssessmentID: a.ID, Status: a.Status, FrameworkID: a.Framework.ID,
				FrameworkVersion: a.Framework.Version, Level: levels[key{a.ID, sh.Code}]}
			if l, ok := a.Framework.LevelOf(pt.Level); ok {
				pt.Label = l.Label
			}
			if pt.Level != 0 && prev.Level != 0 {
				pt.ComparedWith = prev.Year
				switch {
				case !sameScale(prevScale, a.Framework):
					pt.Change = NotComparable
				case pt.Level > prev.Level:
					pt.Change = Up
				case pt.Level < prev.Level:
					pt.Change = Down
				default:
					pt.Change = Same
				}
			}
			sh.Points = append(sh.Points, pt)
			if pt.Level != 0 {
				prev, prevScale = pt, a.Framework
			}
		}
	}
	return h, nil
}
