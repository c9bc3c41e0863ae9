using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.ListCases;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Tests;

public class AccessTests
{
    [Fact]
    public async Task VillageMediator_CannotTouchAnotherVillagesCase()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("cun02-1", new GetCase(registered.CaseId)));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("cun02-1", new AcceptCase(registered.CaseId, registered.Version)));
        var theirList = await host.SendAs("cun02-1", new ListCases());
        Assert.Empty(theirList.Items);

        var details = await host.SendAs("cun01-1", new GetCase(registered.CaseId));
        Assert.Equal(("pending", 1), (details.State, details.Version));
    }

    [Fact]
    public async Task Station_ReadsItsVillagesCases_ButOnlyTheHoldingUnitActs()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        var seen = await host.SendAs("zhan1-1", new GetCase(registered.CaseId));
        Assert.Empty(seen.AllowedActions);
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("zhan1-1", new AcceptCase(registered.CaseId, registered.Version)));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("zhan2-1", new GetCase(registered.CaseId)));
    }

    [Fact]
    public async Task PetitionOffice_ReadsStreetWide_WithPersonalDataMasked_AndCannotAct()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        var seen = await host.SendAs("xinfang1", new GetCase(registered.CaseId));
        var applicant = seen.Parties.Single(p => p.Role == PartyRole.Applicant);
        Assert.Equal(("*******8842", "3701**********4213"), (applicant.Phone, applicant.IdNumber));
        Assert.False(seen.PersonalDataVisible);
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("xinfang1", new AcceptCase(registered.CaseId, registered.Version)));

        var own = await host.SendAs("cun01-1", new GetCase(registered.CaseId));
        Assert.Equal(Disputes.ApplicantPhone, own.Parties.Single(p => p.Role == PartyRole.Applicant).Phone);
    }

    [Fact]
    public async Task Administrator_ConfiguresButReadsNoCase()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("admin", new GetCase(registered.CaseId)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("admin", new ListCases()));
    }

    [Fact]
    public async Task GridWorker_ReportsADispute_ButTheDefinitionLetsOnlyMediatorsAcceptIt()
    {
        await using var host = await MediationHost.StartAsync();
        var reported = await host.SendAs("wangge01", Disputes.Neighbour());
        Assert.Equal(("pending", "village"), (reported.State, reported.Level));

        var refused = await Assert.ThrowsAsync<RoleNotAllowedException>(() => host.SendAs("wangge01", new AcceptCase(reported.CaseId, reported.Version)));
        Assert.Equal(("gridWorker", "accept"), (refused.Role, refused.Action));
        var accepted = await host.SendAs("cun01-2", new AcceptCase(reported.CaseId, reported.Version));
        Assert.Equal("accepted", accepted.State);
    }
}
