namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// The exception a generated input faults with. <see cref="MustBeObserved"/> marks the ones the contract makes the
/// combinator observe; <see cref="UnobservedWatch"/> reports any of those that reach the finalizer unobserved, with the
/// scenario that made it.
/// </summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException(bool mustBeObserved, string message)
        : base(message) => MustBeObserved = mustBeObserved;

    public ScenarioException()
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public bool MustBeObserved { get; }
}

/// <summary>Collects unobserved <see cref="ScenarioException"/>s that the contract says a combinator observes.</summary>
public sealed class UnobservedWatch : IDisposable
{
    private readonly List<string> _seen = new();

    public UnobservedWatch() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    /// <summary>Collects garbage and returns what reached the finalizer unobserved so far.</summary>
    public IReadOnlyList<string> CollectAndGetSeen()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        lock (_seen)
        {
            return _seen.ToList();
        }
    }

    /// <summary>Throws when an exception that must be observed was not.</summary>
    public void AssertNoneSeen()
    {
        IReadOnlyList<string> seen = CollectAndGetSeen();
        if (seen.Count > 0)
        {
            throw new ModelDivergenceException(
                $"{seen.Count} exception(s) reached TaskScheduler.UnobservedTaskException; first: {seen[0]}");
        }
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        foreach (Exception inner in e.Exception.Flatten().InnerExceptions)
        {
            if (inner is ScenarioException { MustBeObserved: true })
            {
                lock (_seen)
                {
                    _seen.Add(inner.Message);
                }
            }
        }
    }
}
