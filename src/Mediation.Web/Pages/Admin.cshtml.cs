using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Workflows.Definitions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages;

/// <summary>
/// 管理员: accounts and the org tree, through the same commands as the API. A refused form comes back with each
/// field's message beside it in the page's language and what was typed (never a password) still in it.
/// </summary>
[Authorize(Roles = "administrator")]
public sealed class AdminModel(IMediator mediator, WorkflowCatalog workflows, Ui.UiText text, ActorContext actors) : PageModel
{
    /// <summary>The forms of the page, each named so its messages land beside its own fields.</summary>
    public static class Forms
    {
        public const string CreateStaff = "createStaff";
        public const string ResetPassword = "resetPassword";
        public const string AddUnit = "addUnit";
        public const string Deactivate = "deactivate";
        public const string CreateStreet = "createStreet";

        public static string Assign(long staffId) => $"assign-{staffId}";
    }

    private readonly Dictionary<string, string> _errors = new(StringComparer.OrdinalIgnoreCase);
    private string? _erroredForm;

    public IReadOnlyList<StaffView> Staff { get; private set; } = [];
    public IReadOnlyList<UnitView> Units { get; private set; } = [];
    /// <summary>The workflow's roles, and for a county administrator also the county's (县信访局, 县司法局).</summary>
    public IReadOnlyList<RoleDefinition> Roles => IsCountyAdmin ? [.. workflows.Current.Roles, .. CountyRoles] : workflows.Current.Roles;

    private static readonly RoleDefinition[] CountyRoles =
    [
        new(Mediation.Domain.Org.Actor.Roles.CountyPetition, new LocalizedText("县信访局", "County petition office")),
        new(Mediation.Domain.Org.Actor.Roles.CountyJustice, new LocalizedText("县司法局", "County justice bureau")),
    ];

    /// <summary>A county administrator administers every street (their list holds the county offices) and creates streets.</summary>
    public bool IsCountyAdmin => Units.Any(u => u.Kind == Mediation.Domain.Org.OrgUnitKind.CountyOffice);

    public CreateStreet? StreetInput { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    /// <summary>What the new-account form held when it was refused (its password is not kept).</summary>
    public CreateStaff? CreateInput { get; private set; }
    public AddUnit? UnitInput { get; private set; }
    public long? ResetInput { get; private set; }

    /// <summary>The choice an assignment form held when it was refused, shown instead of the account's current one.</summary>
    public (long StaffId, string Role, long UnitId)? AssignInput { get; private set; }

    /// <summary>The account whose deactivation waits for a second, confirming submit.</summary>
    public StaffView? ConfirmDeactivation { get; private set; }

    public long SelfId => actors.Current.StaffId;

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateStaffAsync(CreateStaff command, CancellationToken cancellationToken)
    {
        CreateInput = command with { Password = "" };
        return RunAsync(Forms.CreateStaff, command, () => CreateInput = null, cancellationToken);
    }

    public Task<IActionResult> OnPostResetPasswordAsync(ResetPassword command, CancellationToken cancellationToken)
    {
        ResetInput = command.StaffId;
        return RunAsync(Forms.ResetPassword, command, () => ResetInput = null, cancellationToken);
    }

    /// <summary>
    /// Moves an account to another role or unit. The form carries the role and unit the administrator saw: if someone
    /// changed the account since, nothing is saved and the page shows it as it is now; sending the same move again
    /// (a reload, a double click) finds it done and says so.
    /// </summary>
    public async Task<IActionResult> OnPostAssignAsync(long staffId, string? role, long unitId, string? seenRole, long seenUnitId, CancellationToken cancellationToken)
    {
        var form = Forms.Assign(staffId);
        await LoadAsync(cancellationToken);
        var current = Staff.FirstOrDefault(s => s.Id == staffId);
        if (current is null)
        {
            Error = text["adminNotFound"];
            return Page();
        }
        if (current.Role == role && current.UnitId == unitId)
        {
            Message = string.Format(System.Globalization.CultureInfo.InvariantCulture, text["adminAssigned"], current.UserName, RoleTitle(current.Role), current.UnitName);
            return Page();
        }
        if (current.Role != seenRole || current.UnitId != seenUnitId)
        {
            _erroredForm = form;
            _errors["role"] = text["adminAssignStale"];
            return Page();
        }
        AssignInput = (staffId, role ?? "", unitId);
        var result = await RunAsync(form, new AssignStaff(staffId, role ?? "", unitId), () => AssignInput = null, cancellationToken);
        if (Error is null && _errors.Count == 0 && Staff.FirstOrDefault(s => s.Id == staffId) is { } moved)
            Message = string.Format(System.Globalization.CultureInfo.InvariantCulture, text["adminAssigned"], moved.UserName, RoleTitle(moved.Role), moved.UnitName);
        return result;
    }

    /// <summary>A first submit asks to confirm; only the second, with confirm ticked, deactivates.</summary>
    public async Task<IActionResult> OnPostDeactivateAsync(long staffId, bool confirm, CancellationToken cancellationToken)
    {
        if (!confirm && staffId != SelfId)
        {
            await LoadAsync(cancellationToken);
            ConfirmDeactivation = Staff.FirstOrDefault(s => s.Id == staffId);
            if (ConfirmDeactivation is null)
                Error = text["adminNotFound"];
            return Page();
        }
        return await RunAsync(Forms.Deactivate, new DeactivateStaff(staffId), () => { }, cancellationToken);
    }

    public Task<IActionResult> OnPostReactivateAsync(long staffId, CancellationToken cancellationToken) => RunAsync(Forms.Deactivate, new ReactivateStaff(staffId), () => { }, cancellationToken);

    public Task<IActionResult> OnPostAddUnitAsync(AddUnit command, CancellationToken cancellationToken)
    {
        UnitInput = command;
        return RunAsync(Forms.AddUnit, command, () => UnitInput = null, cancellationToken);
    }

    public Task<IActionResult> OnPostCreateStreetAsync(CreateStreet command, CancellationToken cancellationToken)
    {
        StreetInput = command;
        return RunAsync(Forms.CreateStreet, command, () => StreetInput = null, cancellationToken);
    }

    /// <summary>The title of a role of the workflow definition or the county in the page's language (the id if it has none).</summary>
    public string RoleTitle(string role) => Roles.Concat(CountyRoles).FirstOrDefault(r => r.Id == role) is { } known ? text.Of(known.Title) : role;

    /// <summary>The message of a field of a form, beside that field.</summary>
    public IHtmlContent ErrorFor(string form, string field) =>
        form == _erroredForm && _errors.TryGetValue(field, out var message)
            ? new HtmlString($"<span class=\"field-error\" data-form=\"{form}\" data-field=\"{field}\">{System.Net.WebUtility.HtmlEncode(message)}</span>")
            : HtmlString.Empty;

    private async Task<IActionResult> RunAsync<T>(string form, IRequest<T> command, Action onSuccess, CancellationToken cancellationToken)
    {
        try
        {
            await mediator.Send(command, cancellationToken);
            Message = text["saved"];
            onSuccess();
        }
        catch (RequestValidationException invalid)
        {
            _erroredForm = form;
            var fields = FieldsOf(form);
            foreach (var error in invalid.Errors)
            {
                if (fields.Contains(error.Field, StringComparer.OrdinalIgnoreCase))
                    _errors.TryAdd(error.Field, Shown(error));
                else
                    Error = Error is null ? Shown(error) : $"{Error} {Shown(error)}";
            }
        }
        catch (NotFoundException)
        {
            Error = text["adminNotFound"];
        }
        catch (AccessDeniedException)
        {
            Error = text["notAllowed"];
        }
        catch (Exception ex) when (ex is DomainRuleException)
        {
            Error = ex.Message;
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private static string[] FieldsOf(string form) => form switch
    {
        Forms.CreateStaff => ["userName", "displayName", "role", "unitId", "password"],
        Forms.ResetPassword => ["staffId", "password"],
        Forms.AddUnit => ["parentId", "name", "kind"],
        Forms.Deactivate => [],
        Forms.CreateStreet => ["name", "code"],
        _ => ["role", "unitId"],
    };

    // Beside its field, "required" reads best as the short 此项必填; other rules keep their own Chinese wording.
    private string Shown(FieldError error) =>
        text.English ? error.Message
        : error.Message.EndsWith("is required.", StringComparison.Ordinal) ? text.FieldError(error.Field, error.Message)
        : error.Chinese ?? error.Message;

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Staff = await mediator.Send(new ListStaff(), cancellationToken);
        Units = await mediator.Send(new ListUnits(), cancellationToken);
    }
}
