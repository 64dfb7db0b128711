package returns

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/prevent"
)

func testSigningKey(t *testing.T) *SigningKey {
	t.Helper()
	k, _, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// unzip reads a bundle's entries in order.
func unzip(t *testing.T, b []byte) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string][]byte{}
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
		if !zf.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) && !zf.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.Local)) {
			t.Errorf("%s is dated %v, not the fixed date", zf.Name, zf.Modified)
		}
		names = append(names, zf.Name)
		files[zf.Name] = data
	}
	return names, files
}

func TestBundleExport(t *testing.T) {
	t.Parallel()
	dbtest.Engines(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		w := newAnnualWorld(t, db, "Elmshire", "Yorkshire and the Humber")
		s := New(Deps{DB: db, Now: clock("2025-05-01T09:00:00Z"), DigestKey: testKey})
		key := testSigningKey(t)

		draft, err := s.DraftAnnual(ctx, w.analyst, Request{PartnershipID: w.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ExportBundle(ctx, w.analyst, w.pid, draft.ID, key)
		wantKind(t, "exporting a draft", err, prevent.Conflict, "must be approved")
		if err := s.CheckAnnual(ctx, w.coordB, w.pid, draft.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := s.ApproveAnnual(ctx, w.coordA, w.pid, draft.ID, 1); err != nil {
			t.Fatal(err)
		}
		a, err := s.AnnualReturn(ctx, w.analyst, w.pid, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.ExportBundle(ctx, w.referrer, w.pid, a.ID, key)
		wantKind(t, "a referrer exporting", err, prevent.NotFound, "")

		one, err := s.ExportBundle(ctx, w.analyst, w.pid, a.ID, key)
		if err != nil {
			t.Fatal(err)
		}
		// Exported again, later, by someone else, after casework moved on: the same bytes.
		w.add(t, 6, referral{submitted: day("2024-06-10T10:00:00Z"), sector: "police", types: []string{"islamist"}, dob: "1990-01-01", gender: "male", states: triaged})
		two, err := New(Deps{DB: db, Now: clock("2025-09-01T09:00:00Z"), DigestKey: testKey}).ExportBundle(ctx, w.coordA, w.pid, a.ID, key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(one, two) {
			t.Fatal("the same approved return exported twice gives different bytes")
		}
		if other, err := s.ExportBundle(ctx, w.analyst, w.pid, a.ID, testSigningKey(t)); err != nil || bytes.Equal(other, one) {
			t.Errorf("another key gives the same bundle (%v)", err)
		}

		names, files := unzip(t, one)
		wantNames := []string{manifestFile, signatureFile, provenanceFile, xlsxFile, odsFile}
		for _, tb := range a.Return.Tables {
			wantNames = append(wantNames, "tables/"+tb.ID+".csv")
		}
		if !slices.Equal(names, wantNames) {
			t.Fatalf("bundle files %q, want %q", names, wantNames)
		}

		// The signature is Ed25519 over manifest.json's exact bytes, under the key's public half.
		v, err := ParsePublicKey(key.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if !v.Verify(files[manifestFile], files[signatureFile]) || len(files[signatureFile]) != ed25519.SignatureSize {
			t.Error("manifest.sig does not verify")
		}
		// The public key text carries the raw Ed25519 key, so that tools other than this service can verify.
		raw, err := base64.StdEncoding.DecodeString(strings.SplitN(key.PublicKey(), "+", 3)[2])
		if err != nil || len(raw) != 33 || !ed25519.Verify(ed25519.PublicKey(raw[1:]), files[manifestFile], files[signatureFile]) {
			t.Error("manifest.sig does not verify with the raw Ed25519 key")
		}
		var m Manifest
		if err := json.Unmarshal(files[manifestFile], &m); err != nil {
			t.Fatal(err)
		}
		if m.Format != BundleFormat || m.BundleID != a.BundleID || m.PartnershipID != w.pid || m.Partnership != "Elmshire" ||
			m.Region != "North East (including Yorkshire and the Humber)" || m.FinancialYear != 2024 || m.Policy != (PolicyRef{"suppress-below-5", 1}) ||
			!m.ApprovedAt.Equal(a.ApprovedAt) || m.DraftedBy != "Elmshire Analyst" || m.CheckedBy != "Elmshire Coordinator B" ||
			m.ApprovedBy != "Elmshire Coordinator A" || m.SigningKey != key.KeyID() || !strings.HasPrefix(m.SigningKey, SigningKeyName+"+") {
			t.Errorf("manifest %+v", m)
		}
		var listed []string
		for _, f := range m.Files {
			h := sha256.Sum256(files[f.Name])
			if hex.EncodeToString(h[:]) != f.SHA256 || int64(len(files[f.Name])) != f.Size {
				t.Errorf("%s: the manifest's hash or size is not the file's", f.Name)
			}
			listed = append(listed, f.Name)
		}
		if !slices.Equal(listed, wantNames[2:]) {
			t.Errorf("manifest lists %q, want %q", listed, wantNames[2:])
		}
		var pv BundleProvenance
		if err := json.Unmarshal(files[provenanceFile], &pv); err != nil {
			t.Fatal(err)
		}
		if pv.FinancialYear != 2024 || pv.PartnershipID != w.pid || pv.Policy != m.Policy || pv.InputDigest != a.Return.Provenance.InputDigest || len(pv.Tables) != 7 {
			t.Errorf("provenance %+v", pv)
		}
		// The files are the return's own outputs.
		x, _ := a.Return.XLSX()
		o, _ := a.Return.ODS()
		c, _ := a.Return.CSV(a.Return.Tables[0])
		if !bytes.Equal(files[xlsxFile], x) || !bytes.Equal(files[odsFile], o) || !bytes.Equal(files["tables/"+a.Return.Tables[0].ID+".csv"], c) {
			t.Error("the bundle's workbooks or CSV are not the return's")
		}
		// It verifies, as a region would read it.
		got, err := verifyBundle(one, []Sender{{ID: 1, Name: "Elmshire instance", PublicKey: key.PublicKey(), KeyID: key.KeyID()}})
		if err != nil {
			t.Fatal(err)
		}
		if got.manifest.BundleID != a.BundleID || len(got.tables) != 7 || !slices.Equal(rowOf(t, got.tables[0], "Total"), rowOf(t, a.Return.Tables[0], "Total")) {
			t.Errorf("verified %+v", got.manifest)
		}

		// The export is recorded as a disclosure, once for each export.
		var n int
		if err := db.Read().QueryRowContext(ctx, `SELECT count(*) FROM audit_entries WHERE record_kind = 'annual_return' AND record_id = $1 AND action = 'disclose'`,
			a.ID).Scan(&n); err != nil || n != 3 {
			t.Errorf("%d export entries (%v), want 3", n, err)
		}

		// A superseded return is not exported.
		later := New(Deps{DB: db, Now: clock("2025-09-01T09:00:00Z"), DigestKey: testKey})
		b, err := later.DraftAnnual(ctx, w.analyst, Request{PartnershipID: w.pid, Year: 2024, Policy: SuppressBelow5})
		if err != nil {
			t.Fatal(err)
		}
		if err := later.CheckAnnual(ctx, w.coordB, w.pid, b.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := later.ApproveAnnual(ctx, w.coordA, w.pid, b.ID, 1); err != nil {
			t.Fatal(err)
		}
		_, err = later.ExportBundle(ctx, w.analyst, w.pid, a.ID, key)
		wantKind(t, "exporting a superseded return", err, prevent.Conflict, "superseded")
	})
}

func TestSigningKeyFiles(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "returns")
	k, err := LoadOrCreateSigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateSigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k.PublicKey() != again.PublicKey() || k.KeyID() != again.KeyID() {
		t.Fatal("the key changed between loads")
	}
	fi, err := os.Stat(filepath.Join(dir, SigningKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signing key file: %v, %v", fi, err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, PublicKeyFile))
	if err != nil || strings.TrimSpace(string(pub)) != k.PublicKey() {
		t.Fatalf("public key file %q, %v", pub, err)
	}
	msg := []byte("manifest")
	sig, err := k.sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ParsePublicKey(string(pub)); err != nil || !v.Verify(msg, sig) || v.Verify([]byte("manifesT"), sig) {
		t.Error("the public key file does not verify the key's signatures, or verifies another message")
	}
	secret, err := os.ReadFile(filepath.Join(dir, SigningKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePublicKey(string(secret)); prevent.ErrorKind(err) != prevent.Invalid || !strings.Contains(prevent.PublicMessage(err), "private") {
		t.Errorf("the private key taken for a public one: %v", err)
	}
	if err := os.Chmod(filepath.Join(dir, SigningKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSigningKey(dir); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Errorf("a signing key readable by others: %v", err)
	}
	if err := os.Chmod(filepath.Join(dir, SigningKeyFile), 0o600); err != nil {
		t.Fatal(err)
	}
	other := testSigningKey(t)
	if err := os.WriteFile(filepath.Join(dir, PublicKeyFile), []byte(other.PublicKey()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateSigningKey(dir); err == nil {
		t.Error("a public key file of another key was accepted")
	}
}
