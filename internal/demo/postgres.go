package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/preventplatform/prevent/internal/database"
)

// prepareLockKey is the key of the session-level advisory lock PreparePostgres holds while it works.
const prepareLockKey int64 = 0x7072_6576_6e74_6430

// PreparePostgres makes the first start of the demo on the PostgreSQL database at dsn resumable when a
// start was killed. It holds a session-level advisory lock while it works, so that concurrent starts run
// one after the other and the later ones find the demo the first one loaded. The lock goes with the
// session, so a killed start does not keep it.
//
// When the current schema (current_schema(), normally public) holds no partnership yet, the demo is
// migrated and loaded in place (deps gives Load its services). This covers a new database and one whose
// first start was killed during the migrations: each migration commits or rolls back whole, and they carry
// on from the last one committed.
//
// When the schema holds an earlier, unfinished load (the demo partnership alone, without the mark that Load
// writes last) and the audit directory holds no signed checkpoint, the schema is moved aside, not dropped:
// in one transaction it is renamed <schema>_incomplete_<UTC time> (such as
// public_incomplete_20260309t101507_123456z), and an empty schema of the old name, with the same owner,
// privileges and comment, takes its place. The demo is then migrated and loaded again. Any other database
// is left for Load to use or refuse, as PrepareSQLite leaves it: a completely loaded demo, one with other
// partnerships, or an unfinished one whose audit log has been checkpointed (it is evidence, and the
// operator decides what to do with it). created reports whether the demo was loaded now.
func PreparePostgres(ctx context.Context, dsn, auditDir string, deps func(*database.DB) Deps) (created bool, err error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return false, fmt.Errorf("demo: open postgres: %w", err)
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("demo: connect to postgres: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, prepareLockKey); err != nil {
		return false, fmt.Errorf("demo: wait for other starts of the demo: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, prepareLockKey)
	}()

	load, err := preparePostgresSchema(ctx, conn, auditDir)
	if err != nil || !load {
		return false, err
	}
	// A new pool: none of its connections has seen the schema that was moved aside.
	db, err := database.Open(ctx, dsn)
	if err != nil {
		return false, err
	}
	_, created, err = Load(ctx, deps(db))
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("demo: close the database: %w", cerr)
	}
	if err != nil {
		return false, err
	}
	return created, nil
}

// preparePostgresSchema looks at the current schema on conn, moves an unfinished load aside, and reports
// whether the demo is to be loaded now.
func preparePostgresSchema(ctx context.Context, conn *sql.Conn, auditDir string) (bool, error) {
	var schema sql.NullString
	var tables int
	if err := conn.QueryRowContext(ctx, `SELECT current_schema(),
		(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ('settings', 'partnerships'))`).Scan(&schema, &tables); err != nil {
		return false, fmt.Errorf("demo: read the schema: %w", err)
	}
	if !schema.Valid || tables < 2 {
		return true, nil // not migrated yet, or killed during the first migration
	}
	// The tables are in the current schema, the first one on the search path that exists: the unqualified
	// names below are those tables.
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM partnerships`).Scan(&n); err != nil {
		return false, fmt.Errorf("demo: count partnerships: %w", err)
	}
	if n == 0 {
		return true, nil // migrated; the load writes its first partnership and its audit entry together
	}
	unfinished, err := unfinishedLoad(ctx, conn)
	if err != nil || !unfinished || checkpointed(auditDir) {
		return false, err
	}
	now := time.Now().UTC()
	aside := fmt.Sprintf("%s_incomplete_%s_%06dz", schema.String, strings.ToLower(now.Format("20060102T150405")), now.Nanosecond()/1000)
	if err := moveSchemaAside(ctx, conn, schema.String, aside); err != nil {
		return false, fmt.Errorf("demo: move the unfinished load aside to schema %s: %w", aside, err)
	}
	return true, nil
}

// moveSchemaAside renames schema to aside and creates an empty schema of the old name, with the old one's
// owner, privileges and comment, in one transaction.
func moveSchemaAside(ctx context.Context, conn *sql.Conn, schema, aside string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// The owner as regrole prints it, quoted where it needs to be, and the schema's comment as a statement
	// (COMMENT … IS NULL when there is none).
	var owner, comment string
	if err := tx.QueryRowContext(ctx, `SELECT nspowner::regrole::text,
			format('COMMENT ON SCHEMA %I IS %L', nspname, obj_description(oid, 'pg_namespace'))
		FROM pg_namespace WHERE nspname = $1`, schema).Scan(&owner, &comment); err != nil {
		return err
	}
	// The privileges granted on the schema, but the owner's own, as GRANT statements.
	rows, err := tx.QueryContext(ctx, `SELECT format('GRANT %s ON SCHEMA %I TO %s', a.privilege_type, n.nspname,
			CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END)
			|| CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END
		FROM pg_namespace n, aclexplode(n.nspacl) a
		WHERE n.nspname = $1 AND a.grantee <> n.nspowner`, schema)
	if err != nil {
		return err
	}
	var grants []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return err
		}
		grants = append(grants, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	stmts := []string{
		"ALTER SCHEMA " + quoteIdent(schema) + " RENAME TO " + quoteIdent(aside),
		"CREATE SCHEMA " + quoteIdent(schema) + " AUTHORIZATION " + owner,
	}
	stmts = append(append(stmts, grants...), comment)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
