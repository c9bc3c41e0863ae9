using Mediation.Application.Features.Cases.ListCases;
using Mediation.Application.Features.Reports.Dashboard;
using Mediation.Application.Features.Reports.SettlementShare;
using Mediation.Application.Features.Workflow;
using Mediation.Domain.Cases;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages;

/// <summary>
/// The petition office's view of the street: escalations as they happen, risks, overdue work, the settled share. The
/// county reads it for every street together, or for the one street <c>?unitId=</c> names.
/// </summary>
[Authorize(Roles = "petitionOffice,centerDirector,centerMediator,countyPetition,countyJustice")]
public sealed class DashboardModel(IMediator mediator, WorkflowCatalog workflows, Ui.UiText text) : PageModel
{
    public DashboardView? View { get; private set; }
    public IReadOnlyList<CaseListItem> MajorOrHighRisk { get; private set; } = [];
    public IReadOnlyList<(string Label, double Value, string Shown)> Settled { get; private set; } = [];

    public async Task OnGetAsync(long? unitId, CancellationToken cancellationToken)
    {
        View = await mediator.Send(new GetDashboard(UnitId: unitId), cancellationToken);
        var major = (await mediator.Send(new ListCases(UnitId: unitId, Major: true, Overdue: null, PageSize: 10), cancellationToken)).Items;
        var high = (await mediator.Send(new ListCases(UnitId: unitId, Risk: RiskLevel.High, PageSize: 10), cancellationToken)).Items;
        MajorOrHighRisk = major.Concat(high).DistinctBy(c => c.Id).ToList();
        var share = await mediator.Send(new SettlementShare(unitId), cancellationToken);
        Settled = share.Levels.Select(l => (text.English ? l.TitleEn : l.TitleZh, l.Share, $"{l.Share:P0} ({l.Settled})")).ToList();
    }

    public string LevelTitle(string level) => workflows.Current.Levels.FirstOrDefault(l => l.Id == level) is { } l ? text.Of(l.Title) : level;
}
