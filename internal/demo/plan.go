package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/preventplatform/prevent/internal/partnership"
	"github.com/preventplatform/prevent/internal/prevent"
)

// The demo partnership. Elmshire and its towns are invented; the region is a real English region so that
// regional returns have something to group by.
const (
	PartnershipName = "Elmshire Prevent Partnership"
	Area            = "Elmshire"
	Region          = "South West"
)

// org is a member organisation of the demo partnership, with the mail domain its staff use.
type org struct {
	key    string
	name   string
	sector partnership.Sector
	public bool
	domain string // always under the reserved .example top-level domain
}

// organisations are the demo partnership's members; the first is the administrator's.
var organisations = []org{
	{"county", "Elmshire County Council", partnership.LocalAuthority, true, "elmshire-cc.example"},
	{"district-north", "Marlowbridge District Council", partnership.LocalAuthority, true, "marlowbridge-dc.example"},
	{"district-south", "Fennick Vale District Council", partnership.LocalAuthority, true, "fennickvale-dc.example"},
	{"police", "Elmshire Constabulary", partnership.Police, true, "elmshire-police.example"},
	{"primary", "Kestlecombe Primary School", partnership.Education, true, "kestlecombe-primary.example"},
	{"secondary", "Oldmoor Academy", partnership.Education, true, "oldmoor-academy.example"},
	{"college", "Elmshire College of Further Education", partnership.Education, true, "elmshire-college.example"},
	{"nhs", "Elmshire Health and Care NHS Foundation Trust", partnership.Health, true, "elmshire-nhs.example"},
	{"probation", "Elmshire Probation Delivery Unit", partnership.Probation, true, "elmshire-pdu.example"},
	{"prison", "HMP Fennick Moor", partnership.Prison, true, "fennickmoor-prison.example"},
	{"yjs", "Elmshire Youth Justice Service", partnership.YouthJustice, true, "elmshire-yjs.example"},
	{"community-trust", "Marlowbridge Community Trust", partnership.Community, false, "marlowbridge-trust.example"},
	{"interfaith", "Elmshire Interfaith Forum", partnership.Community, false, "elmshire-interfaith.example"},
	{"provider", "Brightwater Mentoring CIC", partnership.OtherSector, false, "brightwater-mentoring.example"},
}

func (o org) input() partnership.OrganisationInput {
	in := partnership.OrganisationInput{Name: o.name, Sector: string(o.sector), PublicBody: "no"}
	if o.public {
		in.PublicBody = "yes"
	}
	return in
}

// vetting describes a grant relative to the time of loading, in days.
type vetting struct {
	level       prevent.Vetting
	grantedAgo  int
	expiresIn   int // days after loading; negative for a grant that has already expired, 0 for none recorded
	sponsorNote string
}

// staff is one demo account: the first is the partnership's first administrator.
type staff struct {
	org      string
	role     prevent.Role
	jobTitle string
	vetting  vetting
}

var team = []staff{
	{"county", prevent.Administrator, "Prevent partnership administrator", vetting{prevent.BPSS, 900, 0, "Elmshire County Council HR"}},
	{"county", prevent.Coordinator, "Prevent coordinator", vetting{prevent.BPSS, 700, 0, "Elmshire County Council HR"}},
	{"police", prevent.PoliceOfficer, "Prevent engagement officer", vetting{prevent.SC, 800, 2100, "Elmshire Constabulary vetting unit"}},
	{"county", prevent.PanelChair, "Head of community safety", vetting{prevent.SC, 1200, 1400, "Elmshire County Council HR"}},
	{"primary", prevent.Referrer, "Designated safeguarding lead", vetting{prevent.BPSS, 400, 0, "Kestlecombe Primary School"}},
	{"secondary", prevent.Referrer, "Head of year 10", vetting{prevent.BPSS, 350, 0, "Oldmoor Academy"}},
	{"college", prevent.Referrer, "Safeguarding manager", vetting{prevent.BPSS, 600, 0, "Elmshire College of Further Education"}},
	{"community-trust", prevent.Referrer, "Youth work coordinator", vetting{prevent.BPSS, 300, 0, "Marlowbridge Community Trust"}},
	{"nhs", prevent.PanelMember, "Named professional for safeguarding adults", vetting{prevent.BPSS, 500, 0, "Elmshire Health and Care NHS Foundation Trust"}},
	{"district-north", prevent.PanelMember, "Community safety officer", vetting{prevent.BPSS, 650, 0, "Marlowbridge District Council"}},
	{"probation", prevent.PanelMember, "Senior probation officer", vetting{prevent.BPSS, 750, 0, "Probation Service"}},
	{"prison", prevent.PanelMember, "Prison Prevent lead", vetting{prevent.BPSS, 550, 0, "HM Prison and Probation Service"}},
	// Lapsed vetting: the account signs in, but the clearance grants nothing until vetting is renewed.
	{"yjs", prevent.PanelMember, "Youth justice team manager", vetting{prevent.BPSS, 1500, -20, "Elmshire County Council HR"}},
	{"provider", prevent.Provider, "Intervention provider", vetting{prevent.BPSS, 450, 0, "Brightwater Mentoring CIC"}},
	{"county", prevent.Analyst, "Community safety analyst", vetting{prevent.BPSS, 420, 0, "Elmshire County Council HR"}},
	{"county", prevent.DataProtection, "Data protection officer", vetting{prevent.BPSS, 980, 0, "Elmshire County Council HR"}},
	{"district-south", prevent.Auditor, "Internal auditor", vetting{prevent.BPSS, 380, 0, "Fennick Vale District Council"}},
	// The case study in Annex 1 of the 2009 guide: a probation referral discussed with police and local authority housing.
	// Added after the others, so that each role's first account stays the one it was.
	{"probation", prevent.Referrer, "Offender manager", vetting{prevent.BPSS, 330, 0, "Probation Service"}},
	{"district-north", prevent.PanelMember, "Housing options team leader", vetting{prevent.BPSS, 290, 0, "Marlowbridge District Council"}},
	// A second analyst, so that an annual return can be drafted, checked and approved by three people.
	{"police", prevent.Analyst, "Prevent research analyst", vetting{prevent.BPSS, 260, 0, "Elmshire Constabulary vetting unit"}},
}

func orgByKey(key string) org {
	for _, o := range organisations {
		if o.key == key {
			return o
		}
	}
	panic("demo: unknown organisation " + key)
}

// passwordWords make up the demo passwords: plain words, none of them a name in the name lists.
var passwordWords = []string{
	"lantern", "orchard", "pebble", "harbour", "thistle", "meadow", "compass", "kettle",
	"granite", "saffron", "beacon", "quarry", "paddle", "juniper", "tundra", "violet",
	"walnut", "cobalt", "marble", "falcon", "ginger", "hollow", "island", "jigsaw",
	"kiln", "lemon", "mosaic", "nutmeg", "otter", "puffin", "quill", "ribbon",
	"satchel", "teapot", "umbrella", "velvet", "willow", "yonder", "zephyr", "anchor",
	"bramble", "candle", "drizzle", "ember", "fjord", "glacier", "hazel", "inkwell",
	"jasmine", "kestrel", "lagoon", "mango", "nettle", "oyster", "parsley", "quartz",
	"rhubarb", "sorrel", "trellis", "upland", "vesper", "wicker", "yarrow", "zinnia",
}

// demoPassword is the fixed password of a demo account: three words and two digits drawn from a hash of
// the email address and attempt, so that a later start of the demo can print it again without storing it.
// check is the password policy; an attempt that fails it is replaced by the next.
func demoPassword(email, name string, check func(pw, email, name string) error) (string, error) {
	var last error
	for attempt := range 16 {
		sum := sha256.Sum256([]byte(fmt.Sprintf("Elmshire demo password v1|%d|%s", attempt, strings.ToLower(email))))
		word := func(i int) string {
			w := passwordWords[int(binary.BigEndian.Uint16(sum[2*i:]))%len(passwordWords)]
			return strings.ToUpper(w[:1]) + w[1:]
		}
		pw := fmt.Sprintf("%s-%s-%s-%02d", word(0), word(1), word(2), int(sum[8])%100)
		if last = check(pw, email, name); last == nil {
			return pw, nil
		}
	}
	return "", fmt.Errorf("demo: no password for %s passes the policy: %w", email, last)
}
