using System.Globalization;
using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Cases.DeclineCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.RecordFailure;
using Mediation.Application.Features.Cases.RecordSession;
using Mediation.Application.Features.Cases.ReopenCase;
using Mediation.Application.Features.Cases.ResolveCase;
using Mediation.Application.Features.Cases.TakeAction;
using Mediation.Application.Features.Cases.WithdrawCase;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Features.Deadlines.ResumeCase;
using Mediation.Application.Features.Deadlines.SuspendCase;
using Mediation.Application.Features.Escalation.ReferOut;
using Mediation.Application.Features.FollowUps.RecordFollowUp;
using Mediation.Domain.FollowUps;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Workflows.Actions;
using Mediation.Workflows.Definitions;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages.Cases;

/// <summary>A case: its facts, parties (masked unless the viewer holds it), timeline, and the actions allowed now.</summary>
public sealed class CaseModel(IMediator mediator, WorkflowCatalog workflows, Ui.UiText text, TimeProvider clock) : PageModel
{
    public CaseDetails? Case { get; private set; }
    public WorkflowDefinition Workflow { get; private set; } = null!;
    public IReadOnlyList<TransitionDefinition> Actions { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            await LoadAsync(id, cancellationToken);
            return Page();
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
    }

    public Task<IActionResult> OnPostActAsync(long id, [FromForm] ActionForm form, CancellationToken cancellationToken)
    {
        Posted = form;
        PostedKey = ActKey(form.Action ?? "");
        return RunAsync(id, () => Command(id, form), cancellationToken);
    }

    public Task<IActionResult> OnPostFollowUpAsync(long id, [FromForm] FollowUpForm form, CancellationToken cancellationToken)
    {
        PostedFollowUp = form;
        PostedKey = FollowUpKey(form.FollowUpId);
        return RunAsync(id, () => new RecordFollowUp(id, form.ExpectedVersion, form.FollowUpId, form.Method ?? "", form.Satisfaction, form.Performance, form.Notes), cancellationToken);
    }

    public Task<IActionResult> OnPostClockAsync(long id, [FromForm] ActionForm form, CancellationToken cancellationToken)
    {
        Posted = form;
        PostedKey = ClockKey;
        return RunAsync(id, () => form.Action == CaseActions.Resume ? new ResumeCase(id, form.ExpectedVersion) : new SuspendCase(id, form.ExpectedVersion, form.Reason ?? ""), cancellationToken);
    }

    public bool MaySuspend => Case is { } c && (c.AllowedActions.Contains("suspend") || c.AllowedActions.Contains("resume"));

    // Which form was posted, what it carried, and its refusals by field: the page shows them in that form, kept as typed.
    public const string ClockKey = "clock";
    public static string ActKey(string action) => "act:" + action;
    public static string FollowUpKey(long followUpId) => "followUp:" + followUpId.ToString(CultureInfo.InvariantCulture);
    public string? PostedKey { get; private set; }
    public ActionForm? Posted { get; private set; }
    public FollowUpForm? PostedFollowUp { get; private set; }
    private readonly Dictionary<string, string> _fieldErrors = new(StringComparer.OrdinalIgnoreCase);

    public bool IsPosted(string key) => PostedKey == key;

    /// <summary>What the user typed into this form's field, when this form is the one posted.</summary>
    public string? Typed(string key, Func<ActionForm, string?> field) => IsPosted(key) && Posted is { } f ? field(f) : null;

    public Microsoft.AspNetCore.Html.IHtmlContent ErrorFor(string key, string field) =>
        IsPosted(key) && _fieldErrors.TryGetValue(field, out var message)
            ? new Microsoft.AspNetCore.Html.HtmlString($"<span class=\"field-error\" role=\"alert\" data-field=\"{field}\">{System.Net.WebUtility.HtmlEncode(message)}</span>")
            : Microsoft.AspNetCore.Html.HtmlString.Empty;

    /// <summary>The refusals of this form that concern no field it shows: told at the top of the form.</summary>
    public IReadOnlyList<string> FormErrors(string key, IEnumerable<string> shownFields)
    {
        if (!IsPosted(key))
            return [];
        var shown = shownFields.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return _fieldErrors.Where(e => !shown.Contains(e.Key)).Select(e => e.Value).Distinct().ToList();
    }

    /// <summary>The fields the form of a transition shows, as the commands name them.</summary>
    public static IReadOnlyList<string> FieldsOf(TransitionDefinition t)
    {
        var fields = new List<string>();
        if (t.Needs(RequiredInput.Session)) fields.AddRange(["place", "attendees", "summary"]);
        if (t.Needs(RequiredInput.Agreement)) fields.AddRange(["terms", "acceptedByParties", "dueDates"]);
        if (t.Needs(RequiredInput.Referral)) fields.AddRange(["target", "receivingBody"]);
        if (t.Needs(RequiredInput.ClosingFeedback)) fields.AddRange(["method", "summary"]);
        if (t.Needs(RequiredInput.Reason) || t.Needs(RequiredInput.Referral)) fields.Add("reason");
        return fields;
    }

    private void Refuse(string field, string message, string? chinese)
    {
        // "dueDates[2]" is told beside the one due-dates box.
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        var shownField = bracket > 0 ? field[..bracket] : field;
        // The closing form's boxes post as "method" and "summary"; the command names them for the feedback.
        shownField = shownField switch { "feedbackMethod" => "method", "feedbackSummary" => "summary", _ => shownField };
        _fieldErrors.TryAdd(shownField, text.Refusal(shownField, message, chinese));
    }

    private async Task<IActionResult> RunAsync(long id, Func<IRequest<CaseChanged>> command, CancellationToken cancellationToken)
    {
        try
        {
            await mediator.Send(command(), cancellationToken);
            return Redirect($"/cases/{id}");
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (DatabaseBusyException)
        {
            Error = text["databaseBusy"];
        }
        catch (RequestValidationException invalid)
        {
            foreach (var e in invalid.Errors)
                Refuse(e.Field, e.Message, e.Chinese);
        }
        catch (CaseInputException input)
        {
            Refuse(input.Field, input.Message, input.Chinese);
        }
        catch (ConcurrentEditException)
        {
            Error = text["changedMeanwhile"];
        }
        catch (TransitionNotAllowedException)
        {
            Error = text["actionNotAllowedNow"];
        }
        catch (Exception ex) when (ex is RoleNotAllowedException or AccessDeniedException)
        {
            Error = text["notYourAction"];
        }
        catch (DomainRuleException other)
        {
            Error = other.Message;
        }
        try
        {
            await LoadAsync(id, cancellationToken);
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        return Page();
    }

    internal IRequest<CaseChanged> Command(long id, ActionForm f)
    {
        var v = f.ExpectedVersion;
        // Which command fires the action comes from the one registry the validator also checked the definition against.
        return CaseActions.For(f.Action ?? "").Name switch
        {
            CaseActions.Accept => new AcceptCase(id, v),
            CaseActions.Decline => new DeclineCase(id, v, f.Reason ?? ""),
            CaseActions.RecordSession => new RecordSession(id, v, clock.GetUtcNow().UtcDateTime, f.Place ?? "", f.Attendees ?? "", f.Summary ?? ""),
            CaseActions.Resolve => new ResolveCase(id, v, f.Terms ?? "", f.AcceptedByParties, DueDates(f.DueDates)),
            CaseActions.RecordFailure => new RecordFailure(id, v, f.Reason ?? ""),
            CaseActions.Escalate => new EscalateCase(id, v, f.Reason ?? ""),
            CaseActions.ReferOut => new ReferOut(id, v, f.Target, f.ReceivingBody ?? "", f.Reason ?? ""),
            CaseActions.Withdraw => new WithdrawCase(id, v, f.Reason ?? ""),
            CaseActions.Close => new CloseCase(id, v, f.Method ?? "", f.Summary ?? ""),
            CaseActions.Reopen => new ReopenCase(id, v, f.Reason ?? ""),
            _ => new TakeAction(id, v, f.Action ?? "", f.Reason),
        };
    }

    private static List<DateOnly> DueDates(string? text) =>
        (text ?? "").Split([',', '，', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(d => DateOnly.TryParse(d, CultureInfo.InvariantCulture, out var day) ? day
                : throw new RequestValidationException([new FieldError("dueDates",
                    $"'{UserText.Shown(d, 20)}' is not a date: write dates like 2026-12-31, separated by commas.",
                    $"“{UserText.Shown(d, 20)}”不是日期，请按 2026-12-31 的格式填写，多个日期用逗号分隔。")]))
            .ToList();

    private async Task LoadAsync(long id, CancellationToken cancellationToken)
    {
        Case = await mediator.Send(new GetCase(id), cancellationToken);
        Workflow = workflows.Registry.Get(Case.WorkflowKey, Case.WorkflowVersion);
        // Suspend and resume are clock actions, not transitions: they have their own form.
        Actions = Case.AllowedActions.Select(a => Workflow.Transitions.FirstOrDefault(t => t.Action == a)).OfType<TransitionDefinition>().ToList();
    }

    public string Title(LocalizedText title) => text.Of(title);

    // A migrated case's history names states and levels of the version it left: those are told from that version.
    public string StateTitle(string state) => Workflow.States.Concat(Earlier.SelectMany(d => d.States)).FirstOrDefault(s => s.Id == state) is { } s ? text.Of(s.Title) : state;

    public string LevelTitle(string level) => Workflow.Levels.Concat(Earlier.SelectMany(d => d.Levels)).FirstOrDefault(l => l.Id == level) is { } l ? text.Of(l.Title) : level;

    private IEnumerable<Mediation.Workflows.Definitions.WorkflowDefinition> Earlier =>
        workflows.Registry.All.Where(d => d.Key == Workflow.Key && d.Version < Workflow.Version).OrderByDescending(d => d.Version);

    public string ActionTitle(string action) => Workflow.Transitions.FirstOrDefault(t => t.Action == action) is { } t ? text.Of(t.Title) : text["action." + action];
}

public sealed class ActionForm
{
    public string? Action { get; set; }
    public int ExpectedVersion { get; set; }
    public string? Reason { get; set; }
    public string? Place { get; set; }
    public string? Attendees { get; set; }
    public string? Summary { get; set; }
    public string? Terms { get; set; }
    public bool AcceptedByParties { get; set; }
    public string? DueDates { get; set; }
    public ReferralTarget Target { get; set; }
    public string? ReceivingBody { get; set; }
    public string? Method { get; set; }
}

public sealed class FollowUpForm
{
    public long FollowUpId { get; set; }
    public int ExpectedVersion { get; set; }
    public string? Method { get; set; }
    public Satisfaction Satisfaction { get; set; }
    public Performance Performance { get; set; }
    public string? Notes { get; set; }
}
