package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/api"
	"github.com/preventplatform/prevent/internal/assurance"
	"github.com/preventplatform/prevent/internal/auth"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
)

// assuranceClient calls the API as the demo partnership's roles.
type assuranceClient struct {
	t      *testing.T
	mux    *http.ServeMux
	tokens map[prevent.Role]string
	w      testworld.DemoWorld
}

// assuranceClock is the clock of the self-assessment API tests.
func assuranceClock() time.Time { return time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC) }

func newAssuranceClient(t *testing.T, db *database.DB) assuranceClient {
	t.Helper()
	ctx := context.Background()
	now := assuranceClock
	w := testworld.LoadDemo(t, db, now)
	as := auth.New(auth.Deps{DB: db, Now: now})
	mux := http.NewServeMux()
	api.New(api.Deps{Auth: as, Partnership: partnership.New(partnership.Deps{DB: db, Now: now}), Casework: w.Casework,
		Sharing: w.Sharing, Rights: w.Rights, Programme: w.Programme, Returns: w.Returns, Assurance: w.Assurance, Work: w.Work,
		Notify: w.Notify, Now: now}).Register(mux)
	c := assuranceClient{t: t, mux: mux, tokens: map[prevent.Role]string{}, w: w}
	for role, p := range w.Roles {
		tok, _, err := as.CreateToken(ctx, p.PersonID, "test", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		c.tokens[role] = tok
	}
	return c
}

func (c assuranceClient) do(role prevent.Role, method, path string, body any) *httptest.ResponseRecorder {
	c.t.Helper()
	var r *http.Request
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = httptest.NewRequest(method, path, bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.Header.Set("Authorization", "Bearer "+c.tokens[role])
	rec := httptest.NewRecorder()
	c.mux.ServeHTTP(rec, r)
	checkResponse(c.t, r, rec)
	return rec
}

// want checks the status and decodes the body into v (when not nil).
func (c assuranceClient) want(rec *httptest.ResponseRecorder, status int, v any) {
	c.t.Helper()
	if rec.Code != status {
		c.t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			c.t.Fatalf("body %s: %v", rec.Body, err)
		}
	}
}

// members are the members a 422 problem names.
func (c assuranceClient) members(rec *httptest.ResponseRecorder) []string {
	c.t.Helper()
	var p problem
	c.want(rec, http.StatusUnprocessableEntity, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// TestSelfAssessmentThroughTheAPI: the coordinator lists the frameworks, starts an assessment, rates every
// section, links a project, adds, changes and removes an action, submits it, and the administrator approves
// it; the history then shows the ratings. Bad input is a problem naming the JSON member.
func TestSelfAssessmentThroughTheAPI(t *testing.T) {
	t.Parallel()
	testworld.DemoEngines(t, assuranceClock, func(t *testing.T, db *database.DB) {
		c := newAssuranceClient(t, db)
		ctx := context.Background()
		coord := prevent.Coordinator
		base := fmt.Sprintf("/api/v1/partnerships/%d", c.w.PartnershipID)

		var fws api.AssuranceFrameworkList
		c.want(c.do(prevent.Analyst, "GET", base+"/assurance-frameworks", nil), http.StatusOK, &fws)
		var fw api.AssuranceFramework
		for _, f := range fws.Items {
			if f.Code == assurance.DutyToolkit && f.National {
				fw = f
			}
		}
		if fw.ID == 0 || len(fw.Sections) != 8 || len(fw.Scale) != 4 {
			t.Fatalf("toolkit %+v", fw)
		}

		if got := c.members(c.do(coord, "POST", base+"/self-assessments", api.SelfAssessmentStart{Year: 2026})); len(got) != 1 || got[0] != "framework_id" {
			t.Errorf("start without a framework names %v", got)
		}
		var a api.SelfAssessment
		c.want(c.do(coord, "POST", base+"/self-assessments", api.SelfAssessmentStart{FrameworkID: fw.ID, Year: 2026}), http.StatusCreated, &a)
		if a.Status != "draft" || len(a.Sections) != 8 || a.Sections[0].Level != nil {
			t.Fatalf("started %+v", a)
		}
		path := fmt.Sprintf("%s/self-assessments/%d", base, a.ID)

		if got := c.members(c.do(coord, "PUT", path+"/ratings", api.SectionRating{Section: "no-such", Level: 1})); len(got) != 1 || got[0] != "section" {
			t.Errorf("unknown section names %v", got)
		}
		if got := c.members(c.do(coord, "PUT", path+"/ratings", api.SectionRating{Section: fw.Sections[0].Code, Level: 7})); len(got) != 1 || got[0] != "level" {
			t.Errorf("level off the scale names %v", got)
		}
		// Submitting too early is a conflict naming what is still to do.
		var p problem
		c.want(c.do(coord, "POST", path+"/submit", nil), http.StatusConflict, &p)
		if !bytes.Contains([]byte(p.Detail), []byte(fw.Sections[0].Title)) {
			t.Errorf("early submit: %q", p.Detail)
		}
		for i, s := range fw.Sections {
			c.want(c.do(coord, "PUT", path+"/ratings", api.SectionRating{Section: s.Code, Level: 1 + i%4, Narrative: "Because"}), http.StatusOK, &a)
		}
		if a.Sections[1].Level == nil || *a.Sections[1].Level != 2 || a.Sections[1].Label != fw.Scale[1].Label {
			t.Errorf("section 2 rated %+v", a.Sections[1])
		}

		projects, err := c.w.Programme.Projects(ctx, c.w.Roles[coord], c.w.PartnershipID)
		if err != nil || len(projects) == 0 {
			t.Fatalf("demo projects: %v", err)
		}
		code := fw.Sections[0].Code
		if got := c.members(c.do(coord, "POST", path+"/evidence", api.EvidenceLink{Section: code, Kind: "project", RecordID: 999999})); len(got) != 1 || got[0] != "record_id" {
			t.Errorf("unknown project names %v", got)
		}
		var made api.Created
		c.want(c.do(coord, "POST", path+"/evidence", api.EvidenceLink{Section: code, Kind: "project", RecordID: projects[0].ID}), http.StatusCreated, &made)
		if made.ID == 0 {
			t.Error("no evidence id")
		}

		orgs, err := partnership.New(partnership.Deps{DB: db}).Organisations(ctx, c.w.Roles[prevent.Administrator], c.w.PartnershipID)
		if err != nil || len(orgs) == 0 {
			t.Fatalf("organisations: %v", err)
		}
		if got := c.members(c.do(coord, "POST", path+"/actions", api.ImprovementActionInput{Section: code, Description: "Train", DueOn: "31/03/2027"})); len(got) != 2 ||
			got[0] != "owner_organisation_id" || got[1] != "due_on" {
			t.Errorf("action without owner or date names %v", got)
		}
		c.want(c.do(coord, "POST", path+"/actions", api.ImprovementActionInput{Section: code, Description: "Train the panel",
			OwnerID: orgs[0].ID, DueOn: "2027-03-31"}), http.StatusCreated, &made)
		actionPath := fmt.Sprintf("%s/actions/%d", path, made.ID)
		c.want(c.do(coord, "PUT", actionPath, api.ImprovementActionInput{Description: "Train the whole panel", OwnerID: orgs[0].ID, DueOn: "2027-04-30"}), http.StatusNoContent, nil)
		c.want(c.do(coord, "GET", path, nil), http.StatusOK, &a)
		if len(a.Sections[0].Evidence) != 1 || a.Sections[0].Evidence[0].Kind != "project" || len(a.Sections[0].Actions) != 1 ||
			a.Sections[0].Actions[0].DueOn != "2027-04-30" || a.Sections[0].Actions[0].Owner.ID != orgs[0].ID {
			t.Errorf("section 1: %+v", a.Sections[0])
		}
		c.want(c.do(coord, "DELETE", actionPath, nil), http.StatusNoContent, nil)
		c.want(c.do(coord, "DELETE", actionPath, nil), http.StatusNotFound, nil)

		// The analyst reads but may not change anything: the routes do not exist for them.
		for _, r := range []struct{ method, path string }{{"PUT", path + "/ratings"}, {"POST", path + "/submit"}, {"POST", path + "/approve"},
			{"POST", base + "/self-assessments"}, {"POST", fmt.Sprintf("%s/assurance-frameworks/%d/revisions", base, fw.ID)}} {
			c.want(c.do(prevent.Analyst, r.method, r.path, api.SectionRating{Section: code, Level: 1}), http.StatusNotFound, nil)
		}
		c.want(c.do(prevent.Analyst, "GET", path, nil), http.StatusOK, nil)

		c.want(c.do(coord, "POST", path+"/submit", nil), http.StatusOK, &a)
		if a.Status != "submitted" || a.SubmittedBy == nil || a.SubmittedBy.ID != c.w.Roles[coord].PersonID {
			t.Errorf("submitted %+v", a)
		}
		if got := c.members(c.do(prevent.Administrator, "POST", path+"/return", api.ReturnReason{})); len(got) != 1 || got[0] != "reason" {
			t.Errorf("return without a reason names %v", got)
		}
		c.want(c.do(prevent.Administrator, "POST", path+"/approve", nil), http.StatusOK, &a)
		if a.Status != "approved" || a.ApprovedBy == nil || a.ApprovedBy.ID != c.w.Roles[prevent.Administrator].PersonID || a.ApprovedAt == nil {
			t.Errorf("approved %+v", a)
		}
		c.want(c.do(prevent.Administrator, "POST", path+"/approve", nil), http.StatusConflict, nil)

		var list api.SelfAssessmentList
		c.want(c.do(prevent.Referrer, "GET", base+"/self-assessments", nil), http.StatusOK, &list)
		if len(list.Items) != 1 || list.Items[0].ID != a.ID || len(list.Items[0].Sections) != 0 {
			t.Errorf("list %+v", list)
		}
		var h api.SelfAssessmentHistory
		c.want(c.do(prevent.Analyst, "GET", base+"/self-assessment-history?framework="+assurance.DutyToolkit, nil), http.StatusOK, &h)
		if len(h.Years) != 1 || h.Years[0] != 2026 || len(h.Sections) != 8 || h.Sections[3].Points[0].Level != 4 {
			t.Errorf("history %+v", h)
		}
		if got := c.members(c.do(prevent.Analyst, "GET", base+"/self-assessment-history", nil)); len(got) != 1 || got[0] != "framework" {
			t.Errorf("history without a framework names %v", got)
		}
	})
}

// TestAssuranceFrameworksThroughTheAPI: the administrator revises the toolkit as a version of the partnership's
// own, rewords it while unused, and is refused rewording the national one; a bad row names its member; the
// coordinator may not revise.
func TestAssuranceFrameworksThroughTheAPI(t *testing.T) {
	t.Parallel()
	c := newAssuranceClient(t, testworld.DemoDB(t, database.SQLite, assuranceClock))
	base := fmt.Sprintf("/api/v1/partnerships/%d/assurance-frameworks", c.w.PartnershipID)
	var fws api.AssuranceFrameworkList
	c.want(c.do(prevent.Administrator, "GET", base, nil), http.StatusOK, &fws)
	var ni35 api.AssuranceFramework
	for _, f := range fws.Items {
		if f.Code == assurance.NI35 {
			ni35 = f
		}
	}
	in := api.AssuranceFrameworkInput{Name: ni35.Name, AppliesFrom: 2026, Note: "Reworded for every ideology", Sections: ni35.Sections}
	for _, l := range ni35.Scale {
		in.Scale = append(in.Scale, api.FrameworkLevelIn{Label: l.Label, Description: l.Description})
	}
	bad := in
	bad.Sections = append([]api.FrameworkSection{}, in.Sections...)
	bad.Sections[1].Title = ""
	if got := c.members(c.do(prevent.Administrator, "POST", fmt.Sprintf("%s/%d/revisions", base, ni35.ID), bad)); len(got) != 1 || got[0] != "sections[1].title" {
		t.Errorf("a section without a title names %v", got)
	}
	c.want(c.do(prevent.Coordinator, "POST", fmt.Sprintf("%s/%d/revisions", base, ni35.ID), in), http.StatusNotFound, nil)
	var v2 api.AssuranceFramework
	c.want(c.do(prevent.Administrator, "POST", fmt.Sprintf("%s/%d/revisions", base, ni35.ID), in), http.StatusCreated, &v2)
	if v2.Version != 2 || v2.National || v2.BasedOn == nil || *v2.BasedOn != ni35.ID || v2.Note != in.Note {
		t.Errorf("revised %+v", v2)
	}
	in.Name = "NI35, reworded"
	c.want(c.do(prevent.Administrator, "PUT", fmt.Sprintf("%s/%d", base, v2.ID), in), http.StatusOK, &v2)
	if v2.Name != "NI35, reworded" || v2.Version != 2 {
		t.Errorf("reworded %+v", v2)
	}
	c.want(c.do(prevent.Administrator, "PUT", fmt.Sprintf("%s/%d", base, ni35.ID), in), http.StatusConflict, nil)
}
