namespace AsyncCombinators.Tests.Infrastructure;

/// <summary>
/// Records unobserved task exceptions whose message carries a marker unique to one test, so tests running in parallel
/// do not see each other's.
/// </summary>
public sealed class UnobservedExceptionMonitor : IDisposable
{
    private readonly string _marker = "marker-" + Guid.NewGuid().ToString("N");
    private readonly List<Exception> _seen = new();

    public UnobservedExceptionMonitor() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    public string Marker => _marker;

    public Exception NewException() => new InvalidOperationException(_marker);

    public IReadOnlyList<Exception> CollectAndGetSeen()
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

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        if (e.Exception.Flatten().InnerExceptions.Any(x => x.Message == _marker))
        {
            lock (_seen)
            {
                _seen.Add(e.Exception);
            }
        }
    }
}
