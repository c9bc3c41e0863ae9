using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Features.Org;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Administration;

/// <summary>Hashes and checks passwords (ASP.NET Core Identity's hasher, supplied by the infrastructure).</summary>
public interface IPasswordHashing
{
    string Hash(StaffMember staff, string password);

    PasswordCheck Check(StaffMember staff, string hash, string password);
}

public enum PasswordCheck
{
    Wrong,
    Right,

    /// <summary>Right, but hashed with weaker settings than today's: hash it again.</summary>
    RightButRehash,
}

/// <summary>A command that sets a password: it is hashed before the command's transaction, never inside it.</summary>
public interface ISetsPassword
{
    string Password { get; }
}

/// <summary>The hash of the current command's password, made before its transaction opened.</summary>
public sealed class HashedPassword
{
    public string? Value { get; internal set; }
}

/// <summary>
/// Hashes a command's password (~100 ms of CPU) before the transaction and the write gate are taken, so setting a
/// password never holds up anyone's case writes. Only for someone the command's role rule lets through.
/// </summary>
internal sealed class PasswordHashingBehavior<TRequest, TResponse>(IPasswordHashing passwords, HashedPassword hashed, ActorContext actors)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : notnull
{
    // Identity's hasher salts each hash itself and does not look at the account.
    private static readonly StaffMember AnyAccount = new(0, "", "", "", 0);

    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is ISetsPassword { Password: var password })
        {
            var allowed = actors.IsSignedIn && (request is not IRoleRestricted restricted || restricted.AllowedRoles.Contains(actors.Current.Role));
            hashed.Value = allowed && !string.IsNullOrEmpty(password) ? passwords.Hash(AnyAccount, password) : null;
        }
        return next();
    }
}

internal static class AdminOnly
{
    public static readonly IReadOnlyList<string> Roles = [Actor.Roles.Administrator];

    public static IEnumerable<FieldError> Password(string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < 8 || !password.Any(char.IsDigit) || !password.Any(char.IsLetter))
            yield return new("password", "A password has at least 8 characters, with letters and digits.", "密码至少 8 个字符，须包含字母和数字。");
    }
}

public sealed record StaffView(long Id, string UserName, string DisplayName, string Role, long UnitId, string UnitName, bool LockedOut, bool Active);

public sealed record UnitView(long Id, string Code, string Name, string Kind, long? ParentId, string Path);

/// <summary>Everyone's account, by unit.</summary>
public sealed record ListStaff : IQuery<IReadOnlyList<StaffView>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>The org tree as configured.</summary>
public sealed record ListUnits : IQuery<IReadOnlyList<UnitView>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>Opens an account for someone who works in a unit, with a role of the workflow definition.</summary>
public sealed record CreateStaff(string UserName, string DisplayName, string Role, long UnitId, string Password) : ICommand<StaffView>, IRoleRestricted, ISetsPassword
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>Moves someone to another unit or role.</summary>
public sealed record AssignStaff(long StaffId, string Role, long UnitId) : ICommand<StaffView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>Sets a new password and lifts a lockout; every session of the account ends.</summary>
public sealed record ResetPassword(long StaffId, string Password) : ICommand<StaffView>, IRoleRestricted, ISetsPassword
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>Closes an account: no more sign-ins, and its sessions end on their next request. Its history stays.</summary>
public sealed record DeactivateStaff(long StaffId) : ICommand<StaffView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>Opens a deactivated account again (with its old password, lockout lifted).</summary>
public sealed record ReactivateStaff(long StaffId) : ICommand<StaffView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>Adds a unit under another: a village point under a station, a station under the center.</summary>
public sealed record AddUnit(long ParentId, string Name, string Kind) : ICommand<UnitView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

public sealed record RenameUnit(long UnitId, string Name) : ICommand<UnitView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

/// <summary>
/// 新建街道: a county administrator adds a street to the installation, as the root of a tree of its own (its street
/// center). The code prefixes the street's case numbers (LS-2026-000123), so it is short, Latin and unique.
/// </summary>
public sealed record CreateStreet(string Name, string Code) : ICommand<UnitView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => AdminOnly.Roles;
}

internal sealed class CreateStaffValidator : IValidator<CreateStaff>
{
    public IEnumerable<FieldError> Validate(CreateStaff r) =>
        Rules.Required(r.UserName, "userName", 60).Concat(Rules.Required(r.DisplayName, "displayName", 100)).Concat(Rules.Required(r.Role, "role", 40)).Concat(AdminOnly.Password(r.Password));
}

internal sealed class AssignStaffValidator : IValidator<AssignStaff>
{
    public IEnumerable<FieldError> Validate(AssignStaff r) => Rules.Required(r.Role, "role", 40);
}

internal sealed class ResetPasswordValidator : IValidator<ResetPassword>
{
    public IEnumerable<FieldError> Validate(ResetPassword r) => AdminOnly.Password(r.Password);
}

internal sealed class AddUnitValidator : IValidator<AddUnit>
{
    public IEnumerable<FieldError> Validate(AddUnit r) =>
        Rules.Required(r.Name, "name", 100).Concat(OrgUnitKind.All.Contains(r.Kind) ? [] : [new FieldError("kind", $"Kind is one of: {string.Join(", ", OrgUnitKind.All)}.", $"类别须为以下之一：{string.Join("、", OrgUnitKind.All)}。")]);
}

internal sealed class RenameUnitValidator : IValidator<RenameUnit>
{
    public IEnumerable<FieldError> Validate(RenameUnit r) => Rules.Required(r.Name, "name", 100);
}

internal sealed class CreateStreetValidator : IValidator<CreateStreet>
{
    public IEnumerable<FieldError> Validate(CreateStreet r)
    {
        foreach (var e in Rules.Required(r.Name, "name", 100))
            yield return e;
        // Letters only: a station's code is the street's plus "-NN", and a case number the street's plus "-YYYY-".
        if (string.IsNullOrEmpty(r.Code) || r.Code.Length is < 2 or > 8 || !r.Code.All(char.IsAsciiLetterUpper))
            yield return new("code", "A street code is 2 to 8 capital Latin letters (e.g. LS); it prefixes the street's case numbers.", "街道代码须为 2–8 个大写拉丁字母（如 LS），用作本街道案号的前缀。");
    }
}

internal sealed class AdministrationHandlers(
    MediationDbContext db, OrgTree tree, WorkflowCatalog workflows, IPasswordHashing passwords, TimeProvider clock, SessionDirectory sessions, AfterCommit afterCommit, ActorContext actors, HashedPassword hashed) :
    IRequestHandler<ListStaff, IReadOnlyList<StaffView>>,
    IRequestHandler<ListUnits, IReadOnlyList<UnitView>>,
    IRequestHandler<CreateStaff, StaffView>,
    IRequestHandler<AssignStaff, StaffView>,
    IRequestHandler<ResetPassword, StaffView>,
    IRequestHandler<DeactivateStaff, StaffView>,
    IRequestHandler<ReactivateStaff, StaffView>,
    IRequestHandler<AddUnit, UnitView>,
    IRequestHandler<RenameUnit, UnitView>,
    IRequestHandler<CreateStreet, UnitView>
{
    public async Task<IReadOnlyList<StaffView>> Handle(ListStaff request, CancellationToken cancellationToken)
    {
        var units = await tree.GetAsync(db, cancellationToken);
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var staff = await db.Staff.AsNoTracking().OrderBy(s => s.UnitId).ThenBy(s => s.UserName).ToListAsync(cancellationToken);
        return staff.Where(s => units.IsWithin(s.UnitId, administered)).Select(s => View(s, units)).ToList();
    }

    public async Task<IReadOnlyList<UnitView>> Handle(ListUnits request, CancellationToken cancellationToken)
    {
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        return (await tree.GetAsync(db, cancellationToken)).Units.Where(u => u.Path.StartsWith(administered, StringComparison.Ordinal))
            .OrderBy(u => u.Path, StringComparer.Ordinal).Select(View).ToList();
    }

    public async Task<StaffView> Handle(CreateStaff request, CancellationToken cancellationToken)
    {
        await CheckRoleAndUnit(request.Role, request.UnitId, cancellationToken);
        var userName = request.UserName.Trim();
        if (await db.Staff.AnyAsync(s => s.UserName == userName, cancellationToken))
            throw new RequestValidationException([new FieldError("userName", $"The user name '{UserText.Shown(userName)}' is taken.", $"用户名“{UserText.Shown(userName)}”已被占用。")]);
        var staff = new StaffMember(0, userName, request.DisplayName.Trim(), request.Role, request.UnitId);
        staff.SetPasswordHash(hashed.Value ?? passwords.Hash(staff, request.Password));
        db.Staff.Add(staff);
        await db.SaveChangesAsync(cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        Record(AdminAudit.Kinds.StaffCreated, staff, units, before: null, after: Snapshot(staff, units));
        return View(staff, units);
    }

    public async Task<StaffView> Handle(AssignStaff request, CancellationToken cancellationToken)
    {
        // Someone of another street is not found before anything is said about where they would go.
        var staff = await AdministeredStaffAsync(request.StaffId, cancellationToken);
        await CheckRoleAndUnit(request.Role, request.UnitId, cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        var before = Snapshot(staff, units);
        staff.Assign(request.Role, request.UnitId);
        await db.SaveChangesAsync(cancellationToken);
        Record(AdminAudit.Kinds.StaffAssigned, staff, units, before, Snapshot(staff, units));
        // Sessions go on, but as the new role and unit from the very next request.
        afterCommit.Add(() => sessions.ForgetStaff(staff.Id));
        return View(staff, units);
    }

    public async Task<StaffView> Handle(ResetPassword request, CancellationToken cancellationToken)
    {
        var staff = await AdministeredStaffAsync(request.StaffId, cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        var before = Snapshot(staff, units);
        staff.SetPasswordHash(hashed.Value ?? passwords.Hash(staff, request.Password));
        await db.SaveChangesAsync(cancellationToken);
        var ended = await EndSessionsAsync(staff.Id, cancellationToken);
        // The fact of the reset and the sessions it ended; the password itself is nowhere in the entry.
        Record(AdminAudit.Kinds.PasswordReset, staff, units, before, StaffSessionsSnapshot.Of(Snapshot(staff, units), ended));
        return View(staff, units);
    }

    public async Task<StaffView> Handle(DeactivateStaff request, CancellationToken cancellationToken)
    {
        var staff = await AdministeredStaffAsync(request.StaffId, cancellationToken);
        if (staff.Id == actors.Current.StaffId)
            throw new RequestValidationException([new FieldError("staffId", "An administrator cannot deactivate their own account.", "管理员不能停用自己的账号。")]);
        var units = await tree.GetAsync(db, cancellationToken);
        var before = Snapshot(staff, units);
        staff.Deactivate();
        await db.SaveChangesAsync(cancellationToken);
        var ended = await EndSessionsAsync(staff.Id, cancellationToken);
        Record(AdminAudit.Kinds.StaffDeactivated, staff, units, before, StaffSessionsSnapshot.Of(Snapshot(staff, units), ended));
        return View(staff, units);
    }

    public async Task<StaffView> Handle(ReactivateStaff request, CancellationToken cancellationToken)
    {
        var staff = await AdministeredStaffAsync(request.StaffId, cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        var before = Snapshot(staff, units);
        staff.Reactivate();
        await db.SaveChangesAsync(cancellationToken);
        Record(AdminAudit.Kinds.StaffReactivated, staff, units, before, Snapshot(staff, units));
        afterCommit.Add(() => sessions.ForgetStaff(staff.Id));
        return View(staff, units);
    }

    // In the command's transaction; the cache forgets them only once that has committed.
    private async Task<int> EndSessionsAsync(long staffId, CancellationToken cancellationToken)
    {
        var ended = await db.StaffSessions.Where(s => s.StaffId == staffId).ExecuteDeleteAsync(cancellationToken);
        afterCommit.Add(() => sessions.ForgetStaff(staffId));
        return ended;
    }

    public async Task<UnitView> Handle(AddUnit request, CancellationToken cancellationToken)
    {
        var parent = await AdministeredUnitAsync(request.ParentId, cancellationToken);
        var expectedParent = request.Kind switch
        {
            OrgUnitKind.VillagePoint => OrgUnitKind.DistrictStation,
            OrgUnitKind.DistrictStation => OrgUnitKind.StreetCenter,
            _ => null,
        };
        if (expectedParent != parent.Kind)
            throw new RequestValidationException([new FieldError("parentId", $"A {request.Kind} belongs under a {expectedParent ?? "nothing: a street center is the root"}, not under a {parent.Kind}.", request.Kind == OrgUnitKind.VillagePoint ? "村级调解点须设在管区调解站之下。" : request.Kind == OrgUnitKind.DistrictStation ? "管区调解站须设在矛调中心之下。" : "矛调中心是最上级，不能设在其他单位之下。")]);

        var id = await db.OrgUnits.MaxAsync(u => u.Id, cancellationToken) + 1;
        var siblings = await db.OrgUnits.CountAsync(u => u.ParentId == parent.Id, cancellationToken);
        var unit = new OrgUnit(id, $"{parent.Code}-{siblings + 1:D2}", request.Name.Trim(), request.Kind, parent);
        db.OrgUnits.Add(unit);
        await db.SaveChangesAsync(cancellationToken);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.UnitAdded, AuditSubject.Unit(unit), before: null, UnitSnapshot.Of(unit, parent.Name), Now);
        tree.Invalidate();
        return View(unit);
    }

    public async Task<UnitView> Handle(RenameUnit request, CancellationToken cancellationToken)
    {
        var unit = await AdministeredUnitAsync(request.UnitId, cancellationToken);
        var parentName = unit.ParentId is { } parentId ? (await tree.FindAsync(db, parentId, cancellationToken))?.Name : null;
        var before = UnitSnapshot.Of(unit, parentName);
        unit.Rename(request.Name.Trim());
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.UnitRenamed, AuditSubject.Unit(unit), before, UnitSnapshot.Of(unit, parentName), Now);
        await db.SaveChangesAsync(cancellationToken);
        tree.Invalidate();
        return View(unit);
    }

    public async Task<UnitView> Handle(CreateStreet request, CancellationToken cancellationToken)
    {
        if (!await AdministeredTree.IsCountyAsync(db, tree, actors.Current, cancellationToken))
            throw new AccessDeniedException("Only a county administrator creates streets; a street administrator manages their own street.");
        if (await db.OrgUnits.AnyAsync(u => u.Code == request.Code, cancellationToken))
            throw new RequestValidationException([new FieldError("code", $"The code '{request.Code}' is taken.", $"代码“{request.Code}”已被占用。")]);
        var id = await db.OrgUnits.MaxAsync(u => u.Id, cancellationToken) + 1;
        var street = new OrgUnit(id, request.Code, request.Name.Trim(), OrgUnitKind.StreetCenter, null);
        db.OrgUnits.Add(street);
        await db.SaveChangesAsync(cancellationToken);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.StreetCreated, AuditSubject.Unit(street), before: null, UnitSnapshot.Of(street, null), Now);
        afterCommit.Add(tree.Invalidate);
        return View(street);
    }

    private async Task CheckRoleAndUnit(string role, long unitId, CancellationToken cancellationToken)
    {
        var county = Actor.Roles.County.Contains(role);
        if (!workflows.Current.HasRole(role) && !county)
            throw new RequestValidationException([new FieldError("role", $"'{UserText.Shown(role)}' is not a role of the workflow definition or of the county. Allowed: {string.Join(", ", workflows.Current.Roles.Select(r => r.Id).Concat(Actor.Roles.County))}.", $"“{UserText.Shown(role)}”不是流程定义或县级的角色。")]);
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var unit = await tree.FindAsync(db, unitId, cancellationToken);
        // Another street's unit does not exist for a street administrator.
        if (unit is null || !unit.Path.StartsWith(administered, StringComparison.Ordinal))
            throw new RequestValidationException([new FieldError("unitId", $"No unit {unitId}.", $"单位 {unitId} 不存在。")]);
        var atCounty = unit.Kind == OrgUnitKind.CountyOffice;
        if (role != Actor.Roles.Administrator && county != atCounty)
            throw new RequestValidationException([new FieldError("role", county
                ? $"The county role '{role}' belongs in a county office, not in a street's unit."
                : $"The street role '{UserText.Shown(role)}' belongs in a street's unit, not in a county office.",
                county ? "县级角色只能设在县级单位。" : "街道的角色只能设在街道的单位。")]);
    }

    private async Task<StaffMember> AdministeredStaffAsync(long staffId, CancellationToken cancellationToken)
    {
        var staff = await db.Staff.FirstOrDefaultAsync(s => s.Id == staffId, cancellationToken);
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        if (staff is null || !(await tree.GetAsync(db, cancellationToken)).IsWithin(staff.UnitId, administered))
            throw new NotFoundException($"Staff member {staffId}");
        return staff;
    }

    private async Task<OrgUnit> AdministeredUnitAsync(long unitId, CancellationToken cancellationToken)
    {
        var unit = await db.OrgUnits.FirstOrDefaultAsync(u => u.Id == unitId, cancellationToken);
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        if (unit is null || !unit.Path.StartsWith(administered, StringComparison.Ordinal))
            throw new NotFoundException($"Unit {unitId}");
        return unit;
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private StaffSnapshot Snapshot(StaffMember staff, OrgTree.Snapshot units) => StaffSnapshot.Of(staff, units.Find(staff.UnitId)?.Name ?? "", Now);

    // Filed under the account's unit as it now is, so its street's administrators list it.
    private void Record(string kind, StaffMember staff, OrgTree.Snapshot units, StaffSnapshot? before, IAuditSnapshot after) =>
        db.RecordAdministration(actors.Current, kind, AuditSubject.Staff(staff, units.Find(staff.UnitId)?.Path ?? "/"), before, after, Now);

    private StaffView View(StaffMember s, OrgTree.Snapshot units) =>
        new(s.Id, s.UserName, s.DisplayName, s.Role, s.UnitId, units.Find(s.UnitId)?.Name ?? "", s.IsLockedOut(clock.GetUtcNow().UtcDateTime), s.Active);

    private static UnitView View(OrgUnit u) => new(u.Id, u.Code, u.Name, u.Kind, u.ParentId, u.Path);
}
