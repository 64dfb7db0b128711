package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

// The subject access bundle (UK GDPR Art 15, DPA 2018 s.45): in one action, everything held on the person a
// subject access request is about — every referral of theirs with its sections, the disclosure log (who
// received what, when, why and on what basis) and the access log (who viewed the records: the audit log's
// consultations, with the names and organisations of the professionals). Every piece of content is an item
// with a stable key, so that the data protection officer can mark items to withhold under a recorded
// exemption (sharing.Redact); the bundle then withholds them and lists each exemption.

// BundleItem is one piece of information held.
type BundleItem struct {
	Key   string    `json:"key"`
	Label string    `json:"label"`
	Value string    `json:"value,omitempty"`
	At    time.Time `json:"at,omitzero"`
	// By names the professional who recorded it, with their organisation.
	By string `json:"by,omitempty"`
	// Withheld is true when the item is withheld under an exemption (its value and author are then empty
	// in a final bundle).
	Withheld  bool   `json:"withheld,omitempty"`
	Exemption string `json:"exemption,omitempty"`
}

// BundleSection is a part of a record, such as its triage outcome or its timeline.
type BundleSection struct {
	Title string       `json:"title"`
	Items []BundleItem `json:"items"`
}

// BundleRecord is one referral of the person, with its sections.
type BundleRecord struct {
	ReferralID  prevent.ID      `json:"referral_id"`
	Reference   string          `json:"reference"`
	Stage       string          `json:"stage"`
	ReferredBy  string          `json:"referred_by"`
	SubmittedAt time.Time       `json:"submitted_at,omitzero"`
	Sections    []BundleSection `json:"sections"`
}

// BundleDisclosure is one entry of the disclosure log: who received what, when, why and on what basis.
type BundleDisclosure struct {
	Key             string    `json:"key"`
	Reference       string    `json:"reference"`
	At              time.Time `json:"at"`
	From            string    `json:"from"`
	To              string    `json:"to"`
	Recipients      []string  `json:"recipients,omitempty"`
	Categories      []string  `json:"categories"`
	Fields          []string  `json:"fields,omitempty"`
	Purpose         string    `json:"purpose"`
	ExpectedOutcome string    `json:"expected_outcome"`
	LegalBasis      string    `json:"legal_basis"`
	Consent         string    `json:"consent"`
	ConsentReason   string    `json:"consent_reason,omitempty"`
	Necessity       string    `json:"necessity"`
	By              string    `json:"by"`
	Withheld        bool      `json:"withheld,omitempty"`
	Exemption       string    `json:"exemption,omitempty"`
}

// BundleView is one entry of the access log: a professional who viewed a record.
type BundleView struct {
	Key          string    `json:"key"`
	Reference    string    `json:"reference"`
	At           time.Time `json:"at"`
	Who          string    `json:"who"`
	Organisation string    `json:"organisation"`
	What         string    `json:"what"`
	Purpose      string    `json:"purpose"`
	Withheld     bool      `json:"withheld,omitempty"`
	Exemption    string    `json:"exemption,omitempty"`
}

// BundleRedaction is an item withheld and the exemption relied on; Note (why it applies) is in a draft only.
type BundleRedaction struct {
	Item      string    `json:"item"`
	Exemption string    `json:"exemption"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Bundle is the answer to a subject access request.
type Bundle struct {
	RequestID     prevent.ID         `json:"request_id"`
	PartnershipID prevent.ID         `json:"partnership_id"`
	Requester     string             `json:"requester"`
	Received      time.Time          `json:"received"`
	Due           time.Time          `json:"due"`
	Regime        string             `json:"regime"`
	SubjectID     prevent.ID         `json:"subject_id"`
	Subject       string             `json:"subject"`
	Produced      time.Time          `json:"produced"`
	ProducedBy    string             `json:"produced_by"`
	Draft         bool               `json:"draft"`
	Records       []BundleRecord     `json:"records"`
	Disclosures   []BundleDisclosure `json:"disclosures"`
	Access        []BundleView       `json:"access"`
	Redactions    []BundleRedaction  `json:"redactions"`
	Notes         []string           `json:"notes"`
}

// Items returns every item of the bundle's records, in order (for the redaction step and tests).
func (b Bundle) Items() []BundleItem {
	var out []BundleItem
	for _, r := range b.Records {
		for _, s := range r.Sections {
			out = append(out, s.Items...)
		}
	}
	return out
}

// BundleNotes are said in every bundle.
var BundleNotes = []string{
	"Police deconfliction results and police-only decisions are held by the police and are answered by the police force " +
		"under the Data Protection Act 2018 Part 3; this bundle shows a police handover as police-led management.",
	"Items marked as withheld are not shown; the exemption relied on for each is listed at the end.",
}

// SubjectMatch is a person referred who may be the subject of a request.
type SubjectMatch struct {
	SubjectID   prevent.ID
	Name        string
	DateOfBirth time.Time
	Postcode    string
	References  []string
}

// FindSubjects lists up to 50 people referred in the partnership whose names contain every word of name
// (aliases count), and who were born on dob when it is given, for the data protection officer to link a
// subject access request to. The search is audited.
func (s *Service) FindSubjects(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, name string, dob time.Time) ([]SubjectMatch, error) {
	if d := access.Decide(p, access.SubjectAccessManage, access.Resource{Kind: "subject_access_request", PartnershipID: partnershipID}, s.now()); !d.Allow {
		return nil, access.NotFound("Partnership")
	}
	words := strings.Fields(NormaliseName(name))
	if len(words) == 0 {
		return nil, prevent.Validation([]prevent.FieldError{{Field: "name", Message: "Enter the person’s name"}})
	}
	var out []SubjectMatch
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		q := `SELECT id, given_names, family_name, date_of_birth, postcode FROM case_subjects WHERE partnership_id = $1`
		args := []any{partnershipID}
		for _, w := range words {
			args = append(args, "%"+w+"%")
			q += fmt.Sprintf(" AND name_key LIKE $%d", len(args))
		}
		if !dob.IsZero() {
			args = append(args, dob.UTC().Format(dateLayout))
			q += fmt.Sprintf(" AND date_of_birth = $%d", len(args))
		}
		rows, err := tx.QueryContext(ctx, q+" ORDER BY family_name, given_names, id LIMIT 50", args...)
		if err != nil {
			return fmt.Errorf("casework: find subjects: %w", err)
		}
		for rows.Next() {
			var m SubjectMatch
			var given, family string
			var born sql.NullString
			if err := rows.Scan(&m.SubjectID, &given, &family, &born, &m.Postcode); err != nil {
				rows.Close()
				return err
			}
			m.Name = strings.TrimSpace(given + " " + family)
			if born.Valid {
				m.DateOfBirth, _ = time.Parse(dateLayout, born.String)
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			refs, err := tx.QueryContext(ctx, `SELECT reference FROM referrals WHERE subject_id = $1 AND reference IS NOT NULL ORDER BY id`, out[i].SubjectID)
			if err != nil {
				return err
			}
			for refs.Next() {
				var r string
				if err := refs.Scan(&r); err != nil {
					refs.Close()
					return err
				}
				out[i].References = append(out[i].References, r)
			}
			refs.Close()
			if err := refs.Err(); err != nil {
				return err
			}
		}
		e := audit.New(ctx, s.now(), audit.Consult, "case_subject", 0)
		e.ActorID, e.ActorOrg, e.PartnershipID = p.PersonID, p.OrganisationID, partnershipID
		e.Purpose, e.Detail = "subject access", fmt.Sprintf("subjects searched for a subject access request (%d found)", len(out))
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	return out, err
}

// LinkRequestSubject links a subject access request to the person referred it is about, so that the bundle
// is one action from the request. The subject must be of the request's partnership.
func (s *Service) LinkRequestSubject(ctx context.Context, p prevent.Principal, requestID, subjectID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := sharing.LoadRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		if d := access.Decide(p, access.SubjectAccessManage, access.Resource{Kind: "subject_access_request", PartnershipID: r.PartnershipID}, s.now()); !d.Allow {
			return access.NotFound("Request")
		}
		var pid prevent.ID
		err = tx.QueryRowContext(ctx, `SELECT partnership_id FROM case_subjects WHERE id = $1`, subjectID).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) || pid != r.PartnershipID {
			return prevent.Validation([]prevent.FieldError{{Field: "subject", Message: "Select the person the request is about"}})
		}
		if err != nil {
			return fmt.Errorf("casework: link subject: %w", err)
		}
		return s.sharing.SetRequestSubject(ctx, tx, p, requestID, subjectID)
	})
}

// SubjectAccessBundle produces the bundle for a request linked to a subject: for the data protection officer
// only. A draft shows every item, with those marked to withhold flagged, for the redaction step; a final
// bundle (draft false) leaves out the content of withheld items. Producing it is audited: a consultation of
// each record included and an entry on the request.
func (s *Service) SubjectAccessBundle(ctx context.Context, p prevent.Principal, requestID prevent.ID, draft bool) (Bundle, error) {
	var b Bundle
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		r, err := sharing.LoadRequest(ctx, tx, requestID)
		if err != nil {
			return err
		}
		now := s.now()
		if d := access.Decide(p, access.SubjectAccessManage, access.Resource{Kind: "subject_access_request", PartnershipID: r.PartnershipID}, now); !d.Allow {
			return access.NotFound("Request")
		}
		if r.SubjectID == 0 {
			return prevent.Errorf(prevent.Conflict, "Choose the person the request is about first")
		}
		bl := &bundler{s: s, ctx: ctx, q: tx, people: map[prevent.ID][2]string{}, orgs: map[prevent.ID]string{}, labels: map[string]string{}, now: now}
		b = Bundle{RequestID: requestID, PartnershipID: r.PartnershipID, Requester: r.Requester, Received: r.Received, Due: r.Due,
			Regime: string(r.Regime), SubjectID: r.SubjectID, Subject: r.Subject, Produced: now, Draft: draft, Notes: BundleNotes,
			Records: []BundleRecord{}, Disclosures: []BundleDisclosure{}, Access: []BundleView{}, Redactions: []BundleRedaction{}}
		b.ProducedBy = bl.person(p.PersonID)
		ids, err := bl.referralIDs(r.PartnershipID, r.SubjectID)
		if err != nil {
			return err
		}
		refs := map[prevent.ID]string{}
		var interventions, requests []prevent.ID
		ivRef, rqRef := map[prevent.ID]string{}, map[prevent.ID]string{}
		for _, id := range ids {
			rec, ivs, rqs, err := bl.record(id)
			if err != nil {
				return err
			}
			refs[id] = rec.Reference
			for _, iv := range ivs {
				ivRef[iv] = rec.Reference
			}
			for _, rq := range rqs {
				rqRef[rq] = rec.Reference
			}
			interventions, requests = append(interventions, ivs...), append(requests, rqs...)
			b.Records = append(b.Records, rec)
		}
		ds, err := sharing.DisclosuresFor(ctx, tx, "referral", ids)
		if err != nil {
			return err
		}
		for _, d := range ds {
			bd := BundleDisclosure{Key: fmt.Sprintf("disclosure:%d", d.ID), Reference: refs[d.RecordID], At: d.DisclosedAt,
				From: bl.org(d.FromOrg), To: bl.org(d.ToOrg), Fields: d.Fields, Purpose: d.Purpose.String(),
				ExpectedOutcome: d.ExpectedOutcome, LegalBasis: bl.gateway(d.PartnershipID, d.Gateway, d.GatewayVersion),
				Consent: consentText(d.Consent), ConsentReason: d.ConsentReason, Necessity: d.Necessity, By: bl.person(d.DisclosedBy)}
			for _, c := range d.Categories {
				bd.Categories = append(bd.Categories, c.String())
			}
			for _, rp := range d.Recipients {
				bd.Recipients = append(bd.Recipients, bl.person(rp))
			}
			b.Disclosures = append(b.Disclosures, bd)
		}
		for _, k := range []struct {
			kind string
			ids  []prevent.ID
			refs map[prevent.ID]string
		}{{"referral", ids, refs}, {"intervention", interventions, ivRef}, {"information_request", requests, rqRef}} {
			es, err := audit.ForRecords(ctx, tx, k.kind, k.ids)
			if err != nil {
				return err
			}
			for _, e := range es {
				if e.Action != audit.Consult {
					continue
				}
				name, org := bl.personOrg(e.ActorID)
				if e.ActorOrg != 0 {
					org = bl.org(e.ActorOrg)
				}
				b.Access = append(b.Access, BundleView{Key: fmt.Sprintf("view:%d", e.Seq), Reference: k.refs[e.RecordID], At: e.At,
					Who: name, Organisation: org, What: e.Detail, Purpose: e.Purpose})
			}
		}
		slices.SortFunc(b.Access, func(x, y BundleView) int { return x.At.Compare(y.At) })
		if bl.err != nil {
			return bl.err
		}
		reds, err := sharing.Redactions(ctx, tx, requestID)
		if err != nil {
			return err
		}
		withheld := map[string]string{}
		for _, rd := range reds {
			withheld[rd.Item] = rd.Exemption.String()
			br := BundleRedaction{Item: rd.Item, Exemption: rd.Exemption.String(), By: bl.person(rd.RecordedBy), At: rd.RecordedAt}
			if draft {
				// The reason is the data protection officer's working note: it may itself describe what is
				// withheld, so only the draft shows it.
				br.Note = rd.Note
			}
			b.Redactions = append(b.Redactions, br)
		}
		b.redact(withheld, !draft)
		if bl.err != nil {
			return bl.err
		}
		detail := "subject access bundle"
		if draft {
			detail = "subject access bundle reviewed for redaction"
		}
		for _, id := range ids {
			if err := s.record(ctx, tx, p, audit.Consult, "referral", id, r.PartnershipID, fmt.Sprintf("%s (request %d)", detail, requestID)); err != nil {
				return err
			}
		}
		e := audit.New(ctx, now, audit.Consult, "subject_access_request", requestID)
		e.ActorID, e.ActorOrg, e.PartnershipID, e.Purpose = p.PersonID, p.OrganisationID, r.PartnershipID, "subject access"
		e.Detail = fmt.Sprintf("%s: %d records, %d disclosures, %d views, %d items withheld", detail, len(ids), len(b.Disclosures),
			len(b.Access), len(reds))
		_, err = audit.Append(ctx, tx, e)
		return err
	})
	if err != nil {
		return Bundle{}, err
	}
	return b, nil
}

// redact flags every item whose key is in withheld with its exemption and, when clear is set, empties it.
func (b *Bundle) redact(withheld map[string]string, clear bool) {
	for i := range b.Records {
		for j := range b.Records[i].Sections {
			items := b.Records[i].Sections[j].Items
			for k := range items {
				if ex, ok := withheld[items[k].Key]; ok {
					items[k].Withheld, items[k].Exemption = true, ex
					if clear {
						items[k].Value, items[k].By = "", ""
					}
				}
			}
		}
	}
	for i, d := range b.Disclosures {
		if ex, ok := withheld[d.Key]; ok {
			if clear {
				d = BundleDisclosure{Key: d.Key, Reference: d.Reference, At: d.At}
			}
			d.Withheld, d.Exemption = true, ex
			b.Disclosures[i] = d
		}
	}
	for i, v := range b.Access {
		if ex, ok := withheld[v.Key]; ok {
			if clear {
				v = BundleView{Key: v.Key, Reference: v.Reference, At: v.At}
			}
			v.Withheld, v.Exemption = true, ex
			b.Access[i] = v
		}
	}
}

func consentText(c sharing.Consent) string {
	switch c {
	case sharing.ConsentGiven:
		return "Given"
	case sharing.ConsentRefused:
		return "Refused"
	case sharing.ConsentNotSought:
		return "Not sought"
	}
	return string(c)
}

// bundler reads a person's records through one transaction, naming people, organisations and codes once
// each. The first error is kept in err.
type bundler struct {
	s      *Service // opens sealed details
	ctx    context.Context
	q      database.Querier
	now    time.Time
	people map[prevent.ID][2]string
	orgs   map[prevent.ID]string
	labels map[string]string
	err    error
}

func (bl *bundler) fail(err error) {
	if bl.err == nil && err != nil {
		bl.err = err
	}
}

// personOrg names a professional and their organisation.
func (bl *bundler) personOrg(id prevent.ID) (string, string) {
	if id == 0 {
		return "The system (a scheduled task)", ""
	}
	if v, ok := bl.people[id]; ok {
		return v[0], v[1]
	}
	var v [2]string
	err := bl.q.QueryRowContext(bl.ctx, `SELECT pe.name, o.name FROM people pe JOIN organisations o ON o.id = pe.organisation_id
		WHERE pe.id = $1`, id).Scan(&v[0], &v[1])
	if errors.Is(err, sql.ErrNoRows) {
		v = [2]string{fmt.Sprintf("Person %d", id), ""}
	} else if err != nil {
		bl.fail(fmt.Errorf("casework: bundle: person: %w", err))
	}
	bl.people[id] = v
	return v[0], v[1]
}

// person names a professional with their organisation.
func (bl *bundler) person(id prevent.ID) string {
	n, o := bl.personOrg(id)
	if o == "" {
		return n
	}
	return n + " (" + o + ")"
}

func (bl *bundler) org(id prevent.ID) string {
	if n, ok := bl.orgs[id]; ok {
		return n
	}
	var n string
	err := bl.q.QueryRowContext(bl.ctx, `SELECT name FROM organisations WHERE id = $1`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		n = fmt.Sprintf("Organisation %d", id)
	} else if err != nil {
		bl.fail(fmt.Errorf("casework: bundle: organisation: %w", err))
	}
	bl.orgs[id] = n
	return n
}

// label is a reference code's label (any version), or the code.
func (bl *bundler) label(list List, code string) string {
	if code == "" {
		return ""
	}
	k := string(list) + "\x00" + code
	if l, ok := bl.labels[k]; ok {
		return l
	}
	l := code
	err := bl.q.QueryRowContext(bl.ctx, `SELECT label FROM case_reference WHERE list = $1 AND code = $2 ORDER BY version DESC LIMIT 1`,
		string(list), code).Scan(&l)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		bl.fail(fmt.Errorf("casework: bundle: label: %w", err))
	}
	bl.labels[k] = l
	return l
}

func (bl *bundler) gateway(partnershipID prevent.ID, code string, version int) string {
	k := fmt.Sprintf("gateway\x00%d\x00%s\x00%d", partnershipID, code, version)
	if l, ok := bl.labels[k]; ok {
		return l
	}
	l := code
	err := bl.q.QueryRowContext(bl.ctx, `SELECT name FROM sharing_gateways WHERE partnership_id IN (0, $1) AND code = $2 AND version = $3
		ORDER BY partnership_id DESC LIMIT 1`, partnershipID, code, version).Scan(&l)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		bl.fail(fmt.Errorf("casework: bundle: gateway: %w", err))
	}
	bl.labels[k] = l
	return l
}

func (bl *bundler) referralIDs(partnershipID, subjectID prevent.ID) ([]prevent.ID, error) {
	rows, err := bl.q.QueryContext(bl.ctx, `SELECT id FROM referrals WHERE partnership_id = $1 AND subject_id = $2 AND submitted_at IS NOT NULL
		ORDER BY submitted_at, id`, partnershipID, subjectID)
	if err != nil {
		return nil, fmt.Errorf("casework: bundle: referrals: %w", err)
	}
	defer rows.Close()
	var out []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// section is a record's section under construction.
type section struct {
	key string
	s   BundleSection
}

func (sc *section) add(key, label, value string, at time.Time, by string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	sc.s.Items = append(sc.s.Items, BundleItem{Key: sc.key + ":" + key, Label: label, Value: value, At: at, By: by})
}

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

func lines(parts ...string) string {
	var out []string
	for i := 0; i+1 < len(parts); i += 2 {
		if strings.TrimSpace(parts[i+1]) != "" {
			out = append(out, parts[i]+": "+strings.TrimSpace(parts[i+1]))
		}
	}
	return strings.Join(out, "\n")
}

// record reads one referral's sections, and the ids of its interventions and information requests.
func (bl *bundler) record(id prevent.ID) (BundleRecord, []prevent.ID, []prevent.ID, error) {
	ctx, q := bl.ctx, bl.q
	r, err := bl.s.getReferral(ctx, q, id)
	if err != nil {
		return BundleRecord{}, nil, nil, err
	}
	if r.Triage.Outcome == EvPursueHandover {
		r.Triage.Outcome = EvPoliceLed
	}
	key := fmt.Sprintf("referral:%d", id)
	rec := BundleRecord{ReferralID: id, Reference: r.Reference, Stage: r.State.Masked().String(), SubmittedAt: r.SubmittedAt,
		ReferredBy: bl.person(r.AuthorID)}
	var sections []*section
	newSection := func(title string) *section {
		sc := &section{key: key, s: BundleSection{Title: title}}
		sections = append(sections, sc)
		return sc
	}

	pd := r.Details.Person
	sc := newSection("About the person")
	sc.add("person.given_names", "Given names", pd.GivenNames, time.Time{}, "")
	sc.add("person.family_name", "Family name", pd.FamilyName, time.Time{}, "")
	sc.add("person.aliases", "Other names", strings.Join(pd.Aliases, ", "), time.Time{}, "")
	sc.add("person.date_of_birth", "Date of birth", when(pd.DateOfBirth), time.Time{}, "")
	if pd.ApproximateAge > 0 {
		sc.add("person.approximate_age", "Approximate age", fmt.Sprint(pd.ApproximateAge), time.Time{}, "")
	}
	sc.add("person.gender", "Gender", pd.Gender, time.Time{}, "")
	sc.add("person.address", "Address", strings.Join(slices.DeleteFunc([]string{pd.AddressLine1, pd.AddressLine2, pd.Town, pd.Postcode},
		func(x string) bool { return strings.TrimSpace(x) == "" }), ", "), time.Time{}, "")
	sc.add("person.local_authority", "Local authority", pd.LocalAuthority, time.Time{}, "")
	sc.add("person.setting", "School, college or employer", pd.Setting, time.Time{}, "")
	sc.add("person.languages", "Languages", strings.Join(pd.Languages, ", "), time.Time{}, "")
	sc.add("person.additional_needs", "Additional needs", pd.AdditionalNeeds, time.Time{}, "")
	sc.add("person.other_agencies", "Other agencies involved", pd.OtherAgencies, time.Time{}, "")

	cn := r.Details.Concern
	by := bl.person(r.AuthorID)
	sc = newSection("The concern")
	var types []string
	for _, t := range cn.Types {
		types = append(types, bl.label(ConcernTypes, t))
	}
	sc.add("concern.types", "Types of concern", strings.Join(types, ", "), r.SubmittedAt, by)
	sc.add("concern.what_happened", "What happened", cn.WhatHappened, r.SubmittedAt, by)
	sc.add("concern.how_found", "How it came to light", cn.HowFound, r.SubmittedAt, by)
	sc.add("concern.words_used", "Words used", cn.WordsUsed, r.SubmittedAt, by)
	sc.add("concern.online_activity", "Online activity", cn.OnlineActivity, r.SubmittedAt, by)
	sc.add("concern.contacts", "Contacts and associates", cn.Contacts, r.SubmittedAt, by)
	sc.add("concern.fears", "What the referrer feared", cn.Fears, r.SubmittedAt, by)

	if r.Triage.Outcome != "" {
		sc = newSection("Police triage outcome")
		sc.add("triage", "Outcome", lines("Decision", r.Triage.Outcome.String(), "Reason", bl.label(TriageReasons, r.Triage.Reason),
			"Service", bl.label(SignpostServices, r.Triage.Service), "Reasonable grounds", r.Triage.ReasonableGrounds,
			"Rationale", r.Triage.Rationale), r.Triage.At, bl.person(r.Triage.By))
	}

	var requests []prevent.ID
	sc = newSection("Screening: information requests and answers")
	err = bl.each(`SELECT id, to_org_id, asked, why, requested_by, requested_at, answer, answered_by, answered_at FROM information_requests
		WHERE referral_id = $1 ORDER BY id`, []any{id}, func(rows *sql.Rows) (func(), error) {
		var rid, org, reqBy prevent.ID
		var asked, why, answer string
		var ansBy sql.NullInt64
		var reqAt time.Time
		var ansAt sql.NullTime
		if err := rows.Scan(&rid, &org, &asked, &why, &reqBy, &reqAt, &answer, &ansBy, &ansAt); err != nil {
			return nil, err
		}
		return func() {
			requests = append(requests, rid)
			sc.add(fmt.Sprintf("information_request:%d", rid), "Request to "+bl.org(org), lines("Asked", asked, "Why", why), reqAt, bl.person(reqBy))
			if answer != "" {
				sc.add(fmt.Sprintf("information_request:%d:answer", rid), "Answer from "+bl.org(org), answer, ansAt.Time, bl.person(ansBy.Int64))
			}
		}, nil
	})
	if err != nil {
		return rec, nil, nil, err
	}

	sc = newSection("Assessments")
	var assessments []Assessment
	err = bl.each(`SELECT a.id, a.version, a.template_code, a.template_version, t.name, a.assessor_id, a.created_at, a.summary_conclusion,
		a.management_plan, a.changes_since_last, a.professional_judgement FROM assessments a
		JOIN assessment_templates t ON t.code = a.template_code AND t.version = a.template_version WHERE a.referral_id = $1 ORDER BY a.version`,
		[]any{id}, func(rows *sql.Rows) (func(), error) {
			a := Assessment{ReferralID: id}
			if err := rows.Scan(&a.ID, &a.Version, &a.TemplateCode, &a.TemplateVersion, &a.TemplateName, &a.AssessorID, &a.CreatedAt,
				&a.SummaryConclusion, &a.ManagementPlan, &a.ChangesSinceLast, &a.ProfessionalJudgement); err != nil {
				return nil, err
			}
			return func() {
				assessments = append(assessments, a)
			}, nil
		})
	if err != nil {
		return rec, nil, nil, err
	}
	for _, a := range assessments {
		fs, err := assessmentFactors(ctx, q, a)
		if err != nil {
			return rec, nil, nil, err
		}
		ak, who := fmt.Sprintf("assessment:%d", a.ID), bl.person(a.AssessorID)
		name := fmt.Sprintf("%s, version %d", a.TemplateName, a.Version)
		for _, f := range fs {
			if f.Presence == Unknown && f.Evidence == "" && f.Source == "" {
				continue
			}
			sc.add(fmt.Sprintf("%s:factor:%d", ak, f.No), name+": "+f.Label, lines("Presence", f.Presence.String(), "Evidence", f.Evidence,
				"Source", f.Source), a.CreatedAt, who)
		}
		sc.add(ak+":formulation", name+": formulation", lines("Summary and conclusion", a.SummaryConclusion, "Management plan",
			a.ManagementPlan, "Changes since the last assessment", a.ChangesSinceLast, "Professional judgement", a.ProfessionalJudgement),
			a.CreatedAt, who)
	}

	sc = newSection("Panel decisions")
	err = bl.each(`SELECT id, decision, rationale, reached, health_social_care_notes, signpost_service, close_reason, transfer_to,
		exit_outcome, recorded_by, recorded_at FROM panel_decisions WHERE referral_id = $1 ORDER BY id`, []any{id}, func(rows *sql.Rows) (func(), error) {
		var did, recBy prevent.ID
		var kind DecisionKind
		var rationale, reached, hsc, signpost, closeReason, transfer, exit string
		var at time.Time
		if err := rows.Scan(&did, &kind, &rationale, &reached, &hsc, &signpost, &closeReason, &transfer, &exit, &recBy, &at); err != nil {
			return nil, err
		}
		return func() {
			sc.add(fmt.Sprintf("decision:%d", did), "Decision: "+kind.String(), lines("Rationale", rationale, "How it was reached",
				strings.ReplaceAll(reached, "_", " "), "Health and social care consideration", hsc, "Signposted to", bl.label(SignpostServices, signpost),
				"Reason for closing", bl.label(TriageReasons, closeReason), "Transferred to", transfer, "Exit outcome", bl.label(ExitOutcomes, exit)),
				at, bl.person(recBy))
		}, nil
	})
	if err != nil {
		return rec, nil, nil, err
	}

	sc = newSection("Consent")
	err = bl.each(`SELECT id, scope, giver_name, giver_role, capacity_notes, method, evidence, decision, reason, decided_at, recorded_by
		FROM consent_records WHERE referral_id = $1 ORDER BY id`, []any{id}, func(rows *sql.Rows) (func(), error) {
		var cid, recBy prevent.ID
		var scope, giver, role, capacity, method, evidence, decision, reason string
		var at time.Time
		if err := rows.Scan(&cid, &scope, &giver, &role, &capacity, &method, &evidence, &decision, &reason, &at, &recBy); err != nil {
			return nil, err
		}
		return func() {
			what := "Consent to support"
			if ConsentScope(scope) == ScopeInformationSharing {
				what = "Consent to share information"
			}
			sc.add(fmt.Sprintf("consent:%d", cid), what, lines("Decision", strings.ReplaceAll(decision, "_", " "), "Given or refused by", giver,
				"As", strings.ReplaceAll(role, "_", " "), "Capacity", capacity, "How it was sought", method, "Evidence held", evidence, "Reason", reason),
				at, bl.person(recBy))
		}, nil
	})
	if err != nil {
		return rec, nil, nil, err
	}
	err = bl.each(`SELECT id, consulted_at, consulted_with, notes, recorded_by FROM childrens_services_consultations WHERE referral_id = $1 ORDER BY id`,
		[]any{id}, func(rows *sql.Rows) (func(), error) {
			var cid, recBy prevent.ID
			var at time.Time
			var with, notes string
			if err := rows.Scan(&cid, &at, &with, &notes, &recBy); err != nil {
				return nil, err
			}
			return func() {
				sc.add(fmt.Sprintf("consultation:%d", cid), "Children’s services consulted", lines("Consulted", with, "Notes", notes), at, bl.person(recBy))
			}, nil
		})
	if err != nil {
		return rec, nil, nil, err
	}

	sc = newSection("Support plan, interventions and sessions")
	err = bl.each(`SELECT id, version, consent_how, consent_when, consent_by, objectives, review_cadence, created_by, created_at
		FROM support_plans WHERE referral_id = $1 ORDER BY version`, []any{id}, func(rows *sql.Rows) (func(), error) {
		var sid, createdBy prevent.ID
		var version int
		var how, by, objectives, cadence string
		var whenAt sql.NullTime
		var at time.Time
		if err := rows.Scan(&sid, &version, &how, &whenAt, &by, &objectives, &cadence, &createdBy, &at); err != nil {
			return nil, err
		}
		return func() {
			sc.add(fmt.Sprintf("support_plan:%d", sid), fmt.Sprintf("Support plan, version %d", version), lines("Objectives", objectives,
				"Reviewed", cadence, "How consent is requested", how, "When", when(whenAt.Time), "By whom", by), at, bl.person(createdBy))
		}, nil
	})
	if err != nil {
		return rec, nil, nil, err
	}
	var interventions []prevent.ID
	err = bl.each(`SELECT i.id, i.type_code, pr.organisation_id, i.worker_id, i.description, i.created_by, i.created_at, i.ended_at
		FROM interventions i JOIN intervention_providers pr ON pr.id = i.provider_id WHERE i.referral_id = $1 ORDER BY i.id`, []any{id},
		func(rows *sql.Rows) (func(), error) {
			var iid, org, createdBy prevent.ID
			var worker sql.NullInt64
			var typ, desc string
			var at time.Time
			var ended sql.NullTime
			if err := rows.Scan(&iid, &typ, &org, &worker, &desc, &createdBy, &at, &ended); err != nil {
				return nil, err
			}
			return func() {
				interventions = append(interventions, iid)
				w := ""
				if worker.Valid {
					w = bl.person(worker.Int64)
				}
				sc.add(fmt.Sprintf("intervention:%d", iid), "Intervention: "+bl.label(InterventionTypes, typ), lines("Provider", bl.org(org),
					"Worker", w, "Description", desc, "Ended", when(ended.Time)), at, bl.person(createdBy))
			}, nil
		})
	if err != nil {
		return rec, nil, nil, err
	}
	err = bl.each(`SELECT s.id, s.planned_at, s.attendance, s.delivered_at, s.progress_notes, COALESCE(s.recorded_by, s.created_by)
		FROM intervention_sessions s JOIN interventions i ON i.id = s.intervention_id WHERE i.referral_id = $1 ORDER BY s.planned_at, s.id`,
		[]any{id}, func(rows *sql.Rows) (func(), error) {
			var sid, recBy prevent.ID
			var planned time.Time
			var attendance, notes string
			var delivered sql.NullTime
			if err := rows.Scan(&sid, &planned, &attendance, &delivered, &notes, &recBy); err != nil {
				return nil, err
			}
			return func() {
				sc.add(fmt.Sprintf("session:%d", sid), "Session planned for "+when(planned), lines("Attendance", strings.ReplaceAll(attendance, "_", " "),
					"Delivered", when(delivered.Time), "Progress notes", notes), planned, bl.person(recBy))
			}, nil
		})
	if err != nil {
		return rec, nil, nil, err
	}

	sc = newSection("Exit and reviews")
	err = bl.each(`SELECT id, outcome, exited_at FROM case_exits WHERE referral_id = $1 ORDER BY id`, []any{id}, func(rows *sql.Rows) (func(), error) {
		var eid prevent.ID
		var outcome string
		var at time.Time
		if err := rows.Scan(&eid, &outcome, &at); err != nil {
			return nil, err
		}
		return func() {
			sc.add(fmt.Sprintf("exit:%d", eid), "Exit from Channel", lines("Outcome", bl.label(ExitOutcomes, outcome)), at, "")
		}, nil
	})
	if err != nil {
		return rec, nil, nil, err
	}
	err = bl.each(`SELECT id, months, due_at, outcome, notes, completed_by, completed_at FROM post_exit_reviews WHERE referral_id = $1 ORDER BY id`,
		[]any{id}, func(rows *sql.Rows) (func(), error) {
			var rid prevent.ID
			var months int
			var due time.Time
			var outcome, notes string
			var by sql.NullInt64
			var at sql.NullTime
			if err := rows.Scan(&rid, &months, &due, &outcome, &notes, &by, &at); err != nil {
				return nil, err
			}
			return func() {
				who := ""
				if by.Valid {
					who = bl.person(by.Int64)
				}
				status := "Due " + when(due)
				if at.Valid {
					status = "Completed " + when(at.Time)
				}
				sc.add(fmt.Sprintf("review:%d", rid), fmt.Sprintf("Review %d months after exit", months), lines("Status", status,
					"Outcome", strings.ReplaceAll(outcome, "_", " "), "Notes", notes), at.Time, who)
			}, nil
		})
	if err != nil {
		return rec, nil, nil, err
	}

	sc = newSection("Timeline")
	err = bl.each(`SELECT id, at, actor_id, kind, from_state, to_state, detail FROM case_events WHERE referral_id = $1 ORDER BY id`,
		[]any{id}, func(rows *sql.Rows) (func(), error) {
			var eid, actor prevent.ID
			var at time.Time
			var kind, detail string
			var from, to State
			if err := rows.Scan(&eid, &at, &actor, &kind, &from, &to, &detail); err != nil {
				return nil, err
			}
			return func() {
				if kind == string(EvPursueHandover) {
					detail = "triage: " + triageNames[EvPoliceLed]
				}
				text := detail
				if from != to {
					text = lines("What happened", detail, "Stage", from.Masked().String()+" to "+to.Masked().String())
				}
				label := strings.ReplaceAll(Event(kind).String(), "_", " ")
				if label != "" {
					label = strings.ToUpper(label[:1]) + label[1:]
				}
				sc.add(fmt.Sprintf("event:%d", eid), label, text, at, bl.person(actor))
			}, nil
		})
	if err != nil {
		return rec, nil, nil, err
	}
	for _, s := range sections {
		if len(s.s.Items) == 0 {
			continue
		}
		rec.Sections = append(rec.Sections, s.s)
	}
	return rec, interventions, requests, bl.err
}

// each runs a query through the bundle's transaction, scanning every row with scan, and then, once the rows
// are closed, runs what scan returned for each: PostgreSQL runs one query at a time on a connection, so the
// names and labels are looked up only after.
func (bl *bundler) each(query string, args []any, scan func(*sql.Rows) (func(), error)) error {
	rows, err := bl.q.QueryContext(bl.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("casework: bundle: %w", err)
	}
	var then []func()
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("casework: bundle: %w", err)
		}
		then = append(then, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("casework: bundle: %w", err)
	}
	for _, f := range then {
		f()
	}
	return nil
}

// JSON encodes the bundle for download.
func (b Bundle) JSON() ([]byte, error) { return json.MarshalIndent(b, "", "  ") }
