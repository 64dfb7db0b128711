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
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Period is a financial year, or one quarter of it (Quarter 1 to 4; 0 is the whole year).
type Period struct {
	Year    FinancialYear
	Quarter int
}

// Start is the first instant of the period, midnight UK time.
func (p Period) Start() time.Time {
	if p.Quarter == 0 {
		return p.Year.Start()
	}
	return p.Year.quarterStart(p.Quarter)
}

// End is the first instant after the period.
func (p Period) End() time.Time {
	if p.Quarter == 0 {
		return p.Year.End()
	}
	return p.Year.quarterStart(p.Quarter + 1)
}

// String names the period: "2024/25" or "2024/25 Q3 (October to December)".
func (p Period) String() string {
	if p.Quarter == 0 {
		return p.Year.String()
	}
	return fmt.Sprintf("%s Q%d (%s)", p.Year, p.Quarter, QuarterLabel(p.Quarter))
}

func (p Period) valid() bool {
	return p.Quarter >= 0 && p.Quarter <= 4 && p.Year >= 2015 && p.Year < 2100
}

// MonitoringRequest asks for the interventions monitoring of one partnership for a period under a policy.
type MonitoringRequest struct {
	PartnershipID prevent.ID
	Period        Period
	Policy        Policy
}

// Monitoring is the interventions monitoring of a partnership for a period: its tables and where they came
// from. Its counts are of interventions, sessions, exits and reviews; the one count of people (those supported)
// is under the same disclosure control.
type Monitoring struct {
	PartnershipID prevent.ID
	Partnership   string
	Region        string
	Period        Period
	Tables        []Table
	Provenance    Provenance
}

// The columns of the throughput tables.
const (
	ivActive    = iota // in progress at some time in the period
	ivStarted          // began in the period
	ivCompleted        // ended in the period
	ivOngoing          // still in progress at the end of the period
	nIV
)

var ivHeadings = []string{"Interventions in progress in the period", "Started in the period", "Completed in the period", "Ongoing at the end of the period"}

// The columns of the sessions table, by attendance.
var sessionColumns = []struct{ code, heading string }{
	{string(casework.Attended), "Delivered (attended)"},
	{string(casework.DidNotAttend), "Missed (did not attend)"},
	{string(casework.Cancelled), "Cancelled"},
	{string(casework.Planned), "Attendance not yet recorded"},
}

// The columns of the post-exit reviews table, by what the review found.
var reviewColumns = []struct{ code, heading string }{
	{string(casework.ReviewNoConcerns), "Completed: no concerns"},
	{string(casework.ReviewReopen), "Completed: concerns, case reopened"},
	{string(casework.ReviewExtend), "Completed: reviews extended"},
	{"unrecorded", "Completed: finding not recorded"},
	{"", "Not completed"},
}

// ComputeMonitoring computes the interventions monitoring of a partnership for a financial year or a quarter
// that has ended. It is for the partnership's coordinators and analysts (access.StatisticsView); the figures
// are controlled under a policy for figures leaving the partnership, as a return's are. The reads run in one
// transaction with the audit entry that records who computed it.
func (s *Service) ComputeMonitoring(ctx context.Context, p prevent.Principal, req MonitoringRequest) (*Monitoring, error) {
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
	if !req.Period.valid() {
		return nil, invalidf("Choose a financial year from 2015/16, or a quarter of one")
	}
	if now.Before(req.Period.End()) {
		return nil, invalidf("Monitoring is for periods that are over: %s is not over yet", req.Period)
	}
	if len(s.digestKey) == 0 {
		return nil, errors.New("returns: no digest key")
	}
	from, to := req.Period.Start(), req.Period.End()
	var out *Monitoring
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		name, region, err := readPartnership(ctx, tx, req.PartnershipID)
		if err != nil {
			return err
		}
		typeLabels, typeOrder, err := referenceLabels(ctx, tx, casework.InterventionTypes)
		if err != nil {
			return err
		}
		exitLabels, exitOrder, err := referenceLabels(ctx, tx, casework.ExitOutcomes)
		if err != nil {
			return err
		}
		ivs, err := readInterventions(ctx, tx, req.PartnershipID, from, to)
		if err != nil {
			return err
		}
		sessions, err := readSessions(ctx, tx, req.PartnershipID, from, to)
		if err != nil {
			return err
		}
		exits, err := readExits(ctx, tx, req.PartnershipID, from, to)
		if err != nil {
			return err
		}
		reviews, err := readReviews(ctx, tx, req.PartnershipID, from, to)
		if err != nil {
			return err
		}
		people := map[prevent.ID]bool{}
		for _, r := range ivs {
			people[r.referral] = true
		}
		if err := pol.CheckBase(fmt.Sprintf("people supported through interventions in %s", req.Period), len(people)); err != nil {
			return err
		}
		var exitCodes []string
		for _, c := range exitOrder {
			if strings.HasPrefix(c, "EXIT_") {
				exitCodes = append(exitCodes, c)
			}
		}
		ml := layMonitoring(monitoringInput{
			ivs: ivs, sessions: sessions, exits: exits, reviews: reviews, people: len(people),
			typeLabels: typeLabels, typeOrder: typeOrder, exitLabels: exitLabels, exitOrder: exitCodes, from: from, to: to,
		})
		if err := ml.sys.protect(pol); err != nil {
			return err
		}
		prov := Provenance{QueryVersion: interventionsQueryVersion, Policy: pol, GeneratedAt: now,
			Lists: []string{"intervention_type and exit_outcome: the service's own lists"},
			Notes: []string{"Counts are of interventions, sessions, exits and reviews, except people supported, which counts each person once.",
				"An intervention is in progress from its disclosure to the provider (when consent to support is given) until it ends or the case leaves support in progress.",
				"Location is the local authority recorded for the person; interventions of erased cases are not counted."}}
		prov.InputDigest = s.monitoringDigest(req, prov, ivs, sessions, exits, reviews)
		out = &Monitoring{PartnershipID: req.PartnershipID, Partnership: name, Region: regionLabelOrName(region, req.Period.Year), Period: req.Period,
			Tables: ml.tables(req.Period, pol), Provenance: prov}
		e := audit.New(ctx, now, audit.Combine, "interventions_monitoring", req.PartnershipID)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.PartnershipID = req.PartnershipID
		e.Purpose = "interventions monitoring"
		e.Detail = fmt.Sprintf("interventions monitoring for %s under %s, input digest %s", req.Period, pol, prov.InputDigest)
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

// regionLabelOrName is the region's label in the list in force in the year, or the name recorded.
func regionLabelOrName(region string, y FinancialYear) string {
	l, err := ListFor(Regions, y)
	if err != nil {
		return region
	}
	return regionLabel(region, l)
}

func (s *Service) monitoringDigest(req MonitoringRequest, prov Provenance, ivs []ivRecord, sessions []sessionRecord, exits []exitRecord, reviews []reviewRecord) string {
	var lines []string
	for _, r := range ivs {
		lines = append(lines, "intervention "+r.encode())
	}
	for _, r := range sessions {
		lines = append(lines, fmt.Sprintf("session type=%q attendance=%q", r.typ, r.attendance))
	}
	for _, r := range exits {
		lines = append(lines, fmt.Sprintf("exit outcome=%q", r.outcome))
	}
	for _, r := range reviews {
		lines = append(lines, fmt.Sprintf("review months=%d outcome=%q", r.months, r.outcome))
	}
	slices.Sort(lines)
	m := hmac.New(sha256.New, s.digestKey)
	fmt.Fprintf(m, "prevent-interventions-input/v1\nquery %s\npartnership %d\nperiod %s\npolicy %s\n", prov.QueryVersion, req.PartnershipID, req.Period, prov.Policy)
	for _, l := range lines {
		fmt.Fprintf(m, "%s\n", l)
	}
	return hex.EncodeToString(m.Sum(nil))
}

type monitoringInput struct {
	ivs        []ivRecord
	sessions   []sessionRecord
	exits      []exitRecord
	reviews    []reviewRecord
	people     int
	typeLabels map[string]string
	typeOrder  []string
	exitLabels map[string]string
	exitOrder  []string
	from, to   time.Time
}

// keyed is a row of a table: its key and label.
type keyed struct{ key, label string }

// ivDim is a breakdown of the throughput tables.
type ivDim struct {
	id, title, heading string
	rows               []keyed
	ent                [][nIV]int
}

// monitoringLayout is the monitoring's tables before disclosure control, every count an entry of one system.
type monitoringLayout struct {
	sys     counts
	grand   [nIV]int
	people  int
	dims    []ivDim
	typeRow []keyed
	sess    countGrid
	exitRow []keyed
	exit    []int
	exitTot int
	revRow  []keyed
	rev     countGrid
}

// countGrid is a table of counts with row and column totals: each row adds up to its total, each column to its
// total, and the row totals and the column totals each add up to the grand total.
type countGrid struct {
	cell   [][]int
	rowTot []int
	colTot []int
	grand  int
}

func (s *counts) addGrid(n [][]int, cols int) countGrid {
	g := countGrid{cell: make([][]int, len(n)), rowTot: make([]int, len(n)), colTot: make([]int, cols)}
	colSum := make([]int, cols)
	all := 0
	for r, row := range n {
		g.cell[r] = make([]int, cols)
		sum := 0
		for c := range cols {
			g.cell[r][c] = s.add(row[c])
			sum += row[c]
			colSum[c] += row[c]
		}
		g.rowTot[r] = s.add(sum)
		s.addLine(g.rowTot[r], g.cell[r]...)
		all += sum
	}
	for c := range cols {
		g.colTot[c] = s.add(colSum[c])
		col := make([]int, len(n))
		for r := range n {
			col[r] = g.cell[r][c]
		}
		s.addLine(g.colTot[c], col...)
	}
	g.grand = s.add(all)
	s.addLine(g.grand, g.rowTot...)
	s.addLine(g.grand, g.colTot...)
	return g
}

// rowsFor is the rows of the codes: those of the list in order, then any other code met, sorted.
func rowsFor(order []string, labels map[string]string, met []string, notInList string) []keyed {
	var rows []keyed
	for _, c := range order {
		rows = append(rows, keyed{c, labels[c]})
	}
	var extra []string
	for _, c := range met {
		if !slices.Contains(order, c) && !slices.Contains(extra, c) {
			extra = append(extra, c)
		}
	}
	slices.Sort(extra)
	for _, c := range extra {
		rows = append(rows, keyed{c, notInList + ": " + c})
	}
	return rows
}

func index(rows []keyed, key string) int {
	return slices.IndexFunc(rows, func(k keyed) bool { return k.key == key })
}

func layMonitoring(in monitoringInput) *monitoringLayout {
	ml := &monitoringLayout{}
	s := &ml.sys
	var types []string
	for _, r := range in.ivs {
		types = append(types, r.typ)
	}
	for _, r := range in.sessions {
		types = append(types, r.typ)
	}
	ml.typeRow = rowsFor(in.typeOrder, in.typeLabels, types, "Not in the list of intervention types")
	var providers, areas []string
	for _, r := range in.ivs {
		if !slices.Contains(providers, r.provider) {
			providers = append(providers, r.provider)
		}
		if !slices.Contains(areas, r.area) {
			areas = append(areas, r.area)
		}
	}
	slices.Sort(providers)
	slices.SortFunc(areas, func(a, b string) int {
		if (a == "") != (b == "") {
			return cmp.Compare(b, a) // not recorded last
		}
		return cmp.Compare(a, b)
	})
	var provRows, areaRows []keyed
	for _, p := range providers {
		provRows = append(provRows, keyed{p, p})
	}
	for _, a := range areas {
		label := a
		if a == "" {
			label = "Local authority not recorded"
		}
		areaRows = append(areaRows, keyed{a, label})
	}
	ml.dims = []ivDim{
		{id: "interventions-by-type", title: "Interventions by type", heading: "Type of intervention", rows: ml.typeRow},
		{id: "interventions-by-provider", title: "Interventions by provider", heading: "Provider", rows: provRows},
		{id: "interventions-by-location", title: "Interventions by local authority of the person supported", heading: "Local authority", rows: areaRows},
	}
	keyOf := []func(ivRecord) string{
		func(r ivRecord) string { return r.typ },
		func(r ivRecord) string { return r.provider },
		func(r ivRecord) string { return r.area },
	}
	cols := func(r ivRecord) [nIV]bool {
		var c [nIV]bool
		c[ivActive] = true
		c[ivStarted] = !r.start.Before(in.from)
		c[ivCompleted] = !r.end.IsZero() && r.end.Before(in.to)
		c[ivOngoing] = r.end.IsZero() || !r.end.Before(in.to)
		return c
	}
	var g [nIV]int
	for _, r := range in.ivs {
		c := cols(r)
		for k := range nIV {
			if c[k] {
				g[k]++
			}
		}
	}
	for k := range nIV {
		ml.grand[k] = s.add(g[k])
	}
	links := func(e [nIV]int) {
		s.addLink(e[ivActive], e[ivStarted])
		s.addLink(e[ivActive], e[ivCompleted], e[ivOngoing])
	}
	links(ml.grand)
	ml.people = s.add(in.people)
	s.addLink(ml.grand[ivActive], ml.people)
	for d := range ml.dims {
		dim := &ml.dims[d]
		n := make([][nIV]int, len(dim.rows))
		for _, r := range in.ivs {
			i := index(dim.rows, keyOf[d](r))
			c := cols(r)
			for k := range nIV {
				if c[k] {
					n[i][k]++
				}
			}
		}
		dim.ent = make([][nIV]int, len(dim.rows))
		for i := range dim.rows {
			for k := range nIV {
				dim.ent[i][k] = s.add(n[i][k])
			}
			links(dim.ent[i])
		}
		for k := range nIV {
			parts := make([]int, len(dim.rows))
			for i := range dim.rows {
				parts[i] = dim.ent[i][k]
			}
			s.addLine(ml.grand[k], parts...)
		}
	}

	sn := make([][]int, len(ml.typeRow))
	for i := range sn {
		sn[i] = make([]int, len(sessionColumns))
	}
	for _, r := range in.sessions {
		c := slices.IndexFunc(sessionColumns, func(x struct{ code, heading string }) bool { return x.code == r.attendance })
		if c < 0 {
			c = len(sessionColumns) - 1
		}
		sn[index(ml.typeRow, r.typ)][c]++
	}
	ml.sess = s.addGrid(sn, len(sessionColumns))

	var outcomes []string
	for _, e := range in.exits {
		outcomes = append(outcomes, e.outcome)
	}
	ml.exitRow = rowsFor(in.exitOrder, in.exitLabels, outcomes, "Not an exit outcome")
	en := make([]int, len(ml.exitRow))
	for _, e := range in.exits {
		en[index(ml.exitRow, e.outcome)]++
	}
	ml.exit = make([]int, len(en))
	for i, v := range en {
		ml.exit[i] = s.add(v)
	}
	ml.exitTot = s.add(len(in.exits))
	s.addLine(ml.exitTot, ml.exit...)

	ml.revRow = []keyed{{"6", "6 months after exit"}, {"12", "12 months after exit"}, {"later", "Extended reviews (up to 24 months after exit)"}}
	rn := make([][]int, len(ml.revRow))
	for i := range rn {
		rn[i] = make([]int, len(reviewColumns))
	}
	for _, v := range in.reviews {
		row := 2
		switch v.months {
		case casework.FirstReviewMonths:
			row = 0
		case casework.SecondReviewMonths:
			row = 1
		}
		c := slices.IndexFunc(reviewColumns, func(x struct{ code, heading string }) bool { return x.code == v.outcome })
		if c < 0 {
			c = 3
		}
		rn[row][c]++
	}
	ml.rev = s.addGrid(rn, len(reviewColumns))
	return ml
}

func (ml *monitoringLayout) cell(i int, p Policy) Cell {
	if v, ok := ml.sys.published(i, p); ok {
		return Cell{Text: strconv.Itoa(v), Value: v, Number: true}
	}
	return Cell{Text: Confidential}
}

func (ml *monitoringLayout) cells(p Policy, ids ...int) []Cell {
	out := make([]Cell, len(ids))
	for i, id := range ids {
		out[i] = ml.cell(id, p)
	}
	return out
}

func (ml *monitoringLayout) gridTable(id, title, heading string, rows []keyed, cols []string, g countGrid, p Policy) Table {
	t := Table{ID: id, Title: title, Headings: append(append([]string{heading}, cols...), "Total")}
	for r, k := range rows {
		t.Rows = append(t.Rows, Row{Label: k.label, Cells: append(ml.cells(p, g.cell[r]...), ml.cell(g.rowTot[r], p))})
	}
	t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: append(ml.cells(p, g.colTot...), ml.cell(g.grand, p))})
	return t
}

// tables prints the layout, after disclosure control.
func (ml *monitoringLayout) tables(per Period, p Policy) []Table {
	var out []Table
	for _, d := range ml.dims {
		t := Table{ID: d.id, Title: fmt.Sprintf("%s, %s", d.title, per), Headings: append([]string{d.heading}, ivHeadings...)}
		for i, k := range d.rows {
			t.Rows = append(t.Rows, Row{Label: k.label, Cells: ml.cells(p, d.ent[i][:]...)})
		}
		t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: ml.cells(p, ml.grand[:]...)})
		out = append(out, t)
	}
	out = append(out, Table{ID: "people-supported", Title: fmt.Sprintf("People supported through interventions, %s", per),
		Headings: []string{"Measure", "People"},
		Rows:     []Row{{Label: "People with an intervention in progress in the period", Total: true, Cells: []Cell{ml.cell(ml.people, p)}}}})
	var sc []string
	for _, c := range sessionColumns {
		sc = append(sc, c.heading)
	}
	out = append(out, ml.gridTable("sessions", fmt.Sprintf("Sessions planned in the period by attendance and type of intervention, %s", per),
		"Type of intervention", ml.typeRow, sc, ml.sess, p))
	t := Table{ID: "exit-outcomes", Title: fmt.Sprintf("Exits from Channel by outcome, %s", per), Headings: []string{"Outcome at exit", "Exits"}}
	for i, k := range ml.exitRow {
		t.Rows = append(t.Rows, Row{Label: k.label, Cells: []Cell{ml.cell(ml.exit[i], p)}})
	}
	t.Rows = append(t.Rows, Row{Label: "Total", Total: true, Cells: []Cell{ml.cell(ml.exitTot, p)}})
	out = append(out, t)
	var rc []string
	for _, c := range reviewColumns {
		rc = append(rc, c.heading)
	}
	out = append(out, ml.gridTable("post-exit-reviews", fmt.Sprintf("Post-exit reviews due in the period by what they found, %s", per),
		"Review", ml.revRow, rc, ml.rev, p))
	return out
}
