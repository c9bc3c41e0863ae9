using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace Mediation.Browser.Tests;

/// <summary>
/// The product as a person meets it: the real web host started as its own process on a free loopback port with a
/// fresh SQLite file, and Debian's Chromium driven by Playwright (never a browser Playwright downloads itself).
/// </summary>
public sealed class RunningProduct : IAsyncLifetime
{
    private Process? _host;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mediation-browser-tests", Guid.NewGuid().ToString("N"));

    public string BaseUrl { get; private set; } = "";
    public string DatabaseFile => Path.Combine(_data, "mediation.db");
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the screenshots of the main pages are kept (artifacts/screenshots at the repository root).</summary>
    public static string Screenshots { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        Directory.CreateDirectory(Screenshots);
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        var web = Path.Combine(RepositoryRoot(), "src", "Mediation.Web");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(web, "bin", configuration, "net10.0", "Mediation.Web.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { dll, "--urls", BaseUrl, "--contentRoot", web, "--Mediation:ConnectionString", Path.Combine(_data, "mediation.db"), "--Logging:LogLevel:Default", "Warning" })
            start.ArgumentList.Add(arg);
        _host = Process.Start(start) ?? throw new InvalidOperationException("The web host did not start.");
        _host.OutputDataReceived += (_, _) => { };
        _host.ErrorDataReceived += (_, _) => { };
        _host.BeginOutputReadLine();
        _host.BeginErrorReadLine();
        await WaitUntilHealthy();

        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
        });
    }

    /// <summary>A fresh browser context (its own cookies) signed in as a demo account.</summary>
    public async Task<IPage> SignedInAs(string userName, int width = 1366, int height = 768)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(BaseUrl + "/signin");
        await page.FillAsync("#UserName", userName);
        await page.FillAsync("#Password", "Demo@2026");
        await NewDocumentAfter(page, () => page.ClickAsync("#signin button[type=submit]"));
        Assert.Equal(BaseUrl + "/", page.Url);
        return page;
    }

    /// <summary>
    /// Does something that loads a new page (a form post answered by a page or a redirect) and waits until a new
    /// document has replaced the marked one and finished loading; waiting on load events around the navigation races.
    /// </summary>
    public static async Task NewDocumentAfter(IPage page, Func<Task> action)
    {
        await page.EvaluateAsync("() => { window.__before = true; }");
        await action();
        await page.WaitForFunctionAsync("() => window.__before === undefined && document.readyState === 'complete'");
    }

    public static Task Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    private async Task WaitUntilHealthy()
    {
        using var http = new HttpClient();
        for (var i = 0; i < 120; i++)
        {
            if (_host!.HasExited)
                throw new InvalidOperationException($"The web host exited with code {_host.ExitCode}.");
            try
            {
                if ((await http.GetAsync(BaseUrl + "/health")).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException("The web host did not become healthy in 30 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mediation.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root.");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (_host is { HasExited: false })
        {
            _host.Kill(entireProcessTree: true);
            await _host.WaitForExitAsync();
        }
        _host?.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
