using System.Data.Common;
using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Tests;

/// <summary>The audit trail of administration (issue 13 item 7): who changed which account, unit or definition, when, from what to what.</summary>
public class AuditTrailTests
{
    private static readonly Actor Admin = new(9, "管理员", Actor.Roles.Administrator, 1, "/1/");

    [Fact]
    public async Task AuditEntries_CannotBeUpdatedOrDeleted()
    {
        await using var host = await MediationHost.StartAsync();
        await host.Query(db =>
        {
            db.RecordAdministration(Admin, AdminAudit.Kinds.UnitRenamed, new AuditSubject(AdminAudit.Subjects.Unit, "4", "新名", "/1/4/"),
                new UnitSnapshot("LS-01", "旧名", OrgUnitKind.DistrictStation, 1, "临山"), new UnitSnapshot("LS-01", "新名", OrgUnitKind.DistrictStation, 1, "临山"), host.Clock.GetUtcNow().UtcDateTime);
            return db.SaveChangesAsync();
        });

        var update = await Assert.ThrowsAnyAsync<DbException>(() => host.Query(db => db.Database.ExecuteSqlRawAsync("UPDATE admin_audit_entries SET actor_name = '某人'")));
        Assert.Contains("audit entries are immutable", update.Message, StringComparison.Ordinal);
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => host.Query(db => db.Database.ExecuteSqlRawAsync("DELETE FROM admin_audit_entries")));
        Assert.Contains("audit entries are immutable", delete.Message, StringComparison.Ordinal);
        var kept = await host.Query(db => db.AdminAuditEntries.AsNoTracking().SingleAsync(e => e.Action == AdminAudit.Kinds.UnitRenamed));
        Assert.Equal(("管理员", 1L, "/1/4/"), (kept.ActorName, kept.StreetId, kept.UnitPath));
        Assert.Contains("\"name\":\"旧名\"", kept.BeforeJson, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"新名\"", kept.AfterJson, StringComparison.Ordinal);
    }

    private sealed record LeakySnapshot(string UserName, string PasswordHash) : IAuditSnapshot;

    private sealed record EntitySnapshot(string UserName, StaffMember Account) : IAuditSnapshot;

    private sealed record FactSnapshot(string Url, bool SecretSet) : IAuditSnapshot;

    [Fact]
    public async Task Snapshots_HoldingACredentialOrAnEntity_AreRefused_AFactAboutASecretIsNot()
    {
        await using var host = await MediationHost.StartAsync();
        var subject = new AuditSubject(AdminAudit.Subjects.Webhook, "1", "hook", "/1/");
        var now = host.Clock.GetUtcNow().UtcDateTime;
        await host.Query(db =>
        {
            var leak = Assert.Throws<InvalidOperationException>(() => db.RecordAdministration(Admin, AdminAudit.Kinds.WebhookCreated, subject, null, new LeakySnapshot("a", "AQAAAAIA"), now));
            Assert.Contains("PasswordHash", leak.Message, StringComparison.Ordinal);
            var entity = Assert.Throws<InvalidOperationException>(() => db.RecordAdministration(Admin, AdminAudit.Kinds.WebhookCreated, subject, null, new EntitySnapshot("a", new StaffMember(1, "a", "A", "x", 1)), now));
            Assert.Contains("StaffMember", entity.Message, StringComparison.Ordinal);
            db.RecordAdministration(Admin, AdminAudit.Kinds.WebhookCreated, subject, null, new FactSnapshot("https://example.org/hook", SecretSet: true), now);
            return db.SaveChangesAsync();
        });
        var after = await host.Query(db => db.AdminAuditEntries.AsNoTracking().Where(e => e.Action == AdminAudit.Kinds.WebhookCreated).Select(e => e.AfterJson).SingleAsync());
        Assert.Equal("{\"url\":\"https://example.org/hook\",\"secretSet\":true}", after);
    }
}
