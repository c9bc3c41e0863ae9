using System.Xml.Linq;
using Mediation.Application.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Web.Accounts;

/// <summary>
/// The data-protection key ring kept in the product's database (data_protection_keys), so that a sign-in cookie or an
/// antiforgery token made by one node is read by every other node on the same database, and survives a restart.
/// ASP.NET asks for the ring synchronously (IXmlRepository), so the calls here are EF's synchronous ones.
/// </summary>
public sealed class SharedKeyRing(IServiceScopeFactory scopes) : IXmlRepository
{
    /// <summary>The application name every node protects under: the same on every node, whatever folder it runs from.</summary>
    public const string ApplicationName = "Mediation";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        db.DataProtectionKeys.Add(new DataProtectionKey(friendlyName, element.ToString(SaveOptions.DisableFormatting)));
        db.SaveChanges();
    }
}

public static class SharedKeyRingServices
{
    /// <summary>Cookies and antiforgery tokens are protected with the ring in the database, under one application name.</summary>
    public static IServiceCollection AddMediationKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(SharedKeyRing.ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<IServiceScopeFactory>((keys, scopes) => keys.XmlRepository = new SharedKeyRing(scopes));
        return services;
    }
}
