using System.Text.RegularExpressions;

namespace Mediation.Application.Tests;

/// <summary>
/// Application states what it needs from the database and never which database it is on: provider checks, provider
/// drivers and provider SQL live in Infrastructure's dialects (SqliteDialect, PostgresDialect).
/// </summary>
public partial class ProviderArchitectureTests
{
    // What only one database understands, or a question about which database this is.
    [GeneratedRegex(@"ProviderName|IsSqlite\b|IsNpgsql\b|IsRelational\(\)|Microsoft\.Data\.Sqlite|Npgsql|NpgsqlDbType|UseSqlite|UseNpgsql|sqlite_\w+|(?-i:\bPRAGMA\b)|nextval|currval|pg_\w+|SKIP LOCKED|FOR UPDATE|FOR SHARE|\bILIKE\b|::\s*(int|bigint|text|date|jsonb?)\b|json_extract|strftime|datetime\('now'|BEGIN IMMEDIATE|AUTOINCREMENT", RegexOptions.IgnoreCase)]
    private static partial Regex ProviderSpecific();

    [Fact]
    public void Application_ReferencesNoDatabaseDriverOrProvider()
    {
        var references = typeof(ApplicationServices).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, r => r.StartsWith("Npgsql", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r is "Microsoft.EntityFrameworkCore.Sqlite" or "Npgsql.EntityFrameworkCore.PostgreSQL");
        Assert.DoesNotContain(references, r => r.StartsWith("Mediation.Infrastructure", StringComparison.Ordinal));
    }

    [Fact]
    public void ApplicationSource_NamesNoProvider_AndHoldsNoProviderSql()
    {
        var folder = Path.Combine(RepositoryRoot(), "src", "Mediation.Application");
        var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        var found = files
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(folder, f), Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Where(l => ProviderSpecific().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(found.Count == 0, "Provider-specific code in Application (move it into a dialect in Infrastructure):" + Environment.NewLine + string.Join(Environment.NewLine, found));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mediation.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Mediation.sln above {AppContext.BaseDirectory}.");
    }
}
