namespace Mediation.Infrastructure;

/// <summary>The product will not start: the message says why and what to fix, and is all an operator sees.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);
