extension Migration {
    /// Each reconciliation run, per provider: what it compared since, how many differences it
    /// found and how many still stand (all without `--apply`), and the differences themselves.
    static let reconcileRuns = Migration(
        version: 8, name: "reconcile runs",
        sql: #"""
            CREATE TABLE reconcile_runs (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                provider    text NOT NULL,
                since       timestamptz NOT NULL,
                finished_at timestamptz NOT NULL DEFAULT now(),
                differences integer NOT NULL CHECK (differences >= 0),
                unresolved  integer NOT NULL CHECK (unresolved >= 0),
                report      jsonb NOT NULL
            );
            CREATE INDEX reconcile_runs_latest ON reconcile_runs (provider, finished_at DESC);
            """#)
}
