using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Cases.DeclineCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.ListCases;
using Mediation.Application.Features.Cases.RecordFailure;
using Mediation.Application.Features.Cases.RecordSession;
using Mediation.Application.Features.Cases.RegisterCase;
using Mediation.Application.Features.Cases.ReopenCase;
using Mediation.Application.Features.Cases.ResolveCase;
using Mediation.Application.Features.Cases.TakeAction;
using Mediation.Application.Features.Cases.WithdrawCase;
using Mediation.Application.Features.Deadlines.ResumeCase;
using Mediation.Application.Features.Deadlines.SuspendCase;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Features.Escalation.ReferOut;
using Mediation.Application.Features.FollowUps.RecordFollowUp;
using Mediation.Application.Features.Reminders.GetInbox;
using Mediation.Application.Features.Reports.CaseCounts;
using Mediation.Application.Features.Reports.SettlementShare;
using Mediation.Application.Features.Supervision.ListDigests;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Supervision;
using Mediation.Workflows.Actions;
using MediatR;

namespace Mediation.Web.Api;

/// <summary>
/// The JSON API: every command and query of the product, sending the same MediatR requests as the pages.
/// Case commands take the case id from the route and the rest (with the version the client saw) from the body.
/// </summary>
public static class Endpoints
{
    public static void MapMediationApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization();
        MapCases(api.MapGroup("/cases").WithTags("Cases"));
        var reports = api.MapGroup("/reports").WithTags("Reports");
        reports.MapGet("/counts", (long? unitId, IMediator m, CancellationToken ct) => m.Send(new CaseCounts(unitId), ct))
            .WithSummary("Cases per level and state, and overdue, in a unit's subtree.");
        reports.MapGet("/settlement", (long? unitId, IMediator m, CancellationToken ct) => m.Send(new SettlementShare(unitId), ct))
            .WithSummary("Share of settled disputes settled at each level (小事不出村).");
        reports.MapGet("/digests", (DigestKind? kind, int? limit, IMediator m, CancellationToken ct) => m.Send(new ListDigests(kind, limit ?? 20), ct))
            .WithSummary("Weekly screening digests and fortnightly consultation agendas.");
        api.MapGet("/feed/escalations", EscalationFeed.StreamAsync)
            .WithTags("Reports").WithSummary("Server-sent events: each escalation in the viewer's scope as it happens.");
        api.MapGet("/reports/dashboard", (long? unitId, IMediator m, CancellationToken ct) => m.Send(new Mediation.Application.Features.Reports.Dashboard.GetDashboard(UnitId: unitId), ct))
            .WithTags("Reports").WithSummary("Escalations, overdue by level and district, escalations per week, cases by category (in a unit's subtree: the county picks a street).");
        api.MapGet("/county/comparison", (IMediator m, CancellationToken ct) => m.Send(new Mediation.Application.Features.County.CompareStreets.CompareStreets(), ct))
            .WithTags("County").WithSummary("街道对比: per street, registered, settled share per level, escalated to the center, overdue, major, follow-up satisfaction.");
        api.MapGet("/inbox", (int? limit, IMediator m, CancellationToken ct) => m.Send(new GetInbox(limit ?? 100), ct))
            .WithTags("Reminders").WithSummary("What needs the signed-in person now, most urgent first.");
        var admin = api.MapGroup("/admin").WithTags("Administration");
        admin.MapWebhooks();
        admin.MapGet("/staff", (IMediator m, CancellationToken ct) => m.Send(new ListStaff(), ct)).WithSummary("Every account, by unit.");
        admin.MapPost("/staff", (CreateStaff body, IMediator m, CancellationToken ct) => m.Send(body, ct)).WithSummary("Open an account.").ProducesValidationProblem(422);
        admin.MapPost("/staff/{id:long}/assignment", (long id, AssignStaff body, IMediator m, CancellationToken ct) => m.Send(body with { StaffId = id }, ct)).WithSummary("Move someone to another unit or role.");
        admin.MapPost("/staff/{id:long}/password", (long id, ResetPassword body, IMediator m, CancellationToken ct) => m.Send(body with { StaffId = id }, ct)).WithSummary("Set a new password and lift a lockout.");
        admin.MapPost("/staff/{id:long}/deactivation", (long id, IMediator m, CancellationToken ct) => m.Send(new DeactivateStaff(id), ct)).WithSummary("Deactivate an account: no sign-in, its sessions end now.");
        admin.MapPost("/staff/{id:long}/reactivation", (long id, IMediator m, CancellationToken ct) => m.Send(new ReactivateStaff(id), ct)).WithSummary("Open a deactivated account again.");
        admin.MapGet("/units", (IMediator m, CancellationToken ct) => m.Send(new ListUnits(), ct)).WithSummary("The org tree.");
        admin.MapPost("/units", (AddUnit body, IMediator m, CancellationToken ct) => m.Send(body, ct)).WithSummary("Add a village point under a station, or a station under the center.");
        admin.MapPost("/streets", (CreateStreet body, IMediator m, CancellationToken ct) => m.Send(body, ct))
            .WithSummary("Create a street (county administrators): the root of a tree of its own, its code prefixing its case numbers.").ProducesValidationProblem(422);
        admin.MapPost("/units/{id:long}/name", (long id, RenameUnit body, IMediator m, CancellationToken ct) => m.Send(body with { UnitId = id }, ct)).WithSummary("Rename a unit.");
        admin.MapGet("/timers", (string? status, IMediator m, CancellationToken ct) => status is null or "failed"
                ? m.Send(new Mediation.Application.Features.Deadlines.FailedTimers.ListFailedTimers(), ct)
                : throw new RequestValidationException([new FieldError("status", "Only status=failed is listed: the timers that need an administrator.")]))
            .WithSummary("Timers that gave up after their last attempt.").ProducesValidationProblem(422);
        admin.MapPost("/timers/{id:long}/retry", (long id, IMediator m, CancellationToken ct) => m.Send(new Mediation.Application.Features.Deadlines.FailedTimers.RetryTimer(id), ct))
            .WithSummary("Send a failed timer round again, now.");
        admin.MapPost("/timers/{id:long}/cancel", (long id, IMediator m, CancellationToken ct) => m.Send(new Mediation.Application.Features.Deadlines.FailedTimers.CancelTimer(id), ct))
            .WithSummary("Give up a failed timer; it never fires.");
        admin.MapAdminAudit();
        admin.MapWorkflowMigrations();
        admin.MapIntakeAdmin();
        app.MapIntake();
        app.MapGet("/api/workflow", (WorkflowCatalog catalog) => WorkflowView.Of(catalog.Current))
            .WithTags("Workflow").WithSummary("The workflow definition new cases are registered under.");
    }

    private static void MapCases(RouteGroupBuilder cases)
    {
        cases.MapPost("", async (RegisterCase body, IMediator m, CancellationToken ct) =>
            {
                var registered = await m.Send(body, ct);
                return Results.Created($"/api/cases/{registered.CaseId}", registered);
            })
            .WithSummary("Register a dispute at the signed-in person's unit (登记). Send an Idempotency-Key header to make a retry harmless.")
            .Produces<CaseChanged>(StatusCodes.Status201Created).ProducesValidationProblem(422);

        cases.MapGet("", (long? unitId, string? state, string? level, DisputeCategory? category, bool? overdue, RiskLevel? risk, bool? major, string? text, string? after, int? pageSize, IMediator m, CancellationToken ct) =>
                m.Send(new ListCases(unitId, state, level, category, overdue, risk, major, text, after, pageSize ?? 20), ct))
            .WithSummary("Cases in a unit's subtree, most urgent first; page on with ?after= the previous page's nextCursor.");

        cases.MapGet("/{id:long}", (long id, IMediator m, CancellationToken ct) => m.Send(new GetCase(id), ct))
            .WithSummary("A case with its parties (masked unless the viewer holds it), sessions, agreement, timeline and allowed actions.")
            .ProducesProblem(404);

        Command<AcceptCase>(cases, CaseActions.For(CaseActions.Accept).ApiPath, "受理", (id, b) => b with { CaseId = id });
        Command<DeclineCase>(cases, CaseActions.For(CaseActions.Decline).ApiPath, "不予受理", (id, b) => b with { CaseId = id });
        Command<RecordSession>(cases, CaseActions.For(CaseActions.RecordSession).ApiPath, "记录调解", (id, b) => b with { CaseId = id });
        Command<ResolveCase>(cases, CaseActions.For(CaseActions.Resolve).ApiPath, "调解成功 with an agreement", (id, b) => b with { CaseId = id });
        Command<RecordFailure>(cases, CaseActions.For(CaseActions.RecordFailure).ApiPath, "调解不成", (id, b) => b with { CaseId = id });
        Command<EscalateCase>(cases, CaseActions.For(CaseActions.Escalate).ApiPath, "上报 to the unit above", (id, b) => b with { CaseId = id });
        Command<ReferOut>(cases, CaseActions.For(CaseActions.ReferOut).ApiPath, "移交 out of the network (street center only)", (id, b) => b with { CaseId = id });
        Command<WithdrawCase>(cases, CaseActions.For(CaseActions.Withdraw).ApiPath, "撤回", (id, b) => b with { CaseId = id });
        Command<CloseCase>(cases, CaseActions.For(CaseActions.Close).ApiPath, "结案 with closing feedback", (id, b) => b with { CaseId = id });
        Command<ReopenCase>(cases, CaseActions.For(CaseActions.Reopen).ApiPath, "重新调解", (id, b) => b with { CaseId = id });
        Command<SuspendCase>(cases, "suspend", "中止计时", (id, b) => b with { CaseId = id });
        Command<ResumeCase>(cases, "resume", "恢复计时", (id, b) => b with { CaseId = id });
        Command<TakeAction>(cases, CaseActions.For("").ApiPath, "An action the definition adds that needs no input", (id, b) => b with { CaseId = id });
        Command<RecordFollowUp>(cases, "follow-ups", "记录回访; an unsatisfied or unperformed result reopens the case", (id, b) => b with { CaseId = id });
    }

    // The body's own caseId, if given, must agree with the route's.
    private static void Command<T>(RouteGroupBuilder cases, string path, string summary, Func<long, T, T> forCase)
        where T : ICaseCommand, IRequest<CaseChanged>
    {
        cases.MapPost($"/{{id:long}}/{path}", (long id, T body, IMediator m, CancellationToken ct) =>
                body.CaseId != 0 && body.CaseId != id
                    ? throw new RequestValidationException([new FieldError("caseId", "The body's caseId differs from the case in the address.")])
                    : m.Send(forCase(id, body), ct))
            .WithSummary(summary)
            .Produces<CaseChanged>()
            .ProducesProblem(404).ProducesProblem(409).ProducesValidationProblem(422);
    }
}

/// <summary>The workflow as the API shows it: levels, states, transitions and their time limits.</summary>
public static class WorkflowView
{
    public static object Of(Mediation.Workflows.Definitions.WorkflowDefinition w) => new
    {
        w.Key,
        w.Version,
        w.Title,
        Levels = w.Levels.Select(l => new { l.Id, l.Title, l.UnitKind, l.TimeLimit.Days, Counting = l.TimeLimit.Counting.ToString(), OnExpiry = l.OnExpiry.ToString(), l.EscalatesTo }),
        States = w.States.Select(s => new { s.Id, s.Title, s.IsFinal, s.ClockRuns, s.Outcome }),
        Transitions = w.Transitions.Select(t => new { t.Action, t.Title, t.From, t.To, t.Roles, t.Levels, Effect = t.Effect.ToString(), Requires = t.Requires.Select(r => r.ToString()), Endpoint = t.IsRegistration ? "/api/cases" : $"/api/cases/{{id}}/{CaseActions.For(t.Action).ApiPath}" }),
    };
}
