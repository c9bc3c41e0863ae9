using System.Globalization;
using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Intake;

/// <summary>Opens a system account (12345 热线, a department) that registers into one unit of the administrator's street.</summary>
public sealed record CreateSystemAccount(string Name, long UnitId, IntakeChannel? Channel) : ICommand<SystemAccountView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => IntakeAdministration.Roles;
}

/// <summary>Issues a key; its secret is in this one answer and nowhere else.</summary>
public sealed record IssueApiKey(long SystemAccountId) : ICommand<IssuedApiKey>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => IntakeAdministration.Roles;
}

/// <summary>Revokes a key: its next request is refused.</summary>
public sealed record RevokeApiKey(long KeyId) : ICommand<ApiKeyView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => IntakeAdministration.Roles;
}

public sealed record ListSystemAccounts : IQuery<IReadOnlyList<SystemAccountView>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => IntakeAdministration.Roles;
}

public sealed record SystemAccountView(long Id, string Name, long UnitId, string UnitName, IntakeChannel Channel, DateTime CreatedAt, DateTime? RevokedAt, IReadOnlyList<ApiKeyView> Keys);

public sealed record ApiKeyView(long Id, long SystemAccountId, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

public sealed record IssuedApiKey(long Id, long SystemAccountId, string Prefix, string Key, DateTime CreatedAt);

/// <summary>A system account as the audit trail shows it.</summary>
public sealed record SystemAccountSnapshot(string Name, long UnitId, string UnitName, string Channel) : IAuditSnapshot;

/// <summary>A key as the audit trail shows it: its prefix, never its secret.</summary>
public sealed record KeySnapshot(string Account, string Prefix, bool Revoked) : IAuditSnapshot;

internal static class IntakeAdministration
{
    public static readonly IReadOnlyList<string> Roles = [Actor.Roles.Administrator];

    public static readonly IReadOnlyList<IntakeChannel> Channels = [IntakeChannel.Hotline12345, IntakeChannel.DepartmentReferral, IntakeChannel.Online];
}

internal sealed class CreateSystemAccountValidator : IValidator<CreateSystemAccount>
{
    public IEnumerable<FieldError> Validate(CreateSystemAccount r) =>
        Rules.Required(r.Name, "name", 100).Concat(Rules.Required(r.Channel, "channel"))
            .Concat(r.Channel is { } c && !IntakeAdministration.Channels.Contains(c)
                ? [new FieldError("channel", "Another system registers through the hotline, a department referral or online.", "外部系统的来源须为 12345 热线、部门转办或网上。")]
                : []);
}

internal sealed class SystemAccountsHandler(MediationDbContext db, OrgTree tree, ActorContext actors, TimeProvider clock)
    : IRequestHandler<CreateSystemAccount, SystemAccountView>, IRequestHandler<IssueApiKey, IssuedApiKey>, IRequestHandler<RevokeApiKey, ApiKeyView>,
      IRequestHandler<ListSystemAccounts, IReadOnlyList<SystemAccountView>>
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<SystemAccountView> Handle(CreateSystemAccount request, CancellationToken cancellationToken)
    {
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var unit = await tree.FindAsync(db, request.UnitId, cancellationToken);
        if (unit is null || !unit.Path.StartsWith(administered, StringComparison.Ordinal) || unit.Kind == OrgUnitKind.CountyOffice)
            throw new RequestValidationException([new FieldError("unitId", "No such unit in the street you administer.", "您管理的街道中没有这个单位。")]);
        var account = new SystemAccount(request.Name.Trim(), unit.Id, request.Channel!.Value, actors.Current.StaffId, Now);
        db.SystemAccounts.Add(account);
        await db.SaveChangesAsync(cancellationToken);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.SystemAccountCreated, Subject(account, unit.Path), before: null,
            new SystemAccountSnapshot(account.Name, unit.Id, unit.Name, account.Channel.ToString()), Now);
        return new SystemAccountView(account.Id, account.Name, unit.Id, unit.Name, account.Channel, account.CreatedAt, account.RevokedAt, []);
    }

    public async Task<IssuedApiKey> Handle(IssueApiKey request, CancellationToken cancellationToken)
    {
        var (account, unitPath) = await AdministeredAccountAsync(request.SystemAccountId, cancellationToken);
        if (account.RevokedAt is not null)
            throw new RequestValidationException([new FieldError("systemAccountId", "The system account is closed.", "该系统账号已停用。")]);
        var (prefix, key) = ApiKeyVerifier.NewKey();
        var apiKey = new ApiKey(account.Id, prefix, ApiKeyVerifier.HashOf(key), Now);
        db.ApiKeys.Add(apiKey);
        await db.SaveChangesAsync(cancellationToken);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.ApiKeyCreated, KeySubject(apiKey, account, unitPath), before: null, new KeySnapshot(account.Name, prefix, Revoked: false), Now);
        return new IssuedApiKey(apiKey.Id, account.Id, prefix, key, apiKey.CreatedAt);
    }

    public async Task<ApiKeyView> Handle(RevokeApiKey request, CancellationToken cancellationToken)
    {
        var apiKey = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == request.KeyId, cancellationToken) ?? throw new NotFoundException($"API key {request.KeyId}");
        var (account, unitPath) = await AdministeredAccountAsync(apiKey.SystemAccountId, cancellationToken);
        if (apiKey.RevokedAt is null)
        {
            apiKey.Revoke(Now);
            db.RecordAdministration(actors.Current, AdminAudit.Kinds.ApiKeyRevoked, KeySubject(apiKey, account, unitPath),
                new KeySnapshot(account.Name, apiKey.Prefix, Revoked: false), new KeySnapshot(account.Name, apiKey.Prefix, Revoked: true), Now);
        }
        return View(apiKey);
    }

    public async Task<IReadOnlyList<SystemAccountView>> Handle(ListSystemAccounts request, CancellationToken cancellationToken)
    {
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        var accounts = (await db.SystemAccounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync(cancellationToken))
            .Where(a => units.IsWithin(a.UnitId, administered)).ToList();
        var ids = accounts.Select(a => a.Id).ToList();
        var keys = (await db.ApiKeys.AsNoTracking().Where(k => ids.Contains(k.SystemAccountId)).OrderBy(k => k.Id).ToListAsync(cancellationToken)).ToLookup(k => k.SystemAccountId);
        return accounts.Select(a => new SystemAccountView(a.Id, a.Name, a.UnitId, units.Find(a.UnitId)?.Name ?? "", a.Channel, a.CreatedAt, a.RevokedAt,
            keys[a.Id].Select(View).ToList())).ToList();
    }

    // An account of another street is not found, as with staff.
    private async Task<(SystemAccount Account, string UnitPath)> AdministeredAccountAsync(long id, CancellationToken cancellationToken)
    {
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var account = await db.SystemAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        var unit = account is null ? null : await tree.FindAsync(db, account.UnitId, cancellationToken);
        if (account is null || unit is null || !unit.Path.StartsWith(administered, StringComparison.Ordinal))
            throw new NotFoundException($"System account {id}");
        return (account, unit.Path);
    }

    private static ApiKeyView View(ApiKey k) => new(k.Id, k.SystemAccountId, k.Prefix, k.CreatedAt, k.LastUsedAt, k.RevokedAt);

    private static AuditSubject Subject(SystemAccount a, string unitPath) =>
        new(AdminAudit.Subjects.SystemAccount, a.Id.ToString(CultureInfo.InvariantCulture), a.Name, unitPath);

    private static AuditSubject KeySubject(ApiKey k, SystemAccount a, string unitPath) =>
        new(AdminAudit.Subjects.ApiKey, k.Id.ToString(CultureInfo.InvariantCulture), $"{a.Name} mk_{k.Prefix}", unitPath);
}
