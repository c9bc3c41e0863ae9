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

internal sealed class ListCasesValidator : IValidator<ListCases>
{
    public IEnumerable<FieldError> Validate(ListCases request)
    {
        if (request.PageSize is < 1 or > 100)
            yield return new("pageSize", "'pageSize' must be between 1 and 100.");
        if (request.After is not null && !Cursor.TryParse(request.After, out _))
            yield return new("after", "'after' is not a cursor this list gave out.");
        foreach (var e in Rules.Optional(request.Text, "text", 50)) yield return e;
        if (request.Category is { } category)
            foreach (var e in Rules.Defined(category, "category")) yield return e;
        if (request.Risk is { } risk)
            foreach (var e in Rules.Defined(risk, "risk")) yield return e;
    }
}

/// <summary>The position after the last row of a page: its sort deadline and id.</summary>
public readonly record struct Cursor(DateTime SortDeadline, long Id)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{SortDeadline.Ticks:x}.{Id:x}");

    public static bool TryParse(string text, out Cursor cursor)
    {
        cursor = default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var ticks)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var id)
            || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            return false;
        cursor = new Cursor(new DateTime(ticks, DateTimeKind.Utc), id);
        return true;
    }
}

internal sealed class ListCasesHandler(MediationDbContext db, ActorContext actors, TimeProvider clock) : IRequestHandler<ListCases, CasePage>
{
    private const int MaxTextMatches = 2000;

    public async Task<CasePage> Handle(ListCases request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var scope = await OrgScope.ResolveAsync(db, actors.Current, request.UnitId, cancellationToken);
        // The cursor is a row-value comparison, which SQLite and PostgreSQL both answer with one index seek even
        // among the many closed cases that share the same sort key; LINQ cannot say it, so it is the one SQL fragment.
        var cases = request.After is not null && Cursor.TryParse(request.After, out var after)
            ? db.Cases.FromSqlInterpolated($"SELECT * FROM cases WHERE (sort_deadline, id) > ({after.SortDeadline}, {after.Id})").AsNoTracking()
            : db.Cases.AsNoTracking();

        // A leaf unit's cases are one range of the (unit, deadline, id) index. A subtree is filtered while walking
        // the (deadline, id) index in order; the path test is deliberately a LIKE, which SQLite will not try to
        // drive from an index (that would sort the whole subtree to find one page).
        if (await OrgScope.HasChildrenAsync(db, scope, cancellationToken))
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
        if (request.Overdue is true)
            cases = cases.Where(c => EF.Property<DateTime>(c, MediationDbContext.SortDeadline) <= now);
        else if (request.Overdue is false)
            cases = cases.Where(c => EF.Property<DateTime>(c, MediationDbContext.SortDeadline) > now);
        if (request.Text is { Length: > 0 } text)
        {
            var ids = await MatchingCaseIdsAsync(text.Trim(), cancellationToken);
            cases = cases.Where(c => ids.Contains(c.Id));
        }
        var rows = await cases
            .OrderBy(c => EF.Property<DateTime>(c, MediationDbContext.SortDeadline)).ThenBy(c => c.Id)
            .Take(request.PageSize + 1)
            .Select(c => new
            {
                SortDeadline = EF.Property<DateTime>(c, MediationDbContext.SortDeadline),
                Item = new CaseListItem(c.Id, c.CaseNumber, c.Summary, c.Category, c.State, c.Level, c.UnitId, "", c.ApplicantName, c.PartyCount,
                    c.RiskLevel, c.IsMajor, c.RegisteredAt, c.DeadlineAt, c.DeadlineAt != null && c.DeadlineAt <= now, c.Version),
            })
            .ToListAsync(cancellationToken);

        var page = rows.Take(request.PageSize).ToList();
        var unitIds = page.Select(r => r.Item.UnitId).Distinct().ToList();
        var unitNames = await db.OrgUnits.AsNoTracking().Where(u => unitIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name, cancellationToken);
        var items = page.Select(r => r.Item with { UnitName = unitNames.GetValueOrDefault(r.Item.UnitId, "") }).ToList();
        var next = rows.Count > request.PageSize ? new Cursor(page[^1].SortDeadline, page[^1].Item.Id).ToString() : null;
        return new CasePage(items, next);
    }

    // Text is a case number or the start of a party's name; both are index ranges, looked up before the page query.
    private async Task<List<long>> MatchingCaseIdsAsync(string text, CancellationToken cancellationToken)
    {
        var upper = text + '\uffff';

        // string.Compare here is translated to SQL (>=, <) and compares by the column's binary collation.
#pragma warning disable CA1309
        var byNumber = db.Cases.AsNoTracking()
            .Where(c => string.Compare(c.CaseNumber, text) >= 0 && string.Compare(c.CaseNumber, upper) < 0)
            .Select(c => c.Id).Take(MaxTextMatches);
        var byParty = db.Parties.AsNoTracking()
            .Where(p => string.Compare(p.Name, text) >= 0 && string.Compare(p.Name, upper) < 0)
            .Select(p => p.CaseId).Take(MaxTextMatches);
#pragma warning restore CA1309
        var ids = await byNumber.ToListAsync(cancellationToken);
        ids.AddRange(await byParty.ToListAsync(cancellationToken));
        return ids.Distinct().ToList();
    }
}
