using System.Security.Cryptography;
using System.Text;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Intake;

/// <summary>How a system account acts: as a registering role the workflow already allows, with its own negative id.</summary>
public static class IntakeActor
{
    // 网格员 may only register in the published definition (ADR 0019): the key gets no more than registration.
    public const string Role = Actor.Roles.GridWorker;

    public static Actor For(SystemAccount account, OrgUnit unit) => new(account.ActorId, account.Name, Role, unit.Id, unit.Path);

    /// <summary>The system account acting, or null for a staff member.</summary>
    public static long? AccountOf(Actor actor) => actor.StaffId < 0 ? -actor.StaffId : null;
}

/// <summary>
/// Keys look like mk_&lt;8 hex prefix&gt;_&lt;48 hex secret&gt;. The prefix finds the row; only the SHA-256 of the secret is kept
/// and compared in constant time. Checked against the store on every request, so a revoked key fails on its next one.
/// </summary>
public sealed class ApiKeyVerifier(OrgTree tree, TimeProvider clock)
{
    public const string Scheme = "mk";
    private const int PrefixLength = 8;

    // Last use is bookkeeping shown to administrators: written at most once a minute per key, off the command path.
    private static readonly TimeSpan LastUsedGrain = TimeSpan.FromMinutes(1);

    public static (string Prefix, string Key) NewKey()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixLength / 2));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        return (prefix, $"{Scheme}_{prefix}_{secret}");
    }

    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The prefix of a well-formed key, else null (the rate limiter partitions on it before the key is checked).</summary>
    public static string? PrefixOf(string? presented) =>
        presented is { Length: > 4 + PrefixLength } && presented.StartsWith(Scheme + "_", StringComparison.Ordinal) && presented[3 + PrefixLength] == '_'
            ? presented.Substring(3, PrefixLength)
            : null;

    public async Task<Actor?> VerifyAsync(MediationDbContext db, string presented, CancellationToken cancellationToken)
    {
        if (PrefixOf(presented) is not { } prefix || presented.Length > 200)
            return null;
        var found = await (from k in db.ApiKeys.AsNoTracking()
                           join a in db.SystemAccounts.AsNoTracking() on k.SystemAccountId equals a.Id
                           where k.Prefix == prefix && k.RevokedAt == null && a.RevokedAt == null
                           select new { Key = k, Account = a }).FirstOrDefaultAsync(cancellationToken);
        if (found is null || !CryptographicOperations.FixedTimeEquals(Convert.FromHexString(found.Key.SecretHash), SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
            return null;
        if (await tree.FindAsync(db, found.Account.UnitId, cancellationToken) is not { } unit)
            return null;

        var now = clock.GetUtcNow().UtcDateTime;
        if (found.Key.LastUsedAt is not { } last || now - last >= LastUsedGrain)
        {
            var id = found.Key.Id;
            await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        }
        return IntakeActor.For(found.Account, unit);
    }
}
