namespace Mediation.Domain.Cases;

/// <summary>A request that breaks a rule of the domain; the web maps each kind to its HTTP status.</summary>
public abstract class DomainRuleException(string message) : Exception(message);

/// <summary>The action is not one the definition allows in the case's current state (409).</summary>
public sealed class TransitionNotAllowedException(string caseNumber, string state, string level, string action, IReadOnlyList<string> allowedActions)
    : DomainRuleException($"Case {caseNumber} is '{state}' at level '{level}', where '{action}' is not allowed. Allowed now: {(allowedActions.Count == 0 ? "none" : string.Join(", ", allowedActions))}.")
{
    public string State { get; } = state;
    public string Level { get; } = level;
    public string Action { get; } = action;
    public IReadOnlyList<string> AllowedActions { get; } = allowedActions;
}

/// <summary>The definition does not let this role fire this action (403).</summary>
public sealed class RoleNotAllowedException(string role, string action)
    : DomainRuleException($"The role '{role}' may not '{action}'.")
{
    public string Role { get; } = role;
    public string Action { get; } = action;
}

/// <summary>The case changed since the caller read it (409): the caller reloads and decides again.</summary>
public sealed class ConcurrentEditException(string caseNumber, int expectedVersion, int actualVersion)
    : DomainRuleException($"Case {caseNumber} was changed by someone else: you edited version {expectedVersion}, it is now at version {actualVersion}. Reload and try again.")
{
    public int ExpectedVersion { get; } = expectedVersion;
    public int ActualVersion { get; } = actualVersion;
}

/// <summary>A value a rule of the domain refuses (422), naming the field; in Chinese too where the rule says it.</summary>
public sealed class CaseInputException(string field, string message, string? chinese = null) : DomainRuleException(message)
{
    public string Field { get; } = field;
    public string? Chinese { get; } = chinese;
}
