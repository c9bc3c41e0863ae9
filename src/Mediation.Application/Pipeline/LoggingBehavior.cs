using System.Diagnostics;
using MediatR;
using Microsoft.Extensions.Logging;

namespace Mediation.Application.Pipeline;

/// <summary>
/// One structured line per request: its kind, the case id, the actor's staff id, how long it took, how it ended.
/// Never the request body: it can hold names, phones and ID numbers.
/// </summary>
internal sealed class LoggingBehavior<TRequest, TResponse>(ILogger<LoggingBehavior<TRequest, TResponse>> logger, ActorContext actors)
    : IPipelineBehavior<TRequest, TResponse>
{
    private const int MaxReasonLength = 500;
    private static readonly string RequestName = typeof(TRequest).Name;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var started = Stopwatch.GetTimestamp();
        var caseId = (request as ICaseRequest)?.CaseId;
        var staffId = actors.IsSignedIn ? actors.Current.StaffId : (long?)null;
        try
        {
            var response = await next();
            if (logger.IsEnabled(LogLevel.Debug))
                logger.LogDebug("{Request} case {CaseId} by staff {StaffId} done in {ElapsedMs:F1} ms", RequestName, caseId, staffId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception ex)
        {
            // Messages of our rule exceptions name states and fields, never personal data; they may echo what a user
            // typed (an unknown role, a user name), so the line is bounded and cannot be split by CR/LF.
            logger.LogInformation("{Request} case {CaseId} by staff {StaffId} refused after {ElapsedMs:F1} ms: {Error}: {Reason}", RequestName, caseId, staffId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.GetType().Name, UserText.Shown(ex.Message, MaxReasonLength));
            throw;
        }
    }
}
