package returns

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
	"github.com/preventplatform/prevent/internal/sharing"
)

type zipEntry struct {
	name string
	data []byte
}

// rezip reads a bundle's entries, lets edit change them, and writes them again as the bundle writer does.
func rezip(t *testing.T, b []byte, edit func([]zipEntry) []zipEntry) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var es []zipEntry
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, zipEntry{zf.Name, data})
	}
	es = edit(es)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, e := range es {
		w, err := zw.CreateHeader(zipHeader(e.name, zip.Deflate))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// resign changes one file, writes its new hash and size into the manifest and signs the manifest with key: what
// a sender holding a registered key could do, so the checks beyond the signature must catch it.
func resign(t *testing.T, b []byte, key *SigningKey, name string, change func([]byte) []byte) []byte {
	t.Helper()
	return resignWith(t, b, key, func(es []zipEntry, m *Manifest) []zipEntry {
		for i := range es {
			if es[i].name == name {
				es[i].data = change(bytes.Clone(es[i].data))
			}
		}
		return es
	})
}

// resignWith lets edit change the entries and the manifest, then lists every entry's hash and size in the
// manifest (under the name it had) and signs it with key.
func resignWith(t *testing.T, b []byte, key *SigningKey, edit func([]zipEntry, *Manifest) []zipEntry) []byte {
	t.Helper()
	return rezip(t, b, func(es []zipEntry) []zipEntry {
		var m Manifest
		mi := slices.IndexFunc(es, func(e zipEntry) bool { return e.name == manifestFile })
		if err := json.Unmarshal(es[mi].data, &m); err != nil {
			t.Fatal(err)
		}
		es = edit(es, &m)
		for _, e := range es {
			h := sha256.Sum256(e.data)
			for j := range m.Files {
				if m.Files[j].Name == e.name {
					m.Files[j].SHA256, m.Files[j].Size = hex.EncodeToString(h[:]), int64(len(e.data))
				}
			}
		}
		m.SigningKey = key.KeyID()
		mj, err := canonicalJSON(m)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := key.sign(mj)
		if err != nil {
			t.Fatal(err)
		}
		for i := range es {
			switch es[i].name {
			case manifestFile:
				es[i].data = mj
			case signatureFile:
				es[i].data = sig
			}
		}
		return es
	})
}

// regionWorld is a region with an administrator, a coordinator and an analyst.
type regionWorld struct {
	*fixture
	admin, coordinator, analyst prevent.Principal
}

func newRegionWorld(t *testing.T, db *database.DB) *regionWorld {
	t.Helper()
	f := newFixture(t, db, "Yorkshire region", "Yorkshire and the Humber")
	return &regionWorld{fixture: f, admin: f.member(t, "Region Administrator", prevent.Administrator),
		coordinator: f.member(t, "Region Coordinator", prevent.Coordinator), analyst: f.member(t, "Region Analyst", prevent.Analyst)}
}

func countImports(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), `SELECT count(*) FROM return_imports`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportVerifiesAndRefuses(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		src := newAnnualWorld(t, db, "Elmshire", "Yorkshire and the Humber")
		region := newRegionWorld(t, db)
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey})
		later := New(Deps{DB: db, Now: clock("2025-07-01T09:00:00Z"), DigestKey: testKey})
		// The source's instance signed its first approval with a key it has since replaced.
		oldKey, key, stranger := testSigningKey(t), testSigningKey(t), testSigningKey(t)

		old := src.approve(t, s, SuppressBelow5)
		oldBundle, err := s.ExportBundle(ctx, src.analyst, src.pid, old.ID, oldKey)
		if err != nil {
			t.Fatal(err)
		}
		cur := src.approve(t, later, SuppressBelow5)
		bundle, err := later.ExportBundle(ctx, src.analyst, src.pid, cur.ID, key)
		if err != nil {
			t.Fatal(err)
		}

		// The tier and the senders are the administrator's; importing needs a region or nation.
		_, err = s.Import(ctx, region.coordinator, region.pid, bundle)
		wantKind(t, "a local partnership importing", err, prevent.Invalid, "Only a region or a nation")
		wantKind(t, "a coordinator setting the tier", s.SetTier(ctx, region.coordinator, region.pid, TierRegion), prevent.NotFound, "")
		wantKind(t, "another partnership's administrator setting the tier", s.SetTier(ctx, src.admin, region.pid, TierRegion), prevent.NotFound, "")
		wantKind(t, "an unknown tier", s.SetTier(ctx, region.admin, region.pid, Tier("county")), prevent.Invalid, "Choose")
		_, err = s.RegisterSender(ctx, region.admin, region.pid, "Elmshire", key.PublicKey())
		wantKind(t, "a local partnership registering a sender", err, prevent.Invalid, "Only a region or a nation")
		if err := s.SetTier(ctx, region.admin, region.pid, TierRegion); err != nil {
			t.Fatal(err)
		}
		if tier, err := s.Tier(ctx, region.analyst, region.pid); err != nil || tier != TierRegion {
			t.Fatalf("tier %q, %v", tier, err)
		}
		if tier, err := s.Tier(ctx, src.analyst, src.pid); err != nil || tier != TierLocal {
			t.Fatalf("default tier %q, %v", tier, err)
		}
		_, err = s.RegisterSender(ctx, region.coordinator, region.pid, "Elmshire", key.PublicKey())
		wantKind(t, "a coordinator registering a sender", err, prevent.NotFound, "")
		_, err = s.RegisterSender(ctx, region.admin, region.pid, "Elmshire", "not a key")
		wantKind(t, "a sender with no key", err, prevent.Invalid, "There is a problem")
		_, skey, err := GenerateSigningKey()
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.RegisterSender(ctx, region.admin, region.pid, "Elmshire", skey)
		if fe := prevent.FieldErrors(err); prevent.ErrorKind(err) != prevent.Invalid || len(fe) != 1 || !strings.Contains(fe[0].Message, "private") {
			t.Errorf("a private key registered: %v %v", err, fe)
		}
		// Nothing is imported before a sender is registered.
		_, err = s.Import(ctx, region.coordinator, region.pid, bundle)
		wantKind(t, "a bundle from no registered sender", err, prevent.Invalid, "not signed by a sender registered")
		if _, err := s.RegisterSender(ctx, region.admin, region.pid, "Elmshire instance", key.PublicKey()); err != nil {
			t.Fatal(err)
		}
		_, err = s.RegisterSender(ctx, region.admin, region.pid, "Elmshire again", key.PublicKey()+"\n")
		wantKind(t, "the same key twice", err, prevent.Conflict, "already registered")
		if ss, err := s.Senders(ctx, region.admin, region.pid); err != nil || len(ss) != 1 || ss[0].KeyID != key.KeyID() {
			t.Fatalf("senders %+v, %v", ss, err)
		}

		// Tampering.
		flip := func(b []byte) []byte { b[len(b)/2] ^= 1; return b }
		tampered := map[string][]byte{}
		_, files := unzip(t, bundle)
		for name := range files {
			tampered["a byte changed in "+name] = rezip(t, bundle, func(es []zipEntry) []zipEntry {
				for i := range es {
					if es[i].name == name {
						es[i].data = flip(bytes.Clone(es[i].data))
					}
				}
				return es
			})
		}
		tampered["a file removed"] = rezip(t, bundle, func(es []zipEntry) []zipEntry {
			return slices.DeleteFunc(es, func(e zipEntry) bool { return e.name == "tables/gender.csv" })
		})
		tampered["a file added"] = rezip(t, bundle, func(es []zipEntry) []zipEntry {
			return append(es, zipEntry{"tables/extra.csv", []byte("Title,Extra\n")})
		})
		tampered["a file twice"] = rezip(t, bundle, func(es []zipEntry) []zipEntry {
			return append(es, zipEntry{xlsxFile, files[xlsxFile]})
		})
		tampered["signed by an unregistered key"] = resign(t, bundle, stranger, "", nil)
		tampered["signed by another key than the one it names"] = rezip(t, bundle, func(es []zipEntry) []zipEntry {
			for i := range es {
				if es[i].name == signatureFile {
					es[i].data, _ = stranger.sign(files[manifestFile])
				}
			}
			return es
		})
		tampered["a byte of the zip changed"] = func() []byte {
			b := bytes.Clone(bundle)
			b[len(b)/3] ^= 0xff
			return b
		}()
		tampered["not a zip"] = []byte("Referrals,12\n")
		// Re-signed by the registered key after a change: the manifest is genuine, so the contents must agree.
		tampered["the provenance for another year"] = resign(t, bundle, key, provenanceFile, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"financial_year": "2024/25"`), []byte(`"financial_year": "2023/24"`), 1)
		})
		tampered["the provenance of another partnership"] = resign(t, bundle, key, provenanceFile, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"partnership": "Elmshire"`), []byte(`"partnership": "Fernshire"`), 1)
		})
		tampered["the provenance under another policy"] = resign(t, bundle, key, provenanceFile, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"name": "suppress-below-5"`), []byte(`"name": "suppress-below-5-round-to-5"`), 1)
		})
		tampered["a table of another year"] = resign(t, bundle, key, "tables/sector.csv", func(b []byte) []byte {
			return bytes.Replace(b, []byte("Financial year,2024/25"), []byte("Financial year,2023/24"), 1)
		})
		tampered["a figure that is not one"] = resign(t, bundle, key, "tables/sector.csv", func(b []byte) []byte {
			return bytes.Replace(b, []byte("Total,"), []byte("Total,x"), 1)
		})
		tampered["a table file not named as a table"] = resignWith(t, bundle, key, func(es []zipEntry, m *Manifest) []zipEntry {
			for i := range es {
				if es[i].name == "tables/sector.csv" {
					es[i].name = "tables/sub/sector.csv"
				}
			}
			for i := range m.Files {
				if m.Files[i].Name == "tables/sector.csv" {
					m.Files[i].Name = "tables/sub/sector.csv"
				}
			}
			return es
		})
		want := map[string]string{
			"a table file not named as a table":           "is not a table of a return",
			"signed by an unregistered key":               "not signed by a sender registered",
			"a byte changed in manifest.json":             "",
			"a byte changed in manifest.sig":              "does not match its signature",
			"signed by another key than the one it names": "does not match its signature",
			"a file removed":                              "a file has been removed",
			"a file added":                                "a file has been added",
			"a file twice":                                "twice",
			"the provenance for another year":             "provenance is for 2023/24",
			"the provenance of another partnership":       "provenance is of Fernshire",
			"the provenance under another policy":         "provenance is under suppress-below-5-round-to-5",
			"a table of another year":                     "not what its manifest says",
			"a figure that is not one":                    "neither a figure nor a shorthand",
			"not a zip":                                   "not a zip file",
		}
		for name := range files {
			if name != manifestFile && name != signatureFile {
				want["a byte changed in "+name] = name + " does not match its manifest: it has been changed"
			}
		}
		for what, b := range tampered {
			_, err := s.Import(ctx, region.coordinator, region.pid, b)
			wantKind(t, what, err, prevent.Invalid, want[what])
		}
		if n := countImports(t, db); n != 0 {
			t.Fatalf("%d imports after refusals", n)
		}

		// The genuine bundle imports, and only its figures are kept.
		_, err = s.Import(ctx, src.coordA, region.pid, bundle)
		wantKind(t, "the source's coordinator importing into the region", err, prevent.NotFound, "")
		got, err := s.Import(ctx, region.analyst, region.pid, bundle)
		if err != nil {
			t.Fatal(err)
		}
		if got.BundleID != cur.BundleID || got.SourcePartnership != "Elmshire" || got.SourcePartnershipID != src.pid || got.Year != 2024 ||
			!got.ApprovedAt.Equal(cur.ApprovedAt) || got.ApprovedBy != "Elmshire Coordinator A" || got.CheckedBy != "Elmshire Coordinator B" ||
			got.Sender != "Elmshire instance" || len(got.Tables) != len(cur.Return.Tables) || len(got.Lists) != 5 {
			t.Fatalf("imported %+v", got)
		}
		for i, tb := range cur.Return.Tables {
			for _, row := range tb.Rows {
				if !slices.Equal(rowOf(t, got.Tables[i], row.Label), rowOf(t, tb, row.Label)) {
					t.Errorf("%s %q: imported %v, approved %v", tb.ID, row.Label, rowOf(t, got.Tables[i], row.Label), rowOf(t, tb, row.Label))
				}
			}
		}

		// Replays.
		_, err = s.Import(ctx, region.analyst, region.pid, bundle)
		wantKind(t, "the same bundle again", err, prevent.Conflict, "imported once")
		_, err = s.Import(ctx, region.analyst, region.pid, oldBundle)
		wantKind(t, "an older approval by a key not registered", err, prevent.Invalid, "not signed by a sender registered")
		// The replaced key registered again under the sender's name: the older approval is still a replay.
		if _, err := s.RegisterSender(ctx, region.admin, region.pid, "Elmshire instance", oldKey.PublicKey()); err != nil {
			t.Fatal(err)
		}
		_, err = s.Import(ctx, region.analyst, region.pid, oldBundle)
		wantKind(t, "an older approval after a newer one", err, prevent.Conflict, "is not newer")
		if n := countImports(t, db); n != 1 {
			t.Errorf("%d imports, want 1", n)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE record_kind = 'return_import' AND partnership_id = $1`,
			region.pid).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d import audit entries (%v), want 1", n, err)
		}

		// The region holds figures, never a case: nothing of a referral is stored, and its people cannot read the
		// source's cases or returns.
		var stored string
		if err := db.Read().QueryRowContext(ctx, `SELECT figures || lists || source_partnership || checked_by || approved_by FROM return_imports`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		for _, personal := range []string{"PRV-T-", "1994-01-01", "Person"} {
			if strings.Contains(stored, personal) {
				t.Errorf("the import stores %q", personal)
			}
		}
		var referralID prevent.ID
		if err := db.Read().QueryRowContext(ctx, `SELECT id FROM referrals WHERE partnership_id = $1 AND state <> 'draft' ORDER BY id LIMIT 1`, src.pid).Scan(&referralID); err != nil {
			t.Fatal(err)
		}
		cw := casework.New(casework.Deps{DB: db, Sharing: sharing.New(sharing.Deps{DB: db})})
		if _, err := cw.Referral(ctx, region.coordinator, referralID); prevent.ErrorKind(err) != prevent.NotFound {
			t.Errorf("the region's coordinator reads a source's case: %v", err)
		}
		if _, err := cw.Referral(ctx, src.coordA, referralID); prevent.ErrorKind(err) == prevent.NotFound {
			t.Errorf("the source's coordinator cannot read its own case: %v", err)
		}
		caseRes := access.Resource{Kind: "case", PartnershipID: src.pid, OwnerOrg: src.org, Marking: prevent.OfficialSensitive, Personal: true}
		for _, p := range []prevent.Principal{region.admin, region.coordinator, region.analyst} {
			if access.Decide(p, access.CaseView, caseRes, clock("2025-07-01T09:00:00Z")()).Allow {
				t.Errorf("person %d of the region may view a source's case", p.PersonID)
			}
		}
		_, err = s.Compute(ctx, region.coordinator, Request{PartnershipID: src.pid, Year: 2024, Policy: SuppressBelow5})
		wantKind(t, "the region computing a source's return", err, prevent.NotFound, "")
		_, err = s.AnnualReturn(ctx, region.coordinator, src.pid, cur.ID)
		wantKind(t, "the region reading a source's annual return", err, prevent.NotFound, "")
	})
}

// TestRegionalSums imports three partnerships' returns from two instances and adds them up.
func TestRegionalSums(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		elm := newAnnualWorld(t, db, "Elmshire", "Yorkshire and the Humber")
		fern := newAnnualWorld(t, db, "Fernshire", "Yorkshire and the Humber")
		// Fernshire has twenty-two referrals from health, where Elmshire has two (withheld).
		fern.add(t, 20, referral{submitted: day("2024-06-10T10:00:00Z"), sector: "health", types: []string{"islamist"}, dob: "1990-01-01", gender: "male", states: triaged})
		holly := newAnnualWorld(t, db, "Hollyshire", "Yorkshire and the Humber")
		region := newRegionWorld(t, db)
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey})
		keyA, keyB := testSigningKey(t), testSigningKey(t) // two instances: Elmshire and Hollyshire on one, Fernshire on another

		export := func(w *annualWorld, pol Policy, key *SigningKey) []byte {
			a := w.approve(t, s, pol)
			b, err := s.ExportBundle(ctx, w.analyst, w.pid, a.ID, key)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		bundles := [][]byte{export(elm, SuppressBelow5, keyA), export(fern, SuppressBelow5, keyB), export(holly, SuppressBelow5RoundTo5, keyA)}
		if err := s.SetTier(ctx, region.admin, region.pid, TierNation); err != nil {
			t.Fatal(err)
		}
		for _, k := range []*SigningKey{keyA, keyB} {
			if _, err := s.RegisterSender(ctx, region.admin, region.pid, "Instance "+k.KeyID(), k.PublicKey()); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.RegionalReturn(ctx, region.analyst, region.pid, 2024, SuppressBelow5)
		wantKind(t, "a regional return before any import", err, prevent.Invalid, "No return for 2024/25")
		for _, b := range bundles {
			if _, err := s.Import(ctx, region.analyst, region.pid, b); err != nil {
				t.Fatal(err)
			}
		}
		_, err = s.RegionalReturn(ctx, elm.coordA, region.pid, 2024, SuppressBelow5)
		wantKind(t, "a source's coordinator reading the regional return", err, prevent.NotFound, "")
		_, err = s.RegionalReturn(ctx, region.analyst, region.pid, 2024, RoundTo5)
		wantKind(t, "a policy not for returns", err, prevent.Invalid, "within the partnership")

		reg, err := s.RegionalReturn(ctx, region.analyst, region.pid, 2024, SuppressBelow5)
		if err != nil {
			t.Fatal(err)
		}
		if len(reg.Sources) != 2 || reg.Sources[0].SourcePartnership != "Elmshire" || reg.Sources[1].SourcePartnership != "Fernshire" ||
			len(reg.Left) != 1 || reg.Left[0].SourcePartnership != "Hollyshire" {
			t.Fatalf("summed %d, left %d", len(reg.Sources), len(reg.Left))
		}
		if reg.Partnership != "Yorkshire region" || reg.Provenance.Policy != SuppressBelow5 || reg.Provenance.QueryVersion != regionalQueryVersion ||
			len(reg.Provenance.InputDigest) != 64 || !slices.ContainsFunc(reg.Provenance.Notes, func(n string) bool { return strings.Contains(n, "Hollyshire") }) {
			t.Errorf("regional provenance %+v", reg.Provenance)
		}
		e, f := reg.Sources[0].Tables, reg.Sources[1].Tables
		cell := func(tables []Table, id, label string, col int) string {
			for _, tb := range tables {
				if tb.ID == id {
					return rowOf(t, tb, label)[col]
				}
			}
			t.Fatalf("no table %s", id)
			return ""
		}
		// The cases the rule is about, as the sources have them.
		if cell(e, "sector", "Health", 0) != Confidential || cell(f, "sector", "Health", 0) != "22" {
			t.Fatalf("health referrals: Elmshire %s, Fernshire %s", cell(e, "sector", "Health", 0), cell(f, "sector", "Health", 0))
		}
		for _, c := range []struct {
			id, label string
			col       int
			want      string
		}{
			{"sector", "Health", 0, Confidential}, // 2 withheld + 22 shown: withheld, not 22
			{"sector", "Education", 0, "20"},      // 10 + 10
			{"type-of-concern", "Total", 0, fmt.Sprint(36 + 56)},
			{"sector", "Education", 3, "10"},                   // adopted, 5 + 5
			{"sector", "Education", 4, "50"},                   // worked out again: 10 of 20
			{"type-of-concern", "Left-wing", 2, NotApplicable}, // a percentage of no referrals
			{"age-by-type-of-concern", "Total", -1, "92"},      // the total column stays last
		} {
			tb := tableByID(t, reg.Return, c.id)
			row := rowOf(t, tb, c.label)
			col := c.col
			if col < 0 {
				col = len(row) - 1
			}
			if row[col] != c.want {
				t.Errorf("%s %q column %d: %s, want %s", c.id, c.label, col, row[col], c.want)
			}
		}
		// Every cell, by the rule: withheld if any part is withheld, otherwise the sum (a row a source lacks counts
		// 0 there); percentages from the sums.
		mixed, sums := 0, 0
		for _, tb := range reg.Tables {
			for _, row := range tb.Rows {
				for ci, got := range row.Cells {
					h := tb.Headings[ci+1]
					if isPercentHeading(h) {
						continue
					}
					total, withheld, shown := 0, false, false
					for _, src := range [][]Table{e, f} {
						st := tableByIDIn(src, tb.ID)
						ri := slices.IndexFunc(st.Rows, func(r Row) bool { return r.Label == row.Label })
						hi := slices.Index(st.Headings, h)
						if ri < 0 || hi < 0 {
							continue
						}
						x := st.Rows[ri].Cells[hi-1]
						if x.Text == Confidential {
							withheld = true
						} else {
							total += x.Value
							shown = shown || x.Value > 0
						}
					}
					want := fmt.Sprint(total)
					if withheld {
						want = Confidential
						if shown {
							mixed++
						}
					} else if total > 0 {
						sums++
					}
					if got.Text != want {
						t.Errorf("%s %q %q: %s, want %s", tb.ID, row.Label, h, got.Text, want)
					}
				}
			}
		}
		if mixed == 0 || sums == 0 {
			t.Errorf("%d cells withheld beside a figure shown, %d sums: the test does not exercise the rule", mixed, sums)
		}
		// The regional return writes as any return does.
		if _, err := reg.XLSX(); err != nil {
			t.Error(err)
		}
		if b, err := reg.CSV(reg.Tables[1]); err != nil || !bytes.Contains(b, []byte("never a sum of the figures that are shown")) {
			t.Errorf("regional CSV does not state the rule (%v)", err)
		}
		holl, err := s.RegionalReturn(ctx, region.analyst, region.pid, 2024, SuppressBelow5RoundTo5)
		if err != nil {
			t.Fatal(err)
		}
		if len(holl.Sources) != 1 || len(holl.Left) != 2 || !slices.Contains(holl.Provenance.Notes, noteRegionalRounded) {
			t.Errorf("under rounding: %d summed, %d left, notes %q", len(holl.Sources), len(holl.Left), holl.Provenance.Notes)
		}
	})
}

func tableByIDIn(ts []Table, id string) Table {
	for _, t := range ts {
		if t.ID == id {
			return t
		}
	}
	return Table{}
}

// TestSumTable: the rule on small tables written by hand.
func TestSumTable(t *testing.T) {
	t.Parallel()
	n := func(v int) Cell { return Cell{Text: fmt.Sprint(v), Value: v, Number: true} }
	c := Cell{Text: Confidential}
	heads := []string{"Sector", "Referrals", "Adopted", "Adopted: % of referrals"}
	a := Table{ID: "sector", Title: "By sector", Headings: heads, Rows: []Row{
		{Label: "Police", Cells: []Cell{n(10), n(5), n(50)}},
		{Label: "Health", Cells: []Cell{c, c, c}},
		{Label: "Education", Cells: []Cell{n(0), n(0), {Text: NotApplicable}}},
		{Label: "Total", Total: true, Cells: []Cell{n(12), n(7), n(58)}},
	}}
	b := Table{ID: "sector", Title: "By sector", Headings: heads, Rows: []Row{
		{Label: "Police", Cells: []Cell{n(20), n(5), n(25)}},
		{Label: "Health", Cells: []Cell{n(8), n(0), n(0)}},
		{Label: "Not in the list: Youth justice", Cells: []Cell{n(6), c, c}},
		{Label: "Total", Total: true, Cells: []Cell{n(34), n(5), n(15)}},
	}}
	got := sumTable([]*Table{&a, &b}, SuppressBelow5)
	want := map[string][]string{
		"Police":                         {"30", "10", "33"},
		"Health":                         {Confidential, Confidential, Confidential}, // withheld in one: withheld, not 8
		"Education":                      {"0", "0", NotApplicable},
		"Not in the list: Youth justice": {"6", Confidential, Confidential}, // a row Elmshire lacks counts 0 there
		"Total":                          {"46", "12", "26"},
	}
	var labels []string
	for _, r := range got.Rows {
		labels = append(labels, r.Label)
		if w := want[r.Label]; !slices.Equal(rowOf(t, got, r.Label), w) {
			t.Errorf("%q: %v, want %v", r.Label, rowOf(t, got, r.Label), w)
		}
	}
	if !slices.Equal(labels, []string{"Police", "Health", "Education", "Not in the list: Youth justice", "Total"}) || !got.Rows[len(got.Rows)-1].Total {
		t.Errorf("rows %q", labels)
	}
	// A partnership whose return lacks the table: nothing of it is available.
	if got := sumTable([]*Table{&a, nil}, SuppressBelow5); rowOf(t, got, "Police")[0] != NotAvailable || rowOf(t, got, "Health")[0] != Confidential {
		t.Errorf("with a table missing: %v %v", rowOf(t, got, "Police"), rowOf(t, got, "Health"))
	}
	// A sum the policy's threshold catches is withheld (it cannot come from figures shown under the same policy,
	// but the rule holds whatever the parts).
	small := Table{ID: "x", Headings: []string{"X", "Referrals"}, Rows: []Row{{Label: "One", Cells: []Cell{n(3)}}}}
	if got := sumTable([]*Table{&small}, SuppressBelow5); rowOf(t, got, "One")[0] != Confidential {
		t.Errorf("a sum of 3: %v", rowOf(t, got, "One"))
	}
}
