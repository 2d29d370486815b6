namespace AsyncCombinators.ModelTests.Infrastructure;

/// <summary>
/// Runs the actions of one step on pool threads released together: every thread waits at a gate until all are ready,
/// so completions, cancellations and the call itself race each other instead of running one after another.
/// </summary>
public static class Racer
{
    /// <summary>Runs each action on its own pool thread, all released at once, and returns when all have returned.</summary>
    public static void Race(IReadOnlyList<Action> actions)
    {
        if (actions.Count == 0)
        {
            return;
        }

        using var ready = new CountdownEvent(actions.Count);
        using var go = new ManualResetEventSlim(false);
        using var finished = new CountdownEvent(actions.Count);
        var failures = new Exception?[actions.Count];
        for (int i = 0; i < actions.Count; i++)
        {
            int index = i;
            ThreadPool.UnsafeQueueUserWorkItem(
                _ =>
                {
                    ready.Signal();
                    go.Wait();
                    try
                    {
                        actions[index]();
                    }
                    catch (Exception e)
                    {
                        failures[index] = e;
                    }

                    finished.Signal();
                },
                null);
        }

        if (!ready.Wait(ModelSettings.HangTimeout))
        {
            throw new ModelDivergenceException("Hang guard: the racing threads did not get a pool thread");
        }

        go.Set();
        if (!finished.Wait(ModelSettings.HangTimeout))
        {
            throw new ModelDivergenceException("Hang guard: a racing action did not return (a completion blocked inside the library)");
        }

        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            throw new ModelDivergenceException("A racing action threw: " + failure.Message, failure);
        }
    }
}
