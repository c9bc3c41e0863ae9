namespace Mediation.Workflows.Validation;

/// <summary>The range every number in a definition must fall in, so that a typo cannot overflow a date or a counter.</summary>
public static class DefinitionBounds
{
    public static readonly (int Min, int Max) Version = (1, 9999);
    public static readonly (int Min, int Max) TimeLimitDays = (1, 3650);
    public static readonly (int Min, int Max) AcceptWithinDays = (1, 365);
    public static readonly (int Min, int Max) AfterDays = (1, 3650);
    public static readonly (int Min, int Max) GraceDays = (0, 365);
    public static readonly (int Min, int Max) ProgressNoticeEveryDays = (1, 365);
    public static readonly (int Min, int Max) MinParties = (2, 10000);
    public const decimal MaxAmount = 1_000_000_000_000m;
    public static readonly (int Min, int Max) CalendarYear = (2000, 2100);
}
