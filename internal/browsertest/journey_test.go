package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// journeyPage is a small accessible page with a heading, a select, a date input, a checkbox and two ways on.
const journeyPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>%s – Journey</title></head>
<body>
  <main>
    <h1>%s</h1>
    <p id="said">%s</p>
    <a href="/second" id="on" style="display:inline-block;min-height:24px">Go on</a>
    <form method="post" action="/answer">
      <label for="colour">Colour</label>
      <select id="colour" name="colour"><option value="">Choose</option><option value="r">Dark red</option><option value="b">Deep blue</option></select>
      <label for="when-day">Day</label><input id="when-day" name="when-day">
      <label for="when-month">Month</label><input id="when-month" name="when-month">
      <label for="when-year">Year</label><input id="when-year" name="when-year">
      <input type="checkbox" id="agree" name="agree" value="yes"><label for="agree">I agree</label>
      <button type="submit" style="min-height:40px">Answer</button>
    </form>
  </main>
</body>
</html>`

func newJourneySite(t *testing.T) *httptest.Server {
	t.Helper()
	page := func(w http.ResponseWriter, title, said string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, journeyPage, title, title, said)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/first":
			page(w, "First page", "Nothing yet")
		case "/second":
			page(w, "Second page", "Arrived")
		case "/answer":
			_ = r.ParseForm()
			page(w, "Answered", r.PostForm.Get("colour")+" "+r.PostForm.Get("when-day")+"/"+r.PostForm.Get("when-month")+"/"+
				r.PostForm.Get("when-year")+" "+r.PostForm.Get("agree"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestJourney(t *testing.T) {
	ctx := New(t)
	srv := newJourneySite(t)
	j := NewJourney(t, ctx, srv.URL+"/", "journey-")
	before := len(Checked())

	j.Open("first page", "/first", "main h1")
	if got := j.Text("main h1"); got != "First page" {
		t.Fatalf("heading %q", got)
	}
	if got := j.Path(); got != "/first" {
		t.Fatalf("path %q", got)
	}
	j.Click("go on", "#on", "main h1")
	if got := j.Text("#said"); got != "Arrived" {
		t.Fatalf("after Click the page says %q, want the second page's text", got)
	}
	j.SelectText("#colour", "blue")
	j.SelectValue("#colour", "r")
	j.FillDate("when", time.Date(2026, time.March, 7, 0, 0, 0, 0, time.UTC))
	j.Tick("agree", "yes")
	j.Expect("ticked", `document.querySelector('#agree').checked`)
	j.Submit("answered", "/answer", "#said")
	if got := j.Text("#said"); got != "r 7/3/2026 yes" {
		t.Fatalf("the form sent %q", got)
	}
	j.ClickToHeading("second page again", "#on", "Second")
	if !j.Bool(`document.title.startsWith('Second page')`) {
		t.Fatalf("ClickToHeading stopped on %q", j.Eval(`document.title`))
	}
	if got := Checked(); len(got) != before+2 || got[len(got)-2] != "first page" || got[len(got)-1] != "answered" {
		t.Fatalf("Checked() ends %q, want the two pages checked", got[before:])
	}

	rec := &recordingTB{TB: t}
	(&Journey{T: rec, Ctx: ctx, Base: j.Base}).SelectValue("#colour", "no such colour")
	if len(rec.fatals) != 1 {
		t.Fatalf("SelectValue of a missing option: fatals %q, want one", rec.fatals)
	}
}
