package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// What casework holds on a person referred, for the subject access bundle (internal/rights): the people
// referred a request may be about, and every referral of theirs with its sections. Every piece of content is
// an item with a stable key ("referral:12:concern.contacts"), so that the data protection officer can mark
// items to withhold under a recorded exemption. None of these decides access or audits: rights decides,
// reads them inside its own transaction, and audits the reads (AuditCase).

// SubjectMatch is a person referred who may be the subject of a request.
type SubjectMatch struct {
	SubjectID   prevent.ID
	Name        string
	DateOfBirth time.Time
	Postcode    string
	References  []string
}

// MatchSubjects lists up to 50 people referred in the partnership whose names contain every word of words
// (normalised with NormaliseName; aliases count), and who were born on dob when it is given, with the
// references of their referrals, read through q.
func (s *Service) MatchSubjects(ctx context.Context, q database.Querier, partnershipID prevent.ID, words []string, dob time.Time) ([]SubjectMatch, error) {
	query, args := matchSubjectsSQL(s.db.Dialect, partnershipID, words, dob)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("casework: find subjects: %w", err)
	}
	var out []SubjectMatch
	for rows.Next() {
		var m SubjectMatch
		var given, family string
		var born sql.NullString
		if err := rows.Scan(&m.SubjectID, &given, &family, &born, &m.Postcode); err != nil {
			rows.Close()
			return nil, err
		}
		m.Name = strings.TrimSpace(given + " " + family)
		if born.Valid {
			m.DateOfBirth, _ = time.Parse(dateLayout, born.String)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		refs, err := q.QueryContext(ctx, `SELECT reference FROM referrals WHERE subject_id = $1 AND reference IS NOT NULL ORDER BY id`, out[i].SubjectID)
		if err != nil {
			return nil, err
		}
		for refs.Next() {
			var r string
			if err := refs.Scan(&r); err != nil {
				refs.Close()
				return nil, err
			}
			out[i].References = append(out[i].References, r)
		}
		refs.Close()
		if err := refs.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// matchSubjectsSQL is the statement of MatchSubjects and its arguments.
func matchSubjectsSQL(dialect database.Dialect, partnershipID prevent.ID, words []string, dob time.Time) (string, []any) {
	query := `SELECT id, given_names, family_name, date_of_birth, postcode FROM case_subjects WHERE partnership_id = $1`
	args := []any{partnershipID}
	for _, w := range words {
		args = append(args, "%"+w+"%")
		query += fmt.Sprintf(" AND name_key LIKE $%d", len(args))
	}
	if !dob.IsZero() {
		args = append(args, dob.UTC().Format(dateLayout))
		query += fmt.Sprintf(" AND date_of_birth = $%d", len(args))
	}
	// The name index finds the people whose names may hold the words (see nameLookup), so that the LIKEs
	// above are applied to them only, not to every person referred in the partnership.
	if names, more, ok := nameLookup(dialect, words, len(args)); ok {
		args = append(args, more...)
		query += " AND id IN (" + names + ")"
		if dialect == database.SQLite && dob.IsZero() {
			// Unary plus: not through an index on partnership_id, which would read the partnership's
			// people and look each one up in the names found, but by id, names first.
			query = strings.Replace(query, "WHERE partnership_id = $1", "WHERE +partnership_id = $1", 1)
		}
	}
	return query + " ORDER BY family_name, given_names, id LIMIT 50", args
}

// SubjectPartnership returns the partnership of a person referred (a subject), read through q. A subject that
// does not exist is NotFound.
func (s *Service) SubjectPartnership(ctx context.Context, q database.Querier, subjectID prevent.ID) (prevent.ID, error) {
	var pid prevent.ID
	err := q.QueryRowContext(ctx, `SELECT partnership_id FROM case_subjects WHERE id = $1`, subjectID).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, access.NotFound("Person")
	}
	if err != nil {
		return 0, fmt.Errorf("casework: subject partnership: %w", err)
	}
	return pid, nil
}

// RecordItem is one piece of information held.
type RecordItem struct {
	Key   string
	Label string
	Value string
	At    time.Time
	// By names the professional who recorded it, with their organisation.
	By string
}

// RecordSection is a part of a record, such as its triage outcome or its timeline.
type RecordSection struct {
	Title string
	Items []RecordItem
}

// SubjectRecord is one referral of the person, with its sections.
type SubjectRecord struct {
	ReferralID  prevent.ID
	Reference   string
	Stage       string
	ReferredBy  string
	SubmittedAt time.Time
	Sections    []RecordSection
	// Interventions and InformationRequests are the ids of the referral's interventions and information
	// requests, whose consultations belong in the access log too.
	Interventions       []prevent.ID
	InformationRequests []prevent.ID
}

// SubjectRecords reads every submitted referral of the person referred subjectID in the partnership, oldest
// first, with its sections, through q; names names the professionals and organisations. A police handover
// is shown as police-led management, as to anyone who is not police.
func (s *Service) SubjectRecords(ctx context.Context, q database.Querier, names *partnership.Names, partnershipID, subjectID prevent.ID) ([]SubjectRecord, error) {
	bl := &bundler{s: s, ctx: ctx, q: q, names: names, labels: map[string]string{}}
	rows, err := q.QueryContext(ctx, `SELECT id FROM referrals WHERE partnership_id = $1 AND subject_id = $2 AND submitted_at IS NOT NULL
		ORDER BY submitted_at, id`, partnershipID, subjectID)
	if err != nil {
		return nil, fmt.Errorf("casework: subject records: %w", err)
	}
	var ids []prevent.ID
	for rows.Next() {
		var id prevent.ID
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]SubjectRecord, 0, len(ids))
	for _, id := range ids {
		rec, err := bl.record(id)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// bundler reads a person's records through one transaction, naming people, organisations and codes once
// each. The first error is kept.
type bundler struct {
	s      *Service // opens sealed details
	ctx    context.Context
	q      database.Querier
	names  *partnership.Names
	labels map[string]string
	err    error
}

func (bl *bundler) fail(err error) {
	if bl.err == nil && err != nil {
		bl.err = err
	}
}

// firstErr is the first error met, in the labels or in the names.
func (bl *bundler) firstErr() error {
	if bl.err != nil {
		return bl.err
	}
	return bl.names.Err()
}

func (bl *bundler) person(id prevent.ID) string { return bl.names.Person(id) }

func (bl *bundler) org(id prevent.ID) string { return bl.names.Organisation(id) }

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
		bl.fail(fmt.Errorf("casework: subject records: label: %w", err))
	}
	bl.labels[k] = l
	return l
}

// section is a record's section under construction.
type section struct {
	key string
	s   RecordSection
}

func (sc *section) add(key, label, value string, at time.Time, by string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	sc.s.Items = append(sc.s.Items, RecordItem{Key: sc.key + ":" + key, Label: label, Value: value, At: at, By: by})
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
func (bl *bundler) record(id prevent.ID) (SubjectRecord, error) {
	ctx, q := bl.ctx, bl.q
	r, err := bl.s.getReferral(ctx, q, id)
	if err != nil {
		return SubjectRecord{}, err
	}
	if r.Triage.Outcome == EvPursueHandover {
		r.Triage.Outcome = EvPoliceLed
	}
	key := fmt.Sprintf("referral:%d", id)
	rec := SubjectRecord{ReferralID: id, Reference: r.Reference, Stage: r.State.Masked().String(), SubmittedAt: r.SubmittedAt,
		ReferredBy: bl.person(r.AuthorID)}
	var sections []*section
	newSection := func(title string) *section {
		sc := &section{key: key, s: RecordSection{Title: title}}
		sections = append(sections, sc)
		return sc
	}

	sc := newSection("About the person")
	bl.details(sc, r.Details, "person.", time.Time{}, "")
	eth, mh, err := bl.s.answersForAccess(ctx, q, id, bl.label)
	if err != nil {
		return SubjectRecord{}, err
	}
	if eth != "" || mh != "" {
		sc = newSection("Equality monitoring (optional answers, used only to count, in anonymous totals)")
		sc.add("monitoring.ethnicity", "Ethnicity", eth, r.SubmittedAt, "")
		sc.add("monitoring.mental_health", "Mental health need or neurodiversity recorded", mh, r.SubmittedAt, "")
	}

	sc = newSection("The concern")
	bl.details(sc, r.Details, "concern.", r.SubmittedAt, bl.person(r.AuthorID))

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
		return rec, err
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
		return rec, err
	}
	for _, a := range assessments {
		fs, err := assessmentFactors(ctx, q, a)
		if err != nil {
			return rec, err
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
		return rec, err
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
		return rec, err
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
		return rec, err
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
		return rec, err
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
		return rec, err
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
		return rec, err
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
		return rec, err
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
		return rec, err
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
		return rec, err
	}
	for _, s := range sections {
		if len(s.s.Items) == 0 {
			continue
		}
		rec.Sections = append(rec.Sections, s.s)
	}
	rec.Interventions, rec.InformationRequests = interventions, requests
	return rec, bl.firstErr()
}

// details adds the parts of a referral's details whose keys begin with prefix (the person's, the concern's),
// in the registry's order (Parts), each as an item keyed and labelled by the part, or, for the parts that
// share an item (the address), as that one item joining their values with commas. A part with nothing in it
// is left out.
func (bl *bundler) details(sc *section, d ReferralInput, prefix string, at time.Time, by string) {
	done := map[*bundleGroup]bool{}
	for _, p := range Parts {
		switch {
		case !strings.HasPrefix(p.Key, prefix):
		case p.group == nil:
			sc.add(p.Key, p.Label, bl.show(p, &d), at, by)
		case !done[p.group]:
			done[p.group] = true
			var values []string
			for _, g := range Parts {
				if v := bl.show(g, &d); g.group == p.group && strings.TrimSpace(v) != "" {
					values = append(values, v)
				}
			}
			sc.add(p.group.key, p.group.label, strings.Join(values, ", "), at, by)
		}
	}
}

// show is a part's value in words: a date as a day, a list joined with commas, codes by their labels, and a
// number only when it is more than nothing.
func (bl *bundler) show(p Part, d *ReferralInput) string {
	v := p.value(d)
	switch x := v.Interface().(type) {
	case time.Time:
		return when(x)
	case []string:
		if p.Codes != "" {
			labels := make([]string, 0, len(x))
			for _, code := range x {
				labels = append(labels, bl.label(p.Codes, code))
			}
			x = labels
		}
		return strings.Join(x, ", ")
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int:
		if v.Int() > 0 {
			return strconv.FormatInt(v.Int(), 10)
		}
		return ""
	}
	return fmt.Sprint(v.Interface())
}

// each runs a query through the caller's transaction, scanning every row with scan, and then, once the rows
// are closed, runs what scan returned for each: PostgreSQL runs one query at a time on a connection, so the
// names and labels are looked up only after.
func (bl *bundler) each(query string, args []any, scan func(*sql.Rows) (func(), error)) error {
	rows, err := bl.q.QueryContext(bl.ctx, query, args...)
	if err != nil {
		return fmt.Errorf("casework: subject records: %w", err)
	}
	var then []func()
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("casework: subject records: %w", err)
		}
		then = append(then, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("casework: subject records: %w", err)
	}
	for _, f := range then {
		f()
	}
	return nil
}
