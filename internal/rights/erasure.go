package rights

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/preventplatform/prevent/internal/access"
	"github.com/preventplatform/prevent/internal/audit"
	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/jobs"
	"github.com/preventplatform/prevent/internal/prevent"
)

// Erasure at the end of retention (UK GDPR Art 5(1)(e), DPA 2018 s.39 and s.50): the daily
// "retention-erasure" task erases every closed case past its retention rule that no legal hold keeps, and
// appends an erasure certificate to the audit log for each class, outcome and rule (docs/retention.md).
//
// The run is here: a case resting in a closing state (casework.ClosedCases, which says the outcome it closed
// with and when) is due when the partnership's rule for its outcome has passed since then, and is erased
// unless a legal hold is in force on it. Casework erases each case (casework.EraseCase: shredding its data
// key, blanking its plain columns, keeping its anonymous statistics) inside the run's transaction, after the
// run has checked the hold again in that transaction. Each transaction appends an erasure certificate: the
// action "erase" with the record class, outcome, how many, when, and the rule (version, months, source) it
// applied. Audit entries already written about the case stay: they hold references, never personal data.

// erasureBatch bounds how many cases of one certificate one transaction erases.
const erasureBatch = 100

// erasureRound bounds how many due cases a run gathers before it erases them: a run erases in rounds of at
// most this many, keeping its place (the cursor erasureCursor) after each, until nothing is due or its time
// is spent (docs/retention.md).
const erasureRound = 500

// erasureCursor names where an erasure run that stopped with cases left to look at resumes.
const erasureCursor = "retention-erasure"

// ErasureCertificate is what one erasure certificate in the audit log states.
type ErasureCertificate struct {
	PartnershipID prevent.ID
	Class         RecordClass
	Outcome       Outcome
	Count         int
	At            time.Time
	Rule          RetentionRule
}

// Detail is the certificate's text in the audit log.
func (c ErasureCertificate) Detail() string {
	whose := "partnership rule"
	if c.Rule.Default() {
		whose = "default rule"
	}
	return fmt.Sprintf("erasure certificate: class %s, outcome %s, %d records erased at %s past retention; %s %s/%s version %d, %d months; source: %s",
		c.Class, c.Outcome, c.Count, c.At.UTC().Format(time.RFC3339), whose, c.Rule.Class, c.Rule.Outcome, c.Rule.Version, c.Rule.Months, c.Rule.Source)
}

// ErasureResult reports a run of EraseDue.
type ErasureResult struct {
	Erased       int
	Held         int // due but kept under a legal hold
	Certificates []ErasureCertificate
	// More is true when the run stopped within its budget with cases left to look at; the next run resumes
	// where it stopped.
	More bool
}

// erasureCandidate is a closed case past retention, with the rule it is past.
type erasureCandidate struct {
	casework.ClosedCase
	rule RetentionRule
}

// EraseDue erases every closed case past its retention at now that no legal hold keeps, and reports what it
// did. Running it again erases nothing more until more cases fall due. It works in rounds of at most
// erasureRound cases and stops starting rounds once three quarters of the time to ctx's deadline has passed
// (jobs.Budget), reporting More; the next run resumes where it stopped.
func (s *Service) EraseDue(ctx context.Context, now time.Time) (ErasureResult, error) {
	return s.EraseDueUpTo(ctx, now, 0)
}

// EraseDueUpTo is EraseDue looking at no more than limit due cases (erased or held), or without that bound
// when limit is 0.
func (s *Service) EraseDueUpTo(ctx context.Context, now time.Time, limit int) (ErasureResult, error) {
	var res ErasureResult
	budget := jobs.Budget(ctx)
	plan, err := s.erasurePlan(ctx, 0, now)
	if err != nil {
		return res, err
	}
	pos, err := jobs.Cursor(ctx, s.db.Read(), erasureCursor)
	if err != nil {
		return res, err
	}
	w := newErasureWalk(s, plan, now, parseErasurePosition(pos))
	seen := 0
	for !w.done {
		if !budget() || (limit > 0 && seen >= limit) {
			res.More = true
			break
		}
		n := erasureRound
		if limit > 0 {
			n = min(n, limit-seen)
		}
		due, nHeld, err := w.next(ctx, n)
		if err != nil {
			return res, err
		}
		seen += len(due) + nHeld
		res.Held += nHeld
		if err := s.eraseRound(ctx, due, &res); err != nil {
			return res, err
		}
		at := w.position()
		if at == pos {
			continue // a run with nothing due and no cursor writes nothing
		}
		if err := s.db.WithTx(ctx, func(tx *database.Tx) error { return jobs.SetCursor(ctx, tx, erasureCursor, at, s.now()) }); err != nil {
			return res, fmt.Errorf("rights: erase: %w", err)
		}
		pos = at
	}
	return res, nil
}

// eraseRound erases the due cases of one round: by certificate (partnership, outcome and rule), in the order
// of their first case, in transactions of at most erasureBatch cases each appending its certificate.
func (s *Service) eraseRound(ctx context.Context, due []erasureCandidate, res *ErasureResult) error {
	slices.SortFunc(due, func(a, b erasureCandidate) int { return cmp.Compare(a.ID, b.ID) })
	type group struct {
		partnership prevent.ID
		outcome     Outcome
		version     int
		ruleOwner   prevent.ID
	}
	groups := map[group][]erasureCandidate{}
	var order []group
	for _, c := range due {
		g := group{c.PartnershipID, c.rule.Outcome, c.rule.Version, c.rule.PartnershipID}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], c)
	}
	for _, g := range order {
		cs := groups[g]
		for len(cs) > 0 {
			batch := cs[:min(len(cs), erasureBatch)]
			cs = cs[len(batch):]
			var cert ErasureCertificate
			err := s.db.WithTx(ctx, func(tx *database.Tx) error {
				at := s.now()
				n := 0
				for _, c := range batch {
					if h, err := held(ctx, tx, HoldCase, c.ID); err != nil {
						return err
					} else if h {
						continue
					}
					ok, err := s.casework.EraseCase(ctx, tx, c.ClosedCase, at)
					if err != nil {
						return err
					}
					if ok {
						n++
					}
				}
				if n == 0 {
					return nil
				}
				cert = ErasureCertificate{PartnershipID: g.partnership, Class: CaseRecords, Outcome: g.outcome, Count: n, At: at, Rule: batch[0].rule}
				e := audit.New(ctx, at, audit.Erase, "case", 0)
				e.PartnershipID = g.partnership
				e.Purpose = "retention"
				e.Detail = cert.Detail()
				if _, err := audit.Append(ctx, tx, e); err != nil {
					return fmt.Errorf("rights: erasure certificate: %w", err)
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("rights: erase: %w", err)
			}
			if cert.Count > 0 {
				res.Erased += cert.Count
				res.Certificates = append(res.Certificates, cert)
			}
		}
	}
	return nil
}

// ErasureDue counts a partnership's closed cases past retention at now: those the next erasure run will
// erase, and those a legal hold keeps. It is for the data protection officer's view and returns counts only.
func (s *Service) ErasureDue(ctx context.Context, p prevent.Principal, partnership prevent.ID, now time.Time) (due, held int, err error) {
	if err := s.authorise(p, access.DataProtectionView, "data_protection", partnership, "Partnership"); err != nil {
		return 0, 0, err
	}
	plan, err := s.erasurePlan(ctx, partnership, now)
	if err != nil {
		return 0, 0, err
	}
	w := newErasureWalk(s, plan, now, erasurePosition{})
	for !w.done {
		cands, nHeld, err := w.next(ctx, erasureRound)
		if err != nil {
			return 0, 0, err
		}
		due += len(cands)
		held += nHeld
	}
	return due, held, nil
}
