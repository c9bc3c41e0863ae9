using Mediation.Application.Features.Cases.ListCases;
using Mediation.Application.Features.Org;
using Mediation.Application.Features.Reminders.GetInbox;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages;

/// <summary>The mediator's workbench: the cases their unit holds, most urgent first; follow-ups due; reminders.</summary>
public sealed class IndexModel(IMediator mediator, ActorContext actors, OrgTree tree, MediationDbContext db, WorkflowCatalog workflows, Ui.UiText text) : PageModel
{
    public IReadOnlyList<CaseListItem> Queue { get; private set; } = [];
    public IReadOnlyList<InboxItem> FollowUps { get; private set; } = [];
    public IReadOnlyList<InboxItem> Notices { get; private set; } = [];
    public string UnitName { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var unit = await tree.FindAsync(db, actor.UnitId, cancellationToken);
        UnitName = unit?.Name ?? "";
        if (actor.Role != Actor.Roles.Administrator)
        {
            // A unit's own queue is the cases at its level in its subtree: what it holds, not what it merely sees.
            var level = unit is null ? null : workflows.Current.LevelForUnitKind(unit.Kind)?.Id;
            var query = actor.Role == Actor.Roles.PetitionOffice || actor.IsCounty ? new ListCases(Major: true, PageSize: 50) : new ListCases(Level: level, PageSize: 50);
            Queue = (await mediator.Send(query, cancellationToken)).Items;
            var inbox = (await mediator.Send(new GetInbox(50), cancellationToken)).Items;
            FollowUps = inbox.Where(i => i.Kind is InboxItemKind.FollowUpDue or InboxItemKind.FollowUpOverdue).ToList();
            Notices = inbox.Where(i => i.Kind == InboxItemKind.Notice).Take(8).ToList();
        }
    }

    public string StateTitle(string state) => workflows.Current.States.FirstOrDefault(s => s.Id == state) is { } s ? text.Of(s.Title) : state;

    public string LevelTitle(string level) => workflows.Current.Levels.FirstOrDefault(l => l.Id == level) is { } l ? text.Of(l.Title) : level;
}
