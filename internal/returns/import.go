package returns

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Tier is the level a partnership works at for returns: a local partnership sends its return upwards; a region
// or a nation imports the bundles of the partnerships that send to it and adds them up.
type Tier string

// The tiers.
const (
	TierLocal  Tier = "local"
	TierRegion Tier = "region"
	TierNation Tier = "nation"
)

func (t Tier) valid() bool { return t == TierLocal || t == TierRegion || t == TierNation }

// imports reports whether a partnership of the tier imports bundles.
func (t Tier) imports() bool { return t == TierRegion || t == TierNation }

// SetTier sets the partnership's tier. Setting it is running the partnership: access.PartnershipManage, the
// administrator's.
func (s *Service) SetTier(ctx context.Context, p prevent.Principal, pid prevent.ID, tier Tier) error {
	if !s.allow(p, pid, access.PartnershipManage) {
		return access.NotFound("Partnership")
	}
	if !tier.valid() {
		return invalidf("Choose local, region or nation")
	}
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		if _, _, err := readPartnership(ctx, tx, pid); err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO return_tiers (partnership_id, tier, updated_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (partnership_id) DO UPDATE SET tier = excluded.tier, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			pid, string(tier), p.PersonID, now); err != nil {
			return fmt.Errorf("returns: tier: %w", err)
		}
		return s.importAudit(ctx, tx, p, audit.Alter, "return_tier", pid, pid, "tier for returns set to "+string(tier))
	})
}

// Tier reads the partnership's tier (local unless set).
func (s *Service) Tier(ctx context.Context, p prevent.Principal, pid prevent.ID) (Tier, error) {
	if !s.allow(p, pid, access.PartnershipView) {
		return "", access.NotFound("Partnership")
	}
	return readTier(ctx, s.db.Read(), pid)
}

func readTier(ctx context.Context, q database.Querier, pid prevent.ID) (Tier, error) {
	var t string
	err := q.QueryRowContext(ctx, `SELECT tier FROM return_tiers WHERE partnership_id = $1`, pid).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return TierLocal, nil
	}
	if err != nil {
		return "", fmt.Errorf("returns: tier: %w", err)
	}
	return Tier(t), nil
}

func (s *Service) importAudit(ctx context.Context, tx *database.Tx, p prevent.Principal, action audit.Action, kind string, id, pid prevent.ID, detail string) error {
	e := audit.New(ctx, s.now(), action, kind, id)
	e.ActorID, e.ActorOrg = p.PersonID, p.OrganisationID
	e.PartnershipID = pid
	e.Purpose = "statistical return"
	e.Detail = detail
	if _, err := audit.Append(ctx, tx, e); err != nil {
		return fmt.Errorf("returns: audit: %w", err)
	}
	return nil
}

// Sender is an instance whose bundles a region or nation trusts: a name and a public key its bundles are signed
// with. The name is the instance's identity: a sender whose key is replaced is registered again under the same
// name with its new key, and the keys of one name count as one sender (for replays and for the latest approval
// of each partnership).
type Sender struct {
	ID        prevent.ID
	Name      string
	PublicKey string
	KeyID     string // the key's name and hash, as a manifest names its signing key
	CreatedAt time.Time
}

// maxSenderName bounds a sender's name.
const maxSenderName = 200

// RegisterSender registers a sender the partnership, a region or nation, trusts, or another key of a sender
// already registered under the same name. Deciding whom to trust is running the partnership:
// access.PartnershipManage.
func (s *Service) RegisterSender(ctx context.Context, p prevent.Principal, pid prevent.ID, name, publicKey string) (prevent.ID, error) {
	if !s.allow(p, pid, access.PartnershipManage) {
		return 0, access.NotFound("Partnership")
	}
	name = strings.TrimSpace(name)
	var f prevent.Fields
	if name == "" || utf8.RuneCountInString(name) > maxSenderName {
		f.Add("name", "Enter the sender's name, in 200 characters or fewer")
	}
	v, err := ParsePublicKey(publicKey)
	if err != nil {
		f.Add("public_key", prevent.PublicMessage(err))
	}
	if err := f.Err(); err != nil {
		return 0, err
	}
	var id prevent.ID
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		tier, err := readTier(ctx, tx, pid)
		if err != nil {
			return err
		}
		if !tier.imports() {
			return invalidf("Only a region or a nation registers senders: set the partnership's tier first")
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO return_senders (partnership_id, name, public_key, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, pid, name, strings.TrimSpace(publicKey), p.PersonID, s.now()).Scan(&id)
		if database.IsUniqueViolation(err) {
			return prevent.Errorf(prevent.Conflict, "A sender with this public key is already registered")
		}
		if err != nil {
			return fmt.Errorf("returns: sender: %w", err)
		}
		return s.importAudit(ctx, tx, p, audit.Collect, "return_sender", id, pid,
			fmt.Sprintf("trusted sender %q registered with key %s+%08x", name, v.Name(), v.KeyHash()))
	})
	return id, err
}

// Senders lists the senders the partnership trusts.
func (s *Service) Senders(ctx context.Context, p prevent.Principal, pid prevent.ID) ([]Sender, error) {
	if !s.allow(p, pid, access.PartnershipManage) {
		return nil, access.NotFound("Partnership")
	}
	return readSenders(ctx, s.db.Read(), pid)
}

func readSenders(ctx context.Context, q database.Querier, pid prevent.ID) ([]Sender, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, public_key, created_at FROM return_senders WHERE partnership_id = $1 ORDER BY id`, pid)
	if err != nil {
		return nil, fmt.Errorf("returns: senders: %w", err)
	}
	defer rows.Close()
	var out []Sender
	for rows.Next() {
		var x Sender
		if err := rows.Scan(&x.ID, &x.Name, &x.PublicKey, &x.CreatedAt); err != nil {
			return nil, err
		}
		if v, err := ParsePublicKey(x.PublicKey); err == nil {
			x.KeyID = fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Imported is a return a region or nation imported: who sent it, whose it is, and its figures. It holds the
// tables as published, nothing else.
type Imported struct {
	ID                  prevent.ID
	SenderID            prevent.ID
	Sender              string
	BundleID            string
	SourcePartnershipID prevent.ID // the partnership's id at the sender
	SourcePartnership   string
	SourceRegion        string
	Year                FinancialYear
	Policy              PolicyRef
	ApprovedAt          time.Time
	CheckedBy           string
	ApprovedBy          string
	ManifestSHA256      string
	Lists               []string
	Tables              []Table
	ImportedAt          time.Time
}

// Limits on a bundle read for import, far above what a return makes, against a zip that inflates without end.
const (
	maxBundle     = 64 << 20
	maxBundleFile = 32 << 20
	maxBundleSize = 128 << 20 // all files together, inflated
	maxFiles      = 200
)

// verified is what a bundle holds once its signature and hashes are checked.
type verified struct {
	sender     Sender
	manifest   Manifest
	sum        string // SHA-256 of manifest.json
	provenance BundleProvenance
	tables     []Table
}

// verifyBundle opens a bundle, checks that one of senders signed its manifest and that every file is the one
// the manifest lists, and reads its tables. Every refusal is an Invalid error saying what is wrong.
func verifyBundle(data []byte, senders []Sender) (*verified, error) {
	if len(data) > maxBundle {
		return nil, invalidf("The bundle is larger than %d MB; it is not a return bundle", maxBundle>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, invalidf("The file is not a return bundle: it is not a zip file")
	}
	if len(zr.File) > maxFiles {
		return nil, invalidf("The bundle holds more than %d files; it is not a return bundle", maxFiles)
	}
	files := map[string][]byte{}
	var order []string
	total := 0
	for _, zf := range zr.File {
		name := zf.Name
		if name == "" || strings.HasSuffix(name, "/") || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") ||
			slices.Contains(strings.Split(name, "/"), "..") || !utf8.ValidString(name) {
			return nil, invalidf("The bundle holds an entry %q that is not a file of a return bundle", name)
		}
		if _, dup := files[name]; dup {
			return nil, invalidf("The bundle holds %s twice", name)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, invalidf("The bundle's file %s cannot be read: the bundle was changed or damaged after it was made. Ask the partnership to download it again", name)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxBundleFile+1))
		rc.Close()
		if err != nil {
			return nil, invalidf("The bundle's file %s is damaged: the bundle was changed or damaged after it was made. Ask the partnership to download it again", name)
		}
		if len(b) > maxBundleFile {
			return nil, invalidf("The bundle's file %s is larger than %d MB", name, maxBundleFile>>20)
		}
		if total += len(b); total > maxBundleSize {
			return nil, invalidf("The bundle's files are larger than %d MB together", maxBundleSize>>20)
		}
		files[name] = b
		order = append(order, name)
	}
	mj, ok := files[manifestFile]
	if !ok {
		return nil, invalidf("The bundle has no %s", manifestFile)
	}
	sig, ok := files[signatureFile]
	if !ok {
		return nil, invalidf("The bundle has no signature (%s)", signatureFile)
	}

	// The signature first: nothing else in the bundle is trusted until its manifest is.
	v := &verified{}
	signed := false
	for _, snd := range senders {
		ver, err := ParsePublicKey(snd.PublicKey)
		if err != nil {
			continue
		}
		if ver.Verify(mj, sig) {
			v.sender, signed = snd, true
			break
		}
	}
	if !signed {
		var claim struct {
			SigningKey string `json:"signing_key"`
		}
		_ = json.Unmarshal(mj, &claim)
		for _, snd := range senders {
			if claim.SigningKey != "" && snd.KeyID == claim.SigningKey {
				return nil, invalidf("The bundle's manifest does not match its signature by %s: it has been changed since it was signed", snd.Name)
			}
		}
		return nil, invalidf("The bundle is not signed by a sender registered with this partnership; an administrator registers the senders it trusts")
	}
	h := sha256.Sum256(mj)
	v.sum = hex.EncodeToString(h[:])

	dec := json.NewDecoder(bytes.NewReader(mj))
	dec.DisallowUnknownFields()
	m := &v.manifest
	if err := dec.Decode(m); err != nil {
		return nil, invalidf("The bundle's manifest cannot be read: %v", err)
	}
	if m.Format != BundleFormat {
		return nil, invalidf("The bundle is in format %q; this service reads %s", m.Format, BundleFormat)
	}
	if raw, err := hex.DecodeString(m.BundleID); err != nil || len(raw) != 16 {
		return nil, invalidf("The bundle's identity %q is not a bundle identity", m.BundleID)
	}
	if m.PartnershipID <= 0 || strings.TrimSpace(m.Partnership) == "" || m.ApprovedAt.IsZero() || m.ApprovedBy == "" || m.CheckedBy == "" {
		return nil, invalidf("The bundle's manifest does not say whose return it is and who approved it")
	}
	if _, err := ListFor(Regions, m.FinancialYear); err != nil {
		return nil, invalidf("The bundle is for %s, a year this service has no lists for", m.FinancialYear)
	}
	if pol, err := PolicyNamed(m.Policy.Name, m.Policy.Version); err != nil || !pol.Release {
		return nil, invalidf("The bundle is under the disclosure control policy %s, which is not a policy for returns this service knows", m.Policy)
	}

	// Every file, and only those, as the manifest lists them.
	listed := map[string]bool{manifestFile: true, signatureFile: true}
	for _, f := range m.Files {
		if listed[f.Name] {
			return nil, invalidf("The bundle's manifest lists %s twice", f.Name)
		}
		listed[f.Name] = true
		b, ok := files[f.Name]
		if !ok {
			return nil, invalidf("The bundle has no %s, which its manifest lists: a file has been removed", f.Name)
		}
		got := sha256.Sum256(b)
		if int64(len(b)) != f.Size || hex.EncodeToString(got[:]) != f.SHA256 {
			return nil, invalidf("The bundle's %s does not match its manifest: it has been changed since it was signed", f.Name)
		}
	}
	for _, name := range order {
		if !listed[name] {
			return nil, invalidf("The bundle holds %s, which its manifest does not list: a file has been added", name)
		}
	}
	for _, need := range []string{provenanceFile, xlsxFile, odsFile} {
		if _, ok := files[need]; !ok {
			return nil, invalidf("The bundle has no %s", need)
		}
	}

	// The provenance and the manifest must tell the same story.
	dec = json.NewDecoder(bytes.NewReader(files[provenanceFile]))
	dec.DisallowUnknownFields()
	pv := &v.provenance
	if err := dec.Decode(pv); err != nil {
		return nil, invalidf("The bundle's provenance cannot be read: %v", err)
	}
	switch {
	case pv.Format != m.Format:
		return nil, invalidf("The bundle's provenance is in format %q and its manifest in %q", pv.Format, m.Format)
	case pv.FinancialYear != m.FinancialYear:
		return nil, invalidf("The bundle's provenance is for %s and its manifest for %s", pv.FinancialYear, m.FinancialYear)
	case pv.Policy != m.Policy:
		return nil, invalidf("The bundle's provenance is under %s and its manifest under %s", pv.Policy, m.Policy)
	case pv.PartnershipID != m.PartnershipID || pv.Partnership != m.Partnership || pv.Region != m.Region:
		return nil, invalidf("The bundle's provenance is of %s (%d) and its manifest of %s (%d)", pv.Partnership, pv.PartnershipID, m.Partnership, m.PartnershipID)
	}
	var csvs []string
	for _, f := range m.Files {
		if rest, ok := strings.CutPrefix(f.Name, tablesDir); ok {
			id, ok := strings.CutSuffix(rest, ".csv")
			if !ok || !tableIDPattern.MatchString(id) {
				return nil, invalidf("The bundle's %s is not a table of a return", f.Name)
			}
			csvs = append(csvs, id)
		}
	}
	if len(csvs) == 0 || !slices.Equal(csvs, pv.Tables) {
		return nil, invalidf("The bundle's tables %v are not the tables its provenance lists %v", csvs, pv.Tables)
	}
	for _, id := range csvs {
		t, meta, err := parseTableCSV(id, files[tablesDir+id+".csv"])
		if err != nil {
			return nil, err
		}
		if meta["Financial year"] != m.FinancialYear.String() || meta["Disclosure control"] != m.Policy.String() || meta["Partnership"] != m.Partnership {
			return nil, invalidf("The bundle's table %s is of %s for %s under %s, not what its manifest says", id, meta["Partnership"], meta["Financial year"], meta["Disclosure control"])
		}
		v.tables = append(v.tables, t)
	}
	return v, nil
}

// parseTableCSV reads a table's CSV as Return.CSV writes it: rows of facts (name, value), an empty line, the
// headings, then the rows. It returns the table and the facts (the first value of each name).
func parseTableCSV(id string, data []byte) (Table, map[string]string, error) {
	bad := func(why string) (Table, map[string]string, error) {
		return Table{}, nil, invalidf("The bundle's table %s cannot be read: %s", id, why)
	}
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	t := Table{ID: id}
	meta := map[string]string{}
	heading := false
	for {
		at := rd.InputOffset()
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bad(err.Error())
		}
		switch {
		case !heading && at < int64(len(data)) && (data[at] == '\n' || data[at] == '\r'):
			// The empty line before the headings (the reader skips it).
			heading, t.Headings = true, rec
		case !heading:
			if len(rec) < 2 {
				return bad("a fact without a value")
			}
			switch rec[0] {
			case "Title":
				t.Title = rec[1]
			case "Note":
				t.Notes = append(t.Notes, rec[1])
			}
			if _, ok := meta[rec[0]]; !ok {
				meta[rec[0]] = rec[1]
			}
		default:
			if len(rec) != len(t.Headings) {
				return bad(fmt.Sprintf("row %q has %d cells for %d headings", rec[0], len(rec), len(t.Headings)))
			}
			row := Row{Label: rec[0]}
			for _, c := range rec[1:] {
				if n, err := strconv.Atoi(c); err == nil && n >= 0 && strconv.Itoa(n) == c {
					row.Cells = append(row.Cells, Cell{Text: c, Value: n, Number: true})
				} else if isShorthand(c) {
					row.Cells = append(row.Cells, Cell{Text: c})
				} else {
					return bad(fmt.Sprintf("%q in row %q is neither a figure nor a shorthand", c, rec[0]))
				}
			}
			t.Rows = append(t.Rows, row)
		}
	}
	if len(t.Headings) < 2 || len(t.Rows) == 0 {
		return bad("it has no headings or no rows")
	}
	if last := &t.Rows[len(t.Rows)-1]; last.Label == "Total" {
		last.Total = true
	}
	return t, meta, nil
}

// Import reads a bundle sent to the partnership, a region or a nation, and keeps its figures. The bundle must be
// signed by a sender the partnership registered, hold exactly the files its manifest lists with the hashes it
// gives, and its provenance and tables must agree with the manifest. A bundle imported before is refused, and so
// is an approval that is not newer than one already imported for the same partnership and year: a region keeps
// the latest approval of each partnership, and an old bundle cannot be replayed over a newer one. Only the
// tables as published are kept; the bundle itself is not. It is for the partnership's coordinators and analysts
// (access.StatisticsView).
func (s *Service) Import(ctx context.Context, p prevent.Principal, pid prevent.ID, bundle []byte) (*Imported, error) {
	if !s.allow(p, pid, access.StatisticsView) {
		return nil, access.NotFound("Partnership")
	}
	// The bundle is verified before the transaction, so that hashing it does not hold up other writers; the
	// transaction checks again that its sender is still registered.
	tier, err := readTier(ctx, s.db.Read(), pid)
	if err != nil {
		return nil, err
	}
	if !tier.imports() {
		return nil, invalidf("Only a region or a nation imports returns")
	}
	senders, err := readSenders(ctx, s.db.Read(), pid)
	if err != nil {
		return nil, err
	}
	v, err := verifyBundle(bundle, senders)
	if err != nil {
		return nil, err
	}
	var id prevent.ID
	err = s.db.WithTx(ctx, func(tx *database.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM return_senders WHERE id = $1 AND partnership_id = $2 AND public_key = $3`,
			v.sender.ID, pid, v.sender.PublicKey).Scan(&n); err != nil {
			return fmt.Errorf("returns: sender: %w", err)
		}
		if n != 1 {
			return prevent.Errorf(prevent.Conflict, "The sender of this bundle is no longer registered")
		}
		if tier, err := readTier(ctx, tx, pid); err != nil || !tier.imports() {
			if err != nil {
				return err
			}
			return invalidf("Only a region or a nation imports returns")
		}
		m := v.manifest
		var at time.Time
		err = tx.QueryRowContext(ctx, `SELECT imported_at FROM return_imports WHERE partnership_id = $1 AND bundle_id = $2`, pid, m.BundleID).Scan(&at)
		switch {
		case err == nil:
			return prevent.Errorf(prevent.Conflict, "Bundle %s was imported on %s: a bundle is imported once", m.BundleID, at.UTC().Format(time.RFC3339))
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("returns: imports: %w", err)
		}
		// The sender is its name: every key registered under one name is one instance's, so that a bundle signed
		// by a key since replaced cannot be replayed over a newer one signed by its successor.
		rows, err := tx.QueryContext(ctx, `SELECT i.approved_at FROM return_imports i JOIN return_senders s ON s.id = i.sender_id
			WHERE i.partnership_id = $1 AND s.name = $2 AND i.source_partnership_id = $3 AND i.year = $4`, pid, v.sender.Name, m.PartnershipID, int(m.FinancialYear))
		if err != nil {
			return fmt.Errorf("returns: imports: %w", err)
		}
		var latest time.Time
		for rows.Next() {
			var t time.Time
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			if t.After(latest) {
				latest = t
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if !latest.IsZero() && !m.ApprovedAt.After(latest) {
			return prevent.Errorf(prevent.Conflict, "An approval of %s's return for %s made on %s is already imported; this bundle's approval (%s) is not newer",
				m.Partnership, m.FinancialYear, latest.UTC().Format(time.RFC3339), m.ApprovedAt.UTC().Format(time.RFC3339))
		}
		figures, err := json.Marshal(v.tables)
		if err != nil {
			return fmt.Errorf("returns: import figures: %w", err)
		}
		lists, err := json.Marshal(v.provenance.Lists)
		if err != nil {
			return fmt.Errorf("returns: import lists: %w", err)
		}
		now := s.now()
		if err := tx.QueryRowContext(ctx, `INSERT INTO return_imports (partnership_id, sender_id, bundle_id, source_partnership_id, source_partnership,
			source_region, year, policy_name, policy_version, approved_at, checked_by, approved_by, manifest_sha256, lists, figures, imported_by, imported_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
			pid, v.sender.ID, m.BundleID, m.PartnershipID, m.Partnership, m.Region, int(m.FinancialYear), m.Policy.Name, m.Policy.Version,
			m.ApprovedAt.UTC(), m.CheckedBy, m.ApprovedBy, v.sum, string(lists), string(figures), p.PersonID, now).Scan(&id); err != nil {
			if database.IsUniqueViolation(err) {
				return prevent.Errorf(prevent.Conflict, "Bundle %s was imported at the same time by someone else", m.BundleID)
			}
			return fmt.Errorf("returns: import: %w", err)
		}
		return s.importAudit(ctx, tx, p, audit.Collect, "return_import", id, pid, fmt.Sprintf("return of %s for %s under %s imported: bundle %s from %s, approved %s, manifest SHA-256 %s",
			m.Partnership, m.FinancialYear, m.Policy, m.BundleID, v.sender.Name, m.ApprovedAt.UTC().Format(time.RFC3339), v.sum))
	})
	if err != nil {
		return nil, err
	}
	all, err := readImports(ctx, s.db.Read(), pid, `i.id = $2`, id)
	if err != nil {
		return nil, err
	}
	if len(all) != 1 {
		return nil, fmt.Errorf("returns: import %d not found after writing it", id)
	}
	return all[0], nil
}

// Imports lists the returns the partnership imported for a year, oldest approval first.
func (s *Service) Imports(ctx context.Context, p prevent.Principal, pid prevent.ID, y FinancialYear) ([]*Imported, error) {
	if !s.allow(p, pid, access.StatisticsView) {
		return nil, access.NotFound("Partnership")
	}
	return readImports(ctx, s.db.Read(), pid, `i.year = $2`, int(y))
}

func readImports(ctx context.Context, q database.Querier, pid prevent.ID, where string, arg any) ([]*Imported, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.sender_id, s.name, i.bundle_id, i.source_partnership_id, i.source_partnership, i.source_region,
		i.year, i.policy_name, i.policy_version, i.approved_at, i.checked_by, i.approved_by, i.manifest_sha256, i.lists, i.figures, i.imported_at
		FROM return_imports i JOIN return_senders s ON s.id = i.sender_id WHERE i.partnership_id = $1 AND `+where+`
		ORDER BY i.approved_at, i.id`, pid, arg)
	if err != nil {
		return nil, fmt.Errorf("returns: imports: %w", err)
	}
	defer rows.Close()
	var out []*Imported
	for rows.Next() {
		x := &Imported{}
		var year int
		var lists, figures string
		if err := rows.Scan(&x.ID, &x.SenderID, &x.Sender, &x.BundleID, &x.SourcePartnershipID, &x.SourcePartnership, &x.SourceRegion,
			&year, &x.Policy.Name, &x.Policy.Version, &x.ApprovedAt, &x.CheckedBy, &x.ApprovedBy, &x.ManifestSHA256, &lists, &figures, &x.ImportedAt); err != nil {
			return nil, err
		}
		x.Year = FinancialYear(year)
		if err := json.Unmarshal([]byte(lists), &x.Lists); err != nil {
			return nil, fmt.Errorf("returns: import lists: %w", err)
		}
		if err := json.Unmarshal([]byte(figures), &x.Tables); err != nil {
			return nil, fmt.Errorf("returns: import figures: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
