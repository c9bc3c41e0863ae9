using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

/// <summary>Sign-in refusals in one language (the page's, or the API client's), and the lockout told when it happens.</summary>
public class SignInLanguageTests
{
    private static async Task<string> PostSignInPage(HttpClient client, string userName, string password)
    {
        var page = await client.GetStringAsync("/signin");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = userName, ["Password"] = password, ["__RequestVerificationToken"] = token,
        }));
        // Razor writes Chinese as character references.
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> PostSession(ApiHost host, string userName, string password, string? acceptLanguage)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = JsonContent.Create(new { userName, password }) };
        if (acceptLanguage is not null)
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        var response = await client.SendAsync(request);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static bool HasChinese(string text) => text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    [Fact]
    public async Task SignInPage_WrongPassword_SaysItInThePagesLanguageOnly()
    {
        using var host = new ApiHost();
        var chinese = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        var zhPage = await PostSignInPage(chinese, "cun02-1", "Wrong2026pass");
        Assert.Contains("用户名或密码错误", zhPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong user name", zhPage, StringComparison.Ordinal);

        var english = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        english.DefaultRequestHeaders.Add("Cookie", "lang=en");
        var enPage = await PostSignInPage(english, "cun02-1", "Wrong2026pass");
        Assert.Contains("Wrong user name or password.", enPage, StringComparison.Ordinal);
        Assert.DoesNotContain("用户名或密码错误", enPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionApi_Refusals_AreInTheClientsLanguage_Including429()
    {
        using var host = new ApiHost { Settings = { ["Mediation:SignIn:PerAccountPerMinute"] = "2", ["Mediation:SignIn:PerAddressPerMinute"] = "100" } };
        var zh = await PostSession(host, "cun03-1", "Wrong2026pass", "zh-CN,zh;q=0.9");
        Assert.Equal("登录被拒绝", zh.GetProperty("title").GetString());
        Assert.Equal("用户名或密码错误。", zh.GetProperty("detail").GetString());

        var en = await PostSession(host, "cun03-1", "Wrong2026pass", "en-US");
        Assert.Equal("Sign-in refused", en.GetProperty("title").GetString());
        Assert.Equal("Wrong user name or password.", en.GetProperty("detail").GetString());

        var limitedZh = await PostSession(host, "cun03-1", "Demo@2026", "zh-CN");
        Assert.Equal(429, limitedZh.GetProperty("status").GetInt32());
        Assert.Equal("尝试次数过多", limitedZh.GetProperty("title").GetString());
        Assert.False(limitedZh.GetProperty("detail").GetString()!.Any(char.IsAsciiLetter), limitedZh.GetProperty("detail").GetString());

        var limitedEn = await PostSession(host, "cun03-1", "Demo@2026", "en");
        Assert.Equal("Too many sign-in attempts", limitedEn.GetProperty("title").GetString());
        Assert.False(HasChinese(limitedEn.GetProperty("detail").GetString()!), limitedEn.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task DeactivatedAccount_IsToldInOneLanguage()
    {
        using var host = new ApiHost();
        var admin = await host.SignedInAs("admin");
        var id = await admin.StaffId("cun05-2");
        (await admin.PostAsJsonAsync($"/api/admin/staff/{id}/deactivation", new { })).EnsureSuccessStatusCode();

        var zh = await PostSession(host, "cun05-2", "Demo@2026", "zh");
        Assert.Equal("账号已停用。", zh.GetProperty("detail").GetString());
        var en = await PostSession(host, "cun05-2", "Demo@2026", null);
        Assert.Equal("This account has been deactivated.", en.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheFailureThatLocksTheAccount_SaysItIsLockedAndUntilWhen()
    {
        using var host = new ApiHost();
        for (var i = 0; i < 4; i++)
            Assert.Equal("Wrong user name or password.", (await PostSession(host, "cun08-2", "guess" + i, null)).GetProperty("detail").GetString());

        var fifth = await PostSession(host, "cun08-2", "guess4", null);
        var detail = fifth.GetProperty("detail").GetString()!;
        Assert.Equal(401, fifth.GetProperty("status").GetInt32());
        var until = Regex.Match(detail, @"locked until (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) \(China time\)");
        Assert.True(until.Success, detail);
        var chinaTime = DateTime.ParseExact(until.Groups[1].Value, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var expected = DateTime.UtcNow.AddHours(8) + TimeSpan.FromMinutes(15);
        Assert.True((chinaTime - expected).Duration() < TimeSpan.FromMinutes(2), $"{chinaTime} is not about {expected}");

        var zh = await PostSession(host, "cun08-2", "Demo@2026", "zh-CN");
        Assert.Contains("账号已锁定至 " + until.Groups[1].Value + "（北京时间）", zh.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>The org tree cache of a running product and a first unit written by <c>admin create</c> in another process.</summary>
public class OrgTreeCacheTests
{
    [Fact]
    public async Task EmptyTree_IsReadAgain_SoAFirstUnitWrittenElsewhereIsSeen()
    {
        using var host = new ApiHost { Settings = { ["Mediation:SeedDemoStreet"] = "false" } };
        var tree = host.Services.GetRequiredService<OrgTree>();
        await using (var scope = host.Services.CreateAsyncScope())
            Assert.Empty((await tree.GetAsync(scope.ServiceProvider.GetRequiredService<MediationDbContext>(), CancellationToken.None)).Units);

        // Another process (admin create) writes the street center.
        await using (var connection = await host.OpenConnectionAsync())
            await connection.ExecuteAsync("INSERT INTO org_units (id, code, name, kind, parent_id, path) VALUES (1, 'lh', '临河街道矛调中心', 'streetCenter', NULL, '/1/');");

        await using (var scope = host.Services.CreateAsyncScope())
            Assert.Equal("临河街道矛调中心", Assert.Single((await tree.GetAsync(scope.ServiceProvider.GetRequiredService<MediationDbContext>(), CancellationToken.None)).Units).Name);
    }
}

/// <summary>The built product and its <c>admin create</c> command, run as an operator runs them.</summary>
public class AdminCommandLineTests
{
    [Fact]
    public async Task StartWithoutAdministrator_PrintsACommandForThisDatabase_ThatCreatesTheAdministratorThere()
    {
        var folder = NewFolder();
        var hint = await FirstLineContainingAsync(folder, "admin create", "--Mediation:SeedDemoStreet=false", "--Mediation:ConnectionString=data/other.db", "--Mediation:Port=0");
        Assert.Contains("--Mediation:ConnectionString=data/other.db", hint, StringComparison.Ordinal);

        // Pasted as printed (the user name and display name filled in, the optional parts left out).
        var arguments = hint[(hint.IndexOf(" -- ", StringComparison.Ordinal) + 4)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].StartsWith('['))
            {
                var end = arguments.FindIndex(i, a => a.EndsWith(']'));
                arguments.RemoveRange(i, end - i + 1);
                i--;
            }
        }
        arguments = arguments.Select(a => a switch { "NAME" => "zhou", "姓名" => "周建华", _ => a }).ToList();
        var (exit, output, errors) = await RunAsync(folder, "", [.. arguments]);
        Assert.True(exit == 0, output + errors);

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "data", "other.db")};Pooling=False");
        await connection.OpenAsync();
        await using var query = connection.CreateCommand();
        query.CommandText = "SELECT role FROM staff_members WHERE user_name = 'zhou'";
        Assert.Equal("administrator", await query.ExecuteScalarAsync());
        Assert.False(File.Exists(Path.Combine(folder, "data", "mediation.db")), "The command wrote to the default database.");
    }

    [Fact]
    public async Task AdminCreate_RefusedByARule_PrintsOnlyItsOwnReadableError()
    {
        var folder = NewFolder();
        var (exit, output, errors) = await RunAsync(folder, "short\n", "admin", "create", "--user", "zhou", "--name", "周建华", "--password-stdin", "--Mediation:ConnectionString=data/one.db");

        Assert.Equal(1, exit);
        Assert.DoesNotContain("info:", output + errors, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", output + errors, StringComparison.Ordinal);
        Assert.Contains("password", errors, StringComparison.OrdinalIgnoreCase);
    }

    private static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static ProcessStartInfo Start(string folder, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [ProductDll(), .. arguments])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        // As an operator's shell has it: the product's own logging settings, none from the test run.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Mediation__", StringComparison.Ordinal) || k.StartsWith("Logging__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        return start;
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string folder, string input, params string[] arguments)
    {
        using var process = Process.Start(Start(folder, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await errors);
    }

    private static async Task<string> FirstLineContainingAsync(string folder, string text, params string[] arguments)
    {
        using var process = Process.Start(Start(folder, arguments))!;
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                    return line;
            }
            throw new InvalidOperationException($"The product printed no line with '{text}'.");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    // The web project's own build output, beside this test project's under the same configuration.
    private static string ProductDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Mediation.Web.dll");
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "Mediation.Web.runtimeconfig.json")))
            return beside;
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = testBin;
        while (!File.Exists(Path.Combine(root.FullName, "Mediation.sln")))
            root = root.Parent!;
        return Path.Combine(root.FullName, "src", "Mediation.Web", "bin", testBin.Parent!.Name, testBin.Name, "Mediation.Web.dll");
    }
}
