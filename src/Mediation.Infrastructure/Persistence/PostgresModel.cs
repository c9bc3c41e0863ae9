using Mediation.Application.Persistence;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Mediation.Infrastructure.Persistence;

/// <summary>
/// What PostgreSQL's schema says that SQLite's has no words for, so the model matches the migrations: the binary "C"
/// collation on text compared by prefix or range (SQLite compares bytes already; a locale's order would break the
/// path and number prefixes), and the identity sequence case ids are drawn from before the case is written.
/// </summary>
public sealed class PostgresModel(ModelCustomizerDependencies dependencies) : RelationalModelCustomizer(dependencies)
{
    public const string BinaryCollation = "C";

    /// <summary>The product's PostgreSQL connection and model, for the host and for anything else that opens the database.</summary>
    public static DbContextOptionsBuilder Use(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString).ReplaceService<IModelCustomizer, PostgresModel>();

    public override void Customize(ModelBuilder modelBuilder, DbContext context)
    {
        base.Customize(modelBuilder, context);
        modelBuilder.Entity<DisputeCase>(cases =>
        {
            cases.Property(c => c.CaseNumber).UseCollation(BinaryCollation);
            cases.Property(c => c.UnitPath).UseCollation(BinaryCollation);
            cases.Property(c => c.Id).UseIdentityByDefaultColumn().ValueGeneratedNever();
        });
        modelBuilder.Entity<OrgUnit>().Property(u => u.Path).UseCollation(BinaryCollation);
        modelBuilder.Entity<Party>().Property(p => p.Name).UseCollation(BinaryCollation);
    }
}
