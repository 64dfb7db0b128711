package database_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/preventplatform/prevent/internal/database"
	"github.com/preventplatform/prevent/internal/dbtest"
)

// column is one column of a table as both engines can describe it.
type column struct {
	Type    string // the type family: integer, text, bytes, time, boolean, real, numeric, date
	NotNull bool
}

// family maps an engine's declared column type to a family, so that SQLite's INTEGER and PostgreSQL's BIGINT
// compare equal while INTEGER and TEXT do not.
func family(decl string) string {
	d := strings.ToLower(strings.TrimSpace(decl))
	switch {
	case d == "boolean" || d == "bool":
		return "boolean"
	case strings.Contains(d, "int"):
		return "integer"
	case d == "text" || strings.HasPrefix(d, "character") || strings.HasPrefix(d, "varchar"):
		return "text"
	case d == "blob" || d == "bytea":
		return "bytes"
	case strings.HasPrefix(d, "timestamp"):
		return "time"
	case d == "date":
		return "date"
	case d == "real" || strings.HasPrefix(d, "double"):
		return "real"
	case strings.HasPrefix(d, "numeric") || strings.HasPrefix(d, "decimal"):
		return "numeric"
	}
	return d
}

func sqliteSchema(t *testing.T, db *database.DB) map[string]map[string]column {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Read().QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'goose_db_version' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string]map[string]column{}
	for _, tb := range tables {
		cols, err := db.Read().QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_info($1)`, tb)
		if err != nil {
			t.Fatal(err)
		}
		out[tb] = map[string]column{}
		for cols.Next() {
			var name, typ string
			var notNull, pk int
			if err := cols.Scan(&name, &typ, &notNull, &pk); err != nil {
				t.Fatal(err)
			}
			// A primary key column is not null in PostgreSQL whether or not it says so.
			out[tb][name] = column{Type: family(typ), NotNull: notNull == 1 || pk > 0}
		}
		cols.Close()
	}
	return out
}

func postgresSchema(t *testing.T, db *database.DB) map[string]map[string]column {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
		FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]column{}
	for rows.Next() {
		var tb, name, typ, nullable string
		if err := rows.Scan(&tb, &name, &typ, &nullable); err != nil {
			t.Fatal(err)
		}
		if out[tb] == nil {
			out[tb] = map[string]column{}
		}
		out[tb][name] = column{Type: family(typ), NotNull: nullable == "NO"}
	}
	return out
}

// TestSchemaParity migrates both engines and compares their schemas table by table and column by column:
// the same tables, the same columns, of the same type family and nullability. A migration written for one
// engine and not mirrored for the other fails here.
func TestSchemaParity(t *testing.T) {
	lite := sqliteSchema(t, dbtest.NewSQLite(t))
	pg := postgresSchema(t, dbtest.NewPostgres(t))
	var diffs []string
	for tb, cols := range lite {
		pcols, ok := pg[tb]
		if !ok {
			diffs = append(diffs, "table "+tb+" is only in SQLite")
			continue
		}
		for name, c := range cols {
			p, ok := pcols[name]
			switch {
			case !ok:
				diffs = append(diffs, fmt.Sprintf("%s.%s is only in SQLite", tb, name))
			case p != c:
				diffs = append(diffs, fmt.Sprintf("%s.%s: SQLite %+v, PostgreSQL %+v", tb, name, c, p))
			}
		}
		for name := range pcols {
			if _, ok := cols[name]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s.%s is only in PostgreSQL", tb, name))
			}
		}
	}
	for tb := range pg {
		if _, ok := lite[tb]; !ok {
			diffs = append(diffs, "table "+tb+" is only in PostgreSQL")
		}
	}
	slices.Sort(diffs)
	for _, d := range diffs {
		t.Error(d)
	}
	t.Logf("%d tables on SQLite, %d on PostgreSQL", len(lite), len(pg))
	if len(lite) < 50 {
		t.Errorf("only %d tables found: the schema query is wrong", len(lite))
	}
}
