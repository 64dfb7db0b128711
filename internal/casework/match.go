package casework

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
	"golang.org/x/text/unicode/norm"
)

// NormaliseName folds a name for comparison: accents removed, lower case, punctuation dropped, spaces single.
func NormaliseName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’':
			// O'Brien and OBrien are the same name.
		default:
			space = true
		}
	}
	return b.String()
}

// NormalisePostcode removes spaces and upper-cases a postcode.
func NormalisePostcode(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

func normaliseAddress(s string) string { return NormaliseName(s) }

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// tokensClose reports whether two name tokens are the same allowing a typing slip: one edit for names of
// three to seven letters, two for longer ones; an initial matches a name starting with it.
func tokensClose(a, b string) bool {
	if a == b {
		return true
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 1 || len(rb) == 1 {
		return ra[0] == rb[0]
	}
	n := min(len(ra), len(rb))
	switch {
	case n < 3:
		return false
	case n < 8:
		return editDistance(a, b) <= 1
	default:
		return editDistance(a, b) <= 2
	}
}

// SimilarNames reports whether two names may be the same person's: after normalising, at least half the
// tokens of the shorter name (and at least one that is not an initial) have a close token in the other.
// It is a prompt for a person to check, never a decision.
func SimilarNames(a, b string) bool {
	ta, tb := strings.Fields(NormaliseName(a)), strings.Fields(NormaliseName(b))
	if len(ta) == 0 || len(tb) == 0 {
		return false
	}
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	matched, full := 0, false
	used := make([]bool, len(tb))
	for _, x := range ta {
		for j, y := range tb {
			if !used[j] && tokensClose(x, y) {
				used[j] = true
				matched++
				if len([]rune(x)) > 1 && len([]rune(y)) > 1 {
					full = true
				}
				break
			}
		}
	}
	return full && matched*2 >= len(ta) && matched >= min(2, len(ta))
}

func insertSubject(ctx context.Context, tx *database.Tx, partnershipID prevent.ID, d PersonDetails, now time.Time) (prevent.ID, error) {
	var dob, age any
	if !d.DateOfBirth.IsZero() {
		dob = d.DateOfBirth.UTC().Format(dateLayout)
	}
	if d.ApproximateAge > 0 {
		age = d.ApproximateAge
	}
	var id prevent.ID
	err := tx.QueryRowContext(ctx, `INSERT INTO case_subjects (partnership_id, given_names, family_name, aliases, name_key, date_of_birth,
		approximate_age, gender, address_line1, postcode, local_authority, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
		partnershipID, strings.TrimSpace(d.GivenNames), strings.TrimSpace(d.FamilyName), strings.Join(d.Aliases, "\n"),
		NormaliseName(d.FullName()+" "+strings.Join(d.Aliases, " ")), dob, age, d.Gender,
		normaliseAddress(d.AddressLine1), NormalisePostcode(d.Postcode), d.LocalAuthority, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("casework: subject: %w", err)
	}
	return id, nil
}

// The candidate lookups of findMatches, one per basis, so that each is answered from an index of
// case_subjects (case_subjects_dob; case_subjects_address) and reads only the subjects who share the date of
// birth or the address, not every subject of the partnership. Each returns at most matchLimit rows, the
// lowest ids first. The query plan test runs EXPLAIN on these same statements.
const (
	matchLimit      = 200 // the LIMIT of both statements
	matchByBirthSQL = `SELECT id, given_names, family_name, aliases, COALESCE(date_of_birth, ''), postcode, address_line1
		FROM case_subjects WHERE partnership_id = $1 AND date_of_birth = $2 AND id <> $3 ORDER BY id LIMIT 200`
	matchByAddressSQL = `SELECT id, given_names, family_name, aliases, COALESCE(date_of_birth, ''), postcode, address_line1
		FROM case_subjects WHERE partnership_id = $1 AND postcode = $2 AND address_line1 = $3 AND id <> $4 ORDER BY id LIMIT 200`
)

// matchCandidate is an existing subject who may be the person referred, and why.
type matchCandidate struct {
	id    prevent.ID
	basis string
}

// matchCandidates returns the existing subjects of the partnership (other than subjectID) with a similar
// name and either the date of birth dob or the address postcode and line1 (normalised), lowest id first.
// Like a single query on either basis, it considers the first matchLimit subjects by id of those on either
// basis. The date of birth is the basis when both hold.
func matchCandidates(ctx context.Context, tx *database.Tx, partnershipID, subjectID prevent.ID, d PersonDetails, dob, postcode, line1 string) ([]matchCandidate, error) {
	type row struct {
		id                                      prevent.ID
		given, family, aliases, dob, post, line string
	}
	seen := map[prevent.ID]bool{}
	var rs []row
	read := func(query string, args ...any) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("casework: match candidates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.given, &r.family, &r.aliases, &r.dob, &r.post, &r.line); err != nil {
				return err
			}
			if !seen[r.id] {
				seen[r.id] = true
				rs = append(rs, r)
			}
		}
		return rows.Err()
	}
	if dob != "" {
		if err := read(matchByBirthSQL, partnershipID, dob, subjectID); err != nil {
			return nil, err
		}
	}
	if postcode != "" && line1 != "" {
		if err := read(matchByAddressSQL, partnershipID, postcode, line1, subjectID); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(rs, func(a, b row) int { return cmp.Compare(a.id, b.id) })
	if len(rs) > matchLimit {
		rs = rs[:matchLimit]
	}
	var found []matchCandidate
	names := append([]string{d.FullName()}, d.Aliases...)
	for _, r := range rs {
		theirs := append([]string{r.given + " " + r.family}, strings.Split(r.aliases, "\n")...)
		similar := false
		for _, a := range names {
			for _, b := range theirs {
				if strings.TrimSpace(b) != "" && SimilarNames(a, b) {
					similar = true
				}
			}
		}
		if !similar {
			continue
		}
		basis := "same address and similar name"
		if dob != "" && r.dob == dob {
			basis = "same date of birth and similar name"
		}
		found = append(found, matchCandidate{r.id, basis})
	}
	return found, nil
}

// findMatches records the existing subjects of the partnership who may be the person referred: the same date
// of birth and a similar name, or the same address (postcode and first line) and a similar name. Aliases
// count as names. It returns how many it found.
func (s *Service) findMatches(ctx context.Context, tx *database.Tx, partnershipID, referralID, subjectID prevent.ID, d PersonDetails) (int, error) {
	var dob string
	if !d.DateOfBirth.IsZero() {
		dob = d.DateOfBirth.UTC().Format(dateLayout)
	}
	postcode, line1 := NormalisePostcode(d.Postcode), normaliseAddress(d.AddressLine1)
	if dob == "" && (postcode == "" || line1 == "") {
		return 0, nil
	}
	found, err := matchCandidates(ctx, tx, partnershipID, subjectID, d, dob, postcode, line1)
	if err != nil {
		return 0, err
	}
	for _, c := range found {
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_matches (referral_id, subject_id, basis) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, referralID, c.id, c.basis); err != nil {
			return 0, fmt.Errorf("casework: match: %w", err)
		}
	}
	return len(found), nil
}

// Match is an existing subject who may be the person referred, for a person to confirm or decline.
type Match struct {
	SubjectID   prevent.ID
	Name        string
	DateOfBirth string
	Postcode    string
	Basis       string
	Previous    []PreviousReferral
}

// Matches lists the undecided possible repeat referrals found when the referral was submitted, each with the
// subject's earlier referrals. The read is audited.
func (s *Service) Matches(ctx context.Context, p prevent.Principal, referralID prevent.ID) ([]Match, error) {
	var out []Match
	err := s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.authorise(ctx, tx, p, access.CaseTriage, referralID)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT m.subject_id, cs.given_names, cs.family_name, COALESCE(cs.date_of_birth, ''), cs.postcode, m.basis
			FROM referral_matches m JOIN case_subjects cs ON cs.id = m.subject_id
			WHERE m.referral_id = $1 AND m.decision = 'pending' AND cs.partnership_id = $2 ORDER BY m.subject_id`, referralID, c.PartnershipID)
		if err != nil {
			return fmt.Errorf("casework: matches: %w", err)
		}
		for rows.Next() {
			var m Match
			var given, family string
			if err := rows.Scan(&m.SubjectID, &given, &family, &m.DateOfBirth, &m.Postcode, &m.Basis); err != nil {
				rows.Close()
				return err
			}
			m.Name = strings.TrimSpace(given + " " + family)
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Previous, err = previousReferrals(ctx, tx, out[i].SubjectID, referralID); err != nil {
				return err
			}
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", referralID, c.PartnershipID, fmt.Sprintf("viewed %d possible repeat referrals", len(out)))
	})
	return out, err
}

func (s *Service) decideMatch(ctx context.Context, tx *database.Tx, p prevent.Principal, referralID, subjectID prevent.ID) (caseRow, error) {
	c, err := s.authorise(ctx, tx, p, access.CaseTriage, referralID)
	if err != nil {
		return c, err
	}
	var decision string
	err = tx.QueryRowContext(ctx, `SELECT decision FROM referral_matches WHERE referral_id = $1 AND subject_id = $2`, referralID, subjectID).Scan(&decision)
	if err == sql.ErrNoRows {
		return c, prevent.Errorf(prevent.NotFound, "This possible match was not found")
	}
	if err != nil {
		return c, fmt.Errorf("casework: match: %w", err)
	}
	if decision != "pending" {
		return c, prevent.Errorf(prevent.Conflict, "This possible match has already been %s", decision)
	}
	return c, nil
}

// LinkSubject confirms that the person referred is an existing subject: the referral is attached to that
// subject (so it shows the earlier referrals) and the provisional subject made at submission is removed if
// nothing else uses it. Only a person's decision links; nothing links automatically.
func (s *Service) LinkSubject(ctx context.Context, p prevent.Principal, referralID, subjectID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.decideMatch(ctx, tx, p, referralID, subjectID)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE referral_matches SET decision = 'linked', decided_by = $1, decided_at = $2
			WHERE referral_id = $3 AND subject_id = $4`, p.PersonID, now, referralID, subjectID); err != nil {
			return fmt.Errorf("casework: link: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET subject_id = $1, updated_at = $2 WHERE id = $3`, subjectID, now, referralID); err != nil {
			return fmt.Errorf("casework: link: %w", err)
		}
		old := c.SubjectID
		if old != 0 && old != subjectID {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM referrals WHERE subject_id = $1`, old).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM referral_matches WHERE subject_id = $1`, old); err != nil {
					return fmt.Errorf("casework: link: %w", err)
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM case_subjects WHERE id = $1`, old); err != nil {
					return fmt.Errorf("casework: link: %w", err)
				}
			}
		}
		if err := s.event(ctx, tx, p, referralID, "linked", c.State, c.State, "linked to an earlier referral of the same person"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Combine, "referral", referralID, c.PartnershipID, fmt.Sprintf("repeat referral: linked to subject %d", subjectID))
	})
}

// DeclineMatch records that an existing subject is not the person referred.
func (s *Service) DeclineMatch(ctx context.Context, p prevent.Principal, referralID, subjectID prevent.ID) error {
	return s.db.WithTx(ctx, func(tx *database.Tx) error {
		c, err := s.decideMatch(ctx, tx, p, referralID, subjectID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referral_matches SET decision = 'declined', decided_by = $1, decided_at = $2
			WHERE referral_id = $3 AND subject_id = $4`, p.PersonID, s.now(), referralID, subjectID); err != nil {
			return fmt.Errorf("casework: decline match: %w", err)
		}
		if err := s.event(ctx, tx, p, referralID, "match_declined", c.State, c.State, "a possible earlier referral was checked: not the same person"); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Alter, "referral", referralID, c.PartnershipID, fmt.Sprintf("repeat referral: declined subject %d", subjectID))
	})
}
