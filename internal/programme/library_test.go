package programme_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/programme"
)

func docx(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "word/document.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<xml/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSniffType(t *testing.T) {
	ok := map[string][]byte{
		"application/pdf":           []byte("%PDF-1.7\n..."),
		"image/png":                 []byte("\x89PNG\r\n\x1a\n\x00\x00"),
		"text/plain; charset=utf-8": []byte("Minutes of the board\nItem 1\n"),
		"application/msword":        []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": docx(t),
	}
	for want, content := range ok {
		name := "file.doc"
		if got, accepted := programme.SniffType(name, content); !accepted || got != want {
			t.Errorf("SniffType(%q...) = %q, %v; want %q", content[:4], got, accepted, want)
		}
	}
	var plainZip bytes.Buffer
	zw := zip.NewWriter(&plainZip)
	w, _ := zw.Create("payload.exe")
	w.Write([]byte("MZ"))
	zw.Close()
	for name, content := range map[string][]byte{"a.exe": []byte("MZ\x90\x00\x03\x00"), "a.zip": plainZip.Bytes(), "a.bin": {0, 1, 2, 3},
		"a.xyz": []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")} {
		if got, accepted := programme.SniffType(name, content); accepted {
			t.Errorf("SniffType(%s) accepted as %s", name, got)
		}
	}
}

func TestLibrary(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		cleared := f.coordinator
		cleared.Clearance = prevent.Clearance{Level: prevent.BPSS}
		in := programme.DocumentInput{Title: "Counter-terrorism local profile 2026", Kind: "ctlp", Marking: "OFFICIAL-SENSITIVE", Originator: "Counter Terrorism Policing",
			Audience: "Prevent partnership board", ReviewOn: "2027-06-30", Filename: "ctlp.pdf", Content: []byte("%PDF-1.7\nprofile")}
		// Refusals, each with a clear message on the right field.
		refused := func(what, field, msg string, p prevent.Principal, in programme.DocumentInput) {
			t.Helper()
			before := auditCount(t, db)
			_, err := s.Upload(ctx, p, f.pid, in)
			found := false
			for _, fe := range prevent.FieldErrors(err) {
				found = found || (fe.Field == field && strings.Contains(fe.Message, msg))
			}
			if !found {
				t.Errorf("%s: %v %v; want %s: %q", what, err, prevent.FieldErrors(err), field, msg)
			}
			if auditCount(t, db) != before {
				t.Errorf("%s: a refused upload was audited", what)
			}
		}
		secret := in
		secret.Marking = "SECRET"
		sc := cleared
		sc.Clearance = prevent.Clearance{Level: prevent.SC}
		refused("SECRET upload", "marking", "SECRET documents cannot be uploaded", sc, secret)
		refused("upload above own clearance", "marking", "Your vetting does not cover OFFICIAL-SENSITIVE", f.coordinator, in)
		big := in
		big.Content = append([]byte("%PDF-1.7\n"), make([]byte, programme.MaxDocumentSize)...)
		refused("oversized upload", "file", "smaller than 10 MB", cleared, big)
		exe := in
		exe.Filename, exe.Content = "tool.exe", []byte("MZ\x90\x00\x03\x00\x00\x00")
		refused("wrong type", "file", "must be a PDF, Word, Excel", cleared, exe)
		if _, err := s.Upload(ctx, f.referrer, f.pid, in); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer uploading: %v", err)
		}

		var doc prevent.ID
		audited(t, db, "upload", func() (err error) { doc, err = s.Upload(ctx, cleared, f.pid, in); return err })
		public := in
		public.Title, public.Marking, public.Filename, public.Content = "Newsletter", "OFFICIAL", "news.txt", []byte("Spring newsletter\n")
		if _, err := s.Upload(ctx, cleared, f.pid, public); err != nil {
			t.Fatal(err)
		}
		// Without BPSS the OFFICIAL-SENSITIVE document is NotFound and not listed; with it, it is readable.
		if _, err := s.Document(ctx, f.referrer, f.pid, doc); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer without BPSS reading details: %v", err)
		}
		if _, err := s.Content(ctx, f.referrer, f.pid, doc, 0); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer without BPSS reading content: %v", err)
		}
		docs, err := s.Documents(ctx, f.referrer, f.pid)
		if err != nil || len(docs) != 1 || docs[0].Title != "Newsletter" {
			t.Errorf("referrer's list = %+v, %v", docs, err)
		}
		expired := f.referrer
		expired.Clearance = prevent.Clearance{Level: prevent.BPSS, Expires: f.clock.t}
		if _, err := s.Content(ctx, expired, f.pid, doc, 0); kindOf(err) != prevent.NotFound {
			t.Errorf("expired BPSS reading content: %v", err)
		}
		if _, err := s.Content(ctx, f.outsider, f.pid, doc, 0); kindOf(err) != prevent.NotFound {
			t.Errorf("another partnership reading content: %v", err)
		}
		reader := f.referrer
		reader.Clearance = prevent.Clearance{Level: prevent.BPSS}
		var file programme.File
		audited(t, db, "read content", func() (err error) { file, err = s.Content(ctx, reader, f.pid, doc, 0); return err })
		if file.ContentType != "application/pdf" || string(file.Content) != "%PDF-1.7\nprofile" || file.Filename != "ctlp.pdf" {
			t.Errorf("content = %+v", file)
		}
		if docs, _ := s.Documents(ctx, reader, f.pid); len(docs) != 2 {
			t.Errorf("cleared reader lists %d documents, want 2", len(docs))
		}
		// Versions.
		if _, err := s.AddVersion(ctx, cleared, f.pid, doc, "tool.exe", []byte("MZ\x90\x00")); !prevent.Fields(prevent.FieldErrors(err)).Has("file") {
			t.Errorf("wrong-type version: %v", err)
		}
		if _, err := s.AddVersion(ctx, f.coordinator, f.pid, doc, "v2.pdf", []byte("%PDF-1.7\nv2")); kindOf(err) != prevent.NotFound {
			t.Errorf("uncleared editor adding a version: %v", err)
		}
		var v int
		audited(t, db, "add version", func() (err error) { v, err = s.AddVersion(ctx, cleared, f.pid, doc, "v2.docx", docx(t)); return err })
		d, err := s.Document(ctx, reader, f.pid, doc)
		if err != nil || v != 2 || d.CurrentVersion != 2 || len(d.Versions) != 2 || d.Versions[0].Filename != "v2.docx" || d.Marking != prevent.OfficialSensitive {
			t.Errorf("document after new version = %+v, %v", d, err)
		}
		if old, err := s.Content(ctx, reader, f.pid, doc, 1); err != nil || string(old.Content) != "%PDF-1.7\nprofile" {
			t.Errorf("version 1 = %+v, %v", old, err)
		}
		// Details: an uncleared editor cannot see the document to change it; a cleared one may lower its marking.
		details := programme.DocumentDetails{Title: "CTLP summary", Kind: "ctlp", Marking: "OFFICIAL", Originator: "CTP", Audience: "All partners", ReviewOn: "2027-06-30"}
		if err := s.UpdateDocument(ctx, f.coordinator, f.pid, doc, details); kindOf(err) != prevent.NotFound {
			t.Errorf("uncleared editor updating: %v", err)
		}
		details.Marking = "SECRET"
		if err := s.UpdateDocument(ctx, sc, f.pid, doc, details); !prevent.Fields(prevent.FieldErrors(err)).Has("marking") {
			t.Errorf("raising to SECRET: %v", err)
		}
		details.Marking = "OFFICIAL"
		audited(t, db, "update details", func() error { return s.UpdateDocument(ctx, cleared, f.pid, doc, details) })
		if d, err := s.Document(ctx, f.referrer, f.pid, doc); err != nil || d.Title != "CTLP summary" || d.Marking != prevent.Official {
			t.Errorf("after lowering the marking: %+v, %v", d, err)
		}
		// Audit entries name the actor and the partnership.
		var actor, partnership int64
		var kind string
		if err := db.Read().QueryRowContext(ctx, `SELECT actor_id, partnership_id, record_kind FROM audit_entries ORDER BY seq DESC LIMIT 1`).Scan(&actor, &partnership, &kind); err != nil {
			t.Fatal(err)
		}
		if actor != cleared.PersonID || partnership != f.pid || kind != "library_document" {
			t.Errorf("last audit entry: actor %d partnership %d kind %s", actor, partnership, kind)
		}
	})
}

func TestQandA(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		defaults, err := s.PublicQandA(ctx, f.pid)
		if err != nil || len(defaults) < 5 {
			t.Fatalf("default Q&A = %d, %v", len(defaults), err)
		}
		if _, err := s.SaveQandA(ctx, f.referrer, f.pid, 0, programme.QandAInput{Topic: "x", Question: "y", Answer: "z", Sort: "1"}); kindOf(err) != prevent.NotFound {
			t.Errorf("referrer editing Q&A: %v", err)
		}
		if _, err := s.SaveQandA(ctx, f.coordinator, f.pid, 0, programme.QandAInput{Sort: "x"}); len(prevent.FieldErrors(err)) != 4 {
			t.Errorf("empty Q&A: %v", prevent.FieldErrors(err))
		}
		audited(t, db, "edit a default", func() error {
			_, err := s.SaveQandA(ctx, f.coordinator, f.pid, defaults[0].ID, programme.QandAInput{Topic: "Who Prevent is for", Question: defaults[0].Question, Answer: "Our own answer.", Sort: "1"})
			return err
		})
		audited(t, db, "delete", func() error { return s.DeleteQandA(ctx, f.coordinator, f.pid, defaults[1].ID) })
		own, err := s.PublicQandA(ctx, f.pid)
		if err != nil || len(own) != len(defaults)-1 || own[0].Answer != "Our own answer." {
			t.Errorf("own Q&A = %+v, %v", own, err)
		}
		// Another partnership still sees the defaults, unchanged.
		again, _ := s.PublicQandA(ctx, f.outsider.Memberships[0].PartnershipID)
		if len(again) != len(defaults) || again[0].Answer != defaults[0].Answer {
			t.Errorf("defaults changed for another partnership: %+v", again)
		}
	})
}
