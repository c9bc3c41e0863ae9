using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mediation.Application.Features.Administration;
using Mediation.Domain.Org;
using Mediation.Testing;
using Mediation.Web.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

/// <summary>Helpers for sessions whose cookie a test keeps and replays by hand.</summary>
internal static class Sessions
{
    public static async Task<string> SignInCookie(this ApiHost host, string userName, string password = "Demo@2026")
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        var response = await client.PostAsJsonAsync("/api/session", new { userName, password });
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("mediation.session=", StringComparison.Ordinal));
    }

    public static HttpClient WithCookie(this ApiHost host, string cookie)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("Cookie", cookie);
        return client;
    }

    public static async Task<long> StaffId(this HttpClient admin, string userName)
    {
        var staff = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/staff")).RootElement;
        return staff.EnumerateArray().Single(s => s.GetProperty("userName").GetString() == userName).GetProperty("id").GetInt64();
    }

    public static async Task<HttpResponseMessage> SignIn(this ApiHost host, string userName, string password) =>
        await host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false }).PostAsJsonAsync("/api/session", new { userName, password });
}

public class DemoDataTests
{
    private const string Banner = "演示数据";

    // Razor writes Chinese as character references.
    private static async Task<string> Page(HttpClient client, string path) => WebUtility.HtmlDecode(await client.GetStringAsync(path));

    [Fact]
    public async Task Start_WithDefaultSettingsOnARealDatabase_GivesNoAccountTheDemoPassword()
    {
        string folder;
        string? postgres;
        using (var install = new ApiHost { KeepFolder = true, Settings = { ["Mediation:SeedDemoStreet"] = "false" } })
        {
            _ = install.Services;
            (folder, postgres) = (install.Folder, install.Postgres);
        }
        // A street's own database: its administrator upgraded from before passwords existed, a mediator has a real one.
        var hasher = new PasswordHasher<StaffMember>();
        await using (var connection = await TestDatabase.OpenAsync(postgres, Path.Combine(folder, "mediation.db")))
        {
            await connection.ExecuteAsync("""
                INSERT INTO org_units (id, code, name, kind, parent_id, path) VALUES (1, 'lh', '临河街道矛调中心', 'streetCenter', NULL, '/1/');
                INSERT INTO staff_members (id, user_name, display_name, role, unit_id, password_hash) VALUES (1, 'admin', '周管理', 'administrator', 1, NULL);
                INSERT INTO staff_members (id, user_name, display_name, role, unit_id, password_hash) VALUES (2, 'zhangsan', '张三', 'centerMediator', 1, @hash);
                """, ("@hash", hasher.HashPassword(new StaffMember(2, "zhangsan", "张三", "centerMediator", 1), "Linhe2026real")));
        }

        using var restarted = new ApiHost { Folder = folder, Postgres = postgres };
        Assert.Equal(HttpStatusCode.Unauthorized, (await restarted.SignIn("admin", "Demo@2026")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await restarted.SignIn("zhangsan", "Demo@2026")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await restarted.SignIn("zhangsan", "Linhe2026real")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await restarted.SignIn("cun01-1", "Demo@2026")).StatusCode);
        Assert.DoesNotContain(Banner, await Page(restarted.CreateClient(), "/signin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoDatabase_SaysSoOnEveryPage_WhateverTheConfigurationSaysLater()
    {
        string folder;
        string? postgres;
        using (var demo = new ApiHost { KeepFolder = true })
        {
            Assert.Contains(Banner, await Page(demo.CreateClient(), "/signin"), StringComparison.Ordinal);
            (folder, postgres) = (demo.Folder, demo.Postgres);
        }

        using var later = new ApiHost { Folder = folder, Postgres = postgres, Settings = { ["Mediation:SeedDemoStreet"] = "false" } };
        Assert.Contains(Banner, await Page(later.CreateClient(), "/signin"), StringComparison.Ordinal);
        var mediator = await later.SignedInAs("cun01-1");
        Assert.Contains(Banner, await Page(mediator, "/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealInstall_StartsEmpty_AndTheFirstAdministratorIsCreatedByCommand()
    {
        using var host = new ApiHost { Settings = { ["Mediation:SeedDemoStreet"] = "false" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SignIn("admin", "Demo@2026")).StatusCode);
        Assert.DoesNotContain(Banner, await Page(host.CreateClient(), "/signin"), StringComparison.Ordinal);

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await AdminCommand.RunAsync(host.Services, ["create", "--user", "zhou", "--name", "周建华", "--street", "临河街道矛调中心", "--password-stdin"],
            new StringReader("Linhe2026first\n"), output, error);
        Assert.True(exit == 0, error.ToString());
        Assert.Contains("zhou", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Linhe2026first", output.ToString(), StringComparison.Ordinal);

        var signIn = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        (await signIn.PostAsJsonAsync("/api/session", new { userName = "zhou", password = "Linhe2026first" })).EnsureSuccessStatusCode();
        var units = JsonDocument.Parse(await signIn.GetStringAsync("/api/admin/units")).RootElement;
        Assert.Equal("临河街道矛调中心", Assert.Single(units.EnumerateArray()).GetProperty("name").GetString());

        // A second run with a generated password prints it once; a taken name is an error with a non-zero exit.
        var generated = new StringWriter();
        Assert.Equal(0, await AdminCommand.RunAsync(host.Services, ["create", "--user", "li", "--name", "李伟"], TextReader.Null, generated, TextWriter.Null));
        var password = generated.ToString().Split(':').Last().Trim();
        Assert.Equal(HttpStatusCode.OK, (await host.SignIn("li", password)).StatusCode);
        var taken = new StringWriter();
        Assert.Equal(1, await AdminCommand.RunAsync(host.Services, ["create", "--user", "zhou", "--name", "周", "--password-stdin"], new StringReader("Another2026x\n"), TextWriter.Null, taken));
        Assert.Contains("userName", taken.ToString(), StringComparison.Ordinal);
    }
}

public class SessionTests(ApiHost host) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task SignOut_ThenReplayingTheOldCookie_IsRefused()
    {
        var cookie = await host.SignInCookie("cun20-1");
        var client = host.WithCookie(cookie);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/session")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/session")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.WithCookie(cookie).GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.WithCookie(cookie).GetAsync("/api/cases")).StatusCode);
    }

    [Fact]
    public async Task PasswordReset_EndsTheSessionsTheAccountHad()
    {
        var cookie = await host.SignInCookie("cun21-1");
        Assert.Equal(HttpStatusCode.OK, (await host.WithCookie(cookie).GetAsync("/api/session")).StatusCode);

        var admin = await host.SignedInAs("admin");
        var id = await admin.StaffId("cun21-1");
        (await admin.PostAsJsonAsync($"/api/admin/staff/{id}/password", new { password = "Changed2026now" })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.WithCookie(cookie).GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.SignIn("cun21-1", "Changed2026now")).StatusCode);
    }

    [Fact]
    public async Task Reassignment_TakesEffectOnTheVeryNextRequest()
    {
        var cookie = await host.SignInCookie("cun22-1");
        var before = JsonDocument.Parse(await host.WithCookie(cookie).GetStringAsync("/api/session")).RootElement;
        Assert.Equal("villageMediator", before.GetProperty("role").GetString());

        var admin = await host.SignedInAs("admin");
        var units = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/units")).RootElement;
        var station = units.EnumerateArray().First(u => u.GetProperty("kind").GetString() == "districtStation").GetProperty("id").GetInt64();
        var id = await admin.StaffId("cun22-1");
        (await admin.PostAsJsonAsync($"/api/admin/staff/{id}/assignment", new { role = "stationMediator", unitId = station })).EnsureSuccessStatusCode();

        var after = JsonDocument.Parse(await host.WithCookie(cookie).GetStringAsync("/api/session")).RootElement;
        Assert.Equal("stationMediator", after.GetProperty("role").GetString());
        Assert.Equal(station, after.GetProperty("unitId").GetInt64());
    }

    [Fact]
    public async Task Deactivation_EndsSessionsAndRefusesSignIn_AndReactivationLetsThemBackIn()
    {
        var cookie = await host.SignInCookie("cun23-1");
        var admin = await host.SignedInAs("admin");
        var id = await admin.StaffId("cun23-1");
        Assert.Contains("handler=Deactivate", await admin.GetStringAsync("/admin"), StringComparison.Ordinal);

        (await admin.PostAsync($"/api/admin/staff/{id}/deactivation", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.WithCookie(cookie).GetAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SignIn("cun23-1", "Demo@2026")).StatusCode);
        var listed = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/staff")).RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == id);
        Assert.False(listed.GetProperty("active").GetBoolean());

        (await admin.PostAsync($"/api/admin/staff/{id}/reactivation", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await host.SignIn("cun23-1", "Demo@2026")).StatusCode);
    }
}

/// <summary>Counts password checks and can hold one in progress, to see what sign-in does around hashing.</summary>
internal sealed class ObservedHashing : IPasswordHashing
{
    public const string HeldPassword = "held-while-checking-2026";
    private readonly IdentityPasswordHashing _real = new();
    private int _checks;

    public int Checks => Volatile.Read(ref _checks);
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Hash(StaffMember staff, string password)
    {
        Hold(password);
        return _real.Hash(staff, password);
    }

    public PasswordCheck Check(StaffMember staff, string hash, string password)
    {
        Interlocked.Increment(ref _checks);
        Hold(password);
        return _real.Check(staff, hash, password);
    }

    private void Hold(string password)
    {
        if (password != HeldPassword)
            return;
        Entered.TrySetResult();
        Release.Task.Wait(TimeSpan.FromSeconds(30));
    }
}

public class SignInTests
{
    [Fact]
    public async Task SignIn_WithAnUnknownName_ChecksAHashLikeAWrongPassword_AndSaysTheSame()
    {
        var hashing = new ObservedHashing();
        using var host = new ApiHost { TestServices = s => s.AddSingleton<IPasswordHashing>(hashing) };
        _ = host.Services;

        var before = hashing.Checks;
        var unknown = await host.SignIn("nobody-here", "Wrong2026pass");
        var afterUnknown = hashing.Checks;
        var wrong = await host.SignIn("cun01-1", "Wrong2026pass");
        var afterWrong = hashing.Checks;

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(1, afterWrong - afterUnknown);
        Assert.Equal(1, afterUnknown - before);
        var detail = async (HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.Equal(await detail(wrong), await detail(unknown));
    }

    [Fact]
    public async Task CaseWrites_GoOnWhileAPasswordIsBeingChecked()
    {
        var hashing = new ObservedHashing();
        using var host = new ApiHost { TestServices = s => s.AddSingleton<IPasswordHashing>(hashing) };
        var village = await host.SignedInAs("cun02-1");

        var signIn = host.SignIn("cun03-1", ObservedHashing.HeldPassword);
        await hashing.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await CaseWriteGoesThroughAsync(village, hashing, "A case write waited for a password check to finish.");
        Assert.Equal(HttpStatusCode.Unauthorized, (await signIn).StatusCode);
    }

    [Fact]
    public async Task CaseWrites_GoOnWhileAnAdministratorSetsAPassword()
    {
        var hashing = new ObservedHashing();
        using var host = new ApiHost { TestServices = s => s.AddSingleton<IPasswordHashing>(hashing) };
        var village = await host.SignedInAs("cun08-1");
        var admin = await host.SignedInAs("admin");
        var id = await admin.StaffId("cun09-1");

        var reset = admin.PostAsJsonAsync($"/api/admin/staff/{id}/password", new { password = ObservedHashing.HeldPassword });
        await hashing.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await CaseWriteGoesThroughAsync(village, hashing, "A case write waited for a password to be hashed.");
        (await reset).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, (await host.SignIn("cun09-1", ObservedHashing.HeldPassword)).StatusCode);
    }

    // While a hash is held mid-way, a case write must still be answered promptly; the hash is released afterwards either way.
    private static async Task CaseWriteGoesThroughAsync(HttpClient village, ObservedHashing hashing, string whenItWaits)
    {
        try
        {
            var write = village.PostAsJsonAsync("/api/cases", new
            {
                channel = "walkIn", category = "neighbour", summary = "邻里噪音纠纷", riskLevel = "low", riskSignals = "none",
                parties = new object[] { new { role = "applicant", name = "赵桂兰" } },
            });
            var finished = await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(finished == write, whenItWaits);
            Assert.Equal(HttpStatusCode.Created, (await write).StatusCode);
        }
        finally
        {
            hashing.Release.TrySetResult();
        }
    }

    [Fact]
    public async Task SignIn_RepeatedForOneAccount_Answers429WithRetryAfter()
    {
        using var host = new ApiHost { Settings = { ["Mediation:SignIn:PerAccountPerMinute"] = "3", ["Mediation:SignIn:PerAddressPerMinute"] = "100" } };
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.SignIn("cun04-1", "Wrong2026pass")).StatusCode);

        var limited = await host.SignIn("cun04-1", "Demo@2026");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing.");
        // The same name in other letter case is the same account; another account is not held back.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.SignIn("CUN04-1", "Demo@2026")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.SignIn("cun05-1", "Demo@2026")).StatusCode);
    }

    [Fact]
    public async Task SignIn_RepeatedFromOneAddress_Answers429WithRetryAfter()
    {
        using var host = new ApiHost { Settings = { ["Mediation:SignIn:PerAccountPerMinute"] = "100", ["Mediation:SignIn:PerAddressPerMinute"] = "4" } };
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.SignIn($"guess{i}", "Wrong2026pass")).StatusCode);

        var limited = await host.SignIn("cun06-1", "Demo@2026");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing.");
    }
}

public class RedirectTests(ApiHost host) : IClassFixture<ApiHost>
{
    public static TheoryData<string> Elsewhere => ["//evil.example/x", "/\\evil.example/x", "/\\/evil.example", "https://evil.example/", "\\\\evil.example", "/\t/evil.example"];

    [Theory]
    [MemberData(nameof(Elsewhere))]
    public async Task LanguageSwitch_ToAnotherHost_StaysOnThisSite(string back)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync($"/lang?to=en&back={Uri.EscapeDataString(back)}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [MemberData(nameof(Elsewhere))]
    public async Task SignIn_WithAReturnUrlToAnotherHost_GoesHome(string returnUrl)
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = await client.GetStringAsync("/signin");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = "cun07-1", ["Password"] = "Demo@2026", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task LanguageSwitch_BackToAPageOfThisSite_ReturnsThere()
    {
        var client = host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.GetAsync($"/lang?to=en&back={Uri.EscapeDataString("/cases/new?x=1")}");
        Assert.Equal("/cases/new?x=1", response.Headers.Location?.OriginalString);
    }
}
