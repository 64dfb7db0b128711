package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/returns"
	"github.com/preventplatform/prevent/internal/sharing"
)

// DefaultReferrals is how many referrals the demo partnership gets over its three years: about what a county
// of Elmshire's size refers (the national 7–9 thousand a year times its share of the population).
const DefaultReferrals = 400

// ReferralOptions control GenerateReferrals.
type ReferralOptions struct {
	// Count is how many referrals to write.
	Count int
	// Seed makes the generation repeatable: the same seed, partnership and End give the same referrals.
	Seed uint64
	// End is the time of loading: referrals are submitted over the Years before it, and their stage follows
	// from how long ago that was. Defaults to now.
	End   time.Time
	Years int // default 3
	// Batch is how many referrals each transaction writes (default 1000).
	Batch int
	// Progress, when set, is told how many referrals are written after each transaction.
	Progress func(done int)
	// Showcase steers a few of the referrals (when Count allows) so that at End there is at least one case at
	// every Channel stage, from listed for panel to the post-exit reviews.
	Showcase bool
	// Casework is the casework service on the database: it gives the bank holidays, and derives the tasks of
	// the cases written. Required.
	Casework *casework.Service
	// Plan, when set, replaces Count, Years and Showcase: one referral per entry, submitted at its time (the
	// entries oldest first) and taken as far as its fate says. Referrals are only taken to a panel before End,
	// so an End at least six months after the last entry lets every fate be met.
	Plan []Planned
	// SkipTasks leaves the cases' tasks to the caller (casework's SyncAllTasks), for a caller that generates
	// for many partnerships and derives the tasks once at the end.
	SkipTasks bool
}

// Planned is one referral of a plan: when it is submitted and how far along the Channel pathway it goes.
type Planned struct {
	At   time.Time
	Fate Fate
}

// Fate is how far a planned referral goes, as the statistical returns count it.
type Fate int

const (
	// FateFree leaves it to the generator's random mix, as for unplanned referrals.
	FateFree Fate = iota
	// FateNotDiscussed: never discussed at a Channel panel (closed at triage or screening, or sent elsewhere).
	FateNotDiscussed
	// FateDiscussed: referred to Channel and discussed at a panel, which does not adopt it.
	FateDiscussed
	// FateAdopted: referred to Channel, discussed at a panel and adopted as a Channel case.
	FateAdopted
)

// weighted is a choice with its share.
type weighted[T any] struct {
	v T
	w float64
}

func pick[T any](r *rand.Rand, choices []weighted[T]) T {
	var total float64
	for _, c := range choices {
		total += c.w
	}
	x := r.Float64() * total
	for _, c := range choices {
		if x < c.w {
			return c.v
		}
		x -= c.w
	}
	return choices[len(choices)-1].v
}

// The mix of the published 2024/25 referral statistics. Friends and family, which has no sector code of its own, counts as community.
var sectorMix = []weighted[partnership.Sector]{
	{partnership.Education, 36}, {partnership.Police, 30}, {partnership.LocalAuthority, 10}, {partnership.Health, 8},
	{partnership.Community, 8}, {partnership.Prison, 2}, {partnership.Probation, 2}, {partnership.OtherSector, 4},
}

// Types of concern by era of the national list (valid from 1 April 2024; before, the 2021–2024 list with the
// 2023/24 shares).
var concernMix2024 = []weighted[string]{
	{"no_ideology", 34}, {"no_ideology_susceptible", 22}, {"extreme_right_wing", 21}, {"islamist", 10},
	{"extreme_violence", 5}, {"multiple_conflicted", 5}, {"left_wing", 0.5}, {"other", 2.5},
}
var concernMix2021 = []weighted[string]{
	{"vulnerability_no_ideology", 36}, {"extreme_right_wing", 19}, {"conflicted", 18.5}, {"islamist", 13},
	{"school_massacre", 2.3}, {"no_risk_no_ideology", 6}, {"incel", 2}, {"high_risk_no_ideology", 1}, {"left_wing", 1}, {"other", 1.2},
}

// list2024 is when the 2024 list came into force: the start of 2024/25, midnight in the UK.
var list2024 = returns.FinancialYear(2024).Start()

// Before 2021/22, the lists of the earlier releases: 2016/17 to 2020/21 with shares near the published ones of
// those years, and 2015/16 (Islamist, Extreme Right Wing, Other, Unspecified) with that year's.
var concernMix2016 = []weighted[string]{
	{"islamist", 36}, {"extreme_right_wing", 22}, {"mixed_unclear_unstable", 36}, {"left_wing", 1}, {"other", 5},
}
var concernMix2015 = []weighted[string]{{"islamist", 70}, {"extreme_right_wing", 10}, {"other", 12}, {"unspecified", 8}}

// concernMix is the mix of types of concern of the list in force in the financial year of at. A referral fated
// to reach a panel leans towards the types police triage sends to Channel more often.
func concernMix(at time.Time, fate Fate) []weighted[string] {
	var mix []weighted[string]
	switch y := returns.YearOf(at); {
	case y >= 2024:
		mix = concernMix2024
	case y >= 2021:
		mix = concernMix2021
	case y >= 2016:
		mix = concernMix2016
	default:
		mix = concernMix2015
	}
	if fate < FateDiscussed {
		return mix
	}
	tilted := make([]weighted[string], len(mix))
	for i, c := range mix {
		tilted[i] = weighted[string]{c.v, c.w * channelShareOf(c.v)}
	}
	return tilted
}

// channelShare is the chance that police triage refers a case of the type to Channel: ideologies are adopted far
// more often than no-ideology referrals (ERW about a third, Islamist a quarter, no ideology 7%), which gives
// about a quarter of all referrals sent to Channel screening.
var channelShare = map[string]float64{"extreme_right_wing": 0.42, "islamist": 0.38, "extreme_violence": 0.3,
	"multiple_conflicted": 0.3, "conflicted": 0.3, "school_massacre": 0.3, "incel": 0.25, "high_risk_no_ideology": 0.3}

type ageBand struct{ lo, hi int }

var ageMix = []weighted[ageBand]{
	{ageBand{8, 10}, 4}, {ageBand{11, 15}, 36}, {ageBand{16, 17}, 13}, {ageBand{18, 20}, 10},
	{ageBand{21, 30}, 15}, {ageBand{31, 40}, 9}, {ageBand{41, 70}, 13},
}

var genderMix = []weighted[string]{{"male", 89}, {"female", 10}, {"", 1}}

var triageMix = []weighted[casework.Event]{
	{casework.EvCloseNFA, 45}, {casework.EvSignpost, 40}, {casework.EvPoliceLed, 12}, {casework.EvPursueHandover, 3},
}

var nfaReasons = []string{"not_ct_related", "context_explains", "misinformed", "malicious", "support_in_place"}
var signposts = []string{"mash", "early_help", "childrens_social_care", "adult_social_care", "camhs", "adult_mental_health",
	"gp", "school_support", "youth_justice", "substance_misuse", "housing"}

// Invented surname parts: the names they make are plainly not anybody's.
var surnameHeads = []string{"Quen", "Zel", "Vorr", "Brix", "Ystra", "Kael", "Thurn", "Morv", "Ilsk", "Darv", "Fenn", "Ozry", "Gwel", "Harro", "Jusk", "Plov"}
var surnameTails = []string{"amble", "ithorn", "overy", "eswick", "undell", "arrow", "ifax", "omere", "elby", "ingtree"}
var towns = []string{"Marlowbridge", "Fennick Vale", "Kestlecombe", "Oldmoor", "Elmbury St Giles"}
var streets = []string{"Larkspur Road", "Quarry Lane", "Mill Street", "Coronation Avenue", "Pennyroyal Close", "Station Road", "Vicarage Walk"}

var concernText = map[string][2]string{
	"extreme_right_wing":        {"Shared images of extreme right-wing groups with classmates and said a minority group should be removed from the town.", "Seen by a member of staff"},
	"islamist":                  {"Talked about travelling abroad to join a proscribed group and showed a video praising an attack.", "Reported by a friend"},
	"extreme_violence":          {"Searched for and talked about past mass shootings, naming the attackers with admiration.", "Found during an online safety check"},
	"multiple_conflicted":       {"Moves between several extremist ideas online and has said violence is the answer.", "Raised by a parent"},
	"conflicted":                {"Expresses views from several ideologies and a wish to see violence.", "Raised by a parent"},
	"school_massacre":           {"Drew and described an attack on the school, naming staff.", "Found in an exercise book"},
	"incel":                     {"Posts hostile material about women on forums and praises an attacker.", "Reported by a youth worker"},
	"left_wing":                 {"Talked about damaging a company's premises and hurting its staff.", "Overheard by staff"},
	"no_ideology":               {"Fixated on violent content with no clear ideology; isolated and angry.", "Seen by a member of staff"},
	"no_ideology_susceptible":   {"Spends long hours in online spaces where extremist material circulates; vulnerable to grooming.", "Raised by a social worker"},
	"vulnerability_no_ideology": {"Isolated and drawn to violent online content, with no ideology expressed.", "Raised by a teacher"},
	"no_risk_no_ideology":       {"A remark in class that worried staff, out of character.", "Heard by a teacher"},
	"high_risk_no_ideology":     {"Has made threats of serious violence and has access to weapons; no ideology expressed.", "Reported to the police"},
	"other":                     {"Concerning comments about violence that do not fit another category.", "Raised by a colleague"},
	"mixed_unclear_unstable":    {"Moves between extremist ideas without settling on one, and talks of violence.", "Raised by a parent"},
	"unspecified":               {"A concern about radicalisation that the referrer could not place.", "Raised by a colleague"},
}

// member is a person of the partnership who can write or work on referrals.
type member struct {
	id, org prevent.ID
	role    prevent.Role
	orgName string
	sector  partnership.Sector
}

// generator holds what a run needs between batches.
type generator struct {
	r      *rand.Rand
	pid    prevent.ID
	area   string // the partnership's area
	people []member
	// partners has one row per partner organisation (id 0): where screening information requests go. Only
	// public bodies are asked: they are the panel's partners under the CTSA 2015 s38 duty to co-operate and
	// parties to the demo's main information sharing agreement.
	partners []member
	holidays casework.Holidays
	subjects []subjectRef // earlier subjects of this run, for repeat referrals
	end      time.Time
	start    time.Time
	count    int
	panel    *panelSetup // nil: no panel chair, so no case goes past screening
	scripts  map[time.Time]script
	fates    []Fate // of a plan, in the order the referrals are generated
	next     int    // the index of the next referral generated
	err      error  // a step the workflow refused: a fault of the generator
}

// town is the i'th of the demo's invented towns in the demo partnership's area, and the area itself in any other.
func (g *generator) town(i int) string {
	if g.area != Area {
		return g.area
	}
	return towns[i]
}

// authority is the local authority area of a town: in the demo partnership's county, the district council whose
// area holds it; in any other partnership, its area.
func (g *generator) authority(town string) string {
	if g.area != Area {
		return g.area
	}
	switch town {
	case "Marlowbridge", "Kestlecombe":
		return "Marlowbridge"
	}
	return "Fennick Vale"
}

// fate returns the fate of the next referral generated.
func (g *generator) fate() Fate {
	i := g.next
	g.next++
	if i < len(g.fates) {
		return g.fates[i]
	}
	return FateFree
}

type subjectRef struct {
	id  prevent.ID
	d   casework.PersonDetails
	age int
}

// GenerateReferrals writes opt.Count synthetic referrals into partnership pid with batched SQL: subjects,
// referrals, their types of concern, timelines, assignments, deconfliction notes, triage outcomes and screening
// information requests, spread over the years before opt.End, at every stage casework supports; and, with a
// panel chair in the partnership, the Channel stages after screening: assessments, the panel's agenda and
// decisions, children's services consultations, support plans, consent, interventions and their sessions,
// exits and post-exit reviews (see setupPanel for the panel itself). Each transaction also writes an audit
// entry, by the system with the context's request id, naming the referrals it generated. It needs a police
// officer and a coordinator in the partnership. The cases' tasks are then derived by opt.Casework. It returns
// how many it wrote.
func GenerateReferrals(ctx context.Context, db *database.DB, pid prevent.ID, opt ReferralOptions) (int, error) {
	if opt.End.IsZero() {
		opt.End = time.Now()
	}
	if opt.Years <= 0 {
		opt.Years = 3
	}
	if opt.Batch <= 0 {
		opt.Batch = 1000
	}
	if len(opt.Plan) > 0 {
		if !slices.IsSortedFunc(opt.Plan, func(a, b Planned) int { return a.At.Compare(b.At) }) {
			return 0, errors.New("demo: the planned referrals are not oldest first")
		}
		opt.Count, opt.Showcase = len(opt.Plan), false
	}
	if opt.Casework == nil {
		return 0, errNoServices
	}
	g := &generator{r: rand.New(rand.NewPCG(opt.Seed, 0x7265666572726573)), pid: pid, count: opt.Count,
		end: opt.End.UTC().Truncate(time.Microsecond)}
	g.start = g.end.AddDate(-opt.Years, 0, 0)
	if len(opt.Plan) > 0 {
		g.start = opt.Plan[0].At.UTC().Truncate(time.Microsecond)
	}
	if err := g.loadPeople(ctx, db.Read()); err != nil {
		return 0, err
	}
	if err := db.Read().QueryRowContext(ctx, `SELECT area FROM partnerships WHERE id = $1`, pid).Scan(&g.area); err != nil {
		return 0, fmt.Errorf("demo: partnership: %w", err)
	}
	var err error
	if g.holidays, err = opt.Casework.BankHolidays(ctx); err != nil {
		return 0, fmt.Errorf("demo: bank holidays: %w", err)
	}
	if err := g.setupPanel(ctx, db); err != nil {
		return 0, err
	}
	times := make([]time.Time, opt.Count)
	if len(opt.Plan) > 0 {
		g.fates = make([]Fate, len(opt.Plan))
		for i, p := range opt.Plan {
			times[i], g.fates[i] = p.At, p.Fate
		}
	} else {
		// Submission times, oldest first, more of them lately (the 2024/25 record year).
		span := float64(g.end.Sub(g.start))
		for i := range times {
			// density rising from 0.8 to 1.2 over the span: inverse of the cumulative distribution.
			u := g.r.Float64()
			x := (-0.8 + sqrt(0.64+1.6*u)) / 0.8
			times[i] = g.start.Add(time.Duration(x * span)).Truncate(time.Second)
		}
		// The newest few arrived in the last two days, so some still wait for triage.
		for i := range min(max(2, opt.Count/100), opt.Count) {
			times[i] = g.end.Add(-time.Duration(1+g.r.IntN(47*60)) * time.Minute).Truncate(time.Second)
		}
		if opt.Showcase {
			g.showcase(times)
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	}
	done := 0
	for done < opt.Count {
		n := min(opt.Batch, opt.Count-done)
		if err := db.WithTx(ctx, func(tx *database.Tx) error { return g.batch(ctx, tx, times[done:done+n]) }); err != nil {
			return done, err
		}
		done += n
		if opt.Progress != nil {
			opt.Progress(done)
		}
	}
	// Two Channel cases in three have the partnership's first coordinator as case officer; the rest wait for one.
	if err := db.WithTx(ctx, func(tx *database.Tx) error {
		var officer prevent.ID
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(person_id), 0) FROM memberships WHERE partnership_id = $1 AND role = $2`,
			pid, string(prevent.Coordinator)).Scan(&officer); err != nil || officer == 0 {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE referrals SET case_officer_id = $1 WHERE partnership_id = $2 AND case_officer_id = 0
			AND id % 3 <> 0 AND state NOT IN ('draft', 'submitted', 'police_triage', 'closed_nfa', 'signposted', 'police_led_management',
			'pursue_handover', 'transferred_out', 'closed_final', 'retention_review_due', 'deleted', 'retained')`, officer, pid)
		return err
	}); err != nil {
		return done, fmt.Errorf("demo: case officers: %w", err)
	}
	// The cases were written in batches, not through the service: derive the open ones' tasks.
	if opt.SkipTasks {
		return done, nil
	}
	if _, err := opt.Casework.SyncAllTasks(ctx, opt.Batch); err != nil {
		return done, fmt.Errorf("demo: tasks: %w", err)
	}
	return done, nil
}

// sqrt by Newton's method, to keep math out of a generator that needs one root.
func sqrt(x float64) float64 {
	if x <= 0 {
		return 0
	}
	z := x
	for range 30 {
		z -= (z*z - x) / (2 * z)
	}
	return z
}

func (g *generator) loadPeople(ctx context.Context, q database.Querier) error {
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.organisation_id, m.role, o.name, o.sector FROM memberships m
		JOIN people p ON p.id = m.person_id JOIN organisations o ON o.id = p.organisation_id
		WHERE m.partnership_id = $1 ORDER BY p.id, m.role`, g.pid)
	if err != nil {
		return fmt.Errorf("demo: people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.id, &m.org, &m.role, &m.orgName, &m.sector); err != nil {
			return err
		}
		g.people = append(g.people, m)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows2, err := q.QueryContext(ctx, `SELECT o.id, o.name, o.sector FROM partnership_organisations po
		JOIN organisations o ON o.id = po.organisation_id WHERE po.partnership_id = $1 AND o.sector <> 'police' AND o.public_body
		ORDER BY o.id`, g.pid)
	if err != nil {
		return fmt.Errorf("demo: partners: %w", err)
	}
	defer rows2.Close()
	for rows2.Next() {
		var m member
		if err := rows2.Scan(&m.org, &m.orgName, &m.sector); err != nil {
			return err
		}
		g.partners = append(g.partners, m)
	}
	if err := rows2.Err(); err != nil {
		return err
	}
	if len(g.role(prevent.PoliceOfficer)) == 0 || len(g.role(prevent.Coordinator)) == 0 || len(g.partners) == 0 {
		return prevent.Errorf(prevent.Conflict, "Synthetic referrals need a police officer, a coordinator and a partner organisation in the partnership")
	}
	return nil
}

func (g *generator) role(r prevent.Role) []member {
	var out []member
	for _, m := range g.people {
		if m.role == r {
			out = append(out, m)
		}
	}
	return out
}

func (g *generator) one(ms []member) member { return ms[g.r.IntN(len(ms))] }

// author chooses who wrote a referral from a sector, for a person of the age.
func (g *generator) author(sector partnership.Sector, age int) member {
	var match []member
	for _, m := range g.people {
		if m.sector != sector {
			continue
		}
		switch sector {
		case partnership.Police:
			if m.role != prevent.PoliceOfficer {
				continue
			}
		case partnership.LocalAuthority:
			if m.role != prevent.Coordinator {
				continue
			}
		case partnership.Probation:
			if m.role != prevent.Referrer {
				continue
			}
		case partnership.Education:
			name := strings.ToLower(m.orgName)
			primary, college := strings.Contains(name, "primary"), strings.Contains(name, "college")
			if m.role != prevent.Referrer || (age <= 10) != primary || (age >= 16) != college {
				continue
			}
		}
		match = append(match, m)
	}
	if len(match) == 0 && sector == partnership.Education {
		for _, m := range g.people {
			if m.sector == sector && m.role == prevent.Referrer {
				match = append(match, m)
			}
		}
	}
	if len(match) == 0 {
		return g.role(prevent.Coordinator)[0]
	}
	return g.one(match)
}

// rows collects the rows of one batch per table.
type rows struct {
	subjects, referrals, types, events, assignments, notes, requests [][]any
	assigned                                                         map[assignKey]bool
	channelRows
}

type assignKey struct {
	referral, person prevent.ID
	role             prevent.Role
}

type nextIDs struct {
	subject, referral, event, note, request prevent.ID
	channelIDs
}

func (g *generator) batch(ctx context.Context, tx *database.Tx, times []time.Time) error {
	if tx.Dialect == database.Postgres {
		// Explicit ids: keep the service's inserts out until the sequences are moved past them.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE case_subjects, referrals, case_events, deconfliction_notes, information_requests, `+channelLockTables+` IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("demo: lock: %w", err)
		}
	}
	var ids nextIDs
	for _, t := range append([]struct {
		table string
		dst   *prevent.ID
	}{{"case_subjects", &ids.subject}, {"referrals", &ids.referral}, {"case_events", &ids.event},
		{"deconfliction_notes", &ids.note}, {"information_requests", &ids.request}}, ids.channelIDTables()...) {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+t.table).Scan(t.dst); err != nil {
			return fmt.Errorf("demo: ids of %s: %w", t.table, err)
		}
	}
	counters := map[int]int64{}
	crs, err := tx.QueryContext(ctx, `SELECT year, last FROM referral_counters`)
	if err != nil {
		return fmt.Errorf("demo: counters: %w", err)
	}
	for crs.Next() {
		var y int
		var n int64
		if err := crs.Scan(&y, &n); err != nil {
			crs.Close()
			return err
		}
		counters[y] = n
	}
	crs.Close()
	if err := crs.Err(); err != nil {
		return err
	}

	var out rows
	first := ids.referral
	for _, at := range times {
		g.referral(&out, &ids, counters, at)
	}
	if g.err != nil {
		return g.err
	}
	inserts := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"case_subjects", []string{"id", "partnership_id", "given_names", "family_name", "aliases", "name_key", "date_of_birth",
			"approximate_age", "gender", "address_line1", "postcode", "local_authority", "created_at", "updated_at"}, out.subjects},
		{"referrals", []string{"id", "partnership_id", "reference", "state", "author_id", "referrer_org_id", "referrer_sector",
			"subject_id", "details", "marking", "submitted_at", "triage_due_at", "triage_outcome", "triage_reason", "signpost_service",
			"reasonable_grounds", "triage_rationale", "triaged_by", "triaged_at", "created_at", "updated_at"}, out.referrals},
		{"referral_concern_types", []string{"referral_id", "code"}, out.types},
		{"case_assignments", []string{"referral_id", "person_id", "role", "assigned_at"}, out.assignments},
		{"deconfliction_notes", []string{"id", "referral_id", "result", "note", "marking", "author_id", "author_org", "created_at"}, out.notes},
		{"information_requests", []string{"id", "referral_id", "partnership_id", "to_org_id", "asked", "why", "due_at",
			"requested_by", "requested_at", "answer", "answered_by", "answered_at"}, out.requests},
		{"case_events", []string{"id", "referral_id", "at", "actor_id", "kind", "from_state", "to_state", "detail"}, out.events},
	}
	for _, ins := range append(inserts, out.channelInserts()...) {
		if err := insertRows(ctx, tx, ins.table, ins.cols, ins.rows); err != nil {
			return err
		}
	}
	for y, n := range counters {
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_counters (year, last) VALUES ($1, $2)
			ON CONFLICT (year) DO UPDATE SET last = $2`, y, n); err != nil {
			return fmt.Errorf("demo: counters: %w", err)
		}
	}
	if tx.Dialect == database.Postgres {
		tables := []string{"case_subjects", "referrals", "case_events", "deconfliction_notes", "information_requests"}
		for _, t := range ids.channelIDTables() {
			tables = append(tables, t.table)
		}
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))
				WHERE EXISTS (SELECT 1 FROM `+t+`)`); err != nil {
				return fmt.Errorf("demo: sequence of %s: %w", t, err)
			}
		}
	}
	e := audit.New(ctx, g.end, audit.Collect, "referral", first)
	e.PartnershipID = g.pid
	e.Purpose = "Demonstration data"
	e.Detail = fmt.Sprintf("demo: generated %d synthetic referrals, ids %d to %d", len(times), first, ids.referral-1)
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("demo: audit: %w", err)
	}
	return nil
}

// insertRows writes rows with multi-row INSERTs, each under the parameter limits of both engines.
func insertRows(ctx context.Context, tx *database.Tx, table string, cols []string, rows [][]any) error {
	per := max(1, 1000/len(cols)) // many parameters per statement cost more than they save in modernc.org/sqlite
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, row := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				fmt.Fprintf(&b, "$%d", len(args))
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("demo: insert %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// step is one timeline event of a referral being generated.
type step struct {
	at       time.Time
	actor    prevent.ID
	kind     string
	from, to casework.State
	detail   string
}

func (g *generator) minutes(t time.Time, lo, hi int) time.Time {
	return t.Add(time.Duration(lo+g.r.IntN(hi-lo+1)) * time.Minute).UTC().Truncate(time.Microsecond)
}

// referral generates one referral submitted at at, with everything that has happened to it by g.end.
func (g *generator) referral(out *rows, ids *nextIDs, counters map[int]int64, at time.Time) {
	r := g.r
	sc := g.scripts[at]
	fate := g.fate()
	at = at.UTC()
	id := ids.referral
	ids.referral++

	// The person: a repeat referral of someone referred before (about 4%), or someone new.
	var subj subjectRef
	if len(g.subjects) > 10 && r.Float64() < 0.04 {
		subj = g.subjects[r.IntN(len(g.subjects))]
	} else {
		band := pick(r, ageMix)
		age := band.lo + r.IntN(band.hi-band.lo+1)
		d := casework.PersonDetails{
			GivenNames: firstNames[r.IntN(len(firstNames))],
			FamilyName: surnameHeads[r.IntN(len(surnameHeads))] + surnameTails[r.IntN(len(surnameTails))],
			Gender:     pick(r, genderMix), Town: g.town(r.IntN(len(towns))),
			AddressLine1: fmt.Sprintf("%d %s", 1+r.IntN(180), streets[r.IntN(len(streets))]),
			Postcode:     fmt.Sprintf("EL%d %d%c%c", 1+r.IntN(9), r.IntN(10), 'A'+rune(r.IntN(26)), 'A'+rune(r.IntN(26))),
		}
		d.LocalAuthority = g.authority(d.Town)
		if r.Float64() < 0.9 {
			d.DateOfBirth = time.Date(at.Year()-age-1, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
			if d.DateOfBirth.AddDate(age+1, 0, 0).Before(at) {
				d.DateOfBirth = d.DateOfBirth.AddDate(1, 0, 0)
			}
		} else {
			d.ApproximateAge = age
		}
		subj = subjectRef{id: ids.subject, d: d, age: age}
		ids.subject++
		var dob, approx any
		if !d.DateOfBirth.IsZero() {
			dob = d.DateOfBirth.Format("2006-01-02")
		} else {
			approx = d.ApproximateAge
		}
		out.subjects = append(out.subjects, []any{subj.id, g.pid, d.GivenNames, d.FamilyName, "",
			casework.NormaliseName(d.FullName() + " "), dob, approx, d.Gender, casework.NormaliseName(d.AddressLine1),
			casework.NormalisePostcode(d.Postcode), d.LocalAuthority, at, at})
		g.subjects = append(g.subjects, subj)
	}

	sector := pick(r, sectorMix)
	author := g.author(sector, subj.age)
	concern := pick(r, concernMix(at, fate))
	text := concernText[concern]
	details := casework.ReferralInput{Person: subj.d, Concern: casework.Concern{WhatHappened: text[0], HowFound: text[1],
		Types: []string{concern}}, ReferrerSector: string(sector), PersonKnows: casework.DoesNotKnow, DangerAcknowledged: true}
	if subj.age < 18 {
		details.ParentKnows = casework.Knows
		if sector == partnership.Education {
			details.Person.Setting = author.orgName
		}
	}
	detailJSON, _ := json.Marshal(details)
	counters[at.Year()]++
	ref := casework.FormatReference(at.Year(), counters[at.Year()])
	out.types = append(out.types, []any{id, concern})

	created := at.Add(-time.Duration(5+r.IntN(120)) * time.Minute)
	steps := []step{{created, author.id, "draft", casework.Draft, casework.Draft, "draft started"},
		{at, author.id, string(casework.EvSubmit), casework.Draft, casework.Submitted, ref}}
	assign := func(p member, role prevent.Role, t time.Time) {
		k := assignKey{id, p.id, role}
		if out.assigned[k] {
			return
		}
		if out.assigned == nil {
			out.assigned = map[assignKey]bool{}
		}
		out.assigned[k] = true
		out.assignments = append(out.assignments, []any{id, p.id, string(role), t})
	}
	state := casework.Submitted
	due := g.holidays.AddWorkingDays(at, casework.TriageWorkingDays)
	var outcome, reason, service, grounds, rationale string
	var triagedBy, triagedAt any
	officer := g.one(g.role(prevent.PoliceOfficer))
	coordinator := g.one(g.role(prevent.Coordinator))

	// Triage takes 1 to 10 days, about 5 on average.
	startTriage := g.minutes(at, 60, 60*72)
	decided := at.Add(time.Duration(1+r.IntN(5)+r.IntN(5)) * 24 * time.Hour).Add(time.Duration(r.IntN(480)) * time.Minute)
	if !decided.After(startTriage.Add(2 * time.Hour)) {
		decided = startTriage.Add(time.Duration(2+r.IntN(20)) * time.Hour)
	}
	if sc.target == casework.PoliceTriage { // being triaged now
		startTriage, decided = g.minutes(at, 30, 120), g.end.Add(24*time.Hour)
	}
	if startTriage.Before(g.end) {
		assign(officer, prevent.PoliceOfficer, startTriage)
		steps = append(steps, step{startTriage, officer.id, string(casework.EvStartTriage), state, casework.PoliceTriage, ""})
		state = casework.PoliceTriage
		noteAt := g.minutes(startTriage, 60, 60*24*2)
		if !noteAt.Before(decided) {
			noteAt = startTriage.Add(decided.Sub(startTriage) / 2).Truncate(time.Microsecond)
		}
		if noteAt.Before(g.end) {
			res, marking := "no_trace", prevent.OfficialSensitive
			switch x := r.Float64(); {
			case x < 0.03 && sc.target == "" && fate < FateDiscussed:
				res, marking = "live_investigation", prevent.Secret
			case x < 0.25:
				res = "known_no_live_matter"
			}
			out.notes = append(out.notes, []any{ids.note, id, res, "Checked against police systems (synthetic).", int(marking),
				officer.id, officer.org, noteAt})
			ids.note++
			steps = append(steps, step{noteAt, officer.id, "deconfliction", state, state, "deconfliction recorded (restricted)"})
			if res == "live_investigation" {
				outcome = string(casework.EvPursueHandover)
			}
		}
	}
	if state == casework.PoliceTriage && len(out.notes) > 0 && out.notes[len(out.notes)-1][1] == id && decided.Before(g.end) {
		ev := casework.Event(outcome)
		if ev == "" {
			if r.Float64() < channelShareOf(concern) || sc.target != "" || fate >= FateDiscussed {
				ev = casework.EvReferToChannel
			} else {
				ev = pick(r, triageMix)
			}
		}
		switch ev {
		case casework.EvCloseNFA:
			reason = nfaReasons[r.IntN(len(nfaReasons))]
		case casework.EvSignpost:
			service = signposts[r.IntN(len(signposts))]
		case casework.EvPoliceLed:
			rationale = "Risk is best managed by the police with partners informed (synthetic)."
		case casework.EvReferToChannel:
			grounds = "There are reasonable grounds to believe the person is vulnerable to being drawn into terrorism (synthetic)."
		}
		next, _ := casework.Transition(state, ev, casework.Facts{DeconflictionRecorded: true, OutcomeReason: reason,
			SignpostService: service, ReasonableGrounds: grounds, Rationale: rationale})
		steps = append(steps, step{decided, officer.id, string(ev), state, next, "triage: " + triageName(ev)})
		state, outcome = next, string(ev)
		triagedBy, triagedAt = officer.id, decided
		if ev == casework.EvPursueHandover {
			outcome = string(ev)
		}
	} else if outcome != "" {
		outcome = "" // a live investigation found, not yet decided
	}

	// Channel screening: information requests to one to three partners, answered mostly on time.
	if state == casework.ChannelScreening {
		assign(coordinator, prevent.Coordinator, decided)
		// Consent to share information is asked as screening starts, except where asking would prejudice
		// the assessment: the disclosures about the case (see shareCases) say consent was given, or not
		// sought with the reason, to match.
		if consent, _, _ := consentFor(id, ""); consent == sharing.ConsentGiven && decided.Add(30*time.Minute).Before(g.end) {
			at := decided.Add(30 * time.Minute)
			under18 := subj.d.DateOfBirth.IsZero() || at.Before(subj.d.DateOfBirth.AddDate(18, 0, 0))
			giver, role := subj.d.FullName(), "self"
			if under18 {
				giver, role = "Parent of "+subj.d.GivenNames, "parent"
			}
			out.consents = append(out.consents, []any{ids.consent, id, string(casework.ScopeInformationSharing), giver, role, "", "In person",
				"Signed form (synthetic)", "given", "", at, under18, coordinator.id, at})
			ids.consent++
			steps = append(steps, step{at, coordinator.id, "consent_recorded", state, state, "consent: information sharing consent given by " + role})
		}
		n := 1 + r.IntN(3)
		for _, k := range r.Perm(len(g.partners))[:min(n, len(g.partners))] {
			to := g.partners[k]
			asked := g.minutes(decided, 60, 60*24*3)
			if !asked.Before(g.end) {
				break
			}
			dueAt := g.holidays.AddWorkingDays(asked, 10)
			var answer string
			var by, answered any
			ans := g.minutes(asked, 60*24, 60*24*14)
			if ans.Before(g.end) && r.Float64() < 0.9 {
				answer, answered = "What we know is set out here (synthetic).", ans
				if p := g.memberOf(to.org); p.id != 0 {
					by = p.id
				} else {
					answer, answered = "", nil
				}
			}
			out.requests = append(out.requests, []any{ids.request, id, g.pid, to.org,
				"What contact have you had with the person, and are there any concerns?", "To decide whether the case should go to the Channel panel",
				dueAt, coordinator.id, asked, answer, by, answered})
			ids.request++
			assign(coordinator, prevent.Coordinator, asked)
			steps = append(steps, step{asked, coordinator.id, "information_requested", state, state, "information requested from a partner"})
			if answered != nil {
				steps = append(steps, step{ans, by.(prevent.ID), "information_answered", state, state, "a partner answered an information request"})
			}
		}
		// Some screenings end without a panel, after about six weeks; the rest await the panel.
		closeAt := decided.Add(time.Duration(30+r.IntN(30)) * 24 * time.Hour)
		if closeAt.Before(g.end) && ((fate == FateFree && r.Float64() < 0.2 && sc.target == "") || fate == FateNotDiscussed) {
			ev := casework.EvSignpost
			service, reason = signposts[r.IntN(len(signposts))], ""
			if r.Float64() < 0.4 {
				ev, service, reason = casework.EvCloseNFA, "", nfaReasons[r.IntN(len(nfaReasons))]
			}
			next, _ := casework.Transition(state, ev, casework.Facts{OutcomeReason: reason, SignpostService: service})
			steps = append(steps, step{closeAt, coordinator.id, string(ev), state, next, "screening: " + triageName(ev)})
			state = next
		}
		if state == casework.ChannelScreening && fate != FateNotDiscussed {
			c := &chanCase{g: g, out: out, ids: ids, id: id, subj: subj, state: state, steps: &steps, coord: coordinator, script: sc, fate: fate}
			for _, s := range steps {
				if s.at.After(c.at) {
					c.at = s.at
				}
			}
			g.channel(c, decided)
			state = c.state
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int { return a.at.Compare(b.at) })
	for _, s := range steps {
		out.events = append(out.events, []any{ids.event, id, s.at, s.actor, s.kind, string(s.from), string(s.to), s.detail})
		ids.event++
	}
	updated := steps[len(steps)-1].at
	out.referrals = append(out.referrals, []any{id, g.pid, ref, string(state), author.id, author.org, string(sector), subj.id,
		string(detailJSON), int(casework.DefaultMarking), at, due, outcome, reason, service, grounds, rationale, triagedBy, triagedAt,
		created, updated})
}

func channelShareOf(concern string) float64 {
	if v, ok := channelShare[concern]; ok {
		return v
	}
	return 0.16
}

func triageName(e casework.Event) string {
	switch e {
	case casework.EvCloseNFA:
		return "no further action"
	case casework.EvSignpost:
		return "signposted"
	case casework.EvPoliceLed:
		return "police-led management"
	case casework.EvPursueHandover:
		return "Pursue handover"
	case casework.EvReferToChannel:
		return "refer to Channel"
	}
	return string(e)
}

// memberOf returns a person of the organisation who may answer information requests, or a zero member.
func (g *generator) memberOf(org prevent.ID) member {
	for _, m := range g.people {
		if m.org == org && m.role != prevent.Administrator && m.role != prevent.Analyst && m.role != prevent.Auditor && m.role != prevent.DataProtection {
			return m
		}
	}
	return member{}
}

// loadCasework gives the newly created demo partnership three years of synthetic referrals.
func loadCasework(ctx context.Context, d Deps, pid prevent.ID) error {
	_, err := GenerateReferrals(ctx, d.DB, pid, ReferralOptions{Count: DefaultReferrals, Seed: 0x456c6d73, End: d.Now(), Showcase: true,
		Casework: d.Casework})
	return err
}

// Scale adds n synthetic referrals to the demo partnership of an existing database, as the system with the
// demo's request id, through the casework and sharing services of svc, telling progress how many are
// written after each transaction. The seed follows from
// what the database already holds, so each run adds different people. The new cases' disclosures follow,
// checked against the demo's agreements, so that partners see what was shared with them.
func Scale(ctx context.Context, db *database.DB, svc Services, n int, now time.Time, progress func(done int)) (int, error) {
	if n <= 0 {
		return 0, prevent.Errorf(prevent.Invalid, "The number of referrals to add must be 1 or more")
	}
	svc, err := svc.complete()
	if err != nil {
		return 0, err
	}
	pid, err := partnershipID(ctx, db.Read())
	if err != nil {
		return 0, err
	}
	var last int64
	if err := db.Read().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM referrals`).Scan(&last); err != nil {
		return 0, fmt.Errorf("demo: scale: %w", err)
	}
	ctx = prevent.NewContextWithRequestID(ctx, requestID)
	done, err := GenerateReferrals(ctx, db, pid, ReferralOptions{Count: n, Seed: uint64(last) + 1, End: now, Batch: 2000, Progress: progress,
		Casework: svc.Casework})
	if err != nil {
		return done, err
	}
	// The new cases' disclosures, so that partners see what was shared with them.
	if _, err := shareCases(ctx, db, svc.Sharing, pid, last, now, shareAll); err != nil {
		return done, err
	}
	return done, nil
}
