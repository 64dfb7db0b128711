package prevent

import (
	"fmt"
	"strings"
)

// Marking is a protective marking under the Government Security Classifications (2014, updated 2023).
// OFFICIAL-SENSITIVE is a handling caveat within OFFICIAL; it is ordered between OFFICIAL and SECRET
// because it demands stricter need-to-know. TOP SECRET is not accepted: the platform is not accredited for it.
type Marking int

// The markings the platform stores. The zero value is not a marking.
const (
	Official Marking = iota + 1
	OfficialSensitive
	Secret
)

// Markings lists the markings in ascending order.
var Markings = []Marking{Official, OfficialSensitive, Secret}

func (m Marking) String() string {
	switch m {
	case Official:
		return "OFFICIAL"
	case OfficialSensitive:
		return "OFFICIAL-SENSITIVE"
	case Secret:
		return "SECRET"
	}
	return fmt.Sprintf("Marking(%d)", int(m))
}

// Valid reports whether m is one of the stored markings.
func (m Marking) Valid() bool { return m >= Official && m <= Secret }

// legacyMarkings maps the Government Protective Marking System names used in the 2009 guide to today's
// markings, following the Cabinet Office transition guidance: PROTECT and most RESTRICTED material became
// OFFICIAL, with the more sensitive cases (which includes all Prevent case material) OFFICIAL-SENSITIVE;
// CONFIDENTIAL became OFFICIAL-SENSITIVE unless it is in fact SECRET, which a person must decide.
var legacyMarkings = map[string]Marking{
	"PROTECT":      Official,
	"RESTRICTED":   OfficialSensitive,
	"CONFIDENTIAL": OfficialSensitive,
}

// ParseMarking reads a current or legacy marking name. TOP SECRET is refused with an Invalid error.
func ParseMarking(s string) (Marking, error) {
	n := strings.ToUpper(strings.TrimSpace(s))
	n = strings.ReplaceAll(n, "_", "-")
	n = strings.ReplaceAll(n, " ", "-")
	switch n {
	case "OFFICIAL":
		return Official, nil
	case "OFFICIAL-SENSITIVE":
		return OfficialSensitive, nil
	case "SECRET":
		return Secret, nil
	case "TOP-SECRET":
		return 0, Errorf(Invalid, "TOP SECRET material cannot be held on this service")
	}
	if m, ok := legacyMarkings[n]; ok {
		return m, nil
	}
	return 0, Errorf(Invalid, "Select a protective marking: OFFICIAL, OFFICIAL-SENSITIVE or SECRET")
}

// LegacyMarkingNames returns the 2009 names and the marking each maps to, for display.
func LegacyMarkingNames() map[string]Marking {
	out := make(map[string]Marking, len(legacyMarkings))
	for k, v := range legacyMarkings {
		out[k] = v
	}
	return out
}
