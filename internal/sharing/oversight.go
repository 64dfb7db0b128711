package sharing

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The data protection officer's oversight: the partnership-wide disclosure ledger, member organisations with
// their acknowledgements, every version of the gateways, unusual access by staff, and the UK GDPR Art 30
// record of processing generated from configuration.

// Member is a member organisation of the partnership, as sharing governance sees it.
type Member struct {
	ID         prevent.ID
	Name       string
	Sector     string
	PublicBody bool
	// Acknowledgement is the organisation's latest acknowledgement of its own data protection duties,
	// nil when none is recorded.
	Acknowledgement *Acknowledgement
}

// Members lists the partnership's member organisations by name, each with its latest acknowledgement.
func (s *Service) Members(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]Member, error) {
	if err := s.authorise(p, access.AgreementView, "organisation", partnership, "Partnership"); err != nil {
		return nil, err
	}
	return members(ctx, s.db.Read(), partnership)
}

func members(ctx context.Context, q database.Querier, partnership prevent.ID) ([]Member, error) {
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name, o.sector, o.public_body FROM organisations o
		JOIN partnership_organisations po ON po.organisation_id = o.id AND po.partnership_id = $1 ORDER BY o.name, o.id`, partnership)
	if err != nil {
		return nil, fmt.Errorf("sharing: members: %w", err)
	}
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.Name, &m.Sector, &m.PublicBody); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		a, ok, err := latestAcknowledgement(ctx, q, out[i].ID)
		if err != nil {
			return nil, err
		}
		if ok {
			out[i].Acknowledgement = &a
		}
	}
	return out, nil
}

// AllGateways lists every version of every gateway the partnership may use, national and local, current or
// not: national first, then by name and version. Reference data, not audited.
func (s *Service) AllGateways(ctx context.Context, p prevent.Principal, partnership prevent.ID) ([]Gateway, error) {
	if err := s.authorise(p, access.GatewayView, "gateway", partnership, "Partnership"); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+gatewayColumns+` FROM sharing_gateways
		WHERE partnership_id IN (0, $1) ORDER BY partnership_id, era DESC, name, code, version`, partnership)
	if err != nil {
		return nil, fmt.Errorf("sharing: gateways: %w", err)
	}
	defer rows.Close()
	var out []Gateway
	for rows.Next() {
		g, err := scanGateway(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// LedgerFilter narrows the partnership's disclosure ledger. Zero values do not filter.
type LedgerFilter struct {
	Gateway string
	// OrganisationID matches disclosures from or to the organisation.
	OrganisationID prevent.ID
	// From and To are days, both included.
	From, To time.Time
	// Before is the keyset position: only disclosures with a smaller id (the next page of a newest-first list).
	Before prevent.ID
	// Limit is the page size: DefaultLedgerLimit when zero, at most MaxLedgerLimit.
	Limit int
}

// The ledger's page sizes.
const (
	DefaultLedgerLimit = 50
	MaxLedgerLimit     = 200
)

// LedgerPage is one page of the ledger, newest first. Next is the Before of the following page, 0 on the last.
type LedgerPage struct {
	Items []Disclosure
	Next  prevent.ID
}

// Ledger lists the partnership's disclosures, newest first, a page at a time, for the data protection
// officer and auditors. Rows name records by kind and id only; the read is audited.
func (s *Service) Ledger(ctx context.Context, p prevent.Principal, partnership prevent.ID, f LedgerFilter) (LedgerPage, error) {
	if err := s.authorise(p, access.DisclosureView, "disclosure", partnership, "Partnership"); err != nil {
		return LedgerPage{}, err
	}
	var fe prevent.Fields
	if f.Limit < 0 || f.Limit > MaxLedgerLimit {
		fe.Add("limit", fmt.Sprintf("The page size must be between 1 and %d", MaxLedgerLimit))
	}
	if !f.From.IsZero() && !f.To.IsZero() && day(f.To) < day(f.From) {
		fe.Add("to", "The end date must be the same as or after the start date")
	}
	if err := fe.Err(); err != nil {
		return LedgerPage{}, err
	}
	if f.Limit == 0 {
		f.Limit = DefaultLedgerLimit
	}
	where := []string{"partnership_id = $1"}
	args := []any{partnership}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if g := strings.TrimSpace(f.Gateway); g != "" {
		add("gateway_code = ?", g)
	}
	if f.OrganisationID > 0 {
		add("(from_org = ? OR to_org = ?)", f.OrganisationID)
	}
	if !f.From.IsZero() {
		add("disclosed_at >= ?", parseDay(day(f.From)))
	}
	if !f.To.IsZero() {
		add("disclosed_at < ?", parseDay(day(f.To)).AddDate(0, 0, 1))
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	args = append(args, f.Limit+1)
	query := `SELECT id, agreement_id, from_org, to_org, recipients, record_kind, record_id, categories, fields, purpose,
		expected_outcome, gateway_code, gateway_version, consent, consent_reason, necessity, disclosed_by, disclosed_at
		FROM sharing_disclosures WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	var page LedgerPage
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d := Disclosure{PartnershipID: partnership}
			var recipients, cats, fields string
			if err := rows.Scan(&d.ID, &d.AgreementID, &d.FromOrg, &d.ToOrg, &recipients, &d.RecordKind, &d.RecordID, &cats, &fields,
				&d.Purpose, &d.ExpectedOutcome, &d.Gateway, &d.GatewayVersion, &d.Consent, &d.ConsentReason, &d.Necessity,
				&d.DisclosedBy, &d.DisclosedAt); err != nil {
				return err
			}
			d.Recipients, d.Categories, d.Fields = splitIDs(recipients), splitList[Category](cats), strings.Fields(fields)
			page.Items = append(page.Items, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(page.Items) > f.Limit {
			page.Items = page.Items[:f.Limit]
			page.Next = page.Items[f.Limit-1].ID
		}
		return s.record(ctx, tx, p, audit.Consult, "disclosure", 0, partnership, "data protection oversight",
			fmt.Sprintf("disclosure ledger listed (%d rows)", len(page.Items)))
	})
	if err != nil {
		return LedgerPage{}, fmt.Errorf("sharing: ledger: %w", err)
	}
	return page, nil
}

// The thresholds of UnusualAccess: a person is listed when the number of distinct case records they
// viewed is more than UnusualFactor times the median of the people in the same role, and at least
// UnusualMinimum.
const (
	UnusualFactor  = 3
	UnusualMinimum = 20
)

// UnusualAccessEntry is a member of staff whose viewing of case records in the window is far above their
// peers in the same role. It is a count for the data protection officer to look into, not a judgement:
// a coordinator covering for a colleague will appear here too.
type UnusualAccessEntry struct {
	PersonID     prevent.ID
	Name         string
	Organisation string
	Role         prevent.Role
	// Records is how many distinct case records the person viewed in the window.
	Records int
	// RoleMedian is the median of the same count over everyone in the role in the partnership (Peers people,
	// the person included).
	RoleMedian float64
	Peers      int
}

// UnusualAccess lists staff whose number of distinct case records viewed (audit consultations of
// referrals) in the windowDays days up to now is more than UnusualFactor times the median for their role in
// the partnership and at least UnusualMinimum, most records first. It is about staff access to records,
// never about the people referred. The read of the audit log is itself audited.
func (s *Service) UnusualAccess(ctx context.Context, p prevent.Principal, partnership prevent.ID, now time.Time, windowDays int) ([]UnusualAccessEntry, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return nil, err
	}
	if windowDays < 1 || windowDays > 366 {
		return nil, prevent.Validation([]prevent.FieldError{{Field: "window", Message: "The window must be between 1 and 366 days"}})
	}
	since := now.UTC().AddDate(0, 0, -windowDays)
	var out []UnusualAccessEntry
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		viewed, err := audit.ConsultedByActor(ctx, tx, partnership, "referral", since, now.UTC())
		if err != nil {
			return err
		}
		type staff struct {
			id         prevent.ID
			name, org  string
			role       prevent.Role
			viewedRecs int
		}
		byRole := map[prevent.Role][]staff{}
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.name, o.name, m.role FROM memberships m
			JOIN people p ON p.id = m.person_id JOIN organisations o ON o.id = p.organisation_id
			WHERE m.partnership_id = $1 ORDER BY m.role, p.id`, partnership)
		if err != nil {
			return err
		}
		for rows.Next() {
			var st staff
			if err := rows.Scan(&st.id, &st.name, &st.org, &st.role); err != nil {
				rows.Close()
				return err
			}
			st.viewedRecs = viewed[st.id]
			byRole[st.role] = append(byRole[st.role], st)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for role, list := range byRole {
			counts := make([]int, len(list))
			for i, st := range list {
				counts[i] = st.viewedRecs
			}
			m := median(counts)
			for _, st := range list {
				if st.viewedRecs >= UnusualMinimum && float64(st.viewedRecs) > UnusualFactor*m {
					out = append(out, UnusualAccessEntry{PersonID: st.id, Name: st.name, Organisation: st.org, Role: role,
						Records: st.viewedRecs, RoleMedian: m, Peers: len(list)})
				}
			}
		}
		slices.SortFunc(out, func(a, b UnusualAccessEntry) int {
			if a.Records != b.Records {
				return b.Records - a.Records
			}
			if a.PersonID != b.PersonID {
				return int(a.PersonID - b.PersonID)
			}
			return strings.Compare(string(a.Role), string(b.Role))
		})
		return s.record(ctx, tx, p, audit.Consult, "audit_log", 0, partnership, "data protection oversight",
			fmt.Sprintf("unusual access over %d days read (%d listed)", windowDays, len(out)))
	})
	if err != nil {
		return nil, fmt.Errorf("sharing: unusual access: %w", err)
	}
	return out, nil
}

// median is the median of xs (the mean of the middle two for an even count), 0 for none.
func median(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// ProcessingRecord is the record of processing activities (UK GDPR Art 30(1)) for the partnership's
// sharing, generated from its configuration: member organisations, agreements in force or suspended and
// the gateways they rely on. The retention rules are internal/rights', whose RecordOfProcessing adds them
// to this record; the pages and the API ask rights for the whole record.
type ProcessingRecord struct {
	PartnershipID prevent.ID
	Partnership   string
	Area          string
	GeneratedAt   time.Time
	// Controllers are the member organisations: each is a controller of what it holds and shares.
	Controllers []Member
	// DataProtectionOfficers name the partnership's data protection officers: name, job title, organisation.
	DataProtectionOfficers []string
	Purposes               []Purpose
	// DataSubjects are the categories of people the processing is about.
	DataSubjects []string
	Categories   []Category
	// Recipients are the organisations party to an agreement, to whom data may be disclosed.
	Recipients []Member
	// Gateways are the versions in force today of the gateways the agreements rely on.
	Gateways []Gateway
	// Security are the agreements' security measures.
	Security []AgreementSecurity
	// Agreements are those the record is drawn from (active or suspended on the day).
	Agreements []Agreement
	// Transfers states transfers to third countries.
	Transfers string
}

// AgreementSecurity is an agreement's statement of security measures.
type AgreementSecurity struct {
	AgreementID prevent.ID
	Title       string
	Measures    string
}

// RecordOfProcessing generates the partnership's UK GDPR Art 30 record from its configuration at the
// service's clock: controllers, purposes, data subjects and categories of data, recipients, gateways and
// security measures, drawn from the agreements active or suspended today. The retention section is added
// by internal/rights (rights.Service.RecordOfProcessing).
func (s *Service) RecordOfProcessing(ctx context.Context, p prevent.Principal, partnership prevent.ID) (ProcessingRecord, error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return ProcessingRecord{}, err
	}
	q := s.db.Read()
	now := s.now()
	rec := ProcessingRecord{PartnershipID: partnership, GeneratedAt: now,
		Transfers: "None configured: no agreement provides for a transfer outside the United Kingdom"}
	err := q.QueryRowContext(ctx, `SELECT name, area FROM partnerships WHERE id = $1`, partnership).Scan(&rec.Partnership, &rec.Area)
	if isNoRows(err) {
		return rec, access.NotFound("Partnership")
	}
	if err != nil {
		return rec, fmt.Errorf("sharing: record of processing: %w", err)
	}
	if rec.Controllers, err = members(ctx, q, partnership); err != nil {
		return rec, err
	}
	rows, err := q.QueryContext(ctx, `SELECT p.name, p.job_title, o.name FROM memberships m JOIN people p ON p.id = m.person_id
		JOIN organisations o ON o.id = p.organisation_id
		WHERE m.partnership_id = $1 AND m.role = $2 AND p.disabled_at IS NULL ORDER BY p.name, p.id`, partnership, string(prevent.DataProtection))
	if err != nil {
		return rec, fmt.Errorf("sharing: record of processing: %w", err)
	}
	for rows.Next() {
		var name, title, org string
		if err := rows.Scan(&name, &title, &org); err != nil {
			rows.Close()
			return rec, err
		}
		line := name
		if title != "" {
			line += ", " + title
		}
		rec.DataProtectionOfficers = append(rec.DataProtectionOfficers, line+", "+org)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rec, err
	}
	all, err := loadAgreements(ctx, q, partnership, Active, Suspended)
	if err != nil {
		return rec, err
	}
	var gateways []string
	var parties []prevent.ID
	for _, a := range all {
		if st := a.StatusOn(now); st != Active && st != Suspended {
			continue
		}
		rec.Agreements = append(rec.Agreements, a)
		for _, x := range a.Purposes {
			if !slices.Contains(rec.Purposes, x) {
				rec.Purposes = append(rec.Purposes, x)
			}
		}
		for _, c := range a.Categories {
			if !slices.Contains(rec.Categories, c) {
				rec.Categories = append(rec.Categories, c)
			}
		}
		for _, o := range a.Parties {
			if !slices.Contains(parties, o) {
				parties = append(parties, o)
			}
		}
		for _, g := range a.Gateways {
			if !slices.Contains(gateways, g) {
				gateways = append(gateways, g)
			}
		}
		rec.Security = append(rec.Security, AgreementSecurity{AgreementID: a.ID, Title: a.Title, Measures: a.Security})
	}
	slices.SortFunc(rec.Purposes, func(a, b Purpose) int { return order(Purposes, a) - order(Purposes, b) })
	slices.SortFunc(rec.Categories, func(a, b Category) int { return orderCat(a) - orderCat(b) })
	for _, m := range rec.Controllers {
		if slices.Contains(parties, m.ID) {
			rec.Recipients = append(rec.Recipients, m)
		}
	}
	for _, code := range gateways {
		g, exists, _, err := gatewayOn(ctx, q, partnership, code, now)
		if err != nil {
			return rec, err
		}
		if exists {
			rec.Gateways = append(rec.Gateways, g)
		}
	}
	rec.DataSubjects = []string{
		"People referred to Prevent, including children",
		"Staff and volunteers of member organisations who work on cases",
	}
	if slices.Contains(rec.Categories, Family) {
		rec.DataSubjects = append(rec.DataSubjects, "Family members and associates of people referred")
	}
	rec.DataSubjects = append(rec.DataSubjects, "People who make subject access requests")
	return rec, nil
}

func order(list []struct {
	Purpose Purpose
	Name    string
}, x Purpose) int {
	for i, y := range list {
		if y.Purpose == x {
			return i
		}
	}
	return len(list)
}

func orderCat(c Category) int {
	for i, x := range Categories {
		if x.Category == c {
			return i
		}
	}
	return len(Categories)
}
