package returns

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// regionalQueryVersion names how a regional return is added up; it changes whenever the rule does.
const regionalQueryVersion = "regional-sum version 1"

// Regional is a region's or a nation's return: the tables of the returns it imported for a year, added up.
// Sources are the returns summed (the latest approval of each partnership, under the policy asked for); Left are
// latest approvals of the year under another policy, which are not summed.
type Regional struct {
	*Return
	Sources []*Imported
	Left    []*Imported
}

// The notes a regional return carries.
const (
	noteRegionalSuppressed = "A figure is the sum of the partnerships' published figures. Where any partnership's figure is withheld [c], the regional figure is withheld [c] too, never a sum of the figures that are shown: a partial sum would understate the count and could be taken for the whole."
	noteRegionalPercent    = "Percentages are worked out from the regional figures as shown, not added up."
	noteRegionalRounded    = "Each partnership's figures were rounded before they were added, so a regional figure may differ by a few from the regional count rounded."
)

// RegionalReturn adds up, for a year, the returns the partnership imported under the disclosure control policy
// asked for: the latest approval of each partnership. Each table has the shape of a partnership's table; its
// rows and columns are those of any partnership's table (a row or column a partnership's table lacks counted
// none there). A cell any partnership withheld is withheld ([c]); see docs/returns.md. The percentages are
// worked out again from the sums, and the policy is applied to the sums (a sum of figures shown under it is
// already safe under it; applying it again only guards that). It is for the partnership's coordinators and
// analysts (access.StatisticsView), and recorded in the audit log.
func (s *Service) RegionalReturn(ctx context.Context, p prevent.Principal, pid prevent.ID, y FinancialYear, pol Policy) (*Regional, error) {
	if !s.allow(p, pid, access.StatisticsView) {
		return nil, access.NotFound("Partnership")
	}
	if known, err := PolicyNamed(pol.Name, pol.Version); err != nil || pol != known {
		return nil, invalidf("Choose a disclosure control policy")
	}
	if !pol.Release {
		return nil, invalidf("The %s policy is for figures kept within the partnership; choose a policy for returns", pol)
	}
	regions, err := ListFor(Regions, y)
	if err != nil {
		return nil, err
	}
	if len(s.digestKey) == 0 {
		return nil, errors.New("returns: no digest key")
	}
	now := s.now()
	var out *Regional
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		name, region, err := readPartnership(ctx, tx, pid)
		if err != nil {
			return err
		}
		all, err := readImports(ctx, tx, pid, `i.year = $2`, int(y))
		if err != nil {
			return err
		}
		latest := latestImports(all)
		out = &Regional{}
		for _, x := range latest {
			if x.Policy == (PolicyRef{pol.Name, pol.Version}) {
				out.Sources = append(out.Sources, x)
			} else {
				out.Left = append(out.Left, x)
			}
		}
		if len(out.Sources) == 0 {
			return invalidf("No return for %s under %s has been imported", y, pol)
		}
		var srcs [][]Table
		var lists []string
		m := hmac.New(sha256.New, s.digestKey)
		fmt.Fprintf(m, "prevent-returns-regional/v1\nquery %s\npartnership %d\nyear %s\npolicy %s\n", regionalQueryVersion, pid, y, pol)
		for _, x := range out.Sources {
			srcs = append(srcs, x.Tables)
			for _, l := range x.Lists {
				if !slices.Contains(lists, l) {
					lists = append(lists, l)
				}
			}
			fmt.Fprintf(m, "bundle %s %s\n", x.BundleID, x.ManifestSHA256)
		}
		slices.Sort(lists)
		notes := []string{noteRegionalSuppressed, noteRegionalPercent}
		if pol.RoundTo > 1 {
			notes = append(notes, noteRegionalRounded)
		}
		var names []string
		for _, x := range out.Sources {
			names = append(names, fmt.Sprintf("%s (approved %s)", x.SourcePartnership, ukDate(x.ApprovedAt.UTC())))
		}
		notes = append(notes, fmt.Sprintf("The sum of the approved returns of %d partnerships: %s.", len(names), strings.Join(names, "; ")))
		for _, x := range out.Left {
			notes = append(notes, fmt.Sprintf("The return of %s is under %s, not %s, so it is not in these figures.", x.SourcePartnership, x.Policy, pol))
		}
		out.Return = &Return{
			PartnershipID: pid, Partnership: name, Region: regionLabel(region, regions), Year: y,
			Tables:     sumTables(srcs, pol),
			Provenance: Provenance{QueryVersion: regionalQueryVersion, Lists: lists, Policy: pol, GeneratedAt: now, InputDigest: hex.EncodeToString(m.Sum(nil)), Notes: notes},
		}
		e := audit.New(ctx, now, audit.Combine, "regional_return", pid)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.PartnershipID = pid
		e.Purpose = "statistical return"
		e.Detail = fmt.Sprintf("regional return for %s under %s from %d imported returns, input digest %s", y, pol, len(out.Sources), out.Provenance.InputDigest)
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

// latestImports keeps the latest approval of each partnership (a sender, by name, and its partnership's id there),
// in the order of the partnerships' names.
func latestImports(all []*Imported) []*Imported {
	type key struct {
		sender string
		pid    prevent.ID
	}
	latest := map[key]*Imported{}
	var keys []key
	for _, x := range all {
		k := key{x.Sender, x.SourcePartnershipID}
		cur, ok := latest[k]
		if !ok {
			keys = append(keys, k)
		}
		if !ok || x.ApprovedAt.After(cur.ApprovedAt) {
			latest[k] = x
		}
	}
	out := make([]*Imported, 0, len(keys))
	for _, k := range keys {
		out = append(out, latest[k])
	}
	slices.SortStableFunc(out, func(a, b *Imported) int {
		if c := strings.Compare(a.SourcePartnership, b.SourcePartnership); c != 0 {
			return c
		}
		if c := strings.Compare(a.Sender, b.Sender); c != 0 {
			return c
		}
		return cmp.Compare(a.SourcePartnershipID, b.SourcePartnershipID)
	})
	return out
}

// isPercentHeading reports whether a column holds percentages.
func isPercentHeading(h string) bool { return strings.Contains(h, "%") }

// sumTables adds up the partnerships' tables, table by table (by id, in the order first met), under pol.
func sumTables(srcs [][]Table, pol Policy) []Table {
	var ids []string
	for _, ts := range srcs {
		for _, t := range ts {
			if !slices.Contains(ids, t.ID) {
				ids = append(ids, t.ID)
			}
		}
	}
	var out []Table
	for _, id := range ids {
		parts := make([]*Table, len(srcs))
		for i, ts := range srcs {
			for j := range ts {
				if ts[j].ID == id {
					parts[i] = &ts[j]
				}
			}
		}
		out = append(out, sumTable(parts, pol))
	}
	return out
}

// sum is a regional cell being added up: the sum of the figures shown, and whether any part was withheld or is
// not available.
type sum struct {
	value             int
	withheld, missing bool
}

// cell prints the sum under pol: [c] if any part was withheld, [x] if any is not available, otherwise the sum,
// withheld if the policy's threshold catches it and rounded as the policy rounds.
func (s sum) cell(pol Policy) Cell {
	switch {
	case s.withheld:
		return Cell{Text: Confidential}
	case s.missing:
		return Cell{Text: NotAvailable}
	case pol.Threshold > 0 && s.value > 0 && s.value < pol.Threshold:
		return Cell{Text: Confidential}
	}
	v := pol.round(s.value)
	return Cell{Text: strconv.Itoa(v), Value: v, Number: true}
}

// sumTable adds up one table of each partnership (nil: the partnership's return has no such table, so none of
// the table's figures is available for it). Rows and columns are matched by label and heading: those of every
// part, in the order first met, the total row and a total column last; a row or column a part lacks counted none
// there, as a partnership's table has a row for every category of its lists and every other value it met.
func sumTable(parts []*Table, pol Policy) Table {
	var t Table
	var labels []string
	hasTotal := false
	var heads []string
	for _, p := range parts {
		if p == nil {
			continue
		}
		if t.ID == "" {
			t.ID, t.Title = p.ID, p.Title
			t.Headings = []string{p.Headings[0]}
		}
		for _, h := range p.Headings[1:] {
			if !slices.Contains(heads, h) {
				heads = append(heads, h)
			}
		}
		for _, r := range p.Rows {
			if r.Total {
				hasTotal = true
			} else if !slices.Contains(labels, r.Label) {
				labels = append(labels, r.Label)
			}
		}
		for _, n := range p.Notes {
			if !slices.Contains(t.Notes, n) {
				t.Notes = append(t.Notes, n)
			}
		}
	}
	if i := slices.Index(heads, "Total"); i >= 0 {
		heads = append(slices.Delete(heads, i, i+1), "Total")
	}
	t.Headings = append(t.Headings, heads...)
	type rowSel struct {
		label string
		total bool
	}
	var rows []rowSel
	for _, l := range labels {
		rows = append(rows, rowSel{label: l})
	}
	if hasTotal {
		rows = append(rows, rowSel{label: "Total", total: true})
	}
	for _, rs := range rows {
		sums := make([]sum, len(heads))
		for _, p := range parts {
			if p == nil {
				for c := range sums {
					sums[c].missing = true
				}
				continue
			}
			ri := slices.IndexFunc(p.Rows, func(r Row) bool { return r.Label == rs.label && r.Total == rs.total })
			if ri < 0 {
				continue
			}
			for c, h := range heads {
				hi := slices.Index(p.Headings, h)
				if hi < 1 || hi-1 >= len(p.Rows[ri].Cells) {
					continue
				}
				x := p.Rows[ri].Cells[hi-1]
				switch {
				case x.Number:
					sums[c].value += x.Value
				case x.Text == Confidential:
					sums[c].withheld = true
				default:
					sums[c].missing = true
				}
			}
		}
		row := Row{Label: rs.label, Total: rs.total, Cells: make([]Cell, len(heads))}
		for c, h := range heads {
			if !isPercentHeading(h) {
				row.Cells[c] = sums[c].cell(pol)
			}
		}
		// A percentage is of the column before it over the first column (referrals), as the tables lay them out.
		for c, h := range heads {
			if isPercentHeading(h) {
				row.Cells[c] = percentOf(row.Cells, c)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// percentOf works out the percentage in column c from the printed figures: column c-1 of column 0.
func percentOf(cells []Cell, c int) Cell {
	if c < 1 {
		return Cell{Text: NotAvailable}
	}
	num, den := cells[c-1], cells[0]
	switch {
	case num.Text == Confidential || den.Text == Confidential:
		return Cell{Text: Confidential}
	case !num.Number || !den.Number:
		return Cell{Text: NotAvailable}
	case den.Value == 0:
		return Cell{Text: NotApplicable}
	}
	v := (200*num.Value + den.Value) / (2 * den.Value)
	return Cell{Text: strconv.Itoa(v), Value: v, Number: true}
}
