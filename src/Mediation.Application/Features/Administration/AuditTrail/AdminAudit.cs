using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mediation.Application.Persistence;
using Mediation.Domain.Org;

namespace Mediation.Application.Features.Administration.AuditTrail;

/// <summary>
/// What an audit entry may hold of its subject: a record written for the purpose, never an entity, so a password hash,
/// secret or token cannot ride along with it (<see cref="AdminAudit"/> refuses such members).
/// </summary>
public interface IAuditSnapshot;

/// <summary>What was changed: its kind, id, a label a person recognises, and where it sits (a unit path; null for the installation).</summary>
public sealed record AuditSubject(string Kind, string Id, string Label, string? UnitPath)
{
    public static AuditSubject Staff(StaffMember staff, string unitPath) => new(AdminAudit.Subjects.Staff, Invariant(staff.Id), staff.UserName, unitPath);

    public static AuditSubject Unit(OrgUnit unit) => new(unit.IsStreet ? AdminAudit.Subjects.Street : AdminAudit.Subjects.Unit, Invariant(unit.Id), unit.Name, unit.Path);

    public static AuditSubject Workflow(string key, int version) => new(AdminAudit.Subjects.Workflow, $"{key}@{Invariant(version)}", $"{key} v{Invariant(version)}", null);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The audit trail of administration. A handler records its change inside its own transaction, after the change:
/// <code>db.RecordAdministration(actors.Current, AdminAudit.Kinds.StaffCreated, AuditSubject.Staff(staff, unit.Path), before: null, after: snapshot, now);</code>
/// The entry is added to the context and saved with the change, so a change that fails leaves no entry.
/// </summary>
public static class AdminAudit
{
    public static class Kinds
    {
        public const string StaffCreated = "staff.created";
        public const string StaffAssigned = "staff.assigned";
        public const string PasswordReset = "staff.passwordReset";
        public const string StaffDeactivated = "staff.deactivated";
        public const string StaffReactivated = "staff.reactivated";
        public const string SessionsRevoked = "staff.sessionsRevoked";
        public const string UnitAdded = "unit.added";
        public const string UnitRenamed = "unit.renamed";
        public const string StreetCreated = "street.created";
        public const string WorkflowPublished = "workflow.published";
        public const string WorkflowRepublished = "workflow.republished";
        public const string CasesMigrated = "workflow.casesMigrated";
        public const string WebhookCreated = "webhook.created";
        public const string WebhookChanged = "webhook.changed";
        public const string WebhookSecretRotated = "webhook.secretRotated";
        public const string WebhookDeleted = "webhook.deleted";
        public const string ApiKeyCreated = "apiKey.created";
        public const string ApiKeyRevoked = "apiKey.revoked";
        public const string SystemAccountCreated = "systemAccount.created";

        public static readonly IReadOnlyList<string> All =
        [
            StaffCreated, StaffAssigned, PasswordReset, StaffDeactivated, StaffReactivated, SessionsRevoked, UnitAdded, UnitRenamed, StreetCreated,
            WorkflowPublished, WorkflowRepublished, CasesMigrated, WebhookCreated, WebhookChanged, WebhookSecretRotated, WebhookDeleted, ApiKeyCreated, ApiKeyRevoked, SystemAccountCreated,
        ];
    }

    public static class Subjects
    {
        public const string Staff = "staff";
        public const string Unit = "unit";
        public const string Street = "street";
        public const string Workflow = "workflow";
        public const string Webhook = "webhook";
        public const string ApiKey = "apiKey";
        public const string SystemAccount = "systemAccount";
    }

    /// <summary>The product itself, e.g. recording a workflow version at start-up.</summary>
    public static readonly Actor System = new(0, "系统", Actor.Roles.System, 0, "/");

    // Members whose names say they hold a credential; a bool (e.g. "SecretSet") states a fact and is allowed.
    private static readonly string[] Forbidden = ["password", "hash", "secret", "token", "apikey", "credential"];

    private static readonly ConcurrentDictionary<Type, string?> Refusals = new();

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = global::System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static AdminAuditEntry RecordAdministration(this MediationDbContext db, Actor actor, string kind, AuditSubject subject,
        IAuditSnapshot? before, IAuditSnapshot? after, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(subject);
        var entry = new AdminAuditEntry(nowUtc, actor.StaffId, Cut(actor.DisplayName, 100), actor.Role, StreetOf(subject.UnitPath), subject.UnitPath,
            kind, subject.Kind, Cut(subject.Id, 120), Cut(subject.Label, 200), Serialize(before), Serialize(after));
        db.AdminAuditEntries.Add(entry);
        return entry;
    }

    /// <summary>The street of a unit path (its first id); null for the installation ("/" or none).</summary>
    public static long? StreetOf(string? unitPath)
    {
        if (string.IsNullOrEmpty(unitPath))
            return null;
        var first = unitPath.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is null ? null : long.Parse(first, CultureInfo.InvariantCulture);
    }

    internal static string? Serialize(IAuditSnapshot? snapshot)
    {
        if (snapshot is null)
            return null;
        if (Refusals.GetOrAdd(snapshot.GetType(), Refusal) is { } refusal)
            throw new InvalidOperationException(refusal);
        return JsonSerializer.Serialize(snapshot, snapshot.GetType(), Json);
    }

    private static string? Refusal(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = property.Name.ToLowerInvariant();
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (valueType != typeof(bool) && Forbidden.Any(f => name.Contains(f, StringComparison.Ordinal)))
                return $"The audit snapshot {type.Name} has a member {property.Name} that looks like a credential; audit entries never hold passwords, hashes, secrets or tokens.";
            if (typeof(IAuditSnapshot).IsAssignableFrom(valueType) && Refusal(valueType) is { } nested)
                return nested;
            if (valueType.Namespace?.StartsWith("Mediation.Domain", StringComparison.Ordinal) == true && valueType.IsClass)
                return $"The audit snapshot {type.Name} holds the entity {valueType.Name} in {property.Name}; copy the fields it needs instead.";
        }
        return null;
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];
}

/// <summary>An account as the audit trail shows it (no password hash, no sign-in counters).</summary>
public sealed record StaffSnapshot(string UserName, string DisplayName, string Role, long UnitId, string UnitName, bool Active, bool LockedOut) : IAuditSnapshot
{
    public static StaffSnapshot Of(StaffMember staff, string unitName, DateTime nowUtc) =>
        new(staff.UserName, staff.DisplayName, staff.Role, staff.UnitId, unitName, staff.Active, staff.IsLockedOut(nowUtc));
}

/// <summary>An account after its sessions were ended: how many ended.</summary>
public sealed record StaffSessionsSnapshot(string UserName, string DisplayName, string Role, long UnitId, string UnitName, bool Active, bool LockedOut, int SessionsEnded) : IAuditSnapshot
{
    public static StaffSessionsSnapshot Of(StaffSnapshot s, int sessionsEnded) => new(s.UserName, s.DisplayName, s.Role, s.UnitId, s.UnitName, s.Active, s.LockedOut, sessionsEnded);
}

public sealed record UnitSnapshot(string Code, string Name, string Kind, long? ParentId, string? ParentName) : IAuditSnapshot
{
    public static UnitSnapshot Of(OrgUnit unit, string? parentName) => new(unit.Code, unit.Name, unit.Kind, unit.ParentId, parentName);
}

/// <summary>A published workflow version: which file, and the fingerprint (SHA-256) of its content.</summary>
public sealed record WorkflowSnapshot(string Key, int Version, string File, string Fingerprint) : IAuditSnapshot;
