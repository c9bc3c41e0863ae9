namespace Mediation.Infrastructure;

/// <summary>The product will not start on this database or configuration; the message says why and what to do.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);
