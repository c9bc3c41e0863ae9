namespace Mediation.Web.Tests;

/// <summary>migrate-cases preview|apply, run against the product's services as the CLI runs it.</summary>
public sealed class MigrateCasesCommandTests
{
    [Fact]
    public async Task Preview_ChangesNothing_Apply_MovesTheCases_AndASecondApplyMovesNone()
    {
        using var host = await MigrationPageTests.HostWithVersion2AndRunningCasesAsync();
        var file = "/srv/workflows/" + MigrationPageTests.MigrationId + ".migration.json";

        var (code, preview, _) = await Run(host, "preview", file);
        Assert.Equal(0, code);
        Assert.Contains("2 case(s) would move", preview, StringComparison.Ordinal);
        Assert.Contains("mediating @ village → inMediation @ village: 1", preview, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", preview, StringComparison.Ordinal);

        var (applied, output, _) = await Run(host, "apply", file);
        Assert.Equal(0, applied);
        Assert.Contains("2 case(s) moved", output, StringComparison.Ordinal);
        var (_, again, _) = await Run(host, "apply", file);
        Assert.Contains("0 case(s) moved", again, StringComparison.Ordinal);

        var (missing, _, error) = await Run(host, "apply", "nothing.migration.json");
        Assert.Equal(1, missing);
        Assert.Contains("No migration file 'nothing.migration.json'", error, StringComparison.Ordinal);
        Assert.Equal(2, (await Run(host, "move")).Code);
    }

    [Fact]
    public void TheCommandLine_RunsMigrateCases_AgainstTheHostsDatabase()
    {
        var command = Mediation.Web.Commands.CommandLine.Find(["migrate-cases", "apply", "x.migration.json", "--Mediation:Provider=Sqlite"]);
        Assert.NotNull(command);
        Assert.Equal(["migrate-cases"], command.Words);
        Assert.NotNull(command.WithHost);
    }

    private static async Task<(int Code, string Output, string Error)> Run(ApiHost host, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Mediation.Web.Commands.MigrateCasesCommand.RunAsync(host.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
