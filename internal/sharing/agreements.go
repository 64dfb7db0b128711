package sharing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing/ackalert"
)

// Status is where an information sharing agreement is in its life.
type Status string

// The agreement statuses.
const (
	Draft     Status = "draft"
	Active    Status = "active"
	Suspended Status = "suspended"
	Expired   Status = "expired"
)

// transitions is the agreement state machine: from each status, the statuses it may move to. Expired is
// final: a lapsed agreement is replaced by a new one, so that each one's history stays as it was signed.
var transitions = map[Status][]Status{
	Draft:     {Active},
	Active:    {Suspended, Expired},
	Suspended: {Active, Expired},
}

// CanMove reports whether the state machine allows from → to.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// AcknowledgementText is the version of the text a non-public body acknowledges: that it is a controller
// with its own duties under the UK GDPR and the DPA 2018 for the data it receives. Change the version
// whenever the text changes.
const AcknowledgementText = "dp-duties-2026-1"

// Signatory is a person who signed an agreement for a party.
type Signatory struct {
	ID             prevent.ID
	OrganisationID prevent.ID
	Name           string
	JobTitle       string
	SignedOn       time.Time
}

// Agreement is an information sharing agreement between member organisations of a partnership.
type Agreement struct {
	ID            prevent.ID
	PartnershipID prevent.ID
	Title         string
	Parties       []prevent.ID
	Purposes      []Purpose
	Categories    []Category
	Gateways      []string
	Retention     string
	Disposal      string
	Security      string
	ReviewDate    time.Time
	// Status is the stored status; use StatusOn for the status in force on a day.
	Status       Status
	StatusAt     time.Time
	StatusReason string
	Signatories  []Signatory
	CreatedAt    time.Time
}

// StatusOn is the status in force at now: an active or suspended agreement whose review date has passed
// has expired, whether or not anyone recorded it.
func (a Agreement) StatusOn(now time.Time) Status {
	if (a.Status == Active || a.Status == Suspended) && day(now) > day(a.ReviewDate) {
		return Expired
	}
	return a.Status
}

// ExpiredOn is the day an agreement lapses by its review date: the day after.
func (a Agreement) ExpiredOn() time.Time { return a.ReviewDate.AddDate(0, 0, 1) }

// AgreementInput is a draft agreement.
type AgreementInput struct {
	Title      string
	Parties    []prevent.ID
	Purposes   []Purpose
	Categories []Category
	Gateways   []string
	Retention  string
	Disposal   string
	Security   string
	ReviewDate time.Time
}

// Validate checks the input, returning field errors in form order.
func (in AgreementInput) Validate() error {
	var f prevent.Fields
	if t := strings.TrimSpace(in.Title); t == "" {
		f.Add("title", "Enter a title for the agreement")
	} else if len(t) > 200 {
		f.Add("title", "Title must be 200 characters or fewer")
	}
	parties := slices.Compact(slices.Sorted(slices.Values(in.Parties)))
	if len(parties) < 2 || slices.Contains(parties, 0) {
		f.Add("parties", "Select at least two organisations that are party to the agreement")
	}
	if ps := uniq(in.Purposes); len(ps) == 0 {
		f.Add("purposes", "Select the purposes of the sharing")
	} else if slices.ContainsFunc(ps, func(x Purpose) bool { return !x.Valid() }) {
		f.Add("purposes", "Select purposes from the list")
	}
	if cs := uniq(in.Categories); len(cs) == 0 {
		f.Add("categories", "Select the categories of data shared")
	} else if slices.ContainsFunc(cs, func(c Category) bool { return !c.Valid() }) {
		f.Add("categories", "Select categories from the list")
	}
	if len(uniq(in.Gateways)) == 0 {
		f.Add("gateways", "Select the legal gateways the sharing relies on")
	}
	if strings.TrimSpace(in.Retention) == "" {
		f.Add("retention", "Enter the agreed retention periods")
	}
	if strings.TrimSpace(in.Disposal) == "" {
		f.Add("disposal", "Enter how shared data is disposed of")
	}
	if strings.TrimSpace(in.Security) == "" {
		f.Add("security", "Enter the security measures")
	}
	if in.ReviewDate.IsZero() {
		f.Add("review-date", "Enter the review date")
	}
	return f.Err()
}

// CreateAgreement drafts an agreement between member organisations of the partnership.
func (s *Service) CreateAgreement(ctx context.Context, p prevent.Principal, partnership prevent.ID, in AgreementInput) (prevent.ID, error) {
	if err := s.authorise(p, access.AgreementManage, "agreement", partnership, "Partnership"); err != nil {
		return 0, err
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	parties := slices.Compact(slices.Sorted(slices.Values(in.Parties)))
	gateways := uniq(in.Gateways)
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		var f prevent.Fields
		for _, o := range parties {
			if _, ok, err := memberOrganisation(ctx, tx, partnership, o); err != nil {
				return err
			} else if !ok && !f.Has("parties") {
				f.Add("parties", "Select organisations that are members of the partnership")
			}
		}
		for _, g := range gateways {
			if vs, err := gatewayVersions(ctx, tx, partnership, g); err != nil {
				return err
			} else if len(vs) == 0 && !f.Has("gateways") {
				f.Add("gateways", "Select gateways from the list")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO sharing_agreements (partnership_id, title, purposes, categories, gateways,
			retention, disposal, security, review_date, status, status_at, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $11) RETURNING id`,
			partnership, strings.TrimSpace(in.Title), joinList(uniq(in.Purposes)), joinList(uniq(in.Categories)), strings.Join(gateways, " "),
			strings.TrimSpace(in.Retention), strings.TrimSpace(in.Disposal), strings.TrimSpace(in.Security), day(in.ReviewDate),
			string(Draft), now, p.PersonID).Scan(&id); err != nil {
			return err
		}
		for _, o := range parties {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sharing_agreement_parties (agreement_id, organisation_id) VALUES ($1, $2)`, id, o); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, audit.Admin, "agreement", id, partnership, "information sharing governance", "drafted")
	})
	if err != nil {
		return 0, fmt.Errorf("sharing: create agreement: %w", err)
	}
	return id, nil
}

// loadAgreement reads an agreement with its parties and signatories through q.
func loadAgreement(ctx context.Context, q database.Querier, id prevent.ID) (Agreement, error) {
	a := Agreement{ID: id}
	var purposes, categories, gateways, review string
	err := q.QueryRowContext(ctx, `SELECT partnership_id, title, purposes, categories, gateways, retention, disposal, security,
		review_date, status, status_at, status_reason, created_at FROM sharing_agreements WHERE id = $1`, id).
		Scan(&a.PartnershipID, &a.Title, &purposes, &categories, &gateways, &a.Retention, &a.Disposal, &a.Security,
			&review, &a.Status, &a.StatusAt, &a.StatusReason, &a.CreatedAt)
	if isNoRows(err) {
		return a, access.NotFound("Agreement")
	}
	if err != nil {
		return a, fmt.Errorf("sharing: agreement %d: %w", id, err)
	}
	a.Purposes, a.Categories, a.Gateways = splitList[Purpose](purposes), splitList[Category](categories), strings.Fields(gateways)
	a.ReviewDate = parseDay(review)
	rows, err := q.QueryContext(ctx, `SELECT organisation_id FROM sharing_agreement_parties WHERE agreement_id = $1 ORDER BY organisation_id`, id)
	if err != nil {
		return a, err
	}
	for rows.Next() {
		var o prevent.ID
		if err := rows.Scan(&o); err != nil {
			rows.Close()
			return a, err
		}
		a.Parties = append(a.Parties, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return a, err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, organisation_id, name, job_title, signed_on FROM sharing_agreement_signatories
		WHERE agreement_id = $1 ORDER BY id`, id)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	for rows.Next() {
		var sg Signatory
		var on string
		if err := rows.Scan(&sg.ID, &sg.OrganisationID, &sg.Name, &sg.JobTitle, &on); err != nil {
			return a, err
		}
		sg.SignedOn = parseDay(on)
		a.Signatories = append(a.Signatories, sg)
	}
	return a, rows.Err()
}

// agreementIDs lists the partnership's agreements through q, newest first; statuses filters when given.
func agreementIDs(ctx context.Context, q database.Querier, partnership prevent.ID, statuses ...Status) ([]prevent.ID, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, status FROM sharing_agreements WHERE partnership_id = $1 ORDER BY id DESC`, partnership)
	if err != nil {
		return nil, fmt.Errorf("sharing: agreements: %w", err)
	}
	defer rows.Close()
	var out []prevent.ID
	for rows.Next() {
		var id prevent.ID
		var st Status
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		if len(statuses) == 0 || slices.Contains(statuses, st) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

func loadAgreements(ctx context.Context, q database.Querier, partnership prevent.ID, statuses ...Status) ([]Agreement, error) {
	ids, err := agreementIDs(ctx, q, partnership, statuses...)
	if err != nil {
		return nil, err
	}
	out := make([]Agreement, 0, len(ids))
	for _, id := range ids {
		a, err := loadAgreement(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Agreement returns one agreement. Agreements hold no personal data beyond signatories' names and roles.
func (s *Service) Agreement(ctx context.Context, p prevent.Principal, id prevent.ID) (Agreement, error) {
	a, err := loadAgreement(ctx, s.db.Read(), id)
	if err != nil {
		return a, err
	}
	if err := s.authorise(p, access.AgreementView, "agreement", a.PartnershipID, "Agreement"); err != nil {
		return Agreement{}, err
	}
	return a, nil
}

// Agreements lists the partnership's agreements, newest first.
func (s *Service) Agreements(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]Agreement, error) {
	if err := s.authorise(p, access.AgreementView, "agreement", partnership, "Partnership"); err != nil {
		return nil, err
	}
	return loadAgreements(ctx, s.db.Read(), partnership)
}

// SignatoryInput is a person signing an agreement on behalf of a party.
type SignatoryInput struct {
	OrganisationID prevent.ID
	Name           string
	JobTitle       string
	SignedOn       time.Time
}

// AddSignatory records a signature for a party of a draft or suspended agreement.
func (s *Service) AddSignatory(ctx context.Context, p prevent.Principal, agreementID prevent.ID, in SignatoryInput) error {
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadAgreement(ctx, tx, agreementID)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.AgreementManage, "agreement", a.PartnershipID, "Agreement"); err != nil {
			return err
		}
		var f prevent.Fields
		if !slices.Contains(a.Parties, in.OrganisationID) {
			f.Add("organisation", "Select an organisation that is party to the agreement")
		}
		if strings.TrimSpace(in.Name) == "" {
			f.Add("name", "Enter the signatory’s name")
		}
		if strings.TrimSpace(in.JobTitle) == "" {
			f.Add("job-title", "Enter the signatory’s job title")
		}
		if in.SignedOn.IsZero() {
			f.Add("signed-on", "Enter the date of signature")
		} else if day(in.SignedOn) > day(s.now()) {
			f.Add("signed-on", "The date of signature must be today or in the past")
		}
		if err := f.Err(); err != nil {
			return err
		}
		if st := a.StatusOn(s.now()); st != Draft && st != Suspended {
			return prevent.Errorf(prevent.Conflict, "Signatures can be added only to a draft or suspended agreement; this one is %s", st)
		}
		var sid prevent.ID
		if err := tx.QueryRowContext(ctx, `INSERT INTO sharing_agreement_signatories (agreement_id, organisation_id, name, job_title,
			signed_on, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			agreementID, in.OrganisationID, strings.TrimSpace(in.Name), strings.TrimSpace(in.JobTitle), day(in.SignedOn), p.PersonID, s.now()).Scan(&sid); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "agreement", agreementID, a.PartnershipID, "information sharing governance",
			fmt.Sprintf("signatory %d recorded for organisation %d", sid, in.OrganisationID))
	})
	if err != nil {
		return fmt.Errorf("sharing: add signatory: %w", err)
	}
	return nil
}

// Acknowledgement is a non-public body's recorded acknowledgement of its own data protection duties.
type Acknowledgement struct {
	ID             prevent.ID
	OrganisationID prevent.ID
	AcknowledgedBy string
	AcknowledgedOn time.Time
	TextVersion    string
	RecordedBy     prevent.ID
	RecordedAt     time.Time
}

// AcknowledgementInput is who acknowledged, when, and which version of the text they saw.
type AcknowledgementInput struct {
	AcknowledgedBy string // name and role of the person who acknowledged for the organisation
	AcknowledgedOn time.Time
	TextVersion    string
}

// RecordAcknowledgement records that an organisation of the partnership acknowledged its own data
// protection duties, and closes the partnership's open alerts that it stopped being a public body.
func (s *Service) RecordAcknowledgement(ctx context.Context, p prevent.Principal, partnership, organisationID prevent.ID, in AcknowledgementInput) (prevent.ID, error) {
	if err := s.authorise(p, access.AgreementManage, "acknowledgement", partnership, "Partnership"); err != nil {
		return 0, err
	}
	var f prevent.Fields
	if strings.TrimSpace(in.AcknowledgedBy) == "" {
		f.Add("acknowledged-by", "Enter the name and role of the person who acknowledged")
	}
	if in.AcknowledgedOn.IsZero() {
		f.Add("acknowledged-on", "Enter the date of the acknowledgement")
	} else if day(in.AcknowledgedOn) > day(s.now()) {
		f.Add("acknowledged-on", "The date of the acknowledgement must be today or in the past")
	}
	if strings.TrimSpace(in.TextVersion) == "" {
		f.Add("text-version", "Enter the version of the text acknowledged")
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, ok, err := memberOrganisation(ctx, tx, partnership, organisationID); err != nil {
			return err
		} else if !ok {
			return access.NotFound("Organisation")
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO sharing_acknowledgements (partnership_id, organisation_id, acknowledged_by,
			acknowledged_on, text_version, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			partnership, organisationID, strings.TrimSpace(in.AcknowledgedBy), day(in.AcknowledgedOn), strings.TrimSpace(in.TextVersion),
			p.PersonID, s.now()).Scan(&id); err != nil {
			return err
		}
		// The data protection officers' alerts that the organisation stopped being a public body are answered.
		if _, err := ackalert.Resolve(ctx, tx, p, organisationID, partnership, s.now(), fmt.Sprintf("acknowledgement %d recorded", id)); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "acknowledgement", id, partnership, "information sharing governance",
			fmt.Sprintf("organisation %d acknowledged its data protection duties (text %s)", organisationID, strings.TrimSpace(in.TextVersion)))
	})
	if err != nil {
		return 0, fmt.Errorf("sharing: acknowledgement: %w", err)
	}
	return id, nil
}

// latestAcknowledgement returns the organisation's latest acknowledgement through q, if any.
func latestAcknowledgement(ctx context.Context, q database.Querier, organisationID prevent.ID) (Acknowledgement, bool, error) {
	a := Acknowledgement{OrganisationID: organisationID}
	var on string
	err := q.QueryRowContext(ctx, `SELECT id, acknowledged_by, acknowledged_on, text_version, recorded_by, recorded_at
		FROM sharing_acknowledgements WHERE organisation_id = $1 ORDER BY id DESC LIMIT 1`, organisationID).
		Scan(&a.ID, &a.AcknowledgedBy, &on, &a.TextVersion, &a.RecordedBy, &a.RecordedAt)
	if isNoRows(err) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("sharing: acknowledgement: %w", err)
	}
	a.AcknowledgedOn = parseDay(on)
	return a, true, nil
}

// activationProblems lists, as field errors, what stops the agreement being active at now.
func (s *Service) activationProblems(ctx context.Context, q database.Querier, a Agreement, now time.Time) (prevent.Fields, error) {
	var f prevent.Fields
	if day(a.ReviewDate) < day(now) {
		f.Add("review-date", "The review date "+day(a.ReviewDate)+" has passed: agree a new agreement")
	}
	for _, g := range a.Gateways {
		gw, exists, valid, err := gatewayOn(ctx, q, a.PartnershipID, g, now)
		if err != nil {
			return nil, err
		}
		if !exists {
			f.Add("gateways", "The gateway "+g+" is not known")
		} else if !valid {
			f.Add("gateways", "The gateway "+gw.Name+" is not valid today")
		}
	}
	for _, o := range a.Parties {
		org, ok, err := memberOrganisation(ctx, q, a.PartnershipID, o)
		if err != nil {
			return nil, err
		}
		if !ok {
			f.Add("parties", fmt.Sprintf("Organisation %d is no longer a member of the partnership", o))
			continue
		}
		if !slices.ContainsFunc(a.Signatories, func(sg Signatory) bool { return sg.OrganisationID == o }) {
			f.Add("signatories", org.Name+" has not signed the agreement")
		}
		if !org.PublicBody {
			if _, ok, err := latestAcknowledgement(ctx, q, o); err != nil {
				return nil, err
			} else if !ok {
				f.Add("acknowledgements", org.Name+" is not a public body and has not acknowledged its own data protection duties")
			}
		}
	}
	return f, nil
}

// Transition moves an agreement to another status. Activating (or resuming a suspended agreement) needs a
// future review date, valid gateways, a signatory for every party and, for every party that is not a
// public body, its acknowledgement of its own data protection duties. Suspending and expiring need a reason.
func (s *Service) Transition(ctx context.Context, p prevent.Principal, agreementID prevent.ID, to Status, reason string) error {
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadAgreement(ctx, tx, agreementID)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.AgreementManage, "agreement", a.PartnershipID, "Agreement"); err != nil {
			return err
		}
		now := s.now()
		from := a.StatusOn(now)
		if to == Expired && from == Expired && a.Status != Expired {
			from = a.Status // recording the lapse of an agreement past its review date
		}
		if !CanMove(from, to) {
			return prevent.Errorf(prevent.Conflict, "An agreement that is %s cannot become %s", from, to)
		}
		reason = strings.TrimSpace(reason)
		switch to {
		case Active:
			f, err := s.activationProblems(ctx, tx, a, now)
			if err != nil {
				return err
			}
			if len(f) > 0 {
				msgs := make([]string, len(f))
				for i, e := range f {
					msgs[i] = e.Message
				}
				return &prevent.Error{Kind: prevent.Invalid, Message: "The agreement cannot be made active: " + strings.Join(msgs, "; "), Fields: f}
			}
		case Suspended, Expired:
			if reason == "" {
				return prevent.Validation([]prevent.FieldError{{Field: "reason", Message: "Enter the reason"}})
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sharing_agreements SET status = $1, status_at = $2, status_reason = $3, updated_at = $2
			WHERE id = $4`, string(to), now, reason, agreementID); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Admin, "agreement", agreementID, a.PartnershipID, "information sharing governance",
			fmt.Sprintf("status %s to %s", from, to))
	})
	if err != nil {
		return fmt.Errorf("sharing: agreement %d to %s: %w", agreementID, to, err)
	}
	return nil
}

// AlertKind says why an agreement needs the data protection officer.
type AlertKind string

// The alert kinds.
const (
	AlertExpired   AlertKind = "expired"
	AlertSuspended AlertKind = "suspended"
)

// Alert tells the data protection officer that sharing under an agreement is blocked.
type Alert struct {
	PartnershipID prevent.ID
	AgreementID   prevent.ID
	Title         string
	Kind          AlertKind
	Since         time.Time
	Message       string
}

// Alerts lists, for each partnership where p is data protection officer (or auditor), every agreement
// that was in force and now blocks sharing: suspended, or expired (by record or because its review date
// passed before now).
func (s *Service) Alerts(ctx context.Context, p prevent.Principal, now time.Time) ([]Alert, error) {
	var out []Alert
	for _, pt := range p.Partnerships() {
		if !s.decide(p, access.DataProtectionView, access.Resource{Kind: "agreement", PartnershipID: pt}, s.now()).Allow {
			continue
		}
		as, err := loadAgreements(ctx, s.db.Read(), pt, Active, Suspended, Expired)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			switch a.StatusOn(now) {
			case Suspended:
				out = append(out, Alert{PartnershipID: pt, AgreementID: a.ID, Title: a.Title, Kind: AlertSuspended, Since: a.StatusAt,
					Message: fmt.Sprintf("%s is suspended (%s): sharing under it is blocked", a.Title, a.StatusReason)})
			case Expired:
				since := a.ExpiredOn()
				if a.Status == Expired {
					since = a.StatusAt
				}
				out = append(out, Alert{PartnershipID: pt, AgreementID: a.ID, Title: a.Title, Kind: AlertExpired, Since: since,
					Message: fmt.Sprintf("%s expired (review date %s): sharing under it is blocked", a.Title, day(a.ReviewDate))})
			}
		}
	}
	return out, nil
}

// UpdateAgreement amends a draft agreement. Signatures are for the text signed, so an amendment removes
// the signatures already recorded (the audit log keeps them).
func (s *Service) UpdateAgreement(ctx context.Context, p prevent.Principal, agreementID prevent.ID, in AgreementInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	parties := slices.Compact(slices.Sorted(slices.Values(in.Parties)))
	gateways := uniq(in.Gateways)
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadAgreement(ctx, tx, agreementID)
		if err != nil {
			return err
		}
		if err := s.authorise(p, access.AgreementManage, "agreement", a.PartnershipID, "Agreement"); err != nil {
			return err
		}
		if a.Status != Draft {
			return prevent.Errorf(prevent.Conflict, "Only a draft agreement can be amended; this one is %s", a.StatusOn(s.now()))
		}
		var f prevent.Fields
		for _, o := range parties {
			if _, ok, err := memberOrganisation(ctx, tx, a.PartnershipID, o); err != nil {
				return err
			} else if !ok && !f.Has("parties") {
				f.Add("parties", "Select organisations that are members of the partnership")
			}
		}
		for _, g := range gateways {
			if vs, err := gatewayVersions(ctx, tx, a.PartnershipID, g); err != nil {
				return err
			} else if len(vs) == 0 && !f.Has("gateways") {
				f.Add("gateways", "Select gateways from the list")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sharing_agreements SET title = $1, purposes = $2, categories = $3, gateways = $4,
			retention = $5, disposal = $6, security = $7, review_date = $8, updated_at = $9 WHERE id = $10`,
			strings.TrimSpace(in.Title), joinList(uniq(in.Purposes)), joinList(uniq(in.Categories)), strings.Join(gateways, " "),
			strings.TrimSpace(in.Retention), strings.TrimSpace(in.Disposal), strings.TrimSpace(in.Security), day(in.ReviewDate),
			s.now(), agreementID); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM sharing_agreement_parties WHERE agreement_id = $1`,
			`DELETE FROM sharing_agreement_signatories WHERE agreement_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, agreementID); err != nil {
				return err
			}
		}
		for _, o := range parties {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sharing_agreement_parties (agreement_id, organisation_id) VALUES ($1, $2)`, agreementID, o); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, audit.Admin, "agreement", agreementID, a.PartnershipID, "information sharing governance",
			fmt.Sprintf("amended; %d signatures removed", len(a.Signatories)))
	})
	if err != nil {
		return fmt.Errorf("sharing: amend agreement: %w", err)
	}
	return nil
}

// expireBatch bounds how many agreements one transaction of ExpireDue expires.
const expireBatch = 500

// ExpireDue records as expired every active or suspended agreement whose review date passed before now,
// so that the stored status matches what Disclose already enforces. It is for the daily job: it acts as
// the system (actor 0) and audits each change. It returns how many agreements it expired.
func (s *Service) ExpireDue(ctx context.Context, now time.Time) (int, error) {
	n, _, err := s.ExpireDueUpTo(ctx, now, 0)
	return n, err
}

// ExpireDueUpTo is ExpireDue reading the agreements due through their index (sharing_agreements_review) and
// expiring them in transactions of at most expireBatch, stopping after limit (none when 0) or when three
// quarters of the time to ctx's deadline has passed (jobs.Budget); more reports that agreements were left
// for the next run, which finds them again (an expired agreement is no longer due).
func (s *Service) ExpireDueUpTo(ctx context.Context, now time.Time, limit int) (n int, more bool, err error) {
	budget := jobs.Budget(ctx)
	type due struct {
		id, partnership prevent.ID
		status          Status
	}
	var list []due
	rows, err := s.db.Read().QueryContext(ctx, expireDueSQL, string(Active), string(Suspended), day(now))
	if err != nil {
		return 0, false, fmt.Errorf("sharing: expire agreements: %w", err)
	}
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.partnership, &d.status); err != nil {
			rows.Close()
			return 0, false, fmt.Errorf("sharing: expire agreements: %w", err)
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("sharing: expire agreements: %w", err)
	}
	slices.SortFunc(list, func(a, b due) int { return cmp.Compare(a.id, b.id) })
	if limit > 0 && len(list) > limit {
		list, more = list[:limit], true
	}
	for len(list) > 0 {
		if !budget() {
			return n, true, nil
		}
		batch := list[:min(len(list), expireBatch)]
		list = list[len(batch):]
		done := 0
		err := s.db.WithTx(ctx, func(tx *database.Tx) error {
			for _, d := range batch {
				// Only an agreement still active or suspended, with its review date passed, is expired.
				res, err := tx.ExecContext(ctx, `UPDATE sharing_agreements SET status = $1, status_at = $2, status_reason = $3, updated_at = $2
					WHERE id = $4 AND status = $5 AND review_date < $6`, string(Expired), s.now(), "review date passed", d.id, string(d.status), day(now))
				if err != nil {
					return err
				}
				if k, _ := res.RowsAffected(); k == 0 {
					continue
				}
				if err := s.record(ctx, tx, prevent.Principal{}, audit.Admin, "agreement", d.id, d.partnership, "information sharing governance",
					fmt.Sprintf("status %s to %s: review date passed", d.status, Expired)); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return n, false, fmt.Errorf("sharing: expire agreements: %w", err)
		}
		n += done
	}
	return n, more, nil
}

// expireDueSQL lists the agreements with a status ($1 or $2) whose review date passed before $3.
const expireDueSQL = `SELECT id, partnership_id, status FROM sharing_agreements WHERE status IN ($1, $2) AND review_date < $3`
