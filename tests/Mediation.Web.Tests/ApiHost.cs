using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace Mediation.Web.Tests;

/// <summary>The real web host on a temporary SQLite file, with clients that keep their session cookie.</summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", Guid.NewGuid().ToString("N"));

    public string DatabaseFile => Path.Combine(_folder, "mediation.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(_folder);
        builder.UseSetting("Mediation:ConnectionString", DatabaseFile);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    /// <summary>A client signed in as a demo account.</summary>
    public async Task<HttpClient> SignedInAs(string userName)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        var response = await client.PostAsJsonAsync("/api/session", new { userName, password = "Demo@2026" });
        response.EnsureSuccessStatusCode();
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
