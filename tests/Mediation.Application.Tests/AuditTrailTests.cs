using System.Data.Common;
using System.Text.Json;
using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Infrastructure;
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

    [Fact]
    public async Task EachAdministrationCommand_WritesExactlyOneEntry_WithActorBeforeAndAfter()
    {
        await using var host = await MediationHost.StartAsync(demo: DemoSeed.County);
        var admin = await host.Query(db => db.Staff.AsNoTracking().SingleAsync(s => s.UserName == "admin"));
        var village = await host.Query(db => db.OrgUnits.AsNoTracking().Where(u => u.Kind == OrgUnitKind.VillagePoint && u.Path.StartsWith("/1/")).OrderBy(u => u.Id).Take(2).ToListAsync());
        var station = await host.Query(db => db.OrgUnits.AsNoTracking().FirstAsync(u => u.Kind == OrgUnitKind.DistrictStation && u.Path.StartsWith("/1/")));

        var created = await Recorded(host, AdminAudit.Kinds.StaffCreated, () => host.SendAs("admin", new CreateStaff("cun-new", "新调解员", Actor.Roles.VillageMediator, village[0].Id, "Newcomer2026")));
        Assert.Equal((admin.Id, admin.DisplayName, Actor.Roles.Administrator), (created.ActorStaffId, created.ActorName, created.ActorRole));
        Assert.Equal((AdminAudit.Subjects.Staff, "cun-new", 1L, village[0].Path), (created.SubjectKind, created.SubjectLabel, created.StreetId, created.UnitPath));
        Assert.Null(created.BeforeJson);
        Assert.Equal(("新调解员", Actor.Roles.VillageMediator, village[0].Name, true), (Field(created.AfterJson, "displayName"), Field(created.AfterJson, "role"), Field(created.AfterJson, "unitName"), Field(created.AfterJson, "active") == "True"));
        Assert.Equal(host.Clock.GetUtcNow().UtcDateTime, created.At);
        var id = long.Parse(created.SubjectId, System.Globalization.CultureInfo.InvariantCulture);

        var assigned = await Recorded(host, AdminAudit.Kinds.StaffAssigned, () => host.SendAs("admin", new AssignStaff(id, Actor.Roles.StationMediator, station.Id)));
        Assert.Equal((Actor.Roles.VillageMediator, village[0].Name), (Field(assigned.BeforeJson, "role"), Field(assigned.BeforeJson, "unitName")));
        Assert.Equal((Actor.Roles.StationMediator, station.Name), (Field(assigned.AfterJson, "role"), Field(assigned.AfterJson, "unitName")));

        // Two sessions of the account end with the reset: the entry says so, and holds no password.
        var now = host.Clock.GetUtcNow().UtcDateTime;
        await host.Query(db =>
        {
            db.StaffSessions.AddRange(new StaffSession("s1-" + Guid.NewGuid().ToString("N"), id, now, now.AddHours(8)), new StaffSession("s2-" + Guid.NewGuid().ToString("N"), id, now, now.AddHours(8)));
            return db.SaveChangesAsync();
        });
        var reset = await Recorded(host, AdminAudit.Kinds.PasswordReset, () => host.SendAs("admin", new ResetPassword(id, "Replaced2026")));
        Assert.Equal("2", Field(reset.AfterJson, "sessionsEnded"));

        var deactivated = await Recorded(host, AdminAudit.Kinds.StaffDeactivated, () => host.SendAs("admin", new DeactivateStaff(id)));
        Assert.Equal(("True", "False", "0"), (Field(deactivated.BeforeJson, "active"), Field(deactivated.AfterJson, "active"), Field(deactivated.AfterJson, "sessionsEnded")));
        var reactivated = await Recorded(host, AdminAudit.Kinds.StaffReactivated, () => host.SendAs("admin", new ReactivateStaff(id)));
        Assert.Equal(("False", "True"), (Field(reactivated.BeforeJson, "active"), Field(reactivated.AfterJson, "active")));

        var added = await Recorded(host, AdminAudit.Kinds.UnitAdded, () => host.SendAs("admin", new AddUnit(station.Id, "新村调解点", OrgUnitKind.VillagePoint)));
        Assert.Equal((AdminAudit.Subjects.Unit, "新村调解点", station.Name, OrgUnitKind.VillagePoint), (added.SubjectKind, Field(added.AfterJson, "name"), Field(added.AfterJson, "parentName"), Field(added.AfterJson, "kind")));
        var renamed = await Recorded(host, AdminAudit.Kinds.UnitRenamed, () => host.SendAs("admin", new RenameUnit(village[1].Id, "改名后的调解点")));
        Assert.Equal((village[1].Name, "改名后的调解点"), (Field(renamed.BeforeJson, "name"), Field(renamed.AfterJson, "name")));

        var street = await Recorded(host, AdminAudit.Kinds.StreetCreated, () => host.SendAs("xian-admin", new CreateStreet("河东街道矛调中心", "HD")));
        Assert.Equal((AdminAudit.Subjects.Street, "河东街道矛调中心", "HD"), (street.SubjectKind, street.SubjectLabel, Field(street.AfterJson, "code")));
        Assert.Equal(long.Parse(street.SubjectId, System.Globalization.CultureInfo.InvariantCulture), street.StreetId);

        // Nothing of any password or its hash is in any entry.
        var hash = await host.Query(db => db.Staff.Where(s => s.Id == id).Select(s => s.PasswordHash).SingleAsync());
        var texts = await host.Query(db => db.AdminAuditEntries.AsNoTracking().Select(e => (e.BeforeJson ?? "") + "|" + (e.AfterJson ?? "") + "|" + e.SubjectLabel).ToListAsync());
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain("Newcomer2026", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Replaced2026", text, StringComparison.Ordinal);
            Assert.DoesNotContain(hash!, text, StringComparison.Ordinal);
            Assert.DoesNotContain("password", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task RefusedCommands_WriteNoEntry()
    {
        await using var host = await MediationHost.StartAsync(demo: DemoSeed.County);
        var lsVillage = await host.Query(db => db.OrgUnits.AsNoTracking().FirstAsync(u => u.Kind == OrgUnitKind.VillagePoint && u.Path.StartsWith("/1/")));
        var lsAccount = await host.Query(db => db.Staff.AsNoTracking().FirstAsync(s => s.UnitId == lsVillage.Id));
        var before = await host.Query(db => db.AdminAuditEntries.CountAsync());

        await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("admin", new CreateStaff("weak", "弱密码", Actor.Roles.VillageMediator, lsVillage.Id, "short")));
        await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("admin", new CreateStaff(lsAccount.UserName, "重名", Actor.Roles.VillageMediator, lsVillage.Id, "Taken2026over")));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("hx-admin", new ResetPassword(lsAccount.Id, "Taken2026over")));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("hx-admin", new RenameUnit(lsVillage.Id, "越界改名")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("admin", new CreateStreet("河东街道矛调中心", "HD")));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs(lsAccount.UserName, new DeactivateStaff(lsAccount.Id)));
        var self = await host.Query(db => db.Staff.Where(s => s.UserName == "admin").Select(s => s.Id).SingleAsync());
        await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("admin", new DeactivateStaff(self)));

        Assert.Equal(before, await host.Query(db => db.AdminAuditEntries.CountAsync()));
    }

    [Fact]
    public async Task AChangeWhoseEntryCannotBeWritten_IsNotMadeEither()
    {
        await using var host = await MediationHost.StartAsync();
        // The database refuses entries about "doomed": the entry and the change are one transaction, so neither stays.
        await host.ExecuteSqlAsync(host.Provider == DatabaseProvider.Postgres
            ? """
              CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused for the test'; END; $$;
              CREATE TRIGGER refuse_doomed BEFORE INSERT ON admin_audit_entries FOR EACH ROW WHEN (NEW.subject_label LIKE 'doomed%') EXECUTE FUNCTION refuse_doomed();
              """
            : "CREATE TRIGGER refuse_doomed BEFORE INSERT ON admin_audit_entries WHEN NEW.subject_label LIKE 'doomed%' BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;");
        var village = await host.Query(db => db.OrgUnits.AsNoTracking().FirstAsync(u => u.Kind == OrgUnitKind.VillagePoint));
        var entries = await host.Query(db => db.AdminAuditEntries.CountAsync());

        await Assert.ThrowsAnyAsync<Exception>(() => host.SendAs("admin", new CreateStaff("doomed-cun", "注定失败", Actor.Roles.VillageMediator, village.Id, "Doomed2026x")));
        await Assert.ThrowsAnyAsync<Exception>(() => host.SendAs("admin", new RenameUnit(village.Id, "doomed 改名")));

        Assert.False(await host.Query(db => db.Staff.AnyAsync(s => s.UserName == "doomed-cun")));
        Assert.Equal(village.Name, await host.Query(db => db.OrgUnits.Where(u => u.Id == village.Id).Select(u => u.Name).SingleAsync()));
        Assert.Equal(entries, await host.Query(db => db.AdminAuditEntries.CountAsync()));
    }

    [Fact]
    public async Task PublishingAWorkflowVersion_IsRecordedOnceBySystem_NotAgainOnRestart()
    {
        await using var host = await MediationHost.StartAsync();
        var published = await host.Query(db => db.AdminAuditEntries.AsNoTracking().Where(e => e.Action == AdminAudit.Kinds.WorkflowPublished).ToListAsync());
        var versions = await host.Query(db => db.WorkflowVersions.AsNoTracking().ToListAsync());
        Assert.Equal(versions.Select(v => $"{v.WorkflowKey}@{v.Version}").Order(StringComparer.Ordinal), published.Select(e => e.SubjectId).Order(StringComparer.Ordinal));
        Assert.All(published, e =>
        {
            Assert.Equal((0L, Actor.Roles.System, (long?)null), (e.ActorStaffId, e.ActorRole, e.StreetId));
            Assert.Null(e.BeforeJson);
            Assert.Equal(versions.Single(v => $"{v.WorkflowKey}@{v.Version}" == e.SubjectId).ContentSha256, Field(e.AfterJson, "fingerprint"));
        });

        await host.RestartAsync();
        Assert.Equal(published.Count, await host.Query(db => db.AdminAuditEntries.CountAsync(e => e.Action == AdminAudit.Kinds.WorkflowPublished)));
    }

    // Runs a command and returns the one entry of that kind it wrote; fails when it wrote none, or more than one entry.
    private static async Task<AdminAuditEntry> Recorded<T>(MediationHost host, string kind, Func<Task<T>> command)
    {
        var last = await host.Query(db => db.AdminAuditEntries.MaxAsync(e => (long?)e.Id)) ?? 0;
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await command();
        var written = await host.Query(db => db.AdminAuditEntries.AsNoTracking().Where(e => e.Id > last).ToListAsync());
        var entry = Assert.Single(written);
        Assert.Equal(kind, entry.Action);
        return entry;
    }

    private static string? Field(string? json, string name)
    {
        Assert.NotNull(json);
        var value = JsonDocument.Parse(json).RootElement.GetProperty(name);
        return value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            JsonValueKind.String => value.GetString(),
            _ => value.GetRawText(),
        };
    }
}
