namespace Mediation.Application.Pipeline;

/// <summary>Work a command's handler wants done once its transaction has committed (forgetting cached state).</summary>
public sealed class AfterCommit
{
    private readonly List<Action> _actions = [];

    public void Add(Action action) => _actions.Add(action);

    internal void Run()
    {
        foreach (var action in _actions)
            action();
        _actions.Clear();
    }

    internal void Discard() => _actions.Clear();
}
