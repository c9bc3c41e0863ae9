using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Mediation.Web.Api;

/// <summary>
/// Turns the product's refusals into application/problem+json with the right status: 400 malformed, 401 not signed
/// in, 403 not allowed, 404 unknown or out of scope, 409 wrong state or concurrent edit (with the allowed actions),
/// 422 invalid fields (each named). Anything else is a 500 that says nothing of the request's data.
/// </summary>
internal sealed class Problems(IProblemDetailsService problems, ILogger<Problems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad => Problem(400, "Malformed request", bad.Message),
            System.Text.Json.JsonException json => Problem(400, "Malformed JSON", json.Message),
            NotSignedInException => Problem(401, "Sign in first", exception.Message),
            AccessDeniedException or RoleNotAllowedException => Problem(403, "Not allowed", exception.Message),
            NotFoundException => Problem(404, "Not found", exception.Message),
            TransitionNotAllowedException t => Problem(409, "Action not allowed in this state", t.Message, ("state", t.State), ("level", t.Level), ("allowedActions", t.AllowedActions)),
            Mediation.Domain.Deadlines.TimerRuleException => Problem(409, "Timer not in that state", exception.Message),
            ConcurrentEditException c => Problem(409, "Changed by someone else", c.Message, ("expectedVersion", c.ExpectedVersion), ("currentVersion", c.ActualVersion)),
            RequestValidationException v => Validation(v.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray())),
            CaseInputException i => Validation(new Dictionary<string, string[]> { [i.Field] = [i.Message] }),
            IdempotencyKeyReusedException r => Validation(new Dictionary<string, string[]> { ["Idempotency-Key"] = [r.Message] }),
            _ => null,
        };
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = Problem(500, "Something went wrong", "The request was not completed; nothing was changed.");
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails Problem(int status, string title, string detail, params (string Key, object Value)[] extensions)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions)
            problem.Extensions[key] = value;
        return problem;
    }

    private static ValidationProblemDetails Validation(Dictionary<string, string[]> errors) =>
        new(errors) { Status = 422, Title = "Invalid fields", Detail = "See errors: each field names the rule it breaks." };
}
