package sharing

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/rights"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// Retention rules.

type retentionView struct {
	PID       prevent.ID
	Rules     []rights.RetentionRule
	CanManage bool
}

func (sp *pages) handleRetention(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	v := retentionView{PID: pid, CanManage: sp.May(r, pid, access.RetentionManage)}
	if v.Rules, err = sp.d.Rights.RetentionRules(r.Context(), principalOf(r), pid); err != nil {
		return err
	}
	l := sp.Layout(r, "Retention rules")
	l.Back = HomePath.Link(pid)
	return sp.Page(w, r, l, retentionPage(l, v))
}

// retentionClassNames are the record classes' display names.
var retentionClassNames = map[rights.RecordClass]string{
	rights.CaseRecords:          "Case records",
	rights.DisclosureRecords:    "Disclosure ledger entries",
	rights.ConsentRecords:       "Consent records",
	rights.SubjectAccessRecords: "Subject access requests",
}

// retentionOutcomeNames are the outcomes' display names.
var retentionOutcomeNames = map[rights.Outcome]string{
	rights.NoFurtherAction: "No further action",
	rights.SignpostedOut:   "Signposted to other support",
	rights.NotAdopted:      "Not adopted by the panel",
	rights.PoliceLed:       "Police-led",
	rights.ChannelExited:   "Exited Channel",
	rights.ConsentDeclined: "Consent declined",
	rights.AnyOutcome:      "Any outcome",
}

func retentionRuleName(r rights.RetentionRule) string {
	return retentionClassNames[r.Class] + ": " + strings.ToLower(retentionOutcomeNames[r.Outcome][:1]) + retentionOutcomeNames[r.Outcome][1:]
}

func (sp *pages) retentionForm(w http.ResponseWriter, r *http.Request, pid prevent.ID, f core.Form) error {
	rules, err := sp.d.Rights.RetentionRules(r.Context(), principalOf(r), pid)
	if err != nil {
		return err
	}
	items := []govuk.SelectItem{{Value: "", Text: "Select the records"}}
	for _, rl := range rules {
		items = append(items, govuk.SelectItem{Value: string(rl.Class) + "/" + string(rl.Outcome),
			Text: retentionRuleName(rl) + " (now " + strconv.Itoa(rl.Months) + " months)"})
	}
	return sp.formPage(w, r, "Set a retention period", RetentionPath.Link(pid), f,
		func(l core.Layout) templ.Component { return retentionFormPage(l, pid, f, items) })
}

func (sp *pages) handleRetentionEdit(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	return sp.retentionForm(w, r, pid, core.Form{Values: url.Values{"rule": {r.URL.Query().Get("rule")}}})
}

func (sp *pages) handleRetentionEditPost(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	f, err := core.ReadForm(w, r)
	if err != nil {
		return err
	}
	class, outcome, _ := strings.Cut(f.Get("rule"), "/")
	months, convErr := strconv.Atoi(f.Get("months"))
	in := rights.RetentionInput{Class: rights.RecordClass(class), Outcome: rights.Outcome(outcome), Months: months, Source: f.Get("source")}
	_, err = sp.d.Rights.SetRetention(r.Context(), principalOf(r), pid, in)
	if core.Invalid(err) {
		fe := prevent.FieldErrors(err)
		for i := range fe {
			switch fe[i].Field {
			case "class", "outcome":
				fe[i] = prevent.FieldError{Field: "rule", Message: "Select the records the period applies to"}
			case "months":
				if convErr != nil && f.Get("months") != "" {
					fe[i].Message = "Enter the period as a whole number of months"
				}
			}
		}
		return sp.retentionForm(w, r, pid, f.WithErr(prevent.Validation(fe)))
	}
	if err != nil {
		return err
	}
	return sp.Flash(w, r, RetentionPath.Link(pid), "Retention period set")
}
