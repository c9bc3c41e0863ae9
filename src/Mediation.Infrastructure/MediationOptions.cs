namespace Mediation.Infrastructure;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// How durable a SQLite commit is. Full: WAL with synchronous=FULL, a committed case survives power loss.
/// Normal: WAL with synchronous=NORMAL, faster, but the last commits before a power cut may be lost.
/// </summary>
public enum SqliteDurability
{
    Full,
    Normal,
}

/// <summary>
/// Where working days come from. File: workflows/calendars/cn-working-days.json, and start-up refuses when it is
/// missing. WeekdaysOnly: Monday to Friday with no public holidays, chosen on purpose.
/// </summary>
public enum CalendarSource
{
    File,
    WeekdaysOnly,
}

/// <summary>The demo data an empty database gets: Street, the one demo street; County (县级部署), two streets and the county offices.</summary>
public enum DemoSeed
{
    Street,
    County,
}

/// <summary>The "Mediation" configuration section.</summary>
public sealed class MediationOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>For SQLite a file path or full connection string; for PostgreSQL an Npgsql connection string.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/mediation.db";

    public SqliteDurability Durability { get; set; } = SqliteDurability.Full;

    /// <summary>The folder holding workflow definitions and calendars/; relative paths are taken from the app's folder.</summary>
    public string WorkflowsPath { get; set; } = "workflows";

    /// <summary>The workflow key new cases are registered under (its latest version).</summary>
    public string WorkflowKey { get; set; } = "mediation-1-9-n";

    /// <summary>Seed the demo 1+9+N street and its accounts into an empty database.</summary>
    public bool SeedDemoStreet { get; set; } = true;

    /// <summary>What the demo seeds: one street (the default), or a county of two streets with county accounts.</summary>
    public DemoSeed DemoSeed { get; set; } = DemoSeed.Street;

    public CalendarSource Calendar { get; set; } = CalendarSource.File;

    public Webhooks.WebhookOptions Webhooks { get; set; } = new();

    public BackupOptions Backup { get; set; } = new();
}

/// <summary>The "Mediation:Backup" section: where backups go and how many are kept (the oldest beyond that are removed).</summary>
public sealed class BackupOptions
{
    public string Folder { get; set; } = "data/backups";

    public int Keep { get; set; } = 14;
}
