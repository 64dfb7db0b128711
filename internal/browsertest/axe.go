package browsertest

import (
	"context"
	_ "embed" // axe-core is embedded from testdata
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeVersion is the version of the vendored axe-core (testdata/axe.min.js, from npm).
const AxeVersion = "4.14.1"

//go:embed testdata/axe.min.js
var axeSource string

// AxeTags are the rule tags axe runs: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// Violation is one axe rule that failed on a page, with the elements that failed it.
type Violation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []Node `json:"nodes"`
}

// Node is one element that failed a rule. Target holds its CSS selectors (one per frame or shadow root level).
type Node struct {
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// axeRunJS runs axe on the whole document and reduces the result to the fields of Violation.
const axeRunJS = `(async () => {
  const result = await window.axe.run(document, {
    runOnly: {type: 'tag', values: %s},
    resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact || '',
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : String(s)),
      html: n.html,
      failureSummary: n.failureSummary || '',
    })),
  }));
})()`

// Axe injects axe-core into the current page, unless it is there already, and returns the WCAG 2.2 AA violations
// it finds (none is an empty slice). The script is evaluated through the DevTools protocol, which the page's
// Content-Security-Policy does not block, so pages keep their strict policy under test. It fails the test when axe
// cannot run.
func Axe(ctx context.Context, tb testing.TB) []Violation {
	tb.Helper()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === 'object' && typeof window.axe.run === 'function'`))
	if err != nil {
		tb.Fatalf("axe: inspect page: %v", err)
		return nil
	}
	if !loaded {
		// "void 0" keeps the evaluation's value small: axe's UMD wrapper would otherwise return an object.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeSource+"\n;void 0")); err != nil {
			tb.Fatalf("axe: inject axe-core %s: %v", AxeVersion, err)
			return nil
		}
	}
	tags, err := json.Marshal(AxeTags)
	if err != nil {
		tb.Fatalf("axe: %v", err)
		return nil
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](fmt.Sprintf(axeRunJS, tags), chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("axe: run: %v", err)
		return nil
	}
	if violations == nil {
		violations = []Violation{}
	}
	return violations
}

// AssertNoAxeViolations runs Axe on the current page and fails the test (without stopping it) when there is any
// violation, listing each rule's id, impact and help with the selectors of the first elements that failed it.
// A page that passes is recorded under pageName; see Checked.
func AssertNoAxeViolations(tb testing.TB, ctx context.Context, pageName string) {
	tb.Helper()
	violations := Axe(ctx, tb)
	if violations == nil { // Axe failed the test already
		return
	}
	if len(violations) == 0 {
		checked.add(pageName)
		return
	}
	tb.Errorf("%s", FormatViolations(pageName, violations))
}

// maxTargets is how many failing elements FormatViolations lists per rule, and maxHTML how much of each element's
// markup it shows.
const (
	maxTargets = 3
	maxHTML    = 120
)

// shorten collapses white space in s and cuts it to at most n runes.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// FormatViolations describes violations for a test failure message.
func FormatViolations(pageName string, violations []Violation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "axe-core %s found %d WCAG 2.2 AA violation(s) on page %q:", AxeVersion, len(violations), pageName)
	for _, v := range violations {
		impact := v.Impact
		if impact == "" {
			impact = "unknown impact"
		}
		fmt.Fprintf(&b, "\n  - %s (%s): %s [%s]", v.ID, impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == maxTargets {
				fmt.Fprintf(&b, "\n      ... and %d more element(s)", len(v.Nodes)-maxTargets)
				break
			}
			fmt.Fprintf(&b, "\n      %s", strings.Join(n.Target, " "))
			if n.HTML != "" {
				fmt.Fprintf(&b, "  %s", shorten(n.HTML, maxHTML))
			}
		}
	}
	return b.String()
}

// pageRecord is the list of pages that passed AssertNoAxeViolations in this test binary. It is the package's one
// piece of shared state, kept so that a test binary can report how many pages axe checked.
type pageRecord struct {
	mu    sync.Mutex
	pages []string
}

func (r *pageRecord) add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, name)
}

var checked pageRecord

// Checked returns the names of the pages that passed AssertNoAxeViolations so far in this test binary, in the order
// they were checked (a page checked twice appears twice).
func Checked() []string {
	checked.mu.Lock()
	defer checked.mu.Unlock()
	return append([]string(nil), checked.pages...)
}
