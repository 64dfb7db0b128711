package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/notify"
	"github.com/preventplatform/prevent/internal/prevent"
)

// fixture is the notify service over a real store, with a Source from a slice, a directory of three people and
// a real SMTP server on loopback.
type fixture struct {
	t     *testing.T
	db    *database.DB
	svc   *notify.Service
	src   *sliceSource
	dir   directory
	box   *inbox
	q     *memQueue
	clock *clock
	logs  *syncBuffer
}

// Monday 2 March 2026, 06:00 UTC: before the day's digest hour.
var monday = time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, db *database.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, src: &sliceSource{}, box: &inbox{}, q: &memQueue{}, clock: &clock{t: monday}, logs: &syncBuffer{}}
	f.dir = directory{
		ada: {Name: "Ada Lovelace", Email: "ada@council.example.gov.uk", Active: true},
		ben: {Name: "Ben Okafor", Email: "ben@police.example.police.uk", Active: true},
		cy:  {Name: "Cy Twombly", Email: "cy@school.example.sch.uk", Active: false},
	}
	addr, _ := startSMTP(t, f.box, plainSMTP)
	mailer, err := notify.NewSMTP(notify.SMTPConfig{URL: "smtp://" + addr, From: "Prevent partnership <no-reply@prevent.example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = notify.New(notify.Deps{DB: db, Now: f.clock.now, Source: f.src, Directory: f.dir, Mailer: mailer,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)), PublicURL: publicURL + "/", Queue: f.q})
	for _, id := range []prevent.ID{ada, cy} {
		if err := f.svc.SetPreference(context.Background(), person(id), "immediate"); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// person is a signed-in principal for id.
func person(id prevent.ID) prevent.Principal {
	return prevent.Principal{PersonID: id, OrganisationID: 1, MFA: true,
		Memberships: []prevent.Membership{{PartnershipID: 1, Role: prevent.Referrer}}}
}

func (f *fixture) at(t time.Time) *fixture { f.clock.set(t); return f }

func (f *fixture) scan() {
	f.t.Helper()
	if err := f.svc.Scan(context.Background()); err != nil {
		f.t.Fatalf("scan: %v", err)
	}
}

// deliver runs the email job for every email queued so far, as the job queue would.
func (f *fixture) deliver() {
	f.t.Helper()
	for _, arg := range f.q.take() {
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			f.t.Fatal(err)
		}
		if err := f.svc.Deliver(context.Background(), id, 1, false); err != nil {
			f.t.Fatalf("deliver %d: %v", id, err)
		}
	}
}

// texts are the person's notifications, newest first.
func (f *fixture) texts(id prevent.ID) []string {
	f.t.Helper()
	ns, err := f.svc.List(context.Background(), person(id), 0, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Text)
	}
	return out
}

// mail is one received message, decoded.
type mailMsg struct {
	To, Subject, Text, HTML string
	Raw                     []byte
}

func (f *fixture) mailTo(id prevent.ID) []mailMsg {
	f.t.Helper()
	var out []mailMsg
	for _, r := range f.box.messages() {
		if len(r.To) == 1 && r.To[0] == f.dir[id].Email {
			out = append(out, decodeMail(f.t, r.Data))
		}
	}
	return out
}

func decodeMail(t *testing.T, raw []byte) mailMsg {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, raw)
	}
	out := mailMsg{To: m.Header.Get("To"), Raw: raw}
	if out.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
			out.Text = string(b)
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
			out.HTML = string(b)
		}
	}
	return out
}

func task(id prevent.ID, key string, created, due time.Time) notify.Pending {
	return notify.Pending{PersonID: id, TaskKey: key, CreatedAt: created, Due: due}
}

// TestNewTasksAreEmailedOnceWithCountAndLink: a person who wants email at once gets one email for a scan that
// finds two new tasks, saying how many and linking to the service; scanning again tells nobody anything twice.
// A person on the daily digest is told in the service at once and by email only from the digest hour.
func TestNewTasksAreEmailedOnceWithCountAndLink(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		due := monday.AddDate(0, 0, 10)
		f.src.set(task(ada, "a1", monday, due), task(ada, "a2", monday, due), task(ben, "b1", monday, due))
		f.scan()
		f.deliver()
		if got := f.texts(ada); !slices.Equal(got, []string{"You have 2 new tasks"}) {
			t.Errorf("Ada's notifications = %q", got)
		}
		if got := f.texts(ben); !slices.Equal(got, []string{"You have 1 new task"}) {
			t.Errorf("Ben's notifications = %q", got)
		}
		mails := f.mailTo(ada)
		if len(mails) != 1 {
			t.Fatalf("Ada got %d emails, want 1", len(mails))
		}
		m := mails[0]
		if m.Subject != "You have 2 new tasks in the Prevent partnership service" {
			t.Errorf("subject = %q", m.Subject)
		}
		if !strings.Contains(m.Text, "You have 2 new tasks.") || !strings.Contains(m.Text, publicURL+"/work\r\n") {
			t.Errorf("text body lacks the count or the link:\n%s", m.Text)
		}
		if !strings.Contains(m.HTML, `href="`+publicURL+`/work"`) {
			t.Errorf("HTML body lacks the link:\n%s", m.HTML)
		}
		if len(f.mailTo(ben)) != 0 {
			t.Error("Ben, on the daily digest, was emailed before the digest hour")
		}

		// Scanning again, with the same tasks, tells nobody anything.
		f.at(monday.Add(time.Minute)).scan()
		f.deliver()
		if got := f.texts(ada); len(got) != 1 {
			t.Errorf("after a second scan Ada has %d notifications, want 1", len(got))
		}
		if got := len(f.mailTo(ada)); got != 1 {
			t.Errorf("after a second scan Ada has %d emails, want 1", got)
		}

		// At the digest hour Ben gets his digest; Ada is not emailed again.
		f.at(monday.Add(time.Hour + 5*time.Minute)).scan()
		f.deliver()
		bm := f.mailTo(ben)
		if len(bm) != 1 || !strings.Contains(bm[0].Text, "daily summary") || !strings.Contains(bm[0].Text, "You have 1 new task.") ||
			bm[0].Subject != "You have 1 new task in the Prevent partnership service" {
			t.Errorf("Ben's digests = %+v", bm)
		}
		if got := len(f.mailTo(ada)); got != 1 {
			t.Errorf("Ada has %d emails after the digest hour, want 1", got)
		}
	})
}

// TestDailyDigestAtMostOncePerDay: however many scans find something new, a person on the daily digest gets at
// most one email a day, from the digest hour; what is found after it waits for the next day's; and a day with
// nothing new sends nothing.
func TestDailyDigestAtMostOncePerDay(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		due := monday.AddDate(0, 0, 20)
		f.src.set(task(ben, "b1", monday, due))
		f.scan()
		f.deliver()
		if n := len(f.mailTo(ben)); n != 0 {
			t.Fatalf("%d emails before 07:00", n)
		}
		f.at(monday.Add(time.Hour)).scan() // 07:00
		f.deliver()
		f.src.set(task(ben, "b1", monday, due), task(ben, "b2", monday, due))
		for _, h := range []time.Duration{2, 3, 6, 17} { // 08:00 to 23:00
			f.at(monday.Add(h * time.Hour)).scan()
			f.deliver()
		}
		if got := f.texts(ben); !slices.Equal(got, []string{"You have 1 new task", "You have 1 new task"}) {
			t.Errorf("Ben's notifications = %q", got)
		}
		if n := len(f.mailTo(ben)); n != 1 {
			t.Fatalf("Ben got %d emails on Monday, want 1", n)
		}
		tuesday := monday.AddDate(0, 0, 1)
		f.at(tuesday.Add(59 * time.Minute)).scan() // 06:59
		f.deliver()
		if n := len(f.mailTo(ben)); n != 1 {
			t.Fatalf("Tuesday's digest was sent before 07:00")
		}
		f.at(tuesday.Add(time.Hour)).scan()
		f.at(tuesday.Add(time.Hour + time.Minute)).scan()
		f.deliver()
		mails := f.mailTo(ben)
		if len(mails) != 2 || !strings.Contains(mails[1].Text, "You have 1 new task.") {
			t.Fatalf("Ben's emails by Tuesday = %d, want 2 (the second about the task found on Monday after the digest)", len(mails))
		}
		f.at(tuesday.AddDate(0, 0, 1).Add(time.Hour)).scan() // Wednesday 07:00: nothing new
		f.deliver()
		if n := len(f.mailTo(ben)); n != 2 {
			t.Errorf("a digest with nothing to say was sent (%d emails)", n)
		}
		var digests int
		if err := db.Read().QueryRowContext(context.Background(),
			`SELECT COUNT(*) FROM notification_emails WHERE person_id = $1 AND digest_day <> ''`, ben).Scan(&digests); err != nil {
			t.Fatal(err)
		}
		if digests != 2 {
			t.Errorf("%d digests recorded, want 2", digests)
		}
	})
}

// TestStagesAreToldOnceEach: a task is told as new, then as due soon within two days of its due date, then as
// overdue, each once however often the scan runs; a task first seen overdue is told as new and overdue; a closed
// task is forgotten.
func TestStagesAreToldOnceEach(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		start := monday.Add(4 * time.Hour) // 10:00
		due := start.AddDate(0, 0, 4)      // Friday 10:00
		f.src.set(task(ada, "a1", start, due))
		f.at(start).scan()
		f.at(due.Add(-49 * time.Hour)).scan()
		if got := f.texts(ada); !slices.Equal(got, []string{"You have 1 new task"}) {
			t.Errorf("before due soon: %q", got)
		}
		for _, at := range []time.Time{due.Add(-47 * time.Hour), due.Add(-time.Hour)} {
			f.at(at).scan()
		}
		if got := f.texts(ada); !slices.Equal(got, []string{"1 task is due soon", "You have 1 new task"}) {
			t.Errorf("due soon: %q", got)
		}
		for _, at := range []time.Time{due, due.Add(time.Hour), due.AddDate(0, 0, 3)} {
			f.at(at).scan()
		}
		if got := f.texts(ada); !slices.Equal(got, []string{"1 task is overdue", "1 task is due soon", "You have 1 new task"}) {
			t.Errorf("overdue: %q", got)
		}
		f.deliver()
		var subjects []string
		for _, m := range f.mailTo(ada) {
			subjects = append(subjects, m.Subject)
		}
		if want := []string{"You have 1 new task in the Prevent partnership service", "1 task is due soon in the Prevent partnership service",
			"1 task is overdue in the Prevent partnership service"}; !slices.Equal(subjects, want) {
			t.Errorf("Ada's subjects = %q, want %q", subjects, want)
		}

		// A task already overdue when first seen.
		later := due.AddDate(0, 0, 3)
		f.src.set(task(ada, "a1", start, due), task(ada, "a3", later, later.Add(-time.Hour)), task(ada, "a4", later, time.Time{}))
		f.at(later).scan()
		if got := f.texts(ada)[:2]; !slices.Equal(got, []string{"1 task is overdue", "You have 2 new tasks"}) {
			t.Errorf("first seen overdue: %q", got)
		}

		// Closed tasks are forgotten.
		f.src.set()
		f.at(later.Add(time.Minute)).scan()
		var told int
		if err := db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM notification_told`).Scan(&told); err != nil {
			t.Fatal(err)
		}
		if told != 0 {
			t.Errorf("%d told rows kept for closed tasks", told)
		}
	})
}

// TestNothingPersonalIsStoredSentOrLogged: a case reference and a person's name given to the service (in a task
// key, and in the directory, which never returns the name) appear in no message, no notify table and no log line;
// a refusal from the server that names the recipient is kept only as its reply code.
func TestNothingPersonalIsStoredSentOrLogged(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		const name, ref = "Zebedee Canaryfield", "PRV-2026-00042"
		f.dir[ada] = contact{Name: name, Email: f.dir[ada].Email, Active: true}
		due := monday.AddDate(0, 0, 5)
		f.src.set(task(ada, "referral:"+ref+":screen:"+name, monday, due), task(ben, "case:"+ref+":"+name, monday, due))
		f.box.refuse = 1
		f.scan()
		ids := f.q.take()
		if len(ids) != 1 {
			t.Fatalf("%d emails queued, want 1 (Ada's)", len(ids))
		}
		id, _ := strconv.ParseInt(ids[0], 10, 64)
		if err := f.svc.Deliver(context.Background(), id, 1, false); err == nil {
			t.Fatal("a refused email was reported as sent")
		} else if strings.Contains(err.Error(), "ada@") {
			t.Errorf("the job's error names the recipient: %v", err)
		}
		var status, reason string
		var attempts int
		if err := db.Read().QueryRowContext(context.Background(), `SELECT status, last_error, attempts FROM notification_emails WHERE id = $1`, id).
			Scan(&status, &reason, &attempts); err != nil {
			t.Fatal(err)
		}
		if status != "retrying" || reason != "smtp 451" || attempts != 1 {
			t.Errorf("after a refusal: status %q, reason %q, attempts %d", status, reason, attempts)
		}
		if err := f.svc.Deliver(context.Background(), id, 2, false); err != nil {
			t.Fatal(err)
		}
		f.at(monday.Add(2 * time.Hour)).scan()
		f.deliver()
		if len(f.mailTo(ada)) != 1 || len(f.mailTo(ben)) != 1 {
			t.Fatalf("emails: Ada %d, Ben %d; want 1 each", len(f.mailTo(ada)), len(f.mailTo(ben)))
		}
		canaries := []string{name, "Zebedee", "Canaryfield", ref, "00042", "Lovelace"}
		for _, r := range f.box.messages() {
			m := decodeMail(t, r.Data)
			for _, c := range canaries {
				for part, s := range map[string]string{"raw": string(m.Raw), "subject": m.Subject, "text": m.Text, "html": m.HTML} {
					if strings.Contains(strings.ToLower(s), strings.ToLower(c)) {
						t.Errorf("%q in the %s of an email to %s", c, part, r.To)
					}
				}
			}
		}
		dump := dumpTables(t, db, "notification_preferences", "notification_told", "notifications", "notification_emails")
		for _, c := range append(canaries, "ada@", "ben@", "council.example") {
			if strings.Contains(strings.ToLower(dump), strings.ToLower(c)) {
				t.Errorf("%q stored in notify's tables", c)
			}
			if strings.Contains(strings.ToLower(f.logs.String()), strings.ToLower(c)) {
				t.Errorf("%q in the logs:\n%s", c, f.logs.String())
			}
		}
		if !strings.Contains(f.logs.String(), "reason=\"smtp 451\"") {
			t.Errorf("the failed send was not logged with its reason:\n%s", f.logs.String())
		}
	})
}

// dumpTables is every row of the tables as text.
func dumpTables(t *testing.T, db *database.DB, tables ...string) string {
	t.Helper()
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Read().QueryContext(context.Background(), "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				b.WriteString(strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(v), "\n", " "), "\r", " ")) + "|")
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.String()
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// TestFailedSendIsRetriedByTheJob: with the real job queue, an email the server refuses is tried again, sent once
// the server accepts it, and its attempts are counted.
func TestFailedSendIsRetriedByTheJob(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		q, err := jobs.New(ctx, jobs.Deps{DB: db, Jobs: []jobs.Job{f.svc.Job()}})
		if err != nil {
			t.Fatal(err)
		}
		f.svc.UseQueue(q)
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_ = q.Stop(stopCtx)
		}()
		f.box.refuse = 1
		f.src.set(task(ada, "a1", monday, time.Time{}))
		f.scan()
		deadline := time.Now().Add(30 * time.Second)
		for len(f.mailTo(ada)) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the refused email was not sent again; logs:\n%s", f.logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		var status string
		var attempts int
		var sent *time.Time
		for time.Now().Before(deadline) {
			if err := db.Read().QueryRowContext(ctx, `SELECT status, attempts, sent_at FROM notification_emails WHERE person_id = $1`, ada).
				Scan(&status, &attempts, &sent); err != nil {
				t.Fatal(err)
			}
			if status == "sent" {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if status != "sent" || attempts != 2 || sent == nil {
			t.Errorf("outbox: status %q, attempts %d, sent at %v; want sent on the second attempt", status, attempts, sent)
		}
		if n := len(f.mailTo(ada)); n != 1 {
			t.Errorf("Ada got %d emails, want 1", n)
		}
		if !strings.Contains(f.logs.String(), "notification email not sent") || strings.Contains(f.logs.String(), "ada@") {
			t.Errorf("the failure should be logged without the address:\n%s", f.logs.String())
		}
	})
}

// TestInactiveAccountIsNotEmailed: a disabled account is still told in the service, but its email is cancelled.
func TestInactiveAccountIsNotEmailed(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		f := newFixture(t, db)
		f.src.set(task(cy, "c1", monday, time.Time{}))
		f.scan()
		f.deliver()
		if got := f.texts(cy); !slices.Equal(got, []string{"You have 1 new task"}) {
			t.Errorf("Cy's notifications = %q", got)
		}
		if n := len(f.box.messages()); n != 0 {
			t.Errorf("%d emails sent to an inactive account", n)
		}
		var status string
		if err := db.Read().QueryRowContext(context.Background(), `SELECT status FROM notification_emails WHERE person_id = $1`, cy).Scan(&status); err != nil {
			t.Fatal(err)
		}
		if status != "cancelled" {
			t.Errorf("status = %q, want cancelled", status)
		}
	})
}

// TestWithoutMailerNothingIsQueued: with email off, people are told in the service and no email is queued, now
// or at the digest hour.
func TestWithoutMailerNothingIsQueued(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		c := &clock{t: monday}
		src := &sliceSource{}
		svc := notify.New(notify.Deps{DB: db, Now: c.now, Source: src})
		src.set(task(ada, "a1", monday, time.Time{}), task(ben, "b1", monday, time.Time{}))
		for _, at := range []time.Time{monday, monday.Add(2 * time.Hour)} {
			c.set(at)
			if err := svc.Scan(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		n, err := svc.Unread(context.Background(), person(ben))
		if err != nil || n != 1 {
			t.Errorf("Ben's unread = %d, %v; want 1", n, err)
		}
		var queued int
		if err := db.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM notification_emails`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued != 0 {
			t.Errorf("%d emails queued with email off", queued)
		}
		// A failing source changes nothing.
		src.fail = errors.New("source down")
		if err := svc.Scan(context.Background()); err == nil {
			t.Error("a failing source was not reported")
		}
		if n, _ := svc.Unread(context.Background(), person(ben)); n != 1 {
			t.Errorf("after a failed scan Ben's unread = %d", n)
		}
	})
}

// TestNotificationsAndPreferencesAreOwn: the count, pages and marking read act on the principal's own
// notifications only; preferences default to daily, are validated and audited.
func TestNotificationsAndPreferencesAreOwn(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		for i := range 3 {
			f.src.set(append(f.src.tasks, task(ada, "a"+strconv.Itoa(i), monday, time.Time{}))...)
			f.at(monday.Add(time.Duration(i) * time.Minute)).scan()
		}
		f.src.set(append(f.src.tasks, task(ben, "b1", monday, time.Time{}))...)
		f.scan()
		if n, err := f.svc.Unread(ctx, person(ada)); err != nil || n != 3 {
			t.Fatalf("Ada's unread = %d, %v", n, err)
		}
		page1, err := f.svc.List(ctx, person(ada), 0, 2)
		if err != nil || len(page1) != 2 {
			t.Fatalf("first page: %d, %v", len(page1), err)
		}
		page2, err := f.svc.List(ctx, person(ada), page1[1].ID, 2)
		if err != nil || len(page2) != 1 || page2[0].ID >= page1[1].ID {
			t.Fatalf("second page: %+v, %v", page2, err)
		}
		if page1[0].Stage != notify.StageNew || page1[0].Tasks != 1 || page1[0].CreatedAt.IsZero() || !page1[0].ReadAt.IsZero() {
			t.Errorf("first notification = %+v", page1[0])
		}
		// Ben marks all his read: Ada's stay unread. Ada marks up to the second newest: the newest stays unread.
		if n, err := f.svc.MarkRead(ctx, person(ben), 0); err != nil || n != 1 {
			t.Errorf("Ben marked %d, %v", n, err)
		}
		if n, err := f.svc.MarkRead(ctx, person(ada), page1[1].ID); err != nil || n != 2 {
			t.Errorf("Ada marked %d, %v; want 2", n, err)
		}
		if n, _ := f.svc.Unread(ctx, person(ada)); n != 1 {
			t.Errorf("Ada's unread after marking = %d, want 1", n)
		}
		if _, err := f.svc.List(ctx, prevent.Principal{}, 0, 0); prevent.ErrorKind(err) != prevent.Unauthenticated {
			t.Errorf("anonymous list: %v", err)
		}

		if got, err := f.svc.Preference(ctx, person(ben)); err != nil || got != notify.Daily {
			t.Errorf("Ben's default preference = %q, %v", got, err)
		}
		for _, bad := range []string{"", "weekly"} {
			err := f.svc.SetPreference(ctx, person(ben), bad)
			if fe := prevent.FieldErrors(err); len(fe) != 1 || fe[0].Field != "email" {
				t.Errorf("SetPreference(%q) = %v", bad, err)
			}
		}
		if err := f.svc.SetPreference(ctx, person(ben), "immediate"); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.svc.Preference(ctx, person(ben)); got != notify.Immediate {
			t.Errorf("Ben's preference = %q", got)
		}
		var audited int
		if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_entries WHERE record_kind = 'notification_preferences' AND record_id = $1 AND actor_id = $1`, ben).
			Scan(&audited); err != nil {
			t.Fatal(err)
		}
		if audited != 1 {
			t.Errorf("%d audit entries for Ben's preference, want 1", audited)
		}
	})
}
