package returns

import (
	"context"
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

// The caseload dashboard: how many people were referred month by month, how far along the pathway they went,
// how long each step took, and where the open cases stand now. It is for the partnership's coordinators and
// analysts (access.StatisticsView). A coordinator works with the cases, so sees the figures exactly and may look
// at the year or quarter in progress; an analyst works outside casework, so sees them under a release policy
// and only for periods that have ended, for the reason returns are: figures for a period that is still growing
// would give each new referral away by difference. The policy is SuppressBelow5RoundTo5 (secondary suppression
// across every line of the dashboard, then rounding): the analyst can also see the year's quarters and its
// return, each controlled on its own, and the same figure withheld in one and shown in another could otherwise
// be used to work out a withheld one exactly; rounded, such a difference gives a range, not a number.

// DashboardRequest asks for one partnership's dashboard for a financial year, or one quarter of it.
type DashboardRequest struct {
	PartnershipID prevent.ID
	Period        Period
	// Area, when not empty, keeps to the referrals of people whose local authority is that area: the key of one
	// of Dashboard.Areas (AreaNotRecorded for those with none recorded).
	Area string
}

// AreaNotRecorded is the area key of the people whose local authority is not recorded.
const AreaNotRecorded = "not-recorded"

// AreaChoice is a local authority area the dashboard can keep to: its key and its name as first recorded.
type AreaChoice struct {
	Key   string
	Label string
}

// Breakdown is the period's referrals by one characteristic.
type Breakdown struct {
	ID, Title, Heading string
	Rows               []Figure
	Notes              []string
}

// areaKey is the key of a local authority as recorded: case and spacing do not matter.
func areaKey(s string) string {
	k := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if k == "" {
		return AreaNotRecorded
	}
	return k
}

// Figure is one labelled count of the dashboard.
type Figure struct {
	Label string
	Cell  Cell
}

// Bin is one range of a distribution of durations in days: From ≤ days < To, or From ≤ days when To is 0.
type Bin struct {
	Label    string
	From, To int
	Cell     Cell
}

// Distribution is how long a step took, in days, for those who took it in the period; Waiting counts those
// still waiting for it. Median is the median in days, shown when the figures are exact or rest on at least
// medianBase durations.
type Distribution struct {
	Title   string
	Bins    []Bin
	Waiting Figure
	Median  *float64
}

// Dashboard is a partnership's caseload figures for a period.
type Dashboard struct {
	PartnershipID prevent.ID
	Partnership   string
	Period        Period
	// Exact says the figures are exact, for a reader who works with the cases; otherwise Policy was applied.
	Exact  bool
	Policy Policy
	// Months are the referrals submitted in each month of the period.
	Months []Figure
	// Pathway is how far the referrals of the period went: referred, each way out at triage, screened,
	// discussed, adopted, left Channel.
	Pathway       []Figure
	TimeToTriage  Distribution
	TimeToPanel   Distribution
	TimeInChannel Distribution
	// Breakdowns are the period's referrals by type of concern, sector of the referrer, age group and gender.
	Breakdowns []Breakdown
	// OpenByStage is where the partnership's open cases stand at OpenAt, whenever they were referred.
	OpenByStage []Figure
	OpenAt      time.Time
	// Area is the name of the local authority area the figures keep to, "" for the whole partnership; Areas
	// are the areas recorded of the period's referrals and of the open cases.
	Area  string
	Areas []AreaChoice
	Notes []string
}

// medianBase is the fewest durations a median is shown for under disclosure control.
const medianBase = 10

// ukMonthStart is midnight UK time at the start of month m of year y. April to October begin in British Summer
// Time (it runs from the last Sunday of March to the last Sunday of October), so at 23:00 UTC the day before;
// November to March begin in Greenwich Mean Time.
func ukMonthStart(y int, m time.Month) time.Time {
	t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	if m >= time.April && m <= time.October {
		t = t.Add(-time.Hour)
	}
	return t
}

// exactFor reports whether p reads the partnership's figures exactly: anyone whose role there sees personal
// data, that is anyone but an analyst.
func exactFor(p prevent.Principal, pid prevent.ID) bool {
	for _, m := range p.Memberships {
		if m.PartnershipID == pid && m.Role == prevent.Analyst {
			return false
		}
	}
	return true
}

// The bins of each distribution, in days.
var (
	triageBins  = []Bin{{Label: "Under 1 day", To: 1}, {Label: "1 to 2 days", From: 1, To: 3}, {Label: "3 to 7 days", From: 3, To: 8}, {Label: "8 to 14 days", From: 8, To: 15}, {Label: "15 to 28 days", From: 15, To: 29}, {Label: "More than 28 days", From: 29}}
	panelBins   = []Bin{{Label: "Under 2 weeks", To: 14}, {Label: "2 to 4 weeks", From: 14, To: 28}, {Label: "4 to 8 weeks", From: 28, To: 56}, {Label: "8 to 12 weeks", From: 56, To: 84}, {Label: "More than 12 weeks", From: 84}}
	channelBins = []Bin{{Label: "Under 3 months", To: 91}, {Label: "3 to 6 months", From: 91, To: 183}, {Label: "6 to 9 months", From: 183, To: 274}, {Label: "9 to 12 months", From: 274, To: 365}, {Label: "More than a year", From: 365}}
)

// ComputeDashboard computes the dashboard of req for p. The reads run in one transaction with the audit entry
// that records who looked at which period.
func (s *Service) ComputeDashboard(ctx context.Context, p prevent.Principal, req DashboardRequest) (*Dashboard, error) {
	now := s.now()
	if !s.allow(p, req.PartnershipID, access.StatisticsView) {
		return nil, access.NotFound("Partnership")
	}
	per := req.Period
	if !per.valid() {
		return nil, invalidf("Choose a financial year from 2015/16, or a quarter of one")
	}
	from, to := per.Start(), per.End()
	exact := exactFor(p, req.PartnershipID)
	switch {
	case !now.After(from):
		return nil, invalidf("%s has not begun", per)
	case !exact && now.Before(to):
		return nil, invalidf("Figures outside casework are for periods that have ended: %s is not over yet", per)
	}
	d := &Dashboard{PartnershipID: req.PartnershipID, Period: per, Exact: exact, Policy: SuppressBelow5RoundTo5, OpenAt: now}
	lists := map[Kind]List{}
	for _, k := range []Kind{ConcernTypes, AgeBands, Sectors, Genders} {
		l, err := ListFor(k, per.Year)
		if err != nil {
			return nil, err
		}
		lists[k] = l
	}
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		name, _, err := readPartnership(ctx, tx, req.PartnershipID)
		if err != nil {
			return err
		}
		d.Partnership = name
		labels, err := concernLabels(ctx, tx)
		if err != nil {
			return err
		}
		recs, err := readJourneys(ctx, tx, req.PartnershipID, from, to)
		if err != nil {
			return err
		}
		live, err := readLive(ctx, tx, req.PartnershipID, per.Year)
		if err != nil {
			return err
		}
		byID := make(map[prevent.ID]record, len(live))
		for _, r := range live {
			byID[r.id] = r
		}
		info := make([]record, len(recs))
		for i, j := range recs {
			r, ok := byID[j.id]
			if !ok {
				r = record{id: j.id, age: -1}
			}
			info[i] = r
		}
		open, err := readOpenStates(ctx, tx, req.PartnershipID)
		if err != nil {
			return err
		}
		g, err := d.groupFor(req.Area, recs, info, open)
		if err != nil {
			return err
		}
		if !exact {
			if err := d.Policy.CheckBase(fmt.Sprintf("referrals in %s", d.Period.String()), len(g.journey)); err != nil {
				return err
			}
		}
		if err := d.lay(g, dashboardDims(lists, labels, g.info), from, to); err != nil {
			return err
		}
		e := audit.New(ctx, now, audit.Combine, "dashboard", req.PartnershipID)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.PartnershipID = req.PartnershipID
		e.Purpose = "monitoring"
		policy := "exact figures"
		if !exact {
			policy = d.Policy.String()
		}
		e.Detail = fmt.Sprintf("caseload dashboard for %s (%s)", d.Period.String(), policy)
		if d.Area != "" {
			e.Detail = fmt.Sprintf("caseload dashboard for %s, local authority %s (%s)", d.Period.String(), d.Area, policy)
		}
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return fmt.Errorf("returns: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// groupFor lists the areas recorded of the referrals and open cases, and keeps to the one asked for, if any.
//
// An area is for exact readers only. Under disclosure control, figures for an area beside the partnership's
// would give the rest of the partnership's away by difference (the partnership's figure less the area's), and
// the rest may be one small area, or the people whose area is not recorded: the suppression of the two
// dashboards, each safe alone, would not protect the difference.
func (d *Dashboard) groupFor(area string, recs []journey, info []record, open []openCase) (dashGroup, error) {
	labels := map[string]string{}
	var keys []string
	note := func(raw string) {
		k := areaKey(raw)
		if _, ok := labels[k]; !ok {
			label := strings.Join(strings.Fields(raw), " ")
			if k == AreaNotRecorded {
				label = "Local authority not recorded"
			}
			labels[k] = label
			keys = append(keys, k)
		}
	}
	for _, r := range info {
		note(r.area)
	}
	for _, o := range open {
		note(o.area)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if (a == AreaNotRecorded) != (b == AreaNotRecorded) {
			if a == AreaNotRecorded {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	if d.Exact {
		for _, k := range keys {
			d.Areas = append(d.Areas, AreaChoice{Key: k, Label: labels[k]})
		}
	}
	var want string
	if area != "" {
		if !d.Exact {
			return dashGroup{}, prevent.Validation([]prevent.FieldError{{Field: "area", Message: "Figures for one local authority area are for those who work with the cases: " +
				"beside the partnership's figures they would give away the figures of the rest of the partnership by difference"}})
		}
		want = areaKey(area)
		if area == AreaNotRecorded {
			want = AreaNotRecorded
		}
		l, ok := labels[want]
		if !ok {
			return dashGroup{}, prevent.Validation([]prevent.FieldError{{Field: "area", Message: "Choose a local authority area recorded for this partnership's referrals or open cases"}})
		}
		d.Area = l
	}
	g := dashGroup{}
	for i, j := range recs {
		if want == "" || areaKey(info[i].area) == want {
			g.journey = append(g.journey, j)
			g.info = append(g.info, info[i])
		}
	}
	for _, o := range open {
		if want == "" || areaKey(o.area) == want {
			g.open = append(g.open, o.state)
		}
	}
	return g, nil
}

// journey is what the dashboard needs of one referral: when it was submitted and triaged, and when it first
// reached each state that marks a step.
type journey struct {
	id        prevent.ID
	submitted time.Time
	triaged   time.Time
	reached   map[casework.State]time.Time
}

func (j journey) at(states ...casework.State) (time.Time, bool) {
	var first time.Time
	for _, s := range states {
		if t, ok := j.reached[s]; ok && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first, !first.IsZero()
}

func days(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }

// dashCounts lays the dashboard's counts into one system under disclosure control.
type dashCounts struct {
	sys counts
	pol Policy
	on  bool // apply the policy
}

func (c *dashCounts) cell(i int) Cell {
	if !c.on {
		return Cell{Text: strconv.Itoa(c.sys.value[i]), Value: c.sys.value[i], Number: true}
	}
	if v, ok := c.sys.published(i, c.pol); ok {
		return Cell{Text: strconv.Itoa(v), Value: v, Number: true}
	}
	return Cell{Text: Confidential}
}

// distribution counts durations into bins; those without a duration are waiting (an entry only where some can
// be, -1 where none can). Its line is the bins and the waiting, adding up to those who could take the step.
type distribution struct {
	bins    []int
	waiting int
	all     []int
}

func (d distribution) line() []int {
	if d.waiting < 0 {
		return slices.Clone(d.bins)
	}
	return append(slices.Clone(d.bins), d.waiting)
}

func (c *dashCounts) distribution(bins []Bin, durations []int, waiting int, canWait bool) distribution {
	n := make([]int, len(bins))
	for _, d := range durations {
		for i, b := range bins {
			if d >= b.From && (b.To == 0 || d < b.To) {
				n[i]++
				break
			}
		}
	}
	out := distribution{waiting: -1, all: durations}
	if canWait {
		out.waiting = c.sys.add(waiting)
	}
	for _, v := range n {
		out.bins = append(out.bins, c.sys.add(v))
	}
	return out
}

func (c *dashCounts) show(title string, bins []Bin, dist distribution, waitingLabel string) Distribution {
	out := Distribution{Title: title}
	if dist.waiting >= 0 {
		out.Waiting = Figure{Label: waitingLabel, Cell: c.cell(dist.waiting)}
	}
	for i, b := range bins {
		b.Cell = c.cell(dist.bins[i])
		out.Bins = append(out.Bins, b)
	}
	if len(dist.all) > 0 && (!c.on || len(dist.all) >= medianBase) {
		s := slices.Clone(dist.all)
		slices.Sort(s)
		m := float64(s[len(s)/2])
		if len(s)%2 == 0 {
			m = float64(s[len(s)/2-1]+s[len(s)/2]) / 2
		}
		out.Median = &m
	}
	return out
}

// dashDim is a breakdown of the dashboard's referrals by a characteristic, under the list in force for the year.
type dashDim struct {
	id, title, heading string
	rows               []rowKey
	of                 func(record) rowKey
}

// dashboardDims are the dashboard's breakdowns: type of concern, sector of referral, age group and gender, each
// with the rows of the list in force and any row of the records it has no category for.
func dashboardDims(lists map[Kind]List, labels map[string]string, recs []record) []dashDim {
	ret := returnDimensions(lists, labels, recs)
	var out []dashDim
	for _, d := range []struct {
		dim         int
		title, head string
	}{{typeDim, "Referrals by type of concern", "Type of concern"}, {sectorDim, "Referrals by sector of the referrer", "Sector of referral"},
		{ageDim, "Referrals by age group", "Age group"}, {genderDim, "Referrals by gender", "Gender"}} {
		out = append(out, dashDim{id: ret[d.dim].id, title: d.title, heading: d.head, rows: ret[d.dim].rows, of: ret[d.dim].of})
	}
	return out
}

// dashIDs are the entries of the dashboard's figures in the counts system.
type dashIDs struct {
	total                  int
	months                 []int
	path                   map[string]int
	triage, panel, channel distribution
	dims                   [][]int
	open                   []int
	openTotal              int
}

var pathwayKeys = []string{"nfa", "signposted", "police", "screened", "discussed", "adopted", "left"}

// group counts the journeys (with their records, by the journey's index) and open cases into the system, with
// the lines and links between them.
func (c *dashCounts) group(recs []journey, info []record, open []casework.State, monthStarts []time.Time, dims []dashDim) dashIDs {
	monthCounts := make([]int, len(monthStarts))
	var toTriage, toPanel, inChannel []int
	var notTriaged, pathway = 0, map[string]int{}
	dimCounts := make([][]int, len(dims))
	rowIndex := make([]map[string]int, len(dims))
	for d, dim := range dims {
		dimCounts[d] = make([]int, len(dim.rows))
		rowIndex[d] = map[string]int{}
		for i, k := range dim.rows {
			rowIndex[d][k.key] = i
		}
	}
	for n, j := range recs {
		for i := len(monthStarts) - 1; i >= 0; i-- {
			if !j.submitted.Before(monthStarts[i]) {
				monthCounts[i]++
				break
			}
		}
		for d, dim := range dims {
			i, ok := rowIndex[d][dim.of(info[n]).key]
			if !ok {
				panic("returns: a referral falls in no row of " + dim.id)
			}
			dimCounts[d][i]++
		}
		if j.triaged.IsZero() {
			notTriaged++
		} else {
			toTriage = append(toTriage, days(j.submitted, j.triaged))
		}
		if _, ok := j.at(casework.ClosedNFA); ok {
			pathway["nfa"]++
		}
		if _, ok := j.at(casework.Signposted); ok {
			pathway["signposted"]++
		}
		if _, ok := j.at(casework.PoliceLedManagement, casework.PursueHandover); ok {
			pathway["police"]++
		}
		if _, ok := j.at(casework.ChannelScreening); ok {
			pathway["screened"]++
		}
		if t, ok := j.at(casework.Discussed, casework.Adopted); ok {
			pathway["discussed"]++
			toPanel = append(toPanel, days(j.submitted, t))
		}
		if t, ok := j.at(casework.Adopted); ok {
			pathway["adopted"]++
			if x, ok := j.at(casework.Exited); ok {
				pathway["left"]++
				inChannel = append(inChannel, days(t, x))
			}
		}
	}
	var g dashIDs
	g.total = c.sys.add(len(recs))
	for _, n := range monthCounts {
		g.months = append(g.months, c.sys.add(n))
	}
	c.sys.addLine(g.total, g.months...)
	g.path = map[string]int{}
	for _, k := range pathwayKeys {
		g.path[k] = c.sys.add(pathway[k])
	}
	c.sys.addLink(g.total, g.path["screened"])
	c.sys.addLink(g.total, g.path["nfa"])
	c.sys.addLink(g.total, g.path["signposted"])
	c.sys.addLink(g.total, g.path["police"])
	c.sys.addLink(g.total, g.path["discussed"])
	c.sys.addLink(g.path["discussed"], g.path["adopted"])
	c.sys.addLink(g.path["adopted"], g.path["left"])
	g.triage = c.distribution(triageBins, toTriage, notTriaged, true)
	c.sys.addLine(g.total, g.triage.line()...)
	// Those discussed all have a time to the panel: nobody waits in this distribution.
	g.panel = c.distribution(panelBins, toPanel, 0, false)
	c.sys.addLine(g.path["discussed"], g.panel.line()...)
	g.channel = c.distribution(channelBins, inChannel, pathway["adopted"]-pathway["left"], true)
	c.sys.addLine(g.path["adopted"], g.channel.line()...)
	for d := range dims {
		var ids []int
		for _, n := range dimCounts[d] {
			ids = append(ids, c.sys.add(n))
		}
		c.sys.addLine(g.total, ids...)
		g.dims = append(g.dims, ids)
	}
	// Open cases by stage, now: a separate line, of every open case whenever it was referred.
	byStage := map[casework.Stage]int{}
	stageOf := map[casework.State]casework.Stage{}
	for _, st := range casework.OpenStages {
		for _, x := range casework.StageStates[st] {
			stageOf[x] = st
		}
	}
	openTotal := 0
	for _, s := range open {
		if st, ok := stageOf[s]; ok {
			byStage[st]++
			openTotal++
		}
	}
	g.openTotal = c.sys.add(openTotal)
	for _, st := range casework.OpenStages {
		g.open = append(g.open, c.sys.add(byStage[st]))
	}
	c.sys.addLine(g.openTotal, g.open...)

	return g
}

// dashGroup is the referrals and open cases the dashboard counts: the partnership's, or one local authority
// area's.
type dashGroup struct {
	journey []journey
	info    []record
	open    []casework.State
}

// lay counts the group into the dashboard, under disclosure control for a reader outside casework.
func (d *Dashboard) lay(grp dashGroup, dims []dashDim, from, to time.Time) error {
	c := &dashCounts{pol: d.Policy, on: !d.Exact}
	// Months.
	var monthStarts []time.Time
	var monthNames []string
	first := d.Period.Year.Start().Add(time.Hour) // 1 April, as a date
	for i := 0; i < 12; i++ {
		y, m := first.Year(), first.Month()+time.Month(i)
		if m > time.December {
			y, m = y+1, m-12
		}
		start := ukMonthStart(y, m)
		if start.Before(from) || !start.Before(to) {
			continue
		}
		monthStarts = append(monthStarts, start)
		monthNames = append(monthNames, fmt.Sprintf("%s %d", m, y))
	}
	g := c.group(grp.journey, grp.info, grp.open, monthStarts, dims)
	if c.on {
		if err := c.sys.protect(c.pol); err != nil {
			return err
		}
	}
	for i := range monthStarts {
		d.Months = append(d.Months, Figure{Label: monthNames[i], Cell: c.cell(g.months[i])})
	}
	d.Pathway = []Figure{
		{Label: "Referred", Cell: c.cell(g.total)},
		{Label: "Closed at triage with no further action", Cell: c.cell(g.path["nfa"])},
		{Label: "Signposted to other services", Cell: c.cell(g.path["signposted"])},
		{Label: "Managed by the police", Cell: c.cell(g.path["police"])},
		{Label: "Screened for Channel", Cell: c.cell(g.path["screened"])},
		{Label: "Discussed at a Channel panel", Cell: c.cell(g.path["discussed"])},
		{Label: "Adopted as a Channel case", Cell: c.cell(g.path["adopted"])},
		{Label: "Left Channel", Cell: c.cell(g.path["left"])},
	}
	d.TimeToTriage = c.show("Time from referral to triage", triageBins, g.triage, "Not triaged yet")
	d.TimeToPanel = c.show("Time from referral to a Channel panel, for those discussed", panelBins, g.panel, "")
	d.TimeInChannel = c.show("Time in Channel, from adoption to leaving, for those adopted", channelBins, g.channel, "Still in Channel")
	for n, dim := range dims {
		b := Breakdown{ID: dim.id, Title: dim.title, Heading: dim.heading}
		for i, k := range dim.rows {
			b.Rows = append(b.Rows, Figure{Label: k.label, Cell: c.cell(g.dims[n][i])})
			if k.note != "" {
				b.Notes = append(b.Notes, k.note)
			}
		}
		d.Breakdowns = append(d.Breakdowns, b)
	}
	labels := map[casework.Stage]string{casework.StageTriage: "Triage", casework.StageScreening: "Screening", casework.StagePanel: "Panel",
		casework.StageSupport: "Support", casework.StageReview: "Review after leaving"}
	for i, st := range casework.OpenStages {
		d.OpenByStage = append(d.OpenByStage, Figure{Label: labels[st], Cell: c.cell(g.open[i])})
	}
	d.OpenByStage = append(d.OpenByStage, Figure{Label: "Open cases", Cell: c.cell(g.openTotal)})
	d.Notes = append(d.Notes, "Referrals are counted in the period they were submitted in; each later step is counted for those referrals, whenever it happened.",
		"Erased cases are not in the dashboard: the facts kept of them hold no dates finer than the quarter. The return counts them.")
	if d.Area != "" {
		d.Notes = append(d.Notes, "Only referrals of people whose local authority is recorded as "+d.Area+" are counted, and only their open cases.")
	}
	return nil
}

// figureTable is a table of one column of figures.
func figureTable(id, title, heading, column string, fs []Figure, total *Figure) Table {
	t := Table{ID: id, Title: title, Headings: []string{heading, column}}
	for _, f := range fs {
		t.Rows = append(t.Rows, Row{Label: f.Label, Cells: []Cell{f.Cell}})
	}
	if total != nil {
		t.Rows = append(t.Rows, Row{Label: total.Label, Total: true, Cells: []Cell{total.Cell}})
	}
	return t
}

func distributionTable(id string, d Distribution, column string) Table {
	var fs []Figure
	for _, b := range d.Bins {
		fs = append(fs, Figure{Label: b.Label, Cell: b.Cell})
	}
	if d.Waiting.Label != "" {
		fs = append(fs, d.Waiting)
	}
	t := figureTable(id, d.Title, "Time taken", column, fs, nil)
	if d.Median != nil {
		t.Notes = append(t.Notes, fmt.Sprintf("The median is %s days.", strconv.FormatFloat(*d.Median, 'f', -1, 64)))
	}
	return t
}

// Tables are the dashboard's figures as tables, in the order the page shows them.
func (d *Dashboard) Tables() []Table {
	per := d.Period.String()
	if d.Area != "" {
		per += ", " + d.Area
	}
	open := d.OpenByStage[len(d.OpenByStage)-1]
	total := &Figure{Label: "Total", Cell: d.Pathway[0].Cell}
	out := []Table{
		figureTable("months", "Referrals by month, "+per, "Month", "Referrals", d.Months, total),
		figureTable("pathway", "How far the referrals of "+per+" went", "Step", "People", d.Pathway, nil),
	}
	for _, b := range d.Breakdowns {
		t := figureTable(b.ID, b.Title+", "+per, b.Heading, "Referrals", b.Rows, total)
		t.Notes = b.Notes
		out = append(out, t)
	}
	openTitle := "Open cases by stage on " + d.OpenAt.Format("2 January 2006")
	if d.Area != "" {
		openTitle += ", " + d.Area
	}
	return append(out,
		distributionTable("time-to-triage", d.TimeToTriage, "Referrals"),
		distributionTable("time-to-panel", d.TimeToPanel, "People discussed"),
		distributionTable("time-in-channel", d.TimeInChannel, "People adopted"),
		figureTable("open-by-stage", openTitle, "Stage", "Cases", d.OpenByStage[:len(d.OpenByStage)-1], &open),
	)
}

// CSV writes one of the dashboard's tables with what it covers and how its figures were controlled.
func (d *Dashboard) CSV(t Table) ([]byte, error) {
	figures := "Exact, for use within the partnership's casework"
	if !d.Exact {
		figures = d.Policy.String() + ". " + d.Policy.Summary
	}
	return tableCSV([][]string{
		{"Title", t.Title},
		{"Partnership", d.Partnership},
		{"Period", d.Period.String()},
		{"Local authority area", areaText(d.Area)},
		{"Disclosure control", figures},
		{"Query", dashboardQueryVersion},
	}, t)
}

// dashboardQueryVersion names what the dashboard's queries count; it changes whenever they do.
const dashboardQueryVersion = "dashboard version 2"

func areaText(a string) string {
	if a == "" {
		return "All"
	}
	return a
}
