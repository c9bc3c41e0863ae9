using Mediation.Application.Pipeline;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mediation.Application;

public static class ApplicationServices
{
    /// <summary>
    /// Registers the mediator, every handler and validator of this assembly, and the pipeline, outermost first:
    /// logging → validation → transaction → access → idempotency → handler. Access runs inside the transaction
    /// so the case it checks is the case the handler changes.
    /// </summary>
    public static IServiceCollection AddMediationApplication(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<ActorContext>();
        services.AddScoped<Persistence.CaseStore>();
        services.AddSingleton<Features.Org.OrgTree>();
        services.AddScoped<AfterCommit>();
        services.AddScoped<Features.LiveFeeds.FeedNews>();
        services.AddScoped<Features.Webhooks.WebhookOutbox>();
        services.AddSingleton<Features.Webhooks.WebhookSignal>();
        services.TryAddSingleton<Features.Webhooks.IWebhookSecrets, Features.Webhooks.NoWebhookSecrets>();
        services.AddSingleton<Features.LiveFeeds.LiveFeedSignals>();
        // One node hears its own news after commit; PostgreSQL replaces this with NOTIFY (Infrastructure).
        services.TryAddSingleton<Features.LiveFeeds.ILiveFeedPublisher, Features.LiveFeeds.InProcessFeedPublisher>();
        services.AddScoped<Features.Administration.HashedPassword>();
        services.AddSingleton<Features.Org.SessionDirectory>();
        services.AddScoped<Features.Deadlines.FireTimer.TimerFiring>();
        services.AddScoped<Features.Deadlines.FireTimer.TimerAttempts>();
        services.AddScoped<Features.Intake.ApiKeyVerifier>();
        services.AddScoped<IMediator>(provider => new Mediator(type => provider.GetService(type)!));

        foreach (var type in typeof(ApplicationServices).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType))
            {
                var definition = contract.GetGenericTypeDefinition();
                if (definition == typeof(IRequestHandler<,>) || definition == typeof(IValidator<>))
                    services.AddScoped(contract, type);
            }
        }

        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(Features.Administration.PasswordHashingBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(TransactionBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(AccessBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(IdempotencyBehavior<,>));
        return services;
    }
}
