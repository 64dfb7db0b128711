package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"
	"github.com/preventplatform/prevent/internal/browsertest"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/work"
)

// mailbox is an SMTP server on loopback that keeps every message it is given.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailed
}

type mailed struct {
	to   []string
	data string
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }

func (m *mailbox) received() []mailed {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailed(nil), m.msgs...)
}

type mailSession struct {
	m  *mailbox
	to []string
}

func (s *mailSession) Reset()                                    { s.to = nil }
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.msgs = append(s.m.msgs, mailed{to: s.to, data: string(b)})
	return nil
}

// startMailbox runs the server and returns its smtp:// URL.
func startMailbox(t *testing.T) (*mailbox, string) {
	t.Helper()
	m := &mailbox{}
	s := smtp.NewServer(m)
	s.Domain = "localhost"
	s.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(ln) }()
	t.Cleanup(func() { _ = s.Close() })
	return m, "smtp://" + ln.Addr().String()
}

// clickTask clicks the My work task titled title for the case with reference ref, and waits for wait.
func (d driver) clickTask(title, ref, wait string) {
	d.t.Helper()
	d.Open("my work", "/work", "main h1")
	found := d.Eval(fmt.Sprintf(`(() => { for (const li of document.querySelectorAll('.app-work-list li')) {
		const a = li.querySelector('a'); if (a && a.textContent.trim() === %q && li.textContent.includes('Case ' + %q)) { a.setAttribute('data-task', 'pick'); return 'yes' } }
		return document.querySelector('main').innerText })()`, title, ref))
	if found != "yes" {
		d.t.Fatalf("My work has no task %q for case %s:\n%s", title, ref, found)
	}
	d.Click(title, `a[data-task="pick"]`, wait)
	d.Check(title)
}

// noTask checks that My work has no task for the case with reference ref.
func (d driver) noTask(who, ref string) {
	d.t.Helper()
	d.Open("my work ("+who+")", "/work", "main h1")
	if strings.Contains(d.Text("main"), "Case "+ref) {
		d.t.Errorf("%s has a task for case %s too early:\n%s", who, ref, d.Text("main"))
	}
}

// progress reads the case page's Channel progress task list: each stage's status.
func (d driver) progress(casePath string) map[string]string {
	d.t.Helper()
	d.Open("case summary", casePath, "main h1")
	raw := d.Eval(`[...document.querySelectorAll('.govuk-task-list__item')].map(li =>
		li.querySelector('.govuk-task-list__name-and-hint').innerText.trim() + '=' + li.querySelector('.govuk-task-list__status').innerText.trim()).join('\n')`)
	out := map[string]string{}
	for _, line := range strings.Split(raw, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out
}

// stage is the stage tag of the case page.
func (d driver) stage(casePath string) string {
	d.t.Helper()
	d.Open("case summary", casePath, ".moj-identity-bar .govuk-tag")
	return d.Text(".moj-identity-bar .govuk-tag")
}

// TestBrowserWorkRunsTheCase drives a case from referral to exit in Chromium with every step found on My work,
// not searched for: a school refers; the police find the triage on My work and refer to Channel; the
// coordinator finds the case on My work at once and chooses its case officer; the officer's tasks lead through
// the assessment, the listing on a meeting's agenda, the panel's decision, the plan, the consent request and the
// consent; the provider sees nothing of an intervention drafted before consent and finds it on My work once
// support starts; a daily digest reaches the test SMTP server with counts and a link, and no name and no case
// reference; the stage and the Channel progress section are right at each step; exit makes the post-exit review
// a task. axe checks every page, and My work reflows at 320 CSS pixels without scrolling sideways.
func TestBrowserWorkRunsTheCase(t *testing.T) {
	t.Parallel()
	ctx := browsertest.New(t)
	db := demoDB(t)
	ta := newTestApp(t, db)
	d := newDriver(t, ctx, ta, "work-")
	today := time.Now().UTC()
	const given, family = "Quillon", "Canarywood" // must never appear in an email

	// The school refers an adult.
	referrer := d.signInAs(prevent.Referrer)
	pid := referrer.Memberships[0].PartnershipID
	casePath, caseID, ref := d.referAdult(pid, given, family, "22", "A former student now recruits younger students to a violent group online")

	// The police find the triage on My work, and refer to Channel.
	officer := d.signInAs(prevent.PoliceOfficer)
	d.clickTask("Triage the referral", ref, "#result")
	d.Run("deconfliction", chromedp.Click(chromedp.CSS("#result")), chromedp.Click(chromedp.CSS("#marking")))
	d.Submit("deconfliction recorded", "/deconfliction", success)
	d.Run("refer", chromedp.Click(chromedp.CSS("input[name=decision][value=refer_to_channel]")))
	d.Submit("refer to Channel: the grounds", "/decision", "#reasonable-grounds")
	d.Run("grounds", chromedp.SendKeys(chromedp.CSS("#reasonable-grounds"), "Recruits younger students to a violent group"))
	d.Submit("referred to Channel", "/decision", success)
	d.noTask("the police after triage", ref)

	// The coordinator finds the case on My work without searching, and chooses its case officer.
	d.agree(prevent.Coordinator, prevent.PoliceOfficer, prevent.PanelMember, prevent.Provider)
	coordinator := d.signInAs(prevent.Coordinator)
	d.clickTask("Choose a case officer", ref, "input[name=officer]")
	d.Submit("officer refused without a choice", "/officer", ".govuk-error-summary")
	d.Run("officer", chromedp.Click(chromedp.CSS(fmt.Sprintf("input[name=officer][value='%d']", coordinator.PersonID))))
	d.Submit("case officer chosen", "/officer", success)
	if s := d.stage(casePath); s != "Channel screening" {
		t.Errorf("stage after screening started: %q", s)
	}
	if p := d.progress(casePath); p["Screening"] != "In progress" || p["Assessment"] != "Not yet started" {
		t.Errorf("progress in screening: %v", p)
	}

	// The officer's tasks: the assessment.
	d.clickTask("Record the assessment", ref, "#factor-1")
	d.Run("factors", chromedp.Click(chromedp.CSS("input[name=factor-3][value=present]")),
		chromedp.SendKeys(chromedp.CSS("#factor-3-evidence"), "Says the group is the only place he belongs"),
		chromedp.SendKeys(chromedp.CSS("#factor-3-source"), "College safeguarding lead"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "Seeks belonging through the group; open to mentoring"))
	d.Submit("assessment recorded", "/assessment/new", success)

	// A panel with a meeting today; the listing puts the case on its agenda.
	chair := d.ta.principal(t, d.session(prevent.PanelChair))
	member := d.ta.principal(t, d.session(prevent.PanelMember))
	d.signInAs(prevent.Coordinator)
	panels := fmt.Sprintf("/partnerships/%d/panels", pid)
	d.Open("panels", panels, "#name")
	d.Run("panel", chromedp.SendKeys(chromedp.CSS("#name"), "Elmshire Channel Panel (work)"), chromedp.SendKeys(chromedp.CSS("#areas"), "Elmshire"))
	d.Submit("panel set up", fmt.Sprintf("/partnerships/%d/panels", pid), success)
	panelPath := d.Eval(`location.pathname`)
	for _, m := range []struct {
		p    prevent.Principal
		role string
	}{{chair, "chair"}, {officer, "police"}, {member, "member"}} {
		d.SelectValue("#person", fmt.Sprint(m.p.PersonID))
		d.Run("role", chromedp.Click(chromedp.CSS("input[name=role][value="+m.role+"]")))
		d.Submit("member added ("+m.role+")", "/members", success)
	}
	schedule := func() string {
		t.Helper()
		d.Open("panel", panelPath, "#held-day")
		d.FillDate("held", today)
		d.Submit("meeting scheduled", "/meetings", success)
		return d.Eval(`location.pathname`)
	}
	meeting := schedule()
	d.clickTask("List the case for a panel meeting", ref, "#panel")
	d.SelectText("#panel", "(work)")
	d.Submit("list for panel form", "/panel/list", "#share-categories")
	d.SelectValue("#meeting", meeting[strings.LastIndex(meeting, "/")+1:])
	d.share("panel pack")
	d.Submit("listed for panel", "/panel/list", success)
	d.clickTask("Discuss the case at the panel meeting", ref, "main h1")
	d.Open("meeting", meeting, "input[name=present]")
	d.JS("present", `document.querySelectorAll('input[name=present]').forEach(c => c.checked = true)`)
	d.Submit("attendance recorded", "/attendance", success)
	decide := func(decision string) {
		t.Helper()
		d.Open("decision form ("+decision+")", fmt.Sprintf("%s/cases/%d", meeting, caseID), "#rationale")
		d.Run("decision", chromedp.Click(chromedp.CSS("input[name=decision][value="+decision+"]")),
			chromedp.Click(chromedp.CSS("input[name=reached][value=unanimous]")),
			chromedp.SendKeys(chromedp.CSS("#rationale"), "Agreed on the evidence of the assessment"))
	}
	decide("adopt")
	d.Submit("adopted", "/cases/"+fmt.Sprint(caseID), success)
	if p := d.progress(casePath); p["Panel"] != "Completed" || p["Consent to support"] != "Not yet started" {
		t.Errorf("progress after adoption: %v", p)
	}

	// The plan, then an intervention drafted before consent: the provider sees nothing of it yet.
	d.clickTask("Record the support plan", ref, "#consent-how")
	d.Run("plan", chromedp.SendKeys(chromedp.CSS("#consent-how"), "A meeting at the college with his tutor"),
		chromedp.SendKeys(chromedp.CSS("#consent-by"), "Prevent coordinator"), chromedp.SendKeys(chromedp.CSS("#objectives"), "Mentoring; a route into work"))
	d.FillDate("consent-when", today)
	d.Submit("support plan saved", "/plan/edit", success)
	providers := fmt.Sprintf("/partnerships/%d/providers", pid)
	d.Open("providers", providers, "#organisation")
	d.SelectText("#organisation", d.account(prevent.Provider).Organisation)
	d.Submit("provider registered", "/providers", success)
	d.Open("intervention form", casePath+"/interventions/new", "#type")
	d.JS("type", `(() => { const s = document.querySelector('#type'); s.value = s.options[1].value })()`)
	d.SelectText("#provider", d.account(prevent.Provider).Organisation)
	d.share("intervention")
	d.Submit("intervention drafted", "/interventions/new", success)
	d.clickTask("Request consent to support", ref, "form[action$='/plan/request-consent']")
	d.Submit("consent requested", "/plan/request-consent", success)
	if s := d.stage(casePath); s != "Consent requested" {
		t.Errorf("stage after the consent request: %q", s)
	}
	if strings.Contains(d.Text(".moj-identity-bar"), "Request consent to support") {
		t.Error("the case still offers to request consent after it was requested")
	}
	d.signInAs(prevent.Provider)
	d.noTask("the provider before consent", ref)
	d.signInAs(prevent.Coordinator)
	d.clickTask("Record the consent decision", ref, "#giver-name")
	d.Run("consent", chromedp.Click(chromedp.CSS("input[name=scope][value=support]")), chromedp.SendKeys(chromedp.CSS("#giver-name"), given+" "+family),
		chromedp.Click(chromedp.CSS("input[name=giver-role][value=self]")), chromedp.SendKeys(chromedp.CSS("#method"), "In person"),
		chromedp.Click(chromedp.CSS("input[name=decision][value=given]")))
	d.Submit("consent given", "/consent/new", success)
	if s := d.stage(casePath); s != "Support in progress" {
		t.Errorf("stage after consent: %q", s)
	}
	if p := d.progress(casePath); p["Consent to support"] != "Completed" || p["Support plan"] != "Completed" || p["Interventions"] != "In progress" {
		t.Errorf("progress once support started: %v", p)
	}

	// The provider finds the intervention on My work once support has started.
	provider := d.signInAs(prevent.Provider)
	d.clickTask("Plan the first session of an intervention", ref, "main h1")
	// My work reflows at 320 CSS pixels.
	d.Open("my work", "/work", "main h1")
	d.Run("narrow screen", chromedp.EmulateViewport(320, 640))
	d.Open("my work at 320px", "/work", "main h1")
	if wide := d.Eval(`String(document.documentElement.scrollWidth > window.innerWidth)`); wide != "false" {
		t.Errorf("My work scrolls sideways at 320px: %s > %s", d.Eval(`String(document.documentElement.scrollWidth)`), d.Eval(`String(window.innerWidth)`))
	}
	d.Run("wide screen", chromedp.EmulateViewport(1280, 900))

	// The daily digest: counts and a link, never a name or a case reference.
	box, smtpURL := startMailbox(t)
	mailer, err := notify.NewSMTP(notify.SMTPConfig{URL: smtpURL, From: "Prevent partnership <no-reply@prevent.example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	noon := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC)
	nt := notify.New(notify.Deps{DB: db, Now: func() time.Time { return noon }, Source: taskSource{work.New(work.Deps{DB: db})},
		Directory: partnership.New(partnership.Deps{DB: db}), Mailer: mailer, Logger: slog.New(slog.DiscardHandler), PublicURL: "https://prevent.example.org"})
	q, err := jobs.New(context.Background(), jobs.Deps{DB: db, Logger: slog.New(slog.DiscardHandler), Jobs: []jobs.Job{nt.Job()}})
	if err != nil {
		t.Fatal(err)
	}
	nt.UseQueue(q)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(stop)
	})
	if err := nt.Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	providerEmail := d.account(prevent.Provider).Email
	var digest mailed
	for range 200 {
		for _, m := range box.received() {
			if len(m.to) == 1 && strings.EqualFold(m.to[0], providerEmail) {
				digest = m
			}
		}
		if digest.data != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if digest.data == "" {
		t.Fatalf("no digest reached the provider (%s); %d messages in all", providerEmail, len(box.received()))
	}
	if !strings.Contains(digest.data, "Prevent partnership service") || !strings.Contains(digest.data, "https://prevent.example.org/work") {
		t.Errorf("the digest lacks its counts or link:\n%s", digest.data)
	}
	for _, m := range box.received() {
		for _, secret := range []string{given, family, ref, "PRV-"} {
			if strings.Contains(m.data, secret) {
				t.Errorf("an email to %v contains %q:\n%s", m.to, secret, m.data)
			}
		}
	}
	_ = provider

	// Exit at a later meeting makes the post-exit review a task of the case officer.
	d.signInAs(prevent.Coordinator)
	meeting = schedule()
	d.SelectValue("#case", fmt.Sprint(caseID))
	d.Submit("on the agenda for review", "/agenda", success)
	d.Open("meeting", meeting, "input[name=present]")
	d.JS("present", `document.querySelectorAll('input[name=present]').forEach(c => c.checked = true)`)
	d.Submit("attendance recorded", "/attendance", success)
	decide("exit")
	d.SelectText("#outcome", "no further terrorism-related concerns")
	d.Submit("exited", "/cases/"+fmt.Sprint(caseID), success)
	if s := d.state(caseID); s != casework.Exited {
		t.Fatalf("after exit: %s", s)
	}
	if s := d.stage(casePath); s != "Exited Channel" {
		t.Errorf("stage after exit: %q", s)
	}
	d.clickTask("Carry out the post-exit review", ref, "main h1")
	if p := d.progress(casePath); p["Exit"] != "Completed" || p["Post-exit reviews"] != "Not yet started" {
		t.Errorf("progress after exit: %v", p)
	}
	t.Logf("axe found no violations on %d pages", len(browsertest.Checked()))
	verifyAfterJourney(t, db)
}
