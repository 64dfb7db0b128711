package returns

import (
	"strconv"
	"strings"
)

// Key names the policy as a form, a query or a bundle's importer writes it: its name, a colon and its version
// ("suppress-below-5:1").
func (p Policy) Key() string { return p.Name + ":" + strconv.Itoa(p.Version) }

// Key names the policy a bundle was made under, as Policy.Key does.
func (p PolicyRef) Key() string { return p.Name + ":" + strconv.Itoa(p.Version) }

// ReleasePolicies are the policies whose figures may leave the partnership, the only ones a return is made under.
func ReleasePolicies() []Policy {
	var out []Policy
	for _, p := range Policies() {
		if p.Release {
			out = append(out, p)
		}
	}
	return out
}

// ReleasePolicy reads a policy key (Policy.Key) and returns the policy it names when that is one for release.
func ReleasePolicy(key string) (Policy, error) {
	name, version, _ := strings.Cut(strings.TrimSpace(key), ":")
	v, _ := strconv.Atoi(version)
	p, err := PolicyNamed(name, v)
	if err != nil || !p.Release {
		return Policy{}, invalidf("Choose a disclosure control policy")
	}
	return p, nil
}
