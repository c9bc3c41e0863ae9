using System.Diagnostics;

namespace Mediation.Cluster.Tests;

/// <summary>The proxy configs under deploy/ are what an operator copies: each must pass its own tool's check.</summary>
public sealed class ShippedProxyConfigTests
{
    [Fact]
    public async Task HaproxyConfig_AsShipped_PassesHaproxysCheck()
    {
        var (code, output) = await RunAsync("/usr/sbin/haproxy", "-c", "-f", Path.Combine(CountyCluster.RepositoryRoot(), "deploy", "haproxy", "mediation.cfg"));
        Assert.True(code == 0, $"haproxy -c refused deploy/haproxy/mediation.cfg:\n{output}");
    }

    [Fact]
    public async Task HaproxyConfig_WithTheTestPorts_StillPassesAndNamesEveryNode()
    {
        // The cluster test runs the shipped file with only its ports changed; the change must hit every node line.
        var config = CountyCluster.HaproxyConfig(5190, 5191, 5192);
        Assert.DoesNotContain(":5081", config, StringComparison.Ordinal);
        Assert.DoesNotContain(":5082", config, StringComparison.Ordinal);
        Assert.Contains("bind 127.0.0.1:5190", config, StringComparison.Ordinal);
        var path = Path.Combine(Path.GetTempPath(), $"mediation-haproxy-{Guid.NewGuid():N}.cfg");
        await File.WriteAllTextAsync(path, config);
        try
        {
            var (code, output) = await RunAsync("/usr/sbin/haproxy", "-c", "-f", path);
            Assert.True(code == 0, $"haproxy -c refused the templated config:\n{output}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task NginxConfig_AsShipped_PassesNginxsCheck()
    {
        // nginx -t opens the log and pid paths the file names; they are pointed at a temp folder so the check writes nowhere else.
        var folder = Path.Combine(Path.GetTempPath(), "mediation-nginx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var shipped = await File.ReadAllTextAsync(Path.Combine(CountyCluster.RepositoryRoot(), "deploy", "nginx", "mediation.conf"));
            var config = shipped.Replace("/var/log/nginx/", folder + "/", StringComparison.Ordinal).Replace("/run/", folder + "/", StringComparison.Ordinal);
            Assert.NotEqual(shipped, config);
            var path = Path.Combine(folder, "mediation.conf");
            await File.WriteAllTextAsync(path, config);
            var (code, output) = await RunAsync("/usr/sbin/nginx", "-t", "-c", path, "-p", folder);
            Assert.True(code == 0, $"nginx -t refused deploy/nginx/mediation.conf:\n{output}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("haproxy/mediation.cfg", "/api/feed")]
    [InlineData("haproxy/mediation.cfg", "httpchk GET /health")]
    [InlineData("haproxy/mediation.cfg", "option forwardfor")]
    [InlineData("nginx/mediation.conf", "proxy_buffering off")]
    [InlineData("nginx/mediation.conf", "X-Forwarded-For")]
    public void ShippedConfig_SaysHowTheProductIsServed(string file, string line)
    {
        // The feed unbuffered and long-lived, the health check, the client's address passed on: the reasons the files exist.
        Assert.Contains(line, File.ReadAllText(Path.Combine(CountyCluster.RepositoryRoot(), "deploy", file)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANode_RefusesToStart_WhenATrustedProxyIsNotAnAddress()
    {
        // Checked before the database is touched: one line naming the setting and the value, exit code 2.
        var dll = Path.Combine(CountyCluster.RepositoryRoot(), "src", "Mediation.Web", "bin",
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug", "net10.0", "Mediation.Web.dll");
        var (code, output) = await RunAsync("dotnet", dll, "--Mediation:Proxies:0=proxy.county.local", "--Mediation:ConnectionString=/nonexistent/never-opened.db");
        Assert.Equal(2, code);
        Assert.Contains("Mediation:Proxies", output, StringComparison.Ordinal);
        Assert.Contains("proxy.county.local", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
