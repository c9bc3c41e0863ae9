using System.Text.Json;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Workflows.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Administration.AuditTrail;

/// <summary>One field that changed: its name in the snapshot and its value before and after (null where there was none).</summary>
public sealed record AuditChange(string Field, string? Before, string? After);

public sealed record AuditActor(long StaffId, string Name);

public sealed record AdminAuditView(
    long Id, DateTime At, long ActorStaffId, string ActorName, string ActorRole, string Action,
    string SubjectKind, string SubjectId, string SubjectLabel, IReadOnlyList<AuditChange> Changes);

/// <summary>A page of entries, newest first; <paramref name="NextBefore"/> asks for the page after it (null on the last page).</summary>
public sealed record AdminAuditPage(IReadOnlyList<AdminAuditView> Entries, long? NextBefore, IReadOnlyList<AuditActor> Actors);

/// <summary>
/// 操作审计: the administration changes an administrator may see, newest first. A street administrator sees their
/// street's and the installation's (workflow versions); a county administrator sees every street's. Dates are China dates.
/// </summary>
public sealed record ListAdminAudit(string? Kind = null, long? ActorId = null, DateOnly? From = null, DateOnly? To = null, long? Before = null, int Limit = 50)
    : IQuery<AdminAuditPage>, IRoleRestricted
{
    public const int MaxLimit = 200;

    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

internal sealed class ListAdminAuditValidator : IValidator<ListAdminAudit>
{
    public IEnumerable<FieldError> Validate(ListAdminAudit r)
    {
        foreach (var e in Rules.Optional(r.Kind, "kind", 60))
            yield return e;
        if (r.Limit is < 1 or > ListAdminAudit.MaxLimit)
            yield return new("limit", $"'limit' is between 1 and {ListAdminAudit.MaxLimit}.", $"“limit”须在 1 到 {ListAdminAudit.MaxLimit} 之间。");
        if (r.From is { } from && r.To is { } to && from > to)
            yield return new("to", "'to' is on or after 'from'.", "结束日期不能早于开始日期。");
        foreach (var (date, field) in new[] { (r.From, "from"), (r.To, "to") })
        {
            if (date is { } d && (d < Rules.EarliestDate || d > Rules.LatestDate))
                yield return new(field, $"'{field}' is a date between {Rules.EarliestDate:yyyy-MM-dd} and {Rules.LatestDate:yyyy-MM-dd}.", $"“{field}”须为 {Rules.EarliestDate:yyyy-MM-dd} 至 {Rules.LatestDate:yyyy-MM-dd} 之间的日期。");
        }
    }
}

internal sealed class ListAdminAuditHandler(MediationDbContext db, OrgTree tree, ActorContext actors) : IRequestHandler<ListAdminAudit, AdminAuditPage>
{
    public async Task<AdminAuditPage> Handle(ListAdminAudit request, CancellationToken cancellationToken)
    {
        var scoped = db.AdminAuditEntries.AsNoTracking();
        if (!await AdministeredTree.IsCountyAsync(db, tree, actors.Current, cancellationToken))
        {
            var street = AdminAudit.StreetOf(actors.Current.StreetPath);
            scoped = scoped.Where(e => e.StreetId == street || e.StreetId == null);
        }

        var query = scoped;
        if (!string.IsNullOrEmpty(request.Kind))
            query = query.Where(e => e.Action == request.Kind);
        if (request.ActorId is { } actorId)
            query = query.Where(e => e.ActorStaffId == actorId);
        if (request.From is { } from)
        {
            var fromUtc = ChinaDayStart(from);
            query = query.Where(e => e.At >= fromUtc);
        }
        if (request.To is { } to)
        {
            var toUtc = ChinaDayStart(to.AddDays(1));
            query = query.Where(e => e.At < toUtc);
        }
        if (request.Before is { } before)
            query = query.Where(e => e.Id < before);

        var rows = await query.OrderByDescending(e => e.Id).Take(request.Limit + 1).ToListAsync(cancellationToken);
        var page = rows.Take(request.Limit).Select(View).ToList();
        var actorsSeen = await scoped.GroupBy(e => new { e.ActorStaffId, e.ActorName }).Select(g => new AuditActor(g.Key.ActorStaffId, g.Key.ActorName)).ToListAsync(cancellationToken);
        return new AdminAuditPage(page, rows.Count > request.Limit ? page[^1].Id : null,
            actorsSeen.OrderBy(a => a.StaffId).DistinctBy(a => a.StaffId).ToList());
    }

    private static DateTime ChinaDayStart(DateOnly date) => DateTime.SpecifyKind(date.ToDateTime(TimeOnly.MinValue) - WorkingDayCalendar.ChinaOffset, DateTimeKind.Utc);

    private static AdminAuditView View(AdminAuditEntry e) =>
        new(e.Id, e.At, e.ActorStaffId, e.ActorName, e.ActorRole, e.Action, e.SubjectKind, e.SubjectId, e.SubjectLabel, Changes(e.BeforeJson, e.AfterJson));

    /// <summary>The fields whose value differs, in the snapshot's order; everything when there was no before (or after).</summary>
    internal static IReadOnlyList<AuditChange> Changes(string? beforeJson, string? afterJson)
    {
        var before = Fields(beforeJson);
        var after = Fields(afterJson);
        var names = before.Keys.Concat(after.Keys.Where(k => !before.ContainsKey(k))).ToList();
        return names.Select(n => new AuditChange(n, before.GetValueOrDefault(n), after.GetValueOrDefault(n)))
            .Where(c => c.Before != c.After).ToList();
    }

    private static Dictionary<string, string?> Fields(string? json)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (json is null)
            return fields;
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            fields[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => property.Value.GetRawText(),
            };
        }
        return fields;
    }
}
