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

// textIndexes are the full-text indexes that are tables on SQLite and indexes on PostgreSQL: each FTS5 table
// (with the shadow tables FTS5 keeps for it) and the PostgreSQL index that does its work, with a word that
// index's definition must contain. They are compared as indexes, not as tables: an FTS5 table is SQLite's
// way of indexing text, and its shadow tables are FTS5's storage, not part of the schema the code writes.
var textIndexes = map[string]struct{ index, def string }{
	"case_subjects_names": {"case_subjects_names", "gin_trgm_ops"},
}

// fts5Shadows are the suffixes of the shadow tables FTS5 makes for a table with external content.
var fts5Shadows = []string{"", "_config", "_data", "_docsize", "_idx"}

// takeTextIndexes removes the FTS5 tables of textIndexes, and their shadow tables, from lite after checking
// that each is an FTS5 table on SQLite and has its index on PostgreSQL; any other virtual table is an error.
func takeTextIndexes(t *testing.T, liteDB, pgDB *database.DB, lite map[string]map[string]column) {
	t.Helper()
	ctx := context.Background()
	rows, err := liteDB.Read().QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`)
	if err != nil {
		t.Fatal(err)
	}
	virtual := map[string]string{}
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			t.Fatal(err)
		}
		virtual[name] = sql
	}
	rows.Close()
	for name, sql := range virtual {
		if _, ok := textIndexes[name]; !ok {
			t.Errorf("virtual table %s is only in SQLite (a full-text index must be listed in textIndexes): %s", name, sql)
		}
	}
	for name, ix := range textIndexes {
		if !strings.Contains(strings.ToLower(virtual[name]), "using fts5") {
			t.Errorf("%s is not an FTS5 table on SQLite: %q", name, virtual[name])
		}
		var def string
		if err := pgDB.Read().QueryRowContext(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = $1`, ix.index).Scan(&def); err != nil {
			t.Errorf("the PostgreSQL index %s for %s: %v", ix.index, name, err)
		} else if !strings.Contains(def, ix.def) {
			t.Errorf("the PostgreSQL index %s for %s is not a %s index: %s", ix.index, name, ix.def, def)
		}
		for _, suffix := range fts5Shadows {
			if _, ok := lite[name+suffix]; !ok {
				t.Errorf("SQLite has no table %s%s", name, suffix)
			}
			delete(lite, name+suffix)
		}
	}
}

// TestSchemaParity migrates both engines and compares their schemas table by table and column by column:
// the same tables, the same columns, of the same type family and nullability. A migration written for one
// engine and not mirrored for the other fails here.
func TestSchemaParity(t *testing.T) {
	liteDB, pgDB := dbtest.NewSQLite(t), dbtest.NewPostgres(t)
	lite, pg := sqliteSchema(t, liteDB), postgresSchema(t, pgDB)
	takeTextIndexes(t, liteDB, pgDB, lite)
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
