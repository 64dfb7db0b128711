package casework

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Signposting without disclosure: a professional searches the partnership for a person and
// learns only "known to organisation X, contact Y" for records outside their need-to-know, so that they know
// whom to ask. Nothing of the record itself (reference, state, concern, dates) is returned for those; a case
// the searcher may already see is linked. Matches are listed in a fixed order (organisation, then contact),
// never ranked or scored. Every search is a consultation: its purpose is required and recorded in the audit
// log, with one entry for the search and one for each case it matched (so that the person's access log
// shows who found them, and why).

// SignpostReason is one of the reasons a signposting search may give.
type SignpostReason struct {
	Code, Label string
}

// SignpostReasons are the reasons a signposting search may give, in display order.
var SignpostReasons = []SignpostReason{
	{"safeguarding", "A safeguarding concern about the person"},
	{"referral", "Deciding whether to make a Prevent referral"},
	{"screening", "Screening or assessing a case I hold"},
	{"support", "Planning or delivering support for the person"},
	{"meeting", "Preparing for a multi-agency meeting about the person"},
}

// SignpostReasonLabel returns the label of a reason code, or "" for an unknown one.
func SignpostReasonLabel(code string) string {
	for _, r := range SignpostReasons {
		if r.Code == code {
			return r.Label
		}
	}
	return ""
}

// Limits on what a signposting search accepts.
const (
	maxSignpostName    = 200
	maxSignpostPurpose = 1000
	// maxSignpostCandidates bounds the rows read per search; a search this broad should be narrowed.
	maxSignpostCandidates = 500
)

// SignpostQuery is a signposting search: the person's name and, optionally, date of birth, and why the
// search is made.
type SignpostQuery struct {
	// Name is the person's full name: at least a given name and a family name.
	Name string
	// DateOfBirth narrows the search; with it, a name with a typing slip still matches.
	DateOfBirth time.Time
	// Reason is a SignpostReasons code.
	Reason string
	// Purpose is why the search is made, in the searcher's words.
	Purpose string
}

// SignpostResult is one answer to a signposting search. For a record outside the searcher's need-to-know it
// carries only the organisation that holds it and the person to contact there; ReferralID and Reference are
// set only for a case the searcher may already see.
type SignpostResult struct {
	Organisation string
	Contact      string // the person to ask, empty if the organisation has no one to name
	ContactEmail string // their work email
	ReferralID   prevent.ID
	Reference    string
}

// Linked reports whether the result is a case the searcher may already see.
func (r SignpostResult) Linked() bool { return r.ReferralID != 0 }

// SignpostNotKnown is the wording for a search with no results. It is the same whatever the partnership
// holds, and says that an empty answer does not show that the person is unknown.
const SignpostNotKnown = "No records match these details. This does not mean the person is not known to partners: " +
	"records may be held under another name or date of birth, or by services outside this partnership."

// channelStates are the states of a referral that has gone to Channel: the coordinating organisation holds it.
var channelStates = []State{ChannelScreening, PanelListed, Discussed, Adopted, NotAdopted, ConsentRequested,
	SupportActive, ConsentRefused, ConsentWithdrawn, ReassessmentDue, TransferredOut, Exited, PostExitReview6M,
	PostExitReview12M, ExtendedReview, ClosedFinal, Reopened}

// Validate checks a query as Signpost does, without searching: for a page that must refuse the search for a
// reason of its own (a date that is not a date) and still name every other problem.
func (q SignpostQuery) Validate(now time.Time) error {
	_, _, err := q.validate(now)
	return err
}

// validate checks a query and returns the normalised name tokens and the date of birth as stored.
func (q SignpostQuery) validate(now time.Time) ([]string, string, error) {
	var f prevent.Fields
	name := strings.TrimSpace(q.Name)
	tokens := strings.Fields(NormaliseName(name))
	switch {
	case name == "":
		f.Add("name", "Enter the person's full name")
	case len(name) > maxSignpostName:
		f.Add("name", "Name must be 200 characters or fewer")
	case len(tokens) < 2:
		f.Add("name", "Enter the person's given name and family name")
	}
	var dob string
	if !q.DateOfBirth.IsZero() {
		if !q.DateOfBirth.Before(now) {
			f.Add("date-of-birth", "Date of birth must be in the past")
		}
		dob = q.DateOfBirth.UTC().Format(dateLayout)
	}
	if SignpostReasonLabel(q.Reason) == "" {
		f.Add("reason", "Select the reason for your search")
	}
	switch purpose := strings.TrimSpace(q.Purpose); {
	case purpose == "":
		f.Add("purpose", "Enter why you need to know who holds information about this person")
	case len(purpose) > maxSignpostPurpose:
		f.Add("purpose", "Purpose must be 1,000 characters or fewer")
	}
	return tokens, dob, f.Err()
}

// Purpose is the query's reason and purpose as the audit log records them.
func (q SignpostQuery) purpose() string {
	return SignpostReasonLabel(q.Reason) + ": " + strings.TrimSpace(q.Purpose)
}

// signpostCandidate is a referral whose subject may be the person searched for.
type signpostCandidate struct {
	id          prevent.ID
	reference   string
	state       State
	author, org prevent.ID
}

// Signpost searches the partnership for a person by name and, optionally, date of birth. With a date of birth
// a referral matches when its person has that date of birth and a similar name (SimilarNames, as for repeat
// referrals), or no date of birth recorded and the same name; without one, when every word of the name searched
// is a word of the person's name or an alias. Drafts and deleted cases never match.
//
// Each result names the organisation that holds the record (for a case that has gone to Channel the
// coordinating organisation, otherwise the referring organisation) and the person to contact there (the
// coordinator assigned, or the referrer). Records outside the searcher's need-to-know give nothing else, and
// two of them held by the same organisation and contact give one result; a case the searcher may see
// (access.CaseView) is linked. Results are ordered by organisation and contact, never by closeness of match.
// The search and each case it matched are recorded in the audit log as consultations with the purpose.
func (s *Service) Signpost(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, q SignpostQuery) ([]SignpostResult, error) {
	now := s.now()
	if !access.Decide(p, access.Signpost, access.Resource{Kind: "partnership", PartnershipID: partnershipID}, now).Allow {
		return nil, access.NotFound("Partnership")
	}
	tokens, dob, err := q.validate(now)
	if err != nil {
		return nil, err
	}
	var out []SignpostResult
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		found, err := signpostCandidates(ctx, tx, partnershipID, q.Name, tokens, dob)
		if err != nil {
			return err
		}
		type key struct{ org, contact prevent.ID }
		seen := map[key]bool{}
		linked := 0
		for _, c := range found {
			org, contact, err := s.holder(ctx, tx, partnershipID, c)
			if err != nil {
				return err
			}
			r, err := signpostNames(ctx, tx, org, contact)
			if err != nil {
				return err
			}
			_, aerr := s.authorise(ctx, tx, p, access.CaseView, c.id)
			detail := "signposting search matched this case: only its organisation and contact were shown"
			switch {
			case aerr == nil:
				r.ReferralID, r.Reference = c.id, c.reference
				detail = "signposting search matched this case: linked, as the searcher may see it"
				linked++
				out = append(out, r)
			case prevent.ErrorKind(aerr) != prevent.NotFound:
				return aerr
			case !seen[key{org, contact}]:
				seen[key{org, contact}] = true
				out = append(out, r)
			}
			if err := s.signpostAudit(ctx, tx, p, partnershipID, "referral", c.id, q.purpose(), detail); err != nil {
				return err
			}
		}
		slices.SortStableFunc(out, func(a, b SignpostResult) int {
			return cmp.Or(cmp.Compare(a.Organisation, b.Organisation), cmp.Compare(a.Contact, b.Contact),
				cmp.Compare(a.ContactEmail, b.ContactEmail), cmp.Compare(a.Reference, b.Reference))
		})
		withDOB := "no"
		if dob != "" {
			withDOB = "yes"
		}
		return s.signpostAudit(ctx, tx, p, partnershipID, "signpost_search", 0, q.purpose(),
			fmt.Sprintf("signposting search (date of birth given: %s): %d results, %d of them linked cases", withDOB, len(out), linked))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// signpostAudit appends a consultation entry carrying the search's purpose.
func (s *Service) signpostAudit(ctx context.Context, tx *database.Tx, p prevent.Principal, partnershipID prevent.ID, kind string, id prevent.ID, purpose, detail string) error {
	e := audit.New(ctx, s.now(), audit.Consult, kind, id)
	e.ActorID, e.ActorOrg, e.PartnershipID = p.PersonID, p.OrganisationID, partnershipID
	e.Purpose, e.Detail = purpose, detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("casework: signpost audit: %w", err)
	}
	return nil
}

// signpostSQL is the statement of signpostCandidates and its arguments.
func signpostSQL(dialect database.Dialect, partnershipID prevent.ID, tokens []string, dob string) (string, []any) {
	args := []any{partnershipID, dob}
	like := make([]string, len(tokens))
	for i, t := range tokens {
		args = append(args, "%"+t+"%")
		like[i] = fmt.Sprintf("cs.name_key LIKE $%d", len(args))
	}
	// The people who may match, looked up in indexes rather than by reading every referral of the
	// partnership: those born on the date (case_subjects_dob) and those whose name the name index finds
	// (see nameLookup). The conditions below still decide. When no word of the name can be looked up (every
	// word shorter than three letters), the partnership's referrals are read in order, as before.
	candidates, partnership := "", "r.partnership_id"
	if names, more, ok := nameLookup(dialect, tokens, len(args)); ok {
		if dialect == database.SQLite {
			// Unary plus: not through referrals_list, which would read the partnership's referrals in
			// order and look each one up in the candidates, but through referrals_subject, candidates first.
			partnership = "+r.partnership_id"
		}
		args = append(args, more...)
		candidates = ` AND r.subject_id IN (SELECT id FROM case_subjects WHERE partnership_id = $1 AND $2 <> '' AND date_of_birth = $2
			UNION ALL ` + names + `)`
	}
	args = append(args, maxSignpostCandidates)
	return `SELECT r.id, COALESCE(r.reference, ''), r.state, r.author_id, r.referrer_org_id,
		cs.given_names, cs.family_name, cs.aliases, COALESCE(cs.date_of_birth, '')
		FROM referrals r JOIN case_subjects cs ON cs.id = r.subject_id
		WHERE ` + partnership + ` = $1 AND r.state NOT IN ('draft', 'deleted')
		AND (($2 <> '' AND cs.date_of_birth = $2) OR (` + strings.Join(like, " AND ") + `))` + candidates + `
		ORDER BY r.id LIMIT $` + fmt.Sprint(len(args)), args
}

// signpostCandidates reads the partnership's referrals whose person may be the one searched for (see Signpost).
func signpostCandidates(ctx context.Context, tx *database.Tx, partnershipID prevent.ID, name string, tokens []string, dob string) ([]signpostCandidate, error) {
	query, args := signpostSQL(tx.Dialect, partnershipID, tokens, dob)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("casework: signpost: %w", err)
	}
	defer rows.Close()
	var out []signpostCandidate
	for rows.Next() {
		var c signpostCandidate
		var given, family, aliases, cdob string
		if err := rows.Scan(&c.id, &c.reference, &c.state, &c.author, &c.org, &given, &family, &aliases, &cdob); err != nil {
			return nil, err
		}
		theirs := []string{given + " " + family}
		for _, a := range strings.Split(aliases, "\n") {
			if strings.TrimSpace(a) != "" {
				theirs = append(theirs, a)
			}
		}
		match := false
		switch {
		case dob != "" && cdob == dob:
			match = slices.ContainsFunc(theirs, func(t string) bool { return SimilarNames(name, t) })
		case dob == "" || cdob == "":
			match = slices.ContainsFunc(theirs, func(t string) bool { return sameNameWords(tokens, t) })
		}
		if match {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// sameNameWords reports whether every word searched for is a word of name, after normalising.
func sameNameWords(words []string, name string) bool {
	theirs := strings.Fields(NormaliseName(name))
	for _, w := range words {
		if !slices.Contains(theirs, w) {
			return false
		}
	}
	return len(words) > 0
}

// holder returns the organisation that holds a referral and the person to contact there (0 when there is no
// one to name). A case that has gone to Channel (a Channel state, a panel, or a coordinator assigned) is held
// by the coordinating organisation: the first coordinator assigned, else the chair of its panel, else the
// partnership's first coordinator. Any other referral is held by the referring organisation, whose contact is
// the referrer, else the first of its people with a casework role in the partnership.
func (s *Service) holder(ctx context.Context, tx *database.Tx, partnershipID prevent.ID, c signpostCandidate) (org, contact prevent.ID, err error) {
	one := func(q string, args ...any) (bool, error) {
		err := tx.QueryRowContext(ctx, q, args...).Scan(&contact, &org)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("casework: signpost holder: %w", err)
		}
		return true, nil
	}
	ok, err := one(`SELECT p.id, p.organisation_id FROM case_assignments a JOIN people p ON p.id = a.person_id
		WHERE a.referral_id = $1 AND a.role = $2 AND p.disabled_at IS NULL ORDER BY a.assigned_at, p.id LIMIT 1`, c.id, string(prevent.Coordinator))
	if ok || err != nil {
		return org, contact, err
	}
	var panels int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM case_panels WHERE referral_id = $1`, c.id).Scan(&panels); err != nil {
		return 0, 0, fmt.Errorf("casework: signpost holder: %w", err)
	}
	if panels > 0 || slices.Contains(channelStates, c.state) {
		ok, err := one(`SELECT p.id, p.organisation_id FROM case_panels cp JOIN panel_members pm ON pm.panel_id = cp.panel_id
			JOIN people p ON p.id = pm.person_id WHERE cp.referral_id = $1 AND pm.panel_role = 'chair' AND p.disabled_at IS NULL
			ORDER BY pm.id LIMIT 1`, c.id)
		if ok || err != nil {
			return org, contact, err
		}
		ok, err = one(`SELECT p.id, p.organisation_id FROM memberships m JOIN people p ON p.id = m.person_id
			WHERE m.partnership_id = $1 AND m.role = $2 AND p.disabled_at IS NULL ORDER BY p.id LIMIT 1`, partnershipID, string(prevent.Coordinator))
		if ok || err != nil {
			return org, contact, err
		}
	}
	ok, err = one(`SELECT id, organisation_id FROM people WHERE id = $1 AND organisation_id = $2 AND disabled_at IS NULL`, c.author, c.org)
	if ok || err != nil {
		return org, contact, err
	}
	ok, err = one(`SELECT p.id, p.organisation_id FROM people p JOIN memberships m ON m.person_id = p.id
		WHERE p.organisation_id = $1 AND m.partnership_id = $2 AND p.disabled_at IS NULL
		AND m.role IN ('coordinator', 'police_officer', 'panel_chair', 'panel_member', 'referrer') ORDER BY p.id LIMIT 1`, c.org, partnershipID)
	if ok || err != nil {
		return org, contact, err
	}
	return c.org, 0, nil
}

// signpostNames fills a result with the organisation's name and the contact's name and work email.
func signpostNames(ctx context.Context, tx *database.Tx, org, contact prevent.ID) (SignpostResult, error) {
	var r SignpostResult
	if err := tx.QueryRowContext(ctx, `SELECT name FROM organisations WHERE id = $1`, org).Scan(&r.Organisation); err != nil {
		return r, fmt.Errorf("casework: signpost organisation: %w", err)
	}
	if contact != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT name, email FROM people WHERE id = $1`, contact).Scan(&r.Contact, &r.ContactEmail); err != nil {
			return r, fmt.Errorf("casework: signpost contact: %w", err)
		}
	}
	return r, nil
}
