using Mediation.Application.Features.Cases.RecordSession;
using Mediation.Application.Features.Cases.RegisterCase;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Application.Tests;

public class ConcurrencyAndIdempotencyTests
{
    [Fact]
    public async Task TwoConcurrentEditsOfOneCase_OneConflicts_NothingIsLost()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");

        // Two mediators of the same point both saw version 3 and record a session at the same moment.
        var first = host.SendAs("cun01-1", Disputes.Session(host, mediating) with { Summary = "第二次调解：甲方意见" });
        var second = host.SendAs("cun01-2", Disputes.Session(host, mediating) with { Summary = "第二次调解：乙方意见" });
        var outcomes = await Task.WhenAll(Settle(first), Settle(second));

        Assert.Single(outcomes, o => o is null);
        var conflict = Assert.IsType<ConcurrentEditException>(Assert.Single(outcomes, o => o is not null));
        Assert.Equal((3, 4), (conflict.ExpectedVersion, conflict.ActualVersion));

        var (version, events, sessions) = await host.Query(async db => (
            await db.Cases.Where(c => c.Id == mediating.CaseId).Select(c => c.Version).SingleAsync(),
            await db.CaseEvents.CountAsync(e => e.CaseId == mediating.CaseId),
            await db.Sessions.CountAsync(s => s.CaseId == mediating.CaseId)));
        Assert.Equal((4, 4, 2), (version, events, sessions));
    }

    [Fact]
    public async Task TwoWritersBypassingTheGate_AreStillStoppedByTheVersionCheck()
    {
        // What two application nodes on one database do: both load version 1, both write.
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        var workflow = WorkflowLoader.LoadDirectory(MediationHost.ShippedWorkflows).Latest("mediation-1-9-n");

        await using var nodeA = host.Services.CreateAsyncScope();
        await using var nodeB = host.Services.CreateAsyncScope();
        var (dbA, storeA) = (nodeA.ServiceProvider.GetRequiredService<MediationDbContext>(), nodeA.ServiceProvider.GetRequiredService<CaseStore>());
        var (dbB, storeB) = (nodeB.ServiceProvider.GetRequiredService<MediationDbContext>(), nodeB.ServiceProvider.GetRequiredService<CaseStore>());
        var caseA = (await storeA.FindAsync(registered.CaseId, default))!;
        var caseB = (await storeB.FindAsync(registered.CaseId, default))!;
        var actor = await Features.Org.StaffDirectory.FindActorAsync(dbA, "cun01-1") ?? throw new InvalidOperationException();
        caseA.Accept(workflow, WorkingDayCalendar.WeekdaysOnly, actor, 1, DateTime.UtcNow);
        caseB.Decline(workflow, WorkingDayCalendar.WeekdaysOnly, actor, 1, "已起诉至法院", DateTime.UtcNow);

        await using (var transaction = await dbA.Database.BeginTransactionAsync())
        {
            await storeA.SaveAsync(caseA, default);
            await transaction.CommitAsync();
        }
        await using (var transaction = await dbB.Database.BeginTransactionAsync())
        {
            var conflict = await Assert.ThrowsAsync<ConcurrentEditException>(() => storeB.SaveAsync(caseB, default));
            Assert.Equal((1, 2), (conflict.ExpectedVersion, conflict.ActualVersion));
        }

        var (stored, events) = await host.Query(async db => (
            await db.Cases.AsNoTracking().SingleAsync(c => c.Id == registered.CaseId),
            await db.CaseEvents.CountAsync(e => e.CaseId == registered.CaseId)));
        Assert.Equal(("accepted", 2, 2), (stored.State, stored.Version, events));
    }

    [Fact]
    public async Task DoubleSubmittedRegistration_WithOneKey_MakesOneCase()
    {
        await using var host = await MediationHost.StartAsync();
        var first = await host.SendAs("cun01-1", Disputes.Neighbour(key: "form-7f3a"));
        var again = await host.SendAs("cun01-1", Disputes.Neighbour(key: "form-7f3a"));

        Assert.Equal(first, again);
        Assert.Equal(1, await host.Query(db => db.Cases.CountAsync()));

        // The same key from someone else is their own key, not a replay of this one.
        var other = await host.SendAs("cun01-2", Disputes.Neighbour(key: "form-7f3a"));
        Assert.NotEqual(first.CaseId, other.CaseId);
    }

    [Fact]
    public async Task AKeyReusedForADifferentRegistration_IsRefused_AndTheRecordHoldsNoPersonalData()
    {
        await using var host = await MediationHost.StartAsync();
        var first = await host.SendAs("cun01-1", Disputes.Neighbour(key: "form-9c21"));

        var reused = await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => host.SendAs("cun01-1", Disputes.Neighbour("另一起相邻纠纷", key: "form-9c21")));
        Assert.Contains("form-9c21", reused.Message, StringComparison.Ordinal);
        Assert.Equal(1, await host.Query(db => db.Cases.CountAsync()));
        Assert.Equal(first, await host.SendAs("cun01-1", Disputes.Neighbour(key: "form-9c21")));

        var record = await host.Query(db => db.IdempotencyRecords.AsNoTracking().SingleAsync());
        Assert.Matches("^[0-9a-f]{64}$", record.RequestHash);
        var stored = string.Join("|", record.Key, record.RequestType, record.RequestHash, record.Response);
        Assert.DoesNotContain(Disputes.ApplicantPhone, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Disputes.ApplicantIdNumber, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("王秀英", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidRegistration_NamesEachField_AndStoresNothing()
    {
        await using var host = await MediationHost.StartAsync();
        var bad = Disputes.Neighbour() with
        {
            Summary = " ",
            AmountInDispute = -5,
            Parties = [new PartyInput(PartyRole.Applicant, "王秀英", "12ab", "370102198803154215", null)],
        };

        var refused = await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("cun01-1", bad));

        Assert.Equal(["amountInDispute", "parties[0].idNumber", "parties[0].phone", "summary"], refused.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.Equal(0, await host.Query(db => db.Cases.CountAsync()));
        Assert.Equal(0, await host.Query(db => db.CaseEvents.CountAsync()));
    }

    [Fact]
    public async Task StaleVersion_IsAConflict_EvenWhenNothingRaces()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var stale = new RecordSession(mediating.CaseId, mediating.Version - 1, host.Clock.GetUtcNow().UtcDateTime, "调解室", "双方", "再次调解");

        var conflict = await Assert.ThrowsAsync<ConcurrentEditException>(() => host.SendAs("cun01-1", stale));
        Assert.Equal((2, 3), (conflict.ExpectedVersion, conflict.ActualVersion));
    }

    private static async Task<Exception?> Settle(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (DomainRuleException ex)
        {
            return ex;
        }
    }

}
