using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Mediation.Cluster.Tests;

/// <summary>
/// A county as it is deployed: two real web-host processes started from the built output on one fresh PostgreSQL
/// database of the test cluster, and haproxy in front of them from the shipped config (deploy/haproxy/mediation.cfg,
/// only its ports changed). The first node seeds the demo street; the second starts once the first is healthy. Each
/// node has a home folder of its own, as two machines would, so nothing is shared through the local disk.
/// Every process is killed when the cluster is disposed, whatever happened.
/// </summary>
public sealed class CountyCluster : IAsyncDisposable
{
    // This slice's port range (5100–5199): the nodes and the proxy take free ports from it.
    private const int FirstPort = 5100;
    private const int LastPort = 5199;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mediation-cluster-tests", Guid.NewGuid().ToString("N"));
    private readonly List<Process> _processes = [];
    private Process? _proxy;

    private CountyCluster(string database)
    {
        Database = database;
        // Should the test host itself be ended, the nodes and the proxy must not outlive it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private void KillAll()
    {
        foreach (var process in _processes.ToArray())
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The connection string of the database every node shares.</summary>
    public string Database { get; }

    public Node NodeA { get; private set; } = null!;
    public Node NodeB { get; private set; } = null!;

    /// <summary>The county's one address: haproxy in front of both nodes.</summary>
    public Uri Proxy { get; private set; } = null!;

    public static async Task<CountyCluster> StartAsync()
    {
        var cluster = new CountyCluster(await Mediation.Testing.TestPostgres.CreateDatabaseAsync());
        try
        {
            Directory.CreateDirectory(cluster._folder);
            var ports = FreePorts(3);
            cluster.NodeA = cluster.StartNode("a", ports[0]);
            await cluster.WaitUntilHealthyAsync(cluster.NodeA);
            cluster.NodeB = cluster.StartNode("b", ports[1]);
            await cluster.WaitUntilHealthyAsync(cluster.NodeB);
            cluster.Proxy = new Uri($"http://127.0.0.1:{ports[2]}");
            cluster.StartProxy(ports[2]);
            await cluster.WaitForProxyAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The shipped haproxy config with this run's ports; the nodes' addresses and the bind are all that change.</summary>
    public static string HaproxyConfig(int proxyPort, int nodeA, int nodeB) =>
        File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "haproxy", "mediation.cfg"))
            .Replace("bind :80\n", $"bind 127.0.0.1:{proxyPort}\n", StringComparison.Ordinal)
            .Replace("127.0.0.1:5081", $"127.0.0.1:{nodeA}", StringComparison.Ordinal)
            .Replace("127.0.0.1:5082", $"127.0.0.1:{nodeB}", StringComparison.Ordinal);

    /// <summary>A connection to the shared database, to read what the nodes wrote.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Freezes a node where it stands (SIGSTOP): its open transactions stay open, holding what they hold.</summary>
    public static async Task FreezeAsync(Node node) => await SignalAsync("-STOP", node.Process.Id);

    public static async Task ThawAsync(Node node) => await SignalAsync("-CONT", node.Process.Id);

    /// <summary>SIGKILL: the node dies without a word; PostgreSQL rolls back whatever it had not committed.</summary>
    public static async Task KillAsync(Node node)
    {
        node.Process.Kill(entireProcessTree: true);
        await node.Process.WaitForExitAsync();
    }

    /// <summary>The last lines a node wrote, for a failure message.</summary>
    public string Tail(Node node, int lines = 30)
    {
        var path = Path.Combine(_folder, $"node-{node.Name}.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "";
    }

    private Node StartNode(string name, int port)
    {
        var home = Path.Combine(_folder, "home-" + name);
        Directory.CreateDirectory(home);
        var web = Path.Combine(RepositoryRoot(), "src", "Mediation.Web");
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(web, "bin", configuration, "net10.0", "Mediation.Web.dll");
        // The application name tells this node's database connections from the other's (pg_stat_activity).
        var connection = new NpgsqlConnectionStringBuilder(Database) { ApplicationName = "mediation-node-" + name }.ToString();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // A home of its own: keys a node might keep on its disk are not seen by the other node, as on two machines.
        start.Environment["HOME"] = home;
        start.Environment["DOTNET_CLI_HOME"] = home;
        foreach (var arg in new[]
                 {
                     dll, "--urls", $"http://127.0.0.1:{port}", "--contentRoot", web,
                     "--Mediation:Provider=Postgres", $"--Mediation:ConnectionString={connection}",
                     "--Logging:LogLevel:Default=Warning",
                 })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Node {name} did not start.");
        _processes.Add(process);
        Capture(process, Path.Combine(_folder, $"node-{name}.log"));
        return new Node(name, port, new Uri($"http://127.0.0.1:{port}"), process);
    }

    private void StartProxy(int port)
    {
        var config = Path.Combine(_folder, "haproxy.cfg");
        File.WriteAllText(config, HaproxyConfig(port, NodeA.Port, NodeB.Port));
        // -db: stay in the foreground, so the test owns the process and kills it at the end.
        var start = new ProcessStartInfo("/usr/sbin/haproxy") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-db", "-f", config })
            start.ArgumentList.Add(arg);
        _proxy = Process.Start(start) ?? throw new InvalidOperationException("haproxy did not start.");
        _processes.Add(_proxy);
        Capture(_proxy, Path.Combine(_folder, "haproxy.log"));
    }

    private static void Capture(Process process, string path)
    {
        var log = new StreamWriter(path) { AutoFlush = true };
        var gate = new object();
        void Write(string? line)
        {
            if (line is null)
                return;
            lock (gate)
                log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private async Task WaitUntilHealthyAsync(Node node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < until)
        {
            if (node.Process.HasExited)
                throw new InvalidOperationException($"Node {node.Name} exited with code {node.Process.ExitCode}:\n{Tail(node)}");
            try
            {
                if ((await http.GetAsync(new Uri(node.Url, "/health"))).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Node {node.Name} did not become healthy in 90 s:\n{Tail(node)}");
    }

    private async Task WaitForProxyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (_proxy!.HasExited)
                throw new InvalidOperationException($"haproxy exited with code {_proxy.ExitCode}: {File.ReadAllText(Path.Combine(_folder, "haproxy.log"))}");
            try
            {
                if ((await http.GetAsync(new Uri(Proxy, "/health"))).StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not bound yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("haproxy did not answer /health in 20 s.");
    }

    private static async Task SignalAsync(string signal, int pid)
    {
        using var kill = Process.Start("/bin/kill", [signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
            throw new InvalidOperationException($"kill {signal} {pid} failed.");
    }

    /// <summary>Free ports in this slice's range, bound and released at once (nothing else of ours takes them meanwhile).</summary>
    public static List<int> FreePorts(int count)
    {
        var ports = new List<int>();
        foreach (var port in Enumerable.Range(FirstPort, LastPort - FirstPort + 1).OrderBy(_ => Random.Shared.Next()))
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                ports.Add(port);
                if (ports.Count == count)
                    return ports;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
        throw new InvalidOperationException($"Fewer than {count} free ports in {FirstPort}–{LastPort}.");
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mediation.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root.");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    // A frozen node must be able to die: SIGKILL works on a stopped process too.
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
        }
        await Mediation.Testing.TestPostgres.DropDatabaseAsync(Database);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    public sealed record Node(string Name, int Port, Uri Url, Process Process)
    {
        /// <summary>The node's connections to the shared database, as pg_stat_activity names them.</summary>
        public string ApplicationName => "mediation-node-" + Name;
    }
}
