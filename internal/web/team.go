package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// teamView is the coordinator's team view: open cases by stage and by case officer, with what is overdue.
type teamView struct {
	PartnershipID prevent.ID
	Caseload      casework.Caseload
}

func (cp *casePages) handleTeam(w http.ResponseWriter, r *http.Request) error {
	pid, err := pathID(r, "pid")
	if err != nil {
		return err
	}
	cl, err := cp.svc.Caseload(r.Context(), principalOf(r), pid, cp.deps.Now())
	if err != nil {
		return err
	}
	l := cp.layout(r, "Team caseload")
	l.Back = "/work"
	return cp.page(w, r, l, teamPage(l, teamView{PartnershipID: pid, Caseload: cl}))
}

// stageName is a work-list stage as people call it.
func stageName(s casework.Stage) string {
	for _, n := range stageNames {
		if n.Stage == s {
			return n.Name
		}
	}
	return string(s)
}

func teamStageRows(v teamView) [][]govuk.TableCell {
	var rows [][]govuk.TableCell
	for _, st := range v.Caseload.Stages {
		href := partnershipPath(v.PartnershipID, "cases") + "?" + url.Values{"stage": {string(st)}}.Encode()
		rows = append(rows, []govuk.TableCell{{HTML: adminLink(href, stageName(st))},
			{Text: strconv.Itoa(v.Caseload.ByStage[st]), Format: "numeric"}, {Text: strconv.Itoa(v.Caseload.Overdue[st]), Format: "numeric"}})
	}
	return rows
}

func teamOfficerHead(v teamView) []govuk.TableCell {
	head := []govuk.TableCell{{Text: "Case officer"}}
	for _, st := range v.Caseload.Stages {
		head = append(head, govuk.TableCell{Text: stageName(st), Format: "numeric"})
	}
	return append(head, govuk.TableCell{Text: "Open", Format: "numeric"}, govuk.TableCell{Text: "With an overdue step", Format: "numeric"})
}

func teamOfficerRows(v teamView) [][]govuk.TableCell {
	var rows [][]govuk.TableCell
	for _, o := range v.Caseload.Officers {
		name := o.Officer
		if o.OfficerID == 0 {
			name = "No case officer yet"
		}
		row := []govuk.TableCell{{Text: name}}
		for _, st := range v.Caseload.Stages {
			row = append(row, govuk.TableCell{Text: strconv.Itoa(o.ByStage[st]), Format: "numeric"})
		}
		rows = append(rows, append(row, govuk.TableCell{Text: strconv.Itoa(o.Open), Format: "numeric"},
			govuk.TableCell{Text: strconv.Itoa(o.Overdue), Format: "numeric"}))
	}
	return rows
}

// officerForm is the page that chooses a case's officer.
type officerForm struct {
	PartnershipID prevent.ID
	Referral      casework.Referral
	Officers      []casework.Officer
	Form          form
}

func (cp *casePages) renderOfficer(w http.ResponseWriter, r *http.Request, f form) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	ctx, p := r.Context(), principalOf(r)
	v := officerForm{PartnershipID: pid, Form: f}
	if v.Referral, err = cp.caseOf(ctx, p, pid, id); err != nil {
		return err
	}
	if v.Officers, err = cp.svc.Officers(ctx, p, pid); err != nil {
		return err
	}
	if len(f.Values) == 0 && v.Referral.CaseOfficerID != 0 {
		v.Form.Values = url.Values{"officer": {itoa64(v.Referral.CaseOfficerID)}}
	}
	// The page frame starts the title "Error: " when there are errors.
	l := cp.layout(r, caseTitle("Choose the case officer", v.Referral.Reference))
	l.Errors = f.Errors
	l.Back = casePath(pid, id)
	return cp.page(w, r, l, officerPage(l, v))
}

func (cp *casePages) handleOfficer(w http.ResponseWriter, r *http.Request) error {
	return cp.renderOfficer(w, r, form{Values: url.Values{}})
}

func (cp *casePages) handleOfficerPost(w http.ResponseWriter, r *http.Request) error {
	pid, id, err := pathIDs(r)
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	officer, _ := strconv.ParseInt(f.Get("officer"), 10, 64)
	err = cp.svc.AssignOfficer(r.Context(), principalOf(r), id, officer)
	if prevent.ErrorKind(err) == prevent.Invalid {
		return cp.renderOfficer(w, r, f.WithErr(err))
	}
	if err != nil {
		return err
	}
	return cp.flash(w, r, casePath(pid, id), "Case officer chosen")
}

func officerItems(v officerForm) []govuk.ChoiceItem {
	var out []govuk.ChoiceItem
	for _, o := range v.Officers {
		out = append(out, govuk.ChoiceItem{Value: itoa64(o.ID), Text: o.Name, Hint: &govuk.HintParams{Text: o.Organisation}})
	}
	return out
}
