using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.ListCases;
using Mediation.Application.Features.Cases.ResolveCase;
using Mediation.Application.Features.County.CompareStreets;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Features.Org;
using Mediation.Application.Features.Reminders.GetInbox;
using Mediation.Application.Features.Reports.CaseCounts;
using Mediation.Application.Features.Reports.Dashboard;
using Mediation.Application.Features.Supervision.GenerateDigest;
using Mediation.Application.Features.Supervision.ListDigests;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using Mediation.Infrastructure;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Application.Tests;

/// <summary>
/// 县级部署: two streets in one installation (the demo's 临山 and 河西, accounts of 河西 prefixed "hx-") and the county
/// offices. The street is the boundary; only the county roles read across it, and they act on nothing.
/// </summary>
public class CountyTests
{
    [Fact]
    public async Task AnotherStreetsStaff_FindNoneOfTheFirstStreetsCases_NotInListsSearchCountsDashboardDigestsOrNotices()
    {
        await using var host = await MediationHost.StartAsync(demo: DemoSeed.County);
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        var escalated = await EscalateToStationAsync(host, "cun01-1", registered);
        // A major dispute notifies its street's center and petition office (重大疑难报告), and no other street's.
        var major = await host.SendAs("cun01-1", Disputes.CollectiveWageArrears());
        var village01 = await host.Query(db => db.Staff.Where(s => s.UserName == "cun01-1").Select(s => s.UnitId).SingleAsync());
        await GenerateDigestAsync(host);

        foreach (var other in new[] { "hx-zhuren", "hx-xinfang1", "hx-zhongxin1", "hx-zhan1-1", "hx-cun01-1" })
        {
            await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs(other, new GetCase(registered.CaseId)));
            await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs(other, new GetCase(major.CaseId)));
            await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs(other, new ListCases(UnitId: village01)));
            Assert.Empty((await host.SendAs(other, new ListCases(PageSize: 100))).Items);
            Assert.Empty((await host.SendAs(other, new ListCases(Text: registered.CaseNumber))).Items);
            Assert.Empty((await host.SendAs(other, new ListCases(Text: "王秀英"))).Items);
            Assert.Equal(0, (await host.SendAs(other, new CaseCounts())).Total);
            var dashboard = await host.SendAs(other, new GetDashboard());
            Assert.Empty(dashboard.Escalations);
            Assert.Empty(dashboard.ByCategory);
            // The live feed asks for escalations newer than the last one shown.
            Assert.Empty((await host.SendAs(other, new GetDashboard(AfterEventId: 0))).Escalations);
            Assert.DoesNotContain((await host.SendAs(other, new GetInbox())).Items, i => i.CaseId == major.CaseId || i.CaseId == registered.CaseId);
        }
        foreach (var other in new[] { "hx-zhuren", "hx-xinfang1", "hx-zhan1-1" })
        {
            var digests = await host.SendAs(other, new ListDigests());
            Assert.DoesNotContain(digests.SelectMany(d => d.Units).SelectMany(u => u.Cases), c => c.Id == registered.CaseId || c.Id == major.CaseId);
        }

        // The first street still sees its own, in every one of those places.
        Assert.Contains((await host.SendAs("xinfang1", new GetDashboard())).Escalations, e => e.CaseId == escalated.CaseId);
        Assert.Contains((await host.SendAs("xinfang1", new GetInbox())).Items, i => i.CaseId == major.CaseId);
        Assert.Contains((await host.SendAs("zhuren", new ListDigests())).SelectMany(d => d.Units).SelectMany(u => u.Cases), c => c.Id == registered.CaseId);
        Assert.Single((await host.SendAs("zhuren", new ListCases(Text: registered.CaseNumber))).Items);
    }

    [Fact]
    public async Task CaseNumbers_RunPerStreet_AndTwoStreetsRegisteringAtOnce_NeverCollide()
    {
        await using var host = await MediationHost.StartAsync(demo: DemoSeed.County);
        // Two nodes, each with its own connections (and on SQLite its own write gate), one street each.
        await using var secondNode = host.StartAnotherNode();
        const int perStreet = 15;
        var linshan = Enumerable.Range(0, perStreet).Select(i => host.SendAs($"cun{i % 38 + 1:D2}-1", Disputes.Neighbour($"临山同时登记{i}")));
        var hexi = Enumerable.Range(0, perStreet).Select(i => SendAsync(secondNode, $"hx-cun{i % 8 + 1:D2}-1", Disputes.Neighbour($"河西同时登记{i}")));
        var all = await Task.WhenAll(linshan.Interleave(hexi));

        var numbers = all.Select(c => c.CaseNumber).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct(StringComparer.Ordinal).Count());
        var expected = Enumerable.Range(1, perStreet).Select(n => $"{n:D6}").ToList();
        Assert.Equal(expected.Select(n => $"LS-2026-{n}"), numbers.Where(n => n.StartsWith("LS-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(expected.Select(n => $"HX-2026-{n}"), numbers.Where(n => n.StartsWith("HX-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CountyRoles_ReadAndCompareEveryStreet_WithPersonalDataMasked_AndActOnNone()
    {
        await using var host = await MediationHost.StartAsync(demo: DemoSeed.County);
        // 临山 settles one at the village; 河西 hands one up to its street center.
        var settled = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(settled.CaseId, settled.Version, "补偿3000元", true, []));
        await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "电话告知", "已告知申请人调解结果。"));
        var handedUp = await host.SendAs("hx-cun01-1", Disputes.Neighbour("河西：宅基地界址"));
        var atStation = await EscalateToStationAsync(host, "hx-cun01-1", handedUp);
        var accepted = await host.SendAs("hx-zhan1-1", new AcceptCase(atStation.CaseId, atStation.Version));
        var atCenter = await host.SendAs("hx-zhan1-1", new EscalateCase(accepted.CaseId, accepted.Version, "提请街道矛调中心"));
        Assert.Equal("center", atCenter.Level);

        foreach (var county in new[] { "xian-xinfang1", "xian-sifa1" })
        {
            foreach (var id in new[] { settled.CaseId, handedUp.CaseId })
            {
                var seen = await host.SendAs(county, new GetCase(id));
                Assert.False(seen.PersonalDataVisible);
                Assert.Empty(seen.AllowedActions);
                Assert.DoesNotContain(seen.Parties, p => p.Phone == Disputes.ApplicantPhone || p.IdNumber == Disputes.ApplicantIdNumber);
            }
            Assert.Equal(2, (await host.SendAs(county, new ListCases(PageSize: 100))).Items.Count);
            Assert.Equal(2, (await host.SendAs(county, new CaseCounts())).Total);
            var hexiCenter = await host.Query(db => db.OrgUnits.Where(u => u.Code == "HX").Select(u => u.Id).SingleAsync());
            Assert.Equal(1, (await host.SendAs(county, new CaseCounts(hexiCenter))).Total);
            Assert.Contains((await host.SendAs(county, new GetDashboard(UnitId: hexiCenter))).Escalations, e => e.CaseId == handedUp.CaseId);

            var compared = await host.SendAs(county, new CompareStreets());
            Assert.Equal(["LS", "HX"], compared.Streets.Select(s => s.Code));
            var ls = compared.Streets[0];
            var hx = compared.Streets[1];
            Assert.Equal((1L, 0L, 1L, 1.0, 0L), (ls.Registered, ls.Open, ls.Settled, ls.SettledByLevel.Single(l => l.Level == "village").Share, ls.EscalatedToCenter));
            Assert.Equal((1L, 1L, 0L, 1L), (hx.Registered, hx.Open, hx.Settled, hx.EscalatedToCenter));

            // Reading is all: no case command, no registration, no supervision of a street's work.
            await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs(county, new AcceptCase(atCenter.CaseId, atCenter.Version)));
            await Assert.ThrowsAsync<RoleNotAllowedException>(() => host.SendAs(county, Disputes.Neighbour("县里登记")));
        }
        Assert.Equal(2, await host.Query(db => db.Cases.CountAsync()));

        // The comparison is the county's: a street's own petition office and director compare nothing.
        foreach (var street in new[] { "xinfang1", "zhuren", "hx-xinfang1", "admin", "xian-admin" })
            await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs(street, new CompareStreets()));
    }

    [Fact]
    public async Task StreetAdministrator_ManagesOnlyTheirStreet_AndOnlyTheCountyAdministratorCreatesStreets()
    {
        await using var host = await MediationHost.StartAsync(demo: DemoSeed.County);
        var lsAccount = await host.Query(db => db.Staff.SingleAsync(s => s.UserName == "cun01-1"));
        var lsStation = await host.Query(db => db.OrgUnits.SingleAsync(u => u.Code == "LS-01"));
        var lsVillage = lsAccount.UnitId;

        var theirs = await host.SendAs("hx-admin", new ListStaff());
        Assert.All(theirs, s => Assert.StartsWith("hx-", s.UserName, StringComparison.Ordinal));
        Assert.All(await host.SendAs("hx-admin", new ListUnits()), u => Assert.StartsWith("/1000/", u.Path, StringComparison.Ordinal));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("hx-admin", new AssignStaff(lsAccount.Id, Actor.Roles.VillageMediator, lsVillage)));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("hx-admin", new ResetPassword(lsAccount.Id, "Taken2026over")));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("hx-admin", new DeactivateStaff(lsAccount.Id)));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("hx-admin", new AddUnit(lsStation.Id, "越界调解点", OrgUnitKind.VillagePoint)));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("hx-admin", new RenameUnit(lsStation.Id, "越界改名")));
        var refused = await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("hx-admin", new CreateStaff("hx-intruder", "越界", Actor.Roles.VillageMediator, lsVillage, "Intrude2026")));
        Assert.Equal("unitId", refused.Errors.Single().Field);
        // Moving one of their own into the other street is refused the same way.
        var hxAccount = await host.Query(db => db.Staff.SingleAsync(s => s.UserName == "hx-cun01-1"));
        await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("hx-admin", new AssignStaff(hxAccount.Id, Actor.Roles.VillageMediator, lsVillage)));
        Assert.Equal((lsVillage, true), await host.Query(db => db.Staff.Where(s => s.Id == lsAccount.Id).Select(s => new ValueTuple<long, bool>(s.UnitId, s.Active)).SingleAsync()));
        Assert.Null(await host.Query(db => db.OrgUnits.FirstOrDefaultAsync(u => u.Name == "越界调解点")));

        // A street administrator creates no street; the county administrator does, and builds it like any street.
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("admin", new CreateStreet("河东街道矛调中心", "HD")));
        var taken = await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("xian-admin", new CreateStreet("又一个临山", "LS")));
        Assert.Equal("code", taken.Errors.Single().Field);
        var street = await host.SendAs("xian-admin", new CreateStreet("河东街道矛调中心", "HD"));
        Assert.Null(street.ParentId);
        var station = await host.SendAs("xian-admin", new AddUnit(street.Id, "河东一管区调解站", OrgUnitKind.DistrictStation));
        var village = await host.SendAs("xian-admin", new AddUnit(station.Id, "河东村调解点", OrgUnitKind.VillagePoint));
        await host.SendAs("xian-admin", new CreateStaff("hd-cun1", "河东调解员", Actor.Roles.VillageMediator, village.Id, "Hedong2026"));
        var countyInStreet = await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("xian-admin", new CreateStaff("hd-xian", "错位", Actor.Roles.CountyPetition, village.Id, "Hedong2026")));
        Assert.Equal("role", countyInStreet.Errors.Single().Field);
        Assert.Contains(await host.SendAs("xian-admin", new ListStaff()), s => s.UserName == "cun01-1");

        var first = await host.SendAs("hd-cun1", Disputes.Neighbour("河东第一件"));
        Assert.Equal("HD-2026-000001", first.CaseNumber);
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("cun01-1", new GetCase(first.CaseId)));
    }

    [Fact]
    public async Task DefaultDemo_StaysOneStreet_WithoutCountyOffices()
    {
        await using var host = await MediationHost.StartAsync();
        var roots = await host.Query(db => db.OrgUnits.Where(u => u.ParentId == null).Select(u => new { u.Code, u.Kind }).ToListAsync());
        Assert.Equal("LS", Assert.Single(roots).Code);
        Assert.False(await host.Query(db => db.Staff.AnyAsync(s => s.UserName.StartsWith("hx-") || s.UserName.StartsWith("xian-"))));
        Assert.Equal(48, (await host.SendAs("admin", new ListUnits())).Count);
    }

    private static async Task<CaseChanged> EscalateToStationAsync(MediationHost host, string mediator, CaseChanged registered)
    {
        var accepted = await host.SendAs(mediator, new AcceptCase(registered.CaseId, registered.Version));
        return await host.SendAs(mediator, new EscalateCase(accepted.CaseId, accepted.Version, "村级调解不成，提请管区调解站"));
    }

    private static async Task GenerateDigestAsync(MediationHost host) =>
        await host.SendAsActor(Actor.SystemAt(1, "/1/"), new GenerateDigest(DigestKind.WeeklyScreening, new DateOnly(2026, 3, 2)));

    private static async Task<T> SendAsync<T>(IServiceProvider node, string userName, IRequest<T> request)
    {
        await using var scope = node.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var actor = await StaffDirectory.FindActorAsync(db, userName) ?? throw new InvalidOperationException($"No demo account '{userName}'.");
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }
}

internal static class Interleaving
{
    /// <summary>a1, b1, a2, b2, …: both streets' registrations started in turn, so they overlap.</summary>
    public static IEnumerable<T> Interleave<T>(this IEnumerable<T> first, IEnumerable<T> second)
    {
        using var a = first.GetEnumerator();
        using var b = second.GetEnumerator();
        bool moreA, moreB;
        while ((moreA = a.MoveNext()) | (moreB = b.MoveNext()))
        {
            if (moreA)
                yield return a.Current;
            if (moreB)
                yield return b.Current;
        }
    }
}
