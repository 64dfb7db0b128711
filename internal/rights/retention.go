package rights

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Retention rules keep records of a class and outcome for a number of months after their closure; the
// defaults, with their sources, are for the controllers to review and set (docs/retention.md). The rules
// (retention_rules) are read and written only here: the pages and the API set and list them, the erasure
// run applies them (erasure.go), and the record of processing states them (processing.go).

// RecordClass is a class of record that a retention rule applies to.
type RecordClass string

// The record classes.
const (
	CaseRecords          RecordClass = "case"
	DisclosureRecords    RecordClass = "disclosure"
	ConsentRecords       RecordClass = "consent"
	SubjectAccessRecords RecordClass = "subject_access"
)

// Outcome is how a case closed, for retention.
type Outcome string

// The outcomes. AnyOutcome is for classes whose retention does not depend on an outcome.
const (
	NoFurtherAction Outcome = "no_further_action"
	SignpostedOut   Outcome = "signposted"
	NotAdopted      Outcome = "not_adopted"
	PoliceLed       Outcome = "police_led"
	ChannelExited   Outcome = "channel_exited"
	ConsentDeclined Outcome = "consent_declined"
	AnyOutcome      Outcome = "any"
)

// outcomesOf lists the outcomes each record class is kept by.
var outcomesOf = map[RecordClass][]Outcome{
	CaseRecords:          {NoFurtherAction, SignpostedOut, NotAdopted, PoliceLed, ChannelExited, ConsentDeclined},
	DisclosureRecords:    {AnyOutcome},
	ConsentRecords:       {AnyOutcome},
	SubjectAccessRecords: {AnyOutcome},
}

// recordClasses are the classes in the order the rules are listed.
var recordClasses = []RecordClass{CaseRecords, DisclosureRecords, ConsentRecords, SubjectAccessRecords}

// caseOutcomes maps the outcome casework says a case closed with to the outcome its retention rule is kept
// by. The values are the same strings: both are stored, in case_statistics and in retention_rules.
var caseOutcomes = map[casework.ClosingOutcome]Outcome{
	casework.OutcomeNoFurtherAction: NoFurtherAction,
	casework.OutcomeSignposted:      SignpostedOut,
	casework.OutcomeNotAdopted:      NotAdopted,
	casework.OutcomePoliceLed:       PoliceLed,
	casework.OutcomeChannelExited:   ChannelExited,
	casework.OutcomeConsentDeclined: ConsentDeclined,
}

// RetentionRule keeps records of a class and outcome for Months after their closure. The defaults
// (partnership 0, seeded by migration 00056 with their sources) are for controllers to review and set:
//
//   - cases closed with no further action, signposted, or not adopted at panel: 36 months (Independent
//     Review of Prevent, 2023: three years for cases that did not reach Channel);
//   - police-led cases, cases that exited Channel, and cases where consent was declined: 72 months (the
//     six-year review point of the College of Policing's Management of Police Information guidance; see
//     R (II) v Commissioner of Police of the Metropolis [2020] EWHC 2528 (Admin));
//   - disclosure and consent records: 72 months, as long as the longest case period, so that UK GDPR
//     Art 19 notices can still reach recipients; subject access requests: 24 months after completion.
//
// The erasure run (EraseDue) applies the case rules daily; docs/retention.md explains them.
type RetentionRule struct {
	PartnershipID prevent.ID // 0 for a default
	Class         RecordClass
	Outcome       Outcome
	Version       int
	Months        int
	Source        string
	SetBy         prevent.ID
	SetAt         time.Time
}

// Default reports whether the rule is a default nobody has reviewed for the partnership.
func (r RetentionRule) Default() bool { return r.PartnershipID == 0 }

// DueAt is when a record closed at closedAt passes retention under the rule.
func (r RetentionRule) DueAt(closedAt time.Time) time.Time {
	c := closedAt.UTC()
	d := AddMonths(c, r.Months)
	return time.Date(d.Year(), d.Month(), d.Day(), c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), time.UTC)
}

// rule returns the rule in force for the partnership, class and outcome through q: the partnership's
// highest version, or else the default's; and whether there is one.
func rule(ctx context.Context, q database.Querier, partnership prevent.ID, class RecordClass, outcome Outcome) (RetentionRule, bool, error) {
	r := RetentionRule{Class: class, Outcome: outcome}
	err := q.QueryRowContext(ctx, `SELECT partnership_id, version, months, source, set_by, set_at FROM retention_rules
		WHERE partnership_id IN (0, $1) AND record_class = $2 AND outcome = $3
		ORDER BY partnership_id DESC, version DESC LIMIT 1`, partnership, string(class), string(outcome)).
		Scan(&r.PartnershipID, &r.Version, &r.Months, &r.Source, &r.SetBy, &r.SetAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("rights: retention rule: %w", err)
	}
	return r, true, nil
}

// rulesInForce lists the rules in force for the partnership through q, one per class and outcome that has
// one, in the order of the classes and their outcomes.
func rulesInForce(ctx context.Context, q database.Querier, partnership prevent.ID) ([]RetentionRule, error) {
	var out []RetentionRule
	for _, class := range recordClasses {
		for _, o := range outcomesOf[class] {
			r, ok, err := rule(ctx, q, partnership, class, o)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// Due reports whether a record of the class, closed with the outcome at closedAt, is past retention at now
// under the partnership's rule in force. A class or outcome without a rule is an Invalid error: nothing is
// erased by guesswork. Read it through the transaction when inside one.
func Due(ctx context.Context, q database.Querier, partnership prevent.ID, class RecordClass, outcome Outcome, closedAt, now time.Time) (bool, error) {
	r, ok, err := rule(ctx, q, partnership, class, outcome)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, prevent.Errorf(prevent.Invalid, "There is no retention rule for %s records with outcome %s", class, outcome)
	}
	return !now.Before(r.DueAt(closedAt)), nil
}

// RetentionRules lists the rules in force for the partnership, one per class and outcome.
func (s *Service) RetentionRules(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]RetentionRule, error) {
	if err := s.authorise(p, access.RetentionView, "retention_rule", partnership, "Partnership"); err != nil {
		return nil, err
	}
	return rulesInForce(ctx, s.db.Read(), partnership)
}

// RetentionInput sets the retention of a class and outcome for a partnership.
type RetentionInput struct {
	Class   RecordClass
	Outcome Outcome
	Months  int
	Source  string // the controllers' decision or policy it rests on
}

// SetRetention records a new version of the partnership's rule for a class and outcome and returns the
// version. The change and its audit entry commit together.
func (s *Service) SetRetention(ctx context.Context, p prevent.Principal, partnership prevent.ID, in RetentionInput) (int, error) {
	if err := s.authorise(p, access.RetentionManage, "retention_rule", partnership, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	outcomes, ok := outcomesOf[in.Class]
	if !ok {
		f.Add("class", "Select a class of record")
	} else if !slices.Contains(outcomes, in.Outcome) {
		f.Add("outcome", "Select an outcome for this class of record")
	}
	if in.Months < 1 || in.Months > 1200 {
		f.Add("months", "Enter a period between 1 and 1200 months")
	}
	if strings.TrimSpace(in.Source) == "" {
		f.Add("source", "Enter the decision or policy the period rests on")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var version int
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM retention_rules
			WHERE partnership_id = $1 AND record_class = $2 AND outcome = $3`, partnership, string(in.Class), string(in.Outcome)).Scan(&version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO retention_rules (partnership_id, record_class, outcome, version, months, source, set_by, set_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, partnership, string(in.Class), string(in.Outcome), version, in.Months,
			strings.TrimSpace(in.Source), p.PersonID, s.now()); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "retention_rule", 0, partnership, "data protection governance",
			fmt.Sprintf("%s/%s set to %d months (version %d)", in.Class, in.Outcome, in.Months, version))
	})
	if err != nil {
		return 0, fmt.Errorf("rights: set retention: %w", err)
	}
	return version, nil
}

// AddMonths returns the day n calendar months after d: the corresponding date of that month, or its last
// day when it has no corresponding date (31 January + 1 month = 28 or 29 February). Unlike time.AddDate it
// never overflows into the month after.
func AddMonths(d time.Time, n int) time.Time {
	y, m, dd := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(dd, last), 0, 0, 0, 0, time.UTC)
}

// RetentionSummary counts what the retention job did for a partnership and what legal holds keep: case
// records erased in the window and in all, and holds in force. Counts only.
type RetentionSummary struct {
	WindowDays     int
	ErasedInWindow int
	ErasedTotal    int
	HoldsInForce   int
}

// RetentionSummary counts the partnership's case records erased at the end of retention, in the windowDays
// days up to now and in all (casework says), and the legal holds in force, for the data protection officer.
func (s *Service) RetentionSummary(ctx context.Context, p prevent.Principal, partnership prevent.ID, now time.Time, windowDays int) (RetentionSummary, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return RetentionSummary{}, err
	}
	out := RetentionSummary{WindowDays: windowDays}
	var err error
	if out.ErasedInWindow, out.ErasedTotal, err = s.casework.ErasedCounts(ctx, partnership, now.UTC().AddDate(0, 0, -windowDays), now.UTC()); err != nil {
		return out, fmt.Errorf("rights: retention summary: %w", err)
	}
	if out.HoldsInForce, err = holdsInForce(ctx, s.db.Read(), partnership); err != nil {
		return out, fmt.Errorf("rights: retention summary: %w", err)
	}
	return out, nil
}
