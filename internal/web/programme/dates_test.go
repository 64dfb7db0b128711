package programme_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

// dateField is one date a programme form asks for: the name of its date input, the label its messages
// use, and a day the service accepts.
type dateField struct {
	name, label string
	day         time.Time
}

// dateForm is a programme form that asks for dates.
type dateForm struct {
	name         string
	page, action string     // the page that shows the form, and where the form posts
	values       url.Values // the form's other fields, filled in
	dates        []dateField
	upload       bool // posted as multipart/form-data with a text file
}

// post sends the form's values with each date's day, month and year from parts.
func (c dateForm) post(t *testing.T, f fixture, parts func(dateField) [3]string) *httptest.ResponseRecorder {
	t.Helper()
	v := url.Values{}
	for k, x := range c.values {
		v[k] = x
	}
	for _, d := range c.dates {
		p := parts(d)
		v.Set(d.name+"-day", p[0])
		v.Set(d.name+"-month", p[1])
		v.Set(d.name+"-year", p[2])
	}
	if !c.upload {
		return serve(t, f, f.coord, http.MethodPost, c.action, v)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, xs := range v {
		for _, x := range xs {
			if err := mw.WriteField(k, x); err != nil {
				t.Fatal(err)
			}
		}
	}
	fw, err := mw.CreateFormFile("file", "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(fw, "Notes of the partnership board.\n")
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, c.action, &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return f.site.ServeRequest(f.coord, r)
}

func dayParts(t time.Time) [3]string {
	return [3]string{fmt.Sprint(t.Day()), fmt.Sprint(int(t.Month())), fmt.Sprint(t.Year())}
}

// dateForms are the programme forms that ask for dates, filled in for the fixture's partnership.
func dateForms(t *testing.T, f fixture) []dateForm {
	t.Helper()
	ctx := context.Background()
	first := func(q string, args ...any) prevent.ID {
		var id prevent.ID
		if err := f.db.Read().QueryRowContext(ctx, q, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	project := first(`SELECT min(id) FROM projects WHERE partnership_id = $1`, f.pid)
	org := first(`SELECT min(organisation_id) FROM due_diligence_reviews`)
	lead := first(`SELECT min(lead_org_id) FROM projects WHERE partnership_id = $1`, f.pid)
	course := first(`SELECT min(id) FROM training_courses`)
	objective, _ := parse(t, serve(t, f, f.coord, http.MethodGet, f.path("projects", "new"), nil)).Find("input[name=objectives]").First().Attr("value")
	today := time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)
	id := func(x prevent.ID) string { return fmt.Sprint(x) }
	review := url.Values{"basis": {"funding"}, "indicators": {"stated-aims"}, "evidence": {"Published materials reviewed"}, "decision": {"positive"}}
	for _, it := range programme.DueDiligenceItems {
		review.Set("item-"+it.Key, "clear")
	}
	return []dateForm{
		{name: "project", page: f.path("projects", "new"), action: f.path("projects", "new"),
			values: url.Values{"public-title": {"Riverside Mentoring"}, "internal-title": {"Mentoring for young people at risk"},
				"lead-organisation": {id(lead)}, "objectives": {objective}, "scope": {"individuals"}, "areas": {"Riverside"}, "rag": {"green"}},
			dates: []dateField{{"starts-on", "Start date", time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)},
				{"ends-on", "End date", time.Date(2028, 3, 31, 0, 0, 0, 0, time.UTC)}}},
		{name: "milestone", page: f.path("projects", project), action: f.path("projects", project, "milestones"),
			values: url.Values{"title": {"Mentors trained"}}, dates: []dateField{{"due-on", "Due date", today.AddDate(0, 2, 0)}}},
		{name: "commissioning", page: f.path("funding", "commissioning", "new"), action: f.path("funding", "commissioning", "new"),
			values: url.Values{"decision": {"Commission mentoring"}, "decided-by": {id(f.coord.PersonID)}, "evidence": {"Needs assessment"}},
			dates:  []dateField{{"decided-on", "Date decided", today.AddDate(0, 0, -3)}}},
		{name: "review", page: f.path("due-diligence", "organisations", org, "review"), action: f.path("due-diligence", "organisations", org, "review"),
			values: review, dates: []dateField{{"decided-on", "Date decided", today.AddDate(0, 0, -3)},
				{"review-due", "Date the next review is due", today.AddDate(1, 0, 0)}}},
		{name: "meeting", page: f.path("governance", "meetings", "new"), action: f.path("governance", "meetings", "new"),
			values: url.Values{"title": {"Prevent partnership board"}}, dates: []dateField{{"held-on", "Date of the meeting", today}}},
		{name: "action", page: f.path("governance", "actions", "new"), action: f.path("governance", "actions", "new"),
			values: url.Values{"description": {"Write to schools"}, "owner": {id(f.coord.PersonID)}},
			dates:  []dateField{{"due-on", "Due date", today.AddDate(0, 1, 0)}}},
		{name: "completion", page: f.path("training", "courses", course), action: f.path("training", "courses", course, "completions"),
			values: url.Values{"person": {id(f.coord.PersonID)}}, dates: []dateField{{"completed-on", "Date completed", today.AddDate(0, 0, -1)}}},
		{name: "document", page: f.path("library", "new"), action: f.path("library", "new"), upload: true,
			values: url.Values{"title": {"Board notes"}, "kind": {programme.DocumentKinds[0].Kind}, "marking": {"OFFICIAL"},
				"originator": {"Prevent coordinator"}, "audience": {"Board members"}},
			dates: []dateField{{"review-on", "Review date", today.AddDate(1, 0, 0)}}},
	}
}

// TestProgrammeDateInputs: every date a programme form asks for is a GOV.UK date input. A date missing its
// month is refused with the GOV.UK message, linked from the error summary to the month field, which alone is
// marked, and the parts typed are shown again; a full date is saved.
func TestProgrammeDateInputs(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		for _, c := range dateForms(t, f) {
			doc := parse(t, serve(t, f, f.coord, http.MethodGet, c.page, nil))
			for _, d := range c.dates {
				for _, part := range []string{"day", "month", "year"} {
					if doc.Find(fmt.Sprintf("form[action='%s'] .govuk-date-input input#%s-%s[name=%[2]s-%[3]s][inputmode=numeric]", c.action, d.name, part)).Length() != 1 {
						t.Errorf("%s: no %s field for %s", c.name, part, d.name)
					}
				}
				if doc.Find(fmt.Sprintf("input[name=%s]", d.name)).Length() != 0 {
					t.Errorf("%s: %s is still a single field", c.name, d.name)
				}
				if h := doc.Find("#" + d.name + "-hint").Text(); !strings.Contains(h, "For example, ") {
					t.Errorf("%s: hint for %s = %q", c.name, d.name, h)
				}
			}

			w := c.post(t, f, func(d dateField) [3]string { p := dayParts(d.day); p[1] = ""; return p })
			doc = parse(t, w)
			if w.Code != http.StatusOK {
				t.Fatalf("%s without months: %d", c.name, w.Code)
			}
			for _, d := range c.dates {
				link := doc.Find(fmt.Sprintf(".govuk-error-summary a[href='#%s-month']", d.name))
				if want := d.label + " must include a month"; strings.TrimSpace(link.Text()) != want {
					t.Errorf("%s: summary link to %s-month = %q, want %q (summary %q)", c.name, d.name, link.Text(), want, doc.Find(".govuk-error-summary").Text())
				}
				if m := doc.Find("#" + d.name + "-error").Text(); !strings.Contains(m, d.label+" must include a month") {
					t.Errorf("%s: error by %s = %q", c.name, d.name, m)
				}
				p := dayParts(d.day)
				for i, part := range []string{"day", "month", "year"} {
					in := doc.Find("#" + d.name + "-" + part)
					want := p[i]
					if part == "month" {
						want = ""
					}
					if v, _ := in.Attr("value"); v != want {
						t.Errorf("%s: %s-%s kept as %q, want %q", c.name, d.name, part, v, want)
					}
					if in.HasClass("govuk-input--error") != (part == "month") {
						t.Errorf("%s: %s-%s marked in error: %v", c.name, d.name, part, in.HasClass("govuk-input--error"))
					}
				}
			}
			if n := doc.Find(".govuk-error-summary li").Length(); n != len(c.dates) {
				t.Errorf("%s: %d errors, want %d: %q", c.name, n, len(c.dates), doc.Find(".govuk-error-summary").Text())
			}

			if w := c.post(t, f, func(d dateField) [3]string { return dayParts(d.day) }); w.Code != http.StatusSeeOther {
				t.Errorf("%s with full dates: %d %s", c.name, w.Code, parse(t, w).Find(".govuk-error-summary").Text())
			}
		}
	})
}

// TestProgrammeDateErrors posts the project form with dates wrong in each way the date reader finds, and with a
// date the service refuses: each message is shown once, linked to the field with the problem (the day when it
// is the whole date), with the form's other errors; a project's dates are split into their parts for editing.
func TestProgrammeDateErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	c := dateForms(t, f)[0]
	c.values.Del("public-title")
	for _, x := range []struct {
		starts, ends [3]string
		want         map[string]string // summary link to the message
	}{
		{[3]string{"", "", ""}, [3]string{"31", "2", "2028"},
			map[string]string{"#starts-on-day": "Enter the start date", "#ends-on-day": "End date must be a real date"}},
		{[3]string{"", "4", ""}, [3]string{"1", "4", "28"},
			map[string]string{"#starts-on-day": "Start date must include a day and year", "#ends-on-year": "Year must include 4 numbers"}},
		{[3]string{"1", "4", "2027"}, [3]string{"31", "3", "2027"},
			map[string]string{"#ends-on-day": "The end date must be on or after the start date"}},
	} {
		w := c.post(t, f, func(d dateField) [3]string {
			if d.name == "starts-on" {
				return x.starts
			}
			return x.ends
		})
		doc := parse(t, w)
		links := map[string]string{}
		doc.Find(".govuk-error-summary a").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			links[href] += strings.TrimSpace(a.Text())
		})
		if len(links) != len(x.want)+1 || !strings.Contains(links["#public-title"], "public title") {
			t.Errorf("%v %v: summary %v", x.starts, x.ends, links)
		}
		for href, msg := range x.want {
			if links[href] != msg {
				t.Errorf("%v %v: %s = %q, want %q", x.starts, x.ends, href, links[href], msg)
			}
		}
		if v, _ := doc.Find("#ends-on-year").Attr("value"); v != x.ends[2] {
			t.Errorf("ends-on-year kept as %q, want %q", v, x.ends[2])
		}
	}
	// A whole date in error marks all three fields; only the year marks the year alone.
	doc := parse(t, c.post(t, f, func(d dateField) [3]string {
		if d.name == "starts-on" {
			return [3]string{"30", "2", "2027"}
		}
		return [3]string{"1", "4", "27"}
	}))
	for _, part := range []string{"day", "month", "year"} {
		if !doc.Find("#starts-on-" + part).HasClass("govuk-input--error") {
			t.Errorf("starts-on-%s not marked", part)
		}
		if doc.Find("#ends-on-"+part).HasClass("govuk-input--error") != (part == "year") {
			t.Errorf("ends-on-%s marked: %v", part, !(part == "year"))
		}
	}

	c.values.Set("public-title", "Riverside Mentoring")
	w := c.post(t, f, func(d dateField) [3]string { return dayParts(d.day) })
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d", w.Code)
	}
	doc = parse(t, serve(t, f, f.coord, http.MethodGet, w.Header().Get("Location")+"/edit", nil))
	for sel, want := range map[string]string{"#starts-on-day": "1", "#starts-on-month": "4", "#starts-on-year": "2027",
		"#ends-on-day": "31", "#ends-on-month": "3", "#ends-on-year": "2028"} {
		if v, _ := doc.Find(sel).Attr("value"); v != want {
			t.Errorf("edit %s = %q, want %q", sel, v, want)
		}
	}
	doc = parse(t, serve(t, f, f.coord, http.MethodGet, w.Header().Get("Location"), nil))
	if s := doc.Find(".govuk-summary-list").Text(); !strings.Contains(s, "1 April 2027") || !strings.Contains(s, "31 March 2028") {
		t.Errorf("project dates on its page: %q", s)
	}

	// A decision in the future is the service's to refuse: its message is linked to the day.
	com := dateForms(t, f)[2]
	doc = parse(t, com.post(t, f, func(d dateField) [3]string { return [3]string{"1", "1", "2027"} }))
	if a := doc.Find(".govuk-error-summary a[href='#decided-on-day']"); !strings.Contains(a.Text(), "not in the future") {
		t.Errorf("decision in the future: %q", doc.Find(".govuk-error-summary").Text())
	}
}
