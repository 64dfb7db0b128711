package casework

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// fieldKind is how a referral question is asked.
type fieldKind int

const (
	fieldText fieldKind = iota
	fieldTextarea
	fieldDate
	fieldNumber
	fieldRadios
	fieldCheckboxes
	fieldSelect
)

// question is one field of a referral question page; its Name is the form field and the error's field.
type question struct {
	Name, Label, Hint string
	Kind              fieldKind
	Options           []govuk.ChoiceItem
}

// referralStep is one question page of the referral form: one topic per page.
type referralStep struct {
	Slug, Title string
	Questions   []question
}

var knowledgeOptions = []govuk.ChoiceItem{{Value: string(casework.Knows), Text: "Yes"}, {Value: string(casework.DoesNotKnow), Text: "No"},
	{Value: string(casework.KnownUnknown), Text: "I do not know"}}

var genderOptions = []govuk.ChoiceItem{{Value: "female", Text: "Female"}, {Value: "male", Text: "Male"},
	{Value: "other", Text: "They use another term"}, {Value: "not_known", Text: "Not known"}}

// referralSteps are the question pages in order for the draft in; the concern types are the national list
// valid today ("Not sure" last, on its own). Whether a parent or carer knows is asked only when the person may
// be under 18 (by the age given, or none given).
func (cp *casePages) referralSteps(ctx context.Context, in casework.ReferralInput) ([]referralStep, error) {
	now := cp.deps.Now()
	types, err := cp.svc.Reference(ctx, casework.ConcernTypes, now)
	if err != nil {
		return nil, err
	}
	typeOptions := make([]govuk.ChoiceItem, 0, len(types)+1)
	for _, it := range types {
		if it.Code == casework.ConcernNotSure {
			typeOptions = append(typeOptions, govuk.ChoiceItem{Divider: "or"},
				govuk.ChoiceItem{Value: it.Code, Text: it.Label, Behaviour: "exclusive"})
			continue
		}
		typeOptions = append(typeOptions, govuk.ChoiceItem{Value: it.Code, Text: it.Label})
	}
	knows := []question{{Name: "person-knows", Label: "Does the person know about this referral?", Kind: fieldRadios, Options: knowledgeOptions}}
	if in.Person.MayBeUnder18(now) {
		knows = append(knows, question{Name: "parent-knows", Label: "Does a parent or carer know about this referral? (optional)",
			Hint: "Asked because the person is under 18, or their age is not known", Kind: fieldRadios, Options: knowledgeOptions})
	}
	equality, err := cp.equalityQuestions(ctx, now)
	if err != nil {
		return nil, err
	}
	sectors := []govuk.ChoiceItem{{Value: "", Text: "My organisation’s usual sector"}}
	for _, s := range partnership.Sectors {
		sectors = append(sectors, govuk.ChoiceItem{Value: string(s.Sector), Text: s.Name})
	}
	return []referralStep{
		{"about-you", "About you and your organisation", []question{
			{Name: "sector", Label: "Which sector are you referring from?", Hint: "Change this only if you are referring for a different part of your organisation", Kind: fieldSelect, Options: sectors}}},
		{"names", "The person’s name", []question{
			{Name: "given-names", Label: "Given names", Kind: fieldText},
			{Name: "family-name", Label: "Family name", Kind: fieldText},
			{Name: "aliases", Label: "Other names or aliases (optional)", Hint: "Put each name on its own line", Kind: fieldTextarea}}},
		{"age", "Date of birth or age", []question{
			{Name: "date-of-birth", Label: "Date of birth (optional)", Hint: "For example, 27 3 2010", Kind: fieldDate},
			{Name: "approximate-age", Label: "If you do not know their date of birth, their approximate age (optional)", Kind: fieldNumber}}},
		{"gender", "Gender", []question{
			{Name: "gender", Label: "What is the person’s gender? (optional)", Kind: fieldRadios, Options: genderOptions}}},
		{"address", "Address", []question{
			{Name: "address-line1", Label: "Address line 1 (optional)", Kind: fieldText},
			{Name: "address-line2", Label: "Address line 2 (optional)", Kind: fieldText},
			{Name: "town", Label: "Town or city (optional)", Kind: fieldText},
			{Name: "postcode", Label: "Postcode (optional)", Kind: fieldText},
			{Name: "local-authority", Label: "Local authority (optional)", Hint: "The council area where the person lives", Kind: fieldText}}},
		{"setting", "Education or employment", []question{
			{Name: "setting", Label: "Where does the person study or work? (optional)", Hint: "The school, college or employer", Kind: fieldText}}},
		{"needs", "Languages and additional needs", []question{
			{Name: "languages", Label: "Languages the person speaks (optional)", Hint: "Separate languages with commas", Kind: fieldText},
			{Name: "additional-needs", Label: "Additional needs (optional)", Hint: "For example, special educational needs, a disability or mental health needs", Kind: fieldTextarea}}},
		{"agencies", "Other agencies", []question{
			{Name: "other-agencies", Label: "Which other agencies are involved with the person? (optional)", Hint: "For example, children’s social care, youth justice or a mental health service", Kind: fieldTextarea}}},
		{"concern", "What happened", []question{
			{Name: "what-happened", Label: "What happened that worried you?", Hint: "Describe what you saw or heard, and when", Kind: fieldTextarea},
			{Name: "how-found", Label: "How did you find out? (optional)", Kind: fieldTextarea}}},
		{"details", "What was said and done", []question{
			{Name: "words-used", Label: "Words the person used (optional)", Hint: "Write them as exactly as you can", Kind: fieldTextarea},
			{Name: "online-activity", Label: "Online activity (optional)", Kind: fieldTextarea},
			{Name: "contacts", Label: "People or groups they are in contact with (optional)", Kind: fieldTextarea}}},
		{"fears", "What you fear may happen", []question{
			{Name: "fears", Label: "What do you fear may happen? (optional)", Kind: fieldTextarea}}},
		{"types", "Type of concern", []question{
			{Name: "types", Label: "What type of concern is it?", Hint: "Select all that apply, or ‘Not sure’", Kind: fieldCheckboxes, Options: typeOptions}}},
		{"knows", "Who knows about this referral", knows},
		{equalitySlug, "Equality monitoring", equality},
	}, nil
}

// equalitySlug names the optional equality monitoring page. Its answers are write-only: the draft never
// gives them back, so the page, "Check your answers" and the copy sent show none of them.
const equalitySlug = "equality"

// equalityQuestions are the equality monitoring questions, with the answers in the reference lists valid on
// the day of now; "Prefer not to say" and "Not known" come last, after "or".
func (cp *casePages) equalityQuestions(ctx context.Context, now time.Time) ([]question, error) {
	options := func(list casework.List) ([]govuk.ChoiceItem, error) {
		items, err := cp.svc.Reference(ctx, list, now)
		if err != nil {
			return nil, err
		}
		var main, last []govuk.ChoiceItem
		for _, it := range items {
			o := govuk.ChoiceItem{Value: it.Code, Text: it.Label}
			if it.Code == "prefer_not_to_say" || it.Code == "not_known" {
				last = append(last, o)
			} else {
				main = append(main, o)
			}
		}
		if len(main) > 0 && len(last) > 0 {
			main = append(main, govuk.ChoiceItem{Divider: "or"})
		}
		return append(main, last...), nil
	}
	eth, err := options(casework.Ethnicities)
	if err != nil {
		return nil, err
	}
	mh, err := options(casework.MentalHealthRecorded)
	if err != nil {
		return nil, err
	}
	return []question{
		{Name: casework.FieldEthnicity, Label: "What is the person’s ethnic group? (optional)",
			Hint: "The groups used by the 2021 Census in England and Wales", Kind: fieldRadios, Options: eth},
		{Name: casework.FieldMentalHealth, Label: "Has a mental health need or neurodiversity been recorded for the person? (optional)",
			Hint: "For example, a diagnosis or an assessment you know of", Kind: fieldRadios, Options: mh},
	}, nil
}

// referralValues turns a referral into form values, named as the questions are.
func referralValues(in casework.ReferralInput) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	d := in.Person
	set("sector", in.ReferrerSector)
	set("given-names", d.GivenNames)
	set("family-name", d.FamilyName)
	set("aliases", strings.Join(d.Aliases, "\n"))
	if !d.DateOfBirth.IsZero() {
		v.Set("date-of-birth-day", strconv.Itoa(d.DateOfBirth.Day()))
		v.Set("date-of-birth-month", strconv.Itoa(int(d.DateOfBirth.Month())))
		v.Set("date-of-birth-year", strconv.Itoa(d.DateOfBirth.Year()))
	}
	if d.ApproximateAge > 0 {
		v.Set("approximate-age", strconv.Itoa(d.ApproximateAge))
	}
	set("gender", d.Gender)
	set("address-line1", d.AddressLine1)
	set("address-line2", d.AddressLine2)
	set("town", d.Town)
	set("postcode", d.Postcode)
	set("local-authority", d.LocalAuthority)
	set("setting", d.Setting)
	set("languages", strings.Join(d.Languages, ", "))
	set("additional-needs", d.AdditionalNeeds)
	set("other-agencies", d.OtherAgencies)
	c := in.Concern
	set("what-happened", c.WhatHappened)
	set("how-found", c.HowFound)
	set("words-used", c.WordsUsed)
	set("online-activity", c.OnlineActivity)
	set("contacts", c.Contacts)
	set("fears", c.Fears)
	for _, t := range c.Types {
		v.Add("types", t)
	}
	set("person-knows", string(in.PersonKnows))
	set("parent-knows", string(in.ParentKnows))
	return v
}

func splitList(s, sep string) []string {
	var out []string
	for _, x := range strings.Split(s, sep) {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// referralFromValues reads a referral back from form values, with errors for what cannot be read.
func referralFromValues(v url.Values, danger bool) (casework.ReferralInput, prevent.Fields) {
	var f prevent.Fields
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	in := casework.ReferralInput{ReferrerSector: g("sector"), DangerAcknowledged: danger}
	in.Person = casework.PersonDetails{GivenNames: g("given-names"), FamilyName: g("family-name"), Aliases: splitList(v.Get("aliases"), "\n"),
		Gender: g("gender"), AddressLine1: g("address-line1"), AddressLine2: g("address-line2"), Town: g("town"), Postcode: g("postcode"),
		LocalAuthority: g("local-authority"), Setting: g("setting"), Languages: splitList(v.Get("languages"), ","),
		AdditionalNeeds: g("additional-needs"), OtherAgencies: g("other-agencies")}
	if t, ok, err := core.CaseDate(v, "date-of-birth"); err != nil {
		f.Add("date-of-birth", "Date of birth must be a real date")
	} else if ok {
		in.Person.DateOfBirth = t
	}
	if a := g("approximate-age"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil {
			f.Add("approximate-age", "Approximate age must be a number from 0 to 120")
		}
		in.Person.ApproximateAge = n
	}
	if x := g("gender"); x != "" && !slices.ContainsFunc(genderOptions, func(o govuk.ChoiceItem) bool { return o.Value == x }) {
		f.Add("gender", "Select the person’s gender, or ‘Not known’")
	}
	in.Concern = casework.Concern{WhatHappened: g("what-happened"), HowFound: g("how-found"), WordsUsed: g("words-used"),
		OnlineActivity: g("online-activity"), Contacts: g("contacts"), Fears: g("fears"), Types: v["types"]}
	for _, k := range []string{"person-knows", "parent-knows"} {
		x := casework.Knowledge(g(k))
		if x != "" && x != casework.Knows && x != casework.DoesNotKnow && x != casework.KnownUnknown {
			f.Add(k, "Select yes, no or I do not know")
		}
	}
	in.PersonKnows, in.ParentKnows = casework.Knowledge(g("person-knows")), casework.Knowledge(g("parent-knows"))
	// The equality monitoring answers are read only from the page that asks them (referralValues never gives
	// them back); casework refuses a code not in its list.
	if v.Has(casework.FieldEthnicity) || v.Has(casework.FieldMentalHealth) {
		in.Monitoring = &casework.EqualityMonitoring{Ethnicity: g(casework.FieldEthnicity), MentalHealth: g(casework.FieldMentalHealth)}
	}
	return in, f
}

// stepFields lists the form field names a step posts (a date posts three).
func (st referralStep) fieldNames() []string {
	var out []string
	for _, q := range st.Questions {
		if q.Kind == fieldDate {
			out = append(out, q.Name+"-day", q.Name+"-month", q.Name+"-year")
		} else {
			out = append(out, q.Name)
		}
	}
	return out
}

// referralsView is "Your draft referrals" and the referrals made.
type referralsView struct {
	PartnershipID prevent.ID
	Drafts        []casework.Summary
	Submitted     []casework.Summary
}

func (cp *casePages) handleReferrals(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	p := principalOf(r)
	drafts, err := cp.svc.Drafts(r.Context(), p, pid)
	if err != nil {
		return err
	}
	v := referralsView{PartnershipID: pid, Drafts: drafts}
	list, _, err := cp.svc.List(r.Context(), p, casework.ListFilter{PartnershipID: pid, Limit: 20})
	if err != nil {
		return err
	}
	v.Submitted = list
	l := cp.Layout(r, "Your referrals")
	return cp.Page(w, r, l, referralsPage(l, v))
}

func (cp *casePages) handleReferralStart(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	if _, err := core.ReadForm(w, r); err != nil {
		return err
	}
	id, err := cp.svc.SaveDraft(r.Context(), principalOf(r), pid, 0, casework.ReferralInput{})
	if err != nil {
		return err
	}
	http.Redirect(w, r, ReferralStepLink(pid, id, "about-you"), http.StatusSeeOther)
	return nil
}

// stepView is one question page.
type stepView struct {
	PartnershipID, ID prevent.ID
	Step              referralStep
	Number, Of        int
	Form              core.Form
	Principal         prevent.Principal
	// Return is set when the page was reached from "Check your answers", which it goes back to.
	Return bool
}

// findStep loads the principal's draft and the question page named in the path.
func (cp *casePages) findStep(r *http.Request) (pid, id prevent.ID, in casework.ReferralInput, steps []referralStep, i int, err error) {
	if pid, id, err = core.PathIDs(r); err != nil {
		return
	}
	if in, err = cp.svc.Draft(r.Context(), principalOf(r), id); err != nil {
		return
	}
	if steps, err = cp.referralSteps(r.Context(), in); err != nil {
		return
	}
	i = slices.IndexFunc(steps, func(s referralStep) bool { return s.Slug == r.PathValue("step") })
	if i < 0 {
		err = prevent.Errorf(prevent.NotFound, "Page not found")
	}
	return
}

// stepBack is where a question page's back link goes: the previous question on the first pass (the list of
// referrals from the first), and "Check your answers" when the page was opened from it.
func stepBack(v stepView, steps []referralStep) string {
	switch {
	case v.Return:
		return ReferralCheckPath.Link(v.PartnershipID, v.ID)
	case v.Number <= 1:
		return ReferralsPath.Link(v.PartnershipID)
	}
	return ReferralStepLink(v.PartnershipID, v.ID, steps[v.Number-2].Slug)
}

func (cp *casePages) renderStep(w http.ResponseWriter, r *http.Request, v stepView, steps []referralStep) error {
	l := cp.Layout(r, v.Step.Title)
	l.Errors = v.Form.Errors
	l.Back = stepBack(v, steps)
	v.Principal = principalOf(r)
	return cp.Page(w, r, l, referralStepPage(l, v))
}

func (cp *casePages) handleReferralStep(w http.ResponseWriter, r *http.Request) error {
	pid, id, in, steps, i, err := cp.findStep(r)
	if err != nil {
		return err
	}
	return cp.renderStep(w, r, stepView{PartnershipID: pid, ID: id, Step: steps[i], Number: i + 1, Of: len(steps),
		Form: core.Form{Values: referralValues(in)}, Return: r.URL.Query().Get("return") != ""}, steps)
}

// missingOn lists the required answers of a question page that in does not give.
func missingOn(st referralStep, in casework.ReferralInput) []prevent.FieldError {
	var out []prevent.FieldError
	for _, e := range in.Missing() {
		if slices.ContainsFunc(st.Questions, func(q question) bool { return q.Name == e.Field }) {
			out = append(out, e)
		}
	}
	return out
}

func (cp *casePages) handleReferralStepPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, in, steps, i, err := cp.findStep(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	p := principalOf(r)
	// The draft's other answers, with this page's answers over them.
	all := referralValues(in)
	for _, name := range steps[i].fieldNames() {
		all.Del(name)
		for _, x := range f.Values[name] {
			all.Add(name, x)
		}
	}
	view := stepView{PartnershipID: pid, ID: id, Step: steps[i], Number: i + 1, Of: len(steps), Form: f, Return: f.Get("return") != ""}
	next, fields := referralFromValues(all, false)
	later := f.Get("later") != ""
	if !later {
		// The page's own required answers are asked for here, not found missing at the end.
		fields = append(fields, missingOn(steps[i], next)...)
	}
	if err := fields.Err(); err != nil {
		view.Form = f.WithErr(err)
		return cp.renderStep(w, r, view, steps)
	}
	if !next.Person.MayBeUnder18(cp.deps.Now()) {
		// Not asked for an adult: an answer given while the age was unknown is not kept.
		next.ParentKnows = ""
	}
	if _, err := cp.svc.SaveDraft(r.Context(), p, pid, id, next); err != nil {
		if prevent.ErrorKind(err) == prevent.Invalid {
			view.Form = f.WithErr(err)
			return cp.renderStep(w, r, view, steps)
		}
		return err
	}
	switch {
	case later:
		return cp.Flash(w, r, ReferralsPath.Link(pid), "Your draft referral has been saved")
	case i+1 < len(steps) && f.Get("return") == "":
		http.Redirect(w, r, ReferralStepLink(pid, id, steps[i+1].Slug), http.StatusSeeOther)
	default:
		http.Redirect(w, r, ReferralCheckPath.Link(pid, id), http.StatusSeeOther)
	}
	return nil
}

// checkView is "Check your answers".
type checkView struct {
	PartnershipID, ID prevent.ID
	Steps             []referralStep
	Values            url.Values
	Errors            []prevent.FieldError
}

func (cp *casePages) renderCheck(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, errs []prevent.FieldError) error {
	in, err := cp.svc.Draft(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	steps, err := cp.referralSteps(r.Context(), in)
	if err != nil {
		return err
	}
	l := cp.Layout(r, "Check your answers before sending your referral")
	l.Back = ReferralStepLink(pid, id, steps[len(steps)-1].Slug)
	// Errors found at submission link to the page of the answer that needs changing.
	for _, e := range errs {
		slug := steps[0].Slug
		for _, st := range steps {
			if slices.ContainsFunc(st.Questions, func(q question) bool { return q.Name == e.Field }) {
				slug = st.Slug
			}
		}
		l.Errors = append(l.Errors, prevent.FieldError{Field: "answers-" + slug, Message: e.Message})
	}
	return cp.Page(w, r, l, referralCheckPage(l, checkView{PartnershipID: pid, ID: id, Steps: steps, Values: referralValues(in), Errors: errs}))
}

func (cp *casePages) handleReferralCheck(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	return cp.renderCheck(w, r, pid, id, nil)
}

func (cp *casePages) handleReferralCheckPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if _, err := core.ReadForm(w, r); err != nil {
		return err
	}
	http.Redirect(w, r, ReferralSubmitPath.Link(pid, id), http.StatusSeeOther)
	return nil
}

func (cp *casePages) renderDanger(w http.ResponseWriter, r *http.Request, pid, id prevent.ID, f core.Form) error {
	l := cp.Layout(r, "If someone is in immediate danger, call 999")
	l.Errors = f.Errors
	l.Back = ReferralCheckPath.Link(pid, id)
	return cp.Page(w, r, l, referralDangerPage(l, pid, id, f))
}

func (cp *casePages) handleReferralDanger(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	if _, err := cp.svc.Draft(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	return cp.renderDanger(w, r, pid, id, core.Form{Values: url.Values{}})
}

func (cp *casePages) handleReferralDangerPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	p := principalOf(r)
	in, err := cp.svc.Draft(r.Context(), p, id)
	if err != nil {
		return err
	}
	if f.Get("danger") != "yes" {
		f.Errors = []prevent.FieldError{{Field: "danger", Message: "Confirm that nobody is in immediate danger, or call 999 now"}}
		return cp.renderDanger(w, r, pid, id, f)
	}
	in.DangerAcknowledged = true
	if _, err := cp.svc.SaveDraft(r.Context(), p, pid, id, in); err != nil {
		return err
	}
	if _, err := cp.svc.Submit(r.Context(), p, id); err != nil {
		if prevent.ErrorKind(err) == prevent.Invalid {
			return cp.renderCheck(w, r, pid, id, prevent.FieldErrors(err))
		}
		return err
	}
	http.Redirect(w, r, ReferralConfirmationPath.Link(pid, id), http.StatusSeeOther)
	return nil
}

func (cp *casePages) handleReferralConfirmation(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	st, err := cp.svc.ReferralStatus(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	if st.Reference == "" {
		return prevent.Errorf(prevent.NotFound, "Referral not found")
	}
	l := cp.Layout(r, "Referral submitted")
	return cp.Page(w, r, l, referralConfirmationPage(l, pid, st))
}

// sentView is the printable copy of a referral for the referrer who sent it.
type sentView struct {
	PartnershipID prevent.ID
	Sent          casework.SentReferral
	Steps         []referralStep
	Values        url.Values
}

// handleReferralSent shows the referrer what they sent, to print or save: their own answers, and nothing of
// what happened to the referral since.
func (cp *casePages) handleReferralSent(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := core.PathIDs(r)
	if err != nil {
		return err
	}
	sent, err := cp.svc.SentReferral(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	v := sentView{PartnershipID: pid, Sent: sent, Values: referralValues(sent.Details)}
	// The questions as asked today, with the answers as sent (a type of concern since retired keeps its code).
	if v.Steps, err = cp.referralSteps(r.Context(), sent.Details); err != nil {
		return err
	}
	for i, st := range v.Steps {
		if st.Slug != "types" {
			continue
		}
		for _, code := range sent.Details.Concern.Types {
			if !slices.ContainsFunc(st.Questions[0].Options, func(o govuk.ChoiceItem) bool { return o.Value == code }) {
				label := cp.svc.Label(r.Context(), casework.ConcernTypes, code, sent.SubmittedAt)
				v.Steps[i].Questions[0].Options = append(v.Steps[i].Questions[0].Options, govuk.ChoiceItem{Value: code, Text: label})
			}
		}
	}
	l := cp.Layout(r, "Your referral "+sent.Reference)
	l.Back = ReferralsPath.Link(pid)
	return cp.Page(w, r, l, referralSentPage(l, v))
}

// answerText is how an answer reads on "Check your answers".
func answerText(q question, v url.Values) string {
	switch q.Kind {
	case fieldDate:
		if t, ok, err := core.CaseDate(v, q.Name); ok && err == nil {
			return core.DayText(t)
		}
		return ""
	case fieldRadios, fieldSelect, fieldCheckboxes:
		var out []string
		for _, x := range v[q.Name] {
			label := x
			for _, o := range q.Options {
				if o.Value == x {
					label = o.Text
				}
			}
			if x != "" {
				out = append(out, label)
			}
		}
		return strings.Join(out, ", ")
	}
	return v.Get(q.Name)
}
