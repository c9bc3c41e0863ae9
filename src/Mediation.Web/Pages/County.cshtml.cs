using Mediation.Application.Features.County.CompareStreets;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages;

/// <summary>街道对比: the county petition office and justice bureau read every street side by side; they act on no case.</summary>
[Authorize(Roles = "countyPetition,countyJustice")]
public sealed class CountyModel(IMediator mediator, Ui.UiText text) : PageModel
{
    public StreetComparison? Comparison { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Comparison = await mediator.Send(new CompareStreets(), cancellationToken);

    /// <summary>The 小事不出村 rate of each street: the village level's share of its settled disputes.</summary>
    public IReadOnlyList<(string Label, double Value, string Shown)> VillageShare =>
        (Comparison?.Streets ?? []).Select(s => s.SettledByLevel.Count > 0 && s.SettledByLevel[0] is var first
            ? (s.Name, first.Share, $"{first.Share:P0} ({first.Settled}/{s.Settled})")
            : (s.Name, 0d, "—")).ToList();

    public string LevelTitle(Mediation.Application.Features.Reports.SettlementShare.LevelSettlement level) => text.English ? level.TitleEn : level.TitleZh;
}
