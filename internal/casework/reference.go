package casework

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/preventplatform/prevent/internal/database"
)

// List names a versioned reference list.
type List string

// The reference lists seeded by the migrations.
const (
	ConcernTypes      List = "concern_type"
	TriageReasons     List = "triage_reason"    // reasons for no further action
	SignpostServices  List = "signpost_service" // services a referral is signposted to
	ExitOutcomes      List = "exit_outcome"
	InterventionTypes List = "intervention_type"
)

// Item is one version of a reference code, valid from ValidFrom until the day before ValidTo.
type Item struct {
	List      List
	Code      string
	Version   int
	Label     string
	ValidFrom time.Time
	ValidTo   time.Time // zero while current; exclusive
}

// ValidOn reports whether the item is valid on the day of t.
func (it Item) ValidOn(t time.Time) bool {
	d := day(t)
	return !d.Before(it.ValidFrom) && (it.ValidTo.IsZero() || d.Before(it.ValidTo))
}

const dateLayout = "2006-01-02"

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Reference returns the items of a list valid on the day of on, in display order. Reference data is not
// personal, so reads are not audited.
func (s *Service) Reference(ctx context.Context, list List, on time.Time) ([]Item, error) {
	return reference(ctx, s.db.Read(), list, on)
}

// reference reads a list in q: inside a transaction, q must be the transaction (on PostgreSQL the pools are
// one, and a second connection per transaction could exhaust it).
func reference(ctx context.Context, q database.Querier, list List, on time.Time) ([]Item, error) {
	d := on.UTC().Format(dateLayout)
	rows, err := q.QueryContext(ctx, `SELECT code, version, label, valid_from, valid_to FROM case_reference
		WHERE list = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2) ORDER BY sort, code`, string(list), d)
	if err != nil {
		return nil, fmt.Errorf("casework: reference %s: %w", list, err)
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		it := Item{List: list}
		var from string
		var to sql.NullString
		if err := rows.Scan(&it.Code, &it.Version, &it.Label, &from, &to); err != nil {
			return nil, err
		}
		it.ValidFrom, _ = time.Parse(dateLayout, from)
		if to.Valid {
			it.ValidTo, _ = time.Parse(dateLayout, to.String)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// referenceItem returns the version of code valid on the day of on, and whether there is one.
func referenceItem(ctx context.Context, q database.Querier, list List, code string, on time.Time) (Item, bool, error) {
	items, err := reference(ctx, q, list, on)
	if err != nil {
		return Item{}, false, err
	}
	for _, it := range items {
		if it.Code == code {
			return it, true, nil
		}
	}
	return Item{}, false, nil
}

// Label returns the label of a code in a list as valid on the day of on, or the code itself.
func (s *Service) Label(ctx context.Context, list List, code string, on time.Time) string {
	it, ok, err := referenceItem(ctx, s.db.Read(), list, code, on)
	if err != nil || !ok {
		return code
	}
	return it.Label
}

// Holidays is a set of non-working days (UTC midnight).
type Holidays map[time.Time]bool

// BankHolidays returns the England and Wales bank holidays held as reference data.
func (s *Service) BankHolidays(ctx context.Context) (Holidays, error) {
	return bankHolidays(ctx, s.db.Read())
}

func bankHolidays(ctx context.Context, q database.Querier) (Holidays, error) {
	rows, err := q.QueryContext(ctx, `SELECT day FROM bank_holidays`)
	if err != nil {
		return nil, fmt.Errorf("casework: bank holidays: %w", err)
	}
	defer rows.Close()
	h := Holidays{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		if t, err := time.Parse(dateLayout, d); err == nil {
			h[t] = true
		}
	}
	return h, rows.Err()
}

// WorkingDay reports whether t falls on a Monday to Friday that is not a holiday.
func (h Holidays) WorkingDay(t time.Time) bool {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !h[day(t)]
}

// AddWorkingDays returns t moved on by n working days, at the same time of day. Starting on a weekend or
// holiday counts from the next working day.
func (h Holidays) AddWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if h.WorkingDay(t) {
			n--
		}
	}
	return t
}
