package returns

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/preventplatform/prevent/internal/casework"
	"github.com/preventplatform/prevent/internal/dbtest"
	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

func TestListInForceForEachYear(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind    Kind
		year    string
		version int
	}{
		{ConcernTypes, "2015/16", 1}, {ConcernTypes, "2016/17", 2}, {ConcernTypes, "2020/21", 2},
		{ConcernTypes, "2021/22", 3}, {ConcernTypes, "2023/24", 3}, {ConcernTypes, "2024/25", 4}, {ConcernTypes, "2031/32", 4},
		{AgeBands, "2015/16", 1}, {AgeBands, "2022/23", 1}, {AgeBands, "2023/24", 2}, {AgeBands, "2024/25", 2},
		{Sectors, "2024/25", 1}, {Genders, "2019/20", 1}, {Regions, "2024/25", 1},
	} {
		y, err := ParseFinancialYear(c.year)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ListFor(c.kind, y)
		if err != nil || l.Version != c.version {
			t.Errorf("ListFor(%s, %s) = version %d, %v; want version %d", c.kind, c.year, l.Version, err, c.version)
		}
	}
	if _, err := ListFor(ConcernTypes, 2014); prevent.ErrorKind(err) != prevent.Invalid {
		t.Errorf("2014/15: %v, want Invalid", err)
	}
}

// Every code the service records is placed by every version of every list: mapped to a category, or named as
// having none with the reason. A new code in casework fails here until the lists say what it is.
func TestEveryServiceCodeIsPlacedByEveryList(t *testing.T) {
	t.Parallel()
	db := dbtest.NewSQLite(t)
	labels, err := concernLabels(context.Background(), db.Read())
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) < 17 {
		t.Fatalf("only %d concern codes read", len(labels))
	}
	codes := map[Kind][]string{Genders: {}}
	for c := range labels {
		codes[ConcernTypes] = append(codes[ConcernTypes], c)
	}
	codes[Sectors] = []string{""}
	for _, s := range partnership.Sectors {
		codes[Sectors] = append(codes[Sectors], string(s.Sector))
	}
	for g := range genderLabels {
		codes[Genders] = append(codes[Genders], g)
	}
	for kind, cs := range codes {
		for _, l := range Versions(kind) {
			for _, c := range cs {
				_, inMap := l.Service[c]
				_, named := l.ServiceUnmapped[c]
				if !inMap && !named {
					t.Errorf("%s does not place the service's code %q", l.Ref(), c)
				}
			}
		}
	}
}

func TestCrosswalks(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{ConcernTypes, AgeBands} {
		vs := Versions(k)
		for _, l := range vs[:len(vs)-1] {
			if _, ok := CrosswalkFrom(k, l.Version); !ok {
				t.Errorf("no crosswalk from %s", l.Ref())
			}
		}
	}
	x, _ := CrosswalkFrom(AgeBands, 1)
	if to, ok, _ := x.MapCategory("21_30"); !ok || to != "21_30" {
		t.Errorf("21 to 30 maps to %q, %v", to, ok)
	}
	if _, ok, reason := x.MapCategory("under_15"); ok || reason == "" {
		t.Error("under 15 is mapped, though the current list divides it")
	}
	x, _ = CrosswalkFrom(ConcernTypes, 2)
	if _, ok, reason := x.MapCategory("mixed_unclear_unstable"); ok || reason == "" {
		t.Error("Mixed, Unclear or Unstable is mapped to one later category")
	}
	if to, ok, _ := x.MapCategory("islamist"); !ok || to != "islamist" {
		t.Errorf("Islamist maps to %q", to)
	}
	if _, ok := CrosswalkFrom(ConcernTypes, 4); ok {
		t.Error("a crosswalk from the latest list")
	}
}

// The bands casework keeps of erased cases must be the ranges this package reads them as.
func TestErasedAgeBandsMatchCasework(t *testing.T) {
	t.Parallel()
	for age := 0; age <= 110; age++ {
		band := casework.AgeBand(age)
		b, ok := erasedAgeBands[band]
		if !ok || age < b.lo || (b.hi >= 0 && age > b.hi) {
			t.Errorf("age %d: casework band %q, read as %+v", age, band, b)
		}
	}
	if casework.AgeBand(-1) != "unknown" {
		t.Error("casework's band of an unknown age changed")
	}
}

func TestRegions(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"Yorkshire and the Humber": "north_east", "yorkshire & the humber": "north_east", "North East": "north_east",
		"South West": "south_west", " London ": "london", "Wales": "wales",
	} {
		c, ok, err := RegionOf(name, 2024)
		if err != nil || !ok || c.Code != want {
			t.Errorf("RegionOf(%q) = %q, %v, %v; want %q", name, c.Code, ok, err, want)
		}
	}
	if _, ok, _ := RegionOf("Elmshire Police Area", 2024); ok {
		t.Error("a police force area is read as a region")
	}
	l, _ := ListFor(Regions, 2024)
	if c, _ := l.Category("north_east"); c.Label != "North East (including Yorkshire and the Humber)" {
		t.Errorf("North East is labelled %q", c.Label)
	}
	if _, ok := l.Category("yorkshire_and_the_humber"); ok {
		t.Error("Yorkshire and the Humber is a region of its own")
	}
}

// released are the digests of every released version of every list. A released version is never edited:
// correct it with a new version, and add that version's digest here.
var released = map[string]string{
	"age_band version 1 (from 2015/16)":               "bc6100271d90ee666b9ae8e7a64c65806aad0762e015540102d7afe289d56676",
	"age_band version 2 (from 2023/24)":               "846168f9b2e9096b821a60751bacf07a4e82d0b7737c3aa9537af5f4273cd7e4",
	"concern_type version 1 (from 2015/16)":           "49fd0beee0acad36693f606cf0d2547ede7499368e9ab5b6ce5d56b55b2d4983",
	"concern_type version 2 (from 2016/17)":           "c6a61a6381aa4ca17806f6d5ec6d63fdd8f23f2ce0af36a1e47491b09e8bc9d2",
	"concern_type version 3 (from 2021/22)":           "3c5e1c5bb6ee1e6feb25d2904460b93edc6117ba375ee4e9a0253f24c14d982f",
	"concern_type version 4 (from 2024/25)":           "84e41761dd2f100a581fcb7fe8ffbd863674bc5102cde14932da2b5c29a87b16",
	"crosswalk concern_type version 1 to 2":           "85c5c83a46c144fac55b8b5af7f5e7da7b1db990cebf6363f64e213a9fedc97e",
	"crosswalk concern_type version 2 to 3":           "335bf0f116a48966a92d4b5f7acbaf3b46559634e15d64e486af62a65d114e31",
	"crosswalk concern_type version 3 to 4":           "8268fb88e780deb1cad7751845271c5a509306210c8b554130cda4831d5fbbd9",
	"ethnicity version 1 (from 2024/25)":              "2f91731591e6b2eb71296befd85da23a5829a31b87fab082c3e1b898a7f35504",
	"gender version 1 (from 2015/16)":                 "3444006ca2a631b610b1b8e05d3f17b58599ad82beda1549be2fbf31f20633a9",
	"mental_health_recorded version 1 (from 2024/25)": "6d01ee061df534d3cf4daafe4904738616f5670c744b5c094dd736e030ecc0bb",
	"region version 1 (from 2015/16)":                 "f496d2824ef7dc5afe14f28fb62c0397ea05841a73fbd3b4a17f7397db88fce0",
	"sector version 1 (from 2015/16)":                 "f117978bdfa4a2363224570f348ce02f8394f7b4afb395d90cdae5abf72564c0",
}

func TestListVersionsNeverChange(t *testing.T) {
	t.Parallel()
	digests := map[string]any{}
	for _, l := range ref.Lists {
		digests[l.Ref()] = l
	}
	for _, x := range ref.Crosswalks {
		digests[fmt.Sprintf("crosswalk %s version %d to %d", x.Kind, x.From, x.To)] = x
	}
	for name, v := range digests {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		got := hex.EncodeToString(sum[:])
		want, ok := released[name]
		if !ok {
			t.Errorf("%s is not in released: add it with digest %s", name, got)
			continue
		}
		if got != want {
			t.Errorf("%s has changed (digest %s): add a new version instead", name, got)
		}
	}
	if len(digests) != len(released) {
		t.Errorf("%d released versions, %d in the lists: a released version was removed", len(released), len(digests))
	}
}

func TestFinancialYear(t *testing.T) {
	t.Parallel()
	y, err := ParseFinancialYear("2024/25")
	if err != nil || y != 2024 || y.String() != "2024/25" {
		t.Fatalf("ParseFinancialYear = %v, %v", y, err)
	}
	if y, err := ParseFinancialYear("1999-00"); err != nil || y.String() != "1999/00" {
		t.Errorf("1999-00: %v, %v", y, err)
	}
	for _, bad := range []string{"2024/26", "2024", "24/25", "abcd/ef"} {
		if _, err := ParseFinancialYear(bad); prevent.ErrorKind(err) != prevent.Invalid {
			t.Errorf("ParseFinancialYear(%q) = %v", bad, err)
		}
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		t       string
		year    FinancialYear
		quarter int
	}{
		{"2024-03-31T22:59:59Z", 2023, 4}, // 23:59 on 31 March in British Summer Time
		{"2024-03-31T23:00:00Z", 2024, 1}, // midnight starting 1 April
		{"2024-06-30T22:59:59Z", 2024, 1},
		{"2024-06-30T23:00:00Z", 2024, 2},
		{"2024-09-30T23:00:00Z", 2024, 3},
		{"2024-12-31T23:59:59Z", 2024, 3},
		{"2025-01-01T00:00:00Z", 2024, 4},
		{"2025-03-31T22:59:59Z", 2024, 4},
	} {
		tt := at(c.t)
		if got := YearOf(tt); got != c.year {
			t.Errorf("YearOf(%s) = %s, want %s", c.t, got, c.year)
		}
		if q, ok := c.year.Quarter(tt); !ok || q != c.quarter {
			t.Errorf("Quarter(%s) = %d, %v; want %d", c.t, q, ok, c.quarter)
		}
	}
	if _, ok := FinancialYear(2024).Quarter(at("2025-03-31T23:00:00Z")); ok {
		t.Error("1 April 2025 is in 2024/25")
	}
	for _, c := range []struct{ year, quarter, fq int }{{2025, 1, 4}, {2024, 2, 1}, {2024, 4, 3}} {
		fy, q := fromCalendarQuarter(c.year, c.quarter)
		want := FinancialYear(c.year)
		if c.quarter == 1 {
			want--
		}
		if fy != want || q != c.fq {
			t.Errorf("calendar %d Q%d = %s Q%d", c.year, c.quarter, fy, q)
		}
	}
}

func TestMappingReferrals(t *testing.T) {
	t.Parallel()
	v4, _ := ListFor(ConcernTypes, 2024)
	v1, _ := ListFor(ConcernTypes, 2015)
	row := concernRow(v4, map[string]string{"not_sure": "Not sure"})
	for _, c := range []struct {
		types []string
		key   string
	}{
		{[]string{"islamist"}, "c:islamist"},
		{[]string{"extreme_right_wing", "islamist"}, "c:multiple_conflicted"},
		{[]string{"not_sure"}, "u:not_sure"},
		{[]string{"islamist", "school_massacre"}, "u:+several"},
		{nil, "u:"},
	} {
		if got := row(record{types: c.types}); got.key != c.key {
			t.Errorf("%v under %s: %q, want %q", c.types, v4.Ref(), got.key, c.key)
		}
	}
	if got := row(record{types: []string{"not_sure"}}); got.label != "Not in the Type of concern list: Not sure" || got.note == "" {
		t.Errorf("not sure: %+v", got)
	}
	if got := concernRow(v1, nil)(record{}); got.key != "c:unspecified" {
		t.Errorf("no type under %s: %q", v1.Ref(), got.key)
	}
	ages1, _ := ListFor(AgeBands, 2020)
	ages2, _ := ListFor(AgeBands, 2024)
	for _, c := range []struct {
		l    List
		r    record
		want string
	}{
		{ages2, record{age: 10}, "c:10_under"},
		{ages2, record{age: 11}, "c:11_15"},
		{ages2, record{age: 17}, "c:16_17"},
		{ages2, record{age: 70}, "c:51_over"},
		{ages2, record{age: -1}, "c:unknown"},
		{ages1, record{age: 14}, "c:under_15"},
		{ages1, record{erased: true, erasedBand: "15_17"}, "c:15_20"},
		{ages2, record{erased: true, erasedBand: "15_17"}, "u:erased:15_17"},
		{ages2, record{erased: true, erasedBand: "21_30"}, "c:21_30"},
		{ages2, record{erased: true, erasedBand: "unknown", age: -1}, "c:unknown"},
	} {
		if got := ageRow(c.l)(c.r); got.key != c.want {
			t.Errorf("%+v under %s: %q, want %q", c.r, c.l.Ref(), got.key, c.want)
		}
	}
	sectors, _ := ListFor(Sectors, 2024)
	if got := serviceRow(sectors, sectorOf, sectorLabel)(record{sector: "youth_justice"}); got.key != "u:youth_justice" || got.label != "Not in the Sector of referral list: Youth justice" {
		t.Errorf("youth justice: %+v", got)
	}
	genders, _ := ListFor(Genders, 2024)
	for code, want := range map[string]string{"": "c:not_known", "female": "c:female", "other": "u:other"} {
		if got := serviceRow(genders, genderOf, genderLabel)(record{gender: code}); got.key != want {
			t.Errorf("gender %q: %q, want %q", code, got.key, want)
		}
	}
}
