using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Infrastructure;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Web.Accounts;

/// <summary>
/// <c>admin create --user NAME --name 姓名 [--unit CODE] [--street 街道名称] [--county 县级单位名称] [--password-stdin]</c>: the
/// first administrator of a real install (and the street center unit, when the database has none), or with --county the
/// county administrator, in a county office made when none has that name, who then creates the streets. Prints the result, exits.
/// </summary>
public static class AdminCommand
{
    public const string Usage = "dotnet run --project src/Mediation.Web -- admin create --user NAME --name 姓名 [--unit CODE] [--street 街道名称] [--county 县级单位名称] [--password-stdin]";

    /// <summary>
    /// <see cref="Usage"/> with the settings of this start that decide which database it writes to, so that the pasted
    /// command creates the administrator where the product looks (a password in a PostgreSQL connection string is not shown).
    /// </summary>
    public static string UsageFor(MediationOptions options)
    {
        var defaults = new MediationOptions();
        var command = new StringBuilder(Usage);
        if (options.Provider != defaults.Provider)
            command.Append(' ').Append(Quoted($"--Mediation:Provider={options.Provider}"));
        command.Append(' ').Append(Quoted($"--Mediation:ConnectionString={Shown(options)}"));
        if (!string.Equals(options.WorkflowsPath, defaults.WorkflowsPath, StringComparison.Ordinal))
            command.Append(' ').Append(Quoted($"--Mediation:WorkflowsPath={options.WorkflowsPath}"));
        return command.ToString();
    }

    private static string Shown(MediationOptions options)
    {
        if (options.Provider == DatabaseProvider.Sqlite)
            return options.ConnectionString;
        var builder = new DbConnectionStringBuilder { ConnectionString = options.ConnectionString };
        foreach (var key in builder.Keys.Cast<string>().Where(k => k.Equals("password", StringComparison.OrdinalIgnoreCase) || k.Equals("pwd", StringComparison.OrdinalIgnoreCase)).ToList())
            builder[key] = "PASSWORD";
        return builder.ConnectionString;
    }

    // Single quotes for a POSIX shell when the argument holds anything but plain characters.
    private static string Quoted(string argument) =>
        argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static readonly string[] WithValue = ["--user", "--name", "--unit", "--street", "--county"];

    /// <summary>The arguments meant for the host's configuration: a bare flag like --password-stdin would swallow the next one.</summary>
    public static string[] HostArguments(IReadOnlyList<string> args)
    {
        var host = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            if (WithValue.Contains(args[i]))
                i++;
            else if (args[i] is not ("create" or "--password-stdin"))
                host.Add(args[i]);
        }
        return [.. host];
    }

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error)
    {
        if (args.Count == 0 || args[0] != "create" || Option(args, "--user") is not { } userName || Option(args, "--name") is not { } displayName)
        {
            await error.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }
        string password;
        var generated = !args.Contains("--password-stdin");
        if (generated)
        {
            password = Generate();
        }
        else
        {
            password = (await input.ReadLineAsync())?.Trim() ?? "";
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var unit = Option(args, "--county") is { } county ? await CountyOfficeAsync(db, county, now) : await UnitAsync(db, Option(args, "--unit"), Option(args, "--street"), now);
        scope.ServiceProvider.GetRequiredService<Mediation.Application.Features.Org.OrgTree>().Invalidate();
        if (unit is null)
        {
            await error.WriteLineAsync($"No unit with code '{Option(args, "--unit")}'.");
            return 1;
        }

        // The command line is the administrator here: no one can sign in yet.
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(CommandLine(unit));
        try
        {
            var created = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CreateStaff(userName, displayName, Actor.Roles.Administrator, unit.Id, password));
            await output.WriteLineAsync($"Created administrator '{created.UserName}' ({created.DisplayName}) in {created.UnitName}.");
            if (generated)
                await output.WriteLineAsync($"Password (shown once, change it after signing in): {password}");
            return 0;
        }
        catch (RequestValidationException invalid)
        {
            foreach (var e in invalid.Errors)
                await error.WriteLineAsync($"{e.Field}: {e.Message}");
            return 1;
        }
    }

    private static Actor CommandLine(OrgUnit unit) => new(0, "命令行 / command line", Actor.Roles.Administrator, unit.Id, unit.Path);

    private static async Task<OrgUnit?> UnitAsync(MediationDbContext db, string? code, string? streetName, DateTime now)
    {
        if (!await db.OrgUnits.AnyAsync())
        {
            var center = new OrgUnit(1, code ?? "street", streetName ?? "街道矛调中心", OrgUnitKind.StreetCenter, null);
            db.OrgUnits.Add(center);
            db.RecordAdministration(CommandLine(center), AdminAudit.Kinds.StreetCreated, AuditSubject.Unit(center), before: null, UnitSnapshot.Of(center, null), now);
            await db.SaveChangesAsync();
            return center;
        }
        return code is null
            ? await db.OrgUnits.AsNoTracking().OrderBy(u => u.Id).FirstOrDefaultAsync(u => u.ParentId == null)
            : await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(u => u.Code == code);
    }

    // A county office is a root beside the streets; its code only has to be unique, nothing is numbered by it.
    private static async Task<OrgUnit> CountyOfficeAsync(MediationDbContext db, string name, DateTime now)
    {
        if (await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(u => u.Kind == OrgUnitKind.CountyOffice && u.Name == name) is { } existing)
            return existing;
        var id = (await db.OrgUnits.Select(u => (long?)u.Id).MaxAsync() ?? 0) + 1;
        var office = new OrgUnit(id, $"COUNTY-{id}", name, OrgUnitKind.CountyOffice, null);
        db.OrgUnits.Add(office);
        db.RecordAdministration(CommandLine(office), AdminAudit.Kinds.UnitAdded, AuditSubject.Unit(office), before: null, UnitSnapshot.Of(office, null), now);
        await db.SaveChangesAsync();
        return office;
    }

    private static string? Option(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name && !string.IsNullOrWhiteSpace(args[i + 1]))
                return args[i + 1];
        }
        return null;
    }

    // Letters and digits, as the password rule wants; no look-alikes (0/O, 1/l).
    private static string Generate()
    {
        const string letters = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
        const string digits = "23456789";
        var chars = Enumerable.Range(0, 14).Select(_ => letters[RandomNumberGenerator.GetInt32(letters.Length)]).ToList();
        chars.Insert(RandomNumberGenerator.GetInt32(chars.Count), digits[RandomNumberGenerator.GetInt32(digits.Length)]);
        chars.Insert(RandomNumberGenerator.GetInt32(chars.Count), digits[RandomNumberGenerator.GetInt32(digits.Length)]);
        return new string([.. chars]);
    }
}
