package casework

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/prevent"
)

// searchLimit is how many cases a search returns at most, the newest first.
const searchLimit = 50

// Search finds cases the principal may see by reference (exact, any case; references are upper case) or by the
// person's name or an alias (all words).
func (s *Service) Search(ctx context.Context, p prevent.Principal, partnershipID prevent.ID, query string) ([]Summary, error) {
	if !access.Decide(p, access.CaseStatusView, access.Resource{Kind: "case", PartnershipID: partnershipID}, s.now()).Allow {
		return nil, access.NotFound("Partnership")
	}
	query = strings.TrimSpace(query)
	if query == "" || len(query) > 200 {
		return nil, prevent.Validation([]prevent.FieldError{{Field: "q", Message: "Enter a reference or a name"}})
	}
	var out []Summary
	// A read transaction: the search takes no write lock, and its audit entry is appended by the group
	// committer before WithRead returns.
	err := s.db.WithRead(ctx, func(tx *database.Tx) error {
		where, args := searchWhere(tx.Dialect, coordinatingIn(p, partnershipID), query)
		var err error
		if out, _, err = s.listRows(ctx, tx, p, partnershipID, 0, where, args...); err != nil {
			return err
		}
		return s.record(ctx, tx, p, audit.Consult, "referral", 0, partnershipID, fmt.Sprintf("searched cases: %d found", len(out)))
	})
	return out, err
}

// minIndexedWord is the length, in letters, of the shortest word the name indexes can look up: both index
// trigrams (three letters in a row), so a shorter word is in no entry of its own.
const minIndexedWord = 3

// searchWhere returns what Search adds to the scope of listRows (whose arguments $1 to $4 are the
// partnership, the person, their organisation and whether they coordinate), and its arguments from $5 on.
//
// A case matches when its reference is the query (upper-cased), or when every word of the normalised query
// is part of the person's name key (their names and aliases, normalised): name_key LIKE '%word%', for each
// word. That condition is always applied as it stands; what changes with the reader is which referrals it is
// applied to, so that no search walks every referral of the partnership:
//
//   - someone who does not coordinate sees only the referrals they wrote or are assigned to (the scope), so
//     those are the candidates, read through referrals_author and case_assignments_person;
//   - a coordinator sees every case, so the candidates are the referral with that reference and the
//     referrals of the people whose name key holds every word of three letters or more, looked up in the
//     name index: the FTS5 trigram table case_subjects_names on SQLite, the trigram index of the same name
//     on PostgreSQL. Both index substrings, so the index finds a superset of the names that match (the
//     LIKE decides), never fewer;
//   - a coordinator's query with no word of three letters or more (say "Al") cannot be looked up: it walks
//     the partnership's referrals newest first and stops at the fiftieth match, as before the index.
func searchWhere(dialect database.Dialect, coordinating bool, query string) (string, []any) {
	args := []any{strings.ToUpper(query)}
	var words, cond []string
	for _, w := range strings.Fields(NormaliseName(query)) {
		args = append(args, "%"+w+"%")
		cond = append(cond, fmt.Sprintf("cs.name_key LIKE $%d", 4+len(args)))
		words = append(words, w)
	}
	const byReference = `SELECT id FROM referrals WHERE reference = $5`
	var candidates string
	if !coordinating {
		candidates = `SELECT id FROM referrals WHERE author_id = $2 UNION ALL SELECT referral_id FROM case_assignments WHERE person_id = $2`
	} else if len(cond) == 0 {
		candidates = byReference
	} else if names, more, ok := nameLookup(dialect, words, 4+len(args)); ok {
		args = append(args, more...)
		candidates = byReference + ` UNION ALL SELECT id FROM referrals WHERE subject_id IN (` + names + `)`
	}
	where := ""
	switch {
	case candidates == "":
	case dialect == database.SQLite:
		where = ` AND r.id IN (` + candidates + `)`
	default:
		// An array, so that PostgreSQL reads the candidates first (once) and then each referral by its
		// primary key: as a semi-join, it may instead walk the partnership's referrals newest first and look
		// each one up in the candidates, which is what the candidates are there to avoid.
		where = ` AND r.id = ANY (ARRAY(` + candidates + `))`
	}
	where += ` AND (r.reference = $5`
	if len(cond) > 0 {
		where += ` OR (` + strings.Join(cond, " AND ") + `)`
	}
	return where + fmt.Sprintf(`) ORDER BY r.id DESC LIMIT %d`, searchLimit), args
}

// nameLookup returns a statement listing the ids of the people referred (case_subjects, of any partnership)
// whose name key may hold every word of words that the name index can look up (letters and digits, at least
// minIndexedWord of them), and its arguments, numbered from $(after+1): on SQLite a full-text query of the
// FTS5 trigram table case_subjects_names, each word a phrase; on PostgreSQL name_key LIKE '%word%' for each,
// which its trigram index answers. The list holds every name that holds the words, and may hold more (the
// caller applies its own LIKE to decide). ok is false when no word can be looked up.
func nameLookup(dialect database.Dialect, words []string, after int) (query string, args []any, ok bool) {
	var conds []string
	for _, w := range words {
		if utf8.RuneCountInString(w) < minIndexedWord || strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			continue
		}
		if dialect == database.SQLite {
			conds = append(conds, `"`+w+`"`) // letters and digits only: nothing to escape in the phrase
			continue
		}
		args = append(args, "%"+w+"%")
		conds = append(conds, fmt.Sprintf("name_key LIKE $%d", after+len(args)))
	}
	switch {
	case len(conds) == 0:
		return "", nil, false
	case dialect == database.SQLite:
		return fmt.Sprintf(`SELECT rowid FROM case_subjects_names WHERE case_subjects_names MATCH $%d`, after+1),
			[]any{strings.Join(conds, " AND ")}, true
	default:
		return `SELECT id FROM case_subjects WHERE ` + strings.Join(conds, " AND "), args, true
	}
}
