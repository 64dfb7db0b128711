package sharing

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// DisclosureInput is what Annex 1 of the 2009 guide asks for every sharing of personal information: what (data
// categories and fields of a record), to whom (an organisation and its people), why (purpose and expected
// outcome), on what legal basis (gateway), whether consent was sought, and why it is necessary and
// proportionate.
type DisclosureInput struct {
	PartnershipID prevent.ID
	FromOrg       prevent.ID
	ToOrg         prevent.ID
	// Recipients are people of ToOrg the data goes to; may be empty when it goes to the organisation.
	Recipients []prevent.ID
	RecordKind string
	RecordID   prevent.ID
	Categories []Category
	// Fields name the record's fields disclosed (for example "subject.date_of_birth"); optional.
	Fields          []string
	Purpose         Purpose
	ExpectedOutcome string
	Gateway         string
	Consent         Consent
	// ConsentReason says why consent was refused or not sought; required then.
	ConsentReason string
	// Necessity is the necessity and proportionality statement.
	Necessity string
}

var fieldPattern = regexp.MustCompile(`^[a-z0-9_.\-]{1,100}$`)

// problems collects what is missing from a disclosure: a field error for each, and a sentence for the message.
type problems struct {
	fields prevent.Fields
	says   []string
}

func (p *problems) add(field, message string) {
	p.fields.Add(field, message)
	p.says = append(p.says, message)
}

func (p *problems) err() error {
	if len(p.says) == 0 {
		return nil
	}
	return &prevent.Error{Kind: prevent.Invalid, Message: "This information cannot be shared: " + strings.Join(p.says, "; "), Fields: p.fields}
}

// Disclose checks a disclosure and records it in the ledger inside the caller's transaction, so that the
// action that discloses and its disclosure commit together. It refuses, with an Invalid error whose message
// says exactly what is missing and a field error for each missing element, unless the disclosure falls under
// an agreement in force today between the two organisations that covers its purpose, its data categories
// and its gateway; the gateway is valid today and open to the discloser's sector; where consent was refused
// or not sought, the gateway permits sharing without consent; a receiving organisation that is not a public
// body has its acknowledgement of its own data protection duties recorded in the partnership; and the
// necessity and proportionality statement, the expected outcome and the consent reason (when needed) are
// given. On success it appends one audit entry with action "disclose" naming the recipient organisation.
func (s *Service) Disclose(ctx context.Context, tx *database.Tx, p prevent.Principal, in DisclosureInput) (prevent.ID, error) {
	c, err := s.check(ctx, tx, p, &in)
	if err != nil {
		return 0, err
	}
	now, agreementID, gw := c.now, c.agreementID, c.gateway
	var id prevent.ID
	err = tx.QueryRowContext(ctx, `INSERT INTO sharing_disclosures (partnership_id, agreement_id, from_org, to_org, recipients,
		record_kind, record_id, categories, fields, purpose, expected_outcome, gateway_code, gateway_version, consent,
		consent_reason, necessity, disclosed_by, disclosed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		in.PartnershipID, agreementID, in.FromOrg, in.ToOrg, joinIDs(in.Recipients), in.RecordKind, in.RecordID,
		joinList(in.Categories), strings.Join(in.Fields, " "), string(in.Purpose), strings.TrimSpace(in.ExpectedOutcome),
		gw.Code, gw.Version, string(in.Consent), strings.TrimSpace(in.ConsentReason), strings.TrimSpace(in.Necessity),
		p.PersonID, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("sharing: disclose: %w", err)
	}
	e := audit.New(ctx, now, audit.Disclose, in.RecordKind, in.RecordID)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = in.PartnershipID
	e.Purpose = in.Purpose.String()
	e.RecipientOrg = in.ToOrg
	e.Detail = fmt.Sprintf("disclosure %d under agreement %d; gateway %s v%d; categories %s; consent %s",
		id, agreementID, gw.Code, gw.Version, joinList(in.Categories), in.Consent)
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return 0, fmt.Errorf("sharing: disclose: audit: %w", err)
	}
	return id, nil
}

// Check makes every check Disclose makes, reading through the caller's transaction, and writes nothing: it
// returns the same refusal Disclose would return now, or nil when the disclosure could be made. It is for
// an action that records today what it will disclose later (an intervention drafted before consent to
// support), so that a disclosure that could not be made is refused when it is drafted.
func (s *Service) Check(ctx context.Context, tx *database.Tx, p prevent.Principal, in DisclosureInput) error {
	_, err := s.check(ctx, tx, p, &in)
	return err
}

// checked is what check found for a disclosure it allows.
type checked struct {
	now         time.Time
	agreementID prevent.ID
	gateway     Gateway
}

// check decides whether the disclosure may be made now (see Disclose), normalising in's lists.
func (s *Service) check(ctx context.Context, tx *database.Tx, p prevent.Principal, in *DisclosureInput) (checked, error) {
	if err := s.authorise(p, access.Disclose, "disclosure", in.PartnershipID, "Partnership"); err != nil {
		return checked{}, err
	}
	now := s.now()
	var pr problems
	in.Categories = uniq(in.Categories)
	in.Fields = uniq(in.Fields)
	in.Recipients = slices.Compact(slices.Sorted(slices.Values(in.Recipients)))

	from, fromOK, err := memberOrganisation(ctx, tx, in.PartnershipID, in.FromOrg)
	if err != nil {
		return checked{}, err
	}
	to, toOK, err := memberOrganisation(ctx, tx, in.PartnershipID, in.ToOrg)
	if err != nil {
		return checked{}, err
	}
	switch {
	case !fromOK:
		pr.add("from", "the disclosing organisation is not a member of the partnership")
	case in.FromOrg != p.OrganisationID:
		pr.add("from", "you can share only on behalf of your own organisation")
	}
	switch {
	case !toOK:
		pr.add("to", "the receiving organisation is not a member of the partnership")
	case in.ToOrg == in.FromOrg:
		pr.add("to", "the receiving organisation must be another organisation")
	}
	if toOK && len(in.Recipients) > 0 {
		n, err := countPeopleIn(ctx, tx, in.ToOrg, in.Recipients)
		if err != nil {
			return checked{}, err
		}
		if n != len(in.Recipients) {
			pr.add("recipients", "every recipient must work for "+to.Name)
		}
	}
	if strings.TrimSpace(in.RecordKind) == "" || in.RecordID <= 0 {
		pr.add("record", "the record shared is not named")
	}
	if len(in.Categories) == 0 {
		pr.add("categories", "the categories of data shared are not given")
	} else if slices.ContainsFunc(in.Categories, func(c Category) bool { return !c.Valid() }) {
		pr.add("categories", "a category of data is not on the list")
	}
	if slices.ContainsFunc(in.Fields, func(f string) bool { return !fieldPattern.MatchString(f) }) {
		pr.add("fields", "a field name is not valid")
	}
	if !in.Purpose.Valid() {
		pr.add("purpose", "the purpose is not given")
	}
	if strings.TrimSpace(in.ExpectedOutcome) == "" {
		pr.add("expected-outcome", "the expected outcome is not given")
	}
	if !in.Consent.Valid() {
		pr.add("consent", "the consent status (given, refused or not sought) is not given")
	} else if in.Consent != ConsentGiven && strings.TrimSpace(in.ConsentReason) == "" {
		pr.add("consent-reason", "the reason consent was "+map[Consent]string{ConsentRefused: "refused", ConsentNotSought: "not sought"}[in.Consent]+" is not given")
	}
	if strings.TrimSpace(in.Necessity) == "" {
		pr.add("necessity", "the necessity and proportionality statement is missing")
	}

	var gw Gateway
	gwOK := false
	if strings.TrimSpace(in.Gateway) == "" {
		pr.add("gateway", "the legal gateway is not given")
	} else {
		g, exists, valid, err := gatewayOn(ctx, tx, in.PartnershipID, in.Gateway, now)
		if err != nil {
			return checked{}, err
		}
		switch {
		case !exists:
			pr.add("gateway", "the legal gateway "+in.Gateway+" is not known")
		case !valid:
			pr.add("gateway", fmt.Sprintf("the legal gateway %s is not valid on %s (%s)", g.Name, day(now), validity(g)))
		default:
			gw, gwOK = g, true
			if fromOK && !g.For(from.Sector) {
				pr.add("gateway", fmt.Sprintf("the legal gateway %s cannot be relied on by %s (a %s organisation)", g.Name, from.Name, strings.ReplaceAll(from.Sector, "_", " ")))
			}
			if (in.Consent == ConsentRefused || in.Consent == ConsentNotSought) && !g.WithoutConsent {
				pr.add("consent", "consent was "+map[Consent]string{ConsentRefused: "refused", ConsentNotSought: "not sought"}[in.Consent]+
					" and the legal gateway "+g.Name+" does not permit sharing without consent")
			}
		}
	}

	var agreement Agreement
	if fromOK && toOK && in.FromOrg != in.ToOrg {
		agreement, err = s.coveringAgreement(ctx, tx, &pr, *in, from, to, gwOK, now)
		if err != nil {
			return checked{}, err
		}
	}
	// A receiving organisation that is not a public body takes on its own data protection duties for what it
	// receives: nothing goes to it under an agreement until it has acknowledged them (it may have stopped
	// being a public body after the agreement was made active).
	if agreement.ID != 0 && !to.PublicBody {
		acknowledged, err := acknowledgedIn(ctx, tx, in.PartnershipID, in.ToOrg)
		if err != nil {
			return checked{}, err
		}
		if !acknowledged {
			pr.add("acknowledgement", fmt.Sprintf("%s is not a public body and its acknowledgement of its own data protection duties, "+
				"needed to share with it under the agreement %q, is not recorded", to.Name, agreement.Title))
		}
	}
	if err := pr.err(); err != nil {
		return checked{}, err
	}
	return checked{now: now, agreementID: agreement.ID, gateway: gw}, nil
}

// acknowledgedIn reports, through q, whether the organisation's acknowledgement of its own data protection
// duties is recorded in the partnership.
func acknowledgedIn(ctx context.Context, q database.Querier, partnership, organisationID prevent.ID) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sharing_acknowledgements WHERE partnership_id = $1 AND organisation_id = $2`,
		partnership, organisationID).Scan(&n); err != nil {
		return false, fmt.Errorf("sharing: acknowledgement: %w", err)
	}
	return n > 0, nil
}

// coveringAgreement finds the agreement in force that covers the disclosure, or adds to pr what is missing
// measured against the closest agreement between the two organisations.
func (s *Service) coveringAgreement(ctx context.Context, q database.Querier, pr *problems, in DisclosureInput, from, to organisation, gwOK bool, now time.Time) (Agreement, error) {
	all, err := loadAgreements(ctx, q, in.PartnershipID, Active, Suspended, Expired)
	if err != nil {
		return Agreement{}, err
	}
	var between []Agreement
	for _, a := range all {
		if slices.Contains(a.Parties, in.FromOrg) && slices.Contains(a.Parties, in.ToOrg) {
			between = append(between, a)
		}
	}
	if len(between) == 0 {
		pr.add("agreement", fmt.Sprintf("there is no information sharing agreement between %s and %s", from.Name, to.Name))
		return Agreement{}, nil
	}
	var inForce []Agreement
	for _, a := range between {
		if a.StatusOn(now) == Active {
			inForce = append(inForce, a)
		}
	}
	if len(inForce) == 0 {
		a := between[0]
		if a.StatusOn(now) == Suspended {
			pr.add("agreement", fmt.Sprintf("the agreement %q between %s and %s is suspended", a.Title, from.Name, to.Name))
		} else {
			pr.add("agreement", fmt.Sprintf("the agreement %q between %s and %s expired (review date %s)", a.Title, from.Name, to.Name, day(a.ReviewDate)))
		}
		return Agreement{}, nil
	}
	type gap struct {
		field, message string
	}
	var best []gap
	var chosen Agreement
	for i, a := range inForce {
		var gaps []gap
		if in.Purpose.Valid() && !slices.Contains(a.Purposes, in.Purpose) {
			gaps = append(gaps, gap{"purpose", fmt.Sprintf("the agreement %q does not cover the purpose %q", a.Title, in.Purpose.String())})
		}
		var uncovered []string
		for _, c := range in.Categories {
			if c.Valid() && !slices.Contains(a.Categories, c) {
				uncovered = append(uncovered, string(c))
			}
		}
		if len(uncovered) > 0 {
			gaps = append(gaps, gap{"categories", fmt.Sprintf("the agreement %q does not cover the data categories %s", a.Title, strings.Join(uncovered, ", "))})
		}
		if gwOK && !slices.Contains(a.Gateways, in.Gateway) {
			gaps = append(gaps, gap{"gateway", fmt.Sprintf("the agreement %q does not rely on the legal gateway %s", a.Title, in.Gateway)})
		}
		if i == 0 || len(gaps) < len(best) {
			best, chosen = gaps, a
		}
		if len(gaps) == 0 {
			break
		}
	}
	for _, g := range best {
		pr.add(g.field, g.message)
	}
	return chosen, nil
}

func validity(g Gateway) string {
	if g.ValidTo.IsZero() {
		return "valid from " + day(g.ValidFrom)
	}
	return "valid from " + day(g.ValidFrom) + " to " + day(g.ValidTo.AddDate(0, 0, -1))
}

func countPeopleIn(ctx context.Context, q database.Querier, org prevent.ID, people []prevent.ID) (int, error) {
	n := 0
	for _, id := range people {
		var c int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = $1 AND organisation_id = $2`, id, org).Scan(&c); err != nil {
			return 0, fmt.Errorf("sharing: recipients: %w", err)
		}
		n += c
	}
	return n, nil
}

func joinIDs(ids []prevent.ID) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(out, " ")
}

func splitIDs(s string) []prevent.ID {
	var out []prevent.ID
	for _, f := range strings.Fields(s) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// DisclosedTo returns the organisations a record was disclosed to, in id order, and for each the fields
// disclosed to it (the union over its disclosures, in first-disclosed order). A disclosure that named
// categories but no fields contributes "category:<code>" entries, so that callers can map categories to
// their fields. Callers fill access.Resource.DisclosedTo with the first result and minimise with the second.
// Read it through the transaction when inside one.
func DisclosedTo(ctx context.Context, q database.Querier, recordKind string, recordID prevent.ID) ([]prevent.ID, map[prevent.ID][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT to_org, categories, fields FROM sharing_disclosures
		WHERE record_kind = $1 AND record_id = $2 ORDER BY id`, recordKind, recordID)
	if err != nil {
		return nil, nil, fmt.Errorf("sharing: disclosed to: %w", err)
	}
	defer rows.Close()
	var orgs []prevent.ID
	fields := map[prevent.ID][]string{}
	for rows.Next() {
		var org prevent.ID
		var cats, fs string
		if err := rows.Scan(&org, &cats, &fs); err != nil {
			return nil, nil, err
		}
		if !slices.Contains(orgs, org) {
			orgs = append(orgs, org)
		}
		add := strings.Fields(fs)
		if len(add) == 0 {
			for _, c := range strings.Fields(cats) {
				add = append(add, "category:"+c)
			}
		}
		for _, f := range add {
			if !slices.Contains(fields[org], f) {
				fields[org] = append(fields[org], f)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	slices.Sort(orgs)
	return orgs, fields, nil
}

// Disclosure is one row of the disclosure ledger.
type Disclosure struct {
	ID              prevent.ID
	PartnershipID   prevent.ID
	AgreementID     prevent.ID
	FromOrg         prevent.ID
	ToOrg           prevent.ID
	Recipients      []prevent.ID
	RecordKind      string
	RecordID        prevent.ID
	Categories      []Category
	Fields          []string
	Purpose         Purpose
	ExpectedOutcome string
	Gateway         string
	GatewayVersion  int
	Consent         Consent
	ConsentReason   string
	Necessity       string
	DisclosedBy     prevent.ID
	DisclosedAt     time.Time
}

// Disclosures returns the ledger of a record's disclosures, oldest first, for the data protection officer
// and auditors. The read is audited as a consultation of the record.
func (s *Service) Disclosures(ctx context.Context, p prevent.Principal, partnership prevent.ID, recordKind string, recordID prevent.ID) ([]Disclosure, error) {
	if err := s.authorise(p, access.DisclosureView, "disclosure", partnership, "Partnership"); err != nil {
		return nil, err
	}
	var out []Disclosure
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, agreement_id, from_org, to_org, recipients, categories, fields, purpose,
			expected_outcome, gateway_code, gateway_version, consent, consent_reason, necessity, disclosed_by, disclosed_at
			FROM sharing_disclosures WHERE partnership_id = $1 AND record_kind = $2 AND record_id = $3 ORDER BY id`,
			partnership, recordKind, recordID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := Disclosure{PartnershipID: partnership, RecordKind: recordKind, RecordID: recordID}
			var recipients, cats, fields string
			if err := rows.Scan(&d.ID, &d.AgreementID, &d.FromOrg, &d.ToOrg, &recipients, &cats, &fields, &d.Purpose,
				&d.ExpectedOutcome, &d.Gateway, &d.GatewayVersion, &d.Consent, &d.ConsentReason, &d.Necessity, &d.DisclosedBy, &d.DisclosedAt); err != nil {
				return err
			}
			d.Recipients, d.Categories, d.Fields = splitIDs(recipients), splitList[Category](cats), strings.Fields(fields)
			out = append(out, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, recordKind, recordID, partnership, "data protection oversight", "disclosure ledger read")
	})
	if err != nil {
		return nil, fmt.Errorf("sharing: disclosures: %w", err)
	}
	return out, nil
}

// DisclosuresFor returns the ledger rows of the records of one kind with the given ids, oldest first,
// through q and without deciding access or auditing: for a caller that has decided and audits (the
// subject access bundle).
func DisclosuresFor(ctx context.Context, q database.Querier, recordKind string, ids []prevent.ID) ([]Disclosure, error) {
	var out []Disclosure
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := []any{recordKind}
		marks := make([]string, len(part))
		for i, id := range part {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := q.QueryContext(ctx, `SELECT id, partnership_id, agreement_id, from_org, to_org, recipients, record_id, categories, fields,
			purpose, expected_outcome, gateway_code, gateway_version, consent, consent_reason, necessity, disclosed_by, disclosed_at
			FROM sharing_disclosures WHERE record_kind = $1 AND record_id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sharing: disclosures for: %w", err)
		}
		for rows.Next() {
			d := Disclosure{RecordKind: recordKind}
			var recipients, cats, fields string
			if err := rows.Scan(&d.ID, &d.PartnershipID, &d.AgreementID, &d.FromOrg, &d.ToOrg, &recipients, &d.RecordID, &cats, &fields,
				&d.Purpose, &d.ExpectedOutcome, &d.Gateway, &d.GatewayVersion, &d.Consent, &d.ConsentReason, &d.Necessity,
				&d.DisclosedBy, &d.DisclosedAt); err != nil {
				rows.Close()
				return nil, err
			}
			d.Recipients, d.Categories, d.Fields = splitIDs(recipients), splitList[Category](cats), strings.Fields(fields)
			d.DisclosedAt = d.DisclosedAt.UTC()
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b Disclosure) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
