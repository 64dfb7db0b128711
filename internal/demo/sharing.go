package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/sharing"
)

// MainAgreementTitle is the title of the demo partnership's information sharing agreement between all its
// public member organisations.
const MainAgreementTitle = "Elmshire Channel and Prevent information sharing agreement"

// The demo's other agreements, one in each state the data protection officer meets.
const (
	ProviderAgreementTitle  = "Brightwater Mentoring CIC intervention support agreement"
	ReferralAgreementTitle  = "Marlowbridge Community Trust referral agreement"
	DraftAgreementTitle     = "Elmshire Interfaith Forum community engagement agreement"
	ExpiringAgreementTitle  = "Elmshire safeguarding adults information sharing agreement"
	SuspendedAgreementTitle = "HMP Fennick Moor release and resettlement information sharing agreement"
)

// sharingClock is the clock the demo's sharing service runs on: governance and disclosures are dated when
// they would have happened, not when the demo is loaded.
type sharingClock struct{ t time.Time }

func (c *sharingClock) now() time.Time { return c.t }

// demoAgreement is an agreement the demo writes, with when it was agreed and what happened to it since.
type demoAgreement struct {
	title      string
	parties    []string // organisation keys
	purposes   []sharing.Purpose
	categories []sharing.Category
	gateways   []string
	agreedAgo  int // days before loading it was drafted and signed
	reviewIn   int // days after loading it is due for review
	signed     bool
	activate   bool
	suspendAgo int // days before loading it was suspended; 0 for never
	suspended  string
}

// publicParties are the keys of the demo's public member organisations: the parties to the main agreement.
func publicParties() []string {
	var out []string
	for _, o := range organisations {
		if o.public {
			out = append(out, o.key)
		}
	}
	return out
}

// allCategories are every data category, for the main agreement.
func allCategories() []sharing.Category {
	out := make([]sharing.Category, len(sharing.Categories))
	for i, c := range sharing.Categories {
		out[i] = c.Category
	}
	return out
}

// mainGateways are the gateways the main agreement relies on, by their codes in the national list
// (migration 00056): UK GDPR Art 6(1)(e), Art 9(2)(g) with DPA 2018 Schedule 1, DPA 2018 Part 3, CTSA 2015
// ss36–38, Crime and Disorder Act 1998 s115, Offender Management Act 2007 s14, LGA 1972 s111, Children Act
// 2004 and Care Act 2014.
var mainGateways = []string{"uk_gdpr_6_1_e", "uk_gdpr_9_2_g", "dpa_2018_part3", "ctsa_2015_s36_38", "cda_1998_s115",
	"oma_2007_s14", "lga_1972_s111", "children_act_2004", "care_act_2014"}

// governanceStart is how many days before loading the main agreement was signed: before the first of the
// three years of synthetic referrals.
const governanceStart = 3*365 + 60

var demoAgreements = []demoAgreement{
	{title: MainAgreementTitle, parties: publicParties(),
		purposes: []sharing.Purpose{sharing.ReferralTriage, sharing.ChannelScreening, sharing.ChannelPanel, sharing.SupportDelivery,
			sharing.Safeguarding, sharing.CaseReview, sharing.OffenderManagement},
		categories: allCategories(), gateways: mainGateways, agreedAgo: governanceStart, reviewIn: 340, signed: true, activate: true},
	{title: ProviderAgreementTitle, parties: []string{"county", "police", "provider"},
		purposes:   []sharing.Purpose{sharing.SupportDelivery, sharing.CaseReview},
		categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.ConcernData, sharing.Assessment, sharing.SupportPlan, sharing.Beliefs},
		gateways:   []string{"ctsa_2015_s36_38", "uk_gdpr_6_1_e", "uk_gdpr_9_2_g", "consent"}, agreedAgo: governanceStart - 5, reviewIn: 210,
		signed: true, activate: true},
	{title: ReferralAgreementTitle, parties: []string{"community-trust", "county", "police"},
		purposes:   []sharing.Purpose{sharing.ReferralTriage},
		categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.ConcernData},
		gateways:   []string{"cda_1998_s115", "uk_gdpr_9_2_g", "consent"}, agreedAgo: governanceStart - 10, reviewIn: 280, signed: true, activate: true},
	{title: SuspendedAgreementTitle, parties: []string{"county", "prison", "probation"},
		purposes:   []sharing.Purpose{sharing.OffenderManagement, sharing.SupportDelivery},
		categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.CriminalOffence, sharing.SupportPlan},
		gateways:   []string{"oma_2007_s14", "dpa_2018_part3", "uk_gdpr_6_1_e"}, agreedAgo: 300, reviewIn: 65, signed: true, activate: true,
		suspendAgo: 40, suspended: "A release plan was sent to the wrong address; the referral route with the prison is being agreed again (synthetic)"},
	{title: ExpiringAgreementTitle, parties: []string{"county", "district-north", "district-south", "nhs", "police"},
		purposes:   []sharing.Purpose{sharing.Safeguarding},
		categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.ConcernData, sharing.Health, sharing.SocialCare, sharing.Family},
		gateways:   []string{"care_act_2014", "uk_gdpr_6_1_e", "uk_gdpr_9_2_g"}, agreedAgo: 345, reviewIn: 20, signed: true, activate: true},
	{title: DraftAgreementTitle, parties: []string{"county", "interfaith"},
		purposes:   []sharing.Purpose{sharing.ReferralTriage},
		categories: []sharing.Category{sharing.Identity, sharing.Contact, sharing.ConcernData},
		gateways:   []string{"consent", "uk_gdpr_9_2_g"}, agreedAgo: 12, reviewIn: 380},
}

// signatoryTitle is the job title of who signs agreements for an organisation of the sector.
func signatoryTitle(o org) string {
	switch o.key {
	case "county", "district-north", "district-south":
		return "Chief executive"
	case "police":
		return "Deputy chief constable"
	case "primary", "secondary":
		return "Headteacher"
	case "college":
		return "Principal"
	case "nhs":
		return "Caldicott guardian"
	case "probation":
		return "Head of the probation delivery unit"
	case "prison":
		return "Governor"
	case "yjs":
		return "Head of youth justice"
	case "provider":
		return "Director"
	}
	return "Chair of trustees"
}

// signatoryName is the invented name of who signs for the organisation.
func signatoryName(key string) string {
	i := slices.IndexFunc(organisations, func(o org) bool { return o.key == key })
	return firstNames[(7*i+3)%len(firstNames)] + " " + lastNames[(11*i+29)%len(lastNames)]
}

// principalWithRole loads the first person holding role in the partnership as a principal who passed the
// second factor.
func principalWithRole(ctx context.Context, db *database.DB, pid prevent.ID, role prevent.Role, now time.Time) (prevent.Principal, error) {
	var id prevent.ID
	if err := db.Read().QueryRowContext(ctx, `SELECT person_id FROM memberships WHERE partnership_id = $1 AND role = $2 ORDER BY person_id LIMIT 1`,
		pid, string(role)).Scan(&id); err != nil {
		return prevent.Principal{}, fmt.Errorf("demo: sharing: the %s: %w", role, err)
	}
	p, err := auth.LoadPrincipal(ctx, db.Read(), id, now)
	if err != nil {
		return p, fmt.Errorf("demo: sharing: the %s: %w", role, err)
	}
	p.MFA = true
	return p, nil
}

// loadSharing gives the demo partnership its information-sharing governance, through the sharing service as
// the data protection officer: acknowledgements by the two non-public bodies that receive data, the
// agreements of demoAgreements (the main one signed by every public member before the first referral and
// due for review in about a year; one each for the provider and the community trust; one suspended, one due
// for review within 30 days, one in draft), and a few subject access requests (one overdue, one extended,
// one completed). Retention rules stay at their defaults. Then it records the disclosures of the synthetic
// cases (see shareCases).
func loadSharing(ctx context.Context, d Deps, pid prevent.ID, orgIDs map[string]prevent.ID) error {
	now := d.Now().UTC()
	clk := &sharingClock{t: now}
	svc := d.Sharing(clk.now)
	dpo, err := principalWithRole(ctx, d.DB, pid, prevent.DataProtection, now)
	if err != nil {
		return err
	}
	ctx = prevent.NewContextWithPrincipal(ctx, dpo)
	wrap := func(what string, err error) error { return fmt.Errorf("demo: sharing: %s: %w", what, err) }
	at := func(daysAgo int, hour int) time.Time { return day(now, -daysAgo).Add(time.Duration(hour) * time.Hour) }

	// The non-public bodies that receive data acknowledge their own data protection duties first.
	for _, a := range []struct {
		key, by string
	}{{"provider", signatoryName("provider") + ", Director"}, {"community-trust", signatoryName("community-trust") + ", Chair of trustees"}} {
		clk.t = at(governanceStart+2, 11)
		if _, err := svc.RecordAcknowledgement(ctx, dpo, pid, orgIDs[a.key], sharing.AcknowledgementInput{
			AcknowledgedBy: a.by, AcknowledgedOn: day(now, -governanceStart-3), TextVersion: sharing.AcknowledgementText}); err != nil {
			return wrap("acknowledgement of "+orgByKey(a.key).name, err)
		}
	}

	agree := func(da demoAgreement) error {
		clk.t = at(da.agreedAgo+14, 10)
		in := sharing.AgreementInput{Title: da.title, Purposes: da.purposes, Categories: da.categories, Gateways: da.gateways,
			Retention: "Each party keeps what it receives no longer than the partnership's retention rules allow: three years for cases that " +
				"did not reach Channel, six years for Channel cases, then reviews or deletes it.",
			Disposal: "Secure deletion from systems and confidential shredding of paper, confirmed to the coordinator within 30 days.",
			Security: "Shared only through the platform or secure email to named people with the vetting the marking needs; " +
				"no copies on personal devices; access is audited.",
			ReviewDate: day(now, da.reviewIn)}
		for _, k := range da.parties {
			in.Parties = append(in.Parties, orgIDs[k])
		}
		id, err := svc.CreateAgreement(ctx, dpo, pid, in)
		if err != nil {
			return wrap(da.title, err)
		}
		for i, k := range da.parties {
			if !da.signed && i > 0 {
				break // a draft: signed so far only by the first party
			}
			clk.t = at(da.agreedAgo+7-i%5, 14)
			if err := svc.AddSignatory(ctx, dpo, id, sharing.SignatoryInput{OrganisationID: orgIDs[k], Name: signatoryName(k),
				JobTitle: signatoryTitle(orgByKey(k)), SignedOn: day(now, -da.agreedAgo-7+i%5)}); err != nil {
				return wrap(da.title+": signatory", err)
			}
		}
		if !da.activate {
			return nil
		}
		clk.t = at(da.agreedAgo, 9)
		if err := svc.Transition(ctx, dpo, id, sharing.Active, ""); err != nil {
			return wrap(da.title+": activate", err)
		}
		if da.suspendAgo > 0 {
			clk.t = at(da.suspendAgo, 16)
			if err := svc.Transition(ctx, dpo, id, sharing.Suspended, da.suspended); err != nil {
				return wrap(da.title+": suspend", err)
			}
		}
		return nil
	}
	// The main agreement comes first, then the disclosures it covers, then the provider's agreement and the
	// interventions' disclosures, then the rest. Every agreement is dated when it was agreed, whatever the
	// order of writing; but Disclose weighs every agreement in force or suspended, so agreements a disclosure
	// does not need would only slow the loading.
	for _, step := range []struct {
		agreement string
		share     shareKind
	}{{MainAgreementTitle, sharePanels | shareScreening}, {ProviderAgreementTitle, shareSupport}} {
		i := slices.IndexFunc(demoAgreements, func(da demoAgreement) bool { return da.title == step.agreement })
		if err := agree(demoAgreements[i]); err != nil {
			return err
		}
		if _, err := shareCases(ctx, d.DB, d.Sharing, pid, 0, now, step.share); err != nil {
			return err
		}
	}
	for _, da := range demoAgreements {
		if da.title == MainAgreementTitle || da.title == ProviderAgreementTitle {
			continue
		}
		if err := agree(da); err != nil {
			return err
		}
	}

	// The subject access request register.
	register := d.Rights(clk.now)
	requests := []struct {
		receivedAgo         int
		requester, subject  string
		regime              rights.Regime
		extendAfter, doneIn int // days after receipt; 0 for not done
	}{
		{95, "Solicitors acting for the person (synthetic)", "Ezra Brixundell", rights.UKGDPR, 0, 24},
		{50, "The person (synthetic)", "Nadia Kaelifax", rights.UKGDPR, 20, 0},
		{45, "The person (synthetic)", "Lewis Thurnomere", rights.UKGDPR, 0, 0},
		{12, "The person, through Elmshire Constabulary (synthetic)", "Jun Morvelby", rights.DPAPart3, 0, 0},
	}
	for _, rq := range requests {
		clk.t = at(rq.receivedAgo, 11)
		id, err := register.RegisterRequest(ctx, dpo, pid, rights.SubjectAccessInput{Received: day(now, -rq.receivedAgo),
			Requester: rq.requester, Subject: rq.subject, Regime: rq.regime})
		if err != nil {
			return wrap("subject access request", err)
		}
		if rq.extendAfter > 0 {
			clk.t = at(rq.receivedAgo-rq.extendAfter, 15)
			if err := register.ExtendRequest(ctx, dpo, id, "Complex: records are held by several partners and need redaction (synthetic)"); err != nil {
				return wrap("extend subject access request", err)
			}
		}
		if rq.doneIn > 0 {
			clk.t = at(rq.receivedAgo-rq.doneIn, 15)
			if err := register.CompleteRequest(ctx, dpo, id, day(now, -rq.receivedAgo+rq.doneIn)); err != nil {
				return wrap("complete subject access request", err)
			}
		}
	}
	return nil
}

// shareKind selects the disclosures shareCases writes.
type shareKind int

// The kinds of disclosure of the demo cases.
const (
	sharePanels    shareKind = 1 << iota // panel packs
	shareScreening                       // screening information requests
	shareSupport                         // interventions
	shareAll       = sharePanels | shareScreening | shareSupport
)

// demoShare is a disclosure to write, at the time it was made.
type demoShare struct {
	at time.Time
	in sharing.DisclosureInput
}

// The disclosure texts of the demo cases.
const (
	panelOutcome     = "The panel decides whether the person is vulnerable to being drawn into terrorism and what support to offer"
	panelNecessity   = "Only what the panel needs to assess vulnerability and agree support is shared, with the members who sit on it (synthetic)."
	screenOutcome    = "The partner says what it knows of the person, so that the coordinator can decide whether the case goes to the panel"
	screenNecessity  = "Only the person's identity and the concern are shared, so that the partner can find its own records (synthetic)."
	supportOutcome   = "The provider delivers the intervention the panel agreed"
	supportNecessity = "The provider receives what it needs to deliver the intervention safely, and no more (synthetic)."
	notSoughtReason  = "Asking would alert the person while the risk is assessed; sharing without consent is necessary to prevent crime (synthetic)."
)

// consentFor is the consent status of the sharing about a case: mostly given; for about one case in five
// not sought, with its reason and a gateway that permits sharing without consent.
func consentFor(referral prevent.ID, withConsent string) (sharing.Consent, string, string) {
	if uint64(referral)*2654435761%100 < 20 {
		return sharing.ConsentNotSought, notSoughtReason, "cda_1998_s115"
	}
	return sharing.ConsentGiven, "", withConsent
}

// shareCases records, through sharing.Service.Disclose, the disclosures the synthetic cases of partnership pid
// with ids above after imply, so that every partner sees what was shared with it and nothing else: for each
// case listed at a panel, the panel pack to every member organisation other than the coordinator's, naming
// its panel members; for each intervention, a disclosure to the provider's organisation naming the worker;
// for each screening information request, a disclosure to the organisation asked. Each is made as the
// coordinator at the time of the step, in transactions of a few hundred, and checked against the
// agreements like any other, by a sharing service from newSharing on a clock moved to each step's time. kinds
// selects which of the three it writes. It returns how many it wrote.
// (Partners' answers, which casework now discloses too, are left out to keep loading quick: they go to the
// coordinator's organisation, which sees every case anyway.)
func shareCases(ctx context.Context, db *database.DB, newSharing func(now func() time.Time) *sharing.Service, pid, after prevent.ID,
	now time.Time, kinds shareKind) (int, error) {
	coord, err := principalWithRole(ctx, db, pid, prevent.Coordinator, now)
	if err != nil {
		return 0, err
	}
	q := db.Read()
	wrap := func(what string, err error) error { return fmt.Errorf("demo: sharing: %s: %w", what, err) }
	base := func(referral, to prevent.ID, recipients []prevent.ID) sharing.DisclosureInput {
		return sharing.DisclosureInput{PartnershipID: pid, FromOrg: coord.OrganisationID, ToOrg: to, Recipients: recipients,
			RecordKind: "referral", RecordID: referral}
	}
	var shares []demoShare

	// The panel packs.
	type seat struct{ panel, person, org prevent.ID }
	var seats []seat
	rows, err := q.QueryContext(ctx, `SELECT pm.panel_id, pm.person_id, pm.organisation_id FROM panel_members pm
		JOIN panels p ON p.id = pm.panel_id WHERE p.partnership_id = $1 ORDER BY pm.id`, pid)
	if err != nil {
		return 0, wrap("panel members", err)
	}
	for rows.Next() {
		var s seat
		if err := rows.Scan(&s.panel, &s.person, &s.org); err != nil {
			rows.Close()
			return 0, wrap("panel members", err)
		}
		seats = append(seats, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap("panel members", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT cp.referral_id, cp.panel_id, cp.since FROM case_panels cp JOIN referrals r ON r.id = cp.referral_id
		WHERE r.partnership_id = $1 AND r.id > $2 AND $3 ORDER BY cp.referral_id`, pid, after, kinds&sharePanels != 0)
	if err != nil {
		return 0, wrap("listed cases", err)
	}
	for rows.Next() {
		var referral, panel prevent.ID
		var since time.Time
		if err := rows.Scan(&referral, &panel, &since); err != nil {
			rows.Close()
			return 0, wrap("listed cases", err)
		}
		var orgs []prevent.ID
		members := map[prevent.ID][]prevent.ID{}
		for _, s := range seats {
			if s.panel != panel || s.org == coord.OrganisationID {
				continue
			}
			if !slices.Contains(orgs, s.org) {
				orgs = append(orgs, s.org)
			}
			if !slices.Contains(members[s.org], s.person) {
				members[s.org] = append(members[s.org], s.person)
			}
		}
		consent, reason, gateway := consentFor(referral, "ctsa_2015_s36_38")
		for _, o := range orgs {
			in := base(referral, o, members[o])
			in.Categories = []sharing.Category{sharing.Identity, sharing.ConcernData, sharing.Assessment}
			in.Purpose, in.ExpectedOutcome, in.Necessity = sharing.ChannelPanel, panelOutcome, panelNecessity
			in.Gateway, in.Consent, in.ConsentReason = gateway, consent, reason
			shares = append(shares, demoShare{since, in})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap("listed cases", err)
	}

	// The interventions: support needs consent (CTSA 2015 s36(4)), given before any intervention is added.
	rows, err = q.QueryContext(ctx, `SELECT i.referral_id, i.created_at, ip.organisation_id, COALESCE(w.id, 0), COALESCE(w.organisation_id, 0)
		FROM interventions i JOIN intervention_providers ip ON ip.id = i.provider_id LEFT JOIN people w ON w.id = i.worker_id
		WHERE ip.partnership_id = $1 AND i.referral_id > $2 AND $3 ORDER BY i.id`, pid, after, kinds&shareSupport != 0)
	if err != nil {
		return 0, wrap("interventions", err)
	}
	for rows.Next() {
		var referral, org, worker, workerOrg prevent.ID
		var added time.Time
		if err := rows.Scan(&referral, &added, &org, &worker, &workerOrg); err != nil {
			rows.Close()
			return 0, wrap("interventions", err)
		}
		if org == coord.OrganisationID {
			continue
		}
		var recipients []prevent.ID
		if worker != 0 && workerOrg == org {
			recipients = []prevent.ID{worker}
		}
		in := base(referral, org, recipients)
		in.Categories = []sharing.Category{sharing.Identity, sharing.Contact, sharing.ConcernData, sharing.SupportPlan}
		in.Purpose, in.ExpectedOutcome, in.Necessity = sharing.SupportDelivery, supportOutcome, supportNecessity
		in.Gateway, in.Consent = "ctsa_2015_s36_38", sharing.ConsentGiven
		shares = append(shares, demoShare{added, in})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap("interventions", err)
	}

	// Screening information requests. (Each query answers nothing when kinds leaves its disclosures out.)
	rows, err = q.QueryContext(ctx, `SELECT ir.referral_id, ir.requested_at, ir.to_org_id
		FROM information_requests ir WHERE ir.partnership_id = $1 AND ir.referral_id > $2 AND $3 ORDER BY ir.id`, pid, after, kinds&shareScreening != 0)
	if err != nil {
		return 0, wrap("information requests", err)
	}
	for rows.Next() {
		var referral, org prevent.ID
		var asked time.Time
		if err := rows.Scan(&referral, &asked, &org); err != nil {
			rows.Close()
			return 0, wrap("information requests", err)
		}
		if org == coord.OrganisationID {
			continue
		}
		consent, reason, gateway := consentFor(referral, "ctsa_2015_s36_38")
		in := base(referral, org, nil)
		in.Categories = []sharing.Category{sharing.Identity, sharing.ConcernData}
		in.Purpose, in.ExpectedOutcome, in.Necessity = sharing.ChannelScreening, screenOutcome, screenNecessity
		in.Gateway, in.Consent, in.ConsentReason = gateway, consent, reason
		shares = append(shares, demoShare{asked, in})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, wrap("information requests", err)
	}

	// Oldest first, so that the ledger reads in the order things happened.
	slices.SortStableFunc(shares, func(a, b demoShare) int { return a.at.Compare(b.at) })
	cctx := prevent.NewContextWithPrincipal(ctx, coord)
	clk := &sharingClock{}
	svc := newSharing(clk.now)
	const batch = 500
	for done := 0; done < len(shares); done += batch {
		err := db.WithTx(ctx, func(tx *database.Tx) error {
			for _, s := range shares[done:min(done+batch, len(shares))] {
				clk.t = s.at
				if _, err := svc.Disclose(cctx, tx, coord, s.in); err != nil {
					return fmt.Errorf("referral %d to organisation %d for %s: %w", s.in.RecordID, s.in.ToOrg, s.in.Purpose, err)
				}
			}
			return nil
		})
		if err != nil {
			return done, wrap("disclose", err)
		}
	}
	return len(shares), nil
}
