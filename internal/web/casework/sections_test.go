package casework_test

import (
	"slices"
	"testing"

	casepages "github.com/preventplatform/prevent/internal/web/casework"
)

// The case page's sections take their addresses from internal/web/casepaths, in the order of the sub navigation.
func TestSectionSlugsFromCasePaths(t *testing.T) {
	want := []string{"timeline", "people", "assessment", "panel", "plan", "documents"}
	if got := casepages.SectionSlugs(); !slices.Equal(got, want) {
		t.Fatalf("section slugs %v, want %v", got, want)
	}
}
