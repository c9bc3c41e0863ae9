using Mediation.Application.Features.Cases.RegisterCase;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using MediatR;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages.Cases;

public sealed class PartyForm
{
    public PartyRole Role { get; set; }
    public string? Name { get; set; }
    public string? Phone { get; set; }
    public string? IdNumber { get; set; }
    public string? Address { get; set; }
}

/// <summary>登记纠纷: the form sends the same RegisterCase command as the API; a double submit makes one case.</summary>
public sealed class NewCaseModel(IMediator mediator, Ui.UiText text, ActorContext actors, Mediation.Application.Features.Workflow.WorkflowCatalog workflows) : PageModel
{
    [BindProperty] public IntakeChannel Channel { get; set; } = IntakeChannel.WalkIn;
    [BindProperty] public DisputeCategory Category { get; set; } = DisputeCategory.Neighbour;
    [BindProperty] public RiskLevel RiskLevel { get; set; } = RiskLevel.Low;
    [BindProperty] public string? Summary { get; set; }
    [BindProperty] public string? Description { get; set; }
    [BindProperty] public decimal? Amount { get; set; }
    [BindProperty] public List<PartyForm> Parties { get; set; } = [];
    [BindProperty] public string IdempotencyKey { get; set; } = Guid.NewGuid().ToString("N");

    private Dictionary<string, string> _errors = new(StringComparer.OrdinalIgnoreCase);

    // The form is refused to a role the definition does not let register (the petition office, administrators).
    public override void OnPageHandlerExecuting(Microsoft.AspNetCore.Mvc.Filters.PageHandlerExecutingContext context)
    {
        if (!workflows.Current.Registration.AllowsRole(actors.Current.Role))
            context.Result = Forbid();
    }

    public void OnGet() => PadParties();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var parties = Parties.Where((p, i) => i < 2 || !string.IsNullOrWhiteSpace(p.Name))
            .Select(p => new PartyInput(p.Role, p.Name ?? "", p.Phone, p.IdNumber, p.Address)).ToList();
        try
        {
            var registered = await mediator.Send(new RegisterCase(Channel, Category, Summary ?? "", Description, Amount, RiskLevel, RiskSignals.None, parties, IdempotencyKey), cancellationToken);
            return Redirect($"/cases/{registered.CaseId}");
        }
        catch (RequestValidationException invalid)
        {
            _errors = invalid.Errors.GroupBy(e => e.Field, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => Shown(g.First()), StringComparer.OrdinalIgnoreCase);
        }
        catch (CaseInputException input)
        {
            _errors[input.Field] = !text.English && input.Chinese is { } chinese ? chinese : input.Message;
        }
        catch (IdempotencyKeyReusedException)
        {
            // Sent before with other contents (the back button, then edits): a new submit is a new dispute, with a new key.
            IdempotencyKey = Guid.NewGuid().ToString("N");
            _errors["summary"] = text.English ? "This form was already submitted with other contents; submit again to register it as a new dispute." : "此表单已按其他内容提交过；如需登记为新纠纷，请再次提交。";
        }
        PadParties();
        return Page();
    }

    // Beside its field, "required" reads best as the page's own short 此项必填; other rules keep their Chinese wording.
    private string Shown(FieldError error) =>
        !text.English && error.Chinese is { } chinese && !error.Message.EndsWith("is required.", StringComparison.Ordinal) ? chinese : error.Message;

    public IHtmlContent ErrorFor(string field) =>
        _errors.TryGetValue(field, out var message) ? new HtmlString($"<span class=\"field-error\" data-field=\"{field}\">{System.Net.WebUtility.HtmlEncode(text.FieldError(field, message))}</span>") : HtmlString.Empty;

    private void PadParties()
    {
        while (Parties.Count < 3)
            Parties.Add(new PartyForm { Role = Parties.Count == 0 ? PartyRole.Applicant : PartyRole.Respondent });
    }
}
