package returns

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// An approved annual return leaves the partnership as a bundle: a zip holding manifest.json, manifest.sig (the
// Ed25519 signature of manifest.json's exact bytes by the instance's return-signing key), provenance.json, the
// workbooks (return.xlsx, return.ods) and one CSV per table (tables/<id>.csv). The manifest names the bundle and
// lists every other file with its size and SHA-256. The same approved return gives the same bytes every time:
// the bundle's identity is fixed at approval, the files are made from the snapshot, Ed25519 signatures are
// deterministic, and the zip's entries are in a fixed order with a fixed date.

// BundleFormat names the format of a bundle in its manifest and provenance.
const BundleFormat = "prevent-annual-return-bundle/1"

// The files of a bundle.
const (
	manifestFile   = "manifest.json"
	signatureFile  = "manifest.sig"
	provenanceFile = "provenance.json"
	xlsxFile       = "return.xlsx"
	odsFile        = "return.ods"
	tablesDir      = "tables/"
)

// tableIDPattern is what a table's id may be, as it names the table's file.
var tableIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// PolicyRef names a disclosure control policy and its version.
type PolicyRef struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
}

func (p PolicyRef) String() string { return fmt.Sprintf("%s version %d", p.Name, p.Version) }

// Manifest is the signed description of a bundle.
type Manifest struct {
	Format        string         `json:"format"`
	BundleID      string         `json:"bundle_id"`
	PartnershipID prevent.ID     `json:"partnership_id"`
	Partnership   string         `json:"partnership"`
	Region        string         `json:"region"`
	FinancialYear FinancialYear  `json:"financial_year"`
	Policy        PolicyRef      `json:"policy"`
	ApprovedAt    time.Time      `json:"approved_at"`
	DraftedBy     string         `json:"drafted_by"`
	CheckedBy     string         `json:"checked_by"`
	ApprovedBy    string         `json:"approved_by"`
	SigningKey    string         `json:"signing_key"` // the key's name and hash, as note keys are named
	Files         []ManifestFile `json:"files"`
}

// ManifestFile is one file of a bundle other than the manifest and its signature.
type ManifestFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// BundleProvenance is provenance.json: where the return came from, in the terms the manifest uses.
type BundleProvenance struct {
	Format        string        `json:"format"`
	PartnershipID prevent.ID    `json:"partnership_id"`
	Partnership   string        `json:"partnership"`
	Region        string        `json:"region"`
	FinancialYear FinancialYear `json:"financial_year"`
	Policy        PolicyRef     `json:"policy"`
	PolicySummary string        `json:"policy_summary"`
	QueryVersion  string        `json:"query_version"`
	Lists         []string      `json:"lists"`
	GeneratedAt   time.Time     `json:"generated_at"`
	InputDigest   string        `json:"input_digest"` // HMAC-SHA-256 under the partnership's digest key
	Notes         []string      `json:"notes"`
	Tables        []string      `json:"tables"`
}

// Export writes the signed bundle of an approved annual return under the service's own signing key.
func (s *Service) Export(ctx context.Context, p prevent.Principal, pid, id prevent.ID) ([]byte, error) {
	return s.ExportBundle(ctx, p, pid, id, s.signingKey)
}

// PublicKey is the public key of the service's signing key, for a region or the nation to register this
// partnership as a sender; empty without a key.
func (s *Service) PublicKey() string {
	if s.signingKey == nil {
		return ""
	}
	return s.signingKey.PublicKey()
}

// ExportBundle writes the signed bundle of an approved annual return under key. It is for those who read the
// partnership's returns (access.StatisticsView); each export is recorded in the audit log as a disclosure.
func (s *Service) ExportBundle(ctx context.Context, p prevent.Principal, pid, id prevent.ID, key *SigningKey) ([]byte, error) {
	if !s.allow(p, pid, annualRead...) {
		return nil, access.NotFound("Annual return")
	}
	if key == nil {
		return nil, errors.New("returns: no signing key")
	}
	var out []byte
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		a, err := loadAnnual(ctx, tx, pid, id)
		if err != nil {
			return err
		}
		switch a.State {
		case AnnualApproved:
		case AnnualSuperseded:
			return prevent.Errorf(prevent.Conflict, "This return for %s has been superseded by a later approval; export that one", a.Year)
		default:
			return prevent.Errorf(prevent.Conflict, "The return for %s must be approved before it is exported", a.Year)
		}
		names := map[prevent.ID]string{}
		for _, who := range []prevent.ID{a.DraftedBy, a.CheckedBy, a.ApprovedBy} {
			var n string
			if err := tx.QueryRowContext(ctx, `SELECT name FROM people WHERE id = $1`, who).Scan(&n); err != nil {
				return fmt.Errorf("returns: person %d: %w", who, err)
			}
			names[who] = n
		}
		var sum string
		out, sum, err = buildBundle(a, names, key)
		if err != nil {
			return err
		}
		e := audit.New(ctx, s.now(), audit.Disclose, "annual_return", id)
		e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
		e.PartnershipID = pid
		e.Purpose = "statistical return"
		e.Detail = fmt.Sprintf("annual return for %s: bundle %s exported, signed by %s, manifest SHA-256 %s", a.Year, a.BundleID, key.KeyID(), sum)
		if _, err := audit.Append(ctx, tx, e); err != nil {
			return fmt.Errorf("returns: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// buildBundle makes the bundle's bytes, and the SHA-256 of its manifest.
func buildBundle(a *Annual, names map[prevent.ID]string, key *SigningKey) ([]byte, string, error) {
	r := a.Return
	type file struct {
		name string
		data []byte
	}
	prov := BundleProvenance{
		Format: BundleFormat, PartnershipID: r.PartnershipID, Partnership: r.Partnership, Region: r.Region, FinancialYear: r.Year,
		Policy: PolicyRef{r.Provenance.Policy.Name, r.Provenance.Policy.Version}, PolicySummary: r.Provenance.Policy.Summary,
		QueryVersion: r.Provenance.QueryVersion, Lists: r.Provenance.Lists, GeneratedAt: r.Provenance.GeneratedAt.UTC(),
		InputDigest: r.Provenance.InputDigest, Notes: r.Provenance.Notes,
	}
	for _, t := range r.Tables {
		prov.Tables = append(prov.Tables, t.ID)
	}
	pj, err := canonicalJSON(prov)
	if err != nil {
		return nil, "", err
	}
	files := []file{{provenanceFile, pj}}
	xlsx, err := r.XLSX()
	if err != nil {
		return nil, "", fmt.Errorf("returns: bundle workbook: %w", err)
	}
	ods, err := r.ODS()
	if err != nil {
		return nil, "", fmt.Errorf("returns: bundle workbook: %w", err)
	}
	files = append(files, file{xlsxFile, xlsx}, file{odsFile, ods})
	for _, t := range r.Tables {
		if !tableIDPattern.MatchString(t.ID) {
			return nil, "", fmt.Errorf("returns: bundle: table id %q cannot name a file", t.ID)
		}
		b, err := r.CSV(t)
		if err != nil {
			return nil, "", fmt.Errorf("returns: bundle table %s: %w", t.ID, err)
		}
		files = append(files, file{tablesDir + t.ID + ".csv", b})
	}
	m := Manifest{
		Format: BundleFormat, BundleID: a.BundleID, PartnershipID: r.PartnershipID, Partnership: r.Partnership, Region: r.Region,
		FinancialYear: r.Year, Policy: prov.Policy, ApprovedAt: a.ApprovedAt.UTC(),
		DraftedBy: names[a.DraftedBy], CheckedBy: names[a.CheckedBy], ApprovedBy: names[a.ApprovedBy], SigningKey: key.KeyID(),
	}
	for _, f := range files {
		h := sha256.Sum256(f.data)
		m.Files = append(m.Files, ManifestFile{Name: f.name, Size: int64(len(f.data)), SHA256: hex.EncodeToString(h[:])})
	}
	mj, err := canonicalJSON(m)
	if err != nil {
		return nil, "", err
	}
	sig, err := key.sign(mj)
	if err != nil {
		return nil, "", fmt.Errorf("returns: sign manifest: %w", err)
	}
	files = append([]file{{manifestFile, mj}, {signatureFile, sig}}, files...)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		w, err := zw.CreateHeader(zipHeader(f.name, zip.Deflate))
		if err != nil {
			return nil, "", err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, "", err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	h := sha256.Sum256(mj)
	return b.Bytes(), hex.EncodeToString(h[:]), nil
}

// canonicalJSON is v as indented JSON with a final newline: the struct's field order, so the same value gives
// the same bytes.
func canonicalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("returns: bundle json: %w", err)
	}
	return append(b, '\n'), nil
}
