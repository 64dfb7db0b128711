package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestCLIDemoNationalRefusals: demo --national checks its flags, and loads only into a data directory that holds
// no partnership. The load itself is tested in internal/demo (TestNationalDataset) and measured by hand
// (docs/returns.md).
func TestCLIDemoNationalRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := func(string) string { return "" }
	data := t.TempDir()
	for _, args := range [][]string{
		{"demo", "--national", "--scale", "5"},
		{"demo", "--national", "--years", "0"},
		{"demo", "--national", "--years", "11"},
	} {
		err := run(ctx, append(args, "--data", data), env, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "usage: prevent demo --national") {
			t.Errorf("%s: %v, want the usage", strings.Join(args, " "), err)
		}
	}
	if err := run(ctx, []string{"users", "create-admin", "--partnership", "Testshire Prevent Partnership", "--area", "Testshire",
		"--region", "Wales", "--organisation", "Testshire Council", "--name", "Ada Admin", "--email", "ada@testshire.example", "--data", data},
		env, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"demo", "--national", "--years", "1", "--data", data}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "only be loaded into an empty database") {
		t.Errorf("a load into a data directory with a partnership: %v", err)
	}
}
