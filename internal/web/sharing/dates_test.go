package sharing_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/web/core/coretest"
)

// shareDateForm is an information-sharing form that asks for a date.
type shareDateForm struct {
	name         string
	page, action string     // the page that shows the form, and where it is sent
	get          bool       // the form is a GET filter
	values       url.Values // the form's other fields
	date, label  string     // the date input, and what its messages call it
	required     bool       // a date left blank is refused
	today        bool       // the new form suggests today
}

func (c shareDateForm) send(t *testing.T, f fixture, day, month, year string) *goquery.Document {
	t.Helper()
	v := url.Values{}
	for k, x := range c.values {
		v[k] = x
	}
	v.Set(c.date+"-day", day)
	v.Set(c.date+"-month", month)
	v.Set(c.date+"-year", year)
	var w = f.serve(t, f.dpo(), http.MethodPost, c.action, v)
	if c.get {
		w = f.serve(t, f.dpo(), http.MethodGet, c.action+"?"+v.Encode(), nil)
	}
	if w.Code != http.StatusOK {
		t.Fatalf("%s: %s %s %s %s: %d", c.name, c.date, day, month, year, w.Code)
	}
	return parse(t, w)
}

// TestSharingDateInputs: every date the information-sharing pages ask for is a GOV.UK date input. A date left
// blank where one is needed, missing its month, or not a real date is refused with an error that the error
// summary links to a field of the date, and the parts typed are shown again.
func TestSharingDateInputs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.NewSQLite(t))
	dpo := f.dpo()
	draft := url.Values{"title": {"Dated agreement"}, "parties": {itoa(f.public), itoa(f.nonPublic)},
		"purposes": {"support_delivery"}, "categories": {"identity"}, "gateways": {"consent"},
		"retention": {"Six years"}, "disposal": {"Secure deletion"}, "security": {"Named mentors only"},
		"review-date-day": {"31"}, "review-date-month": {"10"}, "review-date-year": {"2027"}}
	agreement := wantRedirect(t, f.serve(t, dpo, http.MethodPost, f.path("agreements", "new"), draft), f.path("agreements")+"/")
	request := wantRedirect(t, f.serve(t, dpo, http.MethodPost, f.path("subject-access", "new"), url.Values{"received-day": {"31"},
		"received-month": {"10"}, "received-year": {"2026"}, "requester": {"Sam Example"}, "subject": {"Sam Example"}, "regime": {"uk_gdpr"}}),
		f.path("subject-access")+"/")
	without := func(v url.Values, date string) url.Values {
		out := url.Values{}
		for k, x := range v {
			if !strings.HasPrefix(k, date+"-") {
				out[k] = x
			}
		}
		return out
	}
	// The gateway lacks its summary, so that it is refused when its dates are right.
	gateway := url.Values{"code": {"dated_protocol"}, "name": {"Dated protocol"},
		"without-consent": {"no"}, "sectors": {"education"}, "valid-from-day": {"1"}, "valid-from-month": {"4"}, "valid-from-year": {"2026"}}
	forms := []shareDateForm{
		{name: "gateway from", page: f.path("gateways", "new"), action: f.path("gateways", "new"), values: without(gateway, "valid-from"),
			date: "valid-from", label: "Valid from", required: true},
		{name: "gateway to", page: f.path("gateways", "new"), action: f.path("gateways", "new"), values: gateway,
			date: "valid-to", label: "Valid until"},
		{name: "new agreement", page: f.path("agreements", "new"), action: f.path("agreements", "new"), values: without(draft, "review-date"),
			date: "review-date", label: "Review date", required: true},
		{name: "amended agreement", page: agreement + "/edit", action: agreement + "/edit", values: without(draft, "review-date"),
			date: "review-date", label: "Review date", required: true},
		{name: "signatory", page: agreement + "/signatories/new", action: agreement + "/signatories/new",
			values: url.Values{"organisation": {itoa(f.public)}, "name": {"Signer"}, "job-title": {"Director"}},
			date:   "signed-on", label: "Date of signature", required: true, today: true},
		{name: "acknowledgement", page: f.path("acknowledgements", "new"), action: f.path("acknowledgements", "new"),
			values: url.Values{"organisation": {itoa(f.nonPublic)}, "acknowledged-by": {"Chief executive"}, "text-version": {"dp-duties-2026-1"}},
			date:   "acknowledged-on", label: "Date of the acknowledgement", required: true, today: true},
		{name: "subject access request", page: f.path("subject-access", "new"), action: f.path("subject-access", "new"),
			values: url.Values{"requester": {"Pat Example"}, "subject": {"Pat Example"}, "regime": {"uk_gdpr"}},
			date:   "received", label: "Date received", required: true, today: true},
		{name: "answer", page: request, action: request + "/complete", date: "completed-on", label: "Date answered", required: true, today: true},
		{name: "ledger from", page: f.path("disclosures"), action: f.path("disclosures"), get: true, values: url.Values{"gateway": {"consent"}},
			date: "from", label: "From"},
		{name: "ledger to", page: f.path("disclosures"), action: f.path("disclosures"), get: true, values: url.Values{"gateway": {"consent"}},
			date: "to", label: "To"},
	}
	for _, c := range forms {
		doc := parse(t, f.serve(t, dpo, http.MethodGet, c.page, nil))
		for _, part := range []string{"day", "month", "year"} {
			if doc.Find(fmt.Sprintf(".govuk-date-input input#%s-%s[name=%[1]s-%[2]s][inputmode=numeric]", c.date, part)).Length() != 1 {
				t.Errorf("%s: no %s field for %s", c.name, part, c.date)
			}
		}
		if doc.Find(fmt.Sprintf("input[name=%s]", c.date)).Length() != 0 {
			t.Errorf("%s: %s is still a single field", c.name, c.date)
		}
		if h := doc.Find("#" + c.date + "-hint").Text(); strings.Contains(h, "YYYY") {
			t.Errorf("%s: hint for %s = %q", c.name, c.date, h)
		}
		if c.today {
			coretest.WantDateTyped(t, doc, c.date, "9", "11", "2026")
		}

		if c.required {
			doc = c.send(t, f, "", "", "")
			coretest.WantErrorLinks(t, doc, "#"+c.date+"-day")
			if doc.Find("#"+c.date+"-error").Length() != 1 {
				t.Errorf("%s: blank %s has no error by the date", c.name, c.date)
			}
		} else {
			doc = c.send(t, f, "", "", "")
			if doc.Find("#"+c.date+"-error").Length() != 0 {
				t.Errorf("%s: the optional %s left blank is refused: %q", c.name, c.date, doc.Find("#"+c.date+"-error").Text())
			}
		}

		doc = c.send(t, f, "12", "", "2026")
		coretest.WantErrorLinks(t, doc, "#"+c.date+"-month")
		if m := doc.Find("#" + c.date + "-error").Text(); !strings.Contains(m, c.label+" must include a month") {
			t.Errorf("%s: error by %s without a month = %q", c.name, c.date, m)
		}
		coretest.WantDateTyped(t, doc, c.date, "12", "", "2026")
		if !doc.Find("#"+c.date+"-month").HasClass("govuk-input--error") || doc.Find("#"+c.date+"-day").HasClass("govuk-input--error") {
			t.Errorf("%s: %s without a month marks the wrong parts", c.name, c.date)
		}

		doc = c.send(t, f, "31", "2", "2027")
		coretest.WantErrorLinks(t, doc, "#"+c.date+"-day")
		if m := doc.Find("#" + c.date + "-error").Text(); !strings.Contains(m, c.label+" must be a real date") {
			t.Errorf("%s: error by %s on 31 2 2027 = %q", c.name, c.date, m)
		}
		coretest.WantDateTyped(t, doc, c.date, "31", "2", "2027")
	}
}
