namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// Finds what a finished call left behind: each tracked task is held weakly while the caller's token source, the
/// time provider and the never-ending inputs are held strongly. A timer, a token registration or a continuation left
/// on a never-ending input keeps the call's state, and so its task, alive. Collection is batched to keep CI fast.
/// </summary>
public sealed class LeakProbe
{
    private const int Batch = 2_000;
    private const int InFlight = 64;
    private readonly List<(WeakReference Target, object?[] KeepAlive, string Scenario)> _tracked = new();

    /// <summary>Tracks <paramref name="target"/> (only tasks that were still pending when the call returned: cached results are never collected).</summary>
    public void Track(object target, string scenario, params object?[] keepAlive)
    {
        bool flush;
        lock (_tracked)
        {
            _tracked.Add((new WeakReference(target), keepAlive, scenario));
            flush = _tracked.Count >= Batch;
        }

        if (flush)
        {
            AssertCollected(InFlight);
        }
    }

    /// <summary>Throws if a tracked target is still alive after a full collection.</summary>
    public void AssertCollected() => AssertCollected(0);

    /// <summary>
    /// Checks all but the <paramref name="keep"/> newest entries: those may belong to scenarios still returning on
    /// other threads, whose stacks still reference their tasks.
    /// </summary>
    private void AssertCollected(int keep)
    {
        List<(WeakReference Target, object?[] KeepAlive, string Scenario)> batch;
        lock (_tracked)
        {
            int count = Math.Max(0, _tracked.Count - keep);
            batch = _tracked.GetRange(0, count);
            _tracked.RemoveRange(0, count);
        }

        // A parked pool thread may still hold the last work item it ran, and with it a finished call: give the pool
        // other work first.
        Task.WhenAll(Enumerable.Range(0, 64 * Environment.ProcessorCount).Select(_ => Task.Run(() => Thread.SpinWait(1000)))).GetAwaiter().GetResult();
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        GC.Collect();
        var alive = batch.Where(t => t.Target.IsAlive).ToList();
        GC.KeepAlive(batch);
        if (alive.Count > 0)
        {
            throw new ModelDivergenceException(
                $"{alive.Count} of {batch.Count} finished calls are still referenced from the caller's token, the time provider or a never-ending input; first: {alive[0].Scenario}");
        }
    }
}
