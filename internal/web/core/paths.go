package core

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/preventplatform/prevent/internal/prevent"
)

// Typed paths. A page's address is declared once, as a Path0 to Path4 value (by its number of wildcards); the
// route is registered with its Pattern and every link to it is made with its Link, which takes exactly as many
// ids as the pattern has wildcards. A link with the wrong number of ids does not compile, and a pattern and
// its links cannot drift apart.

var wildcard = regexp.MustCompile(`\{[a-z]+\}`)

// Path0 is an address without wildcards.
type Path0 struct{ pattern string }

// Path1 is an address with one id wildcard, for example /partnerships/{pid}/monitoring.
type Path1 struct{ pattern string }

// Path2 is an address with two id wildcards, for example /partnerships/{pid}/returns/{id}.
type Path2 struct{ pattern string }

// Path3 is an address with three id wildcards, for example /partnerships/{pid}/panels/{panel}/meetings/{meeting}.
type Path3 struct{ pattern string }

// Path4 is an address with four id wildcards.
type Path4 struct{ pattern string }

// NewPath0 declares an address without wildcards; it panics (at start-up) if pattern has any.
func NewPath0(pattern string) Path0 { return Path0{mustWildcards(pattern, 0)} }

// NewPath1 declares an address with one wildcard; it panics (at start-up) if pattern has another number.
func NewPath1(pattern string) Path1 { return Path1{mustWildcards(pattern, 1)} }

// NewPath2 declares an address with two wildcards; it panics (at start-up) if pattern has another number.
func NewPath2(pattern string) Path2 { return Path2{mustWildcards(pattern, 2)} }

// NewPath3 declares an address with three wildcards; it panics (at start-up) if pattern has another number.
func NewPath3(pattern string) Path3 { return Path3{mustWildcards(pattern, 3)} }

// NewPath4 declares an address with four wildcards; it panics (at start-up) if pattern has another number.
func NewPath4(pattern string) Path4 { return Path4{mustWildcards(pattern, 4)} }

func mustWildcards(pattern string, n int) string {
	if !strings.HasPrefix(pattern, "/") || len(wildcard.FindAllString(pattern, -1)) != n || strings.Count(pattern, "{") != n {
		panic(fmt.Sprintf("core: path %q: want an absolute pattern with %d id wildcards", pattern, n))
	}
	return pattern
}

// Pattern is the pattern the route is registered with.
func (p Path0) Pattern() string { return p.pattern }

// Pattern is the pattern the route is registered with.
func (p Path1) Pattern() string { return p.pattern }

// Pattern is the pattern the route is registered with.
func (p Path2) Pattern() string { return p.pattern }

// Pattern is the pattern the route is registered with.
func (p Path3) Pattern() string { return p.pattern }

// Pattern is the pattern the route is registered with.
func (p Path4) Pattern() string { return p.pattern }

// Link is the address itself.
func (p Path0) Link() string { return p.pattern }

// Link is the address with a in place of the wildcard.
func (p Path1) Link(a prevent.ID) string { return fill(p.pattern, a) }

// Link is the address with a and b in place of the wildcards, in order.
func (p Path2) Link(a, b prevent.ID) string { return fill(p.pattern, a, b) }

// Link is the address with a, b and c in place of the wildcards, in order.
func (p Path3) Link(a, b, c prevent.ID) string { return fill(p.pattern, a, b, c) }

// Link is the address with a, b, c and d in place of the wildcards, in order.
func (p Path4) Link(a, b, c, d prevent.ID) string { return fill(p.pattern, a, b, c, d) }

func fill(pattern string, ids ...prevent.ID) string {
	i := 0
	return wildcard.ReplaceAllStringFunc(pattern, func(string) string {
		s := fmt.Sprint(ids[i])
		i++
		return s
	})
}
