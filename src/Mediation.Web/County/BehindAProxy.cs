using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Mediation.Web.County;

/// <summary>
/// Nodes behind a reverse proxy (deploy/): the browser's address and scheme come from the proxy's X-Forwarded-For and
/// X-Forwarded-Proto, so the sign-in limit per client address counts people, not the proxy, and cookies are marked Secure
/// when the proxy speaks HTTPS. Only a proxy on the same machine (loopback) or one named in Mediation:Proxies is believed.
/// </summary>
internal static class BehindAProxy
{
    public const string Setting = "Mediation:Proxies";

    /// <summary>Reads the trusted proxies; answers an error naming the setting and value when one is not an IP address.</summary>
    public static string? AddMediationProxies(this IServiceCollection services, IConfiguration configuration)
    {
        var proxies = new List<IPAddress>();
        foreach (var value in configuration.GetSection(Setting).Get<string[]>() ?? [])
        {
            if (!IPAddress.TryParse(value, out var address))
                return $"Mediation cannot start: {Setting} lists '{value}', which is not an IP address (the address a proxy connects to the node from).";
            proxies.Add(address);
        }
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Loopback stays trusted (the defaults): a proxy on the node's own machine.
            foreach (var proxy in proxies)
                forwarded.KnownProxies.Add(proxy);
        });
        return null;
    }
}
