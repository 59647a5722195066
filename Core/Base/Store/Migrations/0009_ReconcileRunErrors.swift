extension Migration {
    /// A reconciliation run that could not read its provider is kept too, with why, so the
    /// latest run of a provider tells whether it was compared at all.
    static let reconcileRunErrors = Migration(
        version: 9, name: "reconcile run errors",
        sql: #"""
            ALTER TABLE reconcile_runs ADD COLUMN error text CHECK (char_length(error) <= 300);
            """#)
}
