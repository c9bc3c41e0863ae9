using System.Globalization;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Cases.ListCases;

/// <summary>
/// Cases in a unit's subtree, most urgent deadline first, filtered and paged by a keyset cursor
/// (<see cref="After"/> is the <see cref="CasePage.NextCursor"/> of the previous page): every page costs the same.
/// </summary>
public sealed record ListCases(
    long? UnitId = null,
    string? State = null,
    string? Level = null,
    DisputeCategory? Category = null,
    bool? Overdue = null,
    RiskLevel? Risk = null,
    bool? Major = null,
    string? Text = null,
    string? After = null,
    int PageSize = 20) : IQuery<CasePage>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => OrgScope.CaseReaders;
}

public sealed record CaseListItem(
    long Id,
    string CaseNumber,
    string Summary,
    DisputeCategory Category,
    string State,
    string Level,
    long UnitId,
    string UnitName,
    string ApplicantName,
    int PartyCount,
    RiskLevel RiskLevel,
    bool IsMajor,
    DateTime RegisteredAt,
    DateTime? DeadlineAt,
    bool IsOverdue,
    int Version);

public sealed record CasePage(IReadOnlyList<CaseListItem> Items, string? NextCursor);

internal sealed class ListCasesValidator(Features.Workflow.WorkflowCatalog workflows) : IValidator<ListCases>
{
    public IEnumerable<FieldError> Validate(ListCases request)
    {
        // A filter naming nothing that exists would quietly answer "no cases": say so instead (400).
        if (request.State is { Length: > 0 } state)
            Known("state", state, workflows.Registry.All.SelectMany(w => w.States).Select(s => s.Id));
        if (request.Level is { Length: > 0 } level)
            Known("level", level, workflows.Registry.All.SelectMany(w => w.Levels).Select(l => l.Id));
        if (request.Category is { } category && !Enum.IsDefined(category))
            throw new UnknownFilterValueException("category", category.ToString(), Rules.AllowedNames<DisputeCategory>());
        if (request.Risk is { } risk && !Enum.IsDefined(risk))
            throw new UnknownFilterValueException("risk", risk.ToString(), Rules.AllowedNames<RiskLevel>());
        if (request.PageSize is < 1 or > 100)
            yield return new("pageSize", "'pageSize' must be between 1 and 100.", "“pageSize”须在 1 到 100 之间。");
        if (request.After is not null && !Cursor.TryParse(request.After, out _))
            yield return new("after", "'after' is not a cursor this list gave out.", "“after”不是本列表给出的翻页游标。");
        foreach (var e in Rules.Optional(request.Text, "text", 50)) yield return e;
    }

    private static void Known(string parameter, string value, IEnumerable<string> known)
    {
        var allowed = known.Distinct(StringComparer.Ordinal).ToList();
        if (!allowed.Contains(value, StringComparer.Ordinal))
            throw new UnknownFilterValueException(parameter, value, allowed);
    }
}

/// <summary>The position after the last row of a page: that case's queue key (<see cref="MediationDbContext.SortKey"/>).</summary>
public readonly record struct Cursor(long SortKey)
{
    public override string ToString() => SortKey.ToString("x", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out Cursor cursor)
    {
        var ok = long.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var key) && key > 0;
        cursor = new Cursor(key);
        return ok;
    }
}

internal sealed class ListCasesHandler(MediationDbContext db, OrgTree tree, ActorContext actors, TimeProvider clock) : IRequestHandler<ListCases, CasePage>
{
    public async Task<CasePage> Handle(ListCases request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (scope, hasChildren) = await OrgScope.ResolveAsync(db, tree, actors.Current, request.UnitId, cancellationToken);
        var cases = db.Cases.AsNoTracking();
        if (request.After is not null && Cursor.TryParse(request.After, out var after))
            cases = cases.Where(c => EF.Property<long>(c, MediationDbContext.SortKey) > after.SortKey);

        // A leaf unit's cases are one range of the (unit, key) index. A subtree is filtered while walking the
        // (key, path) index in order; the path test is a LIKE, answered from that index without the table.
        if (hasChildren)
            cases = cases.Where(c => c.UnitPath.StartsWith(scope.Path));
        else
            cases = cases.Where(c => c.UnitId == scope.Id);

        if (request.State is { Length: > 0 } state)
            cases = cases.Where(c => c.State == state);
        if (request.Level is { Length: > 0 } level)
            cases = cases.Where(c => c.Level == level);
        if (request.Category is { } category)
            cases = cases.Where(c => c.Category == category);
        if (request.Risk is { } risk)
            cases = cases.Where(c => c.RiskLevel == risk);
        if (request.Major is { } major)
            cases = cases.Where(c => c.IsMajor == major);
        var overdueBelow = MediationDbContext.OverdueBelow(now);
        if (request.Overdue is true)
            cases = cases.Where(c => EF.Property<long>(c, MediationDbContext.SortKey) < overdueBelow);
        else if (request.Overdue is false)
            cases = cases.Where(c => EF.Property<long>(c, MediationDbContext.SortKey) >= overdueBelow);
        if (request.Text is { Length: > 0 } text)
        {
            var matching = MatchingCaseIds(text.Trim());
            cases = cases.Where(c => matching.Contains(c.Id));
        }
        var rows = await cases
            .OrderBy(c => EF.Property<long>(c, MediationDbContext.SortKey))
            .Take(request.PageSize + 1)
            .Select(c => new
            {
                SortKey = EF.Property<long>(c, MediationDbContext.SortKey),
                Item = new CaseListItem(c.Id, c.CaseNumber, c.Summary, c.Category, c.State, c.Level, c.UnitId, "", c.ApplicantName, c.PartyCount,
                    c.RiskLevel, c.IsMajor, c.RegisteredAt, c.DeadlineAt, c.DeadlineAt != null && c.DeadlineAt <= now, c.Version),
            })
            .ToListAsync(cancellationToken);

        var page = rows.Take(request.PageSize).ToList();
        var units = await tree.GetAsync(db, cancellationToken);
        var items = page.Select(r => r.Item with { UnitName = units.Find(r.Item.UnitId)?.Name ?? "" }).ToList();
        var next = rows.Count > request.PageSize ? new Cursor(page[^1].SortKey).ToString() : null;
        return new CasePage(items, next);
    }

    // Text is the start of a case number or of a party's name: both index ranges, one IN (…) that the database
    // drives from those indexes rather than walking the whole queue.
    private IQueryable<long> MatchingCaseIds(string text)
    {
        var upper = text + '\uffff';

        // string.Compare here is translated to SQL (>=, <) and compares by the column's binary collation.
#pragma warning disable CA1309
        return db.Parties.Where(p => string.Compare(p.Name, text) >= 0 && string.Compare(p.Name, upper) < 0).Select(p => p.CaseId)
            .Union(db.Cases.Where(c => string.Compare(c.CaseNumber, text) >= 0 && string.Compare(c.CaseNumber, upper) < 0).Select(c => c.Id));
#pragma warning restore CA1309
    }
}
