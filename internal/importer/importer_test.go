package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/importer"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/testworld"
	"github.com/xuri/excelize/v2"
)

var clock = func() time.Time { return time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC) }

// world is the demo partnership with an importer, and what a file needs to name.
type world struct {
	testworld.DemoWorld
	db       *database.DB
	imp      *importer.Service
	admin    prevent.Principal
	police   string // a police officer's email
	officer  string // a coordinator's email
	referrer string // a referrer's email
	org      string // the referrer's organisation
	concern  string // a type of concern code
	reason   string // a reason for no further action
	service  string // a signposting service
}

func newWorld(t testing.TB, d database.Dialect) *world {
	t.Helper()
	db, w := testworld.NewDemo(t, d, clock)
	x := &world{DemoWorld: w, db: db, admin: w.Roles[prevent.Administrator]}
	x.imp = importer.New(importer.Deps{DB: db, Partnership: partnership.New(partnership.Deps{DB: db, Now: clock}), Casework: w.Casework, Now: clock})
	for _, a := range w.Accounts {
		switch prevent.Role(a.Role) {
		case prevent.PoliceOfficer:
			if x.police == "" {
				x.police = a.Email
			}
		case prevent.Coordinator:
			if x.officer == "" {
				x.officer = a.Email
			}
		case prevent.Referrer:
			if x.referrer == "" {
				x.referrer, x.org = a.Email, a.Organisation
			}
		}
	}
	q := db.Read()
	for list, dst := range map[string]*string{"concern_type": &x.concern, "triage_reason": &x.reason, "signpost_service": &x.service} {
		if err := q.QueryRowContext(context.Background(), `SELECT code FROM case_reference WHERE list = $1 AND code <> 'not_sure' ORDER BY sort, code LIMIT 1`, list).Scan(dst); err != nil {
			t.Fatal(list, err)
		}
	}
	if x.police == "" || x.officer == "" || x.referrer == "" {
		t.Fatal("the demo has no police officer, coordinator or referrer")
	}
	return x
}

var caseHeader = []string{"source_reference", "stage", "referred_on", "referrer_organisation", "referrer_email", "given_names", "family_name",
	"date_of_birth", "postcode", "types", "what_happened", "person_knows", "parent_knows", "triaged_by", "triaged_on", "deconfliction",
	"reason", "service", "reasonable_grounds", "rationale", "case_officer"}

// caseRow is one row of a cases file at a stage, with what that stage needs.
func (x *world) caseRow(i int, stage string) []string {
	r := map[string]string{"source_reference": fmt.Sprintf("OLD-%05d", i), "stage": stage, "referred_on": "2025-11-03",
		"referrer_organisation": x.org, "referrer_email": x.referrer, "given_names": fmt.Sprintf("Imported%d", i), "family_name": "Person",
		"date_of_birth": "14/02/1990", "postcode": "EL1 2AB", "types": x.concern, "what_happened": "Shared material at college",
		"person_knows": "yes"}
	if stage != "submitted" && stage != "police_triage" {
		r["triaged_by"], r["triaged_on"], r["deconfliction"] = x.police, "2025-11-07", "no_trace"
	}
	switch stage {
	case "closed_nfa":
		r["reason"] = x.reason
	case "signposted":
		r["service"] = x.service
	case "police_led_management":
		r["rationale"] = "Managed by the neighbourhood team"
	case "channel_screening":
		r["reasonable_grounds"], r["case_officer"] = "Expressed support for violence and sought material", x.officer
	}
	out := make([]string, len(caseHeader))
	for j, h := range caseHeader {
		out[j] = r[h]
	}
	return out
}

func csvFile(t testing.TB, header []string, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(header)
	_ = w.WriteAll(rows)
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func count(t testing.TB, db *database.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var stages = []string{"submitted", "police_triage", "closed_nfa", "signposted", "police_led_management", "pursue_handover", "channel_screening"}

// TestImportCases brings in a case at every stage that can be imported and checks where each landed, what the
// audit log says, that the case officer holds the Channel case, and that the same file is refused the second
// time with nothing written.
func TestImportCases(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d database.Dialect) {
		x := newWorld(t, d)
		ctx := context.Background()
		var rows [][]string
		for i, s := range stages {
			rows = append(rows, x.caseRow(i, s))
		}
		file := csvFile(t, caseHeader, rows)
		pid := x.PartnershipID
		before := count(t, x.db, `SELECT count(*) FROM referrals`)

		r, err := x.imp.Check(ctx, x.admin, pid, importer.Cases, "caseload.csv", file)
		if err != nil || !r.OK() || r.Rows != len(stages) {
			t.Fatalf("check: %v %+v", err, r)
		}
		if n := count(t, x.db, `SELECT count(*) FROM referrals`); n != before {
			t.Fatalf("a check wrote %d referrals", n-before)
		}
		var ticks int
		r, err = x.imp.Run(ctx, x.admin, pid, importer.Cases, "caseload.csv", file, func(done, total int) { ticks++ })
		if err != nil || !r.OK() || r.Written != len(stages) || ticks != len(stages) {
			t.Fatalf("run: %v %+v (%d progress calls)", err, r, ticks)
		}
		for i, s := range stages {
			var state, ref string
			var submitted time.Time
			if err := x.db.Read().QueryRowContext(ctx, `SELECT r.state, r.reference, r.submitted_at FROM imported_cases ic JOIN referrals r ON r.id = ic.referral_id
				WHERE ic.source_reference = $1`, fmt.Sprintf("OLD-%05d", i)).Scan(&state, &ref, &submitted); err != nil {
				t.Fatal(err)
			}
			if state != s || !strings.HasPrefix(ref, "PRV-2025-") || !submitted.Equal(time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("row %d: state %s reference %s submitted %s, want %s in 2025", i+2, state, ref, submitted, s)
			}
		}
		if n := count(t, x.db, `SELECT count(*) FROM audit_entries WHERE detail LIKE $1`, fmt.Sprintf("%%from import %d (caseload.csv)%%", r.ImportID)); n < len(stages) {
			t.Errorf("%d audit entries name the import, want at least one per case", n)
		}
		var id prevent.ID
		if err := x.db.Read().QueryRowContext(ctx, `SELECT referral_id FROM imported_cases WHERE source_reference = 'OLD-00006'`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		c, err := x.Casework.Referral(ctx, x.Roles[prevent.Coordinator], id)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != casework.ChannelScreening || c.CaseOfficer == "" || c.Triage.Outcome != casework.EvReferToChannel {
			t.Errorf("the Channel case reads %s, officer %q, triage %q", c.State, c.CaseOfficer, c.Triage.Outcome)
		}
		// The workflow goes on from where the import left it.
		if _, err := x.Casework.Triage(ctx, x.Roles[prevent.PoliceOfficer], id, casework.TriageInput{Decision: casework.EvCloseNFA, Reason: x.reason}); prevent.ErrorKind(err) != prevent.Conflict {
			t.Errorf("triaging an imported Channel case again: %v, want a conflict", err)
		}

		after := count(t, x.db, `SELECT count(*) FROM referrals`)
		again, err := x.imp.Run(ctx, x.admin, pid, importer.Cases, "caseload-copy.csv", file, nil)
		if err != nil || again.OK() || again.Written != 0 || !strings.Contains(again.Problems[0].Message, "already imported") {
			t.Fatalf("a second run of the same file: %v %+v", err, again)
		}
		if n := count(t, x.db, `SELECT count(*) FROM referrals`); n != after {
			t.Errorf("the second run wrote %d referrals", n-after)
		}
		// The same cases in another file are refused by their references.
		other := csvFile(t, caseHeader, rows[:2])
		again, err = x.imp.Check(ctx, x.admin, pid, importer.Cases, "part.csv", other)
		if err != nil || len(again.Problems) != 2 || again.Problems[0].Column != "source_reference" {
			t.Fatalf("the same cases in another file: %v %+v", err, again)
		}
	})
}

// TestImportBadRowWritesNothing: one bad row among good ones refuses the whole file, and the report names the
// row and column without quoting the cell.
func TestImportBadRowWritesNothing(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d database.Dialect) {
		x := newWorld(t, d)
		ctx := context.Background()
		var rows [][]string
		for i := range 5 {
			rows = append(rows, x.caseRow(i, "channel_screening"))
		}
		rows[3][18] = ""                         // reasonable_grounds: the guard on referral to Channel
		rows[1][13] = "nobody@elsewhere.example" // triaged_by
		rows[4][2] = "2025-13-45"                // referred_on
		before := count(t, x.db, `SELECT count(*) FROM referrals`)
		audit := count(t, x.db, `SELECT count(*) FROM audit_entries`)
		r, err := x.imp.Run(ctx, x.admin, x.PartnershipID, importer.Cases, "bad.csv", csvFile(t, caseHeader, rows), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []importer.Problem{
			{Row: 3, Column: "triaged_by", Message: "No member of the partnership has this email address"},
			{Row: 5, Column: "reasonable_grounds", Message: "Enter why there are reasonable grounds to believe the person is vulnerable to being drawn into terrorism"},
			{Row: 6, Column: "referred_on", Message: "Enter a real date, like 2024-03-27 or 27/03/2024"},
		}
		for _, w := range want {
			found := false
			for _, p := range r.Problems {
				found = found || p == w
			}
			if !found {
				t.Errorf("the report lacks %+v: %+v", w, r.Problems)
			}
		}
		for _, p := range r.Problems {
			if strings.Contains(p.Message, "nobody@") {
				t.Errorf("the report quotes a cell: %+v", p)
			}
		}
		if r.Written != 0 || count(t, x.db, `SELECT count(*) FROM referrals`) != before || count(t, x.db, `SELECT count(*) FROM imports`) != 0 {
			t.Errorf("a file with problems wrote something: %+v", r)
		}
		if n := count(t, x.db, `SELECT count(*) FROM audit_entries`); n != audit {
			t.Errorf("a refused file wrote %d audit entries", n-audit)
		}
		var b bytes.Buffer
		if err := r.WriteCSV(&b); err != nil || !strings.Contains(b.String(), "5,reasonable_grounds,Enter why") {
			t.Errorf("the report as CSV: %v\n%s", err, b.String())
		}
	})
}

// TestImportStageItsDataDoesNotSupport: a case is not brought into a stage without what the pathway needs,
// nor given a triage it did not have.
func TestImportStageItsDataDoesNotSupport(t *testing.T) {
	x := newWorld(t, database.SQLite)
	ctx := context.Background()
	closed := x.caseRow(1, "closed_nfa")
	closed[16] = "" // no reason
	untriaged := x.caseRow(2, "submitted")
	untriaged[15] = "no_trace"
	panel := x.caseRow(3, "channel_screening")
	panel[1] = "adopted"
	r, err := x.imp.Check(ctx, x.admin, x.PartnershipID, importer.Cases, "stages.csv", csvFile(t, caseHeader, [][]string{closed, untriaged, panel}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range r.Problems {
		got[fmt.Sprintf("%d:%s", p.Row, p.Column)] = true
	}
	for _, w := range []string{"2:reason", "3:deconfliction", "4:stage"} {
		if !got[w] {
			t.Errorf("no problem at %s: %+v", w, r.Problems)
		}
	}
}

// TestImportPeople brings in a new organisation and its staff with roles, in one transaction, and refuses a
// file with an email address twice.
func TestImportPeople(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, d database.Dialect) {
		x := newWorld(t, d)
		ctx := context.Background()
		header := []string{"Organisation", "Sector", "Public body", "Name", "Email", "Job title", "Roles"}
		rows := [][]string{
			{"Elmshire Youth Trust", "community", "no", "Ada Brook", "ada.brook@youthtrust.example", "Mentor", "provider"},
			{"Elmshire Youth Trust", "community", "no", "Ben Hale", "ben.hale@youthtrust.example", "Lead", "provider; referrer"},
			{x.org, "", "", "Cara Lind", "cara.lind@college.example", "", "referrer"},
		}
		r, err := x.imp.Run(ctx, x.admin, x.PartnershipID, importer.People, "staff.csv", csvFile(t, header, rows), nil)
		if err != nil || !r.OK() || r.Written != 3 {
			t.Fatalf("run: %v %+v", err, r)
		}
		if n := count(t, x.db, `SELECT count(*) FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.email = 'ben.hale@youthtrust.example'`); n != 2 {
			t.Errorf("Ben Hale has %d roles, want 2", n)
		}
		if n := count(t, x.db, `SELECT count(*) FROM partnership_organisations po JOIN organisations o ON o.id = po.organisation_id
			WHERE o.name = 'Elmshire Youth Trust' AND po.partnership_id = $1`, x.PartnershipID); n != 1 {
			t.Errorf("the new organisation joined %d times", n)
		}
		dup := [][]string{
			{"Elmshire Youth Trust", "", "", "Dee Moss", "dee@youthtrust.example", "", "provider"},
			{"Elmshire Youth Trust", "", "", "Dee Moss", "DEE@youthtrust.example", "", "provider"},
			{"Elmshire Youth Trust", "", "", "Ada Brook", "ada.brook@youthtrust.example", "", "wizard"},
		}
		people := count(t, x.db, `SELECT count(*) FROM people`)
		r, err = x.imp.Run(ctx, x.admin, x.PartnershipID, importer.People, "more.csv", csvFile(t, header, dup), nil)
		if err != nil || r.OK() {
			t.Fatalf("a file with problems: %v %+v", err, r)
		}
		want := map[string]bool{"3:email": true, "4:email": true, "4:roles": true}
		for _, p := range r.Problems {
			delete(want, fmt.Sprintf("%d:%s", p.Row, p.Column))
		}
		if len(want) > 0 || count(t, x.db, `SELECT count(*) FROM people`) != people {
			t.Errorf("missing problems %v, or people written: %+v", want, r.Problems)
		}
		// Nobody but an administrator imports.
		if _, err := x.imp.Check(ctx, x.Roles[prevent.Coordinator], x.PartnershipID, importer.People, "staff.csv", csvFile(t, header, rows)); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("a coordinator checking a file: %v, want not found", err)
		}
	})
}

// TestImportWorkbook reads the XLSX template back, and a workbook filled in as a person would (dates as
// spreadsheet dates).
func TestImportWorkbook(t *testing.T) {
	x := newWorld(t, database.SQLite)
	for _, k := range []importer.Kind{importer.People, importer.Cases} {
		b, err := importer.Template(k, "xlsx")
		if err != nil {
			t.Fatal(err)
		}
		r, err := x.imp.Check(context.Background(), x.admin, x.PartnershipID, k, "template.xlsx", b)
		if err != nil || len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, "no rows") {
			t.Errorf("%s template: %v %+v", k, err, r.Problems)
		}
	}
	f := excelize.NewFile()
	for j, h := range caseHeader {
		cell, _ := excelize.CoordinatesToCellName(j+1, 1)
		_ = f.SetCellStr("Sheet1", cell, h)
	}
	row := x.caseRow(1, "signposted")
	for j, v := range row {
		cell, _ := excelize.CoordinatesToCellName(j+1, 2)
		if caseHeader[j] == "referred_on" {
			_ = f.SetCellValue("Sheet1", cell, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC))
			continue
		}
		_ = f.SetCellStr("Sheet1", cell, v)
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := x.imp.Run(context.Background(), x.admin, x.PartnershipID, importer.Cases, "cases.xlsx", b.Bytes(), nil)
	if err != nil || !r.OK() || r.Written != 1 {
		t.Fatalf("workbook: %v %+v", err, r)
	}
}

// TestImportRepeatReferral: a person already referred is suggested as a possible repeat on the imported case,
// and the two records stay apart.
func TestImportRepeatReferral(t *testing.T) {
	x := newWorld(t, database.SQLite)
	ctx := context.Background()
	a := x.caseRow(1, "submitted")
	r, err := x.imp.Run(ctx, x.admin, x.PartnershipID, importer.Cases, "first.csv", csvFile(t, caseHeader, [][]string{a}), nil)
	if err != nil || r.Written != 1 || r.PossibleRepeats != 0 {
		t.Fatalf("first: %v %+v", err, r)
	}
	b := x.caseRow(2, "closed_nfa")
	b[5] = a[5] // the same given names, family name and date of birth
	r, err = x.imp.Run(ctx, x.admin, x.PartnershipID, importer.Cases, "second.csv", csvFile(t, caseHeader, [][]string{b}), nil)
	if err != nil || r.Written != 1 || r.PossibleRepeats != 1 {
		t.Fatalf("second: %v %+v", err, r)
	}
	if n := count(t, x.db, `SELECT count(DISTINCT r.subject_id) FROM imported_cases ic JOIN referrals r ON r.id = ic.referral_id`); n != 2 {
		t.Errorf("the two imported cases share %d subjects, want 2 (suggested, never merged)", n)
	}
}

// TestImportTenThousandRows imports a file of 10,000 cases.
func TestImportTenThousandRows(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 cases")
	}
	x := newWorld(t, database.SQLite)
	var rows [][]string
	for i := range 10000 {
		rows = append(rows, x.caseRow(i, stages[i%len(stages)]))
	}
	r, err := x.imp.Run(context.Background(), x.admin, x.PartnershipID, importer.Cases, "all.csv", csvFile(t, caseHeader, rows), nil)
	if err != nil || !r.OK() || r.Written != 10000 {
		t.Fatalf("%v %+v", err, r.Written)
	}
	if n := count(t, x.db, `SELECT count(*) FROM imported_cases`); n != 10000 {
		t.Errorf("%d cases recorded as imported", n)
	}
}
