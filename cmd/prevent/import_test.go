package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand runs prevent import as the README shows it, on a demo data directory: the template, a
// dry run that reports a bad row and writes nothing, the fixed file imported, and the same file refused.
func TestImportCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--demo", "--addr", "127.0.0.1:0", "--data", data}, env, io.Discard, io.Discard, ready)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var tmpl bytes.Buffer
	if err := run(context.Background(), []string{"import", "template", "cases", "--format", "csv"}, env, &tmpl, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tmpl.String(), "source_reference,stage,referred_on,") {
		t.Fatalf("the cases template starts %q", tmpl.String()[:40])
	}
	header := "source_reference,stage,referred_on,referrer_organisation,referrer_email,given_names,family_name,types,what_happened,person_knows\n"
	good := "A-1,submitted,2025-10-01,Elmshire County Council,tariq.dunmore@elmshire-cc.example,Jo,Imported,islamist,Posted threats,no\n"
	bad := "A-2,adopted,2025-10-02,Elmshire County Council,tariq.dunmore@elmshire-cc.example,Kim,Imported,islamist,Posted threats,no\n"
	file := filepath.Join(t.TempDir(), "cases.csv")
	if err := os.WriteFile(file, []byte(header+good+bad), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "report.csv")
	args := []string{"import", "cases", file, "--data", data, "--as", "niamh.patel@elmshire-cc.example"}
	var out bytes.Buffer
	err := run(context.Background(), append(args, "--dry-run", "--report", report), env, &out, io.Discard)
	if err == nil || !strings.Contains(out.String(), "row 3, stage: Enter a stage that can be imported") {
		t.Fatalf("dry run of a bad file: %v\n%s", err, out.String())
	}
	if b, _ := os.ReadFile(report); !strings.Contains(string(b), "3,stage,") {
		t.Errorf("the report file: %s", b)
	}
	if err := os.WriteFile(file, []byte(header+good), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), append(args, "--dry-run"), env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "1 rows of cases, no problems") {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), args, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "1 cases written from cases.csv") {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), args, env, &out, io.Discard); err == nil || !strings.Contains(out.String(), "already imported") {
		t.Fatalf("the same file again: %v\n%s", err, out.String())
	}
	// The audit log still verifies after the import.
	if err := run(context.Background(), []string{"audit", "verify", "--data", data}, env, io.Discard, io.Discard); err != nil {
		t.Fatalf("audit verify: %v", err)
	}
}
