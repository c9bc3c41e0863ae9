using System.Text;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Mediation.Application.Persistence;

/// <summary>
/// The case database. Query handlers use it directly (no repository layer): the projection a query needs is
/// written where it is needed. Cases themselves are written by <see cref="CaseStore"/>, with their events and tallies.
/// </summary>
public sealed class MediationDbContext(DbContextOptions<MediationDbContext> options) : DbContext(options)
{
    /// <summary>Where a case whose clock does not run sorts: after every deadline.</summary>
    public static readonly DateTime NoDeadline = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The queue position of a case: its deadline in whole minutes since 1970, times 10^9, plus its id. One unique,
    /// ordered integer, so "the page after this case" is one index seek. (A (deadline, id) pair would not be:
    /// SQLite seeks a row-value comparison on its first column only, and every closed case shares one deadline.)
    /// </summary>
    public const string SortKey = nameof(SortKey);

    private const long IdSpan = 1_000_000_000;

    public static long SortKeyOf(DateTime? deadlineUtc, long id) =>
        (long)((deadlineUtc ?? NoDeadline) - DateTime.UnixEpoch).TotalMinutes * IdSpan + id;

    /// <summary>Every case whose deadline has passed at <paramref name="nowUtc"/> sorts below this key.</summary>
    public static long OverdueBelow(DateTime nowUtc) => ((long)(nowUtc - DateTime.UnixEpoch).TotalMinutes + 1) * IdSpan;

    public DbSet<OrgUnit> OrgUnits => Set<OrgUnit>();
    public DbSet<StaffMember> Staff => Set<StaffMember>();
    public DbSet<DisputeCase> Cases => Set<DisputeCase>();
    public DbSet<Party> Parties => Set<Party>();
    public DbSet<MediationSession> Sessions => Set<MediationSession>();
    public DbSet<Agreement> Agreements => Set<Agreement>();
    public DbSet<CaseEvent> CaseEvents => Set<CaseEvent>();
    public DbSet<Notice> Notices => Set<Notice>();
    public DbSet<Mediation.Domain.Deadlines.CaseTimer> CaseTimers => Set<Mediation.Domain.Deadlines.CaseTimer>();
    public DbSet<Mediation.Domain.Deadlines.TimerEvent> TimerEvents => Set<Mediation.Domain.Deadlines.TimerEvent>();
    public DbSet<Mediation.Domain.FollowUps.FollowUpVisit> FollowUps => Set<Mediation.Domain.FollowUps.FollowUpVisit>();
    public DbSet<Digest> Digests => Set<Digest>();
    public DbSet<CaseTally> CaseTallies => Set<CaseTally>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<CaseNumberCounter> CaseNumberCounters => Set<CaseNumberCounter>();
    public DbSet<WorkflowVersionRecord> WorkflowVersions => Set<WorkflowVersionRecord>();
    public DbSet<StaffSession> StaffSessions => Set<StaffSession>();
    public DbSet<InstallationFact> InstallationFacts => Set<InstallationFact>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<Features.Administration.AuditTrail.AdminAuditEntry> AdminAuditEntries => Set<Features.Administration.AuditTrail.AdminAuditEntry>();
    public DbSet<Features.Intake.SystemAccount> SystemAccounts => Set<Features.Intake.SystemAccount>();
    public DbSet<Features.Intake.ApiKey> ApiKeys => Set<Features.Intake.ApiKey>();
    public DbSet<Features.Intake.CaseExternalRef> CaseExternalRefs => Set<Features.Intake.CaseExternalRef>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MediationDbContext).Assembly);
        UseSnakeCaseNames(modelBuilder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every stored time is UTC; SQLite keeps no kind, so reads are marked UTC again.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
    }

    private static void UseSnakeCaseNames(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table)
                entity.SetTableName(Snake(table));
            foreach (var property in entity.GetProperties())
                property.SetColumnName(Snake(property.GetColumnName()));
            foreach (var key in entity.GetKeys())
                key.SetName(Snake(key.GetName()!));
            foreach (var foreignKey in entity.GetForeignKeys())
                foreignKey.SetConstraintName(Snake(foreignKey.GetConstraintName()!));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(Snake(index.GetDatabaseName()!));
        }
    }

    internal static string Snake(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                    builder.Append('_');
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
