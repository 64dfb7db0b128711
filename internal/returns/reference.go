package returns

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The reference data of the returns is a file embedded in the binary, lists.json, rather than tables: the lists
// and the mappings between them are part of the definition of a return (a change to either changes what a
// figure means), so they are reviewed, versioned and released with the code that applies them, read the same
// on both database engines, and named by version in every return's provenance. A version, once released, is
// never edited: a new version is added with the financial year it applies from (TestListVersionsNeverChange
// holds the digest of every released version).

//go:embed lists.json
var listsJSON []byte

// Kind names a list of categories the statistics use.
type Kind string

// The kinds of list.
const (
	ConcernTypes Kind = "concern_type"
	AgeBands     Kind = "age_band"
	Sectors      Kind = "sector"
	Genders      Kind = "gender"
	Regions      Kind = "region"
)

// Category is one category of a list. Min and Max bound an age band in whole years (Max -1: no upper bound);
// Unknown marks the band for people whose age is not known. Checked is false for a label or boundary that has
// not been checked against a published release: it is kept as reference data so that correcting it is a new
// version, not a code change.
type Category struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	Min     int    `json:"min,omitempty"`
	Max     int    `json:"max,omitempty"`
	Unknown bool   `json:"unknown,omitempty"`
	Checked bool   `json:"checked"`
}

// contains reports whether the age band c covers every age of [lo, hi] (hi -1: no upper bound).
func (c Category) contains(lo, hi int) bool {
	if c.Unknown {
		return false
	}
	if lo < c.Min {
		return false
	}
	if c.Max < 0 {
		return true
	}
	return hi >= 0 && hi <= c.Max
}

// List is one version of a list, in force from the financial year From until the next version.
//
// Service maps the service's own codes (a type of concern, a sector, a gender, a region's name) onto the
// list's categories; ServiceUnmapped names, with the reason, each service code that deliberately has no
// category in this version. A code in neither is unknown to the version and is reported as not mapped too.
// Multiple is the category of a referral that records several types of concern mapping to different
// categories, and None the category of one that records none; either may be empty, and such a referral is then
// reported as not mapped.
type List struct {
	Kind            Kind              `json:"kind"`
	Version         int               `json:"version"`
	From            FinancialYear     `json:"from"`
	Title           string            `json:"title"`
	Source          string            `json:"source"`
	Categories      []Category        `json:"categories"`
	Multiple        string            `json:"multiple,omitempty"`
	None            string            `json:"none,omitempty"`
	Service         map[string]string `json:"service,omitempty"`
	ServiceUnmapped map[string]string `json:"service_unmapped,omitempty"`
}

// Ref names the list version for provenance: "concern_type version 4 (from 2024/25)".
func (l List) Ref() string { return fmt.Sprintf("%s version %d (from %s)", l.Kind, l.Version, l.From) }

// Category returns the category with code.
func (l List) Category(code string) (Category, bool) {
	i := slices.IndexFunc(l.Categories, func(c Category) bool { return c.Code == code })
	if i < 0 {
		return Category{}, false
	}
	return l.Categories[i], true
}

// MapService maps one service code onto the list. ok is false when the code has no category, and reason then
// says why.
func (l List) MapService(code string) (category string, ok bool, reason string) {
	if c, found := l.Service[code]; found {
		return c, true, ""
	}
	if r, found := l.ServiceUnmapped[code]; found {
		return "", false, r
	}
	return "", false, "Not a code this version of the list knows"
}

// AgeBand returns the band of an age in whole years (negative: not known).
func (l List) AgeBand(age int) (string, bool) {
	for _, c := range l.Categories {
		if (age < 0 && c.Unknown) || (age >= 0 && c.contains(age, age)) {
			return c.Code, true
		}
	}
	return "", false
}

// BandOfRange returns the band that holds every age from lo to hi (hi -1: no upper bound), for figures kept
// only by a coarser band. A range split between two bands has none: it is never shared out between them.
func (l List) BandOfRange(lo, hi int, unknown bool) (string, bool) {
	for _, c := range l.Categories {
		if (unknown && c.Unknown) || (!unknown && c.contains(lo, hi)) {
			return c.Code, true
		}
	}
	return "", false
}

// Crosswalk is the mapping from one version of a list to the next. Map says, for a category of the earlier
// version, the category of the later one whose figures include all of its figures; Unmapped gives, for each
// other category, why it has none. A figure is never moved between versions by anything else.
type Crosswalk struct {
	Kind     Kind              `json:"kind"`
	From     int               `json:"from_version"`
	To       int               `json:"to_version"`
	Map      map[string]Mapped `json:"map"`
	Unmapped map[string]string `json:"unmapped"`
}

// Mapped is one category's place in the next version. Checked is false where it follows from the categories'
// names but has not been confirmed against the statistics' own notes.
type Mapped struct {
	To      string `json:"to"`
	Checked bool   `json:"checked"`
}

type reference struct {
	Lists      []List      `json:"lists"`
	Crosswalks []Crosswalk `json:"crosswalks"`
}

var ref = mustLoad(listsJSON)

func mustLoad(data []byte) reference {
	var r reference
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		panic("returns: lists.json: " + err.Error())
	}
	if err := r.check(); err != nil {
		panic("returns: lists.json: " + err.Error())
	}
	sort.SliceStable(r.Lists, func(i, j int) bool {
		if r.Lists[i].Kind != r.Lists[j].Kind {
			return r.Lists[i].Kind < r.Lists[j].Kind
		}
		return r.Lists[i].Version < r.Lists[j].Version
	})
	return r
}

// check refuses reference data that contradicts itself: versions out of order, mappings to categories that
// do not exist, a service code both mapped and unmapped.
func (r reference) check() error {
	last := map[Kind]List{}
	for _, l := range r.Lists {
		if p, ok := last[l.Kind]; ok && (l.Version != p.Version+1 || l.From <= p.From) {
			return fmt.Errorf("%s version %d does not follow version %d", l.Kind, l.Version, p.Version)
		}
		if _, ok := last[l.Kind]; !ok && l.Version != 1 {
			return fmt.Errorf("%s starts at version %d", l.Kind, l.Version)
		}
		last[l.Kind] = l
		seen := map[string]bool{}
		for _, c := range l.Categories {
			if c.Code == "" || c.Label == "" || seen[c.Code] {
				return fmt.Errorf("%s: empty or repeated category %q", l.Ref(), c.Code)
			}
			seen[c.Code] = true
		}
		for from, to := range l.Service {
			if !seen[to] {
				return fmt.Errorf("%s: %q maps to unknown category %q", l.Ref(), from, to)
			}
			if _, ok := l.ServiceUnmapped[from]; ok {
				return fmt.Errorf("%s: %q is both mapped and unmapped", l.Ref(), from)
			}
		}
		for _, c := range []string{l.Multiple, l.None} {
			if c != "" && !seen[c] {
				return fmt.Errorf("%s: unknown category %q", l.Ref(), c)
			}
		}
	}
	for _, x := range r.Crosswalks {
		from, ok1 := r.version(x.Kind, x.From)
		to, ok2 := r.version(x.Kind, x.To)
		if !ok1 || !ok2 || x.To != x.From+1 {
			return fmt.Errorf("crosswalk %s %d to %d: no such consecutive versions", x.Kind, x.From, x.To)
		}
		for _, c := range from.Categories {
			m, mapped := x.Map[c.Code]
			_, unmapped := x.Unmapped[c.Code]
			if mapped == unmapped {
				return fmt.Errorf("crosswalk %s %d to %d: %q must be either mapped or unmapped", x.Kind, x.From, x.To, c.Code)
			}
			if _, ok := to.Category(m.To); mapped && !ok {
				return fmt.Errorf("crosswalk %s %d to %d: %q maps to unknown %q", x.Kind, x.From, x.To, c.Code, m.To)
			}
		}
		if len(x.Map)+len(x.Unmapped) != len(from.Categories) {
			return fmt.Errorf("crosswalk %s %d to %d names categories the earlier list does not have", x.Kind, x.From, x.To)
		}
	}
	return nil
}

func (r reference) version(k Kind, v int) (List, bool) {
	for _, l := range r.Lists {
		if l.Kind == k && l.Version == v {
			return l, true
		}
	}
	return List{}, false
}

// Versions returns every version of a list, oldest first.
func Versions(k Kind) []List {
	var out []List
	for _, l := range ref.Lists {
		if l.Kind == k {
			out = append(out, l)
		}
	}
	return out
}

// ListFor returns the version of a list in force for a financial year: the latest that applies from that
// year or earlier. A year before the first version has no list (Invalid).
func ListFor(k Kind, y FinancialYear) (List, error) {
	var found List
	ok := false
	for _, l := range ref.Lists {
		if l.Kind == k && l.From <= y {
			found, ok = l, true
		}
	}
	if !ok {
		return List{}, invalidf("There is no %s list for %s: the statistics start in 2015/16", strings.ReplaceAll(string(k), "_", " "), y)
	}
	return found, nil
}

// CrosswalkFrom returns the mapping from version v of a list to version v+1, if there is one.
func CrosswalkFrom(k Kind, v int) (Crosswalk, bool) {
	for _, x := range ref.Crosswalks {
		if x.Kind == k && x.From == v {
			return x, true
		}
	}
	if k == AgeBands {
		return ageCrosswalk(v)
	}
	return Crosswalk{}, false
}

// ageCrosswalk derives the mapping between consecutive age band lists from the bands' boundaries: a band maps
// to the later band that holds all of its ages, and a band split by the later list maps to none.
func ageCrosswalk(v int) (Crosswalk, bool) {
	from, ok1 := ref.version(AgeBands, v)
	to, ok2 := ref.version(AgeBands, v+1)
	if !ok1 || !ok2 {
		return Crosswalk{}, false
	}
	x := Crosswalk{Kind: AgeBands, From: v, To: v + 1, Map: map[string]Mapped{}, Unmapped: map[string]string{}}
	for _, c := range from.Categories {
		if code, ok := to.BandOfRange(c.Min, c.Max, c.Unknown); ok {
			x.Map[c.Code] = Mapped{To: code, Checked: true}
		} else {
			x.Unmapped[c.Code] = "The later list divides these ages between two or more bands"
		}
	}
	return x, true
}

// MapCategory maps a category of the earlier version to the later one; ok is false, with the reason, when there is no
// mapping.
func (x Crosswalk) MapCategory(code string) (to string, ok bool, reason string) {
	if m, found := x.Map[code]; found {
		return m.To, true, ""
	}
	if r, found := x.Unmapped[code]; found {
		return "", false, r
	}
	return "", false, "Not a category of the earlier list"
}

// RegionOf returns the Prevent Co-ordinator Region of a partnership's region as recorded (its name, in any
// case), under the region list in force for the year. Yorkshire and the Humber is part of the North East region.
func RegionOf(name string, y FinancialYear) (Category, bool, error) {
	l, err := ListFor(Regions, y)
	if err != nil {
		return Category{}, false, err
	}
	code, ok, _ := l.MapService(regionKey(name))
	if !ok {
		return Category{}, false, nil
	}
	c, _ := l.Category(code)
	return c, true, nil
}

// regionKey is a region's name as the region list's service mapping spells it: lower case, single spaces,
// "and" for "&".
func regionKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(name, "&", "and"))), " ")
}
