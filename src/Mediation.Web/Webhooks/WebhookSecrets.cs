using Mediation.Application.Features.Webhooks;
using Microsoft.AspNetCore.DataProtection;

namespace Mediation.Web.Webhooks;

/// <summary>Webhook secrets under the key ring every node shares (ADR 0011): unreadable in the database, recoverable to sign.</summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider) : IWebhookSecrets
{
    private readonly IDataProtector _protector = provider.CreateProtector("Mediation.Webhooks.Secret");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
