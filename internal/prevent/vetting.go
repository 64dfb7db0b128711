package prevent

import (
	"fmt"
	"time"
)

// Vetting is a national security vetting or baseline check level, in ascending order.
type Vetting int

// The vetting levels. VettingNone is the zero value.
const (
	VettingNone Vetting = iota
	BPSS
	CTC
	SC
	DV
)

// VettingLevels lists every level in ascending order.
var VettingLevels = []Vetting{VettingNone, BPSS, CTC, SC, DV}

var vettingNames = map[Vetting][2]string{
	VettingNone: {"none", "None"},
	BPSS:        {"bpss", "Baseline Personnel Security Standard (BPSS)"},
	CTC:         {"ctc", "Counter-Terrorist Check (CTC)"},
	SC:          {"sc", "Security Check (SC)"},
	DV:          {"dv", "Developed Vetting (DV)"},
}

// Code is the stored name of the level.
func (v Vetting) Code() string {
	if n, ok := vettingNames[v]; ok {
		return n[0]
	}
	return fmt.Sprintf("vetting(%d)", int(v))
}

// String is the full name of the level.
func (v Vetting) String() string {
	if n, ok := vettingNames[v]; ok {
		return n[1]
	}
	return v.Code()
}

// ParseVetting reads a stored vetting code.
func ParseVetting(s string) (Vetting, error) {
	for v, n := range vettingNames {
		if n[0] == s {
			return v, nil
		}
	}
	return 0, Errorf(Invalid, "Select a vetting level")
}

// RequiredVetting is the lowest vetting level that may see a record with marking m.
// OFFICIAL needs no vetting beyond the employer's checks; OFFICIAL-SENSITIVE needs BPSS (the floor for
// anyone handling case material); SECRET needs SC. CTC alone does not grant SECRET.
func RequiredVetting(m Marking) Vetting {
	switch m {
	case Official:
		return VettingNone
	case OfficialSensitive:
		return BPSS
	default:
		return SC
	}
}

// Clearance is a person's current vetting with its expiry. An expired clearance grants nothing.
type Clearance struct {
	Level   Vetting
	Expires time.Time // zero means no expiry recorded
}

// At returns the level in force at now: VettingNone once the clearance has expired.
func (c Clearance) At(now time.Time) Vetting {
	if !c.Expires.IsZero() && !now.Before(c.Expires) {
		return VettingNone
	}
	return c.Level
}

// Covers reports whether the clearance, at now, is enough for marking m.
func (c Clearance) Covers(m Marking, now time.Time) bool {
	return m.Valid() && c.At(now) >= RequiredVetting(m)
}
