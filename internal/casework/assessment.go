package casework

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

// VAF is the code of the Vulnerability Assessment Framework template.
const VAF = "VAF"

// Domain is one of the three domains of the VAF.
type Domain string

// The VAF domains.
const (
	Engagement Domain = "engagement"
	Intent     Domain = "intent"
	Capability Domain = "capability"
)

// Presence is how a factor is recorded. There is deliberately no rating, score or weight: the factors
// "cannot be summed to provide a measure of risk, but a formulation tells the individual story".
type Presence string

// The values of a factor.
const (
	Present    Presence = "present"
	NotPresent Presence = "not_present"
	Unknown    Presence = "unknown"
)

func (v Presence) valid() bool { return v == Present || v == NotPresent || v == Unknown }

// String is the display label.
func (v Presence) String() string {
	switch v {
	case Present:
		return "Present"
	case NotPresent:
		return "Not present"
	case Unknown:
		return "Unknown"
	}
	return string(v)
}

// TemplateItem is one factor of an assessment template.
type TemplateItem struct {
	No     int
	Domain Domain
	Label  string
}

// AssessmentTemplate is a version of a structured assessment template, valid from ValidFrom until ValidTo
// (exclusive; zero while current).
type AssessmentTemplate struct {
	Code      string
	Version   int
	Name      string
	ValidFrom time.Time
	ValidTo   time.Time
	Items     []TemplateItem
}

// Factor is one factor as recorded in an assessment.
type Factor struct {
	No       int
	Domain   Domain
	Label    string
	Presence Presence
	Evidence string
	Source   string
}

// Assessment is one version of a case's assessment: the factors, each on its own, and the practitioner's
// formulation. It has no total, score or rating, by design.
type Assessment struct {
	ID                    prevent.ID
	ReferralID            prevent.ID
	Version               int
	TemplateCode          string
	TemplateVersion       int
	TemplateName          string
	AssessorID            prevent.ID
	CreatedAt             time.Time
	Factors               []Factor
	SummaryConclusion     string
	ManagementPlan        string
	ChangesSinceLast      string
	ProfessionalJudgement string
	// Withheld labels what was not disclosed to the reader's organisation (the factors and the four answers,
	// zeroed); see CaseFields.
	Withheld []string
}

// FactorInput records one factor.
type FactorInput struct {
	No       int
	Presence Presence
	Evidence string
	Source   string
}

// AssessmentInput is a new version of an assessment. Factors not given are recorded as unknown.
type AssessmentInput struct {
	TemplateCode          string // VAF unless another template is chosen
	Factors               []FactorInput
	SummaryConclusion     string
	ManagementPlan        string
	ChangesSinceLast      string
	ProfessionalJudgement string
}

// Template returns the version of a template valid on the day of on. Reference data is not personal, so
// the read is not audited.
func (s *Service) Template(ctx context.Context, code string, on time.Time) (AssessmentTemplate, error) {
	return template(ctx, s.db.Read(), code, on)
}

func template(ctx context.Context, q database.Querier, code string, on time.Time) (AssessmentTemplate, error) {
	t := AssessmentTemplate{Code: code}
	d := on.UTC().Format(dateLayout)
	var from string
	var to sql.NullString
	err := q.QueryRowContext(ctx, `SELECT version, name, valid_from, valid_to FROM assessment_templates
		WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2) ORDER BY version DESC LIMIT 1`, code, d).
		Scan(&t.Version, &t.Name, &from, &to)
	if errors.Is(err, sql.ErrNoRows) {
		return t, prevent.Errorf(prevent.NotFound, "Assessment template not found")
	}
	if err != nil {
		return t, fmt.Errorf("casework: template: %w", err)
	}
	t.ValidFrom, _ = time.Parse(dateLayout, from)
	if to.Valid {
		t.ValidTo, _ = time.Parse(dateLayout, to.String)
	}
	t.Items, err = templateItems(ctx, q, code, t.Version)
	return t, err
}

func templateItems(ctx context.Context, q database.Querier, code string, version int) ([]TemplateItem, error) {
	rows, err := q.QueryContext(ctx, `SELECT item_no, domain, label FROM assessment_template_items
		WHERE template_code = $1 AND template_version = $2 ORDER BY item_no`, code, version)
	if err != nil {
		return nil, fmt.Errorf("casework: template items: %w", err)
	}
	defer rows.Close()
	var out []TemplateItem
	for rows.Next() {
		var it TemplateItem
		if err := rows.Scan(&it.No, &it.Domain, &it.Label); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// assessable states are those in which a case may be assessed.
var assessable = map[State]bool{ChannelScreening: true, ReassessmentDue: true, PanelListed: true, Discussed: true,
	Adopted: true, ConsentRequested: true, SupportActive: true, ConsentRefused: true, ConsentWithdrawn: true, Reopened: true}

// check validates in against template t: each factor known and given once, with a valid value, evidence for
// a present factor and the summary conclusion (both only when recording, not for a draft), and every text
// within its bound. It returns the factors given, by number.
func (in AssessmentInput) check(t AssessmentTemplate, draft bool) (map[int]FactorInput, prevent.Fields) {
	known := map[int]bool{}
	for _, it := range t.Items {
		known[it.No] = true
	}
	var f prevent.Fields
	given := map[int]FactorInput{}
	for _, fi := range in.Factors {
		field := fmt.Sprintf("factor-%d", fi.No)
		if !known[fi.No] {
			f.Add(field, "Select a factor of the assessment template")
			continue
		}
		if _, dup := given[fi.No]; dup {
			f.Add(field, "Record each factor once")
			continue
		}
		if !fi.Presence.valid() && !(draft && fi.Presence == "") {
			f.Add(field, "Select present, not present or unknown")
		}
		if !draft && fi.Presence == Present && strings.TrimSpace(fi.Evidence) == "" {
			f.Add(field+"-evidence", "Enter the evidence that the factor is present")
		}
		if len(fi.Evidence) > maxText || len(fi.Source) > maxText {
			f.Add(field+"-evidence", "Evidence and source must be 10,000 characters or fewer")
		}
		given[fi.No] = fi
	}
	if !draft && strings.TrimSpace(in.SummaryConclusion) == "" {
		f.Add("summary", "Enter the summary conclusion")
	}
	for _, x := range []string{in.SummaryConclusion, in.ManagementPlan, in.ChangesSinceLast, in.ProfessionalJudgement} {
		if len(x) > maxText {
			f.Add("summary", "Each section must be 10,000 characters or fewer")
			break
		}
	}
	return given, f
}

// SaveAssessment records a new version of the case's assessment; earlier versions are kept.
func (s *Service) SaveAssessment(ctx context.Context, p prevent.Principal, referralID prevent.ID, in AssessmentInput) (int, error) {
	if in.TemplateCode == "" {
		in.TemplateCode = VAF
	}
	var version int
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseAssess, referralID)
		if err != nil {
			return err
		}
		now := s.now()
		t, err := template(ctx, tx, in.TemplateCode, now)
		if err != nil {
			return err
		}
		given, f := in.check(t, false)
		if err := f.Err(); err != nil {
			return err
		}
		if !assessable[c.State] {
			return prevent.Errorf(prevent.Conflict, "You cannot assess the case while it is at the stage ‘%s’", c.State)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM assessments WHERE referral_id = $1`, referralID).Scan(&version); err != nil {
			return fmt.Errorf("casework: assessment: %w", err)
		}
		var id prevent.ID
		if err := tx.QueryRowContext(ctx, `INSERT INTO assessments (referral_id, version, template_code, template_version, assessor_id,
			summary_conclusion, management_plan, changes_since_last, professional_judgement, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, referralID, version, t.Code, t.Version, p.PersonID,
			strings.TrimSpace(in.SummaryConclusion), strings.TrimSpace(in.ManagementPlan), strings.TrimSpace(in.ChangesSinceLast),
			strings.TrimSpace(in.ProfessionalJudgement), now).Scan(&id); err != nil {
			return fmt.Errorf("casework: assessment: %w", err)
		}
		for _, it := range t.Items {
			fi, ok := given[it.No]
			if !ok {
				fi = FactorInput{No: it.No, Presence: Unknown}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assessment_factors (assessment_id, item_no, presence, evidence, source)
				VALUES ($1, $2, $3, $4, $5)`, id, it.No, string(fi.Presence), strings.TrimSpace(fi.Evidence), strings.TrimSpace(fi.Source)); err != nil {
				return fmt.Errorf("casework: assessment factor: %w", err)
			}
		}
		if err := deleteAssessmentDraft(ctx, tx, referralID, p.PersonID); err != nil {
			return err
		}
		detail := fmt.Sprintf("assessment: %s version %d recorded", t.Code, version)
		if err := s.event(ctx, tx, p, referralID, "assessment_recorded", c.State, c.State, detail); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Collect, "referral", referralID, c.PartnershipID, detail)
	})
	return version, err
}

// Assessments returns every version of the case's assessment, newest first. The read is audited.
func (s *Service) Assessments(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]Assessment, error) {
	var out []Assessment
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseView, referralID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT a.id, a.version, a.template_code, a.template_version, t.name, a.assessor_id, a.created_at,
			a.summary_conclusion, a.management_plan, a.changes_since_last, a.professional_judgement
			FROM assessments a JOIN assessment_templates t ON t.code = a.template_code AND t.version = a.template_version
			WHERE a.referral_id = $1 ORDER BY a.version DESC`, referralID)
		if err != nil {
			return fmt.Errorf("casework: assessments: %w", err)
		}
		for rows.Next() {
			a := Assessment{ReferralID: referralID}
			if err := rows.Scan(&a.ID, &a.Version, &a.TemplateCode, &a.TemplateVersion, &a.TemplateName, &a.AssessorID, &a.CreatedAt,
				&a.SummaryConclusion, &a.ManagementPlan, &a.ChangesSinceLast, &a.ProfessionalJudgement); err != nil {
				rows.Close()
				return err
			}
			out = append(out, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if w := (&withheld{p: p, c: c}); !w.keep(FieldAssessment) {
				a := &out[i]
				a.SummaryConclusion, a.ManagementPlan, a.ChangesSinceLast, a.ProfessionalJudgement, a.Withheld = "", "", "", "", w.labels
				continue
			}
			if out[i].Factors, err = assessmentFactors(ctx, tx, out[i]); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, fmt.Sprintf("assessment: %d versions viewed", len(out)))
	})
	return out, err
}

func assessmentFactors(ctx context.Context, q database.Querier, a Assessment) ([]Factor, error) {
	rows, err := q.QueryContext(ctx, `SELECT f.item_no, i.domain, i.label, f.presence, f.evidence, f.source
		FROM assessment_factors f JOIN assessment_template_items i ON i.template_code = $2 AND i.template_version = $3 AND i.item_no = f.item_no
		WHERE f.assessment_id = $1 ORDER BY f.item_no`, a.ID, a.TemplateCode, a.TemplateVersion)
	if err != nil {
		return nil, fmt.Errorf("casework: factors: %w", err)
	}
	defer rows.Close()
	var out []Factor
	for rows.Next() {
		var f Factor
		if err := rows.Scan(&f.No, &f.Domain, &f.Label, &f.Presence, &f.Evidence, &f.Source); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// hasAssessment reports whether the case has an assessment recorded.
func hasAssessment(ctx context.Context, q database.Querier, referralID prevent.ID) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM assessments WHERE referral_id = $1`, referralID).Scan(&n); err != nil {
		return false, fmt.Errorf("casework: assessment: %w", err)
	}
	return n > 0, nil
}
