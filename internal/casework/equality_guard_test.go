package casework_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The equality monitoring answers reach no rule: outside the files that take them in (the referral pages and
// the API), seal and blank them (casework) and count them (returns), no code of the repository names them.
// A new use must be added here on purpose, and reviewed as such.
func TestEqualityMonitoringIsReadOnlyWhereAllowed(t *testing.T) {
	allowed := []string{
		"internal/casework/equality.go",     // the store and the one audited read
		"internal/casework/sealed.go",       // storeDetails hands Monitoring to it
		"internal/casework/referral.go",     // ReferralInput.Monitoring, write-only
		"internal/casework/erasure.go",      // blanks the column
		"internal/web/casework/referral.go", // the question page
		"internal/api/referral.go",          // the API's write-only members
		"internal/returns/equality.go",      // the counts
		"internal/returns/returns.go",       // reads the codes for the counts
	}
	uses := regexp.MustCompile(`sealed_monitoring|EqualityCodes|EqualityMonitoring|casework\.Ethnicities|casework\.MentalHealthRecorded|FieldEthnicity|FieldMentalHealth`)
	root := filepath.Join("..", "..")
	var found []string
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if uses.Match(b) && !slices.Contains(allowed, rel) {
				for _, m := range uses.FindAllString(string(b), 3) {
					found = append(found, rel+": "+m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range found {
		t.Errorf("equality monitoring used outside the allowed files: %s", f)
	}
}
