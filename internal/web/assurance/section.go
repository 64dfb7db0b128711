package assurance

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// sectionView is one section of an assessment: its rating form, evidence and actions, each form with what was
// typed into it and its errors, and the section's history.
type sectionView struct {
	PID      prevent.ID
	A        assurance.Assessment
	S        assurance.SectionAssessment
	MayEdit  bool // a draft, and the reader may edit it
	Rating   core.Form
	Evidence core.Form
	Action   core.Form
	Choices  []govuk.SelectItem // records that may be linked as evidence
	Owners   []govuk.SelectItem // member organisations that may own an action
	History  *assurance.SectionHistory
}

// forms are the section page's three forms; a nil one is filled from the saved section.
type forms struct{ rating, evidence, action *core.Form }

func emptyForm() core.Form { return core.Form{Values: url.Values{}} }

// loadSection reads the assessment and the section named in the query.
func (p *pages) loadSection(r *http.Request) (prevent.ID, assurance.Assessment, assurance.SectionAssessment, error) {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return 0, assurance.Assessment{}, assurance.SectionAssessment{}, err
	}
	a, err := p.d.Assurance.Assessment(r.Context(), who(r), pid, id)
	if err != nil {
		return 0, a, assurance.SectionAssessment{}, err
	}
	code := r.URL.Query().Get("section")
	for _, s := range a.Sections {
		if s.Code == code {
			return pid, a, s, nil
		}
	}
	return 0, a, assurance.SectionAssessment{}, access.NotFound("Section")
}

func (p *pages) sectionPage(w http.ResponseWriter, r *http.Request, fs forms) error {
	pid, a, s, err := p.loadSection(r)
	if err != nil {
		return err
	}
	v := sectionView{PID: pid, A: a, S: s, MayEdit: a.Status == assurance.Draft && p.May(r, pid, access.SelfAssessmentEdit),
		Rating: emptyForm(), Evidence: emptyForm(), Action: emptyForm()}
	var errs []prevent.FieldError
	if fs.rating != nil {
		v.Rating, errs = *fs.rating, fs.rating.Errors
	} else {
		if s.Level != 0 {
			v.Rating.Values.Set("level", strconv.Itoa(s.Level))
		}
		v.Rating.Values.Set("narrative", s.Narrative)
	}
	if fs.evidence != nil {
		v.Evidence, errs = *fs.evidence, fs.evidence.Errors
	}
	if fs.action != nil {
		v.Action, errs = *fs.action, fs.action.Errors
	}
	if v.MayEdit {
		if v.Choices, err = p.evidenceChoices(r, pid, s); err != nil {
			return err
		}
		if v.Owners, err = p.owners(r, pid); err != nil {
			return err
		}
	}
	h, err := p.d.Assurance.History(r.Context(), who(r), pid, a.Framework.Code)
	if err != nil {
		return err
	}
	for i := range h.Sections {
		if h.Sections[i].Code == s.Code {
			v.History = &h.Sections[i]
		}
	}
	l := p.Layout(r, s.Title)
	l.Back = AssessmentPath.Link(pid, a.ID)
	l.Errors = errs
	return p.Page(w, r, l, sectionPage(l, v))
}

// evidenceChoices are the library documents the reader's clearance covers and the programme's projects, less
// those already linked to the section. A reader who may not list one or the other is offered none of it.
func (p *pages) evidenceChoices(r *http.Request, pid prevent.ID, s assurance.SectionAssessment) ([]govuk.SelectItem, error) {
	linked := map[string]bool{}
	for _, e := range s.Evidence {
		linked[evidenceValue(e.Kind, e.RecordID)] = true
	}
	out := []govuk.SelectItem{{Value: "", Text: "Choose a document or project"}}
	docs, err := p.d.Programme.Documents(r.Context(), who(r), pid)
	if err != nil && prevent.ErrorKind(err) != prevent.NotFound && prevent.ErrorKind(err) != prevent.Forbidden {
		return nil, err
	}
	for _, d := range docs {
		if v := evidenceValue(assurance.EvidenceDocument, d.ID); !linked[v] {
			out = append(out, govuk.SelectItem{Value: v, Text: "Document: " + d.Title})
		}
	}
	projects, err := p.d.Programme.Projects(r.Context(), who(r), pid)
	if err != nil && prevent.ErrorKind(err) != prevent.NotFound && prevent.ErrorKind(err) != prevent.Forbidden {
		return nil, err
	}
	for _, pr := range projects {
		if v := evidenceValue(assurance.EvidenceProject, pr.ID); !linked[v] {
			out = append(out, govuk.SelectItem{Value: v, Text: "Project: " + pr.PublicTitle})
		}
	}
	return out, nil
}

// evidenceValue is how a record is named in the evidence choice: its kind, a colon and its id.
func evidenceValue(k assurance.EvidenceKind, id prevent.ID) string {
	return string(k) + ":" + strconv.FormatInt(id, 10)
}

// owners are the partnership's member organisations, for an action's owner.
func (p *pages) owners(r *http.Request, pid prevent.ID) ([]govuk.SelectItem, error) {
	out := []govuk.SelectItem{{Value: "", Text: "Choose an organisation"}}
	orgs, err := p.d.Partnership.Organisations(r.Context(), who(r), pid)
	if err != nil && prevent.ErrorKind(err) != prevent.NotFound && prevent.ErrorKind(err) != prevent.Forbidden {
		return nil, err
	}
	for _, o := range orgs {
		out = append(out, govuk.SelectItem{Value: strconv.FormatInt(o.ID, 10), Text: o.Name})
	}
	return out, nil
}

func (p *pages) handleSection(w http.ResponseWriter, r *http.Request) error {
	return p.sectionPage(w, r, forms{})
}

// kept reports whether err is one a form is shown again for: field errors, or a state the assessment is no
// longer in.
func kept(err error) bool {
	k := prevent.ErrorKind(err)
	return k == prevent.Invalid || k == prevent.Conflict
}

func (p *pages) handleRate(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("section")
	level := 0
	if s := f.Get("level"); s != "" {
		if level, err = strconv.Atoi(s); err != nil || level < 1 {
			level = -1 // not a level of any scale: the domain says so on the field
		}
	}
	err = p.d.Assurance.RateSection(r.Context(), who(r), pid, id, code, assurance.RatingInput{Level: level, Narrative: f.Values.Get("narrative")})
	if kept(err) {
		f = f.WithErr(err)
		return p.sectionPage(w, r, forms{rating: &f})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, AssessmentPath.Link(pid, id), "Rating and narrative saved")
}

func (p *pages) handleAddEvidence(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("section")
	kind, rec, _ := strings.Cut(f.Get("evidence"), ":")
	var in assurance.EvidenceInput
	if kind != "" {
		in = assurance.EvidenceInput{Kind: assurance.EvidenceKind(kind), RecordID: formID(rec)}
	}
	_, err = p.d.Assurance.AddEvidence(r.Context(), who(r), pid, id, code, in)
	if kept(err) {
		f = f.WithErr(err)
		for i := range f.Errors {
			if f.Errors[i].Field == "kind" {
				f.Errors[i] = prevent.FieldError{Field: "evidence", Message: "Select a document or project"}
			}
		}
		return p.sectionPage(w, r, forms{evidence: &f})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, sectionLink(pid, id, code), "Evidence added")
}

func (p *pages) handleRemoveEvidence(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("section")
	err = p.d.Assurance.RemoveEvidence(r.Context(), who(r), pid, id, formID(f.Get("evidence-id")))
	if prevent.ErrorKind(err) == prevent.Conflict {
		f = f.WithErr(err)
		return p.sectionPage(w, r, forms{evidence: &f})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, sectionLink(pid, id, code), "Evidence removed")
}

// readAction reads the action form; a date that is incomplete or not real is an error of its own, added to
// those the domain finds.
func readAction(f core.Form) (assurance.ActionInput, prevent.FieldError) {
	in := assurance.ActionInput{Description: f.Values.Get("description"), OwnerOrganisation: formID(f.Get("owner"))}
	due, fe := core.ReadDate(f, "due-on", "Date the action is due", true)
	if fe.Message == "" {
		in.DueOn = due.Format(assurance.DateLayout)
	}
	return in, fe
}

// actionErrors is the form with the domain's errors and the date's, the date's pointed at its first field.
func actionErrors(f core.Form, err error, date prevent.FieldError) core.Form {
	f = f.WithErr(err)
	if date.Message != "" {
		for i, e := range f.Errors {
			if e.Field == "due-on" {
				f.Errors[i] = date
			}
		}
	}
	return core.DateErrorsToDay(f, "due-on")
}

func (p *pages) handleAddAction(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("section")
	in, date := readAction(f)
	_, err = p.d.Assurance.AddAction(r.Context(), who(r), pid, id, code, in)
	if kept(err) {
		f = actionErrors(f, err, date)
		return p.sectionPage(w, r, forms{action: &f})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, sectionLink(pid, id, code), "Improvement action added")
}

func (p *pages) handleRemoveAction(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	code := r.URL.Query().Get("section")
	err = p.d.Assurance.RemoveAction(r.Context(), who(r), pid, id, formID(f.Get("action-id")))
	if prevent.ErrorKind(err) == prevent.Conflict {
		f = f.WithErr(err)
		return p.sectionPage(w, r, forms{action: &f})
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, sectionLink(pid, id, code), "Improvement action removed")
}

// actionView is the form that changes an improvement action.
type actionView struct {
	PID    prevent.ID
	A      assurance.Assessment
	S      assurance.SectionAssessment
	Action assurance.Action
	Form   core.Form
	Owners []govuk.SelectItem
}

func (p *pages) actionPage(w http.ResponseWriter, r *http.Request, f *core.Form) error {
	pid, a, s, err := p.loadSection(r)
	if err != nil {
		return err
	}
	actionID := formID(r.URL.Query().Get("action"))
	v := actionView{PID: pid, A: a, S: s}
	found := false
	for _, x := range s.Actions {
		if x.ID == actionID {
			v.Action, found = x, true
		}
	}
	if !found {
		return access.NotFound("Action")
	}
	if f != nil {
		v.Form = *f
	} else {
		v.Form = core.Form{Values: url.Values{"description": {v.Action.Description}, "owner": {strconv.FormatInt(v.Action.OwnerOrgID, 10)}}}
		if due, err := time.Parse(assurance.DateLayout, v.Action.DueOn); err == nil {
			core.SetDateInput(v.Form.Values, "due-on", due)
		}
	}
	if v.Owners, err = p.owners(r, pid); err != nil {
		return err
	}
	l := p.Layout(r, "Change an improvement action")
	l.Back = sectionLink(pid, a.ID, s.Code)
	l.Errors = v.Form.Errors
	return p.Page(w, r, l, actionPage(l, v))
}

func (p *pages) handleAction(w http.ResponseWriter, r *http.Request) error {
	return p.actionPage(w, r, nil)
}

func (p *pages) handleUpdateAction(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	in, date := readAction(f)
	err = p.d.Assurance.UpdateAction(r.Context(), who(r), pid, id, formID(q.Get("action")), in)
	if kept(err) {
		f = actionErrors(f, err, date)
		return p.actionPage(w, r, &f)
	}
	if err != nil {
		return err
	}
	return p.Flash(w, r, sectionLink(pid, id, q.Get("section")), "Improvement action changed")
}
