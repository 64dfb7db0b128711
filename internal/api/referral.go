package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
)

// ReferralPerson is the person referred. Everything is optional except a name (to submit).
type ReferralPerson struct {
	GivenNames      string   `json:"given_names,omitempty"`
	FamilyName      string   `json:"family_name,omitempty"`
	Aliases         []string `json:"aliases,omitempty"`
	DateOfBirth     *Date    `json:"date_of_birth,omitempty"`
	ApproximateAge  int      `json:"approximate_age,omitempty"`
	Gender          string   `json:"gender,omitempty"`
	AddressLine1    string   `json:"address_line1,omitempty"`
	AddressLine2    string   `json:"address_line2,omitempty"`
	Town            string   `json:"town,omitempty"`
	Postcode        string   `json:"postcode,omitempty"`
	LocalAuthority  string   `json:"local_authority,omitempty"`
	Setting         string   `json:"setting,omitempty"`
	Languages       []string `json:"languages,omitempty"`
	AdditionalNeeds string   `json:"additional_needs,omitempty"`
	OtherAgencies   string   `json:"other_agencies,omitempty"`
}

// ReferralConcern is the concern in the referrer's words, with the type codes of the current list.
type ReferralConcern struct {
	WhatHappened   string   `json:"what_happened,omitempty"`
	HowFound       string   `json:"how_found,omitempty"`
	WordsUsed      string   `json:"words_used,omitempty"`
	OnlineActivity string   `json:"online_activity,omitempty"`
	Contacts       string   `json:"contacts,omitempty"`
	Fears          string   `json:"fears,omitempty"`
	Types          []string `json:"types,omitempty"`
}

// ReferralCreate is the body of POST /referrals: a referral created and submitted in one call, or saved as a
// draft with "submit": false. draft_id resumes the caller's own draft.
type ReferralCreate struct {
	PartnershipID      prevent.ID      `json:"partnership_id"`
	DraftID            prevent.ID      `json:"draft_id,omitempty"`
	Submit             *bool           `json:"submit,omitempty"`
	Person             ReferralPerson  `json:"person"`
	Concern            ReferralConcern `json:"concern"`
	ReferrerSector     string          `json:"referrer_sector,omitempty" enum:"sectors"`
	PersonKnows        string          `json:"person_knows,omitempty"`
	ParentKnows        string          `json:"parent_knows,omitempty"`
	DangerAcknowledged bool            `json:"danger_acknowledged,omitempty"`
	// Ethnicity and MentalHealthRecorded are the optional equality monitoring answers (codes of the
	// "ethnicity" and "mental_health_recorded" reference lists). They are write-only: sealed, counted only in
	// anonymous totals, and never returned by any read. Given, they replace the draft's earlier answers.
	Ethnicity            string `json:"ethnicity,omitempty"`
	MentalHealthRecorded string `json:"mental_health_recorded,omitempty"`
}

// ReferralView is a referral as the caller may see it: its reference and plain status always, and the whole
// case (null for a referrer who may see only the status).
type ReferralView struct {
	ID          prevent.ID `json:"id"`
	Reference   *string    `json:"reference"`
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at"`
	Case        *Case      `json:"case"`
}

// Case is a whole case record.
type Case struct {
	PartnershipID      prevent.ID         `json:"partnership_id"`
	State              string             `json:"state"`
	StateName          string             `json:"state_name"`
	ReferrerOrgID      prevent.ID         `json:"referrer_organisation_id"`
	ReferrerSector     string             `json:"referrer_sector"`
	SubjectID          *prevent.ID        `json:"subject_id"`
	Marking            string             `json:"marking"`
	Person             ReferralPerson     `json:"person"`
	Concern            ReferralConcern    `json:"concern"`
	PersonKnows        string             `json:"person_knows"`
	ParentKnows        string             `json:"parent_knows"`
	DangerAcknowledged bool               `json:"danger_acknowledged"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
	TriageDueAt        *time.Time         `json:"triage_due_at"`
	TriageOverdue      bool               `json:"triage_overdue"`
	Triage             *TriageOutcome     `json:"triage"`
	Previous           []PreviousReferral `json:"previous_referrals"`
	// Withheld names the fields not shared with the caller's organisation: they are empty above.
	Withheld []string `json:"withheld"`
}

// TriageOutcome is the police triage decision on a case.
type TriageOutcome struct {
	Decision          string     `json:"decision"`
	Reason            string     `json:"reason"`
	Service           string     `json:"service"`
	ReasonableGrounds string     `json:"reasonable_grounds"`
	Rationale         string     `json:"rationale"`
	By                prevent.ID `json:"by"`
	At                time.Time  `json:"at"`
}

// PreviousReferral is an earlier referral of the same person, with its triage outcome.
type PreviousReferral struct {
	ID          prevent.ID `json:"id"`
	Reference   string     `json:"reference"`
	SubmittedAt time.Time  `json:"submitted_at"`
	State       string     `json:"state"`
	Outcome     string     `json:"outcome"`
}

// TriageRequest is the body of POST /referrals/{id}/triage. The deconfliction result, when given, is recorded
// on its restricted note first (the workflow needs one before any decision).
type TriageRequest struct {
	Deconfliction     *DeconflictionInput `json:"deconfliction,omitempty"`
	Decision          string              `json:"decision"`
	Reason            string              `json:"reason,omitempty"`
	Service           string              `json:"service,omitempty"`
	ReasonableGrounds string              `json:"reasonable_grounds,omitempty"`
	Rationale         string              `json:"rationale,omitempty"`
}

// DeconflictionInput is the deconfliction result and the marking of its note ("SECRET" or "OFFICIAL-SENSITIVE").
type DeconflictionInput struct {
	Result  string `json:"result"`
	Note    string `json:"note,omitempty"`
	Marking string `json:"marking"`
}

// domain is the input as the casework service takes it; a marking it cannot read is refused naming the
// member at, where the input sits in the body.
func (d DeconflictionInput) domain(at string) (casework.DeconflictionInput, error) {
	m, err := prevent.ParseMarking(strings.TrimSpace(d.Marking))
	if err != nil {
		return casework.DeconflictionInput{}, prevent.Validation([]prevent.FieldError{{Field: at + "marking",
			Message: "marking must be SECRET or OFFICIAL-SENSITIVE"}})
	}
	return casework.DeconflictionInput{Result: casework.DeconflictionResult(d.Result), Note: d.Note, Marking: m}, nil
}

// Timeline is a case's history, oldest first.
type Timeline struct {
	Items []TimelineEvent `json:"items"`
}

// TimelineEvent is one step of a case's history.
type TimelineEvent struct {
	At      time.Time  `json:"at"`
	ActorID prevent.ID `json:"actor_id"`
	Kind    string     `json:"kind"`
	From    string     `json:"from_state"`
	To      string     `json:"to_state"`
	Detail  string     `json:"detail"`
}

// referralFields maps the casework form field names to JSON member names: each part of a referral's details
// from casework's field registry (its question's name to its key, which the request and response types
// mirror), and the answers a referral's details do not hold.
var referralFields = func() map[string]string {
	names := map[string]string{"reasonable-grounds": "reasonable_grounds",
		"deconfliction-result": "deconfliction.result", "deconfliction-marking": "deconfliction.marking",
		"deconfliction-note": "deconfliction.note", casework.FieldEthnicity: "ethnicity", casework.FieldMentalHealth: "mental_health_recorded"}
	for _, p := range casework.Parts {
		names[p.Input] = p.Key
	}
	return names
}()

func (in ReferralCreate) domain() casework.ReferralInput {
	p := in.Person
	d := casework.PersonDetails{GivenNames: p.GivenNames, FamilyName: p.FamilyName, Aliases: p.Aliases,
		ApproximateAge: p.ApproximateAge, Gender: p.Gender, AddressLine1: p.AddressLine1, AddressLine2: p.AddressLine2,
		Town: p.Town, Postcode: p.Postcode, LocalAuthority: p.LocalAuthority, Setting: p.Setting, Languages: p.Languages,
		AdditionalNeeds: p.AdditionalNeeds, OtherAgencies: p.OtherAgencies}
	if p.DateOfBirth != nil {
		d.DateOfBirth = time.Time(*p.DateOfBirth).UTC()
	}
	out := casework.ReferralInput{Person: d, Concern: casework.Concern(in.Concern), ReferrerSector: in.ReferrerSector,
		PersonKnows: casework.Knowledge(in.PersonKnows), ParentKnows: casework.Knowledge(in.ParentKnows),
		DangerAcknowledged: in.DangerAcknowledged}
	if in.Ethnicity != "" || in.MentalHealthRecorded != "" {
		out.Monitoring = &casework.EqualityMonitoring{Ethnicity: strings.TrimSpace(in.Ethnicity), MentalHealth: strings.TrimSpace(in.MentalHealthRecorded)}
	}
	return out
}

func personOutOf(d casework.PersonDetails) ReferralPerson {
	p := ReferralPerson{GivenNames: d.GivenNames, FamilyName: d.FamilyName, Aliases: d.Aliases, ApproximateAge: d.ApproximateAge,
		Gender: d.Gender, AddressLine1: d.AddressLine1, AddressLine2: d.AddressLine2, Town: d.Town, Postcode: d.Postcode,
		LocalAuthority: d.LocalAuthority, Setting: d.Setting, Languages: d.Languages, AdditionalNeeds: d.AdditionalNeeds,
		OtherAgencies: d.OtherAgencies}
	if !d.DateOfBirth.IsZero() {
		dob := Date(d.DateOfBirth)
		p.DateOfBirth = &dob
	}
	return p
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func caseOut(r casework.Referral, now time.Time) Case {
	c := Case{PartnershipID: r.PartnershipID, State: string(r.State), StateName: r.State.String(), ReferrerOrgID: r.ReferrerOrgID,
		ReferrerSector: r.ReferrerSector, Marking: r.Marking.String(), Person: personOutOf(r.Details.Person),
		Concern: ReferralConcern(r.Details.Concern), PersonKnows: string(r.Details.PersonKnows), ParentKnows: string(r.Details.ParentKnows),
		DangerAcknowledged: r.Details.DangerAcknowledged, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		TriageDueAt: optTime(r.TriageDueAt), TriageOverdue: r.Overdue(now), Previous: []PreviousReferral{},
		Withheld: append([]string{}, r.Withheld...)}
	if r.SubjectID != 0 {
		id := r.SubjectID
		c.SubjectID = &id
	}
	if r.Triage.Outcome != "" {
		t := r.Triage
		c.Triage = &TriageOutcome{Decision: string(t.Outcome), Reason: t.Reason, Service: t.Service,
			ReasonableGrounds: t.ReasonableGrounds, Rationale: t.Rationale, By: t.By, At: t.At}
	}
	for _, p := range r.Previous {
		c.Previous = append(c.Previous, PreviousReferral{ID: p.ID, Reference: p.Reference, SubmittedAt: p.SubmittedAt,
			State: string(p.State), Outcome: string(p.Outcome)})
	}
	return c
}

// referralView reads a referral as the principal may see it: the whole case when they may, else its status.
func (a *caseAPI) referralView(r *http.Request, id prevent.ID) (ReferralView, error) {
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	if access.Permits(p, access.CaseView).Allow {
		ref, err := a.cw.Referral(ctx, p, id)
		if err == nil {
			c := caseOut(ref, a.s.now())
			status := ref.State.ReferrerStatus()
			return ReferralView{ID: ref.ID, Reference: optString(ref.Reference), Status: status,
				SubmittedAt: optTime(ref.SubmittedAt), Case: &c}, nil
		}
		if prevent.ErrorKind(err) != prevent.NotFound {
			return ReferralView{}, err
		}
	}
	st, err := a.cw.ReferralStatus(ctx, p, id)
	if err != nil {
		return ReferralView{}, err
	}
	return ReferralView{ID: st.ID, Reference: optString(st.Reference), Status: st.Status, SubmittedAt: optTime(st.SubmittedAt)}, nil
}

func (a *caseAPI) createReferral(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ReferralCreate](r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	if in.PartnershipID <= 0 {
		return prevent.Validation([]prevent.FieldError{{Field: "partnership_id", Message: "partnership_id must be the id of your partnership"}})
	}
	if err := a.checkEquality(r, in); err != nil {
		return err
	}
	id, err := a.cw.SaveDraft(ctx, p, in.PartnershipID, in.DraftID, in.domain())
	if err != nil {
		return rename(err, referralFields)
	}
	location := Prefix + "/referrals/" + itoa(id)
	if in.Submit == nil || *in.Submit {
		if _, err := a.cw.Submit(ctx, p, id); err != nil {
			if prevent.ErrorKind(err) == prevent.Invalid {
				// The draft is kept: the client corrects it and sends it again with draft_id.
				w.Header().Set("Location", location)
				return rename(&prevent.Error{Kind: prevent.Invalid, Fields: prevent.FieldErrors(err),
					Message: "The referral is not complete; it is saved as draft " + itoa(id) + ": send it again with draft_id " + itoa(id)}, referralFields)
			}
			return err
		}
	}
	v, err := a.referralView(r, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", location)
	return encode(w, http.StatusCreated, v)
}

func (a *caseAPI) getReferral(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := a.referralView(r, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func (a *caseAPI) triage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[TriageRequest](r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), prevent.PrincipalFrom(r.Context())
	if d := in.Deconfliction; d != nil {
		dc, err := d.domain("deconfliction.")
		if err != nil {
			return err
		}
		if _, err := a.cw.RecordDeconfliction(ctx, p, id, dc); err != nil {
			return rename(err, map[string]string{"result": "deconfliction.result", "marking": "deconfliction.marking", "note": "deconfliction.note"})
		}
	}
	if _, err := a.cw.Triage(ctx, p, id, casework.TriageInput{Decision: casework.Event(in.Decision), Reason: in.Reason,
		Service: in.Service, ReasonableGrounds: in.ReasonableGrounds, Rationale: in.Rationale}); err != nil {
		return rename(err, referralFields)
	}
	v, err := a.referralView(r, id)
	if err != nil {
		return err
	}
	return encode(w, http.StatusOK, v)
}

func (a *caseAPI) timeline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	events, err := a.cw.Timeline(r.Context(), prevent.PrincipalFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := Timeline{Items: []TimelineEvent{}}
	for _, e := range events {
		out.Items = append(out.Items, TimelineEvent{At: e.At, ActorID: e.ActorID, Kind: e.Kind, From: string(e.From), To: string(e.To), Detail: e.Detail})
	}
	return encode(w, http.StatusOK, out)
}

// checkEquality refuses an equality monitoring answer that is not a code of its list today, naming the member
// and the codes it may take.
func (a *caseAPI) checkEquality(r *http.Request, in ReferralCreate) error {
	var errs []prevent.FieldError
	for _, m := range []struct {
		member, code string
		list         casework.List
	}{{"ethnicity", in.Ethnicity, casework.Ethnicities}, {"mental_health_recorded", in.MentalHealthRecorded, casework.MentalHealthRecorded}} {
		code := strings.TrimSpace(m.code)
		if code == "" {
			continue
		}
		items, err := a.cw.Reference(r.Context(), m.list, a.s.now())
		if err != nil {
			return err
		}
		codes := make([]string, 0, len(items))
		for _, it := range items {
			codes = append(codes, it.Code)
		}
		if !slices.Contains(codes, code) {
			errs = append(errs, prevent.FieldError{Field: m.member,
				Message: m.member + " must be one of the codes of the " + string(m.list) + " list: " + strings.Join(codes, ", ")})
		}
	}
	if len(errs) > 0 {
		return prevent.Validation(errs)
	}
	return nil
}
