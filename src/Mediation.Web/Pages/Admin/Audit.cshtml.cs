using System.Globalization;
using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Web.Ui;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages.Admin;

/// <summary>操作审计: who changed which account, unit, street or workflow version, when, shown field by field in the page's language.</summary>
[Authorize(Roles = "administrator")]
public sealed class AuditModel(IMediator mediator, WorkflowCatalog workflows, UiText text) : PageModel
{
    // Ids repeat what the names beside them say; the names are what a reader checks.
    private static readonly HashSet<string> Hidden = new(StringComparer.Ordinal) { "unitId", "parentId" };

    [BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? ActorId { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? Before { get; set; }

    public AdminAuditPage Entries { get; private set; } = new([], null, []);
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        try
        {
            Entries = await mediator.Send(new ListAdminAudit(string.IsNullOrEmpty(Kind) ? null : Kind, ActorId, From, To, Before), cancellationToken);
        }
        catch (RequestValidationException invalid)
        {
            Error = string.Join(" ", invalid.Errors.Select(e => text.Refusal(e.Field, e.Message, e.Chinese)));
            Entries = await mediator.Send(new ListAdminAudit(), cancellationToken);
        }
    }

    public static IReadOnlyList<string> Kinds => AdminAudit.Kinds.All;

    public string KindTitle(string kind) => Word("audit." + kind, kind);

    public string SubjectTitle(string subjectKind) => Word("audit.subject." + subjectKind, subjectKind);

    public string FieldTitle(string field) => Word("audit.field." + field, field);

    public string ActorTitle(AdminAuditView e) => e.ActorRole == Actor.Roles.System ? text["auditSystem"] : $"{e.ActorName}（{RoleTitle(e.ActorRole)}）";

    public IEnumerable<AuditChange> Shown(AdminAuditView e) => e.Changes.Where(c => !Hidden.Contains(c.Field));

    /// <summary>A value as a reader says it: role and unit-kind names, yes/no, "—" for none; never a code.</summary>
    public string Value(string field, string? value) => (field, value) switch
    {
        (_, null) => "—",
        ("role", _) => RoleTitle(value),
        ("kind", _) => Word("audit.kind." + value, value),
        ("active", "true") => text["active"],
        ("active", "false") => text["deactivated"],
        ("fingerprint", { Length: > 12 }) => value[..12] + "…",
        (_, "true") => text["auditYes"],
        (_, "false") => text["auditNo"],
        _ => value,
    };

    private string RoleTitle(string role) => role switch
    {
        Actor.Roles.CountyPetition => text.English ? "County petition office" : "县信访局",
        Actor.Roles.CountyJustice => text.English ? "County justice bureau" : "县司法局",
        Actor.Roles.System => text["auditSystem"],
        _ => workflows.Current.Roles.FirstOrDefault(r => r.Id == role) is { } known ? text.Of(known.Title) : role,
    };

    /// <summary>The link to the page after this one, keeping the filters.</summary>
    public string OlderLink(long before) => Link(before);

    public string NewestLink() => Link(null);

    private string Link(long? before)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(Kind))
            query.Add("kind=" + Uri.EscapeDataString(Kind));
        if (ActorId is { } actor)
            query.Add("actorId=" + actor.ToString(CultureInfo.InvariantCulture));
        if (From is { } from)
            query.Add("from=" + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (To is { } to)
            query.Add("to=" + to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (before is { } b)
            query.Add("before=" + b.ToString(CultureInfo.InvariantCulture));
        return "/admin/audit" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    private string Word(string key, string fallback) => text[key] is var word && word != key ? word : fallback;
}
