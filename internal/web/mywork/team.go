package mywork

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/prevent"
	casepages "github.com/preventplatform/prevent/internal/web/casework"
	"github.com/preventplatform/prevent/internal/web/core"
	"github.com/preventplatform/prevent/internal/web/govuk"
)

// teamView is the coordinator's team view: open cases by stage and by case officer, with what is overdue.
type teamView struct {
	PartnershipID prevent.ID
	Caseload      casework.Caseload
}

func (cp *casePages) handleTeam(w http.ResponseWriter, r *http.Request) error {
	pid, err := core.PathID(r, "pid")
	if err != nil {
		return err
	}
	cl, err := cp.svc.Caseload(r.Context(), principalOf(r), pid, cp.deps.Now())
	if err != nil {
		return err
	}
	l := cp.Layout(r, "Team caseload")
	l.Back = WorkPath.Link()
	return cp.Page(w, r, l, teamPage(l, teamView{PartnershipID: pid, Caseload: cl}))
}

func teamStageRows(v teamView) [][]govuk.TableCell {
	var rows [][]govuk.TableCell
	for _, st := range v.Caseload.Stages {
		href := casepages.CasesPath.Link(v.PartnershipID) + "?" + url.Values{"stage": {string(st)}}.Encode()
		rows = append(rows, []govuk.TableCell{{HTML: core.Link(href, casepages.StageName(st))},
			{Text: strconv.Itoa(v.Caseload.ByStage[st]), Format: "numeric"}, {Text: strconv.Itoa(v.Caseload.Overdue[st]), Format: "numeric"}})
	}
	return rows
}

func teamOfficerHead(v teamView) []govuk.TableCell {
	head := []govuk.TableCell{{Text: "Case officer"}}
	for _, st := range v.Caseload.Stages {
		head = append(head, govuk.TableCell{Text: casepages.StageName(st), Format: "numeric"})
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
