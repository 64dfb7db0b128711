package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
)

// The national synthetic dataset: invented partnerships in every Prevent Co-ordinator Region, with ten
// financial years of synthetic referrals whose returns, summed over the partnerships, give the national
// totals of the published statistics for the years they are known (NationalTargets). docs/returns.md
// describes it, its targets and its assumptions.

// YearTarget is what the partnerships' returns for a financial year must add up to.
type YearTarget struct {
	Year      returns.FinancialYear
	Referrals int
	Discussed int // discussed at a Channel panel
	Adopted   int // adopted as a Channel case
}

// NationalTargets are the national totals the dataset reproduces, oldest first. 2023/24 (all three figures)
// and the referrals and adoptions of 2024/25 are the published figures; the 2024/25 panel discussions are an
// assumption (1,900: adoptions are about three in four of the cases discussed in the years before), and the
// earlier years are illustrative, near the published series as recalled, not checked against the releases.
var NationalTargets = []YearTarget{
	{2015, 7631, 1072, 381},
	{2016, 6093, 1146, 332},
	{2017, 7318, 1314, 394},
	{2018, 5738, 1320, 561},
	{2019, 6287, 1424, 697},
	{2020, 4915, 1115, 688},
	{2021, 6406, 1486, 804},
	{2022, 6817, 1284, 786},
	{2023, 6922, 893, 512},
	{2024, 8778, 1900, 1472},
}

// nationalArea is an invented partnership area and the region it records (a name the region list maps:
// Yorkshire and the Humber is part of the North East Prevent Co-ordinator Region).
type nationalArea struct {
	name, region string
}

// nationalRegions are the Prevent Co-ordinator Regions, by their code in the region list, each with its
// share of referrals (illustrative, not the published regional split) and up to four invented areas.
type nationalRegion struct {
	code   string
	weight float64
	areas  []nationalArea
}

var nationalRegions = []nationalRegion{
	{"north_east", 17, []nationalArea{{"Tyneholm", "North East"}, {"Ousedale", "Yorkshire and the Humber"},
		{"Wearmoor", "North East"}, {"Humbercross", "Yorkshire and the Humber"}}},
	{"north_west", 14, []nationalArea{{"Merselow", "North West"}, {"Irwellby", "North West"}, {"Lunedale Vale", "North West"},
		{"Ribblemoor", "North West"}}},
	{"london", 13, []nationalArea{{"Thameshaven", "London"}, {"Leawick", "London"}, {"Fleetmarsh", "London"}, {"Wandlebury", "London"}}},
	{"south_east", 16, []nationalArea{{"Wealdmere", "South East"}, {"Solentby", "South East"}, {"Downsfield", "South East"},
		{"Chilternholt", "South East"}}},
	{"east_of_england", 10, []nationalArea{{"Fenwold", "East of England"}, {"Broadmere", "East of England"},
		{"Stourbeck", "East of England"}, {"Cammarsh", "East of England"}}},
	{"east_midlands", 9, []nationalArea{{"Trentholme", "East Midlands"}, {"Soarwick", "East Midlands"}, {"Derwentby", "East Midlands"},
		{"Nenefield", "East Midlands"}}},
	{"west_midlands", 9, []nationalArea{{"Severnhurst", "West Midlands"}, {"Tamebridge", "West Midlands"},
		{"Arrowmoor", "West Midlands"}, {"Wyreford", "West Midlands"}}},
	{"south_west", 8, []nationalArea{{"Exmere", "South West"}, {"Tamarwick", "South West"}, {"Mendipholt", "South West"},
		{"Parrettdale", "South West"}}},
	{"wales", 4, []nationalArea{{"Aberhafod", "Wales"}, {"Llanfeirion", "Wales"}, {"Cwmderyn", "Wales"}, {"Penrhydd", "Wales"}}},
}

// NationalRegionCodes are the codes of the regions the dataset covers, all of the region list's.
func NationalRegionCodes() []string {
	out := make([]string, len(nationalRegions))
	for i, r := range nationalRegions {
		out[i] = r.code
	}
	return out
}

// nationalOrgs are a national partnership's member organisations, "%s" standing for its area; the first is
// the administrator's. The names say what the generator looks for: a primary school, a college.
var nationalOrgs = []org{
	{"council", "%s Council", partnership.LocalAuthority, true, "council"},
	{"police", "%s Police", partnership.Police, true, "police"},
	{"primary", "%s Primary School", partnership.Education, true, "primary"},
	{"secondary", "%s Academy", partnership.Education, true, "academy"},
	{"college", "%s College", partnership.Education, true, "college"},
	{"nhs", "%s Health NHS Trust", partnership.Health, true, "nhs"},
	{"probation", "%s Probation Delivery Unit", partnership.Probation, true, "pdu"},
	{"prison", "HMP %s", partnership.Prison, true, "prison"},
	{"community", "%s Community Trust", partnership.Community, false, "trust"},
	{"provider", "%s Mentoring CIC", partnership.OtherSector, false, "mentoring"},
}

// nationalTeam are a national partnership's people: the roles the generator needs (a police officer, a
// coordinator, a panel chair and members, referrers from the sectors that refer most, a provider) and an
// analyst, who computes its returns. The first is the administrator.
var nationalTeam = []struct {
	org      string
	role     prevent.Role
	jobTitle string
}{
	{"council", prevent.Administrator, "Prevent partnership administrator"},
	{"council", prevent.Coordinator, "Prevent coordinator"},
	{"police", prevent.PoliceOfficer, "Prevent engagement officer"},
	{"council", prevent.PanelChair, "Head of community safety"},
	{"primary", prevent.Referrer, "Designated safeguarding lead"},
	{"secondary", prevent.Referrer, "Head of year"},
	{"college", prevent.Referrer, "Safeguarding manager"},
	{"community", prevent.Referrer, "Youth work coordinator"},
	{"probation", prevent.Referrer, "Offender manager"},
	{"nhs", prevent.PanelMember, "Named professional for safeguarding adults"},
	{"probation", prevent.PanelMember, "Senior probation officer"},
	{"prison", prevent.PanelMember, "Prison Prevent lead"},
	{"provider", prevent.Provider, "Intervention provider"},
	{"council", prevent.Analyst, "Community safety analyst"},
}

// NationalServices are the services LoadNational works through on one database.
type NationalServices struct {
	// Partnership creates the partnerships, their organisations and people.
	Partnership *partnership.Service
	// Casework gives the bank holidays and derives the generated cases' tasks.
	Casework *casework.Service
	// Returns computes the returns that a partnership-year is tried out with (see screener), under any digest
	// key; only the scratch database's is used.
	Returns *returns.Service
}

// NationalDeps are what LoadNational needs: the database, and the services. The demo builds no service of its
// own: Services returns them on a database and a clock, for DB and for the scratch database the load tries
// partnership-years out in.
type NationalDeps struct {
	DB       *database.DB
	Services func(db *database.DB, now func() time.Time) NationalServices
}

// nationalEnv is a database with the services on it.
type nationalEnv struct {
	db *database.DB
	NationalServices
}

// NationalOptions control LoadNational.
type NationalOptions struct {
	// Targets are the years and their totals, oldest first; NationalTargets when empty.
	Targets []YearTarget
	// Years, when more than 0, keeps only the last Years of Targets.
	Years int
	// Regions are the codes of the regions to create partnerships in; all of them when empty.
	Regions []string
	// PerRegion is how many partnerships each region gets, 1 to 4 (default 4).
	PerRegion int
	// Seed makes the dataset repeatable: the same seed, options and Now give the same figures.
	Seed uint64
	// Now is the time of loading (default time.Now). It must be at least six months after the last year, so
	// that every referral planned for a panel has had one.
	Now time.Time
	// Progress, when set, is told how many referrals are written, of how many, after each transaction.
	Progress func(done, total int)
}

// NationalPartnership is one partnership of the national dataset.
type NationalPartnership struct {
	ID     prevent.ID
	Name   string
	Region string // as the partnership records it
}

// National is what LoadNational created.
type National struct {
	Partnerships []NationalPartnership
	Referrals    int
	Targets      []YearTarget
	// Tries is how many times a partnership-year was tried out before it was written (see screener): one per
	// partnership-year, and one more for each seed refused.
	Tries int
}

// LoadNational creates the national synthetic dataset in a database that holds no partnership yet: for each
// region, PerRegion invented partnerships with their organisations and people (through the partnership
// service, acting as each partnership's first administrator, as the demo partnership is made), then their
// referrals for the target years through the demo's referral generator, planned so that the partnerships'
// returns add up to the targets exactly: per year, the referrals, those discussed at a panel and those
// adopted are shared out over the partnerships, and each referral is given its submission time (a UK
// working day, mostly in office hours, by a month pattern with fewer referrals in the summer holidays) and
// how far it goes. It returns what it created; NationalTotals checks the figures.
func LoadNational(ctx context.Context, d NationalDeps, opt NationalOptions) (*National, error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if d.DB == nil || d.Services == nil {
		return nil, errNoServices
	}
	clock := func() time.Time { return opt.Now }
	env := nationalEnv{db: d.DB, NationalServices: d.Services(d.DB, clock)}
	if env.Partnership == nil || env.Casework == nil {
		return nil, errNoServices
	}
	targets := opt.Targets
	if len(targets) == 0 {
		targets = NationalTargets
	}
	if opt.Years > 0 && opt.Years < len(targets) {
		targets = targets[len(targets)-opt.Years:]
	}
	for i, t := range targets {
		if t.Adopted < 0 || t.Discussed < t.Adopted || t.Referrals < t.Discussed || (i > 0 && t.Year <= targets[i-1].Year) {
			return nil, prevent.Errorf(prevent.Invalid, "The targets for %s do not add up, or the years are not in order", t.Year)
		}
	}
	if last := targets[len(targets)-1].Year.End(); opt.Now.Before(last.AddDate(0, 6, 0)) {
		return nil, prevent.Errorf(prevent.Invalid, "The national dataset needs six months after %s to take its cases to panel: load it after %s",
			targets[len(targets)-1].Year, last.AddDate(0, 6, 0).Format("2 January 2006"))
	}
	per := opt.PerRegion
	if per <= 0 {
		per = 4
	}
	if per > 4 {
		return nil, prevent.Errorf(prevent.Invalid, "A region has at most 4 partnerships in the national dataset")
	}
	codes := opt.Regions
	if len(codes) == 0 {
		codes = NationalRegionCodes()
	}
	var n int
	if err := d.DB.Read().QueryRowContext(ctx, `SELECT count(*) FROM partnerships`).Scan(&n); err != nil {
		return nil, fmt.Errorf("demo: count partnerships: %w", err)
	}
	if n > 0 {
		return nil, prevent.Errorf(prevent.Conflict,
			"The national dataset can only be loaded into an empty database, and this one already holds %d partnership(s). Use a new data directory or database", n)
	}
	ctx = prevent.NewContextWithRequestID(ctx, requestID)
	r := rand.New(rand.NewPCG(opt.Seed, 0x6e6174696f6e616c))

	// The partnerships, and each one's share of its region's referrals.
	out := &National{Targets: targets}
	var weights []float64
	var areas []nationalArea
	for _, code := range codes {
		i := slices.IndexFunc(nationalRegions, func(r nationalRegion) bool { return r.code == code })
		if i < 0 {
			return nil, prevent.Errorf(prevent.Invalid, "No region has the code %q", code)
		}
		reg := nationalRegions[i]
		shares := make([]float64, per)
		var sum float64
		for k := range shares {
			shares[k] = 0.6 + 0.8*r.Float64()
			sum += shares[k]
		}
		for k, a := range reg.areas[:per] {
			np, err := createNational(ctx, env, a, len(out.Partnerships), opt.Now)
			if err != nil {
				return nil, err
			}
			out.Partnerships = append(out.Partnerships, np)
			areas = append(areas, a)
			weights = append(weights, reg.weight*shares[k]/sum)
		}
	}

	// Each year's totals, shared out over the partnerships, then each partnership's referrals planned.
	plans := make([][][]Planned, len(out.Partnerships)) // by partnership, then year
	for _, t := range targets {
		jitter := func(w []float64, lo, hi float64) []float64 {
			j := make([]float64, len(w))
			for i := range w {
				j[i] = w[i] * (lo + (hi-lo)*r.Float64())
			}
			return j
		}
		refs, err := apportion(t.Referrals, jitter(weights, 0.9, 1.1), nil, minFigure)
		if err != nil {
			return nil, err
		}
		disc, err := apportion(t.Discussed, jitter(intWeights(refs), 0.75, 1.25), refs, minFigure)
		if err != nil {
			return nil, err
		}
		adopt, err := apportion(t.Adopted, jitter(intWeights(disc), 0.8, 1.2), disc, minFigure)
		if err != nil {
			return nil, err
		}
		for p := range out.Partnerships {
			plan := planYear(r, t.Year, refs[p], disc[p], adopt[p], p == 0)
			slices.SortStableFunc(plan, func(a, b Planned) int { return a.At.Compare(b.At) })
			plans[p] = append(plans[p], plan)
		}
	}
	total := 0
	for _, t := range targets {
		total += t.Referrals
	}

	// Each partnership's years, one at a time: screened first, then written.
	sc, err := newScreener(ctx, d.Services, opt.Now)
	if err != nil {
		return nil, err
	}
	defer sc.close()
	for p, np := range out.Partnerships {
		for k, plan := range plans[p] {
			seed, err := sc.seed(ctx, areas[p], p, plan, opt.Seed*1000003+uint64(p)*1009+uint64(k)*100003, targets[k].Year)
			if err != nil {
				return out, fmt.Errorf("demo: national: %s, %s: %w", np.Name, targets[k].Year, err)
			}
			base := out.Referrals
			var progress func(int)
			if opt.Progress != nil {
				progress = func(done int) { opt.Progress(base+done, total) }
			}
			done, err := GenerateReferrals(ctx, d.DB, np.ID, ReferralOptions{Plan: plan, Seed: seed, End: opt.Now,
				Batch: 2000, Progress: progress, Casework: env.Casework, SkipTasks: true})
			out.Referrals += done
			if err != nil {
				return out, fmt.Errorf("demo: national: %s: %w", np.Name, err)
			}
		}
	}
	out.Tries = sc.n
	// The cases were written in batches, not through the service: derive the open ones' tasks, once.
	if _, err := env.Casework.SyncAllTasks(ctx, 2000); err != nil {
		return out, fmt.Errorf("demo: national: tasks: %w", err)
	}
	return out, nil
}

// createNational creates one partnership of the national dataset with its organisations and people, as the
// demo partnership is created: the partnership and its first administrator outside any principal's authority,
// everything else by that administrator through the access-checked partnership service. Nobody's account is
// set up: the people exist for the casework to name, and nobody signs in as them.
func createNational(ctx context.Context, d nationalEnv, a nationalArea, index int, now time.Time) (NationalPartnership, error) {
	ps := d.Partnership
	np := NationalPartnership{Name: a.name + " Prevent Partnership", Region: a.region}
	slug := strings.ToLower(strings.ReplaceAll(a.name, " ", ""))
	var err error
	if np.ID, err = ps.Bootstrap(ctx, np.Name, a.name, a.region); err != nil {
		return np, fmt.Errorf("demo: national: %s: %w", np.Name, err)
	}
	orgInput := func(o org) partnership.OrganisationInput {
		o.name = fmt.Sprintf(o.name, a.name)
		return o.input()
	}
	domain := func(o org) string { return slug + "-" + o.domain + ".example" }
	gen := &names{r: rand.New(rand.NewPCG(0x6e6174696f6e616c, uint64(index))), used: map[string]bool{}}
	first := nationalTeam[0]
	home := nationalOrg(first.org)
	fn, ln := gen.next()
	adminID, _, err := ps.BootstrapAdministrator(ctx, np.ID, orgInput(home), fn+" "+ln, emailLocal(fn, ln)+"@"+domain(home))
	if err != nil {
		return np, fmt.Errorf("demo: national: %s: first administrator: %w", np.Name, err)
	}
	admin, err := auth.LoadPrincipal(ctx, d.db.Read(), adminID, now)
	if err != nil {
		return np, fmt.Errorf("demo: national: load administrator: %w", err)
	}
	admin.MFA = true
	actx := prevent.NewContextWithPrincipal(ctx, admin)
	orgIDs := map[string]prevent.ID{}
	members, err := ps.Organisations(actx, admin, np.ID)
	if err != nil {
		return np, fmt.Errorf("demo: national: organisations: %w", err)
	}
	for _, o := range members {
		if o.Name == fmt.Sprintf(home.name, a.name) {
			orgIDs[home.key] = o.ID
		}
	}
	for _, o := range nationalOrgs {
		if _, ok := orgIDs[o.key]; ok {
			continue
		}
		if orgIDs[o.key], err = ps.CreateOrganisation(actx, admin, np.ID, orgInput(o)); err != nil {
			return np, fmt.Errorf("demo: national: organisation %s: %w", fmt.Sprintf(o.name, a.name), err)
		}
	}
	for _, st := range nationalTeam[1:] {
		o := nationalOrg(st.org)
		fn, ln := gen.next()
		if _, _, err := ps.CreatePerson(actx, admin, np.ID, partnership.PersonInput{Name: fn + " " + ln, Email: emailLocal(fn, ln) + "@" + domain(o),
			JobTitle: st.jobTitle, OrganisationID: orgIDs[st.org], Roles: []string{string(st.role)}}); err != nil {
			return np, fmt.Errorf("demo: national: %s: person for role %s: %w", np.Name, st.role, err)
		}
	}
	return np, nil
}

func nationalOrg(key string) org {
	for _, o := range nationalOrgs {
		if o.key == key {
			return o
		}
	}
	panic("demo: unknown national organisation " + key)
}

// minFigure is the least number of referrals, discussions and adoptions a partnership has in a year: under
// returns.SuppressBelow5 no Total is then withheld, so the returns' totals can be summed and checked.
var minFigure = returns.SuppressBelow5.Threshold

func intWeights(n []int) []float64 {
	out := make([]float64, len(n))
	for i, v := range n {
		out[i] = float64(v)
	}
	return out
}

// apportion shares total out in proportion to the weights, in whole numbers by the largest remainders,
// giving each at least floor and none more than its cap (when caps is not nil); what a capped share cannot
// take goes to the others.
func apportion(total int, weights []float64, caps []int, floor int) ([]int, error) {
	out := make([]int, len(weights))
	room := func(i int) bool { return caps == nil || out[i] < caps[i] }
	if floor*len(out) > total {
		return nil, prevent.Errorf(prevent.Invalid, "%d cannot be shared out over %d partnerships with at least %d each", total, len(out), floor)
	}
	if caps != nil {
		sum := 0
		for _, c := range caps {
			sum += c
			if c < floor {
				return nil, fmt.Errorf("demo: national: a cap of %d is under the floor of %d", c, floor)
			}
		}
		if sum < total {
			return nil, fmt.Errorf("demo: national: %d cannot be shared out under caps adding up to %d", total, sum)
		}
	}
	for i := range out {
		out[i] = floor
	}
	for left := total - floor*len(out); left > 0; {
		var sum float64
		for i, w := range weights {
			if room(i) {
				sum += w
			}
		}
		type rem struct {
			i int
			f float64
		}
		var rems []rem
		given := 0
		for i, w := range weights {
			if !room(i) {
				continue
			}
			x := float64(left) / float64(countRoom(out, caps))
			if sum > 0 {
				x = float64(left) * w / sum
			}
			k := int(x)
			if caps != nil {
				k = min(k, caps[i]-out[i])
			}
			out[i] += k
			given += k
			rems = append(rems, rem{i, x - float64(int(x))})
		}
		left -= given
		slices.SortStableFunc(rems, func(a, b rem) int {
			switch {
			case a.f > b.f:
				return -1
			case a.f < b.f:
				return 1
			}
			return 0
		})
		for _, x := range rems {
			if left == 0 {
				break
			}
			if room(x.i) {
				out[x.i]++
				left--
			}
		}
	}
	return out, nil
}

func countRoom(out, caps []int) int {
	n := 0
	for i := range out {
		if caps == nil || out[i] < caps[i] {
			n++
		}
	}
	return max(n, 1)
}

// monthMix is the share of a year's referrals by month, April first: fewer in the summer holidays and at
// Christmas, more in the autumn term.
var monthMix = [12]float64{8, 9, 9, 7, 5, 8, 10, 10, 7, 9, 9, 9}

// planYear plans a partnership's n referrals of year y: their submission times, and which of them are
// discussed at a panel (disc) and adopted (adopt, among those discussed). With edges, the first and last are
// at the year's UK midnight boundaries (00:20 on 1 April, 23:40 on 31 March), where UTC is still, or already,
// on the other side.
func planYear(r *rand.Rand, y returns.FinancialYear, n, disc, adopt int, edges bool) []Planned {
	out := make([]Planned, n)
	months := make([]weighted[int], 12)
	for i, w := range monthMix {
		months[i] = weighted[int]{i, w}
	}
	for i := range out {
		m := pick(r, months)
		year, month := int(y), time.April+time.Month(m)
		if month > time.December {
			year, month = year+1, month-12
		}
		days := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
		var day int
		for {
			day = 1 + r.IntN(days)
			wd := time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Weekday()
			if (wd != time.Saturday && wd != time.Sunday) || r.Float64() < 0.3 {
				break
			}
		}
		minute := 8*60 + r.IntN(10*60) // office hours, mostly
		if r.Float64() < 0.1 {
			minute = r.IntN(24 * 60)
		}
		out[i].At = ukTime(year, month, day, minute)
	}
	if edges && n >= 2 {
		out[0].At = ukTime(int(y), time.April, 1, 20)
		out[1].At = ukTime(int(y)+1, time.March, 31, 23*60+40)
	}
	for i, k := range r.Perm(n) {
		switch {
		case i < adopt:
			out[k].Fate = FateAdopted
		case i < disc:
			out[k].Fate = FateDiscussed
		default:
			out[k].Fate = FateNotDiscussed
		}
	}
	return out
}

// ukTime is the instant, to the second, of a minute of a day in the UK: in British Summer Time (from 01:00
// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October) an hour ahead of UTC. A minute
// in the hour skipped in spring falls an hour later; one of the hour repeated in autumn, the first time.
func ukTime(year int, month time.Month, day, minute int) time.Time {
	local := time.Date(year, month, day, 0, minute, 0, 0, time.UTC)
	if t := local.Add(-time.Hour); summerTime(t) {
		return t
	}
	return local
}

// summerTime reports whether the UK is on British Summer Time at t.
func summerTime(t time.Time) bool {
	lastSunday := func(m time.Month) time.Time {
		d := time.Date(t.Year(), m+1, 0, 1, 0, 0, 0, time.UTC)
		for d.Weekday() != time.Sunday {
			d = d.AddDate(0, 0, -1)
		}
		return d
	}
	return !t.Before(lastSunday(time.March)) && t.Before(lastSunday(time.October))
}

// Totals are the figures of the Total row of a return's first table, summed over partnerships.
type Totals struct {
	Referrals, Discussed, Adopted int
	// Withheld names each total cell that disclosure control withheld (and so is not in the sums).
	Withheld []string
}

// NationalTotals computes, with rs, the return of every partnership in the database that has an analyst, for
// each of the years, under returns.SuppressBelow5, as that analyst, and sums the Total rows. The figures of a
// Total row are exact whenever they are shown; one withheld is named in the year's Withheld.
func NationalTotals(ctx context.Context, db *database.DB, rs *returns.Service, now time.Time, years []returns.FinancialYear) (map[returns.FinancialYear]Totals, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT m.partnership_id, MIN(m.person_id) FROM memberships m WHERE m.role = $1
		GROUP BY m.partnership_id ORDER BY m.partnership_id`, string(prevent.Analyst))
	if err != nil {
		return nil, fmt.Errorf("demo: analysts: %w", err)
	}
	type analyst struct{ pid, person prevent.ID }
	var analysts []analyst
	for rows.Next() {
		var a analyst
		if err := rows.Scan(&a.pid, &a.person); err != nil {
			rows.Close()
			return nil, err
		}
		analysts = append(analysts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[returns.FinancialYear]Totals{}
	for _, a := range analysts {
		for _, y := range years {
			t, err := returnTotals(ctx, db, rs, a.pid, a.person, now, y)
			if err != nil {
				return nil, err
			}
			sum := out[y]
			sum.Referrals, sum.Discussed, sum.Adopted = sum.Referrals+t.Referrals, sum.Discussed+t.Discussed, sum.Adopted+t.Adopted
			sum.Withheld = append(sum.Withheld, t.Withheld...)
			out[y] = sum
		}
	}
	return out, nil
}

// partnershipTotals are the totals of the return of partnership pid for y, computed as its first analyst.
func partnershipTotals(ctx context.Context, db *database.DB, rs *returns.Service, pid prevent.ID, now time.Time, y returns.FinancialYear) (Totals, error) {
	var person prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT COALESCE(MIN(person_id), 0) FROM memberships WHERE partnership_id = $1 AND role = $2`,
		pid, string(prevent.Analyst)).Scan(&person); err != nil {
		return Totals{}, fmt.Errorf("demo: analyst: %w", err)
	}
	return returnTotals(ctx, db, rs, pid, person, now, y)
}

// returnTotals computes the return of partnership pid for y under returns.SuppressBelow5 as the analyst, and
// reads its Total row.
func returnTotals(ctx context.Context, db *database.DB, rs *returns.Service, pid, analyst prevent.ID, now time.Time, y returns.FinancialYear) (Totals, error) {
	p, err := auth.LoadPrincipal(ctx, db.Read(), analyst, now)
	if err != nil {
		return Totals{}, err
	}
	p.MFA = true
	ret, err := rs.Compute(ctx, p, returns.Request{PartnershipID: pid, Year: y, Policy: returns.SuppressBelow5})
	if err != nil {
		return Totals{}, fmt.Errorf("demo: return of partnership %d for %s: %w", pid, y, err)
	}
	if len(ret.Tables) == 0 || len(ret.Tables[0].Rows) == 0 || !ret.Tables[0].Rows[len(ret.Tables[0].Rows)-1].Total {
		return Totals{}, fmt.Errorf("demo: return of partnership %d for %s has no Total row", pid, y)
	}
	row := ret.Tables[0].Rows[len(ret.Tables[0].Rows)-1]
	var t Totals
	for _, c := range []struct {
		cell int
		dst  *int
		what string
	}{{0, &t.Referrals, "referrals"}, {1, &t.Discussed, "discussed"}, {3, &t.Adopted, "adopted"}} {
		if cell := row.Cells[c.cell]; cell.Number {
			*c.dst = cell.Value
		} else {
			t.Withheld = append(t.Withheld, fmt.Sprintf("%s: %s %s", ret.Partnership, c.what, cell.Text))
		}
	}
	return t, nil
}

// screener tries out a partnership-year's referrals in a scratch SQLite database before they are written: under
// returns.SuppressBelow5, a return whose counts are small and spread thin can have its totals withheld too (the
// suppression rule follows a chain of withheld counts up to them), and then the partnerships' returns could not
// be shown to add up to the targets. The generator writes the same referrals, as the returns see them, for the
// same plan, seed and people whatever the database holds, so a seed whose return shows its Total row in the
// scratch database shows it in the real one.
type screener struct {
	dir string
	nationalEnv
	now time.Time
	n   int
}

func newScreener(ctx context.Context, services func(*database.DB, func() time.Time) NationalServices, now time.Time) (*screener, error) {
	dir, err := os.MkdirTemp("", "prevent-national-")
	if err != nil {
		return nil, fmt.Errorf("demo: national: %w", err)
	}
	db, err := database.Open(ctx, "sqlite:"+filepath.Join(dir, "screen.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &screener{dir: dir, nationalEnv: nationalEnv{db: db, NationalServices: services(db, func() time.Time { return now })}, now: now}
	if s.Partnership == nil || s.Casework == nil || s.Returns == nil {
		s.close()
		return nil, errNoServices
	}
	return s, nil
}

func (s *screener) close() {
	s.db.Close()
	os.RemoveAll(s.dir)
}

// maxTries is how many seeds the screener tries for one partnership-year.
const maxTries = 40

// seed returns the first seed from first on whose referrals for plan, written for a partnership like the
// index'th of area, give a return for y with its Total row shown. Each try is a new scratch partnership.
func (s *screener) seed(ctx context.Context, a nationalArea, index int, plan []Planned, first uint64, y returns.FinancialYear) (uint64, error) {
	for try := range uint64(maxTries) {
		s.n++
		np, err := createNational(ctx, s.nationalEnv, nationalArea{name: fmt.Sprintf("%s %d", a.name, s.n), region: a.region}, index, s.now)
		if err != nil {
			return 0, err
		}
		if _, err := GenerateReferrals(ctx, s.db, np.ID, ReferralOptions{Plan: plan, Seed: first + try, End: s.now, Batch: 2000,
			Casework: s.Casework, SkipTasks: true}); err != nil {
			return 0, err
		}
		tot, err := partnershipTotals(ctx, s.db, s.Returns, np.ID, s.now, y)
		if err != nil {
			return 0, err
		}
		if len(tot.Withheld) == 0 {
			return first + try, nil
		}
	}
	return 0, fmt.Errorf("no seed in %d gives a return whose totals are shown under %s", maxTries, returns.SuppressBelow5)
}
