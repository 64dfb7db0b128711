package programme

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// CourseKinds are the kinds of training course, with their names.
var CourseKinds = []struct{ Kind, Name string }{
	{"prevent-awareness", "Prevent awareness"},
	{"channel-awareness", "Channel awareness"},
	{"workshop", "Local workshop"},
	{"other", "Other training"},
}

// Course is a training course.
type Course struct {
	ID    prevent.ID
	Title string
	Kind  string
}

// Completion is a person's completion of a course, with their organisation and roles.
type Completion struct {
	ID           prevent.ID
	PersonID     prevent.ID
	Name         string
	Organisation string
	Roles        []prevent.Role
	CompletedOn  string
}

// Coverage is how many of an organisation's people have completed a course against its target.
type Coverage struct {
	Organisation OrgRef
	Target       int
	Completed    int
	Percent      int // Completed as a whole percentage of Target, 0 when there is no target
}

// CreateCourse adds a training course.
func (s *Service) CreateCourse(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, title, kind string) (prevent.ID, error) {
	if err := s.decide(p, access.TrainingEdit, partnershipID, 0, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	checkText(&f, "title", title, "Enter the course title", 200)
	known := false
	for _, k := range CourseKinds {
		known = known || k.Kind == kind
	}
	if !known {
		f.Add("kind", "Select the kind of course")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO training_courses (partnership_id, title, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			partnershipID, strings.TrimSpace(title), kind, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("programme: create course: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "training_course", id, partnershipID, "created course")
	})
	return id, err
}

// Courses lists the partnership's courses.
func (s *Service) Courses(ctx context.Context, p prevent.Principal, partnershipID prevent.ID) ([]Course, error) {
	if err := s.decide(p, access.TrainingView, partnershipID, 0, "Partnership"); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, title, kind FROM training_courses WHERE partnership_id = $1 ORDER BY lower(title)`, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: courses: %w", err)
	}
	defer rows.Close()
	var out []Course
	for rows.Next() {
		var c Course
		if err := rows.Scan(&c.ID, &c.Title, &c.Kind); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func courseExists(ctx context.Context, q database.Querier, partnershipID, id prevent.ID) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM training_courses WHERE id = $1 AND partnership_id = $2`, id, partnershipID).Scan(&n); err != nil {
		return fmt.Errorf("programme: course: %w", err)
	}
	if n == 0 {
		return access.NotFound("Course")
	}
	return nil
}

// RecordCompletion records that a person of the partnership completed a course on a date.
func (s *Service) RecordCompletion(ctx context.Context, p prevent.Principal, partnershipID, courseID, personID prevent.ID, completedOn string) (prevent.ID, error) {
	if err := s.decide(p, access.TrainingEdit, partnershipID, 0, "Course"); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := courseExists(ctx, tx, partnershipID, courseID); err != nil {
			return err
		}
		var f prevent.Fields
		if ok, err := memberPerson(ctx, tx, partnershipID, personID); err != nil {
			return err
		} else if !ok {
			f.Add("person", "Select a person of the partnership")
		}
		if !validDate(completedOn) || completedOn > s.today() {
			f.Add("completed-on", "Enter the date the course was completed as a real date, not in the future")
		}
		if err := f.Err(); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO training_completions (course_id, person_id, completed_on, recorded_by, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, courseID, personID, completedOn, p.PersonID, s.now()).Scan(&id)
		if database.IsUniqueViolation(err) {
			return prevent.Validation([]prevent.FieldError{{Field: "completed-on", Message: "This completion is already recorded"}})
		}
		if err != nil {
			return fmt.Errorf("programme: record completion: %w", err)
		}
		return s.record(ctx, tx, p, audit.Collect, "training_completion", id, partnershipID, "recorded completion")
	})
	return id, err
}

// Completions lists who completed a course and when, with their organisation and roles.
func (s *Service) Completions(ctx context.Context, p prevent.Principal, partnershipID, courseID prevent.ID) ([]Completion, error) {
	if err := s.decide(p, access.TrainingEdit, partnershipID, 0, "Course"); err != nil {
		return nil, err
	}
	q := s.db.Read()
	if err := courseExists(ctx, q, partnershipID, courseID); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.person_id, pe.name, o.name, c.completed_on FROM training_completions c
		JOIN people pe ON pe.id = c.person_id JOIN organisations o ON o.id = pe.organisation_id
		WHERE c.course_id = $1 ORDER BY c.completed_on DESC, lower(pe.name)`, courseID)
	if err != nil {
		return nil, fmt.Errorf("programme: completions: %w", err)
	}
	var out []Completion
	for rows.Next() {
		var c Completion
		if err := rows.Scan(&c.ID, &c.PersonID, &c.Name, &c.Organisation, &c.CompletedOn); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	for i := range out {
		rows, err := q.QueryContext(ctx, `SELECT role FROM memberships WHERE person_id = $1 AND partnership_id = $2 ORDER BY role`, out[i].PersonID, partnershipID)
		if err != nil {
			return nil, fmt.Errorf("programme: completion roles: %w", err)
		}
		for rows.Next() {
			var r prevent.Role
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return nil, err
			}
			out[i].Roles = append(out[i].Roles, r)
		}
		rows.Close()
	}
	return out, nil
}

// SetTarget sets how many of an organisation's people should complete a course.
func (s *Service) SetTarget(ctx context.Context, p prevent.Principal, partnershipID, courseID, organisationID prevent.ID, target int) error {
	if err := s.decide(p, access.TrainingEdit, partnershipID, 0, "Course"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := courseExists(ctx, tx, partnershipID, courseID); err != nil {
			return err
		}
		var f prevent.Fields
		if ok, err := memberOrg(ctx, tx, partnershipID, organisationID); err != nil {
			return err
		} else if !ok {
			f.Add("organisation", "Select an organisation of the partnership")
		}
		if target < 0 || target > 1000000 {
			f.Add("target", "Enter the target as a whole number, 0 or more")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO training_targets (course_id, organisation_id, target) VALUES ($1, $2, $3)
			ON CONFLICT (course_id, organisation_id) DO UPDATE SET target = excluded.target`, courseID, organisationID, target); err != nil {
			return fmt.Errorf("programme: set target: %w", err)
		}
		return s.record(ctx, tx, p, audit.Alter, "training_course", courseID, partnershipID, fmt.Sprintf("target for organisation %d set to %d", organisationID, target))
	})
}

// CourseCoverage reports, per organisation with a target or a completion, how many distinct people completed
// the course against the target.
func (s *Service) CourseCoverage(ctx context.Context, p prevent.Principal, partnershipID, courseID prevent.ID) ([]Coverage, error) {
	if err := s.decide(p, access.TrainingView, partnershipID, 0, "Course"); err != nil {
		return nil, err
	}
	q := s.db.Read()
	if err := courseExists(ctx, q, partnershipID, courseID); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name,
			COALESCE((SELECT t.target FROM training_targets t WHERE t.course_id = $1 AND t.organisation_id = o.id), 0),
			(SELECT count(DISTINCT c.person_id) FROM training_completions c JOIN people pe ON pe.id = c.person_id
				WHERE c.course_id = $1 AND pe.organisation_id = o.id)
		FROM organisations o JOIN partnership_organisations po ON po.organisation_id = o.id WHERE po.partnership_id = $2`, courseID, partnershipID)
	if err != nil {
		return nil, fmt.Errorf("programme: coverage: %w", err)
	}
	defer rows.Close()
	var out []Coverage
	for rows.Next() {
		var c Coverage
		if err := rows.Scan(&c.Organisation.ID, &c.Organisation.Name, &c.Target, &c.Completed); err != nil {
			return nil, err
		}
		if c.Target == 0 && c.Completed == 0 {
			continue
		}
		if c.Target > 0 {
			c.Percent = c.Completed * 100 / c.Target
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		return strings.ToLower(out[i].Organisation.Name) < strings.ToLower(out[j].Organisation.Name)
	})
	return out, rows.Err()
}
