// Package returns produces the partnership's monitoring figures and the returns it sends upwards, to its region
// and nationally, in the shape of the Home Office's statistics "Individuals referred to and supported through
// the Prevent Programme": referrals, those discussed at a Channel panel and those adopted as a Channel case, by
// type of concern, sector of referral, age group, gender and quarter, for a financial year. A return carries no
// personal data: it is made of counts under a named disclosure control policy, over versioned lists of
// categories, with its provenance. docs/returns.md describes the definitions, the lists and the policies.
package returns

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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

// Service computes returns. It reads casework's tables and never writes them; the one thing it writes is the
// audit entry of each return it computes.
type Service struct {
	db         *database.DB
	now        func() time.Time
	digestKey  []byte
	signingKey *SigningKey
	equality   EqualityReader
}

// Deps are what the Service needs. DigestKey keys the digest of a return's inputs (see Provenance); a return
// cannot be computed without one.
type Deps struct {
	DB        *database.DB
	Now       func() time.Time
	DigestKey []byte
	// SigningKey signs the bundles of approved returns (Export); without one, a bundle cannot be exported.
	SigningKey *SigningKey
	// Equality reads the sealed equality monitoring answers for the counts (casework.Service); without it, a
	// return has no equality monitoring tables.
	Equality EqualityReader
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{db: d.DB, now: func() time.Time { return d.Now().UTC().Truncate(time.Microsecond) }, digestKey: slices.Clone(d.DigestKey),
		signingKey: d.SigningKey, equality: d.Equality}
}

// Request asks for the return of one partnership for one financial year under a disclosure control policy.
type Request struct {
	PartnershipID prevent.ID
	Year          FinancialYear
	Policy        Policy
}

// Return is a computed return: its tables and where they came from.
type Return struct {
	PartnershipID prevent.ID
	Partnership   string
	Region        string
	Year          FinancialYear
	Tables        []Table
	// Rates are the rates of referral by the equality monitoring characteristics, worked out from the published
	// counts against the partnership's population figures: not counts, so never added up across partnerships.
	Rates      []Table
	Provenance Provenance
}

// Provenance says how a return was made: which queries, lists and policy, when, and from which data.
//
// InputDigest is HMAC-SHA-256, under the service's digest key, of the canonical form of the inputs (the
// parameters and, sorted, one line of facts per referral). The same data under the same key gives the same
// digest, and the tables of the same data the same bytes, so a return can be shown to come from the records it
// claims. It is keyed because a plain hash of so small an input could be tested against guesses: someone who
// knew every referral but one could try each possible last referral until the digest matched.
type Provenance struct {
	QueryVersion string
	Lists        []string
	Policy       Policy
	GeneratedAt  time.Time
	InputDigest  string
	Notes        []string
}

// rows are the provenance as rows of name and value; withTime adds the generation time.
func (p Provenance) rows(withTime bool) [][]string {
	out := [][]string{
		{"Disclosure control", p.Policy.String(), p.Policy.Summary},
		{"Shorthand", Confidential + " confidential: withheld to protect the people counted", NotApplicable + " not applicable", NotAvailable + " not available"},
		{"Lists", strings.Join(p.Lists, "; ")},
		{"Query", p.QueryVersion},
		{"Input digest", "HMAC-SHA-256 " + p.InputDigest},
	}
	if withTime {
		out = append(out, []string{"Generated", p.GeneratedAt.UTC().Format(time.RFC3339)})
	}
	for _, n := range p.Notes {
		out = append(out, []string{"Note", n})
	}
	return out
}

func invalidf(format string, args ...any) error {
	return prevent.Errorf(prevent.Invalid, format, args...)
}

// Compute computes the return of a partnership for a complete financial year.
//
// Returns are issued only for whole financial years that have ended, the periods of the published statistics;
// quarters appear only within the year's return. Figures for overlapping periods (April to December, then April
// to March) would give the last quarter's figures by subtraction, outside the disclosure control of any one
// return, so no such period can be asked for.
//
// It is for the partnership's coordinators and analysts (access.StatisticsView). The reads run in one
// transaction with the audit entry that records who computed which return.
func (s *Service) Compute(ctx context.Context, p prevent.Principal, req Request) (*Return, error) {
	now := s.now()
	res := access.Resource{Kind: "return", PartnershipID: req.PartnershipID, Marking: prevent.Official}
	if d := access.Decide(p, access.StatisticsView, res, now); !d.Allow {
		return nil, access.NotFound("Partnership")
	}
	pol := req.Policy
	if known, err := PolicyNamed(pol.Name, pol.Version); err != nil || pol != known {
		return nil, invalidf("Choose a disclosure control policy")
	}
	if !pol.Release {
		return nil, invalidf("The %s policy is for figures kept within the partnership; choose a policy for returns", pol)
	}
	if now.Before(req.Year.End()) {
		return nil, invalidf("Returns are for whole financial years: %s is not over until 31 March %d", req.Year, int(req.Year)+1)
	}
	lists := map[Kind]List{}
	for _, k := range []Kind{ConcernTypes, AgeBands, Sectors, Genders, Regions} {
		l, err := ListFor(k, req.Year)
		if err != nil {
			return nil, err
		}
		lists[k] = l
	}
	if len(s.digestKey) == 0 {
		return nil, errors.New("returns: no digest key")
	}
	// The equality monitoring answers are read, through casework (which decides access and audits the read),
	// before the return's own transaction: the year is over, so no referral joins it in between.
	var codes map[prevent.ID]casework.EqualityMonitoring
	if s.equality != nil && req.Year >= equalityFrom {
		for _, k := range []Kind{Ethnicities, MentalHealthRecorded} {
			l, err := ListFor(k, req.Year)
			if err != nil {
				return nil, err
			}
			lists[k] = l
		}
		var err error
		if codes, err = s.equality.EqualityCodes(ctx, p, req.PartnershipID, req.Year.Start(), req.Year.End()); err != nil {
			return nil, err
		}
	}
	var out *Return
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		name, region, err := readPartnership(ctx, tx, req.PartnershipID)
		if err != nil {
			return err
		}
		labels, err := concernLabels(ctx, tx)
		if err != nil {
			return err
		}
		live, err := readLive(ctx, tx, req.PartnershipID, req.Year)
		if err != nil {
			return err
		}
		erased, err := readErased(ctx, tx, req.PartnershipID, req.Year)
		if err != nil {
			return err
		}
		recs := append(live, erased...)
		if err := pol.CheckBase(fmt.Sprintf("referrals in %s", req.Year), len(recs)); err != nil {
			return err
		}
		var pops populations
		if codes != nil {
			if pops, err = readPopulations(ctx, tx, req.PartnershipID); err != nil {
				return err
			}
		}
		out, err = s.buildEquality(req, pol, lists, labels, recs, now, codes, pops)
		if err != nil {
			return err
		}
		if len(out.Rates) > 0 {
			if err := notePopulationSources(ctx, tx, req.PartnershipID, out.Rates); err != nil {
				return err
			}
		}
		out.Partnership = name
		out.Region = regionLabel(region, lists[Regions])
		e := audit.New(ctx, now, audit.Combine, "return", req.PartnershipID)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.PartnershipID = req.PartnershipID
		e.Purpose = "statistical return"
		e.Detail = fmt.Sprintf("return for %s under %s, input digest %s", req.Year, pol, out.Provenance.InputDigest)
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return fmt.Errorf("returns: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func regionLabel(region string, l List) string {
	code, ok, _ := l.MapService(regionKey(region))
	if !ok {
		return "Not in the " + l.Ref() + " list: " + region
	}
	c, _ := l.Category(code)
	return c.Label
}

// The breakdowns of a return, in the order of its tables; the age by type table crosses two of them.
const (
	typeDim = iota
	sectorDim
	ageDim
	genderDim
	quarterDim
)

// returnDimensions are the breakdowns of a return under the lists in force: each list's categories, then any
// row of records the list has no category for.
func returnDimensions(lists map[Kind]List, labels map[string]string, recs []record) []dimension {
	const stages = "Referrals, discussions at a Channel panel and adoptions as a Channel case, by "
	dims := []dimension{
		typeDim:    {id: "type-of-concern", title: stages + "type of concern", heading: "Type of concern", of: concernRow(lists[ConcernTypes], labels)},
		sectorDim:  {id: "sector", title: stages + "sector of referral", heading: "Sector of referral", of: serviceRow(lists[Sectors], sectorOf, sectorLabel)},
		ageDim:     {id: "age", title: stages + "age group", heading: "Age group", of: ageRow(lists[AgeBands])},
		genderDim:  {id: "gender", title: stages + "gender", heading: "Gender", of: serviceRow(lists[Genders], genderOf, genderLabel)},
		quarterDim: {id: "quarter", title: stages + "quarter of referral", heading: "Quarter of referral", of: quarterRow},
	}
	for _, d := range []struct {
		dim  int
		kind Kind
	}{{typeDim, ConcernTypes}, {sectorDim, Sectors}, {ageDim, AgeBands}, {genderDim, Genders}} {
		dims[d.dim].rows = rowsOf(lists[d.kind], recs, dims[d.dim].of)
	}
	for q := 1; q <= 4; q++ {
		dims[quarterDim].rows = append(dims[quarterDim].rows, quarterRow(record{quarter: q}))
	}
	return dims
}

// build lays out, controls and prints the tables of the records.
func (s *Service) build(req Request, pol Policy, lists map[Kind]List, labels map[string]string, recs []record, now time.Time) (*Return, error) {
	return s.buildEquality(req, pol, lists, labels, recs, now, nil, nil)
}

// buildEquality is build with the equality monitoring answers by referral, codes: when not nil, the return
// has the equality monitoring tables, laid out with the others, and their rates against pops.
func (s *Service) buildEquality(req Request, pol Policy, lists map[Kind]List, labels map[string]string, recs []record, now time.Time,
	codes map[prevent.ID]casework.EqualityMonitoring, pops populations) (*Return, error) {
	dims := returnDimensions(lists, labels, recs)
	if codes != nil {
		dims = append(dims, equalityDimensions(lists, codes, recs)...)
	}
	lo := lay(recs, dims)
	if err := lo.sys.protect(pol); err != nil {
		return nil, err
	}
	var notes []string
	if slices.ContainsFunc(recs, func(r record) bool { return r.unsure }) {
		notes = append(notes, "Some erased cases were signposted after a panel; what is kept of them cannot tell whether they were adopted first, so they count as not adopted.")
	}
	if slices.ContainsFunc(recs, func(r record) bool { return r.erased }) {
		notes = append(notes, "Erased cases keep no gender; they count as Unknown.")
	}
	kinds := []Kind{ConcernTypes, AgeBands, Sectors, Genders, Regions}
	var rates []Table
	if codes != nil {
		kinds = append(kinds, Ethnicities, MentalHealthRecorded)
		notes = append(notes, "Referrals with no equality monitoring answer, and erased cases (which keep none), count as Not known. "+equalityCaveat)
		for d, dim := range dims {
			k := map[string]Kind{"ethnicity": Ethnicities, "mental-health-recorded": MentalHealthRecorded}[dim.id]
			if k != "" && len(pops[k]) > 0 {
				rates = append(rates, lo.ratesTable(d, pops[k], req.Year, pol))
			}
		}
		if len(rates) == 0 {
			notes = append(notes, noPopulationNote)
		}
	}
	prov := Provenance{QueryVersion: queryVersion, Policy: pol, GeneratedAt: now, Notes: notes}
	for _, k := range kinds {
		prov.Lists = append(prov.Lists, lists[k].Ref())
	}
	prov.InputDigest = s.digest(req, prov, recs, codes)
	tables := lo.tables(req.Year, pol)
	for i := range tables {
		if tables[i].ID == "ethnicity" || tables[i].ID == "mental-health-recorded" {
			tables[i].Notes = append(tables[i].Notes, equalityCaveat)
		}
	}
	return &Return{
		PartnershipID: req.PartnershipID,
		Year:          req.Year,
		Tables:        tables,
		Rates:         rates,
		Provenance:    prov,
	}, nil
}

// digest is the keyed digest of the inputs: a header naming the format, the parameters, then one line per
// referral, sorted, so that the order the database returns rows in does not matter.
func (s *Service) digest(req Request, prov Provenance, recs []record, codes map[prevent.ID]casework.EqualityMonitoring) string {
	lines := make([]string, len(recs))
	for i, r := range recs {
		lines[i] = r.encode()
	}
	slices.Sort(lines)
	m := hmac.New(sha256.New, s.digestKey)
	fmt.Fprintf(m, "prevent-returns-input/v1\nquery %s\npartnership %d\nyear %s\npolicy %s\n", prov.QueryVersion, req.PartnershipID, req.Year, prov.Policy)
	for _, l := range prov.Lists {
		fmt.Fprintf(m, "list %s\n", l)
	}
	for _, l := range lines {
		fmt.Fprintf(m, "record %s\n", l)
	}
	if codes != nil {
		for _, l := range equalityDigest(codes, recs) {
			fmt.Fprintf(m, "equality %s\n", l)
		}
	}
	return hex.EncodeToString(m.Sum(nil))
}
